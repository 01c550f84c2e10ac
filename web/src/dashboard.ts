// The dashboard's data shaping: API series to chart series, axis ticks, value formats, the
// page's URL state. Pure functions, unit-tested in dashboard.test.ts.

import type { CostFields, CostRow, MetricResponse, MetricSeries } from './api';
import { quoteFilterValue } from './filterSuggest';
import { isRangeKey, type RangeState } from './timeRange';
import { FACETS, tracesUrlParams, type Facet, type TracesQuery } from './tracesQuery';

export const GROUP_BYS = ['model', 'service', 'provider', 'operation', 'error_class'] as const;
export type GroupBy = (typeof GROUP_BYS)[number] | 'none';

export const GROUP_LABEL: Record<GroupBy, string> = {
  model: 'Model',
  service: 'Service',
  provider: 'Provider',
  operation: 'Operation',
  error_class: 'Error class',
  none: 'Nothing',
};

export interface DashboardQuery {
  groupBy: GroupBy;
  filter: string;
  range: RangeState;
}

export function isGroupBy(value: string | null): value is GroupBy {
  return value === 'none' || (GROUP_BYS as readonly string[]).includes(value ?? '');
}

export function dashboardQueryFromUrl(params: URLSearchParams): DashboardQuery {
  const range = params.get('range');
  const group = params.get('group');
  return {
    groupBy: isGroupBy(group) ? group : 'model',
    filter: params.get('q') ?? '',
    // 'all' has no meaning for time series (the API would answer its default, the last hour).
    range: {
      range: isRangeKey(range) && range !== 'all' ? range : '24h',
      start: params.get('start') ?? undefined,
      end: params.get('end') ?? undefined,
    },
  };
}

export function dashboardUrlParams(q: DashboardQuery): Record<string, string | undefined> {
  return {
    range: q.range.range === '24h' ? undefined : q.range.range,
    start: q.range.range === 'custom' ? q.range.start : undefined,
    end: q.range.range === 'custom' ? q.range.end : undefined,
    group: q.groupBy === 'model' ? undefined : q.groupBy,
    q: q.filter || undefined,
  };
}

/** The API's group_by parameter ('' for one series). */
export function groupByParam(g: GroupBy): string {
  return g === 'none' ? '' : g;
}

/** A series ready to draw: one value per bucket, null where there is none. */
export interface ChartSeries {
  key: string;
  label: string;
  other: boolean;
  values: (number | null)[];
  total: number | null;
  /** The group it stands for ({} for an ungrouped series). */
  group?: Record<string, string>;
  /** For "Other": the groups shown on their own, which it is everything but. */
  excludes?: Record<string, string>[];
}

export interface ChartData {
  /** Bucket starts, ms since the epoch. */
  times: number[];
  stepMs: number;
  series: ChartSeries[];
  unit: string;
}

/** How a series is named in legends: its group values, "All" without grouping, or Other. */
export function seriesLabel(s: MetricSeries, groupBy: string[]): string {
  if (s.other) return s.groups ? `Other (${s.groups} more)` : 'Other';
  const keys = groupBy.length ? groupBy : Object.keys(s.group);
  if (keys.length === 0) return 'All';
  return keys.map((k) => (s.group[k] === undefined || s.group[k] === '' ? '(none)' : s.group[k])).join(' · ');
}

function nsStringToMs(ns: string): number {
  try {
    return Number(BigInt(ns) / 1_000_000n);
  } catch {
    return Number(ns) / 1e6;
  }
}

/** The bucket times of a response: from its points, else from start/end/step. */
export function bucketTimes(r: MetricResponse): number[] {
  const withPoints = r.series.find((s) => s.points.length > 0);
  if (withPoints) return withPoints.points.map(([t]) => nsStringToMs(t));
  const stepMs = nsStringToMs(r.step_ns);
  const start = nsStringToMs(r.start_unix_nano);
  const end = nsStringToMs(r.end_unix_nano);
  if (!(stepMs > 0) || !(end > start)) return [];
  const first = Math.floor(start / stepMs) * stepMs;
  const times: number[] = [];
  for (let t = first; t < end && times.length < 10_000; t += stepMs) times.push(t);
  return times;
}

