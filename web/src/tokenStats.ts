// Token-level statistics for the token view: entropy from the returned alternatives, the
// least confident tokens, and the arrival timeline of a streamed answer. Pure.

import type { LogprobEntry } from './api';
import { probability } from './logprobs';

/**
 * Entropy in bits of the next-token distribution, over the alternatives the provider returned
 * (the chosen token included when it is not among them).
 *
 * Providers return only the top few alternatives, so the rest of the distribution is unknown.
 * Summing -p·log2(p) over the known tokens without renormalising gives a lower bound of the
 * true entropy: every left-out term is non-negative. Renormalising would not be a bound in
 * either direction, so it is not done.
 */
export function tokenEntropy(entry: LogprobEntry): number {
  const seen = new Set<string>();
  let bits = 0;
  const add = (token: string, logprob: number) => {
    if (seen.has(token)) return;
    seen.add(token);
    const p = probability(logprob);
    if (p > 0) bits -= p * Math.log2(p);
  };
  for (const alt of entry.top ?? []) add(alt.token, alt.logprob);
  add(entry.token, entry.logprob);
  return bits;
}

/** True when the entropy was computed from more than the chosen token alone. */
export function hasAlternatives(entry: LogprobEntry): boolean {
  return (entry.top ?? []).some((a) => a.token !== entry.token);
}

export interface LowToken {
  index: number;
  token: string;
  logprob: number;
}

/**
 * The `count` tokens the model was least sure of (lowest probability first; ties: the earlier
 * token), skipping tokens that are only whitespace — a low-probability line break says little.
 */
export function lowestConfidence(tokens: LogprobEntry[], count: number): LowToken[] {
  const candidates: LowToken[] = [];
  tokens.forEach((t, index) => {
    if (t.token.trim() === '' || !Number.isFinite(t.logprob)) return;
    candidates.push({ index, token: t.token, logprob: t.logprob });
  });
  candidates.sort((a, b) => a.logprob - b.logprob || a.index - b.index);
  return candidates.slice(0, Math.max(0, count));
}

/** How much slower than the median gap a gap must be to count as a stall. */
export const STALL_FACTOR = 3;

export interface StreamTimeline {
  /** ns from the span's start to the first token. */
  ttft: number;
  /** ns from the span's start to each token. */
  arrivals: number[];
  /** gaps[i]: ns between token i and token i+1. */
  gaps: number[];
  medianGap: number;
  p95Gap: number;
  maxGap: number;
  /** Indices into `gaps` of the gaps longer than STALL_FACTOR × the median gap. */
  stalls: number[];
  /** Output tokens per second from the first token to the last. */
  tokensPerSecond: number | null;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * The arrival timeline of a stream from its per-token offsets (ns from the span's start, as
 * the API's `timing.token_offsets_ns`). Offsets out of order are sorted: the timeline is about
 * when text arrived, not which token it was. Null without offsets.
 */
export function streamTimeline(offsets: number[] | undefined, ttftNs?: number): StreamTimeline | null {
  if (!offsets || offsets.length === 0) return null;
  const arrivals = offsets.filter((o) => Number.isFinite(o) && o >= 0).sort((a, b) => a - b);
  if (arrivals.length === 0) return null;
  const gaps: number[] = [];
  for (let i = 1; i < arrivals.length; i++) gaps.push(arrivals[i]! - arrivals[i - 1]!);
  const sorted = gaps.slice().sort((a, b) => a - b);
  const medianGap = quantile(sorted, 0.5);
  // With a zero median (bursty providers send several tokens per chunk) any pause would be
  // "infinitely" slow; a stall then needs to be at least a millisecond.
  const threshold = Math.max(medianGap * STALL_FACTOR, 1_000_000);
  const stalls: number[] = [];
  gaps.forEach((g, i) => {
    if (g > threshold) stalls.push(i);
  });
  const span = arrivals[arrivals.length - 1]! - arrivals[0]!;
  return {
    ttft: ttftNs ?? arrivals[0]!,
    arrivals,
    gaps,
    medianGap,
    p95Gap: quantile(sorted, 0.95),
    maxGap: sorted.length ? sorted[sorted.length - 1]! : 0,
    stalls,
    tokensPerSecond: span > 0 ? ((arrivals.length - 1) * 1e9) / span : null,
  };
}
