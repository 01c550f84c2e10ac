import { describe, expect, test } from 'vitest';
import type { Llm, Span, TraceSummary } from './api';
import { alignSpanTrees, alignmentStats, compareFigures, formatRatio, llmRows, messagesText } from './compare';

function span(id: string, parent: string, name: string, start: number, llm?: Partial<Llm>): Span {
  const base = 1_763_000_000_000_000_000n;
  return {
    trace_id: 't',
    span_id: id,
    parent_span_id: parent,
    name,
    kind: 'internal',
    service: 's',
    start_time_unix_nano: (base + BigInt(start)).toString(),
    end_time_unix_nano: (base + BigInt(start + 10)).toString(),
    duration_ns: 10,
    status: { code: 'unset', message: '' },
    attributes: {},
    events: [],
    resource: { attributes: {} },
    ...(llm ? { llm: { kind: 'llm', ...llm } } : {}),
  };
}

const ids = (s: Span | null) => s?.span_id ?? '-';

describe('alignSpanTrees', () => {
  test('identical shapes pair every span, repeated names by occurrence', () => {
    const a = [
      span('a1', '', 'agent', 0),
      span('a2', 'a1', 'chat', 1),
      span('a3', 'a1', 'tool', 2),
      span('a4', 'a1', 'chat', 3),
    ];
    const b = [
      span('b4', 'b1', 'chat', 30),
      span('b1', '', 'agent', 0),
      span('b2', 'b1', 'chat', 10),
      span('b3', 'b1', 'tool', 20),
    ];
    const rows = alignSpanTrees(a, b);
    expect(rows.map((r) => [r.key, r.depth, ids(r.a), ids(r.b)])).toEqual([
      ['agent', 0, 'a1', 'b1'],
      ['agent › chat', 1, 'a2', 'b2'],
      ['agent › tool', 1, 'a3', 'b3'],
      ['agent › chat #2', 1, 'a4', 'b4'],
    ]);
    expect(alignmentStats(rows)).toEqual({ matched: 4, onlyA: 0, onlyB: 0 });
  });

  test('spans of one side keep their place after the preceding shared sibling', () => {
    // A: root > [retrieve, chat];  B: root > [cache, retrieve, rerank, chat, chat, guard]
    const a = [span('r', '', 'root', 0), span('ret', 'r', 'retrieve', 1), span('c', 'r', 'chat', 5)];
    const b = [
      span('R', '', 'root', 0),
      span('cache', 'R', 'cache', 1),
      span('RET', 'R', 'retrieve', 2),
      span('rr', 'R', 'rerank', 3),
      span('C1', 'R', 'chat', 4),
      span('C2', 'R', 'chat', 6),
      span('g', 'R', 'guard', 7),
    ];
    const rows = alignSpanTrees(a, b);
    expect(rows.map((r) => [r.key, ids(r.a), ids(r.b)])).toEqual([
      ['root', 'r', 'R'],
      ['root › cache', '-', 'cache'],
      ['root › retrieve', 'ret', 'RET'],
      ['root › rerank', '-', 'rr'],
      ['root › chat', 'c', 'C1'],
      ['root › chat #2', '-', 'C2'],
      ['root › guard', '-', 'g'],
    ]);
    expect(alignmentStats(rows)).toEqual({ matched: 3, onlyA: 0, onlyB: 4 });
  });

  test('subtrees under unmatched parents stay on their side; different roots do not pair', () => {
    const a = [span('x', '', 'GET /a', 0), span('x1', 'x', 'db', 1), span('o', 'missing', 'orphan', 2)];
    const b = [span('y', '', 'GET /b', 0), span('y1', 'y', 'db', 1)];
    const rows = alignSpanTrees(a, b);
    expect(rows.map((r) => [r.key, r.depth, ids(r.a), ids(r.b)])).toEqual([
      ['GET /a', 0, 'x', '-'],
      ['GET /a › db', 1, 'x1', '-'],
      ['orphan', 0, 'o', '-'],
      ['GET /b', 0, '-', 'y'],
      ['GET /b › db', 1, '-', 'y1'],
    ]);
  });

  test('every span appears exactly once, even in deep and wide traces', () => {
    const deep = [span('d0', '', 'root', 0)];
    for (let i = 1; i < 3000; i++) deep.push(span(`d${i}`, `d${i - 1}`, 'step', i));
    const wide = [span('w', '', 'root', 0)];
    for (let i = 0; i < 2000; i++) wide.push(span(`w${i}`, 'w', i % 3 ? 'chat' : 'tool', i + 1));
    const rows = alignSpanTrees(deep, wide);
    const left = rows.filter((r) => r.a).map((r) => r.a!.span_id);
    const right = rows.filter((r) => r.b).map((r) => r.b!.span_id);
    expect(new Set(left).size).toBe(3000);
    expect(left.length).toBe(3000);
    expect(new Set(right).size).toBe(2001);
    expect(right.length).toBe(2001);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rows.find((r) => r.a?.span_id === 'd2999')!.depth).toBe(2999);
  });

  test('LLM spans pair across models', () => {
    const a = [span('a', '', 'root', 0), span('a1', 'a', 'chat gpt-4o', 1, { request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06' })];
    const b = [span('b', '', 'root', 0), span('b1', 'b', 'chat claude-haiku-4-5', 1, { request_model: 'claude-haiku-4-5' })];
    const rows = alignSpanTrees(a, b);
    expect(rows.map((r) => [r.key, ids(r.a), ids(r.b)])).toEqual([
      ['root', 'a', 'b'],
      ['root › chat *', 'a1', 'b1'],
    ]);
    expect(rows[1]!.a!.name).toBe('chat gpt-4o');
  });

  test('empty sides', () => {
    expect(alignSpanTrees([], [])).toEqual([]);
    const rows = alignSpanTrees([], [span('b', '', 'root', 0)]);
    expect(rows.map((r) => [ids(r.a), ids(r.b)])).toEqual([['-', 'b']]);
  });
});

function summary(over: Partial<TraceSummary>): TraceSummary {
  return {
    trace_id: 't',
    root_name: 'r',
    root_service: 's',
    start_time_unix_nano: '1',
    end_time_unix_nano: '2',
    duration_ns: 0,
    span_count: 0,
    error_count: 0,
    llm_call_count: 0,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
    models: [],
    ...over,
  };
}

describe('compareFigures', () => {
  test('B against A, exact cost in nano-USD, no ratio against zero', () => {
    const a = summary({ duration_ns: 2_000_000_000, llm_call_count: 2, total_tokens: 1000, cost_usd: 0.0025, cost_nanos_usd: 2_500_000, error_count: 0 });
    const b = summary({ duration_ns: 1_500_000_000, llm_call_count: 3, total_tokens: 1500, cost_usd: 0.004, cost_nanos_usd: 4_000_000, error_count: 1 });
    const figures = Object.fromEntries(compareFigures(a, b).map((f) => [f.key, f]));
    expect(figures.duration).toMatchObject({ a: 2e9, b: 1.5e9, delta: -5e8, ratio: -0.25 });
    expect(figures.llm_calls).toMatchObject({ delta: 1, ratio: 0.5 });
    expect(figures.total_tokens).toMatchObject({ delta: 500, ratio: 0.5 });
    expect(figures.cost).toMatchObject({ a: 2_500_000, b: 4_000_000, delta: 1_500_000, ratio: 0.6 });
    expect(figures.errors).toMatchObject({ a: 0, b: 1, delta: 1, ratio: null });
    // Without cost_nanos_usd the USD figure is used.
    const c = compareFigures(summary({ cost_usd: 0.001 }), summary({ cost_usd: 0.003 })).find((f) => f.key === 'cost')!;
    expect(c.delta).toBe(2_000_000);
  });

  test('formatRatio', () => {
    expect(formatRatio(null)).toBe('');
    expect(formatRatio(0)).toBe('0%');
    expect(formatRatio(0.5)).toBe('+50%');
    expect(formatRatio(-0.125)).toBe('−12.5%');
    expect(formatRatio(2.3456)).toBe('+235%');
  });
});

test('messagesText and llmRows', () => {
  expect(
    messagesText([
      { role: 'assistant', parts: [{ type: 'text', text: 'Hello' }, { type: 'tool_call', tool_name: 'lookup', arguments: '{"id":1}' }] },
      { role: 'tool', parts: [{ type: 'tool_result', text: 'ok' }, { type: 'image', uri: 'x' }] },
    ]),
  ).toBe('Hello\nlookup({"id":1})\nok');
  expect(messagesText(undefined)).toBe('');
  const rows = alignSpanTrees(
    [span('a', '', 'root', 0), span('a1', 'a', 'chat', 1, { request_model: 'gpt-4o' }), span('a2', 'a', 'embed', 2, { kind: 'embedding' })],
    [span('b', '', 'root', 0), span('b1', 'b', 'chat', 1, { request_model: 'gpt-4o-mini' })],
  );
  expect(llmRows(rows).map((r) => r.key)).toEqual(['root › chat']); // no model in the name: kept whole
});
