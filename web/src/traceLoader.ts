// Loads a trace in pages so that a very large one opens at once: the first page (the earliest
// spans, which hold the root and the top of the tree) is shown while the rest is fetched, a few
// pages at a time. A trace that fits the first page is one request.
//
// Why pages: the whole answer for 50,000 spans is about 50 MB of JSON, well over a second to
// produce, send and parse; the server answers a page of a few hundred spans in tens of
// milliseconds. Pages of 5,000 keep each page's JSON parse (on the main thread) short enough not to stall
// scrolling and clicks while the rest arrives.

import { getTracePage, type Span, type TraceDetail } from './api';

/** Spans in the first request; public/prefetch.js asks for the same when it starts it early. */
export const FIRST_PAGE = 300;
export const PAGE = 5000;
export const PARALLEL = 3;

/** The [offset, limit] of every page after the first, in order. */
export function remainingPages(total: number, first = FIRST_PAGE, size = PAGE): [number, number][] {
  const pages: [number, number][] = [];
  for (let offset = first; offset < total; offset += size) pages.push([offset, Math.min(size, total - offset)]);
  return pages;
}

/**
 * Joins pages in offset order. Spans that arrived between two page requests can shift the
 * pages by a few spans, so spans are kept once by id.
 */
export function joinPages(first: TraceDetail, rest: TraceDetail[]): TraceDetail {
  const seen = new Set<string>();
  const spans: Span[] = [];
  for (const page of [first, ...rest]) {
    for (const s of page.spans) {
      if (seen.has(s.span_id)) continue;
      seen.add(s.span_id);
      spans.push(s);
    }
  }
  const last = rest[rest.length - 1] ?? first;
  return { ...first, summary: last.summary, total_spans: last.total_spans, spans, logs: first.logs };
}

export interface TraceProgress {
  trace: TraceDetail;
  /** False while pages are still coming. */
  complete: boolean;
}

interface Prefetch {
  traceId: string;
  limit: number;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __tokenscopeTracePrefetch?: Prefetch;
  }
}

/**
 * The first page: the answer public/prefetch.js asked for before the app started, when it is
 * for this trace (once), else a request of its own. A prefetched answer that is not a plain
 * success is asked again through the API client, which reports it as any other (a 401 goes to
 * the login page).
 */
async function firstPage(traceId: string, signal?: AbortSignal): Promise<TraceDetail> {
  const early = window.__tokenscopeTracePrefetch;
  window.__tokenscopeTracePrefetch = undefined;
  if (early && early.traceId === traceId) {
    const response = await early.response.catch(() => null);
    if (response?.ok) return (await response.json()) as TraceDetail;
  }
  return getTracePage(traceId, 0, FIRST_PAGE, signal);
}

/**
 * Resolves after the browser has painted what the last update rendered and then had an idle
 * moment (at most 300 ms later): the first rows take input before the background pages
 * start arriving.
 */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => whenIdle(resolve, 300)));
}

/** Runs `f` when the main thread is idle, or after `timeout` ms at the latest. */
export function whenIdle(f: () => void, timeout: number): void {
  if ('requestIdleCallback' in window) window.requestIdleCallback(() => f(), { timeout });
  else setTimeout(f, 0);
}

/**
 * Calls `onUpdate` with the first page as soon as it is there, and with the whole trace once
 * every page has arrived. Rejects on the first failed request.
 */
export async function loadTrace(traceId: string, onUpdate: (p: TraceProgress) => void, signal?: AbortSignal): Promise<void> {
  const first = await firstPage(traceId, signal);
  const pages = remainingPages(first.total_spans, first.spans.length);
  onUpdate({ trace: first, complete: pages.length === 0 });
  if (pages.length === 0) return;
  // The rest waits for the first rows to be on screen: on a small machine the server's work
  // for the other pages would otherwise compete with the first paint.
  await afterPaint();
  signal?.throwIfAborted();
  const results: TraceDetail[] = new Array(pages.length);
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const i = next++;
      const [offset, limit] = pages[i]!;
      results[i] = await getTracePage(traceId, offset, limit, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, pages.length) }, worker));
  onUpdate({ trace: joinPages(first, results), complete: true });
}
