// The dashboard: LLM call analytics from GET /api/v1/metrics (time series) and GET
// /api/v1/costs (the cost table) for a time range, grouped by one dimension.

import { useEffect, useState } from 'react';
import {
  ApiError,
  costsCsvUrl,
  getCosts,
  getMetric,
  type CostQuery,
  type CostResponse,
  type MetricQuery,
  type MetricResponse,
} from '../api';
import {
  GROUP_BYS,
  GROUP_LABEL,
  assignColors,
  chartFromLabelled,
  chartIsEmpty,
  chartFromResponse,
  costRowLabel,
  dashboardQueryFromUrl,
  dashboardUrlParams,
  drillDownQuery,
  formatValue,
  groupByParam,
  type ChartData,
  type ChartSeries,
  type DashboardQuery,
  type GroupBy,
} from '../dashboard';
import { navigate, urlWith, useLocation } from '../router';
import { PRESETS, rangeParams, type RangeKey } from '../timeRange';
import { tracesUrlParams } from '../tracesQuery';
import { Chart } from './Chart';
import { RangePicker } from './RangePicker';

const RANGE_CHOICES: RangeKey[] = [...PRESETS, 'custom'];

// Every request the page makes, by name.
type MetricKey = 'requests' | 'error_rate' | 'latency_p50' | 'latency_p95' | 'latency_p99' | 'ttft' | 'input_tokens' | 'output_tokens' | 'cost';

function metricQueries(q: DashboardQuery): Record<MetricKey, MetricQuery> {
  const common = { filter: q.filter || undefined, ...rangeParams(q.range) };
  const grouped = { ...common, group_by: groupByParam(q.groupBy) || undefined };
  return {
    requests: { metric: 'requests', agg: 'rate', ...grouped },
    error_rate: { metric: 'error_rate', ...grouped },
    latency_p50: { metric: 'latency', agg: 'p50', ...common },
    latency_p95: { metric: 'latency', agg: 'p95', ...common },
    latency_p99: { metric: 'latency', agg: 'p99', ...common },
    ttft: { metric: 'ttft', agg: 'p95', ...grouped },
    input_tokens: { metric: 'input_tokens', agg: 'sum', ...common },
    output_tokens: { metric: 'output_tokens', agg: 'sum', ...common },
    cost: { metric: 'cost', agg: 'sum', ...grouped },
  };
}

function costQuery(q: DashboardQuery): CostQuery {
  return { group_by: groupByParam(q.groupBy) || undefined, filter: q.filter || undefined, ...rangeParams(q.range) };
}

type Result<T> = { ok: true; value: T } | { ok: false; error: Error };

interface Loaded {
  key: string;
  metrics: Partial<Record<MetricKey, Result<MetricResponse>>>;
  costs: Result<CostResponse> | null;
}

function settle<T>(p: Promise<T>): Promise<Result<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

/** What to say about a failed request; 401s are the login page's business. */
function explain(error: Error): string {
  if (error instanceof ApiError && error.status === 404 && error.code === 'not_found') {
    return 'This server has no metrics API (404); it is older than this UI.';
  }
  return error.message;
}

