// The web UI in a real browser: a real server filled by `tokenscope demo`, driven with
// playwright-core and Debian's chromium (never a downloaded browser).
//
// Checks how the UI is served (content types, cache headers, the single-page-app fallback for
// deep links, API 404s staying JSON), then walks the product in light and dark color schemes:
// the traces page, a filter search with suggestions as you type, facets and sortable columns, a
// malformed filter's message, a trace's waterfall (collapse, expand, row virtualization on a
// trace of several hundred spans, kind icons, the critical path, subtree totals), an LLM span's
// messages and tokens, the token view (hover details, entropy, the least confident tokens, the
// stream's arrival timeline, where the prompt tokens went), a reranker's input and output
// scores, and the dashboard (GET /api/v1/metrics and /api/v1/costs): one drawn series per series
// the API answered, a cost table that adds up to the API's total, its CSV, another grouping, a
// filter answered by a scan, an empty range, and a click on a chart point opening the traces
// behind it. Screenshots of every page go to $TOKENSCOPE_ARTIFACTS (default
// build/test-artifacts/ui).

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

const q = encodeURIComponent;

/** The critical path from the API's spans: from the root ending last, the child ending last. */
function criticalPathOf(spans) {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map();
  for (const s of spans) {
    const parent = ids.has(s.parent_span_id) ? s.parent_span_id : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(s);
  }
  const end = (s) => BigInt(s.end_time_unix_nano);
  const start = (s) => BigInt(s.start_time_unix_nano);
  const later = (a, b) => end(a) > end(b) || (end(a) === end(b) && start(a) > start(b));
  const path = [];
  let level = children.get('') ?? [];
  while (level.length > 0) {
    const best = level.reduce((m, s) => (later(s, m) ? s : m));
    path.push(best.span_id);
    level = children.get(best.span_id) ?? [];
  }
  return path;
}

/** Gaps between token arrivals and the stalls among them (over 3× the median, at least 1 ms). */
function stallsOf(offsets) {
  const t = offsets.slice().sort((a, b) => a - b);
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  const sorted = gaps.slice().sort((a, b) => a - b);
  const pos = (sorted.length - 1) / 2;
  const median = sorted.length ? sorted[Math.floor(pos)] + (sorted[Math.ceil(pos)] - sorted[Math.floor(pos)]) * (pos - Math.floor(pos)) : 0;
  return gaps.filter((g) => g > Math.max(3 * median, 1_000_000)).length;
}

