// A trace of 50,000 spans in the web UI: it opens, shows its root, renders only the rows in
// view, scrolls to its last span, and its collapsed root adds up to the trace's totals. A
// correctness check with no timing assertions; tests/e2e/bench_big_trace.mjs measures the speed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { sendBigTrace } from './lib/big_trace.mjs';
import { startServer } from './lib/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.TOKENSCOPE_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.TOKENSCOPE_ARTIFACTS || resolve(HERE, '..', '..', 'build', 'test-artifacts', 'ui');
const SPANS = 50_000;
const haveChromium = existsSync(CHROMIUM);

let server;
let browser;
let shape;

before(async () => {
  // The default per-trace limit is off; set one above the trace to show the flag it needs.
  server = await startServer({ extraArgs: ['--max-spans-per-trace', String(SPANS + 1000)] });
  shape = await sendBigTrace(server, SPANS);
  if (haveChromium) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the server holds the whole trace', async () => {
  const trace = await (await fetch(server.url(`/api/v1/traces/${shape.traceId}?limit=1`))).json();
  assert.equal(trace.total_spans, SPANS);
  assert.equal(trace.summary.span_count, SPANS);
});

test('a 50,000-span trace opens, scrolls to its last span and adds up', { skip: !haveChromium && `no browser at ${CHROMIUM}`, timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url(`/traces/${shape.traceId}`));
    const root = page.locator(`[data-testid=wf-row][data-span-id="${shape.rootId}"]`);
    await root.waitFor();
    assert.match(await root.textContent(), /nightly batch/);
    assert.equal(await root.getAttribute('data-critical'), 'true', 'the root is on the critical path');
    assert.equal(await page.getByTestId('trace-title').textContent(), 'nightly batch');
    const rendered = await page.getByTestId('wf-row').count();
    assert.ok(rendered > 10 && rendered < 150, `only the rows in view are rendered (${rendered} of ${SPANS})`);

    // The first page is shown while the rest of the trace arrives.
    await page.getByTestId('trace-loading').waitFor({ state: 'detached' });
    assert.equal(await page.locator('.stats .stat', { hasText: 'Spans' }).locator('dd').textContent(), SPANS.toLocaleString('en-US'));

    // The bottom of the waterfall is the last span depth first.
    await page.locator('.wf-body').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    const last = page.locator(`[data-testid=wf-row][data-span-id="${shape.lastId}"]`);
    await last.waitFor();
    assert.match(await last.textContent(), new RegExp(shape.lastName));
    await last.click();
    assert.equal(await page.locator('[data-testid=span-panel] h2').textContent(), shape.lastName);
    await page.screenshot({ path: join(ARTIFACTS, 'trace-50k-end.png') });

    // Collapsed, the root stands for the whole trace: its subtree's tokens and cost are the
    // trace summary's.
    const { summary } = await (await fetch(server.url(`/api/v1/traces/${shape.traceId}?limit=1`))).json();
    await page.getByTestId('collapse-all').click();
    assert.equal(await page.getByTestId('wf-row').count(), 1);
    const figures = page.locator(`[data-testid=wf-row][data-span-id="${shape.rootId}"] [data-testid=wf-figures]`);
    assert.equal(Number(await figures.getAttribute('data-tokens')), summary.total_tokens);
    assert.equal(Number(await figures.getAttribute('data-cost-nanos')), summary.cost_nanos_usd);
    assert.ok(summary.total_tokens > 0);
    // Expanding the root shows its 500 steps; the last one ends last, so it is on the critical path.
    await page.getByTestId('wf-toggle').first().click();
    await page.locator('.wf-body').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    const lastStep = page.locator('[data-testid=wf-row][data-critical]', { hasText: 'step 499' });
    await lastStep.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'trace-50k-collapsed.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
