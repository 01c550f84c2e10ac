import { expect, test } from 'vitest';
import { entropyColor, formatProbability, probability, shadeColor, shadeStrength } from './logprobs';

test('probability is exp(logprob), clamped', () => {
  expect(probability(0)).toBe(1);
  expect(probability(Math.log(0.25))).toBeCloseTo(0.25);
  expect(probability(-Infinity)).toBe(0);
  expect(probability(Number.NaN)).toBe(0);
});

test('shading grows as tokens get less likely and saturates', () => {
  expect(shadeStrength(-0.001)).toBe(0);
  expect(shadeColor(-0.001)).toBe('transparent');
  const ps = [0.9, 0.6, 0.3, 0.1, 0.01];
  const strengths = ps.map((p) => shadeStrength(Math.log(p)));
  for (let i = 1; i < strengths.length; i++) expect(strengths[i]!).toBeGreaterThan(strengths[i - 1]!);
  expect(shadeStrength(Math.log(1e-6))).toBe(1);
  expect(shadeColor(Math.log(0.5))).toMatch(/^hsla\(/);
});

test('formatProbability', () => {
  expect(formatProbability(0)).toBe('100%');
  expect(formatProbability(Math.log(0.5))).toBe('50.0%');
  expect(formatProbability(Math.log(0.0123))).toBe('1.23%');
  expect(formatProbability(-50)).toBe('<0.01%');
});

test('entropyColor: transparent for a clear choice, stronger as entropy grows, saturating', () => {
  expect(entropyColor(0)).toBe('transparent');
  const alpha = (c: string) => Number(/, ([\d.]+)\)$/.exec(c)![1]);
  expect(alpha(entropyColor(1))).toBeLessThan(alpha(entropyColor(1.8)));
  expect(entropyColor(2)).toBe(entropyColor(5));
});
