// The web UI's sign-in on a server with API keys, in a real browser (playwright-core driving
// Debian's chromium, never a downloaded browser).
//
// Two keys are made with `tokenscope keys create` in the data directory before the server
// starts, and the demo workload is sent with one of them. Then: opening the UI without a key
// lands on the login page (remembering the page asked for); a wrong secret, and the right
// secret with another key's public key, are refused with the server's 401 shown; the right key
// goes back to the page asked for, where the ingested traces are listed. The key is never kept in
// the browser: no API call carries it, localStorage and sessionStorage hold no trace of it, and
// the session lives in an HttpOnly, SameSite=Strict cookie that document.cookie does not show; a
// reload and a new tab stay signed in; sign out ends the session. Pasting everything `keys
// create` printed fills both fields, "keep me signed in" asks for a 30-day cookie, and the CSV
// link works with the cookie. A key revoked while signed in sends the user back to the login
// page. Screenshots go to $TOKENSCOPE_ARTIFACTS (default build/test-artifacts/ui).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { startServer, tokenscopeBinary } from './lib/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.TOKENSCOPE_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.TOKENSCOPE_ARTIFACTS || resolve(HERE, '..', '..', 'build', 'test-artifacts', 'ui');
const DEMO_TRACES = 24;
const UI_TIMEOUT_MS = 15_000;
const WRONG_SECRET = 'sk-ts-0000000000wrong0000000000000000';
const START_PAGE = '/?order=cost_desc';

const run = promisify(execFile);
const haveChromium = existsSync(CHROMIUM);

let dataDir;
let server;
let browser;
let keyA;        // {id, secret}: from --json
let keyB;        // {id, secret}: parsed from the text output, which is kept in keyBPrinted
let keyBPrinted;

