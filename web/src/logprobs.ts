// Token probabilities for the token view. Pure.

export function probability(logprob: number): number {
  if (!Number.isFinite(logprob)) return 0;
  return Math.min(1, Math.max(0, Math.exp(logprob)));
}

/**
 * How strongly to shade a token: 0 for a certain token, up to 1 for a very unlikely one.
 * Shading follows surprise (-log p) on a curve that makes p = 0.5 clearly visible and
 * saturates around p = 0.05.
 */
export function shadeStrength(logprob: number): number {
  const p = probability(logprob);
  if (p >= 0.98) return 0;
  const surprise = -Math.log(Math.max(p, 1e-9));
  return Math.min(1, surprise / 3);
}

/** A CSS background for a token: transparent when certain, a warm tint when unsure. */
export function shadeColor(logprob: number): string {
  const s = shadeStrength(logprob);
  if (s === 0) return 'transparent';
  const alpha = (0.12 + 0.58 * s).toFixed(2);
  const hue = Math.round(45 - 40 * s); // amber to red
  return `hsla(${hue}, 95%, 55%, ${alpha})`;
}

export function formatProbability(logprob: number): string {
  const p = probability(logprob) * 100;
  if (p >= 99.95) return '100%';
  if (p < 0.01) return '<0.01%';
  return `${p < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** Shows invisible characters of a token so that spaces and newlines are visible. */
export function visibleToken(token: string): string {
  return token.replace(/\n/g, '↵\n');
}

/**
 * A CSS background for a token's entropy (bits over the returned alternatives): transparent
 * when the model had one clear choice, deepening violet as the choice spreads. Two bits (four
 * equally likely tokens) saturates.
 */
export function entropyColor(bits: number): string {
  const s = Math.min(1, Math.max(0, bits) / 2);
  if (s < 0.05) return 'transparent';
  return `hsla(265, 85%, 62%, ${(0.1 + 0.55 * s).toFixed(2)})`;
}