/** Values aligned on `times` (a point whose time is not a bucket is dropped). */
function alignedValues(s: MetricSeries, times: number[]): (number | null)[] {
  const index = new Map(times.map((t, i) => [t, i]));
  const values: (number | null)[] = times.map(() => null);
  for (const [t, v] of s.points) {
    const i = index.get(nsStringToMs(t));
    if (i !== undefined) values[i] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return values;
}

/** One response, one series per group. */
export function chartFromResponse(r: MetricResponse): ChartData {
  const times = bucketTimes(r);
  return {
    times,
    stepMs: nsStringToMs(r.step_ns),
    unit: r.unit,
    series: r.series.map((s, i) => ({
      key: s.other ? '__other__' : `${i}:${JSON.stringify(s.group)}`,
      label: seriesLabel(s, r.group_by),
      other: !!s.other,
      values: alignedValues(s, times),
      total: s.total,
      group: s.other ? {} : s.group,
      ...(s.other ? { excludes: r.series.filter((x) => !x.other).map((x) => x.group) } : {}),
    })),
  };
}

/**
 * Several ungrouped responses drawn as one chart, one series each under its own label
 * (latency p50/p95/p99, input and output tokens). A response without a series adds none.
 */
export function chartFromLabelled(parts: { label: string; response: MetricResponse }[]): ChartData {
  const first = parts[0]?.response;
  if (!first) return { times: [], stepMs: 0, unit: '', series: [] };
  const times = bucketTimes(first);
  const series: ChartSeries[] = [];
  for (const { label, response } of parts) {
    const s = response.series[0];
    if (!s) continue;
    series.push({ key: label, label, other: false, values: alignedValues(s, times), total: s.total });
  }
  return { times, stepMs: nsStringToMs(first.step_ns), unit: first.unit, series };
}

/** True when no series has a value other than null or 0: nothing happened in the range. */
export function chartIsEmpty(c: ChartData): boolean {
  return c.series.every((s) => s.values.every((v) => v === null || v === 0));
}

/** Running sums of the series in order (for stacked areas); nulls count as 0. */
export function stackValues(series: ChartSeries[]): number[][] {
  const out: number[][] = [];
  let below: number[] | null = null;
  for (const s of series) {
    const row = s.values.map((v, i) => (v ?? 0) + (below ? below[i]! : 0));
    out.push(row);
    below = row;
  }
  return out;
}

/** The largest value to draw (stacked: of the sums). */
export function maxValue(series: ChartSeries[], stacked: boolean): number {
  if (stacked) {
    const top = stackValues(series).at(-1) ?? [];
    return top.reduce((m, v) => Math.max(m, v), 0);
  }
  let m = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > m) m = v;
  return m;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `x`. */
function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-12 * p) return m * p;
  return 10 * p;
}

/** Y axis ticks from 0: about `count` round steps covering `max`. */
export function yTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const step = niceStep(max / count);
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 0.999 && ticks.length <= count + 2; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

const TIME_STEPS_MS = [
  60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
  3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000,
  86_400_000, 2 * 86_400_000, 7 * 86_400_000,
];

/** X axis ticks: round times (local clock) between `start` and `end`, at most about `count`. */
export function timeTicks(start: number, end: number, count = 6, tzOffsetMinutes = new Date(start).getTimezoneOffset()): number[] {
  if (!(end > start)) return [];
  const span = end - start;
  const step = TIME_STEPS_MS.find((s) => span / s <= count) ?? Math.ceil(span / count / 86_400_000) * 86_400_000;
  const offset = -tzOffsetMinutes * 60_000; // local = utc + offset
  const first = Math.ceil((start + offset) / step) * step - offset;
  const ticks: number[] = [];
  for (let t = first; t <= end; t += step) ticks.push(t);
  return ticks;
}

/** An X tick label: HH:MM within a day's span, else the date (and time when not midnight). */
export function formatTick(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  if (spanMs <= 36 * 3_600_000) return hm;
  const md = d.toLocaleDateString('en-CA', { month: '2-digit', day: '2-digit' });
  return hm === '00:00' ? md : `${md} ${hm}`;
}

/** Compact number: 0, 12, 1.2k, 3.4M; small fractions keep two significant digits. */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e9) return `${trim(v / 1e9)}B`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 1) return trim(v);
  return String(Number(v.toPrecision(2)));
}

function trim(v: number): string {
  return String(Number(v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)));
}

function formatNs(ns: number): string {
  if (ns === 0) return '0';
  if (ns < 1_000_000) return `${trim(ns / 1_000)} µs`;
  if (ns < 1_000_000_000) return `${trim(ns / 1_000_000)} ms`;
  return `${trim(ns / 1_000_000_000)} s`;
}

function formatUsd(v: number): string {
  if (v === 0) return '$0';
  const a = Math.abs(v);
  if (a >= 100) return `$${Math.round(v).toLocaleString('en-US')}`;
  if (a >= 1) return `$${v.toFixed(2)}`;
  if (a >= 0.01) return `$${v.toFixed(3)}`;
  return `$${Number(v.toPrecision(2))}`;
}

/**
 * A value in a metric's unit: "1" counts, "{token}" tokens, "USD", "ns", their "/s" rates, and
 * "ratio" (the error rate, shown as a percentage).
 */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'ratio') return `${trim(v * 100)}%`;
  if (unit.endsWith('/s')) return `${formatValue(v, unit.slice(0, -2))}/s`;
  if (unit === 'ns') return formatNs(v);
  if (unit === 'USD') return formatUsd(v);
  return formatCompact(v);
}

