#!/usr/bin/env node
// How fast a trace of 50,000 spans opens in the web UI, measured in a real browser against a
// real server: a measurement that prints figures, not a test with timed assertions.
//
//   TOKENSCOPE_BIN=build/tokenscope node tests/e2e/bench_big_trace.mjs [--spans N] [--runs N]
//
// Each run opens /traces/<id> in a fresh browser context (nothing cached) and reads, from the
// page's own clock (performance.now(), 0 = navigation start):
//   app js     when the UI's script had arrived
//   api start  when the request for the trace's first page was sent
//   api        when the answer had fully arrived (resource timing)
//   fetched    when it was parsed into objects (the UI's 'trace-fetched' mark)
//   tree       when the span tree of the first page was built ('trace-tree-built')
//   rows       when the waterfall's first rows were rendered ('waterfall-rows')
//   complete   when every page of the trace had arrived ('trace-complete'; the UI shows the
//              first page while the rest is fetched)
//   full tree  when the span tree of the whole trace was built (the last 'trace-tree-built')
//   interactive when the page next ran a script after the rows were up (the main thread was
//              free: clicks and scrolls are handled from then on)
//     busy     of that, how long the page's main thread was working (CDP TaskDuration), and
//     script / layout  how much of it was JavaScript and style + layout
//   click      ms from clicking a row to its span panel being on screen
// and scrolling:
//   to-end     ms from jumping to the bottom of the waterfall to the last span's row rendered
//   jump       frame times (p50 / p95 / max ms) while scrolling through the whole trace in
//              100 steps, one per animation frame, and how many frames took over 50 ms
//   glide      the same for scrolling 150 px per frame for 120 frames
// It prints every run and the median of each figure.

import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { sendBigTrace } from './lib/big_trace.mjs';
import { startServer } from './lib/server.mjs';

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: process.env.TOKENSCOPE_CHROMIUM || '/usr/bin/chromium' },
  },
});
const SPANS = Number(args.spans);
const RUNS = Number(args.runs);

if (!existsSync(args.chromium)) {
  console.error(`no browser at ${args.chromium} (set TOKENSCOPE_CHROMIUM)`);
  process.exit(2);
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0).padStart(7) : '      –');

async function measureOpen(browser, server, shape) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  // The renderer's own busy time (CDP Performance.getMetrics): on a machine busy with other
  // work, wall-clock figures include waiting for a CPU; this is the work the page itself did.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
    return { task: get('TaskDuration'), script: get('ScriptDuration'), layout: get('LayoutDuration') + get('RecalcStyleDuration') };
  };
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url(`/traces/${shape.traceId}`), { waitUntil: 'commit' });
  await page.locator('[data-testid=wf-row]').first().waitFor();
  const interactive = await page.evaluate(() => performance.now());
  const work = await busy();
  const marks = await page.evaluate((traceId) => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const api = performance.getEntriesByType('resource').find((r) => r.name.includes(`/api/v1/traces/${traceId}`));
    return {
      apiStart: api ? api.requestStart : NaN,
      apiFirstByte: api ? api.responseStart : NaN,
      api: api ? api.responseEnd : NaN,
      bytes: api ? api.encodedBodySize : NaN,
      fetched: mark('trace-fetched'),
      tree: mark('trace-tree-built'),
      rows: mark('waterfall-rows'),
      script: performance.getEntriesByType('resource').find((r) => r.name.includes('/assets/') && r.name.endsWith('.js'))?.responseEnd ?? NaN,
      domInteractive: performance.getEntriesByType('navigation')[0]?.domInteractive ?? NaN,
    };
  }, shape.traceId);

  // Interactive: a click on the second row opens its span panel.
  const clickStarted = Date.now();
  await page.locator('[data-testid=wf-row]').nth(1).click();
  await page.getByTestId('span-panel').waitFor();
  const click = Date.now() - clickStarted;

  await page.getByTestId('trace-loading').waitFor({ state: 'detached' });
  const completion = await page.evaluate(() => {
    const trees = performance.getEntriesByName('trace-tree-built');
    return {
      complete: performance.getEntriesByName('trace-complete')[0]?.startTime ?? NaN,
      fullTree: trees.length ? trees[trees.length - 1].startTime : NaN,
    };
  });

  // Jump to the end: the last span's row must be rendered.
  const toEnd = await page.evaluate(async (lastId) => {
    const body = document.querySelector('.wf-body');
    const started = performance.now();
    body.scrollTop = body.scrollHeight;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (document.querySelector(`[data-testid=wf-row][data-span-id="${lastId}"]`)) return performance.now() - started;
      if (performance.now() - started > 10_000) return NaN;
    }
  }, shape.lastId);

  // Scrolling, one step per frame, timing the frames: `jump` crosses the whole trace in 100
  // steps (every frame shows new rows only), `glide` moves 150 px a frame for 120 frames, like
  // a fast flick of a wheel or trackpad.
  const scrollFrames = (steps, stride) => page.evaluate(async ([steps, stride]) => {
    const body = document.querySelector('.wf-body');
    body.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(r));
    const step = stride ?? (body.scrollHeight - body.clientHeight) / steps;
    const times = [];
    let last = performance.now();
    for (let i = 1; i <= steps; i++) {
      body.scrollTop = i * step;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1], slow: times.filter((t) => t > 50).length };
  }, [steps, stride]);
  const frames = await scrollFrames(100, null);
  const glide = await scrollFrames(120, 150);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { ...marks, ...completion, interactive, work, click, toEnd, frames, glide };
}

