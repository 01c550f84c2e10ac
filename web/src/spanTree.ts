// Builds the span tree of a trace and flattens it into the rows a waterfall shows. Pure.

import type { Span } from './api';
import { nsDiff } from './format';

export type SpanCategory = 'llm' | 'embedding' | 'retrieval' | 'rerank' | 'tool' | 'agent' | 'chain' | 'other';

/** What a span and everything below it add up to. */
export interface SubtreeTotals {
  spans: number;
  errors: number;
  llmCalls: number;
  tokens: number;
  costNanos: number;
  /** ns from the trace's first span start to the latest end in the subtree. */
  end: number;
}

export interface SpanNode {
  span: Span;
  children: SpanNode[];
  depth: number;
  /** ns from the trace's first span start. */
  offset: number;
  /** ns from the trace's first span start to this span's end. */
  end: number;
  category: SpanCategory;
  /** This span and its descendants. */
  subtree: SubtreeTotals;
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

/** Total tokens of a call; embeddings often report only their input tokens. */
function usageTokens(span: Span): number {
  const u = span.llm?.usage;
  if (!u) return 0;
  return u.total_tokens ?? (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
}

/**
 * The span's own tokens and cost as the trace summary counts them: only LLM and embedding
 * calls, because agent and chain spans often repeat their children's usage.
 */
function ownTotals(span: Span, end: number): SubtreeTotals {
  const counted = span.llm?.kind === 'llm' || span.llm?.kind === 'embedding';
  return {
    spans: 1,
    errors: span.status.code === 'error' ? 1 : 0,
    llmCalls: counted ? 1 : 0,
    tokens: counted ? usageTokens(span) : 0,
    costNanos: counted ? (span.llm?.cost?.total_nanos_usd ?? 0) : 0,
    end,
  };
}

/**
 * The trace's earliest start. Timestamps are 19-digit decimal strings beyond 2^53, so they are
 * compared as strings (same length: lexicographic order is numeric order) rather than as
 * BigInts, which is several times faster on traces of tens of thousands of spans.
 */
function earliestStart(spans: Span[]): string {
  let start = spans[0]!.start_time_unix_nano;
  for (const s of spans) {
    const t = s.start_time_unix_nano;
    if (t.length < start.length || (t.length === start.length && t < start)) start = t;
  }
  return start;
}

/**
 * A function giving ns from `base` to a time, both decimal strings of one trace. When a time
 * shares all but its last 15 digits with the base (within about 11 days of it) the difference
 * is exact in doubles and needs neither BigInt nor a string per call beyond the tail.
 */
export function offsetsFrom(base: string): (t: string) => number {
  const n = base.length;
  if (n <= 15) {
    const b = Number(base);
    return (t) => (t.length <= 15 ? Number(t) - b : nsDiff(t, base));
  }
  const head = base.slice(0, n - 15);
  const low = Number(base.slice(n - 15));
  return (t) => (t.length === n && t.startsWith(head) ? Number(t.slice(n - 15)) - low : nsDiff(t, base));
}

/** ns from `base` to `t` (decimal strings). */
export function offsetFrom(t: string, base: string): number {
  return offsetsFrom(base)(t);
}

/**
 * Links spans to their parents. Spans whose parent is not in the list (a root, or a parent
 * that never arrived) become roots. Children are ordered by start time.
 */
export function buildSpanTree(spans: Span[]): SpanNode[] {
  if (spans.length === 0) return [];
  const offset = offsetsFrom(earliestStart(spans));
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) {
    const begin = offset(span.start_time_unix_nano);
    // duration_ns is end - start, exact: one timestamp to read per span instead of two.
    const end = begin + span.duration_ns;
    nodes.set(span.span_id, {
      span,
      children: [],
      depth: 0,
      offset: begin,
      end,
      category: categoryOf(span),
      subtree: ownTotals(span, end),
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
  const preorder: SpanNode[] = [];
  for (const r of roots) r.depth = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    preorder.push(node);
    node.children.sort(byStart);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i]!;
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  // Children come after their parent in preorder, so walking it backwards folds every subtree
  // into its parent once: O(n) for the whole trace. (A span has one parent, so spans on a
  // parent cycle are reachable from no root and are in no subtree.)
  for (let i = preorder.length - 1; i >= 0; i--) {
    const node = preorder[i]!;
    for (const child of node.children) {
      const t = node.subtree;
      const c = child.subtree;
      t.spans += c.spans;
      t.errors += c.errors;
      t.llmCalls += c.llmCalls;
      t.tokens += c.tokens;
      t.costNanos += c.costNanos;
      if (c.end > t.end) t.end = c.end;
    }
  }
  return roots;
}

/**
 * The critical path: the chain of spans that decides when the trace ends. From the root that
 * ends last, repeatedly the child that ends last (on a tie the one that started later, which
 * is the one the parent was still waiting for). Returns span ids, root first.
 */
export function criticalPath(roots: SpanNode[]): string[] {
  const later = (a: SpanNode, b: SpanNode) => a.end > b.end || (a.end === b.end && a.offset > b.offset);
  let node: SpanNode | undefined;
  for (const r of roots) if (!node || later(r, node)) node = r;
  const path: string[] = [];
  const seen = new Set<SpanNode>();
  while (node && !seen.has(node)) {
    seen.add(node);
    path.push(node.span.span_id);
    let next: SpanNode | undefined;
    for (const c of node.children) if (!next || later(c, next)) next = c;
    node = next;
  }
  return path;
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
  const offset = offsetsFrom(earliestStart(spans));
  let end = 0;
  for (const s of spans) end = Math.max(end, offset(s.end_time_unix_nano));
  return end;
}
