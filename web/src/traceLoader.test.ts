import { expect, test } from 'vitest';
import type { Span, TraceDetail } from './api';
import { joinPages, remainingPages } from './traceLoader';

test('remainingPages covers the trace after the first page exactly once', () => {
  expect(remainingPages(1500, 2000, 5000)).toEqual([]);
  expect(remainingPages(2000, 2000, 5000)).toEqual([]);
  expect(remainingPages(50_000, 2000, 5000)).toHaveLength(10);
  const pages = remainingPages(12_345, 2000, 5000);
  expect(pages).toEqual([
    [2000, 5000],
    [7000, 5000],
    [12_000, 345],
  ]);
});

test('joinPages keeps each span once, in page order, with the latest summary', () => {
  const span = (id: string) => ({ span_id: id }) as Span;
  const page = (ids: string[], total: number): TraceDetail => ({ trace_id: 't', summary: { span_count: total } as never, spans: ids.map(span), logs: [], total_spans: total });
  const joined = joinPages(page(['a', 'b'], 4), [page(['b', 'c'], 5), page(['d', 'e'], 5)]);
  expect(joined.spans.map((s) => s.span_id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(joined.total_spans).toBe(5);
});
