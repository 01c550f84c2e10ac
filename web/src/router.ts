// A minimal router over the History API: the URL is the state (path and query), so every view
// is a deep link. Components subscribe with useLocation() and move with navigate().

import { useSyncExternalStore } from 'react';

export interface AppLocation {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();
let snapshot = read();

function read(): AppLocation {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) };
}

function emit() {
  snapshot = read();
  for (const l of listeners) l();
}

window.addEventListener('popstate', emit);

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  emit();
}

export function useLocation(): AppLocation {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}

/** Builds "path?query" leaving out empty parameters. */
export function urlWith(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