/** Entropy in bits over the returned alternatives and the chosen token. */
function entropyOf(entry) {
  const seen = new Map();
  for (const a of entry.top ?? []) if (!seen.has(a.token)) seen.set(a.token, a.logprob);
  if (!seen.has(entry.token)) seen.set(entry.token, entry.logprob);
  let h = 0;
  for (const lp of seen.values()) {
    const p = Math.exp(lp);
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
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
      // The position the server names is marked under the filter.
      assert.equal(await page.locator('[data-testid=filter-error] .caret-line').count(), 1);
      await shot('traces-bad-filter');
    });

    test('the search box suggests fields, operators and values as you type', async () => {
      await page.goto(server.url('/'));
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const box = page.getByTestId('filter');
      await box.fill('');
      await box.pressSequentially('mo');
      await page.getByTestId('suggestions').waitFor();
      assert.deepEqual(await page.getByTestId('suggestion').locator('.mono').allTextContents(), ['model']);
      await box.press('Tab');
      assert.equal(await box.inputValue(), 'model ');
      // After a field: its operators.
      await page.getByTestId('suggestions').waitFor();
      assert.deepEqual(await page.getByTestId('suggestion').locator('.mono').allTextContents(), ['=', '!=', '~', 'in']);
      await box.pressSequentially('= "');
      // After the operator: the models the server knows (from the model facet).
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=suggestion]').length > 0);
      const models = await page.getByTestId('suggestion').locator('.mono').allTextContents();
      const { rows } = await api('/api/v1/costs?group_by=model&since=24h');
      assert.ok(models.length > 0 && models.every((m) => rows.some((r) => r.group.model === m)), models.join(', '));
      await shot('traces-suggestions');
      await box.press('ArrowDown');
      await box.press('Enter');
      assert.equal(await box.inputValue(), `model = "${models[0]}" `);
      await box.press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === `model = "${models[0]}"`);
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      await box.press('Escape');
    });

    test('facets: counts from the API, a pick narrows the list and stays in the URL', async () => {
      await page.goto(server.url('/'));
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const modelFacet = page.getByTestId('facet-model');
      await modelFacet.getByTestId('facet-value').first().waitFor();
      const { rows } = await api('/api/v1/costs?group_by=model&since=24h&limit=50');
      const shown = await modelFacet.getByTestId('facet-value').evaluateAll((els) =>
        els.map((e) => [e.dataset.value, e.querySelector('.facet-count').textContent]));
      for (const [value] of shown) assert.ok(rows.some((r) => r.group.model === value), value);
      assert.equal(shown[0][0], rows.filter((r) => !r.other && r.group.model)[0].group.model, 'the busiest model first');
      for (const f of ['service', 'status', 'error_class']) await page.getByTestId(`facet-${f}`).waitFor();
      const model = shown[0][0];
      await modelFacet.locator(`[data-testid=facet-value][data-value="${model}"]`).click();
      await page.waitForURL((url) => url.searchParams.get('model') === model);
      const expected = await api(`/api/v1/traces?since=24h&limit=50&filter=${q(`model = "${model}"`)}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=traces-table] tbody tr').length === n && !/Loading/.test(document.querySelector('[data-testid=trace-count]').textContent), expected.traces.length);
      assert.deepEqual(await page.getByTestId('compare-pick').evaluateAll((els) => els.map((e) => e.dataset.traceId)), expected.traces.map((t) => t.trace_id));
      // A second facet narrows further: status = error.
      const statusFacet = page.getByTestId('facet-status');
      await statusFacet.locator('[data-testid=facet-value][data-value="error"]').click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'error');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=traces-table] tbody tr')].every((r) => r.classList.contains('has-error')));
      await shot('traces-facets');
      await modelFacet.getByTestId('facet-clear').click();
      await page.waitForURL((url) => !url.searchParams.has('model'));
      await statusFacet.getByTestId('facet-clear').click();
      await page.waitForURL((url) => !url.searchParams.has('status'));
    });

    test('columns sort by start, duration, cost and tokens', async () => {
      await page.goto(server.url('/'));
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const column = async (testId, attr) => page.getByTestId(testId).evaluateAll((els, a) => els.map((e) => Number(e.dataset[a])), attr);
      const nonIncreasing = (xs) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);
      for (const [sort, order, cell, attr] of [
        ['sort-cost', 'cost_desc', 'cell-cost', 'nanos'],
        ['sort-duration', 'duration_desc', 'cell-duration', 'ns'],
        ['sort-tokens', 'tokens_desc', 'cell-tokens', 'tokens'],
      ]) {
        await page.getByTestId(sort).click();
        await page.waitForURL((url) => url.searchParams.get('order') === order);
        const expected = await api(`/api/v1/traces?since=24h&limit=50&order=${order}`);
        // The whole list, not its first row: the longest trace can also be the costliest, so
        // the first row alone cannot tell the new order's list from the previous one.
        await page.waitForFunction((ids) => {
          const shown = [...document.querySelectorAll('[data-testid=compare-pick]')].map((e) => e.dataset.traceId);
          return shown.length > 0 && shown.every((id, i) => id === ids[i]);
        }, expected.traces.map((t) => t.trace_id));
        const values = await column(cell, attr);
        assert.ok(nonIncreasing(values), `${order}: ${values.join(' ')}`);
        assert.equal(await page.locator('th.sorted').count(), 1);
      }
      await shot('traces-sorted');
      // Start: newest first, again for oldest first.
      await page.getByTestId('sort-start').click();
      await page.waitForURL((url) => !url.searchParams.has('order'));
      await page.getByTestId('sort-start').click();
      await page.waitForURL((url) => url.searchParams.get('order') === 'start_time_asc');
      const oldest = await api('/api/v1/traces?since=24h&limit=1&order=start_time_asc');
      await page.waitForFunction((first) => document.querySelector('[data-testid=compare-pick]')?.dataset.traceId === first, oldest.traces[0].trace_id);
      assert.equal(await page.locator('th.sorted[aria-sort=ascending]').count(), 1);
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

    test('the waterfall: kinds by icon, the critical path, subtree totals of a collapsed span', async () => {
      const { traces } = await api(`/api/v1/traces?filter=${q('service = "agent-worker" and status != error')}&limit=1&since=24h`);
      const trace = await api(`/api/v1/traces/${traces[0].trace_id}`);
      await page.goto(server.url(`/traces/${trace.trace_id}`));
      await page.getByTestId('wf-row').first().waitFor();
      assert.equal(await page.getByTestId('wf-row').count(), trace.spans.length, 'a small trace is rendered whole');
      // Every row has its kind's icon; the agent, LLM and tool kinds are all there.
      const kinds = await page.getByTestId('wf-row').evaluateAll((rows) => rows.map((r) => [r.dataset.kind, r.querySelector('[data-kind-icon]')?.dataset.kindIcon]));
      for (const [kind, icon] of kinds) assert.equal(icon, kind);
      for (const k of ['agent', 'llm', 'tool']) assert.ok(kinds.some(([kind]) => kind === k), k);
      // The critical path is the API's spans' chain of last-ending children.
      const expected = criticalPathOf(trace.spans);
      const marked = await page.locator('[data-testid=wf-row][data-critical]').evaluateAll((rows) => rows.map((r) => r.dataset.spanId));
      assert.deepEqual(marked, expected);
      assert.match(await page.getByTestId('critical-toggle').textContent(), new RegExp(`Critical path · ${expected.length}`));
      await shot('trace-critical-path');
      await page.getByTestId('critical-toggle').click();
      assert.equal(await page.locator('[data-testid=wf-row][data-critical]').count(), 0);
      await page.getByTestId('critical-toggle').click();
      // Collapsed, the root shows what its whole subtree cost: the trace summary's totals.
      await page.getByTestId('collapse-all').click();
      const figures = page.locator('[data-testid=wf-row] [data-testid=wf-figures]').first();
      assert.equal(Number(await figures.getAttribute('data-tokens')), trace.summary.total_tokens);
      assert.equal(Number(await figures.getAttribute('data-cost-nanos')), trace.summary.cost_nanos_usd);
      assert.match(await figures.textContent(), /Σ/);
      await shot('trace-collapsed-totals');
      await page.getByTestId('expand-all').click();
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
      // Each output document's rerank score beside its input (retrieval) score and rank.
      const ragTrace = await api(`/api/v1/traces/${traces[0].trace_id}`);
      const rerank = ragTrace.spans.find((s) => s.llm?.kind === 'rerank');
      // The root's subtree adds up to the summary, embeddings (input tokens only) included.
      const rootFigures = page.locator('[data-testid=wf-row] [data-testid=wf-figures]').first();
      assert.equal(Number(await rootFigures.getAttribute('data-tokens')), ragTrace.summary.total_tokens);
      assert.equal(Number(await rootFigures.getAttribute('data-cost-nanos')), ragTrace.summary.cost_nanos_usd);
      const rows = await page.getByTestId('rerank-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
      assert.equal(rows.length, rerank.llm.documents.length, 'every input document: kept or dropped');
      // The demo retrieves some documents twice: an output is the input with its id and score.
      const used = new Set();
      rerank.llm.output_documents.forEach((out, i) => {
        const input = rerank.llm.documents.findIndex((d, j) => !used.has(j) && d.id === out.id && d.score === out.score);
        used.add(input);
        assert.ok(input >= 0, out.id);
        assert.deepEqual(rows[i].slice(0, 5), [out.id, String(input + 1), rerank.llm.documents[input].score.toFixed(3), String(i + 1), (out.output_score ?? out.score).toFixed(3)]);
      });
      assert.ok(rows.slice(rerank.llm.output_documents.length).every((r) => r[3] === 'dropped'));
      await page.getByTestId('rerank-table').scrollIntoViewIfNeeded();
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
      // The alternatives the model considered, as the API returned them.
      const alternatives = await page.locator('[data-testid=token-detail] table.alts tr td:first-child').allTextContents();
      assert.deepEqual(alternatives, llmSpan.llm.logprobs[3].top.map((a) => JSON.stringify(a.token)));
      // Entropy over the returned alternatives, said to be a lower bound.
      const entropy = page.getByTestId('token-entropy');
      assert.equal(await entropy.textContent(), `entropy ≥ ${entropyOf(llmSpan.llm.logprobs[3]).toFixed(2)} bits`);
      assert.match(await entropy.getAttribute('title'), /lower bound/);
      await shot('trace-token-view');

      // The least confident tokens, lowest first; a click brings the token into view, marked.
      const lowest = llmSpan.llm.logprobs.map((t, i) => ({ ...t, i })).filter((t) => t.token.trim() !== '').sort((a, b) => a.logprob - b.logprob || a.i - b.i);
      const listed = await page.getByTestId('lowest-token').evaluateAll((els) => els.map((e) => Number(e.dataset.index)));
      assert.deepEqual(listed, lowest.slice(0, listed.length).map((t) => t.i));
      await page.getByTestId('lowest-token').first().click();
      const target = page.locator(`[data-testid=token][data-index="${listed[0]}"]`);
      await page.waitForFunction((i) => {
        const el = document.querySelector(`[data-testid=token][data-index="${i}"]`);
        const box = el.closest('.panel-body').getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return el.classList.contains('pinned') && r.top >= box.top && r.bottom <= box.bottom;
      }, listed[0]);
      assert.match(await page.getByTestId('token-detail').textContent(), /p = [\d.<]+%/);
      assert.ok(await target.isVisible());

      // Entropy shading.
      await page.getByTestId('shade-mode').getByText('Entropy').click();
      await page.getByTestId('entropy-strip').waitFor();

      // The stream: time to first token and stalls as the API's offsets give them.
      const timeline = page.getByTestId('stream-timeline');
      await timeline.scrollIntoViewIfNeeded();
      const stats = await page.getByTestId('timeline-stats').textContent();
      assert.match(stats, /First token/);
      const stalls = stallsOf(llmSpan.llm.timing.token_offsets_ns);
      assert.match(stats, new RegExp(`Stalls${stalls}`));
      assert.equal(await timeline.getByTestId('stall').count(), stalls);
      await shot('trace-token-timeline');

      // Where the prompt tokens went: an estimate adding up to the reported input tokens.
      const breakdown = page.getByTestId('prompt-breakdown');
      await breakdown.scrollIntoViewIfNeeded();
      assert.match(await breakdown.textContent(), /estimate/);
      const parts = await breakdown.getByTestId('breakdown-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.part));
      assert.ok(parts.includes('question'), parts.join(','));
      if (llmSpan.llm.system_instructions?.length) assert.ok(parts.includes('system'));
      const shares = await breakdown.getByTestId('breakdown-row').evaluateAll((trs) => trs.map((tr) => Number(tr.lastElementChild.textContent.replace('%', ''))));
      assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.5, shares.join(' '));
      await shot('trace-prompt-breakdown');
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
    test('the dashboard: a click on a chart point opens the traces of that series and bucket', async (t) => {
      if (metricsStatus === 404) {
        t.skip('GET /api/v1/metrics answers 404: this server has no analytics API');
        return;
      }
      const costAnswer = page.waitForResponse((r) => r.url().includes('/api/v1/metrics') && new URL(r.url()).searchParams.get('metric') === 'cost');
      await page.goto(server.url('/dashboard'));
      const cost = await (await costAnswer).json();
      const chart = page.getByTestId('chart-cost');
      await chart.getByTestId('chart-hit').waitFor();
      // The busiest model's busiest bucket: the bottom band of the stacked cost chart.
      const series = cost.series[0];
      assert.ok(!series.other);
      let bucket = 0;
      series.points.forEach(([, v], i) => { if ((v ?? 0) > (series.points[bucket][1] ?? 0)) bucket = i; });
      await chart.scrollIntoViewIfNeeded();
      const box = await chart.getByTestId('chart-hit').boundingBox();
      const n = series.points.length;
      await page.mouse.move(box.x + (bucket / (n - 1)) * box.width, box.y + box.height - 2);
      assert.match(await page.getByTestId('chart-tooltip').textContent(), /Click to see these traces/);
      await shot('dashboard-drill-hover');
      await page.mouse.click(box.x + (bucket / (n - 1)) * box.width, box.y + box.height - 2);
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('range') === 'custom');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('model'), series.group.model);
      assert.equal(url.searchParams.get('order'), 'cost_desc');
      // The bucket, in the browser's local time, as the range.
      const stepMs = Number(BigInt(cost.step_ns) / 1_000_000n);
      const startMs = Number(BigInt(series.points[bucket][0]) / 1_000_000n);
      const expectedRange = await page.evaluate(([a, b]) => [a, b].map((ms) => {
        const d = new Date(ms);
        const p = (x) => String(x).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      }), [startMs, startMs + stepMs]);
      assert.deepEqual([url.searchParams.get('start'), url.searchParams.get('end')], expectedRange);
      // The table lists what the API finds for that model and bucket, most expensive first.
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const startNs = (BigInt(startMs) * 1_000_000n).toString();
      const endNs = (BigInt(startMs + stepMs) * 1_000_000n).toString();
      const expected = await api(`/api/v1/traces?start=${startNs}&end=${endNs}&order=cost_desc&limit=50&filter=${q(`model = "${series.group.model}"`)}`);
      assert.ok(expected.traces.length > 0, 'the bucket had calls of that model');
      await page.waitForFunction((first) => document.querySelector('[data-testid=compare-pick]')?.dataset.traceId === first, expected.traces[0].trace_id);
      assert.deepEqual(await page.getByTestId('compare-pick').evaluateAll((els) => els.map((e) => e.dataset.traceId)), expected.traces.map((x) => x.trace_id));
      assert.equal(await page.locator(`[data-testid=facet-model] [data-testid=facet-value].on`).getAttribute('data-value'), series.group.model);
      await shot('dashboard-drill-traces');
    });
  });
}
