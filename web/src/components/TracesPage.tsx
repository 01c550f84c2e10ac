import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, searchTraces, type TraceSummary } from '../api';
import { formatCost, formatCount, formatDuration, formatRelative, formatTime } from '../format';
import { navigate, urlWith, useLocation } from '../router';
import { rangeParams } from '../timeRange';
import { effectiveFilter, nextOrder, SORTABLE, tracesQueryFromUrl, tracesUrlParams, type TracesQuery } from '../tracesQuery';
import { Facets, useFacetCounts } from './Facets';
import { FilterSearch } from './FilterSearch';
import { RangePicker } from './RangePicker';

const ORDERS: { value: string; label: string }[] = [
  { value: 'start_time_desc', label: 'Newest' },
  { value: 'start_time_asc', label: 'Oldest' },
  { value: 'duration_desc', label: 'Slowest' },
  { value: 'cost_desc', label: 'Most expensive' },
  { value: 'tokens_desc', label: 'Most tokens' },
  { value: 'llm_calls_desc', label: 'Most LLM calls' },
];

export function TracesPage() {
  const location = useLocation();
  const query = tracesQueryFromUrl(location.params);
  const key = urlWith('/', tracesUrlParams(query));
  const [traces, setTraces] = useState<TraceSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [partial, setPartial] = useState<string | null>(null);
  // Traces ticked for comparison, oldest tick first; a third tick drops the oldest.
  const [selected, setSelected] = useState<string[]>([]);
  const abort = useRef<AbortController | null>(null);
  const facets = useFacetCounts(query);
  // What the suggestions offer after `service =`, `model =`, `error_class =`.
  const known = useMemo(
    () => ({
      service: (facets.counts.service ?? []).map((v) => v.value),
      model: (facets.counts.model ?? []).map((v) => v.value),
      error_class: (facets.counts.error_class ?? []).map((v) => v.value),
    }),
    [facets.counts],
  );

  const toggle = (traceId: string) =>
    setSelected((old) => (old.includes(traceId) ? old.filter((id) => id !== traceId) : [...old, traceId].slice(-2)));

  const update = (change: Partial<TracesQuery>) => navigate(urlWith('/', tracesUrlParams({ ...query, ...change })));

  const load = (after: string | null) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    searchTraces(
      {
        filter: effectiveFilter(query) || undefined,
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

  const filterError = error instanceof ApiError && error.status === 400 ? error.message : null;
  return (
    <div className="page traces-page">
      <FilterSearch value={query.filter} error={filterError} known={known} onSubmit={(filter) => update({ filter })} />
      <div className="toolbar">
        <RangePicker value={query.range} onChange={(range) => update({ range })} />
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
        <span className="muted small" data-testid="trace-count">
          {loading ? 'Loading…' : `${traces.length}${cursor ? '+' : ''} traces`}
        </span>
      </div>
      {error && !filterError && <div className="banner error">{error.message}</div>}
      {partial && <div className="banner warn">Ranking covers only part of the range: {partial}. Narrow the range or the filter.</div>}
      <div className="with-facets">
        <Facets query={query} counts={facets.counts} loading={facets.loading} stale={facets.stale} onPick={(facet, value) => update({ facets: { ...query.facets, [facet]: value } })} />
        <div className="results">
          <TraceTable traces={traces} loading={loading} selected={selected} onToggle={toggle} order={query.order} onSort={(column) => update({ order: nextOrder(query.order, column) })} />
          {cursor && (
            <div className="more">
              <button onClick={() => load(cursor)} disabled={loading} data-testid="load-more">
                {loading ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

type SortColumn = keyof typeof SORTABLE;

/** A header that sorts the table; the arrow shows the current order. */
function SortHeader(props: { column: SortColumn; label: string; order: string; onSort: (c: SortColumn) => void; numeric?: boolean }) {
  const orders = SORTABLE[props.column];
  const active = orders.includes(props.order);
  const ascending = props.order.endsWith('_asc');
  const sort = active ? (ascending ? 'ascending' : 'descending') : 'none';
  return (
    <th className={`sortable ${props.numeric ? 'num' : ''} ${active ? 'sorted' : ''}`} aria-sort={sort}>
      <button className="sort" onClick={() => props.onSort(props.column)} data-testid={`sort-${props.column}`} title={orders.length > 1 ? 'Sort; click again to reverse' : 'Sort, largest first'}>
        {props.label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (ascending ? '↑' : '↓') : '↕'}
        </span>
      </button>
    </th>
  );
}

function TraceTable(props: { traces: TraceSummary[]; loading: boolean; selected: string[]; onToggle: (traceId: string) => void; order: string; onSort: (c: SortColumn) => void }) {
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
            <SortHeader column="start" label="Start" order={props.order} onSort={props.onSort} />
            <SortHeader column="duration" label="Duration" order={props.order} onSort={props.onSort} numeric />
            <th className="num">Spans</th>
            <th className="num">LLM calls</th>
            <SortHeader column="tokens" label="Tokens" order={props.order} onSort={props.onSort} numeric />
            <SortHeader column="cost" label="Cost" order={props.order} onSort={props.onSort} numeric />
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
              <td className="num" data-testid="cell-duration" data-ns={t.duration_ns}>
                {formatDuration(t.duration_ns)}
              </td>
              <td className="num">{t.span_count}</td>
              <td className="num">{formatCount(t.llm_call_count)}</td>
              <td className="num" data-testid="cell-tokens" data-tokens={t.total_tokens}>
                {formatCount(t.total_tokens)}
              </td>
              <td className="num" data-testid="cell-cost" data-nanos={t.cost_nanos_usd ?? Math.round(t.cost_usd * 1e9)}>
                {formatCost(t.cost_usd)}
              </td>
              <td className="models">
                {t.models.slice(0, 1).map((m) => (
                  <span key={m} className="tag">
                    {m}
                  </span>
                ))}
                {t.models.length > 1 && (
                  <span className="muted small" title={t.models.slice(1).join(', ')}>
                    +{t.models.length - 1}
                  </span>
                )}
              </td>
              <td className="num">{t.error_count > 0 ? <span className="badge error">{t.error_count}</span> : <span className="muted">–</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
