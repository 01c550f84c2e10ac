import { useEffect, useMemo, useState } from 'react';
import { getTrace, type TraceDetail } from '../api';
import { formatCost, formatCount, formatDuration, formatTime } from '../format';
import { navigate, urlWith } from '../router';
import { ancestorsOf, buildSpanTree, traceExtent } from '../spanTree';
import { Waterfall } from './Waterfall';
import { SpanPanel } from './SpanPanel';

export function TracePage(props: { traceId: string; spanId: string | null }) {
  const [trace, setTrace] = useState<TraceDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setTrace(null);
    setError(null);
    getTrace(props.traceId, controller.signal)
      .then(setTrace)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
  }, [props.traceId]);

  const roots = useMemo(() => (trace ? buildSpanTree(trace.spans) : []), [trace]);
  const extent = useMemo(() => (trace ? traceExtent(trace.spans) : 0), [trace]);
  const selected = trace?.spans.find((s) => s.span_id === props.spanId) ?? null;
  const reveal = useMemo(() => (trace && props.spanId ? ancestorsOf(trace.spans, props.spanId) : []), [trace, props.spanId]);

  const select = (spanId: string | null) =>
    navigate(urlWith(`/traces/${props.traceId}`, { span: spanId ?? undefined }), { replace: true });

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
          <Stat label="Spans" value={String(trace.total_spans)} />
          <Stat label="LLM calls" value={formatCount(s.llm_call_count)} />
          <Stat label="Tokens" value={formatCount(s.total_tokens)} />
          <Stat label="Cost" value={formatCost(s.cost_usd)} />
          <Stat label="Errors" value={String(s.error_count)} tone={s.error_count > 0 ? 'error' : undefined} />
        </dl>
      </div>
      <div className={`split ${selected ? 'with-panel' : ''}`}>
        <Waterfall roots={roots} extent={extent} selectedId={props.spanId} reveal={reveal} onSelect={select} />
        {selected && <SpanPanel key={selected.span_id} span={selected} onClose={() => select(null)} />}
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
