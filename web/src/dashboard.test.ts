import { describe, expect, test } from 'vitest';
import type { MetricResponse } from './api';
import {
  assignColors,
  bucketTimes,
  chartFromLabelled,
  chartFromResponse,
  chartIsEmpty,
  costRowLabel,
  dashboardQueryFromUrl,
  dashboardUrlParams,
  drillDownQuery,
  drillDownUrl,
  formatValue,
  maxValue,
  OTHER_COLOR,
  seriesAt,
  seriesColor,
  seriesLabel,
  stackValues,
  sumCostNanos,
  timeTicks,
  yTicks,
} from './dashboard';

const T0 = 1_763_000_040_000_000_000n; // a whole minute
const MIN = 60_000_000_000n;
const t = (i: number) => (T0 + BigInt(i) * MIN).toString();
const ms = (i: number) => Number((T0 + BigInt(i) * MIN) / 1_000_000n);

function response(partial: Partial<MetricResponse>): MetricResponse {
  return {
    metric: 'requests',
    agg: 'sum',
    unit: '1',
    start_unix_nano: t(0),
    end_unix_nano: t(3),
    step_ns: MIN.toString(),
    group_by: ['model'],
    series: [],
    path: 'rollup',
    folded_values: 0,
    ...partial,
  };
}

describe('series', () => {
  test('labels: group values, All, Other with its count, (none) for an empty value', () => {
    expect(seriesLabel({ group: { model: 'gpt-4o' }, points: [], total: 1 }, ['model'])).toBe('gpt-4o');
    expect(seriesLabel({ group: { team: 'a', model: 'm' }, points: [], total: 1 }, ['team', 'model'])).toBe('a · m');
    expect(seriesLabel({ group: {}, points: [], total: 1 }, [])).toBe('All');
    expect(seriesLabel({ group: { model: '__other__' }, other: true, groups: 7, points: [], total: 1 }, ['model'])).toBe('Other (7 more)');
    expect(seriesLabel({ group: { error_class: '' }, points: [], total: 1 }, ['error_class'])).toBe('(none)');
  });

  test('a response becomes one chart series per group, aligned on the buckets', () => {
    const r = response({
      series: [
        { group: { model: 'a' }, points: [[t(0), 1], [t(1), 2], [t(2), 0]], total: 3 },
        { group: { model: '__other__' }, other: true, groups: 2, points: [[t(0), 0], [t(1), 5], [t(2), 1]], total: 6 },
      ],
    });
    const c = chartFromResponse(r);
    expect(c.times).toEqual([ms(0), ms(1), ms(2)]);
    expect(c.stepMs).toBe(60_000);
    expect(c.series.map((s) => [s.label, s.other, s.values])).toEqual([
      ['a', false, [1, 2, 0]],
      ['Other (2 more)', true, [0, 5, 1]],
    ]);
  });

  test('null points (averages, percentiles) stay null; a point off the buckets is dropped', () => {
    const r = response({
      metric: 'latency',
      unit: 'ns',
      series: [
        { group: { model: 'a' }, points: [[t(0), 5e8], [t(1), null], [t(2), 7e8]], total: 6e8 },
        { group: { model: 'b' }, points: [[t(0), null], [(T0 + 30_000_000_000n).toString(), 1], [t(2), 2]], total: 2 },
      ],
    });
    const c = chartFromResponse(r);
    expect(c.series[0]!.values).toEqual([5e8, null, 7e8]);
    expect(c.series[1]!.values).toEqual([null, null, 2]);
  });

  test('without any series the buckets come from start, end and step', () => {
    expect(bucketTimes(response({ series: [] }))).toEqual([ms(0), ms(1), ms(2)]);
    const c = chartFromResponse(response({ series: [] }));
    expect(c.series).toEqual([]);
    expect(chartIsEmpty(c)).toBe(true);
  });

  test('labelled ungrouped responses make one chart (p50/p95/p99)', () => {
    const one = (v: number) => response({ group_by: [], unit: 'ns', series: [{ group: {}, points: [[t(0), v], [t(1), null]], total: v }] });
    const c = chartFromLabelled([
      { label: 'p50', response: one(1) },
      { label: 'p95', response: one(2) },
      { label: 'p99', response: response({ group_by: [], series: [] }) },
    ]);
    expect(c.series.map((s) => [s.label, s.values])).toEqual([
      ['p50', [1, null]],
      ['p95', [2, null]],
    ]);
    expect(c.unit).toBe('ns');
    expect(chartFromLabelled([]).series).toEqual([]);
  });

  test('empty means no value but null or zero', () => {
    const zeros = chartFromResponse(response({ series: [{ group: { model: 'a' }, points: [[t(0), 0], [t(1), null]], total: 0 }] }));
    expect(chartIsEmpty(zeros)).toBe(true);
    const some = chartFromResponse(response({ series: [{ group: { model: 'a' }, points: [[t(0), 0], [t(1), 0.5]], total: 0.5 }] }));
    expect(chartIsEmpty(some)).toBe(false);
  });
});

