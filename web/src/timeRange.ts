// The traces page's time range: presets as `since`, or a custom start/end. Pure.

export const PRESETS = ['15m', '1h', '24h', '7d'] as const;
export type Preset = (typeof PRESETS)[number];
export type RangeKey = Preset | 'all' | 'custom';

export interface RangeState {
  range: RangeKey;
  start?: string; // datetime-local value, custom only
  end?: string;
}

export function isRangeKey(value: string | null): value is RangeKey {
  return value === 'all' || value === 'custom' || (PRESETS as readonly string[]).includes(value ?? '');
}

/** datetime-local text ("2025-11-12T14:05") to unix ns as a decimal string, or undefined. */
export function localToNs(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  if (Number.isNaN(ms)) return undefined;
  return (BigInt(ms) * 1_000_000n).toString();
}

/** The API parameters of a range. */
export function rangeParams(r: RangeState): { since?: string; start?: string; end?: string } {
  if (r.range === 'all') return {};
  if (r.range === 'custom') return { start: localToNs(r.start), end: localToNs(r.end) };
  return { since: r.range };
}

/** The range a page's URL holds (`range`, and `start`/`end` for custom), `fallback` if none. */
export function rangeFromParams(params: URLSearchParams, fallback: RangeKey): RangeState {
  const range = params.get('range');
  return {
    range: isRangeKey(range) ? range : fallback,
    start: params.get('start') ?? undefined,
    end: params.get('end') ?? undefined,
  };
}

/** The URL parameters of a range, leaving out the page's default. */
export function rangeUrlParams(r: RangeState, fallback: RangeKey): Record<string, string | undefined> {
  return {
    range: r.range === fallback ? undefined : r.range,
    start: r.range === 'custom' ? r.start : undefined,
    end: r.range === 'custom' ? r.end : undefined,
  };
}