async function main() {
  const server = await startServer({ extraArgs: ['--max-spans-per-trace', String(SPANS + 1000)] });
  try {
    const sendStarted = Date.now();
    const shape = await sendBigTrace(server, SPANS);
    console.log(`sent ${SPANS} spans in ${Date.now() - sendStarted} ms (trace ${shape.traceId})`);
    const check = await (await fetch(server.url(`/api/v1/traces/${shape.traceId}?limit=1`))).json();
    if (check.total_spans !== SPANS) throw new Error(`the server holds ${check.total_spans} spans, not ${SPANS}`);

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
    const runs = [];
    try {
      for (let i = 0; i < RUNS; i++) runs.push(await measureOpen(browser, server, shape));
    } finally {
      await browser.close();
    }

    const columns = [
      ['app js', (r) => r.script],
      ['api start', (r) => r.apiStart],
      ['api', (r) => r.api],
      ['fetched', (r) => r.fetched],
      ['tree', (r) => r.tree],
      ['rows', (r) => r.rows],
      ['interactive', (r) => r.interactive],
      ['  busy', (r) => r.work.task],
      ['  script', (r) => r.work.script],
      ['  layout', (r) => r.work.layout],
      ['click', (r) => r.click],
      ['complete', (r) => r.complete],
      ['full tree', (r) => r.fullTree],
      ['to-end', (r) => r.toEnd],
      ['jump p50', (r) => r.frames.p50],
      ['jump p95', (r) => r.frames.p95],
      ['jump max', (r) => r.frames.max],
      ['jump >50ms', (r) => r.frames.slow],
      ['glide p50', (r) => r.glide.p50],
      ['glide p95', (r) => r.glide.p95],
      ['glide max', (r) => r.glide.max],
      ['glide >50ms', (r) => r.glide.slow],
    ];
    // Other work on the machine slows the browser and the server alike: say how busy it was.
    console.log(`\n${SPANS} spans, ${RUNS} runs; times in ms from navigation start (first page: ${(runs[0].bytes / 1e6).toFixed(1)} MB); ` +
      `${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    // One line per figure: every run, then the median.
    console.log(`${'figure'.padEnd(14)}${runs.map((_, i) => `run ${i + 1}`.padStart(9)).join('')}${'median'.padStart(10)}`);
    for (const [name, f] of columns) {
      console.log(`${name.padEnd(14)}${runs.map((r) => fmt(f(r)).padStart(9)).join('')}${fmt(median(runs.map(f))).padStart(10)}`);
    }
    const rows = median(runs.map((r) => r.interactive));
    console.log(`\nmedian time to an interactive waterfall: ${rows.toFixed(0)} ms (${rows < 1000 ? 'under' : 'OVER'} one second)`);
  } finally {
    await server.stop();
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exit(1);
}
