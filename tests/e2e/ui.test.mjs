// The web UI in a real browser: a real server filled by `tokenscope demo`, driven with
// playwright-core and Debian's chromium (never a downloaded browser).
//
// Checks how the UI is served (content types, cache headers, the single-page-app fallback for
// deep links, API 404s staying JSON), then walks the product in light and dark color schemes:
// the traces page, a filter search, a malformed filter's message, a trace's waterfall
// (collapse, expand, row virtualization on a trace of several hundred spans), an LLM span's
// messages and tokens, the token view's hover details, and the dashboard (GET /api/v1/metrics
// and /api/v1/costs): one drawn series per series the API answered, a cost table that adds up
// to the API's total, its CSV, another grouping, a filter answered by a scan, and an empty
// range. Screenshots of every page go to $TOKENSCOPE_ARTIFACTS (default build/test-artifacts/ui).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startServer, tokenscopeBinary } from './lib/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.TOKENSCOPE_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.TOKENSCOPE_ARTIFACTS || resolve(HERE, '..', '..', 'build', 'test-artifacts', 'ui');
const DEMO_TRACES = 130; // two evaluation batches of several hundred spans among them
const UI_TIMEOUT_MS = 15_000;

const haveChromium = existsSync(CHROMIUM);
let server;
let browser;
let metricsStatus; // of GET /api/v1/metrics: 404 on a server without the analytics API

