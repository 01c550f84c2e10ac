import { useEffect, useRef, useState } from 'react';
import { ApiError, listServices, searchTraces, type TraceSummary } from '../api';
import { formatCost, formatCount, formatDuration, formatRelative, formatTime } from '../format';
import { navigate, urlWith, useLocation } from '../router';
import { isRangeKey, rangeParams, type RangeState } from '../timeRange';
import { RangePicker } from './RangePicker';

const ORDERS: { value: string; label: string }[] = [
  { value: 'start_time_desc', label: 'Newest' },
  { value: 'duration_desc', label: 'Slowest' },
  { value: 'cost_desc', label: 'Most expensive' },
  { value: 'tokens_desc', label: 'Most tokens' },
  { value: 'llm_calls_desc', label: 'Most LLM calls' },
];

const EXAMPLES = ['status = error', 'model = "gpt-4o" and duration > 2s', 'cost > 0.01', 'error_class = "infrastructure"'];

interface Query {
  filter: string;
  service: string;
  order: string;
  range: RangeState;
}

function queryFromUrl(params: URLSearchParams): Query {
  const range = params.get('range');
  return {
    filter: params.get('q') ?? '',
    service: params.get('service') ?? '',
    order: params.get('order') ?? 'start_time_desc',
    range: {
      range: isRangeKey(range) ? range : '24h',
      start: params.get('start') ?? undefined,
      end: params.get('end') ?? undefined,
    },
  };
}

function urlFromQuery(q: Query): string {
  return urlWith('/', {
    q: q.filter,
    service: q.service,
    order: q.order === 'start_time_desc' ? undefined : q.order,
    range: q.range.range === '24h' ? undefined : q.range.range,
    start: q.range.range === 'custom' ? q.range.start : undefined,
    end: q.range.range === 'custom' ? q.range.end : undefined,
  });
}