async function apiWith(path, secret) {
  const response = await fetch(server.url(path), { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-e2e-login-'));
  const keys = (...args) => run(tokenscopeBinary(), ['keys', '--data', dataDir, ...args], { timeout: 30_000 });
  keyA = JSON.parse((await keys('--json', 'create', '--project', 'webui')).stdout);
  keyBPrinted = (await keys('create', '--project', 'webui')).stdout;
  keyB = {
    id: /public key: (pk-ts-[0-9a-f]+)/.exec(keyBPrinted)?.[1],
    secret: /secret key: (sk-ts-[0-9A-Za-z]+)/.exec(keyBPrinted)?.[1],
  };
  assert.ok(keyB.id && keyB.secret, keyBPrinted);

  server = await startServer({ dataDir });
  assert.equal((await apiWith('/api/v1/traces')).status, 401, 'the server has keys');
  const { stdout } = await run(tokenscopeBinary(), [
    'demo', '--endpoint', server.baseUrl, '--traces', String(DEMO_TRACES), '--spread', '1h', '--api-key', keyA.secret,
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
  if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

/** Everything the page keeps in sessionStorage and localStorage, and what document.cookie shows. */
function browserState(page) {
  return page.evaluate(() => {
    const dump = (storage) => Array.from({ length: storage.length }, (_, i) => {
      const key = storage.key(i);
      return `${key}=${storage.getItem(key)}`;
    }).join('\n');
    return { session: dump(sessionStorage), local: dump(localStorage), cookie: document.cookie };
  });
}

/** Asserts that no secret is kept where the page's scripts can read it. */
async function assertNoKeyInBrowser(page) {
  const state = await browserState(page);
  for (const secret of [keyA.secret, keyB.secret, WRONG_SECRET]) {
    for (const [where, text] of Object.entries(state)) {
      assert.ok(!text.includes(secret), `a secret key in ${where}`);
    }
  }
  assert.ok(!/tokenscope_session/.test(state.cookie), 'the session cookie is HttpOnly');
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'tokenscope_session' && c.value);
}

const traceRows = (page) => page.locator('[data-testid=traces-table] tbody tr');

describe('signing in to a server with API keys', { skip: !haveChromium && `no browser at ${CHROMIUM}` }, () => {
  let context;
  let page;
  const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}-light.png`) });

  before(async () => {
    context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
  });
  after(async () => { await context?.close(); });

  test('without a key the UI sends the user to the login page, remembering the page', async () => {
    await page.goto(server.url(START_PAGE));
    await page.waitForURL(/\/login\?next=/);
    assert.equal(new URL(page.url()).searchParams.get('next'), START_PAGE);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('sign-out').count(), 0);
    assert.equal(await page.getByTestId('login-open').count(), 0, 'not offered to continue without a key');
    await shot('login');
  });

  test('a wrong key is refused with the server\'s 401, and nothing is stored', async () => {
    await page.getByTestId('login-secret').fill(WRONG_SECRET);
    await page.getByTestId('login-submit').click();
    const error = await page.getByTestId('login-error').textContent();
    assert.match(error, /did not accept this key \(401/);
    assert.match(error, /unknown or revoked API key/);
    assert.match(page.url(), /\/login\?next=/);
    await assertNoKeyInBrowser(page);
    assert.equal(await sessionCookie(context), undefined);
    await shot('login-wrong-key');

    // The right secret with another key's public key: sent as Basic, refused as a mismatch.
    await page.getByTestId('login-secret').fill(keyA.secret);
    await page.getByTestId('login-public').fill(keyB.id);
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => /does not match/.test(document.querySelector('[data-testid=login-error]')?.textContent ?? ''));
    await assertNoKeyInBrowser(page);
    assert.equal(await sessionCookie(context), undefined);
  });

  test('the right key goes back to that page, which lists the ingested traces', async () => {
    const { body } = await apiWith(`/api/v1/traces?limit=50&order=cost_desc&since=24h`, keyA.secret);
    assert.equal(body.traces.length, DEMO_TRACES);
    await page.getByTestId('login-public').fill('');
    await page.getByTestId('login-secret').fill(keyA.secret);
    const searched = page.waitForRequest((r) => r.url().includes('/api/v1/traces?'));
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === START_PAGE);
    const headers = await (await searched).allHeaders();
    assert.equal(headers.authorization, undefined, 'API calls carry no key');
    assert.equal(headers['x-requested-with'], 'tokenscope-ui');
    assert.match(headers.cookie ?? '', /tokenscope_session=[0-9a-f]{64}/);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=traces-table] tbody tr').length === n, DEMO_TRACES);
    const firstName = await traceRows(page).first().locator('td.name a').textContent();
    assert.equal(firstName, body.traces[0].root_name, 'the most expensive trace first, as the URL asked');
    await assertNoKeyInBrowser(page);
    const cookie = await sessionCookie(context);
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    const hours = (cookie.expires * 1000 - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    await page.getByTestId('sign-out').waitFor();
    await shot('login-signed-in');

    // A reload stays signed in, and so does a new tab of the same browser.
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=traces-table] tbody tr').length === n, DEMO_TRACES);
    assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, START_PAGE);
    await page.getByTestId('sign-out').waitFor();
    const other = await context.newPage();
    await other.goto(server.url('/sessions'));
    await other.getByTestId('sign-out').waitFor();
    assert.equal(new URL(other.url()).pathname, '/sessions');
    await other.close();
  });

  test('sign out ends the session and shows the login page', async () => {
    const token = (await sessionCookie(context)).value;
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await sessionCookie(context), undefined);
    // The server forgot it too: the old cookie no longer works.
    const stale = await fetch(server.url('/api/v1/auth/session'), { headers: { cookie: `tokenscope_session=${token}` } });
    assert.equal(stale.status, 401);
    await page.goto(server.url('/'));
    await page.waitForURL(/\/login/);
    assert.equal(await page.getByTestId('sign-out').count(), 0);
  });

  test('pasting what keys create printed, kept signed in for 30 days', async () => {
    await page.goto(server.url('/dashboard'));
    await page.waitForURL(/\/login\?next=%2Fdashboard/);
    await page.getByTestId('login-secret').evaluate((input, text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, keyBPrinted);
    assert.equal(await page.getByTestId('login-secret').inputValue(), keyB.secret);
    assert.equal(await page.getByTestId('login-public').inputValue(), keyB.id);
    await page.getByTestId('login-remember').check();
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await page.getByTestId('dashboard').waitFor();
    await assertNoKeyInBrowser(page);
    const cookie = await sessionCookie(context);
    const days = (cookie.expires * 1000 - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

    // The CSV link is a plain link: the cookie goes along.
    const href = await page.getByTestId('download-csv').getAttribute('href');
    const csv = await page.evaluate((url) => fetch(url).then(async (r) => [r.status, r.headers.get('content-type')]), href);
    assert.equal(csv[0], 200);
    assert.match(csv[1], /text\/csv/);

    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/);
    assert.equal(await sessionCookie(context), undefined);
  });

  test('a key revoked while signed in sends the user back to the login page', async () => {
    await page.goto(server.url('/login'));
    await page.getByTestId('login-secret').fill(keyA.secret);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === '/');
    await traceRows(page).first().waitFor();

    await run(tokenscopeBinary(), ['keys', '--data', dataDir, 'revoke', keyA.id], { timeout: 30_000 });
    // The running server picks the key file up within a second.
    for (let i = 0; i < 50 && (await apiWith('/api/v1/services', keyA.secret)).status !== 401; i++) await sleep(100);
    assert.equal((await apiWith('/api/v1/services', keyA.secret)).status, 401);

    await page.getByTestId('nav-dashboard').click();
    await page.waitForURL(/\/login\?next=%2Fdashboard/);
    await page.getByTestId('login-form').waitFor();
    await assertNoKeyInBrowser(page);
  });
});

describe('the login page in the dark scheme', { skip: !haveChromium && `no browser at ${CHROMIUM}` }, () => {
  test('a refused key', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      await page.goto(server.url('/'));
      await page.waitForURL(/\/login/);
      await page.getByTestId('login-secret').fill(WRONG_SECRET);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'login-wrong-key-dark.png') });
    } finally {
      await context.close();
    }
  });
});
