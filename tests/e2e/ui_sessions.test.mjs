// Sessions and compare: the API and the UI in a real browser (playwright-core driving Debian's
// chromium, never a downloaded browser), on a server filled by `tokenscope demo`, whose
// conversations span several traces of one user each.
//
// The API: GET /api/v1/sessions groups exactly what the trace summaries say (every session of
// the range, its user, trace count, first and last start, duration, LLM calls, tokens, cost and
// errors, recomputed here from GET /api/v1/traces), newest activity first; pages of it add up to
// the whole list; `user` keeps that user's sessions; GET /api/v1/sessions/{id} lists a session's
// traces oldest first with the same totals; bad parameters get a 400 naming them, an unknown
// session a 404.
//
// The UI, in light and dark: /sessions (from the header) shows the API's sessions row by row
// (user, traces, LLM calls, tokens, cost, errors, last activity); the user filter narrows it to
// the API's answer for that user; a session opens as a conversation, one turn per trace in order
// with the user's question and the reply read from the trace's LLM calls, tokens and cost per
// turn, and links to the trace and to a comparison with the turn before. Compare: two traces
// ticked on the traces page open /compare, whose summary figures and differences are the API's,
// whose aligned span tree holds every span of each trace once (paired spans share their name),
// and whose LLM calls show each side's model, tokens, cost and output as the trace API has them;
// swapping negates the differences. Screenshots go to $TOKENSCOPE_ARTIFACTS (default
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
const DEMO_TRACES = 120;
const UI_TIMEOUT_MS = 15_000;
const RAG_FILTER = 'name = "POST /v1/answer"';

