// Builds the span tree of a trace and flattens it into the rows a waterfall shows. Pure.

import type { Span } from './api';
import { nsDiff } from './format';

export type SpanCategory = 'llm' | 'embedding' | 'retrieval' | 'rerank' | 'tool' | 'agent' | 'chain' | 'other';

export interface SpanNode {
  span: Span;
  children: SpanNode[];
  depth: number;
  /** ns from the trace's first span start. */
  offset: number;
  category: SpanCategory;
}

export interface WaterfallRow {
  node: SpanNode;
  hasChildren: boolean;
  collapsed: boolean;
}

const CATEGORIES: Record<string, SpanCategory> = {
  llm: 'llm',
  embedding: 'embedding',
  retrieval: 'retrieval',
  rerank: 'rerank',
  tool: 'tool',
  agent: 'agent',
  chain: 'chain',
  workflow: 'chain',
};

export function categoryOf(span: Span): SpanCategory {
  return (span.llm && CATEGORIES[span.llm.kind]) || 'other';
}

/**
 * Links spans to their parents. Spans whose parent is not in the list (a root, or a parent
 * that never arrived) become roots. Children are ordered by start time.
 */
export function buildSpanTree(spans: Span[]): SpanNode[] {
  if (spans.length === 0) return [];
  let start = spans[0]!.start_time_unix_nano;
  for (const s of spans) {
    if (BigInt(s.start_time_unix_nano) < BigInt(start)) start = s.start_time_unix_nano;
  }
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) {
    nodes.set(span.span_id, {
      span,
      children: [],
      depth: 0,
      offset: nsDiff(span.start_time_unix_nano, start),
      category: categoryOf(span),
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parent_span_id ? nodes.get(node.span.parent_span_id) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.offset - b.offset || (a.span.span_id < b.span.span_id ? -1 : 1);
  // Iterative, so a very deep trace cannot overflow the stack; a cycle is cut at the first
  // revisit.
  const seen = new Set<SpanNode>();
  const stack: SpanNode[] = roots.sort(byStart).slice().reverse();
  for (const r of roots) r.depth = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    node.children.sort(byStart);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i]!;
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  return roots;
}

/** Depth-first rows, skipping the descendants of collapsed spans. */
export function visibleRows(roots: SpanNode[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const stack: SpanNode[] = roots.slice().reverse();
  const seen = new Set<SpanNode>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const isCollapsed = collapsed.has(node.span.span_id);
    rows.push({ node, hasChildren: node.children.length > 0, collapsed: isCollapsed });
    if (!isCollapsed) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  return rows;
}

/** The ids of the ancestors of `spanId`, so that a deep-linked span can be revealed. */
export function ancestorsOf(spans: Span[], spanId: string): string[] {
  const parents = new Map(spans.map((s) => [s.span_id, s.parent_span_id]));
  const out: string[] = [];
  let current = parents.get(spanId);
  while (current && parents.has(current) && !out.includes(current)) {
    out.push(current);
    current = parents.get(current);
  }
  return out;
}

/** Total extent of the trace in ns (first start to last end). */
export function traceExtent(spans: Span[]): number {
  if (spans.length === 0) return 0;
  let start = BigInt(spans[0]!.start_time_unix_nano);
  let end = BigInt(spans[0]!.end_time_unix_nano);
  for (const s of spans) {
    const a = BigInt(s.start_time_unix_nano);
    const b = BigInt(s.end_time_unix_nano);
    if (a < start) start = a;
    if (b > end) end = b;
  }
  return Number(end - start);
}
