import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { TraceDetail } from '../api';
import { formatCost, formatCount, formatDuration, formatTime } from '../format';
import { navigate, urlWith } from '../router';
import { ancestorsOf, buildSpanTree, criticalPath, traceExtent } from '../spanTree';
import { loadTrace, whenIdle } from '../traceLoader';
import { Waterfall } from './Waterfall';

// The span panel (messages, tokens, documents…) is not needed for the first rows: it loads in
// the background once the trace is in, or when a span is opened before that.
const loadSpanPanel = () => import('./SpanPanel');
const SpanPanel = lazy(() => loadSpanPanel().then((m) => ({ default: m.SpanPanel })));

export function TracePage(props: { traceId: string; spanId: string | null }) {
  const [trace, setTrace] = useState<TraceDetail | null>(null);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Performance marks (trace-fetched, trace-complete, trace-tree-built, waterfall-rows) let
  // tests/e2e/bench_big_trace.mjs see where the time goes when a large trace opens.
  useEffect(() => {
    const controller = new AbortController();
    setTrace(null);
    setComplete(false);
    setError(null);
    let first = true;
    loadTrace(
      props.traceId,
      (progress) => {
        if (controller.signal.aborted) return;
        if (first) performance.mark('trace-fetched');
        if (progress.complete) performance.mark('trace-complete');
        first = false;
        setTrace(progress.trace);
        setComplete(progress.complete);
      },
      controller.signal,
    ).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => controller.abort();
  }, [props.traceId]);

  const roots = useMemo(() => {
    if (!trace) return [];
    const tree = buildSpanTree(trace.spans);
    performance.mark('trace-tree-built');
    return tree;
  }, [trace]);
  const extent = useMemo(() => (trace ? traceExtent(trace.spans) : 0), [trace]);
  const critical = useMemo(() => criticalPath(roots), [roots]);
  const selected = trace?.spans.find((s) => s.span_id === props.spanId) ?? null;
  const reveal = useMemo(() => (trace && props.spanId ? ancestorsOf(trace.spans, props.spanId) : []), [trace, props.spanId]);

  // Fetch the panel's code once the whole trace is in and the page is idle, so that a click
  // opens it at once without competing with the first rows.
  useEffect(() => {
    if (complete) whenIdle(() => void loadSpanPanel(), 2000);
  }, [complete]);

  const select = useCallback(
    (spanId: string | null) => navigate(urlWith(`/traces/${props.traceId}`, { span: spanId ?? undefined }), { replace: true }),
    [props.traceId],
  );

  if (error) return <div className="page"><div className="banner error">{error}</div></div>;
  if (!trace) return <div className="page"><div className="empty">Loading trace…</div></div>;
  const s = trace.summary;
  return (
    <div className="trace-page">
      <div className="trace-header">
        <div>
          <button className="ghost small back" onClick={() => window.history.length > 1 ? window.history.back() : navigate('/')}>
            ← Traces
          </button>
          <h1 data-testid="trace-title">{s.root_name || trace.trace_id}</h1>
          <div className="muted small mono">{trace.trace_id}</div>
        </div>
        <dl className="stats">
          <Stat label="Service" value={s.root_service} />
          <Stat label="Start" value={formatTime(s.start_time_unix_nano)} />
          <Stat label="Duration" value={formatDuration(s.duration_ns)} />
          <Stat label="Spans" value={trace.total_spans.toLocaleString('en-US')} />
          <Stat label="LLM calls" value={formatCount(s.llm_call_count)} />
          <Stat label="Tokens" value={formatCount(s.total_tokens)} />
          <Stat label="Cost" value={formatCost(s.cost_usd)} />
          <Stat label="Errors" value={String(s.error_count)} tone={s.error_count > 0 ? 'error' : undefined} />
        </dl>
      </div>
      {!complete && (
        <div className="loading-strip" role="status" data-testid="trace-loading">
          <span className="loading-bar" style={{ width: `${(trace.spans.length / Math.max(1, trace.total_spans)) * 100}%` }} />
          <span className="small muted">
            Loading spans: {trace.spans.length.toLocaleString('en-US')} of {trace.total_spans.toLocaleString('en-US')} shown, the rest on the way
          </span>
        </div>
      )}
      <div className={`split ${selected ? 'with-panel' : ''}`}>
        <Waterfall roots={roots} extent={extent} selectedId={props.spanId} reveal={reveal} critical={critical} onSelect={select} />
        {selected && (
          <Suspense fallback={<aside className="panel" data-testid="span-panel-loading" />}>
            <SpanPanel key={selected.span_id} span={selected} onClose={() => select(null)} />
          </Suspense>
        )}
      </div>
    </div>
  );
}

function Stat(props: { label: string; value: string; tone?: 'error' }) {
  return (
    <div className={`stat ${props.tone ?? ''}`}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