const haveChromium = existsSync(CHROMIUM);
let server;
let browser;

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
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(path) {
  const response = await fetch(server.url(path));
  assert.equal(response.status, 200, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

const q = encodeURIComponent;

/** The sessions the trace summaries imply, grouped here independently of the server. */
function groupSessions(traces) {
  const sessions = new Map();
  for (const t of traces) {
    if (!t.session_id) continue;
    const s = sessions.get(t.session_id) ?? { traces: [] };
    s.traces.push(t);
    sessions.set(t.session_id, s);
  }
  const out = [];
  for (const [id, { traces: ts }] of sessions) {
    const starts = ts.map((t) => BigInt(t.start_time_unix_nano));
    const ends = ts.map((t) => BigInt(t.end_time_unix_nano));
    const first = starts.reduce((a, b) => (b < a ? b : a));
    const last = starts.reduce((a, b) => (b > a ? b : a));
    const end = [...ends, last].reduce((a, b) => (b > a ? b : a));
    const newest = ts.filter((t) => t.user_id).sort((a, b) =>
      (BigInt(b.start_time_unix_nano) > BigInt(a.start_time_unix_nano) ? 1 : -1))[0];
    const sum = (f) => ts.reduce((n, t) => n + t[f], 0);
    out.push({
      session_id: id,
      user_id: newest?.user_id ?? '',
      user_ids: [...new Set(ts.map((t) => t.user_id).filter(Boolean))].sort(),
      trace_count: ts.length,
      first_trace_start_unix_nano: String(first),
      last_trace_start_unix_nano: String(last),
      end_time_unix_nano: String(end),
      duration_ns: Number(end - first),
      span_count: sum('span_count'),
      llm_call_count: sum('llm_call_count'),
      input_tokens: sum('input_tokens'),
      output_tokens: sum('output_tokens'),
      total_tokens: sum('total_tokens'),
      cost_nanos_usd: sum('cost_nanos_usd'),
      error_count: sum('error_count'),
      errored_trace_count: ts.filter((t) => t.error_count > 0).length,
    });
  }
  return out.sort((a, b) => {
    const [x, y] = [BigInt(a.last_trace_start_unix_nano), BigInt(b.last_trace_start_unix_nano)];
    return x !== y ? (x > y ? -1 : 1) : a.session_id < b.session_id ? -1 : 1;
  });
}

/** The UI's formatCost (web/src/format.ts). */
function formatCost(usd) {
  if (usd === undefined || usd === 0) return '–';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** The name the compare page aligns a span by: an LLM span's without its model. */
function alignName(span) {
  for (const model of [span.llm?.response_model, span.llm?.request_model]) {
    if (model && span.name.includes(model)) return span.name.replace(model, '*');
  }
  return span.name;
}

/** The question a turn shows: the last user message of the trace's first LLM call with input. */
function expectedTurnText(trace) {
  const calls = trace.spans.filter((s) => s.llm?.kind === 'llm');
  const first = calls.find((s) => s.llm.input_messages?.length);
  const question = first?.llm.input_messages.filter((m) => m.role === 'user').at(-1);
  const answeredBy = calls.filter((s) => s.llm.output_messages?.length).at(-1);
  const textOf = (m) => m?.parts.find((p) => p.type === 'text')?.text;
  return { question: textOf(question), answer: textOf(answeredBy?.llm.output_messages.at(-1)) };
}

describe('the sessions API', () => {
  test('sessions are the trace summaries grouped by session id, newest activity first', async () => {
    const { traces } = await api('/api/v1/traces?since=24h&limit=1000');
    assert.ok(traces.length >= DEMO_TRACES, `${traces.length} traces`);
    const expected = groupSessions(traces);
    assert.ok(expected.some((s) => s.trace_count >= 2), 'the demo has conversations of several turns');
    assert.ok(expected.every((s) => s.user_ids.length === 1), 'one user per demo conversation');
    const answer = await api('/api/v1/sessions?since=24h&limit=1000');
    assert.equal(answer.partial, false);
    assert.equal(answer.partial_reason, null);
    assert.equal(answer.next_cursor, null);
    assert.equal(answer.traces_examined, traces.length);
    assert.equal(answer.sessions.length, expected.length);
    answer.sessions.forEach((s, i) => {
      const { cost_usd: costUsd, models, ...rest } = s;
      assert.deepEqual(rest, expected[i], s.session_id);
      assert.ok(Math.abs(costUsd - s.cost_nanos_usd / 1e9) < 1e-12);
      assert.ok(Array.isArray(models));
    });

    // Pages of 7 add up to the whole list.
    const paged = [];
    let cursor = null;
    for (let guard = 0; guard < 100; guard++) {
      const page = await api(`/api/v1/sessions?since=24h&limit=7${cursor ? `&cursor=${q(cursor)}` : ''}`);
      assert.ok(page.sessions.length <= 7);
      paged.push(...page.sessions.map((s) => s.session_id));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(paged, answer.sessions.map((s) => s.session_id));

    // One user's sessions.
    const user = expected[0].user_id;
    const mine = await api(`/api/v1/sessions?since=24h&limit=1000&user=${q(user)}`);
    assert.deepEqual(mine.sessions.map((s) => s.session_id),
      expected.filter((s) => s.user_ids.includes(user)).map((s) => s.session_id));
  });

  test('a session lists its traces oldest first with the same totals', async () => {
    const { sessions } = await api('/api/v1/sessions?since=24h&limit=1000');
    const longest = [...sessions].sort((a, b) => b.trace_count - a.trace_count)[0];
    const detail = await api(`/api/v1/sessions/${q(longest.session_id)}?since=24h`);
    assert.equal(detail.session_id, longest.session_id);
    assert.deepEqual(detail.session, longest);
    assert.equal(detail.traces.length, longest.trace_count);
    const starts = detail.traces.map((t) => BigInt(t.start_time_unix_nano));
    assert.ok(starts.every((s, i) => i === 0 || starts[i - 1] <= s), 'oldest first');
    assert.ok(detail.traces.every((t) => t.session_id === longest.session_id));
    const page = await api(`/api/v1/sessions/${q(longest.session_id)}?since=24h&offset=1&limit=1`);
    assert.deepEqual(page.traces.map((t) => t.trace_id), [detail.traces[1].trace_id]);
    assert.equal(page.session.trace_count, longest.trace_count);
  });

  test('bad parameters get a 400 naming them; an unknown session a 404', async () => {
    for (const [path, name] of [['/api/v1/sessions?limit=0', 'limit'], ['/api/v1/sessions?limit=5000', 'limit'],
      ['/api/v1/sessions?cursor=nope', 'cursor'], ['/api/v1/sessions?since=soon', 'since'],
      ['/api/v1/sessions/sess-1?limit=x', 'limit'], ['/api/v1/sessions/sess-1?offset=-1', 'offset']]) {
      const response = await fetch(server.url(path));
      assert.equal(response.status, 400, path);
      const body = await response.json();
      assert.equal(body.error.code, 'invalid_argument');
      assert.match(body.error.message, new RegExp(name), path);
    }
    const missing = await fetch(server.url(`/api/v1/sessions/${q('no such session/ü')}`));
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'not_found');
    const post = await fetch(server.url('/api/v1/sessions'), { method: 'POST' });
    assert.equal(post.status, 405);
  });
});

for (const scheme of ['light', 'dark']) {
  describe(`sessions and compare in a browser (${scheme})`, { skip: !haveChromium && `no browser at ${CHROMIUM}` }, () => {
    let context;
    let page;
    const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}-${scheme}.png`), fullPage: true });

    before(async () => {
      context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
    });
    after(async () => { await context?.close(); });

    /** The rows of the sessions table as the page shows them. */
    const shownSessions = () => page.getByTestId('session-row').evaluateAll((rows) => rows.map((row) => {
      const cell = (id) => row.querySelector(`[data-testid=${id}]`);
      return {
        id: row.dataset.sessionId,
        user: cell('session-user').textContent,
        traces: cell('session-traces').textContent,
        llm: Number(cell('session-llm-calls').dataset.value),
        tokens: Number(cell('session-tokens').dataset.value),
        cost: Number(cell('session-cost').dataset.value),
        costText: cell('session-cost').textContent,
        errors: Number(cell('session-errors').dataset.value),
        last: cell('session-last').dataset.value,
      };
    }));

    const expectRows = (shown, sessions) => {
      assert.deepEqual(shown.map((r) => r.id), sessions.map((s) => s.session_id));
      shown.forEach((row, i) => {
        const s = sessions[i];
        assert.equal(row.user, s.user_id + (s.user_ids.length > 1 ? ` +${s.user_ids.length - 1}` : ''), s.session_id);
        assert.equal(row.traces, String(s.trace_count));
        assert.equal(row.llm, s.llm_call_count);
        assert.equal(row.tokens, s.total_tokens);
        assert.equal(row.cost, s.cost_nanos_usd);
        assert.equal(row.costText, formatCost(s.cost_usd));
        assert.equal(row.errors, s.error_count);
        assert.equal(row.last, s.last_trace_start_unix_nano);
      });
    };

    test('the sessions page shows the API\'s sessions', async () => {
      await page.goto(server.url('/'));
      await page.getByTestId('nav-sessions').click();
      await page.waitForURL((url) => url.pathname === '/sessions');
      await page.getByTestId('session-row').first().waitFor();
      assert.match(await page.getByTestId('nav-sessions').getAttribute('class'), /active/);
      const { sessions, next_cursor: more } = await api('/api/v1/sessions?since=24h&limit=50');
      assert.ok(sessions.length > 10);
      expectRows(await shownSessions(), sessions);
      assert.equal(await page.getByTestId('load-more').count(), more ? 1 : 0);
      await shot('sessions');
    });

    test('the user filter narrows the list to that user\'s sessions', async () => {
      const { sessions } = await api('/api/v1/sessions?since=24h&limit=50');
      const user = sessions[0].user_id;
      await page.getByTestId('user-filter').fill(user);
      await page.getByTestId('user-filter').press('Enter');
      await page.waitForURL((url) => url.searchParams.get('user') === user);
      const { sessions: mine } = await api(`/api/v1/sessions?since=24h&limit=50&user=${q(user)}`);
      assert.ok(mine.length > 0 && mine.length < sessions.length);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=session-row]').length === n, mine.length);
      expectRows(await shownSessions(), mine);
      await shot('sessions-user');
      await page.getByTestId('user-filter-clear').click();
      await page.waitForURL((url) => !url.searchParams.has('user'));
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=session-row]').length === n, sessions.length);
    });

    test('a session opens as its conversation, turn by turn', async () => {
      const { sessions } = await api('/api/v1/sessions?since=24h&limit=50');
      const longest = [...sessions].sort((a, b) => b.trace_count - a.trace_count)[0];
      assert.ok(longest.trace_count >= 2);
      const detail = await api(`/api/v1/sessions/${q(longest.session_id)}?since=24h`);
      await page.locator(`[data-testid=session-row][data-session-id="${longest.session_id}"] [data-testid=session-link]`).click();
      await page.waitForURL((url) => decodeURIComponent(url.pathname) === `/sessions/${longest.session_id}`);
      assert.equal(await page.getByTestId('session-title').textContent(), longest.session_id);
      const stats = await page.getByTestId('session-stats').textContent();
      assert.match(stats, new RegExp(`Turns${longest.trace_count}Duration`));
      assert.ok(stats.includes(formatCost(longest.cost_usd)), stats);

      const turns = page.getByTestId('turn');
      await turns.first().waitFor();
      assert.deepEqual(await turns.evaluateAll((els) => els.map((e) => e.dataset.traceId)),
        detail.traces.map((t) => t.trace_id));
      for (const [i, t] of detail.traces.entries()) {
        const turn = turns.nth(i);
        assert.equal(await turn.getByTestId('turn-tokens').getAttribute('data-value'), String(t.total_tokens));
        assert.equal(await turn.getByTestId('turn-cost').getAttribute('data-value'), String(t.cost_nanos_usd));
        assert.equal(await turn.getByTestId('turn-llm-calls').getAttribute('data-value'), String(t.llm_call_count));
        const { question, answer } = expectedTurnText(await api(`/api/v1/traces/${t.trace_id}`));
        assert.ok(question, `turn ${i + 1} has a question`);
        const input = await turn.getByTestId('turn-input').textContent();
        assert.ok(input.includes(question.slice(0, 60)), `turn ${i + 1}: ${input.slice(0, 200)}`);
        if (answer) {
          assert.ok((await turn.getByTestId('turn-output').textContent()).includes(answer.slice(0, 60)), `turn ${i + 1}`);
        }
      }
      await shot('session');

      // A later page of turns continues the numbering.
      await page.goto(server.url(`/sessions/${q(longest.session_id)}?range=24h&offset=1`));
      await page.getByTestId('turn').first().waitFor();
      assert.match(await page.getByTestId('turn-pager').first().textContent(), new RegExp(`Turns 2–${longest.trace_count} of ${longest.trace_count}`));
      assert.deepEqual(await page.getByTestId('turn').evaluateAll((els) => els.map((e) => e.dataset.traceId)),
        detail.traces.slice(1).map((t) => t.trace_id));
      assert.match(await page.getByTestId('turn').first().textContent(), /^Turn 2/);
      await page.goBack();
      await page.getByTestId('turn').nth(1).waitFor();

      // The second turn compares with the first.
      await turns.nth(1).getByTestId('turn-compare').click();
      await page.waitForURL((url) => url.pathname === '/compare');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('a'), detail.traces[0].trace_id);
      assert.equal(url.searchParams.get('b'), detail.traces[1].trace_id);
      await page.getByTestId('compare-figures').waitFor();
      await page.goBack();
      // A turn links to its trace.
      await page.getByTestId('turn').first().getByTestId('turn-trace-link').click();
      await page.waitForURL((u) => u.pathname === `/traces/${detail.traces[0].trace_id}`);
      await page.getByTestId('trace-title').waitFor();
    });

    test('compare: two traces ticked on the traces page, side by side', async () => {
      const { traces } = await api(`/api/v1/traces?since=24h&limit=50&filter=${q(RAG_FILTER)}`);
      assert.ok(traces.length >= 2);
      const [ta, tb] = [traces[0], traces.find((t) => t.total_tokens !== traces[0].total_tokens) ?? traces[1]];
      await page.goto(server.url(`/?q=${q(RAG_FILTER)}`));
      await page.locator('[data-testid=traces-table] tbody tr').first().waitFor();
      const button = page.getByTestId('compare-button');
      assert.equal(await button.isDisabled(), true);
      await page.locator(`[data-testid=compare-pick][data-trace-id="${ta.trace_id}"]`).check();
      await page.locator(`[data-testid=compare-pick][data-trace-id="${tb.trace_id}"]`).check();
      assert.equal(await button.textContent(), 'Compare (2/2)');
      await shot('traces-compare-picked');
      await button.click();
      await page.waitForURL((url) => url.pathname === '/compare');
      const url = new URL(page.url());
      assert.deepEqual([url.searchParams.get('a'), url.searchParams.get('b')], [ta.trace_id, tb.trace_id]);
      await page.getByTestId('compare-figures').waitFor();

      const [da, db] = [await api(`/api/v1/traces/${ta.trace_id}`), await api(`/api/v1/traces/${tb.trace_id}`)];
      const figures = () => page.locator('[data-testid=compare-figures] tbody tr').evaluateAll((rows) =>
        Object.fromEntries(rows.map((r) => [r.dataset.metric, ['fig-a', 'fig-b', 'fig-delta'].map((id) =>
          Number(r.querySelector(`[data-testid=${id}]`).dataset.value))])));
      const fields = { duration: 'duration_ns', spans: 'span_count', llm_calls: 'llm_call_count',
        input_tokens: 'input_tokens', output_tokens: 'output_tokens', total_tokens: 'total_tokens',
        cost: 'cost_nanos_usd', errors: 'error_count' };
      const shown = await figures();
      assert.deepEqual(Object.keys(shown), Object.keys(fields));
      for (const [metric, field] of Object.entries(fields)) {
        const [a, b] = [da.summary[field], db.summary[field]];
        assert.deepEqual(shown[metric], [a, b, b - a], metric);
      }
      assert.notEqual(shown.total_tokens[2], 0, 'the traces differ');

      // Every span of each side once; paired spans share their name (an LLM span's without its
      // model); the roots pair.
      const rows = await page.getByTestId('compare-row').evaluateAll((els) =>
        els.map((e) => ({ side: e.dataset.side, a: e.dataset.aSpan, b: e.dataset.bSpan })));
      const nameA = new Map(da.spans.map((s) => [s.span_id, alignName(s)]));
      const nameB = new Map(db.spans.map((s) => [s.span_id, alignName(s)]));
      assert.deepEqual(rows.filter((r) => r.a).map((r) => r.a).sort(), [...nameA.keys()].sort());
      assert.deepEqual(rows.filter((r) => r.b).map((r) => r.b).sort(), [...nameB.keys()].sort());
      assert.equal(rows[0].side, 'both');
      for (const r of rows.filter((x) => x.side === 'both')) assert.equal(nameA.get(r.a), nameB.get(r.b));
      const stats = await page.getByTestId('alignment-stats').textContent();
      assert.ok(stats.startsWith(`${rows.filter((r) => r.side === 'both').length} in both`), stats);

      // LLM calls side by side: model, tokens, cost and output as the trace API has them.
      const llmOf = new Map([...da.spans, ...db.spans].map((s) => [s.span_id, s]));
      const sides = await page.locator('[data-testid=llm-a][data-span-id], [data-testid=llm-b][data-span-id]').evaluateAll((els) =>
        els.map((e) => ({
          span: e.dataset.spanId,
          model: e.querySelector('[data-testid=llm-model]').textContent,
          tokens: e.querySelector('[data-testid=llm-tokens]').dataset.value,
          cost: e.querySelector('[data-testid=llm-cost]').dataset.value,
          output: e.querySelector('[data-testid=llm-output]').textContent,
        })));
      const llmSpans = [...da.spans, ...db.spans].filter((s) => s.llm?.kind === 'llm');
      assert.equal(sides.length, llmSpans.length);
      for (const side of sides) {
        const { llm } = llmOf.get(side.span);
        assert.equal(side.model, llm.response_model || llm.request_model);
        assert.equal(side.tokens, String(llm.usage?.total_tokens ?? ''));
        assert.equal(side.cost, String(llm.cost?.total_nanos_usd ?? ''));
        const text = llm.output_messages?.flatMap((m) => m.parts).find((p) => p.type === 'text')?.text;
        if (text) assert.ok(side.output.includes(text.slice(0, 60)), side.span);
      }
      await shot('compare');

      // Swapping the sides negates the differences.
      await page.getByTestId('compare-swap').click();
      await page.waitForURL((u) => u.searchParams.get('a') === tb.trace_id);
      await page.waitForFunction((id) => document.querySelector('[data-testid=compare-trace-a]')?.textContent.includes(id.slice(0, 16)), tb.trace_id);
      const swapped = await figures();
      for (const metric of Object.keys(fields)) {
        assert.deepEqual(swapped[metric], [shown[metric][1], shown[metric][0], 0 - shown[metric][2]], metric);
      }
    });
  });
}