// Colours of series in order; "other" is always grey.
const PALETTE = ['#6366f1', '#f59e0b', '#10b981', '#ec4899', '#0ea5e9', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316', '#84cc16', '#06b6d4', '#a855f7'];
export const OTHER_COLOR = '#94a3b8';

export function seriesColor(index: number, other = false): string {
  return other ? OTHER_COLOR : PALETTE[index % PALETTE.length]!;
}

/**
 * One colour per group across every chart of a page: labels take palette colours in order of
 * first appearance in `lists` (the first list decides most), so gpt-4o is the same colour in
 * the requests chart and the cost chart even where they rank groups differently.
 */
export function assignColors(lists: string[][]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const list of lists) {
    for (const label of list) {
      if (!colors.has(label)) colors.set(label, PALETTE[colors.size % PALETTE.length]!);
    }
  }
  return colors;
}

/** The label of a cost row's group, as in chart legends. */
export function costRowLabel(row: CostRow, groupBy: string[]): string {
  if (row.other) return 'Other';
  const keys = groupBy.length ? groupBy : Object.keys(row.group);
  if (keys.length === 0) return 'All';
  return keys.map((k) => (row.group[k] === undefined || row.group[k] === '' ? '(none)' : row.group[k])).join(' · ');
}

/** The rows' cost summed exactly (nanodollars, as the API counts). */
export function sumCostNanos(rows: Pick<CostFields, 'cost_nanos_usd'>[]): number {
  return rows.reduce((sum, r) => sum + (r.cost_nanos_usd ?? 0), 0);
}

/** A datetime-local value ("2025-11-12T14:05") of a time, in the browser's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function groupCondition(group: Record<string, string>): string {
  return Object.entries(group)
    .map(([k, v]) => `${k} = ${quoteFilterValue(v)}`)
    .join(' and ');
}

/**
 * The traces behind one point of a chart: the dashboard's filter, the series' group and the
 * point's time bucket, as a traces page query. A group value that is a traces page facet is
 * picked as that facet (visible and removable there); other dimensions and "Other" (every
 * group but the ones drawn on their own) become filter conditions. `errorsOnly` (the error
 * rate chart) also picks status = error.
 */
export function drillDownQuery(
  dashboardFilter: string,
  series: Pick<ChartSeries, 'group' | 'other' | 'excludes'>,
  bucketStartMs: number,
  stepMs: number,
  errorsOnly = false,
): TracesQuery {
  const conditions: string[] = [];
  if (dashboardFilter.trim()) conditions.push(dashboardFilter.trim());
  const facets: TracesQuery['facets'] = {};
  if (series.other) {
    for (const g of series.excludes ?? []) if (Object.keys(g).length) conditions.push(`not (${groupCondition(g)})`);
  } else {
    for (const [k, v] of Object.entries(series.group ?? {})) {
      if (v && (FACETS as readonly string[]).includes(k)) facets[k as Facet] = v;
      else conditions.push(`${k} = ${quoteFilterValue(v)}`);
    }
  }
  if (errorsOnly) facets.status = 'error';
  const filter = conditions.length > 1 ? conditions.map((c) => `(${c})`).join(' and ') : (conditions[0] ?? '');
  return {
    filter,
    facets,
    order: 'start_time_desc',
    range: { range: 'custom', start: toLocalInput(bucketStartMs), end: toLocalInput(bucketStartMs + Math.max(stepMs, 60_000)) },
  };
}

/** The traces page URL of drillDownQuery. */
export function drillDownUrl(...args: Parameters<typeof drillDownQuery>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(tracesUrlParams(drillDownQuery(...args)))) if (v) params.set(k, v);
  return `/?${params.toString()}`;
}

/**
 * The series a click at value `v` of bucket `i` means: for stacked areas the band holding it,
 * for lines the line nearest to it (ignoring series without a value there).
 */
export function seriesAt(data: ChartData, stack: number[][] | null, i: number, v: number): number | null {
  if (stack) {
    for (let si = 0; si < stack.length; si++) if (v <= stack[si]![i]! && (data.series[si]!.values[i] ?? 0) > 0) return si;
    for (let si = stack.length - 1; si >= 0; si--) if ((data.series[si]!.values[i] ?? 0) > 0) return si;
    return null;
  }
  let best: number | null = null;
  data.series.forEach((s, si) => {
    const value = s.values[i];
    if (value === null || value === undefined) return;
    if (best === null || Math.abs(value - v) < Math.abs(data.series[best]!.values[i]! - v)) best = si;
  });
  return best;
}
