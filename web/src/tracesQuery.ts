// The traces page's state as it lives in the URL — the filter text, facet selections, order and
// time range — and the one filter expression the search API gets. Pure.

import { quoteFilterValue } from './filterSuggest';
import { rangeFromParams, rangeUrlParams, type RangeState } from './timeRange';

/** Facets: fields with few values, one pick each, each also a filter-language field. */
export const FACETS = ['service', 'model', 'status', 'error_class'] as const;
export type Facet = (typeof FACETS)[number];

export const FACET_LABEL: Record<Facet, string> = {
  service: 'Service',
  model: 'Model',
  status: 'Status',
  error_class: 'Error class',
};

export interface TracesQuery {
  filter: string;
  facets: Partial<Record<Facet, string>>;
  order: string;
  range: RangeState;
}

export const DEFAULT_ORDER = 'start_time_desc';

export function tracesQueryFromUrl(params: URLSearchParams): TracesQuery {
  const facets: Partial<Record<Facet, string>> = {};
  for (const f of FACETS) {
    const v = params.get(f);
    if (v) facets[f] = v;
  }
  return {
    filter: params.get('q') ?? '',
    facets,
    order: params.get('order') ?? DEFAULT_ORDER,
    range: rangeFromParams(params, '24h'),
  };
}

export function tracesUrlParams(q: TracesQuery): Record<string, string | undefined> {
  return {
    q: q.filter || undefined,
    ...q.facets,
    order: q.order === DEFAULT_ORDER ? undefined : q.order,
    ...rangeUrlParams(q.range, '24h'),
  };
}

/**
 * The condition a facet pick adds: `model = "gpt-4o"`, `status = error`. The status facet's
 * other value, `ok`, means "no error" (`status != error`): most instrumentations leave the
 * status of a healthy span unset rather than ok, so `status = ok` would miss them.
 */
export function facetCondition(facet: Facet, value: string): string {
  if (facet === 'status') return value === 'error' ? 'status = error' : 'status != error';
  return `${facet} = ${quoteFilterValue(value)}`;
}

/** How a facet value is shown. */
export function facetValueLabel(facet: Facet, value: string): string {
  return facet === 'status' && value === 'ok' ? 'no error' : value;
}

/**
 * The filter the API gets: the typed filter and every facet pick, all of which must hold (for
 * the same span, as the filter language's `and`). `except` leaves one facet out — a facet's
 * own counts are counted without its own pick, so its other values stay visible.
 */
export function effectiveFilter(q: Pick<TracesQuery, 'filter' | 'facets'>, except?: Facet): string {
  const picks = FACETS.filter((f) => q.facets[f] && f !== except).map((f) => facetCondition(f, q.facets[f]!));
  const typed = q.filter.trim();
  if (!typed) return picks.join(' and ');
  if (picks.length === 0) return typed;
  return [`(${typed})`, ...picks].join(' and ');
}

/** Orders the table headers can sort by; the first of each pair is what a first click picks. */
export const SORTABLE: Record<'start' | 'duration' | 'cost' | 'tokens', string[]> = {
  start: ['start_time_desc', 'start_time_asc'],
  duration: ['duration_desc'],
  cost: ['cost_desc'],
  tokens: ['tokens_desc'],
};

/** The order after clicking a column header: a new column takes its first order, the same
 * column toggles between its orders (start: newest/oldest first). */
export function nextOrder(current: string, column: keyof typeof SORTABLE): string {
  const orders = SORTABLE[column];
  const at = orders.indexOf(current);
  if (at < 0) return orders[0]!;
  return orders[(at + 1) % orders.length]!;
}
