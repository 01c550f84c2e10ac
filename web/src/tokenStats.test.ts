import { describe, expect, test } from 'vitest';
import { lowestConfidence, quantile, streamTimeline, tokenEntropy } from './tokenStats';

const ln = Math.log;

describe('tokenEntropy', () => {
  test('is the entropy in bits over the returned alternatives', () => {
    // Two equally likely alternatives: exactly one bit.
    expect(tokenEntropy({ token: 'a', logprob: ln(0.5), top: [{ token: 'a', logprob: ln(0.5) }, { token: 'b', logprob: ln(0.5) }] })).toBeCloseTo(1, 10);
    // A certain token: zero.
    expect(tokenEntropy({ token: 'a', logprob: 0, top: [{ token: 'a', logprob: 0 }] })).toBe(0);
  });

  test('is a lower bound: the missing mass is not renormalised away', () => {
    // 0.4 and 0.1 returned, 0.5 unknown: -0.4·log2(0.4) - 0.1·log2(0.1), not the entropy of (0.8, 0.2).
    const h = tokenEntropy({ token: 'a', logprob: ln(0.4), top: [{ token: 'a', logprob: ln(0.4) }, { token: 'b', logprob: ln(0.1) }] });
    expect(h).toBeCloseTo(-0.4 * Math.log2(0.4) - 0.1 * Math.log2(0.1), 10);
    expect(h).toBeLessThan(-0.8 * Math.log2(0.8) - 0.2 * Math.log2(0.2) + 0.5);
  });

  test('counts the chosen token once, also when it is not among the alternatives', () => {
    const outside = tokenEntropy({ token: 'c', logprob: ln(0.25), top: [{ token: 'a', logprob: ln(0.5) }] });
    expect(outside).toBeCloseTo(0.5 + 0.5, 10);
    const inside = tokenEntropy({ token: 'a', logprob: ln(0.5), top: [{ token: 'a', logprob: ln(0.5) }] });
    expect(inside).toBeCloseTo(0.5, 10);
  });

  test('ignores -Infinity logprobs', () => {
    expect(tokenEntropy({ token: 'a', logprob: 0, top: [{ token: 'b', logprob: -Infinity }] })).toBe(0);
  });
});

describe('lowestConfidence', () => {
  const tokens = [
    { token: 'The', logprob: -0.01 },
    { token: ' cat', logprob: -2.5 },
    { token: '\n', logprob: -5 },
    { token: ' sat', logprob: -1.2 },
    { token: ' on', logprob: -2.5 },
  ];
  test('lowest probability first, ties in text order, whitespace skipped', () => {
    expect(lowestConfidence(tokens, 3).map((t) => t.index)).toEqual([1, 4, 3]);
    expect(lowestConfidence(tokens, 0)).toEqual([]);
    expect(lowestConfidence(tokens, 10)).toHaveLength(4);
  });
});

describe('streamTimeline', () => {
  const ms = 1_000_000;
  test('gaps, median and stalls over 3× the median', () => {
    const offsets = [300, 320, 340, 360, 500, 520, 540].map((x) => x * ms);
    const t = streamTimeline(offsets, 300 * ms)!;
    expect(t.ttft).toBe(300 * ms);
    expect(t.gaps).toEqual([20, 20, 20, 140, 20, 20].map((x) => x * ms));
    expect(t.medianGap).toBe(20 * ms);
    expect(t.maxGap).toBe(140 * ms);
    expect(t.stalls).toEqual([3]);
    expect(t.tokensPerSecond).toBeCloseTo(6 / 0.24, 6);
  });

  test('a gap of exactly 3× the median is not a stall', () => {
    const t = streamTimeline([0, 10, 20, 50].map((x) => x * ms))!;
    expect(t.medianGap).toBe(10 * ms);
    expect(t.stalls).toEqual([]);
  });

  test('sorts offsets, uses the first as TTFT without one, null without data', () => {
    const t = streamTimeline([50 * ms, 10 * ms, 30 * ms])!;
    expect(t.arrivals).toEqual([10, 30, 50].map((x) => x * ms));
    expect(t.ttft).toBe(10 * ms);
    expect(streamTimeline([])).toBeNull();
    expect(streamTimeline(undefined)).toBeNull();
    expect(streamTimeline([5 * ms])!.tokensPerSecond).toBeNull();
  });

  test('bursty streams (zero median) flag only real pauses', () => {
    const t = streamTimeline([0, 0, 0, 0, 2 * ms, 2 * ms])!;
    expect(t.medianGap).toBe(0);
    expect(t.stalls).toEqual([3]);
  });
});

test('quantile interpolates', () => {
  expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  expect(quantile([], 0.5)).toBe(0);
  expect(quantile([7], 0.95)).toBe(7);
});
