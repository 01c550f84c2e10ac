import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatCount, formatDuration, formatNanosUsd } from '../format';
import { visibleRows, type SpanCategory, type SpanNode, type WaterfallRow } from '../spanTree';
import { CATEGORY_NAME, KindIcon } from './KindIcon';

export { CATEGORY_LABEL } from './KindIcon';

const ROW_HEIGHT = 30;
const OVERSCAN = 12;

interface Props {
  roots: SpanNode[];
  extent: number;
  selectedId: string | null;
  reveal: string[];
  /** Span ids of the critical path, root first. */
  critical: string[];
  onSelect: (spanId: string) => void;
}

/** The span tree with a time bar per span; only the rows in view are rendered. */
export function Waterfall(props: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [showCritical, setShowCritical] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const viewport = useRef<HTMLDivElement>(null);

  // A deep-linked span must be visible: open its ancestors.
  useEffect(() => {
    if (props.reveal.length === 0) return;
    setCollapsed((old) => {
      if (!props.reveal.some((id) => old.has(id))) return old;
      const next = new Set(old);
      for (const id of props.reveal) next.delete(id);
      return next;
    });
  }, [props.reveal]);

  const rows = useMemo(() => visibleRows(props.roots, collapsed), [props.roots, collapsed]);
  const critical = useMemo(() => new Set(showCritical ? props.critical : []), [props.critical, showCritical]);
  const categories = useMemo(() => presentCategories(rows), [rows]);

  // Measured before the first paint, so the first rows drawn are the ones that fit.
  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Marks when the first rows are on screen, for measuring how fast a trace opens
  // (tests/e2e/bench_big_trace.mjs reads it with performance.getEntriesByName).
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || rows.length === 0) return;
    marked.current = true;
    performance.mark('waterfall-rows');
  }, [rows]);

  // Scroll a deep-linked span into view once.
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    const el = viewport.current;
    if (!el || !props.selectedId || scrolledTo.current === props.selectedId) return;
    const index = rows.findIndex((r) => r.node.span.span_id === props.selectedId);
    if (index < 0) return;
    scrolledTo.current = props.selectedId;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop || top > el.scrollTop + el.clientHeight - ROW_HEIGHT) {
      el.scrollTop = Math.max(0, top - el.clientHeight / 3);
    }
  }, [rows, props.selectedId]);

  // Stable, so that scrolling re-renders only the rows that come into view (Row is memoized).
  const toggle = useCallback(
    (id: string) =>
      setCollapsed((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const extent = Math.max(props.extent, 1);
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-toolbar">
        <div className="wf-actions">
          <button className="ghost small" onClick={() => setCollapsed(new Set())} data-testid="expand-all">
            Expand all
          </button>
          <button
            className="ghost small"
            data-testid="collapse-all"
            onClick={() => setCollapsed(new Set(rows.filter((r) => r.hasChildren).map((r) => r.node.span.span_id)))}
          >
            Collapse
          </button>
          <button
            className={`ghost small toggle ${showCritical ? 'on' : ''}`}
            aria-pressed={showCritical}
            onClick={() => setShowCritical((v) => !v)}
            title="The chain of spans that decides when the trace ends: from the root, always the child that ends last"
            data-testid="critical-toggle"
          >
            <span className="crit-swatch" /> Critical path · {props.critical.length}
          </button>
        </div>
        <ul className="kind-legend" aria-label="Span kinds">
          {categories.map((c) => (
            <li key={c}>
              <KindIcon category={c} /> {CATEGORY_NAME[c]}
            </li>
          ))}
        </ul>
      </div>
      <div className="wf-head">
        <div className="wf-name">Span</div>
        <div className="wf-figures" title="Tokens and cost of LLM and embedding calls; Σ on a parent: its whole subtree">
          Tokens · cost
        </div>
        <div className="wf-timeline-head">
          {ticks.map((t) => (
            <span key={t} style={{ left: `${t * 100}%` }} className={t === 1 ? 'last' : ''}>
              {t === 0 ? '0' : formatDuration(Math.round(extent * t))}
            </span>
          ))}
        </div>
      </div>
      <div className="wf-body" ref={viewport} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => (
            <Row
              key={row.node.span.span_id}
              row={row}
              top={(first + i) * ROW_HEIGHT}
              extent={extent}
              selected={props.selectedId === row.node.span.span_id}
              critical={critical.has(row.node.span.span_id)}
              onSelect={props.onSelect}
              onToggle={toggle}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

function presentCategories(rows: WaterfallRow[]): SpanCategory[] {
  const seen = new Set<SpanCategory>();
  for (const r of rows) {
    seen.add(r.node.category);
    if (seen.size === 8) break;
  }
  const order: SpanCategory[] = ['agent', 'chain', 'llm', 'embedding', 'retrieval', 'rerank', 'tool', 'other'];
  return order.filter((c) => seen.has(c));
}

interface RowProps {
  row: WaterfallRow;
  top: number;
  extent: number;
  selected: boolean;
  critical: boolean;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

const Row = memo(function Row({ row, top, extent, selected, critical, onSelect, onToggle }: RowProps) {
  const { node } = row;
  const span = node.span;
  const left = (node.offset / extent) * 100;
  const width = Math.max((span.duration_ns / extent) * 100, 0.2);
  // A collapsed span shows how far its hidden subtree reaches (async children can outlive it).
  const subtreeWidth = row.collapsed && node.subtree.end > node.end ? ((node.subtree.end - node.offset) / extent) * 100 : 0;
  const error = span.status.code === 'error' || !!span.error_class;
  const reach = Math.max(width, subtreeWidth);
  return (
    <div
      className={`wf-row ${selected ? 'selected' : ''} ${error ? 'error' : ''} ${critical ? 'critical' : ''}`}
      style={{ top, height: ROW_HEIGHT }}
      onClick={() => onSelect(span.span_id)}
      data-testid="wf-row"
      data-span-id={span.span_id}
      data-kind={node.category}
      data-critical={critical || undefined}
    >
      <div className="wf-name" style={{ paddingLeft: 8 + node.depth * 16 }}>
        {row.hasChildren ? (
          <button
            className="caret"
            aria-label={row.collapsed ? 'Expand' : 'Collapse'}
            data-testid="wf-toggle"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(span.span_id);
            }}
          >
            {row.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="caret-space" />
        )}
        <KindIcon category={node.category} />
        <span className="wf-label" title={span.name}>
          {span.name}
        </span>
        {row.collapsed && (
          <span className="muted small" title={`${node.subtree.spans - 1} spans below`}>
            +{formatCount(node.subtree.spans - 1)}
          </span>
        )}
        {error && <span className="dot-error" title={span.error_reason ?? span.status.message} />}
      </div>
      <Figures row={row} />
      <div className="wf-timeline">
        {subtreeWidth > width && <div className="bar-reach" style={{ left: `${left}%`, width: `${subtreeWidth}%` }} />}
        <div className={`bar k-${node.category}`} style={{ left: `${left}%`, width: `${width}%` }} />
        <span className="bar-label" style={left > 70 ? { right: `${100 - left + 0.5}%` } : { left: `calc(${left + reach}% + 6px)` }}>
          {formatDuration(span.duration_ns)}
          {subtreeWidth > width && <span className="muted"> · subtree {formatDuration(node.subtree.end - node.offset)}</span>}
        </span>
      </div>
    </div>
  );
});

/** Tokens and cost: a leaf's own, a parent's whole subtree (marked Σ). */
function Figures({ row }: { row: WaterfallRow }) {
  const t = row.node.subtree;
  if (t.tokens === 0 && t.costNanos === 0) return <div className="wf-figures" />;
  const whole = row.hasChildren;
  const title = whole
    ? `${row.collapsed ? 'Collapsed: ' : ''}${t.llmCalls} LLM call${t.llmCalls === 1 ? '' : 's'} in this subtree, ${t.tokens.toLocaleString('en-US')} tokens, ${formatNanosUsd(t.costNanos)}`
    : `${t.tokens.toLocaleString('en-US')} tokens, ${formatNanosUsd(t.costNanos)}`;
  return (
    <div className={`wf-figures ${whole ? 'subtree' : ''} ${row.collapsed ? 'folded' : ''}`} title={title} data-testid="wf-figures" data-tokens={t.tokens} data-cost-nanos={t.costNanos}>
      {whole && <span className="sigma">Σ</span>}
      <span>{formatCount(t.tokens)}</span>
      <span className="cost">{formatNanosUsd(t.costNanos)}</span>
    </div>
  );
}
