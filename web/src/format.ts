// Formatting of durations, times, tokens and money for display. Pure functions.

export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return '–';
  if (ns < 1_000) return `${ns} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 1 : 0)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 1 : 0)} ms`;
  const s = ns / 1_000_000_000;
  if (s < 59.95) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  // Round to whole seconds first, so 599.7 s is "10m 0s", not "9m 60s".
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}m ${whole % 60}s`;
}

export function formatCost(usd: number | undefined): string {
  if (usd === undefined || usd === 0) return '–';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatNanosUsd(nanos: number | undefined): string {
  return formatCost(nanos === undefined ? undefined : nanos / 1e9);
}

export function formatCount(n: number | undefined): string {
  if (n === undefined || n === 0) return '–';
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

/** Unix ns (decimal string) to milliseconds since the epoch. */
export function nsToMs(ns: string): number {
  return Number(BigInt(ns) / 1_000_000n);
}

/** ns difference a - b of two decimal strings, as a number (exact for spans of one trace). */
export function nsDiff(a: string, b: string): number {
  return Number(BigInt(a) - BigInt(b));
}

export function formatTime(ns: string): string {
  const d = new Date(nsToMs(ns));
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const time = d.toLocaleTimeString('en-GB', { hour12: false });
  if (sameDay) return time;
  return `${d.toLocaleDateString('en-CA')} ${time}`;
}

export function formatRelative(ns: string, nowMs = Date.now()): string {
  const seconds = Math.round((nowMs - nsToMs(ns)) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}