export function DashboardPage() {
  const location = useLocation();
  const query = dashboardQueryFromUrl(location.params);
  const key = JSON.stringify(query);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);

  const update = (change: Partial<DashboardQuery>) => navigate(urlWith('/dashboard', dashboardUrlParams({ ...query, ...change })));

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    const queries = metricQueries(query);
    const names = Object.keys(queries) as MetricKey[];
    Promise.all([
      Promise.all(names.map((name) => settle(getMetric(queries[name], controller.signal)))),
      settle(getCosts(costQuery(query), controller.signal)),
    ]).then(([metricResults, costs]) => {
      if (controller.signal.aborted) return;
      const metrics: Loaded['metrics'] = {};
      names.forEach((name, i) => (metrics[name] = metricResults[i]));
      setLoaded({ key, metrics, costs });
      setLoading(false);
    });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const m = loaded?.metrics ?? {};
  const value = (k: MetricKey) => {
    const r = m[k];
    return r?.ok ? r.value : null;
  };
  const errorOf = (...keys: MetricKey[]) => {
    for (const k of keys) {
      const r = m[k];
      if (r && !r.ok && !(r.error instanceof ApiError && r.error.status === 401)) return explain(r.error);
    }
    return null;
  };
  const chart = (k: MetricKey): ChartData | null => {
    const r = value(k);
    return r ? chartFromResponse(r) : null;
  };
  const labelled = (parts: [string, MetricKey][]): ChartData | null => {
    const present = parts.map(([label, k]) => ({ label, response: value(k) }));
    if (present.some((p) => !p.response)) return null;
    return chartFromLabelled(present as { label: string; response: MetricResponse }[]);
  };

  const responses = Object.values(m).flatMap((r) => (r?.ok ? [r.value] : []));
  const costs = loaded?.costs?.ok ? loaded.costs.value : null;
  const paths = [...new Set([...responses.map((r) => r.path), ...(costs ? [costs.path] : [])])];
  const partial = [...responses, ...(costs ? [costs] : [])].find((r) => r.partial);
  const allErrors = [...Object.values(m), loaded?.costs].flatMap((r) => (r && !r.ok ? [r.error] : []));
  const firstError = allErrors.find((e) => !(e instanceof ApiError && e.status === 401));
  const everythingFailed = loaded !== null && responses.length === 0 && !costs && firstError;
  const stepNs = responses[0]?.step_ns;
  const grouped = { requests: chart('requests'), error_rate: chart('error_rate'), ttft: chart('ttft'), cost: chart('cost') };
  const latency = labelled([
    ['p50', 'latency_p50'],
    ['p95', 'latency_p95'],
    ['p99', 'latency_p99'],
  ]);
  const tokens = labelled([
    ['input', 'input_tokens'],
    ['output', 'output_tokens'],
  ]);
  // A group has one colour on the whole page, the most expensive first.
  const colors = assignColors([
    costs ? costs.rows.filter((r) => !r.other).map((r) => costRowLabel(r, costs.group_by)) : [],
    ...[grouped.cost, grouped.requests, grouped.error_rate, grouped.ttft].map((c) => (c ? c.series.filter((x) => !x.other).map((x) => x.label) : [])),
  ]);
  // Nothing at all in the range: one empty state instead of six empty charts and a table.
  const nothing =
    !loading &&
    costs !== null &&
    costs.total.requests === 0 &&
    [...Object.values(grouped), latency, tokens].every((c) => c === null || chartIsEmpty(c));
  const group = GROUP_LABEL[query.groupBy];
  // A click on a chart opens the traces behind that point: its series and time bucket.
  const drill =
    (options: { errorsOnly?: boolean; order?: string } = {}) =>
    (series: ChartSeries, bucketStartMs: number, stepMs: number) => {
      const q = drillDownQuery(query.filter, series, bucketStartMs, stepMs, options.errorsOnly);
      navigate(urlWith('/', tracesUrlParams({ ...q, order: options.order ?? q.order })));
    };
  const byGroup = query.groupBy === 'none' ? '' : ` by ${group.toLowerCase()}`;

  return (
    <div className="page dashboard" data-testid="dashboard">
      <div className="toolbar">
        <RangePicker value={query.range} onChange={(range) => update({ range })} choices={RANGE_CHOICES} />
        <label className="field">
          <span>Group by</span>
          <select value={query.groupBy} onChange={(e) => update({ groupBy: e.target.value as GroupBy })} data-testid="group-by">
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {GROUP_LABEL[g]}
              </option>
            ))}
            <option value="none">{GROUP_LABEL.none}</option>
          </select>
        </label>
        <FilterBox value={query.filter} onSubmit={(filter) => update({ filter })} />
        <div className="spacer" />
        <span className="muted small" data-testid="dashboard-status">
          {loading ? 'Loading…' : ''}
        </span>
      </div>
      {everythingFailed ? (
        <div className="banner error" data-testid="dashboard-error">
          {explain(firstError)}
        </div>
      ) : (
        <>
          {firstError && (
            <div className="banner error" data-testid="dashboard-error">
              {explain(firstError)}
            </div>
          )}
          {nothing ? (
            <div className="card empty-state" data-testid="dashboard-empty">
              <h3>No LLM calls in this range</h3>
              <p className="muted">
                {query.filter ? 'Nothing matches the filter here. ' : ''}Widen the time range{query.filter ? ' or change the filter' : ''}, or send
                some traces.
              </p>
            </div>
          ) : (
            <>
              <Totals costs={costs} latencyP95={value('latency_p95')} />
              <div className="charts">
                <Chart title={`Requests/s${byGroup}`} testId="chart-requests" data={grouped.requests} colors={colors} onPick={drill()} error={errorOf('requests')} loading={loading} headline={headline(value('requests'), 'avg')} />
                <Chart
                  title={`Error rate${byGroup}`}
                  testId="chart-error-rate"
                  data={grouped.error_rate}
                  onPick={drill({ errorsOnly: true })}
                  colors={colors}
                  unit="ratio"
                  error={errorOf('error_rate')}
                  loading={loading}
                  headline={costs && costs.total.requests > 0 ? `overall ${formatValue(costs.total.errors / costs.total.requests, 'ratio')}` : undefined}
                />
                <Chart
                  title="Latency (all calls)"
                  testId="chart-latency"
                  data={latency}
                  onPick={drill({ order: 'duration_desc' })}
                  unit="ns"
                  error={errorOf('latency_p50', 'latency_p95', 'latency_p99')}
                  loading={loading}
                  headline={headline(value('latency_p95'), 'p95')}
                />
                <Chart title={`Time to first token p95${byGroup}`} testId="chart-ttft" data={grouped.ttft} colors={colors} onPick={drill()} unit="ns" error={errorOf('ttft')} loading={loading} />
                <Chart
                  title="Tokens (all calls)"
                  testId="chart-tokens"
                  data={tokens}
                  onPick={drill({ order: 'tokens_desc' })}
                  stacked
                  error={errorOf('input_tokens', 'output_tokens')}
                  loading={loading}
                  headline={costs ? `${formatValue(costs.total.total_tokens, '{token}')} total` : undefined}
                />
                <Chart title={`Cost${byGroup}`} testId="chart-cost" data={grouped.cost} colors={colors} onPick={drill({ order: 'cost_desc' })} unit="USD" stacked error={errorOf('cost')} loading={loading} headline={headline(value('cost'), 'total')} />
              </div>
              <CostTable
                costs={costs}
                error={loaded?.costs && !loaded.costs.ok ? explain(loaded.costs.error) : null}
                groupLabel={group}
                csvQuery={costQuery(query)}
                groupBy={query.groupBy}
              />
            </>
          )}
        </>
      )}
      <div className="provenance muted small" data-testid="dashboard-path">
        {paths.length > 0 && (
          <span title="rollup: answered from the per-minute rollups; scan: answered by reading the stored spans">
            answered from {paths.join(' + ')}
            {stepNs ? ` · step ${formatStep(stepNs)}` : ''}
          </span>
        )}
        {partial && (
          <span className="partial" data-testid="dashboard-partial" title={partial.partial_reason ?? undefined}>
            {' '}
            · partial: {partial.partial_reason ?? 'a scan budget stopped early'}
          </span>
        )}
      </div>
    </div>
  );
}