describe('stacking and scales', () => {
  const series = [
    { key: 'a', label: 'a', other: false, values: [1, null, 3], total: 4 },
    { key: 'b', label: 'b', other: false, values: [2, 2, null], total: 4 },
  ];

  test('stacked values are running sums, null counting as 0', () => {
    expect(stackValues(series)).toEqual([
      [1, 0, 3],
      [3, 2, 3],
    ]);
    expect(maxValue(series, true)).toBe(3);
    expect(maxValue(series, false)).toBe(3);
    expect(maxValue([{ ...series[0]!, values: [null, null] }], false)).toBe(0);
  });

  test('y ticks start at 0 and cover the maximum in round steps', () => {
    expect(yTicks(10)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(yTicks(9)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(yTicks(0.037)).toEqual([0, 0.01, 0.02, 0.03, 0.04]);
    expect(yTicks(812_000_000)).toEqual([0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000]);
    expect(yTicks(0)).toEqual([0, 1]);
    for (const max of [1, 3, 7.3, 123, 99_999, 1e-5]) {
      const ticks = yTicks(max);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });

  test('time ticks are round local times inside the range', () => {
    const start = Date.UTC(2025, 10, 13, 10, 7);
    const end = start + 24 * 3_600_000;
    const ticks = timeTicks(start, end, 6, 0);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(6);
    for (const x of ticks) {
      expect(x).toBeGreaterThanOrEqual(start);
      expect(x).toBeLessThanOrEqual(end);
      expect(x % (6 * 3_600_000)).toBe(0);
    }
    // In UTC+2 the ticks fall on local round hours.
    const local = timeTicks(start, start + 3_600_000, 4, -120);
    for (const x of local) expect((x + 120 * 60_000) % (15 * 60_000)).toBe(0);
    expect(timeTicks(end, start)).toEqual([]);
  });
});

describe('formats', () => {
  test('values in the API units', () => {
    expect(formatValue(null, '1')).toBe('–');
    expect(formatValue(0, '1')).toBe('0');
    expect(formatValue(1234, '1')).toBe('1,234');
    expect(formatValue(12_345, '{token}')).toBe('12.3k');
    expect(formatValue(2_500_000, '{token}')).toBe('2.5M');
    expect(formatValue(0.4213, '1/s')).toBe('0.42/s');
    expect(formatValue(812_000_000, 'ns')).toBe('812 ms');
    expect(formatValue(2_340_000_000, 'ns')).toBe('2.34 s');
    expect(formatValue(0.0123, 'ratio')).toBe('1.23%');
    expect(formatValue(3.084, 'USD')).toBe('$3.08');
    expect(formatValue(0.000123, 'USD')).toBe('$0.00012');
    expect(formatValue(0.5, 'USD/s')).toBe('$0.500/s');
  });
});

describe('cost table', () => {
  test('row labels and the exact sum', () => {
    const row = (group: Record<string, string>, nanos: number, other = false) => ({ group, other, cost_nanos_usd: nanos }) as never;
    expect(costRowLabel(row({ model: 'gpt-4o' }, 1), ['model'])).toBe('gpt-4o');
    expect(costRowLabel(row({ model: '' }, 1), ['model'])).toBe('(none)');
    expect(costRowLabel(row({}, 1, true), ['model'])).toBe('Other');
    expect(costRowLabel(row({}, 1), [])).toBe('All');
    expect(sumCostNanos([row({}, 3_080_000_000), row({}, 1), row({}, 19)])).toBe(3_080_000_020);
  });
});

describe('URL state', () => {
  test('defaults: 24h by model; all is not a dashboard range', () => {
    const q = dashboardQueryFromUrl(new URLSearchParams(''));
    expect(q).toEqual({ groupBy: 'model', filter: '', range: { range: '24h', start: undefined, end: undefined } });
    expect(dashboardQueryFromUrl(new URLSearchParams('range=all&group=bogus')).range.range).toBe('24h');
    expect(dashboardQueryFromUrl(new URLSearchParams('group=bogus')).groupBy).toBe('model');
  });

  test('round trip, defaults left out', () => {
    const q = dashboardQueryFromUrl(new URLSearchParams('range=custom&start=2025-11-12T10:00&end=2025-11-12T12:00&group=error_class&q=service%20%3D%20%22x%22'));
    expect(q.groupBy).toBe('error_class');
    const params = dashboardUrlParams(q);
    expect(params).toEqual({ range: 'custom', start: '2025-11-12T10:00', end: '2025-11-12T12:00', group: 'error_class', q: 'service = "x"' });
    expect(dashboardUrlParams(dashboardQueryFromUrl(new URLSearchParams('')))).toEqual({
      range: undefined,
      start: undefined,
      end: undefined,
      group: undefined,
      q: undefined,
    });
  });
});

describe('colours', () => {
  test('a group keeps its colour across charts; other is grey', () => {
    const colors = assignColors([['gpt-4o', 'claude'], ['claude', 'mistral', 'gpt-4o']]);
    expect([...colors.keys()]).toEqual(['gpt-4o', 'claude', 'mistral']);
    expect(colors.get('gpt-4o')).toBe(seriesColor(0));
    expect(colors.get('mistral')).toBe(seriesColor(2));
    expect(new Set(colors.values()).size).toBe(3);
    expect(seriesColor(0, true)).toBe(OTHER_COLOR);
  });
});

describe('drill-down from a chart point', () => {
  const bucket = new Date(2025, 10, 12, 14, 5).getTime();
  test('a group that is a facet becomes the facet pick, the bucket a custom range', () => {
    const q = drillDownQuery('', { group: { model: 'gpt-4o' }, other: false }, bucket, 5 * 60_000);
    expect(q.facets).toEqual({ model: 'gpt-4o' });
    expect(q.filter).toBe('');
    expect(q.range).toEqual({ range: 'custom', start: '2025-11-12T14:05', end: '2025-11-12T14:10' });
  });

  test('other dimensions and the dashboard filter become conditions; errors pick status', () => {
    const q = drillDownQuery('duration > 1s', { group: { provider: 'openai' }, other: false }, bucket, 60_000, true);
    expect(q.filter).toBe('(duration > 1s) and (provider = "openai")');
    expect(q.facets).toEqual({ status: 'error' });
  });

  test('"Other" is every group but the ones drawn on their own', () => {
    const q = drillDownQuery('', { other: true, excludes: [{ model: 'a' }, { model: 'b' }] }, bucket, 60_000);
    expect(q.filter).toBe('(not (model = "a")) and (not (model = "b"))');
    expect(q.facets).toEqual({});
  });

  test('the URL opens the traces page with all of it', () => {
    const url = new URL(drillDownUrl('', { group: { service: 'rag-api' }, other: false }, bucket, 60_000), 'http://x');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('service')).toBe('rag-api');
    expect(url.searchParams.get('range')).toBe('custom');
    expect(url.searchParams.get('start')).toBe('2025-11-12T14:05');
    expect(url.searchParams.get('end')).toBe('2025-11-12T14:06');
  });

  test('chart series keep their group, and Other knows what it excludes', () => {
    const c = chartFromResponse({
      metric: 'requests', agg: 'sum', unit: '1', start_unix_nano: '0', end_unix_nano: '60000000000', step_ns: '60000000000', group_by: ['model'], path: 'rollup',
      series: [
        { group: { model: 'a' }, points: [['0', 1]], total: 1 },
        { group: { model: '__other__' }, other: true, points: [['0', 2]], total: 2 },
      ],
    });
    expect(c.series[0]!.group).toEqual({ model: 'a' });
    expect(c.series[1]!.excludes).toEqual([{ model: 'a' }]);
  });
});

test('seriesAt: the band under the pointer when stacked, the nearest line otherwise', () => {
  const data = { times: [0, 1], stepMs: 1, unit: '1', series: [
    { key: 'a', label: 'a', other: false, values: [10, 0], total: 10 },
    { key: 'b', label: 'b', other: false, values: [5, 3], total: 8 },
  ] };
  const stack = stackValues(data.series);
  expect(seriesAt(data, stack, 0, 4)).toBe(0);
  expect(seriesAt(data, stack, 0, 12)).toBe(1);
  expect(seriesAt(data, stack, 0, 99)).toBe(1);
  expect(seriesAt(data, stack, 1, 1)).toBe(1); // a is 0 there: not pickable
  expect(seriesAt(data, null, 0, 6)).toBe(1);
  expect(seriesAt(data, null, 0, 9)).toBe(0);
  expect(seriesAt({ ...data, series: [{ ...data.series[0]!, values: [null, null] }] }, null, 0, 1)).toBeNull();
});