before(async () => {
  server = await startServer();
  const { stdout } = await promisify(execFile)(tokenscopeBinary(), [
    'demo', '--endpoint', server.baseUrl, '--traces', String(DEMO_TRACES), '--spread', '2h',
  ], { timeout: 60_000 });
  assert.match(stdout, new RegExp(`sent ${DEMO_TRACES} traces`));
  if (haveChromium) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  metricsStatus = (await fetch(server.url('/api/v1/metrics?metric=requests'))).status;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(path) {
  const response = await fetch(server.url(path));
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return response.json();
}

describe('serving the UI', () => {
  test('index.html is never cached, hashed assets are immutable, types are right', async () => {
    const index = await fetch(server.url('/'));
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.ok(index.headers.get('etag'));
    const html = await index.text();
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(scripts.some((s) => s.endsWith('.js')), html);
    for (const path of scripts) {
      const asset = await fetch(server.url(path));
      assert.equal(asset.status, 200, path);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(asset.headers.get('content-type'), path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
    const again = await fetch(server.url('/'), { headers: { 'If-None-Match': index.headers.get('etag') } });
    assert.equal(again.status, 304);
  });

  test('deep links load the app; API paths keep their JSON answers', async () => {
    const deep = await fetch(server.url('/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331'));
    assert.equal(deep.status, 200);
    assert.match(deep.headers.get('content-type'), /^text\/html/);
    const missingAsset = await fetch(server.url('/assets/nope-12345678.js'));
    assert.equal(missingAsset.status, 404);
    const unknownApi = await fetch(server.url('/api/v1/nope'));
    assert.equal(unknownApi.status, 404);
    assert.equal((await unknownApi.json()).error.code, 'not_found');
    const health = await fetch(server.url('/healthz'));
    assert.deepEqual(await health.json(), { status: 'ok' });
  });
});

for (const scheme of ['light', 'dark']) {
  describe(`the UI in a browser (${scheme})`, { skip: !haveChromium && `no browser at ${CHROMIUM}` }, () => {
    let page;
    const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}-${scheme}.png`) });

    before(async () => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
    });

    test('traces page lists the demo traces', async () => {
      const started = Date.now();
      await page.goto(server.url('/'));
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const loadMs = Date.now() - started;
      const rows = await page.locator('[data-testid=traces-table] tbody tr').count();
      assert.equal(rows, 50, 'one page of 50, not everything');
      await page.getByTestId('load-more').waitFor();
      console.log(`traces page: first rows after ${loadMs} ms`);
      await shot('traces');
    });

    test('a filter narrows the list and lives in the URL; a bad one shows the server message', async () => {
      await page.getByTestId('filter').fill('status = error');
      await page.getByTestId('filter').press('Enter');
      await page.waitForURL(/q=status/);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=traces-table] tbody tr').length > 0 &&
        [...document.querySelectorAll('[data-testid=traces-table] tbody tr')].every((r) => r.classList.contains('has-error')));
      await shot('traces-filtered');
      await page.getByTestId('filter').fill('duration > ');
      await page.getByTestId('filter').press('Enter');
      const message = await page.getByTestId('filter-error').textContent();
      assert.match(message, /position|expected/i);
      await shot('traces-bad-filter');
    });

    test('a large trace: virtualized waterfall, collapse and expand', async () => {
      const { traces } = await api(`/api/v1/traces?filter=${encodeURIComponent('name = "eval.run nightly-regression"')}&limit=1`);
      assert.equal(traces.length, 1);
      const big = traces[0];
      assert.ok(big.span_count > 300, `${big.span_count} spans`);
      const started = Date.now();
      await page.goto(server.url(`/traces/${big.trace_id}`));
      await page.getByTestId('wf-row').first().waitFor();
      console.log(`waterfall of ${big.span_count} spans: first rows after ${Date.now() - started} ms`);
      const rendered = await page.getByTestId('wf-row').count();
      assert.ok(rendered < 120, `only rows in view are rendered (${rendered} of ${big.span_count})`);
      await page.getByTestId('collapse-all').click();
      assert.equal(await page.getByTestId('wf-row').count(), 1);
      await page.getByTestId('wf-toggle').first().click();
      const expanded = await page.getByTestId('wf-row').count();
      assert.ok(expanded > 1 && expanded < 120, `${expanded} rows after expanding the root`);
      await page.getByTestId('expand-all').click();
      await page.locator('.wf-body').evaluate((el) => { el.scrollTop = el.scrollHeight; });
      // Rows are rendered for the new scroll position (window rendering follows the scroll).
      await page.waitForFunction(() => {
        const body = document.querySelector('.wf-body');
        return body.scrollTop > 1000 && [...body.querySelectorAll('.wf-row')]
          .some((row) => row.offsetTop >= body.scrollTop && row.offsetTop < body.scrollTop + body.clientHeight);
      });
      await shot('trace-large');
    });

    test('an agent trace: tool calls with arguments in the LLM span messages', async () => {
      const { traces } = await api(`/api/v1/traces?filter=${encodeURIComponent('service = "agent-worker" and status != error')}&limit=1&since=24h`);
      assert.equal(traces.length, 1);
      await page.goto(server.url(`/traces/${traces[0].trace_id}`));
      await page.locator('[data-testid=wf-row][data-kind=llm]').first().click();
      await page.waitForURL(/span=/);
      await page.getByTestId('input-messages').waitFor();
      const output = await page.getByTestId('output-messages').textContent();
      assert.match(output, /CALL/);
      assert.match(output, /lookup_order|check_refund_eligibility|create_return_label/);
      await shot('trace-agent-messages');
      await page.getByTestId('tab-overview').click();
      const usage = await page.getByTestId('usage').textContent();
      assert.match(usage, /Input/);
      assert.match(usage, /Output/);
      assert.match(usage, /\$/);
      await shot('trace-agent-usage');
    });

    test('a RAG trace: retrieved documents with scores', async () => {
      const { traces } = await api(`/api/v1/traces?filter=${encodeURIComponent('name = "reranker.rank"')}&limit=1`);
      await page.goto(server.url(`/traces/${traces[0].trace_id}`));
      await page.locator('[data-testid=wf-row][data-kind=rerank]').first().click();
      await page.getByTestId('tab-documents').click();
      const docs = await page.getByTestId('documents').first().textContent();
      assert.match(docs, /kb-\d+/);
      assert.match(docs, /0\.\d{3}/);
      await shot('trace-rag-documents');
    });

    test('a streamed chat: the token view shades tokens and explains one on hover', async () => {
      const { spans } = await api(`/api/v1/spans?filter=${encodeURIComponent('service = "chat-frontend" and operation = "chat" and status != error')}&limit=1`);
      assert.equal(spans.length, 1);
      const llmSpan = spans[0];
      assert.ok(llmSpan.llm.logprobs.length > 5);
      // A deep link straight to the span.
      await page.goto(server.url(`/traces/${llmSpan.trace_id}?span=${llmSpan.span_id}`));
      await page.getByTestId('span-panel').waitFor();
      await page.getByTestId('tab-tokens').click();
      const tokens = page.getByTestId('token');
      assert.equal(await tokens.count(), llmSpan.llm.logprobs.length);
      await tokens.nth(3).hover();
      const detail = await page.getByTestId('token-detail').textContent();
      assert.match(detail, /p = [\d.<]+%/);
      assert.match(detail, /logprob -?\d/);
      await shot('trace-token-view');
    });

    test('the dashboard: a series drawn per series answered, a cost table adding up to the total', async (t) => {
      if (metricsStatus === 404) {
        t.skip('GET /api/v1/metrics answers 404: this server has no analytics API, the dashboard has nothing to show');
        return;
      }
      // Every answer the page gets, to hold what it draws against.
      const answers = new Map();
      const pending = [];
      const onResponse = (response) => {
        const url = new URL(response.url());
        if (url.pathname === '/api/v1/metrics') {
          pending.push(response.json().then((body) =>
            answers.set(`${url.searchParams.get('metric')}:${url.searchParams.get('agg') ?? ''}`, body)));
        } else if (url.pathname === '/api/v1/costs' && url.searchParams.get('format') !== 'csv') {
          pending.push(response.json().then((body) => answers.set('costs', { url, body })));
        }
      };
      page.on('response', onResponse);
      await page.goto(server.url('/'));
      await page.getByTestId('nav-dashboard').click();
      await page.waitForURL((url) => url.pathname === '/dashboard');
      await page.getByTestId('cost-table').waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-testid=dashboard-status]')?.textContent);
      await Promise.all(pending);
      page.off('response', onResponse);
      assert.equal(await page.getByTestId('dashboard-error').count(), 0);
      assert.equal(answers.size, 10, [...answers.keys()].join(' '));

      const hasData = (series) => series.some((s) => s.points.some(([, v]) => v !== null && v !== 0));
      const label = (s) => (s.other ? /^Other/ : s.group.model === '' ? '(none)' : s.group.model);
      const grouped = {
        'chart-requests': answers.get('requests:rate').series,
        'chart-error-rate': answers.get('error_rate:').series,
        'chart-ttft': answers.get('ttft:p95').series,
        'chart-cost': answers.get('cost:sum').series,
      };
      assert.ok(hasData(grouped['chart-requests']) && hasData(grouped['chart-cost']), 'the demo traces are in the range');
      for (const [id, series] of Object.entries(grouped)) {
        const chart = page.getByTestId(id);
        if (!hasData(series)) {
          await chart.getByTestId('chart-empty').waitFor();
          continue;
        }
        assert.equal(await chart.locator('g.series').count(), series.length, id);
        const legend = await chart.getByTestId('legend-item').allTextContents();
        assert.equal(legend.length, series.length, id);
        series.forEach((s, i) => (s.other ? assert.match(legend[i], label(s)) : assert.equal(legend[i], label(s))));
      }
      // Ungrouped: latency p50/p95/p99, tokens input/output.
      for (const agg of ['p50', 'p95', 'p99']) assert.equal(answers.get(`latency:${agg}`).series.length, 1, agg);
      assert.deepEqual(await page.getByTestId('chart-latency').getByTestId('legend-item').allTextContents(), ['p50', 'p95', 'p99']);
      assert.equal(await page.getByTestId('chart-latency').locator('g.series').count(), 3);
      assert.deepEqual(await page.getByTestId('chart-tokens').getByTestId('legend-item').allTextContents(), ['input', 'output']);
      assert.equal(await page.getByTestId('chart-tokens').locator('g.series').count(), 2);

      // The cost table: the API's rows in its order, and a total that is their sum.
      const { url: costsUrl, body: costs } = answers.get('costs');
      assert.equal(costsUrl.searchParams.get('group_by'), 'model');
      assert.ok(costs.rows.length > 0);
      const cells = await page.getByTestId('cost-cell').evaluateAll((els) => els.map((e) => Number(e.dataset.nanos)));
      assert.deepEqual(cells, costs.rows.map((r) => r.cost_nanos_usd));
      const shownTotal = Number(await page.getByTestId('cost-total').getAttribute('data-nanos'));
      assert.equal(shownTotal, costs.total.cost_nanos_usd);
      assert.equal(cells.reduce((a, b) => a + b, 0), shownTotal, 'the rows add up to the total');
      const totalText = (await page.getByTestId('cost-total').textContent()).replace(/[$,]/g, '');
      assert.ok(Math.abs(Number(totalText) - costs.total.cost_usd) < 0.005 + 1e-9, `${totalText} vs ${costs.total.cost_usd}`);
      // The cost over time adds up to the same money.
      const chartCost = grouped['chart-cost'].reduce((sum, s) => sum + s.total, 0);
      assert.ok(Math.abs(chartCost - costs.total.cost_usd) < 1e-6, `${chartCost} vs ${costs.total.cost_usd}`);
      const provenance = await page.getByTestId('dashboard-path').textContent();
      assert.match(provenance, /answered from (rollup|scan)/);
      await shot('dashboard');
      // Hovering a chart reads out every series at that bucket.
      await page.getByTestId('chart-cost').locator('svg').hover();
      const readout = await page.getByTestId('chart-tooltip').textContent();
      for (const s of grouped['chart-cost'].filter((x) => !x.other)) assert.ok(readout.includes(s.group.model), readout);
      // A group has one colour on every chart.
      const swatches = (id) => page.getByTestId(id).getByTestId('legend-item').evaluateAll((items) =>
        Object.fromEntries(items.map((li) => [li.textContent, li.querySelector('.swatch-dot').style.background])));
      const [requestColors, costColors] = [await swatches('chart-requests'), await swatches('chart-cost')];
      for (const [name, color] of Object.entries(costColors)) {
        if (name in requestColors) assert.equal(requestColors[name], color, name);
      }

      // The CSV behind the link: a header, one line per row, and the TOTAL line.
      const href = await page.getByTestId('download-csv').getAttribute('href');
      assert.match(href, /^\/api\/v1\/costs\?.*format=csv/);
      const csv = await fetch(server.url(href));
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type'), /^text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      assert.equal(lines.length, costs.rows.length + 2);
      assert.match(lines.at(-1), /^TOTAL,/);
    });

    test('the dashboard by service, with a filter answered by a scan, and an empty range', async (t) => {
      if (metricsStatus === 404) {
        t.skip('GET /api/v1/metrics answers 404: this server has no analytics API, the dashboard has nothing to show');
        return;
      }
      await page.getByTestId('group-by').selectOption('service');
      await page.waitForURL(/group=service/);
      await page.waitForFunction(() => document.querySelector('[data-testid=cost-table] th')?.textContent === 'Service');
      const byService = await api('/api/v1/costs?group_by=service&since=24h');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=cost-row]').length === n, byService.rows.length);
      assert.deepEqual(await page.locator('[data-testid=cost-row] td.name').allTextContents(),
        byService.rows.map((r) => (r.other ? 'Other' : r.group.service)));
      const requests = await api('/api/v1/metrics?metric=requests&agg=rate&group_by=service&since=24h');
      assert.equal(await page.getByTestId('chart-requests').locator('g.series').count(), requests.series.length);

      // A condition the rollups do not hold: the same page, answered by scanning spans.
      await page.getByTestId('dashboard-filter').fill('duration > 1s');
      await page.getByTestId('dashboard-filter').press('Enter');
      await page.waitForURL(/q=duration/);
      await page.waitForFunction(() => /scan/.test(document.querySelector('[data-testid=dashboard-path]')?.textContent ?? ''));
      await page.getByTestId('cost-table').waitFor();
      await shot('dashboard-scan');

      await page.goto(server.url('/dashboard?range=custom&start=2001-01-01T00:00&end=2001-01-01T06:00'));
      await page.getByTestId('dashboard-empty').waitFor();
      assert.match(await page.getByTestId('dashboard-empty').textContent(), /No LLM calls in this range/);
      assert.equal(await page.locator('[data-testid^=chart-]').count(), 0, 'one empty state, no empty charts');
      assert.equal(await page.getByTestId('cost-table').count(), 0);
      assert.equal(await page.getByTestId('dashboard-error').count(), 0);
      await shot('dashboard-empty');
    });
  });
}
