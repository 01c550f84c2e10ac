// One session as a conversation (GET /api/v1/sessions/{id}): its traces oldest first, each as a
// turn with the user's messages and the reply (read from the trace's LLM calls through the trace
// API), tokens and cost per turn, and links to the trace and to a comparison with the turn before.

import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import { getSession, getTrace, type SessionDetail, type TraceDetail, type TraceSummary } from '../api';
import { formatCost, formatCount, formatDuration, formatTime } from '../format';
import { navigate, urlWith, useLocation } from '../router';
import { turnOf } from '../session';
import { rangeFromParams, rangeParams, rangeUrlParams, type RangeState } from '../timeRange';
import { MessageList } from './Messages';
import { RangePicker } from './RangePicker';

const PARALLEL_TRACE_LOADS = 4;
// Turns per page: each turn reads its whole trace.
const TURNS_PER_PAGE = 100;

type Loaded = { ok: true; trace: TraceDetail } | { ok: false; error: string };

function go(href: string) {
  return (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(href);
  };
}

export function SessionPage(props: { sessionId: string }) {
  const location = useLocation();
  const range = rangeFromParams(location.params, '7d');
  const offset = Math.max(0, Number.parseInt(location.params.get('offset') ?? '0', 10) || 0);
  const rangeKey = JSON.stringify(rangeParams(range));
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [traces, setTraces] = useState<Map<string, Loaded>>(new Map());

  useEffect(() => {
    const controller = new AbortController();
    setDetail(null);
    setError(null);
    setTraces(new Map());
    getSession(props.sessionId, { ...rangeParams(range), offset, limit: TURNS_PER_PAGE }, controller.signal)
      .then((d) => {
        setDetail(d);
        // The turns' messages, a few traces at a time, in conversation order.
        const queue = d.traces.map((t) => t.trace_id);
        const worker = async () => {
          for (let id = queue.shift(); id && !controller.signal.aborted; id = queue.shift()) {
            const loaded: Loaded = await getTrace(id, controller.signal).then(
              (trace) => ({ ok: true as const, trace }),
              (e: unknown) => ({ ok: false as const, error: e instanceof Error ? e.message : String(e) }),
            );
            if (controller.signal.aborted) return;
            setTraces((old) => new Map(old).set(id!, loaded));
          }
        };
        for (let i = 0; i < PARALLEL_TRACE_LOADS; i++) void worker();
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.sessionId, rangeKey, offset]);

  const here = (r: RangeState, at: number) =>
    urlWith(`/sessions/${encodeURIComponent(props.sessionId)}`, { ...rangeUrlParams(r, '7d'), offset: at > 0 ? String(at) : undefined });
  const setRange = (r: RangeState) => navigate(here(r, 0), { replace: true });
  const back = (
    <button className="ghost small back" onClick={() => (window.history.length > 1 ? window.history.back() : navigate('/sessions'))}>
      ← Sessions
    </button>
  );

  if (error) {
    return (
      <div className="page">
        {back}
        <div className="toolbar">
          <RangePicker value={range} onChange={setRange} />
        </div>
        <div className="banner error" data-testid="session-error">
          {error}
        </div>
      </div>
    );
  }
  if (!detail) return <div className="page"><div className="empty">Loading session…</div></div>;
  const s = detail.session;
  return (
    <div className="page session-page">
      <div className="session-header">
        <div>
          {back}
          <h1 data-testid="session-title">{s.session_id}</h1>
          <div className="muted small">
            {s.user_id || 'no user'}
            {s.user_ids.length > 1 && ` (also ${s.user_ids.filter((u) => u !== s.user_id).join(', ')})`} ·{' '}
            {formatTime(s.first_trace_start_unix_nano)} – {formatTime(s.last_trace_start_unix_nano)}
          </div>
        </div>
        <dl className="stats" data-testid="session-stats">
          <Stat label="Turns" value={String(s.trace_count)} />
          <Stat label="Duration" value={formatDuration(s.duration_ns)} />
          <Stat label="LLM calls" value={formatCount(s.llm_call_count)} />
          <Stat label="Tokens" value={formatCount(s.total_tokens)} />
          <Stat label="Cost" value={formatCost(s.cost_usd)} />
          <Stat label="Errors" value={String(s.error_count)} tone={s.error_count > 0 ? 'error' : undefined} />
        </dl>
      </div>
      <div className="toolbar">
        <RangePicker value={range} onChange={setRange} />
      </div>
      {detail.partial && <div className="banner warn">Only part of the range was scanned: {detail.partial_reason}</div>}
      <TurnPager offset={offset} shown={detail.traces.length} total={s.trace_count} go={(at) => navigate(here(range, at))} />
      <ol className="turns" data-testid="turns">
        {detail.traces.map((t, i) => (
          <TurnItem key={t.trace_id} index={offset + i} summary={t} previous={detail.traces[i - 1]} loaded={traces.get(t.trace_id)} />
        ))}
      </ol>
      <TurnPager offset={offset} shown={detail.traces.length} total={s.trace_count} go={(at) => navigate(here(range, at))} />
    </div>
  );
}

function TurnItem(props: { index: number; summary: TraceSummary; previous?: TraceSummary; loaded?: Loaded }) {
  const t = props.summary;
  const turn = useMemo(() => (props.loaded?.ok ? turnOf(props.loaded.trace) : null), [props.loaded]);
  const traceHref = `/traces/${t.trace_id}`;
  const answerHref = turn?.answeredBy ? urlWith(traceHref, { span: turn.answeredBy.span_id }) : traceHref;
  return (
    <li className={`turn card ${t.error_count > 0 ? 'has-error' : ''}`} data-testid="turn" data-trace-id={t.trace_id}>
      <div className="turn-head">
        <span className="turn-number">Turn {props.index + 1}</span>
        <span title={t.start_time_unix_nano}>{formatTime(t.start_time_unix_nano)}</span>
        <span className="muted">
          {t.root_name || '(no root span)'} · {t.root_service}
        </span>
        <div className="spacer" />
        <span className="turn-figure" data-testid="turn-duration" data-value={t.duration_ns}>
          {formatDuration(t.duration_ns)}
        </span>
        <span className="turn-figure" data-testid="turn-llm-calls" data-value={t.llm_call_count}>
          {t.llm_call_count} LLM {t.llm_call_count === 1 ? 'call' : 'calls'}
        </span>
        <span className="turn-figure" data-testid="turn-tokens" data-value={t.total_tokens}>
          {formatCount(t.total_tokens)} tokens
        </span>
        <span className="turn-figure" data-testid="turn-cost" data-value={t.cost_nanos_usd ?? ''}>
          {formatCost(t.cost_usd)}
        </span>
        {t.error_count > 0 && (
          <span className="badge error" data-testid="turn-errors" title="errored spans">
            {t.error_count}
          </span>
        )}
        {props.previous && (
          <a
            className="button-link"
            href={urlWith('/compare', { a: props.previous.trace_id, b: t.trace_id })}
            onClick={go(urlWith('/compare', { a: props.previous.trace_id, b: t.trace_id }))}
            data-testid="turn-compare"
          >
            Compare with turn {props.index}
          </a>
        )}
        <a className="button-link" href={answerHref} onClick={go(answerHref)} data-testid="turn-trace-link">
          Open trace
        </a>
      </div>
      <div className="turn-body">
        {!props.loaded && <div className="muted small">Loading messages…</div>}
        {props.loaded && !props.loaded.ok && <div className="banner error">{props.loaded.error}</div>}
        {turn && (
          <>
            {turn.calls.length === 0 && <div className="muted small">No LLM call in this trace.</div>}
            {turn.history > 0 && (
              <div className="muted small" data-testid="turn-history">
                {turn.history} earlier {turn.history === 1 ? 'message' : 'messages'} sent as context
              </div>
            )}
            <MessageList title="Input" messages={turn.input} testId="turn-input" />
            <MessageList title="Output" messages={turn.output} testId="turn-output" />
            {turn.calls.length > 0 && turn.output.length === 0 && <div className="muted small">No reply recorded.</div>}
            {turn.errors.length > 0 && (
              <div className="errorbox" data-testid="turn-error-list">
                {turn.errors.map((e, i) => (
                  <div key={i}>{e}</div>
                ))}
              </div>
            )}
          </>
        )}
      </div>
    </li>
  );
}

/** For sessions of more turns than a page: where this page is, and the way to the others. */
function TurnPager(props: { offset: number; shown: number; total: number; go: (offset: number) => void }) {
  if (props.offset === 0 && props.shown >= props.total) return null;
  return (
    <div className="toolbar turn-pager" data-testid="turn-pager">
      <span className="muted small">
        Turns {props.shown > 0 ? props.offset + 1 : 0}–{props.offset + props.shown} of {props.total}
      </span>
      <button className="small" disabled={props.offset === 0} onClick={() => props.go(Math.max(0, props.offset - TURNS_PER_PAGE))}>
        Earlier turns
      </button>
      <button className="small" disabled={props.offset + props.shown >= props.total} onClick={() => props.go(props.offset + TURNS_PER_PAGE)}>
        Later turns
      </button>
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
