import { useEffect, useMemo, useRef, useState } from 'react';
import { formatDuration } from '../format';
import { visibleRows, type SpanCategory, type SpanNode } from '../spanTree';

const ROW_HEIGHT = 30;
const OVERSCAN = 12;

export const CATEGORY_LABEL: Record<SpanCategory, string> = {
  llm: 'LLM',
  embedding: 'EMB',
  retrieval: 'RET',
  rerank: 'RRK',
  tool: 'TOOL',
  agent: 'AGT',
  chain: 'CHN',
  other: 'SPAN',
};

interface Props {
  roots: SpanNode[];
  extent: number;
  selectedId: string | null;
  reveal: string[];
  onSelect: (spanId: string) => void;
}

/** The span tree with a time bar per span; only the rows in view are rendered. */
export function Waterfall(props: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
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

  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

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

  const toggle = (id: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const extent = Math.max(props.extent, 1);
  const ticks = [0, 0.25, 0.5, 0.75, 1];

  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-head">
        <div className="wf-name">
          Span
          <span className="wf-actions">
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
          </span>
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
          {rows.slice(first, last).map((row, i) => {
            const { node } = row;
            const span = node.span;
            const left = (node.offset / extent) * 100;
            const width = Math.max((span.duration_ns / extent) * 100, 0.2);
            const error = span.status.code === 'error' || !!span.error_class;
            return (
              <div
                key={span.span_id}
                className={`wf-row ${props.selectedId === span.span_id ? 'selected' : ''} ${error ? 'error' : ''}`}
                style={{ top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }}
                onClick={() => props.onSelect(span.span_id)}
                data-testid="wf-row"
                data-span-id={span.span_id}
                data-kind={node.category}
              >
                <div className="wf-name" style={{ paddingLeft: 8 + node.depth * 16 }}>
                  {row.hasChildren ? (
                    <button
                      className="caret"
                      aria-label={row.collapsed ? 'Expand' : 'Collapse'}
                      data-testid="wf-toggle"
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(span.span_id);
                      }}
                    >
                      {row.collapsed ? '▸' : '▾'}
                    </button>
                  ) : (
                    <span className="caret-space" />
                  )}
                  <span className={`kind k-${node.category}`}>{CATEGORY_LABEL[node.category]}</span>
                  <span className="wf-label" title={span.name}>
                    {span.name}
                  </span>
                  {row.collapsed && <span className="muted small">+{node.children.length}</span>}
                  {error && <span className="dot-error" title={span.error_reason ?? span.status.message} />}
                </div>
                <div className="wf-timeline">
                  <div className={`bar k-${node.category}`} style={{ left: `${left}%`, width: `${width}%` }} />
                  <span className="bar-label" style={left > 70 ? { right: `${100 - left + 0.5}%` } : { left: `calc(${left + width}% + 6px)` }}>
                    {formatDuration(span.duration_ns)}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
