import { describe, expect, test } from 'vitest';
import type { Span } from './api';
import { ancestorsOf, buildSpanTree, criticalPath, offsetFrom, traceExtent, visibleRows } from './spanTree';

function span(id: string, parent: string, start: number, duration: number, kind?: string): Span {
  const base = 1_763_000_000_000_000_000n;
  return {
    trace_id: 't',
    span_id: id,
    parent_span_id: parent,
    name: id,
    kind: 'internal',
    service: 's',
    start_time_unix_nano: (base + BigInt(start)).toString(),
    end_time_unix_nano: (base + BigInt(start + duration)).toString(),
    duration_ns: duration,
    status: { code: 'unset', message: '' },
    attributes: {},
    events: [],
    resource: { attributes: {} },
    ...(kind ? { llm: { kind } } : {}),
  };
}

const spans = [
  span('c2', 'root', 50, 10, 'llm'),
  span('root', '', 0, 100, 'agent'),
  span('c1', 'root', 10, 20, 'tool'),
  span('g1', 'c1', 12, 5),
  span('orphan', 'missing', 5, 1),
];

describe('buildSpanTree', () => {
  test('links children in start order, orphans become roots', () => {
    const roots = buildSpanTree(spans);
    expect(roots.map((r) => r.span.span_id)).toEqual(['root', 'orphan']);
    const root = roots[0]!;
    expect(root.children.map((c) => c.span.span_id)).toEqual(['c1', 'c2']);
    expect(root.children[0]!.children[0]!.depth).toBe(2);
    expect(root.category).toBe('agent');
    expect(root.children[1]!.category).toBe('llm');
    expect(roots[1]!.category).toBe('other');
    expect(root.children[1]!.offset).toBe(50);
  });

  test('survives a parent cycle', () => {
    const roots = buildSpanTree([span('a', 'b', 0, 1), span('b', 'a', 1, 1)]);
    expect(visibleRows(roots, new Set()).length).toBeLessThanOrEqual(2);
  });
});

describe('visibleRows', () => {
  test('depth-first, collapsed spans hide their subtree', () => {
    const roots = buildSpanTree(spans);
    expect(visibleRows(roots, new Set()).map((r) => r.node.span.span_id)).toEqual(['root', 'c1', 'g1', 'c2', 'orphan']);
    const folded = visibleRows(roots, new Set(['c1']));
    expect(folded.map((r) => r.node.span.span_id)).toEqual(['root', 'c1', 'c2', 'orphan']);
    expect(folded[1]!.collapsed).toBe(true);
    expect(folded[1]!.hasChildren).toBe(true);
  });

  test('handles thousands of spans', () => {
    const many = [span('r', '', 0, 1_000_000)];
    for (let i = 0; i < 5000; i++) many.push(span(`s${i}`, i === 0 ? 'r' : `s${i - 1}`, i, 10));
    const rows = visibleRows(buildSpanTree(many), new Set());
    expect(rows.length).toBe(5001);
    expect(rows[5000]!.node.depth).toBe(5000);
  });
});

test('ancestorsOf and traceExtent', () => {
  expect(ancestorsOf(spans, 'g1')).toEqual(['c1', 'root']);
  expect(traceExtent(spans)).toBe(100);
});

describe('subtree totals', () => {
  test('add up tokens and cost of LLM calls only, spans, errors and the latest end', () => {
    const llm = (id: string, parent: string, start: number, dur: number, tokens: number, cost: number): Span => ({
      ...span(id, parent, start, dur, 'llm'),
      llm: { kind: 'llm', usage: { total_tokens: tokens }, cost: { total_nanos_usd: cost } as never },
    });
    // The agent span repeats its children's usage: it must not count twice.
    const agent: Span = { ...span('agent', 'root', 0, 90), llm: { kind: 'agent', usage: { total_tokens: 999 }, cost: { total_nanos_usd: 999 } as never } };
    const failed: Span = { ...span('t', 'agent', 5, 200, 'tool'), status: { code: 'error', message: 'x' } };
    const [root] = buildSpanTree([span('root', '', 0, 100), agent, llm('l1', 'agent', 10, 10, 100, 5), llm('l2', 'agent', 30, 10, 50, 7), failed]);
    expect(root!.subtree).toEqual({ spans: 5, errors: 1, llmCalls: 2, tokens: 150, costNanos: 12, end: 205 });
    const agentNode = root!.children[0]!;
    expect(agentNode.subtree.tokens).toBe(150);
    expect(agentNode.children.find((c) => c.span.span_id === 'l1')!.subtree).toMatchObject({ spans: 1, tokens: 100, costNanos: 5, end: 20 });
  });
});

describe('criticalPath', () => {
  test('from the root, always the child that ends last', () => {
    const tree = buildSpanTree([
      span('root', '', 0, 100),
      span('a', 'root', 0, 60), // ends 60
      span('b', 'root', 10, 80), // ends 90: on the path
      span('b1', 'b', 10, 30), // ends 40
      span('b2', 'b', 20, 65), // ends 85: on the path
      span('b2x', 'b2', 25, 5),
      span('a1', 'a', 0, 59),
    ]);
    expect(criticalPath(tree)).toEqual(['root', 'b', 'b2', 'b2x']);
  });

  test('a tie goes to the child that started later; several roots: the one ending last', () => {
    const tree = buildSpanTree([span('r1', '', 0, 10), span('r2', '', 5, 50), span('x', 'r2', 5, 20), span('y', 'r2', 15, 10)]);
    expect(criticalPath(tree)).toEqual(['r2', 'y']);
    expect(criticalPath([])).toEqual([]);
  });

  test('is linear on a deep trace', () => {
    const many = [span('r', '', 0, 1_000_000)];
    for (let i = 0; i < 50_000; i++) many.push(span(`s${i}`, i === 0 ? 'r' : `s${i - 1}`, i, 10));
    const started = performance.now();
    expect(criticalPath(buildSpanTree(many))).toHaveLength(50_001);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

test('offsetFrom matches BigInt arithmetic, also across a change of the leading digits', () => {
  const base = '1763000000999999999999'.slice(0, 19);
  for (const t of ['1763000000999999999', '1763000001000000000', '1763999999999999999', '1764000000000000123']) {
    expect(offsetFrom(t, base)).toBe(Number(BigInt(t) - BigInt(base)));
  }
  expect(offsetFrom('999', '1000')).toBe(-1);
});

test('an embedding that reports only input tokens counts them', () => {
  const emb: Span = { ...span('e', 'r', 1, 1), llm: { kind: 'embedding', usage: { input_tokens: 13 }, cost: { total_nanos_usd: 3 } as never } };
  const [root] = buildSpanTree([span('r', '', 0, 10), emb]);
  expect(root!.subtree).toMatchObject({ tokens: 13, costNanos: 3, llmCalls: 1 });
});
