// Two traces side by side: their summary figures with the differences, and their span trees
// aligned by span name path. Pure.
//
// Alignment: a span's key is the path of span names from its root, each name numbered by its
// occurrence among same-named siblings in start order ("POST /v1/answer › rag.pipeline ›
// chat * #2"), so the second LLM turn of one agent run lines up with the second of the other.
// An LLM span's name leaves its model out ("chat gpt-4o" is "chat *"), so that the same step
// pairs across two models. Spans present on one side only keep their place: after the nearest preceding sibling
// that the other side has too (when the sides share no sibling at all, A's come first).

import type { Message, Span, TraceSummary } from './api';
import { buildSpanTree, type SpanNode } from './spanTree';

export interface AlignedRow {
  /** The name path with occurrence numbers; unique among the rows. */
  key: string;
  depth: number;
  /** The name the spans align by (alignName). */
  name: string;
  /** 1 for the first sibling of this name, 2 for the second, … */
  occurrence: number;
  a: Span | null;
  b: Span | null;
}

interface Keyed {
  key: string;
  name: string;
  occurrence: number;
  node: SpanNode;
}

interface Pair {
  key: string;
  name: string;
  occurrence: number;
  a: SpanNode | null;
  b: SpanNode | null;
}

const SEPARATOR = ' › ';

/** The name a span aligns by: its own, with the model of an LLM span left out. */
export function alignName(span: Span): string {
  for (const model of [span.llm?.response_model, span.llm?.request_model]) {
    if (model && span.name.includes(model)) return span.name.replace(model, '*');
  }
  return span.name;
}

function keyed(nodes: SpanNode[], parentKey: string): Keyed[] {
  const seen = new Map<string, number>();
  return nodes.map((node) => {
    const name = alignName(node.span);
    const occurrence = (seen.get(name) ?? 0) + 1;
    seen.set(name, occurrence);
    const own = occurrence > 1 ? `${name} #${occurrence}` : name;
    return { key: parentKey ? `${parentKey}${SEPARATOR}${own}` : own, name, occurrence, node };
  });
}

/** Merges two ordered sibling lists: A's order, B-only entries after their B predecessor. */
function mergeSiblings(a: Keyed[], b: Keyed[]): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const x of a) pairs.set(x.key, { key: x.key, name: x.name, occurrence: x.occurrence, a: x.node, b: null });
  const after = new Map<string, Pair[]>(); // anchor key ('' = before everything) -> B-only pairs
  let anchor = '';
  for (const y of b) {
    const pair = pairs.get(y.key);
    if (pair) {
      pair.b = y.node;
      anchor = y.key;
      continue;
    }
    const list = after.get(anchor) ?? [];
    list.push({ key: y.key, name: y.name, occurrence: y.occurrence, a: null, b: y.node });
    after.set(anchor, list);
  }
  // B-only entries before any shared one lead, unless nothing is shared: then A comes first.
  const leading = after.get('') ?? [];
  const shared = anchor !== '';
  const out: Pair[] = shared ? [...leading] : [];
  for (const x of a) {
    out.push(pairs.get(x.key)!);
    out.push(...(after.get(x.key) ?? []));
  }
  if (!shared) out.push(...leading);
  return out;
}

/** Depth-first rows of the two span trees, aligned by name path. */
export function alignSpanTrees(a: Span[], b: Span[]): AlignedRow[] {
  const rows: AlignedRow[] = [];
  const seen = new Set<SpanNode>();
  // Iterative, so that very deep traces cannot overflow the stack.
  const stack: { pair: Pair; depth: number }[] = [];
  const pushChildren = (pairs: Pair[], depth: number) => {
    for (let i = pairs.length - 1; i >= 0; i--) stack.push({ pair: pairs[i]!, depth });
  };
  pushChildren(mergeSiblings(keyed(buildSpanTree(a), ''), keyed(buildSpanTree(b), '')), 0);
  while (stack.length > 0) {
    const { pair, depth } = stack.pop()!;
    if ((pair.a && seen.has(pair.a)) || (pair.b && seen.has(pair.b))) continue;
    if (pair.a) seen.add(pair.a);
    if (pair.b) seen.add(pair.b);
    rows.push({ key: pair.key, depth, name: pair.name, occurrence: pair.occurrence, a: pair.a?.span ?? null, b: pair.b?.span ?? null });
    pushChildren(mergeSiblings(keyed(pair.a?.children ?? [], pair.key), keyed(pair.b?.children ?? [], pair.key)), depth + 1);
  }
  return rows;
}