function headline(r: MetricResponse | null, label: string, unit?: string): string | undefined {
  if (!r) return undefined;
  // One series (ungrouped): its total; grouped: sums and rates add up over the groups,
  // averages and percentiles do not.
  if (r.series.length === 1) {
    const total = r.series[0]!.total;
    return total === null ? undefined : `${label} ${formatValue(total, unit ?? r.unit)}`;
  }
  if (r.series.length > 1 && (r.agg === 'sum' || r.agg === 'rate')) {
    const sum = r.series.reduce((s, x) => s + (x.total ?? 0), 0);
    return `${label} ${formatValue(sum, unit ?? r.unit)}`;
  }
  return undefined;
}

function formatStep(stepNs: string): string {
  const minutes = Number(BigInt(stepNs) / 60_000_000_000n);
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function Totals(props: { costs: CostResponse | null; latencyP95: MetricResponse | null }) {
  const t = props.costs?.total;
  if (!t) return null;
  const p95 = props.latencyP95?.series[0]?.total ?? null;
  return (
    <dl className="stats totals" data-testid="dashboard-totals">
      <Stat label="LLM calls" value={formatValue(t.requests, '1')} />
      <Stat label="Errors" value={t.requests ? `${formatValue(t.errors, '1')} (${formatValue(t.errors / t.requests, 'ratio')})` : '–'} tone={t.errors > 0 ? 'error' : undefined} />
      <Stat label="Latency p95" value={formatValue(p95, 'ns')} />
      <Stat label="Input tokens" value={formatValue(t.input_tokens, '{token}')} />
      <Stat label="Output tokens" value={formatValue(t.output_tokens, '{token}')} />
      <Stat label="Cost" value={formatValue(t.cost_usd, 'USD')} />
    </dl>
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

function FilterBox(props: { value: string; onSubmit: (filter: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  return (
    <form
      className="filter-inline"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(text.trim());
      }}
    >
      <input
        data-testid="dashboard-filter"
        spellCheck={false}
        placeholder='Filter, e.g. service = "rag-api"'
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </form>
  );
}

/** Formats a USD amount with enough decimals for small spends ($0.000123). */
function usd(v: number): string {
  if (v === 0) return '$0';
  if (Math.abs(v) >= 1) return `$${v.toFixed(2)}`;
  return `$${v.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;
}

function CostTable(props: { costs: CostResponse | null; error: string | null; groupLabel: string; groupBy: GroupBy; csvQuery: CostQuery }) {
  const { costs } = props;
  const csvHref = costsCsvUrl(props.csvQuery);
  return (
    <section className="card costs" data-testid="cost-table-card">
      <header className="card-head">
        <h3>Cost{props.groupBy === 'none' ? '' : ` by ${props.groupLabel.toLowerCase()}`}</h3>
        <a className="button-link" href={csvHref} download={`tokenscope-costs-${props.groupBy}.csv`} data-testid="download-csv">
          Download CSV
        </a>
      </header>
      {props.error ? (
        <div className="chart-empty error">{props.error}</div>
      ) : !costs ? (
        <div className="chart-empty">Loading…</div>
      ) : costs.rows.length === 0 ? (
        <div className="chart-empty" data-testid="cost-table-empty">
          No LLM calls in this range
        </div>
      ) : (
        <div className="table-wrap flat">
          <table className="traces" data-testid="cost-table">
            <thead>
              <tr>
                <th>{props.groupBy === 'none' ? '' : props.groupLabel}</th>
                <th className="num">Calls</th>
                <th className="num">Errors</th>
                <th className="num">Input tokens</th>
                <th className="num">Output tokens</th>
                <th className="num">Input cost</th>
                <th className="num">Output cost</th>
                <th className="num">Cost</th>
                <th className="num">Share</th>
              </tr>
            </thead>
            <tbody>
              {costs.rows.map((r, i) => (
                <tr key={i} data-testid="cost-row" className={r.other ? 'other' : ''}>
                  <td className="name">{costRowLabel(r, costs.group_by)}</td>
                  <td className="num">{r.requests.toLocaleString('en-US')}</td>
                  <td className="num">{r.errors ? r.errors.toLocaleString('en-US') : <span className="muted">0</span>}</td>
                  <td className="num">{r.input_tokens.toLocaleString('en-US')}</td>
                  <td className="num">{r.output_tokens.toLocaleString('en-US')}</td>
                  <td className="num">{usd(r.input_cost_usd)}</td>
                  <td className="num">{usd(r.output_cost_usd)}</td>
                  <td className="num" data-testid="cost-cell" data-nanos={r.cost_nanos_usd}>
                    {usd(r.cost_usd)}
                  </td>
                  <td className="num share">
                    <ShareBar value={costs.total.cost_nanos_usd ? r.cost_nanos_usd / costs.total.cost_nanos_usd : 0} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="total">
                <td>Total</td>
                <td className="num">{costs.total.requests.toLocaleString('en-US')}</td>
                <td className="num">{costs.total.errors.toLocaleString('en-US')}</td>
                <td className="num">{costs.total.input_tokens.toLocaleString('en-US')}</td>
                <td className="num">{costs.total.output_tokens.toLocaleString('en-US')}</td>
                <td className="num">{usd(costs.total.input_cost_usd)}</td>
                <td className="num">{usd(costs.total.output_cost_usd)}</td>
                <td className="num" data-testid="cost-total" data-nanos={costs.total.cost_nanos_usd}>
                  {usd(costs.total.cost_usd)}
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

function ShareBar(props: { value: number }) {
  const pct = Math.max(0, Math.min(1, props.value)) * 100;
  return (
    <span className="share-cell">
      <span className="pbar" style={{ width: `${Math.max(pct * 0.6, pct > 0 ? 1 : 0)}px` }} />
      <span>{pct >= 0.1 || pct === 0 ? pct.toFixed(1) : '<0.1'}%</span>
    </span>
  );
}
