// Two traces side by side (/compare?a=TRACE&b=TRACE): the summary figures with B's difference
// from A, the span trees aligned by span name path (compare.ts) with durations, tokens and cost
// per span, and every LLM call's model, tokens, cost and output next to its counterpart.

import { useEffect, useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { getTrace, type Span, type TraceDetail } from '../api';
import { alignSpanTrees, alignmentStats, compareFigures, formatRatio, llmRows, messagesText, type AlignedRow, type Figure } from '../compare';
import { formatCost, formatDuration, formatNanosUsd, formatTime } from '../format';
import { navigate, urlWith } from '../router';
import { categoryOf } from '../spanTree';
import { CATEGORY_LABEL } from './Waterfall';

type Side = { ok: true; trace: TraceDetail } | { ok: false; error: string };

function go(href: string) {
  return (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(href);
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

export function ComparePage(props: { a: string | null; b: string | null }) {
  const a = props.a?.toLowerCase() ?? '';
  const b = props.b?.toLowerCase() ?? '';
  const [sides, setSides] = useState<{ a?: Side; b?: Side }>({});

  useEffect(() => {
    if (!TRACE_ID.test(a) || !TRACE_ID.test(b)) return;
    const controller = new AbortController();
    setSides({});
    const load = (id: string) =>
      getTrace(id, controller.signal).then(
        (trace): Side => ({ ok: true, trace }),
        (e: unknown): Side => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    void Promise.all([load(a), load(b)]).then(([sa, sb]) => {
      if (!controller.signal.aborted) setSides({ a: sa, b: sb });
    });
    return () => controller.abort();
  }, [a, b]);

  if (!TRACE_ID.test(a) || !TRACE_ID.test(b)) return <PickTraces a={a} b={b} />;
  if (!sides.a || !sides.b) return <div className="page"><div className="empty">Loading traces…</div></div>;
  if (!sides.a.ok || !sides.b.ok) {
    return (
      <div className="page">
        {!sides.a.ok && <div className="banner error">Trace A ({a}): {sides.a.error}</div>}
        {!sides.b.ok && <div className="banner error">Trace B ({b}): {sides.b.error}</div>}
        <PickTraces a={a} b={b} />
      </div>
    );
  }
  return <Comparison a={sides.a.trace} b={sides.b.trace} />;
}

function PickTraces(props: { a: string; b: string }) {
  const [a, setA] = useState(props.a);
  const [b, setB] = useState(props.b);
  return (
    <div className="page">
      <form
        className="card compare-pick"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(urlWith('/compare', { a: a.trim(), b: b.trim() }));
        }}
      >
        <h3>Compare two traces</h3>
        <p className="muted small">Tick two traces on the traces page and press Compare, or give their ids (32 hex characters).</p>
        <label className="stack">
          <span>Trace A</span>
          <input value={a} onChange={(e) => setA(e.target.value)} spellCheck={false} data-testid="compare-input-a" />
        </label>
        <label className="stack">
          <span>Trace B</span>
          <input value={b} onChange={(e) => setB(e.target.value)} spellCheck={false} data-testid="compare-input-b" />
        </label>
        <button type="submit" className="primary" disabled={!TRACE_ID.test(a.trim().toLowerCase()) || !TRACE_ID.test(b.trim().toLowerCase())}>
          Compare
        </button>
      </form>
    </div>
  );
}

function Comparison(props: { a: TraceDetail; b: TraceDetail }) {
  const { a, b } = props;
  const figures = useMemo(() => compareFigures(a.summary, b.summary), [a, b]);
  const rows = useMemo(() => alignSpanTrees(a.spans, b.spans), [a, b]);
  const stats = useMemo(() => alignmentStats(rows), [rows]);
  const calls = useMemo(() => llmRows(rows), [rows]);
  const partial = a.spans.length < a.total_spans || b.spans.length < b.total_spans;
  return (
    <div className="page compare-page">
      <div className="compare-head">
        <TraceHeading label="A" trace={a} />
        <button
          className="ghost small"
          title="Swap A and B"
          onClick={() => navigate(urlWith('/compare', { a: b.trace_id, b: a.trace_id }), { replace: true })}
          data-testid="compare-swap"
        >
          ⇄ Swap
        </button>
        <TraceHeading label="B" trace={b} />
      </div>
      {partial && <div className="banner warn">A trace was returned in part; the comparison covers the spans shown.</div>}
      <section className="card compare-section">
        <div className="card-head">
          <h3>Summary</h3>
          <span className="headline">B against A</span>
        </div>
        <FigureTable figures={figures} />
      </section>
      <section className="card compare-section">
        <div className="card-head">
          <h3>Spans, aligned by name path</h3>
          <span className="headline" data-testid="alignment-stats">
            {stats.matched} in both · {stats.onlyA} only in A · {stats.onlyB} only in B
          </span>
        </div>
        <SpanTable rows={rows} a={a.trace_id} b={b.trace_id} />
      </section>
      {calls.length > 0 && (
        <section className="compare-section">
          <h3 className="compare-title">LLM calls</h3>
          <div data-testid="compare-llm">
            {calls.map((row) => (
              <LlmPair key={row.key} row={row} />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

function TraceHeading(props: { label: string; trace: TraceDetail }) {
  const s = props.trace.summary;
  const href = `/traces/${props.trace.trace_id}`;
  return (
    <div className="compare-trace" data-testid={`compare-trace-${props.label.toLowerCase()}`}>
      <span className={`side side-${props.label.toLowerCase()}`}>{props.label}</span>
      <div>
        <a href={href} onClick={go(href)} className="compare-trace-name">
          {s.root_name || props.trace.trace_id}
        </a>
        <div className="muted small">
          <span className="mono">{props.trace.trace_id.slice(0, 16)}</span> · {s.root_service} · {formatTime(s.start_time_unix_nano)}
          {s.session_id && <> · session {s.session_id}</>}
        </div>
      </div>
    </div>
  );
}

function formatFigure(f: Figure, value: number): string {
  switch (f.kind) {
    case 'duration':
      return formatDuration(value);
    case 'cost':
      return value === 0 ? '$0' : formatNanosUsd(value);
    default:
      return value.toLocaleString('en-US');
  }
}

function formatDelta(f: Figure): string {
  if (f.delta === 0) return '=';
  const sign = f.delta > 0 ? '+' : '−';
  const abs = Math.abs(f.delta);
  if (f.kind === 'cost') return `${sign}$${(abs / 1e9).toFixed(abs < 1e5 ? 6 : 4)}`;
  return `${sign}${formatFigure(f, abs)}`;
}

// For duration, tokens, cost and errors less is better; spans and calls are shown neutrally.
function tone(f: Figure): string {
  if (f.delta === 0 || f.key === 'spans' || f.key === 'llm_calls') return '';
  return f.delta < 0 ? 'better' : 'worse';
}

function FigureTable(props: { figures: Figure[] }) {
  return (
    <div className="table-wrap flat">
      <table className="traces compare-figures" data-testid="compare-figures">
        <thead>
          <tr>
            <th></th>
            <th className="num">A</th>
            <th className="num">B</th>
            <th className="num">B − A</th>
          </tr>
        </thead>
        <tbody>
          {props.figures.map((f) => (
            <tr key={f.key} data-metric={f.key}>
              <td>{f.label}</td>
              <td className="num" data-testid="fig-a" data-value={f.a}>
                {formatFigure(f, f.a)}
              </td>
              <td className="num" data-testid="fig-b" data-value={f.b}>
                {formatFigure(f, f.b)}
              </td>
              <td className={`num delta ${tone(f)}`} data-testid="fig-delta" data-value={f.delta}>
                {formatDelta(f)} <span className="muted small">{formatRatio(f.ratio)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function spanTokens(s: Span | null): number | undefined {
  const usage = s?.llm?.kind === 'llm' || s?.llm?.kind === 'embedding' ? s.llm.usage : undefined;
  if (!usage) return undefined;
  return usage.total_tokens ?? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
}

function spanCost(s: Span | null): number | undefined {
  return s?.llm?.cost?.total_nanos_usd;
}

function Cell(props: { children: ReactNode; testId?: string; value?: number | string }) {
  return (
    <td className="num" data-testid={props.testId} data-value={props.value}>
      {props.children}
    </td>
  );
}

function SpanTable(props: { rows: AlignedRow[]; a: string; b: string }) {
  return (
    <div className="table-wrap flat compare-tree-wrap">
      <table className="traces compare-tree" data-testid="compare-tree">
        <thead>
          <tr>
            <th>Span</th>
            <th className="num">A duration</th>
            <th className="num">B duration</th>
            <th className="num">B − A</th>
            <th className="num">A tokens</th>
            <th className="num">B tokens</th>
            <th className="num">A cost</th>
            <th className="num">B cost</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => {
            const span = r.a ?? r.b!;
            const category = categoryOf(span);
            const side = r.a && r.b ? 'both' : r.a ? 'only-a' : 'only-b';
            const delta = r.a && r.b ? r.b.duration_ns - r.a.duration_ns : null;
            const errored = r.a?.status.code === 'error' || r.b?.status.code === 'error';
            return (
              <tr
                key={r.key}
                className={`${side} ${errored ? 'has-error' : ''}`}
                data-testid="compare-row"
                data-side={side}
                data-key={r.key}
                data-a-span={r.a?.span_id ?? ''}
                data-b-span={r.b?.span_id ?? ''}
              >
                <td className="tree-name" style={{ paddingLeft: 12 + r.depth * 16 }} title={r.key}>
                  <span className={`kind k-${category}`}>{CATEGORY_LABEL[category]}</span> {span.name}
                  {r.a && r.b && r.a.name !== r.b.name && <span className="muted"> ↔ {r.b.name}</span>}
                  {r.occurrence > 1 && <span className="muted small"> #{r.occurrence}</span>}
                  {side !== 'both' && <span className={`tag ${side}`}>{side === 'only-a' ? 'only A' : 'only B'}</span>}
                </td>
                <Cell>{r.a ? <SpanLink trace={props.a} span={r.a}>{formatDuration(r.a.duration_ns)}</SpanLink> : ''}</Cell>
                <Cell>{r.b ? <SpanLink trace={props.b} span={r.b}>{formatDuration(r.b.duration_ns)}</SpanLink> : ''}</Cell>
                <td className={`num delta ${delta === null || delta === 0 ? '' : delta < 0 ? 'better' : 'worse'}`}>
                  {delta === null ? '' : delta === 0 ? '=' : `${delta > 0 ? '+' : '−'}${formatDuration(Math.abs(delta))}`}
                </td>
                <Cell>{spanTokens(r.a)?.toLocaleString('en-US') ?? ''}</Cell>
                <Cell>{spanTokens(r.b)?.toLocaleString('en-US') ?? ''}</Cell>
                <Cell>{spanCost(r.a) === undefined ? '' : formatNanosUsd(spanCost(r.a))}</Cell>
                <Cell>{spanCost(r.b) === undefined ? '' : formatNanosUsd(spanCost(r.b))}</Cell>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function SpanLink(props: { trace: string; span: Span; children: ReactNode }) {
  const href = urlWith(`/traces/${props.trace}`, { span: props.span.span_id });
  return (
    <a href={href} onClick={go(href)}>
      {props.children}
    </a>
  );
}

function LlmPair(props: { row: AlignedRow }) {
  const { row } = props;
  return (
    <div className="card llm-pair" data-testid="llm-pair" data-key={row.key}>
      <div className="llm-pair-head mono small">{row.key}</div>
      <div className="llm-pair-sides">
        <LlmSide label="A" span={row.a} />
        <LlmSide label="B" span={row.b} />
      </div>
    </div>
  );
}

function LlmSide(props: { label: string; span: Span | null }) {
  const side = props.label.toLowerCase();
  const llm = props.span?.llm;
  if (!props.span || !llm) {
    return (
      <div className="llm-side missing" data-testid={`llm-${side}`}>
        <span className={`side side-${side}`}>{props.label}</span> <span className="muted">no such call</span>
      </div>
    );
  }
  const usage = llm.usage;
  const output = messagesText(llm.output_messages);
  return (
    <div className="llm-side" data-testid={`llm-${side}`} data-span-id={props.span.span_id}>
      <div className="llm-side-head">
        <span className={`side side-${side}`}>{props.label}</span>
        <b data-testid="llm-model">{llm.response_model || llm.request_model || '(unknown model)'}</b>
        {llm.provider && <span className="muted small">{llm.provider}</span>}
        <div className="spacer" />
        <span className="muted small">{formatDuration(props.span.duration_ns)}</span>
      </div>
      <dl className="kv llm-figures">
        <dt>Tokens</dt>
        <dd data-testid="llm-tokens" data-value={usage?.total_tokens ?? ''}>
          {usage ? `${(usage.input_tokens ?? 0).toLocaleString('en-US')} in · ${(usage.output_tokens ?? 0).toLocaleString('en-US')} out` : '–'}
        </dd>
        <dt>Cost</dt>
        <dd data-testid="llm-cost" data-value={llm.cost?.total_nanos_usd ?? ''}>
          {llm.cost ? formatCost(llm.cost.total_usd) : '–'}
        </dd>
        {props.span.status.code === 'error' && (
          <>
            <dt>Error</dt>
            <dd className="error-text">{props.span.status.message || props.span.error_reason || 'error'}</dd>
          </>
        )}
      </dl>
      {output ? (
        <pre className="code llm-output" data-testid="llm-output">
          {output}
        </pre>
      ) : (
        <div className="muted small" data-testid="llm-output">
          no output
        </div>
      )}
    </div>
  );
}