export function TracesPage() {
  const location = useLocation();
  const query = queryFromUrl(location.params);
  const key = urlFromQuery(query);
  const [traces, setTraces] = useState<TraceSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [partial, setPartial] = useState<string | null>(null);
  const [services, setServices] = useState<string[]>([]);
  // Traces ticked for comparison, oldest tick first; a third tick drops the oldest.
  const [selected, setSelected] = useState<string[]>([]);
  const abort = useRef<AbortController | null>(null);

  const toggle = (traceId: string) =>
    setSelected((old) => (old.includes(traceId) ? old.filter((id) => id !== traceId) : [...old, traceId].slice(-2)));

  const update = (change: Partial<Query>) => navigate(urlFromQuery({ ...query, ...change }));

  const load = (after: string | null) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    searchTraces(
      {
        filter: query.filter || undefined,
        service: query.service || undefined,
        order: query.order,
        cursor: after ?? undefined,
        ...rangeParams(query.range),
      },
      controller.signal,
    )
      .then((result) => {
        setTraces((old) => (after ? [...old, ...result.traces] : result.traces));
        setCursor(result.next_cursor);
        setPartial(result.partial ? (result.partial_reason ?? 'partial') : null);
        setError(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        if (!after) setTraces([]);
        setCursor(null);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
  };

  useEffect(() => {
    load(null);
    return () => abort.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    listServices()
      .then(setServices)
      .catch(() => setServices([]));
  }, []);

  return (
    <div className="page">
      <SearchBox
        value={query.filter}
        error={error instanceof ApiError && error.status === 400 ? error.message : null}
        onSubmit={(filter) => update({ filter })}
      />
      <div className="toolbar">
        <RangePicker value={query.range} onChange={(range) => update({ range })} />
        <label className="field">
          <span>Service</span>
          <select value={query.service} onChange={(e) => update({ service: e.target.value })} data-testid="service">
            <option value="">All services</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Sort</span>
          <select value={query.order} onChange={(e) => update({ order: e.target.value })} data-testid="order">
            {ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <div className="spacer" />
        <button
          className={selected.length === 2 ? 'primary' : ''}
          disabled={selected.length !== 2}
          title={selected.length === 2 ? 'Compare the two ticked traces' : 'Tick two traces to compare them'}
          onClick={() => navigate(urlWith('/compare', { a: selected[0], b: selected[1] }))}
          data-testid="compare-button"
        >
          Compare{selected.length > 0 ? ` (${selected.length}/2)` : ''}
        </button>
        <span className="muted small">
          {loading ? 'Loading…' : `${traces.length}${cursor ? '+' : ''} traces`}
        </span>
      </div>
      {error && !(error instanceof ApiError && error.status === 400) && <div className="banner error">{error.message}</div>}
      {partial && <div className="banner warn">Ranking covers only part of the range: {partial}. Narrow the range or the filter.</div>}
      <TraceTable traces={traces} loading={loading} selected={selected} onToggle={toggle} />
      {cursor && (
        <div className="more">
          <button onClick={() => load(cursor)} disabled={loading} data-testid="load-more">
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}

function SearchBox(props: { value: string; error: string | null; onSubmit: (filter: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  return (
    <form
      className="search"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(text.trim());
      }}
    >
      <div className={`searchbox ${props.error ? 'invalid' : ''}`}>
        <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
          <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M13 13l4 4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <input
          data-testid="filter"
          spellCheck={false}
          placeholder='Filter, e.g. service = "rag-api" and duration > 2s and status = error'
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {text && (
          <button
            type="button"
            className="ghost small"
            onClick={() => {
              setText('');
              props.onSubmit('');
            }}
          >
            Clear
          </button>
        )}
        <button type="submit" className="small primary">
          Search
        </button>
      </div>
      {props.error ? (
        <div className="filter-error" role="alert" data-testid="filter-error">
          {props.error}
        </div>
      ) : (
        <div className="examples">
          {EXAMPLES.map((x) => (
            <button
              type="button"
              key={x}
              className="chip"
              onClick={() => {
                setText(x);
                props.onSubmit(x);
              }}
            >
              {x}
            </button>
          ))}
        </div>
      )}
    </form>
  );
}

function TraceTable(props: { traces: TraceSummary[]; loading: boolean; selected: string[]; onToggle: (traceId: string) => void }) {
  if (props.traces.length === 0) {
    return <div className="empty">{props.loading ? 'Loading traces…' : 'No traces match. Widen the time range or change the filter.'}</div>;
  }
  return (
    <div className="table-wrap">
      <table className="traces" data-testid="traces-table">
        <thead>
          <tr>
            <th className="pick" aria-label="Compare"></th>
            <th>Trace</th>
            <th>Service</th>
            <th>Start</th>
            <th className="num">Duration</th>
            <th className="num">Spans</th>
            <th className="num">LLM calls</th>
            <th className="num">Tokens</th>
            <th className="num">Cost</th>
            <th>Models</th>
            <th className="num">Errors</th>
          </tr>
        </thead>
        <tbody>
          {props.traces.map((t) => (
            <tr key={t.trace_id} className={t.error_count > 0 ? 'has-error' : ''}>
              <td className="pick">
                <input
                  type="checkbox"
                  checked={props.selected.includes(t.trace_id)}
                  onChange={() => props.onToggle(t.trace_id)}
                  aria-label={`Compare ${t.root_name || t.trace_id}`}
                  data-testid="compare-pick"
                  data-trace-id={t.trace_id}
                />
              </td>
              <td className="name">
                <a
                  href={`/traces/${t.trace_id}`}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(`/traces/${t.trace_id}`);
                  }}
                >
                  {t.root_name || <span className="muted">(no root span)</span>}
                </a>
                <div className="sub mono">{t.trace_id.slice(0, 16)}</div>
              </td>
              <td>{t.root_service}</td>
              <td title={formatTime(t.start_time_unix_nano)}>
                <div>{formatTime(t.start_time_unix_nano)}</div>
                <div className="sub">{formatRelative(t.start_time_unix_nano)}</div>
              </td>
              <td className="num">{formatDuration(t.duration_ns)}</td>
              <td className="num">{t.span_count}</td>
              <td className="num">{formatCount(t.llm_call_count)}</td>
              <td className="num">{formatCount(t.total_tokens)}</td>
              <td className="num">{formatCost(t.cost_usd)}</td>
              <td className="models">
                {t.models.slice(0, 2).map((m) => (
                  <span key={m} className="tag">
                    {m}
                  </span>
                ))}
                {t.models.length > 2 && <span className="muted small">+{t.models.length - 2}</span>}
              </td>
              <td className="num">{t.error_count > 0 ? <span className="badge error">{t.error_count}</span> : <span className="muted">–</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
