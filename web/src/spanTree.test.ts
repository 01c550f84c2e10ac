import { describe, expect, test } from 'vitest';
import type { Span } from './api';
import { ancestorsOf, buildSpanTree, traceExtent, visibleRows } from './spanTree';

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
