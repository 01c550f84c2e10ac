import { expect, test } from 'vitest';
import { effectiveFilter, facetCondition, nextOrder, tracesQueryFromUrl, tracesUrlParams } from './tracesQuery';

test('the URL holds filter, facets, order and range; defaults are left out', () => {
  const q = tracesQueryFromUrl(new URLSearchParams('q=cost%20%3E%201&model=gpt-4o&status=error&order=cost_desc&range=1h'));
  expect(q).toEqual({ filter: 'cost > 1', facets: { model: 'gpt-4o', status: 'error' }, order: 'cost_desc', range: { range: '1h', start: undefined, end: undefined } });
  const back = Object.fromEntries(Object.entries(tracesUrlParams(q)).filter(([, v]) => v));
  expect(back).toEqual({ q: 'cost > 1', model: 'gpt-4o', status: 'error', order: 'cost_desc', range: '1h' });
  expect(Object.values(tracesUrlParams(tracesQueryFromUrl(new URLSearchParams('')))).filter(Boolean)).toEqual([]);
});

test('effectiveFilter joins the typed filter and the facet picks', () => {
  expect(effectiveFilter({ filter: '', facets: {} })).toBe('');
  expect(effectiveFilter({ filter: 'a = 1 or b = 2', facets: {} })).toBe('a = 1 or b = 2');
  expect(effectiveFilter({ filter: 'a = 1 or b = 2', facets: { model: 'gpt-4o', status: 'error' } })).toBe('(a = 1 or b = 2) and model = "gpt-4o" and status = error');
  expect(effectiveFilter({ filter: '', facets: { service: 'x', model: 'm' } }, 'model')).toBe('service = "x"');
  expect(facetCondition('error_class', 'prompt')).toBe('error_class = "prompt"');
  // Healthy spans mostly have an unset status: "ok" means no error.
  expect(facetCondition('status', 'ok')).toBe('status != error');
  expect(facetCondition('status', 'error')).toBe('status = error');
});

test('column sorting: a new column takes its first order, start toggles newest/oldest', () => {
  expect(nextOrder('start_time_desc', 'cost')).toBe('cost_desc');
  expect(nextOrder('cost_desc', 'cost')).toBe('cost_desc');
  expect(nextOrder('start_time_desc', 'start')).toBe('start_time_asc');
  expect(nextOrder('start_time_asc', 'start')).toBe('start_time_desc');
  expect(nextOrder('tokens_desc', 'start')).toBe('start_time_desc');
});