export interface AlignmentStats {
  matched: number;
  onlyA: number;
  onlyB: number;
}

export function alignmentStats(rows: AlignedRow[]): AlignmentStats {
  const stats = { matched: 0, onlyA: 0, onlyB: 0 };
  for (const r of rows) {
    if (r.a && r.b) stats.matched++;
    else if (r.a) stats.onlyA++;
    else stats.onlyB++;
  }
  return stats;
}

export type FigureKind = 'duration' | 'count' | 'tokens' | 'cost';

export interface Figure {
  key: 'duration' | 'spans' | 'llm_calls' | 'input_tokens' | 'output_tokens' | 'total_tokens' | 'cost' | 'errors';
  label: string;
  kind: FigureKind;
  /** For cost: nano-USD (exact); otherwise ns or a count. */
  a: number;
  b: number;
  /** b - a */
  delta: number;
  /** (b - a) / a, or null when a is 0. */
  ratio: number | null;
}

function costNanos(t: TraceSummary): number {
  return t.cost_nanos_usd ?? Math.round(t.cost_usd * 1e9);
}

function figure(key: Figure['key'], label: string, kind: FigureKind, a: number, b: number): Figure {
  return { key, label, kind, a, b, delta: b - a, ratio: a === 0 ? null : (b - a) / a };
}

/** The summary figures of two traces, B against A. */
export function compareFigures(a: TraceSummary, b: TraceSummary): Figure[] {
  return [
    figure('duration', 'Duration', 'duration', a.duration_ns, b.duration_ns),
    figure('spans', 'Spans', 'count', a.span_count, b.span_count),
    figure('llm_calls', 'LLM calls', 'count', a.llm_call_count, b.llm_call_count),
    figure('input_tokens', 'Input tokens', 'tokens', a.input_tokens, b.input_tokens),
    figure('output_tokens', 'Output tokens', 'tokens', a.output_tokens, b.output_tokens),
    figure('total_tokens', 'Total tokens', 'tokens', a.total_tokens, b.total_tokens),
    figure('cost', 'Cost', 'cost', costNanos(a), costNanos(b)),
    figure('errors', 'Errors', 'count', a.error_count, b.error_count),
  ];
}

/** "+12.5%", "−40%", or "" when there is no base to compare with. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '';
  if (ratio === 0) return '0%';
  const pct = Math.abs(ratio) * 100;
  const text = pct >= 100 || Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1);
  return `${ratio > 0 ? '+' : '−'}${text}%`;
}

/** The text of messages as one string: text parts, and tool calls as name(arguments). */
export function messagesText(messages: Message[] | undefined): string {
  if (!messages) return '';
  const parts: string[] = [];
  for (const m of messages) {
    for (const p of m.parts) {
      if ((p.type === 'text' || p.type === 'reasoning') && p.text) parts.push(p.text);
      else if (p.type === 'tool_call') parts.push(`${p.tool_name ?? 'tool'}(${p.arguments ?? ''})`);
      else if (p.type === 'tool_result' && p.text) parts.push(p.text);
    }
  }
  return parts.join('\n');
}

/** Rows whose span is an LLM call on either side (the pairs to show model, tokens, output). */
export function llmRows(rows: AlignedRow[]): AlignedRow[] {
  return rows.filter((r) => r.a?.llm?.kind === 'llm' || r.b?.llm?.kind === 'llm');
}
