// Projects and API keys: keys made with `tokenscope keys create` take effect on a running
// server; every header form authenticates (Bearer, Basic public:secret as Langfuse SDKs send it,
// x-api-key) over HTTP and gRPC metadata; wrong, missing and revoked keys get 401, read-only
// keys writing get 403; and a cross-project suite tries to reach project beta's data with
// project alpha's key through every endpoint — trace ids guessed from beta, search parameters
// and filters naming beta's services, beta's cursors, logs, OTLP metrics, services, sessions, admin
// recomputation and gRPC — all of which must show alpha's data only. Local mode (no keys) stays
// on loopback. The web UI's sign-in: a key traded for a session cookie at /api/v1/auth/login
// (HttpOnly, SameSite=Strict, Path=/, Secure over TLS) reads its own project only, never
// authenticates OTLP ingest, needs X-Tokenscope-CSRF on POSTs, ends on logout and stops working
// within about two seconds of its key being revoked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { exactJson, request } from './lib/http.mjs';
import { httpsRequest, startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);
const TRACE_ALPHA = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const TRACE_BETA = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

async function createKey(server, project, scope = 'read-write') {
  const { stdout } = await run(tokenscopeBinary(),
    ['keys', '--data', server.dataDir, '--json', 'create', '--project', project, '--scope', scope]);
  return JSON.parse(stdout);  // {id, project, scope, secret, ...}
}

const bearer = (key) => ({ authorization: `Bearer ${key.secret}` });

async function call(server, path, headers = {}, options = {}) {
  return request(server, path, { ...options, headers: { ...headers, ...(options.headers ?? {}) } });
}

async function json(server, path, headers) {
  const response = await call(server, path, headers);
  assert.equal(response.status, 200, `GET ${path}: ${response.status} ${response.body}`);
  return exactJson(response);
}

/**
 * An OTLP/JSON trace: a root and an LLM call, service `service`, at `startNs`. The call belongs
 * to session `session` (the same id in every project unless given) and user `<service>-user`.
 */
function traceRequest(traceId, service, startNs = 1_763_000_000_000_000_000n, session = 'conv-shared') {
  const attr = (key, value) => ({ key, value });
  const span = (spanId, parent, name, extra = []) => ({
    traceId, spanId, parentSpanId: parent, name, kind: 1,
    startTimeUnixNano: `${startNs}`, endTimeUnixNano: `${startNs + 1_000_000n}`, attributes: extra,
  });
  return JSON.stringify({ resourceSpans: [{
    resource: { attributes: [attr('service.name', { stringValue: service })] },
    scopeSpans: [{ scope: { name: 'auth-e2e' }, spans: [
      span('1000000000000001', '', `${service} request`),
      span('1000000000000002', '1000000000000001', 'chat gpt-4o', [
        attr('gen_ai.operation.name', { stringValue: 'chat' }),
        attr('gen_ai.system', { stringValue: 'openai' }),
        attr('gen_ai.request.model', { stringValue: 'gpt-4o' }),
        attr('gen_ai.usage.input_tokens', { intValue: '100' }),
        attr('gen_ai.usage.output_tokens', { intValue: '10' }),
        attr('session.id', { stringValue: session }),
        attr('user.id', { stringValue: `${service}-user` }),
      ]),
    ] }],
  }] });
}

function logsRequest(traceId, service, text) {
  return JSON.stringify({ resourceLogs: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeLogs: [{ logRecords: [{ timeUnixNano: '1763000000000000500', traceId,
      spanId: '1000000000000002', body: { stringValue: text } }] }],
  }] });
}

/** An OTLP/JSON metrics request: a delta counter `shared.requests` and one named for the service. */
function metricsRequest(service, value) {
  const point = { timeUnixNano: '1763000000000000500', asInt: `${value}` };
  const sum = { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] };
  return JSON.stringify({ resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeMetrics: [{ metrics: [{ name: 'shared.requests', sum }, { name: `${service}.only`, sum }] }],
  }] });
}

async function post(server, path, body, headers) {
  return call(server, path, { 'content-type': 'application/json', ...headers },
    { method: 'POST', body });
}

/** POST /api/v1/auth/login with a JSON body. */
async function login(server, body, headers = {}) {
  return post(server, '/api/v1/auth/login', JSON.stringify(body), headers);
}

/** The session token a login answer set, asserting the cookie's attributes. */
function sessionToken(response, { maxAge = 43200, secure = false } = {}) {
  const setCookie = response.headers.get('set-cookie');
  assert.ok(setCookie, 'a Set-Cookie header');
  const match = /^tokenscope_session=([0-9a-f]{64}); /.exec(setCookie);
  assert.ok(match, setCookie);
  const attributes = setCookie.split(';').map((a) => a.trim());
  for (const expected of ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`]) {
    assert.ok(attributes.includes(expected), `${expected} in ${setCookie}`);
  }
  assert.equal(attributes.includes('Secure'), secure, setCookie);
  return match[1];
}

const withCookie = (token, extra = {}) => ({ cookie: `tokenscope_session=${token}`, ...extra });
const CSRF = { 'x-tokenscope-csrf': '1' };

function callGrpc(address, bytes, metadataEntries) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadataEntries)) metadata.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_EXPORT, (b) => b, (b) => b, bytes, metadata,
      { deadline: Date.now() + 10_000 }, (error) => { client.close(); resolve(error); });
  });
}

describe('projects and API keys', () => {
  let server;
  let alpha;      // read-write, project alpha
  let alphaRead;  // read-only, project alpha
  let beta;       // read-write, project beta
  let revoked;

  before(async () => {
    server = await startServer();
    // Local mode first: no key needed.
    assert.equal((await call(server, '/api/v1/services')).status, 200);
    alpha = await createKey(server, 'alpha');
    alphaRead = await createKey(server, 'alpha', 'read-only');
    beta = await createKey(server, 'beta');
    revoked = await createKey(server, 'alpha');
    // The running server picks the key file up within a second.
    for (let i = 0; i < 50 && (await call(server, '/api/v1/services')).status !== 401; i++) {
      await sleep(100);
    }
    await run(tokenscopeBinary(), ['keys', '--data', server.dataDir, 'revoke', revoked.id]);
    await sleep(1200);

    for (const [key, traceId, service] of [[alpha, TRACE_ALPHA, 'alpha-svc'], [beta, TRACE_BETA, 'beta-svc']]) {
      assert.equal((await post(server, '/v1/traces', traceRequest(traceId, service), bearer(key))).status, 200);
      assert.equal((await post(server, '/v1/logs', logsRequest(traceId, service, `${service} log`), bearer(key))).status, 200);
      assert.equal((await post(server, '/v1/metrics', metricsRequest(service, key === alpha ? 3 : 5), bearer(key))).status, 200);
    }
  });
  after(async () => { await server?.stop(); });

  test('every header form authenticates', async () => {
    const basic = Buffer.from(`${alpha.id}:${alpha.secret}`).toString('base64');
    for (const headers of [bearer(alpha), { 'x-api-key': alpha.secret },
      { authorization: `Basic ${basic}` }]) {
      const services = await json(server, '/api/v1/services', headers);
      assert.deepEqual(services.services, ['alpha-svc'], JSON.stringify(headers));
    }
    // Langfuse's OTLP endpoint with Basic auth, as its SDKs send it.
    const sent = await post(server, '/api/public/otel/v1/traces',
      traceRequest('c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', 'alpha-langfuse'), { authorization: `Basic ${basic}` });
    assert.equal(sent.status, 200);
  });

  test('missing, wrong, mismatched and revoked keys get 401', async () => {
    const mismatched = Buffer.from(`${beta.id}:${alpha.secret}`).toString('base64');
    for (const headers of [{}, bearer({ secret: 'sk-ts-wrong' }), { authorization: 'Token abc' },
      { authorization: `Basic ${mismatched}` }, bearer(revoked)]) {
      for (const [path, method] of [['/api/v1/traces', 'GET'], ['/v1/traces', 'POST']]) {
        const response = await call(server, path, { 'content-type': 'application/json', ...headers },
          { method, body: method === 'POST' ? traceRequest(TRACE_ALPHA, 'x') : undefined });
        assert.equal(response.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.match(response.headers.get('www-authenticate'), /Bearer/);
      }
    }
    // The OTLP answer is a google.rpc.Status in the request's encoding.
    const refused = await post(server, '/v1/traces', traceRequest(TRACE_ALPHA, 'x'), {});
    assert.equal(exactJson(refused).code, 16n);  // UNAUTHENTICATED
    // Health needs no key.
    assert.equal((await call(server, '/healthz')).status, 200);
  });

  test('read-only keys read but get 403 for every write', async () => {
    assert.equal((await call(server, '/api/v1/traces', bearer(alphaRead))).status, 200);
    for (const [path, body] of [['/v1/traces', traceRequest(TRACE_ALPHA, 'x')],
      ['/v1/logs', logsRequest(TRACE_ALPHA, 'x', 'x')], ['/v1/metrics', metricsRequest('x', 1)],
      ['/api/v1/admin/reprice?since=1h', ''],
      ['/api/v1/admin/renormalize?since=1h', '']]) {
      const response = await post(server, path, body, bearer(alphaRead));
      assert.equal(response.status, 403, path);
    }
    const grpcError = await callGrpc(server.grpcAddress, Buffer.alloc(0), bearer(alphaRead));
    assert.equal(grpcError?.code, grpc.status.PERMISSION_DENIED);
  });

  test('project alpha cannot reach project beta through any endpoint', async () => {
    const a = bearer(alpha);
    assert.equal((await call(server, `/api/v1/traces/${TRACE_BETA}`, a)).status, 404);
    assert.equal((await json(server, `/api/v1/traces/${TRACE_ALPHA}`, a)).spans.length, 2);

    const wide = 'start=0';
    const searches = [
      `/api/v1/traces?${wide}`, `/api/v1/traces?${wide}&service=beta-svc`,
      `/api/v1/traces?${wide}&filter=${encodeURIComponent('service = "beta-svc"')}`,
      `/api/v1/traces?${wide}&order=cost_desc`, `/api/v1/traces?${wide}&order=tokens_desc`,
      `/api/v1/traces?${wide}&filter=${encodeURIComponent('model = "gpt-4o"')}`,
      `/api/v1/spans?${wide}`, `/api/v1/spans?${wide}&order=cost_desc`,
      `/api/v1/spans?${wide}&service=beta-svc`,
    ];
    for (const path of searches) {
      const page = await json(server, path, a);
      const ids = (page.traces ?? page.spans).map((t) => t.trace_id);
      assert.ok(!ids.includes(TRACE_BETA), path);
    }
    assert.deepEqual((await json(server, '/api/v1/services', a)).services.sort(),
      ['alpha-langfuse', 'alpha-svc']);

    const logs = await json(server, `/api/v1/logs?trace_id=${TRACE_BETA}`, a);
    assert.deepEqual(logs.logs, []);
    const allLogs = await json(server, '/api/v1/logs', a);
    assert.deepEqual(allLogs.logs.map((l) => l.body), ['alpha-svc log']);
    const betaLogs = await json(server, '/api/v1/logs', bearer(beta));
    assert.deepEqual(betaLogs.logs.map((l) => l.body), ['beta-svc log']);

    // OTLP metrics: alpha lists and sums its own points only; beta's metric does not exist for it.
    assert.deepEqual((await json(server, '/api/v1/metrics/names', a)).metrics.map((m) => m.name),
      ['alpha-svc.only', 'shared.requests']);
    const range = 'start=1762999000000000000&end=1763001000000000000&step=1h';
    const sharedMetric = await json(server, `/api/v1/metrics?otlp_metric=shared.requests&${range}&group_by=service`, a);
    assert.deepEqual(sharedMetric.series.map((s) => [s.group.service, s.total]), [['alpha-svc', 3n]]);
    assert.equal((await call(server, `/api/v1/metrics?otlp_metric=beta-svc.only&${range}`, a)).status, 404);
    const betaShared = await json(server, `/api/v1/metrics?otlp_metric=shared.requests&${range}`, bearer(beta));
    assert.equal(betaShared.series[0].total, 5n);

    // Cursors issued to beta lead alpha nowhere near beta's data.
    for (const base of ['/api/v1/traces?start=0&limit=1', '/api/v1/traces?start=0&limit=1&order=cost_desc',
      '/api/v1/logs?limit=1']) {
      await post(server, '/v1/traces', traceRequest(`d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4${base.length % 10}${base.length % 10}`, 'beta-svc',
        1_763_000_001_000_000_000n), bearer(beta));
      const betaPage = await json(server, base, bearer(beta));
      if (!betaPage.next_cursor) continue;
      const response = await call(server, `${base}&cursor=${encodeURIComponent(betaPage.next_cursor)}`, a);
      if (response.status === 200) {
        const page = exactJson(response);
        const items = page.traces ?? page.logs;
        assert.ok(items.every((t) => t.trace_id !== TRACE_BETA && t.root_service !== 'beta-svc'
          && t.service !== 'beta-svc'), base);
      } else {
        assert.equal(response.status, 400, base);
      }
    }

    // Sessions: both projects have a session `conv-shared`; alpha sees its own traces of it only,
    // never a session only beta has, whatever user, session id or cursor it names.
    assert.equal((await post(server, '/v1/traces', traceRequest('e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5',
      'beta-svc', 1_763_000_002_000_000_000n, 'conv-beta-only'), bearer(beta))).status, 200);
    const alphaSessions = await json(server, '/api/v1/sessions?start=0', a);
    assert.deepEqual(alphaSessions.sessions.map((s) => s.session_id), ['conv-shared']);
    assert.ok(alphaSessions.sessions[0].user_ids.every((u) => !u.startsWith('beta')));
    const shared = await json(server, '/api/v1/sessions/conv-shared?start=0', a);
    const sharedIds = shared.traces.map((t) => t.trace_id);
    assert.ok(sharedIds.includes(TRACE_ALPHA) && !sharedIds.includes(TRACE_BETA), sharedIds.join());
    assert.equal(shared.session.trace_count, BigInt(sharedIds.length));
    assert.equal((await call(server, '/api/v1/sessions/conv-beta-only?start=0', a)).status, 404);
    assert.deepEqual((await json(server, '/api/v1/sessions?start=0&user=beta-svc-user', a)).sessions, []);
    const betaSessions = await json(server, '/api/v1/sessions?start=0&limit=1', bearer(beta));
    assert.ok(betaSessions.next_cursor, 'beta has two sessions');
    const viaCursor = await call(server,
      `/api/v1/sessions?start=0&cursor=${encodeURIComponent(betaSessions.next_cursor)}`, a);
    assert.equal(viaCursor.status, 200);
    assert.ok(exactJson(viaCursor).sessions.every((s) => s.session_id === 'conv-shared'));

    // Admin recomputation covers the caller's project only.
    const reprice = exactJson(await post(server, '/api/v1/admin/reprice?start=0', '', a));
    const alphaTraces = (await json(server, '/api/v1/traces?start=0&limit=1000', a)).traces.length;
    assert.equal(reprice.traces_examined, BigInt(alphaTraces));

    // LLM-call metrics and costs: alpha's calls only, by the rollups and by the span scan, with
    // a filter or grouping naming beta's service or user, and after rebuilding the rollups.
    const llmRange = 'start=1762999000000000000&end=1763003000000000000&step=1h&top=1000';
    const countBy = async (path, key) => {
      const answer = await json(server, path, key);
      return Object.fromEntries(answer.series.map((x) => [x.group.service ?? x.group.user, x.total]));
    };
    const alphaCalls = (await json(server, '/api/v1/traces?start=0&limit=1000', a)).traces
      .reduce((sum, t) => sum + Number(t.llm_call_count), 0);
    for (const path of [`/api/v1/metrics?metric=requests&group_by=service&${llmRange}`,
      `/api/v1/metrics?metric=requests&group_by=service&${llmRange}&path=scan`]) {
      const byService = await countBy(path, a);
      assert.ok(!('beta-svc' in byService), path);
      assert.equal(Object.values(byService).reduce((x, y) => x + Number(y), 0), alphaCalls, path);
    }
    assert.deepEqual((await json(server,
      `/api/v1/metrics?metric=requests&filter=${encodeURIComponent('service = "beta-svc"')}&${llmRange}`, a)).series, []);
    const byUser = await countBy(`/api/v1/metrics?metric=requests&group_by=user&${llmRange}`, a);
    assert.ok(Object.keys(byUser).every((u) => !u.startsWith('beta')), Object.keys(byUser).join());
    const costs = await json(server, '/api/v1/costs?start=0&group_by=service,user', a);
    assert.ok(costs.rows.every((r) => r.group.service !== 'beta-svc' && !r.group.user.startsWith('beta')));
    const betaBefore = await countBy(`/api/v1/metrics?metric=requests&group_by=service&${llmRange}`, bearer(beta));
    const rebuilt = exactJson(await post(server, '/api/v1/admin/rollups/rebuild?start=0', '', a));
    assert.equal(rebuilt.requests_after, BigInt(alphaCalls));
    assert.deepEqual(await countBy(`/api/v1/metrics?metric=requests&group_by=service&${llmRange}`, bearer(beta)),
      betaBefore, 'a rebuild by alpha leaves beta alone');
  });

  test('gRPC: metadata keys route data to their project', async () => {
    const noKey = await callGrpc(server.grpcAddress, Buffer.alloc(0), {});
    assert.equal(noKey?.code, grpc.status.UNAUTHENTICATED);
    const wrong = await callGrpc(server.grpcAddress, Buffer.alloc(0), { 'x-api-key': 'sk-ts-nope' });
    assert.equal(wrong?.code, grpc.status.UNAUTHENTICATED);

    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'beta-grpc' }),
      spanProcessors: [new BatchSpanProcessor(new GrpcTraceExporter({
        url: `http://${server.grpcAddress}`,
        metadata: (() => { const m = new grpc.Metadata(); m.set('authorization', `Bearer ${beta.secret}`); return m; })(),
      }))],
    });
    const span = provider.getTracer('auth').startSpan('over grpc');
    span.end();
    await provider.shutdown();
    const traceId = span.spanContext().traceId;
    assert.equal((await json(server, `/api/v1/traces/${traceId}`, bearer(beta))).spans.length, 1);
    assert.equal((await call(server, `/api/v1/traces/${traceId}`, bearer(alpha))).status, 404);
  });

  test('the CLI sends its key', async () => {
    const { stdout } = await run(tokenscopeBinary(),
      ['traces', 'search', '--endpoint', server.baseUrl, '--since', '1000d', '--json'],
      { env: { ...process.env, TOKENSCOPE_API_KEY: alpha.secret } });
    const ids = JSON.parse(stdout).traces.map((t) => t.trace_id);
    assert.ok(ids.includes(TRACE_ALPHA) && !ids.includes(TRACE_BETA));
    await assert.rejects(run(tokenscopeBinary(),
      ['traces', 'search', '--endpoint', server.baseUrl, '--since', '1000d']), /401|API key/);
  });
});

describe('web UI sessions', () => {
  let server;
  let alpha;
  let alphaRead;
  let beta;

  before(async () => {
    server = await startServer();
    alpha = await createKey(server, 'alpha');
    alphaRead = await createKey(server, 'alpha', 'read-only');
    beta = await createKey(server, 'beta');
    for (let i = 0; i < 50 && (await call(server, '/api/v1/services')).status !== 401; i++) {
      await sleep(100);
    }
    for (const [key, traceId, service] of [[alpha, TRACE_ALPHA, 'alpha-svc'], [beta, TRACE_BETA, 'beta-svc']]) {
      assert.equal((await post(server, '/v1/traces', traceRequest(traceId, service), bearer(key))).status, 200);
      assert.equal((await post(server, '/v1/logs', logsRequest(traceId, service, `${service} log`), bearer(key))).status, 200);
    }
    assert.equal((await post(server, '/v1/traces', traceRequest('e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5',
      'beta-svc', 1_763_000_002_000_000_000n, 'conv-beta-only'), bearer(beta))).status, 200);
  });
  after(async () => { await server?.stop(); });

  test('login trades a key for an HttpOnly, SameSite=Strict cookie', async () => {
    const response = await login(server, { key: alpha.secret });
    assert.equal(response.status, 200, response.body.toString());
    const body = exactJson(response);
    assert.equal(body.project, 'alpha');
    assert.equal(body.access, 'read_write');
    assert.equal(body.local, false);
    const expires = BigInt(body.expires_unix_nano);
    const twelveHours = BigInt(Date.now()) * 1_000_000n + 12n * 3600n * 1_000_000_000n;
    assert.ok(expires > twelveHours - 60_000_000_000n && expires <= twelveHours + 60_000_000_000n);
    const token = sessionToken(response);
    assert.ok(!response.body.toString().includes(token), 'the token is in the cookie only');
    const session = exactJson(await call(server, '/api/v1/auth/session', withCookie(token)));
    assert.deepEqual([session.project, session.access, session.expires_unix_nano],
      ['alpha', 'read_write', body.expires_unix_nano]);

    // The Basic form, a read-only key, and a 30-day session.
    const pair = await login(server, { public_key: alphaRead.id, secret_key: alphaRead.secret, remember: true });
    assert.equal(pair.status, 200);
    assert.equal(exactJson(pair).access, 'read');
    sessionToken(pair, { maxAge: 30 * 24 * 3600 });
  });

  test('login refuses what a header would refuse, with the same error', async () => {
    const mismatched = await login(server, { public_key: beta.id, secret_key: alpha.secret });
    assert.equal(mismatched.status, 401);
    assert.match(exactJson(mismatched).error.message, /does not match/);
    for (const body of [{ key: 'sk-ts-wrong' }, {}, { key: '' }]) {
      const refused = await login(server, body);
      assert.equal(refused.status, 401, JSON.stringify(body));
      const viaHeader = await call(server, '/api/v1/services', body.key ? bearer({ secret: body.key }) : {});
      assert.deepEqual(exactJson(refused).error, exactJson(viaHeader).error);
      assert.equal(refused.headers.get('set-cookie'), null);
      assert.match(refused.headers.get('www-authenticate'), /Bearer/);
    }
    // The UI's requests get no challenge, so the browser shows no dialog of its own.
    const fromUi = await login(server, { key: 'sk-ts-wrong' }, { 'x-requested-with': 'tokenscope-ui' });
    assert.equal(fromUi.status, 401);
    assert.equal(fromUi.headers.get('www-authenticate'), null);
    const staleCookie = await call(server, '/api/v1/traces', withCookie('0'.repeat(64)));
    assert.equal(staleCookie.status, 401);
    assert.equal(staleCookie.headers.get('www-authenticate'), null);
    const noSession = await call(server, '/api/v1/auth/session');
    assert.equal(noSession.status, 401);
    assert.match(noSession.headers.get('www-authenticate'), /Bearer/);

    // Only JSON: a cross-site form cannot send it.
    const form = await call(server, '/api/v1/auth/login', { 'content-type': 'text/plain' },
      { method: 'POST', body: JSON.stringify({ key: alpha.secret }) });
    assert.equal(form.status, 415);
    assert.equal((await call(server, '/api/v1/auth/login')).status, 405);
  });

  test('a cookie of project alpha reads alpha only', async () => {
    const a = withCookie(sessionToken(await login(server, { key: alpha.secret })));
    const b = withCookie(sessionToken(await login(server, { key: beta.secret })));
    assert.deepEqual((await json(server, '/api/v1/services', a)).services, ['alpha-svc']);
    assert.deepEqual((await json(server, '/api/v1/services', b)).services.sort(), ['beta-svc']);
    assert.equal((await call(server, `/api/v1/traces/${TRACE_BETA}`, a)).status, 404);
    assert.equal((await json(server, `/api/v1/traces/${TRACE_ALPHA}`, a)).spans.length, 2);
    for (const path of ['/api/v1/traces?start=0', '/api/v1/traces?start=0&service=beta-svc',
      '/api/v1/spans?start=0', `/api/v1/traces?start=0&filter=${encodeURIComponent('service = "beta-svc"')}`]) {
      const page = await json(server, path, a);
      assert.ok((page.traces ?? page.spans).every((t) => t.trace_id !== TRACE_BETA), path);
    }
    assert.deepEqual((await json(server, `/api/v1/logs?trace_id=${TRACE_BETA}`, a)).logs, []);
    assert.deepEqual((await json(server, '/api/v1/logs', a)).logs.map((l) => l.body), ['alpha-svc log']);
    assert.deepEqual((await json(server, '/api/v1/sessions?start=0', a)).sessions.map((s) => s.session_id),
      ['conv-shared']);
    assert.equal((await call(server, '/api/v1/sessions/conv-beta-only?start=0', a)).status, 404);
    const costs = await call(server, '/api/v1/costs?start=0&format=csv&group_by=service', a);
    assert.equal(costs.status, 200);
    assert.ok(!costs.body.toString().includes('beta-svc'), 'the CSV download works with the cookie');
    // A key header wins over the cookie.
    assert.deepEqual((await json(server, '/api/v1/services', { ...a, ...bearer(beta) })).services, ['beta-svc']);
  });

  test('a cookie never authenticates OTLP ingest', async () => {
    const a = withCookie(sessionToken(await login(server, { key: alpha.secret })), CSRF);
    for (const path of ['/v1/traces', '/api/public/otel/v1/traces']) {
      const response = await post(server, path, traceRequest('f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6', 'cookie-svc'), a);
      assert.equal(response.status, 401, path);
    }
    assert.equal((await post(server, '/v1/logs', logsRequest(TRACE_ALPHA, 'x', 'x'), a)).status, 401);
    assert.equal((await post(server, '/v1/metrics', metricsRequest('x', 1), a)).status, 401);
  });

  test('cookie POSTs need X-Tokenscope-CSRF: 1', async () => {
    const token = sessionToken(await login(server, { key: alpha.secret }));
    const bare = await post(server, '/api/v1/admin/reprice?start=0', '', withCookie(token));
    assert.equal(bare.status, 403);
    assert.match(exactJson(bare).error.message, /X-Tokenscope-CSRF/);
    assert.equal((await post(server, '/api/v1/admin/reprice?start=0', '', withCookie(token, CSRF))).status, 200);
    // A key header needs no CSRF header; a read-only session still may not write.
    assert.equal((await post(server, '/api/v1/admin/reprice?start=0', '', bearer(alpha))).status, 200);
    const readOnly = sessionToken(await login(server, { key: alphaRead.secret }));
    assert.equal((await post(server, '/api/v1/admin/reprice?start=0', '', withCookie(readOnly, CSRF))).status, 403);
    assert.equal((await post(server, '/api/v1/auth/logout', '', withCookie(token))).status, 403);
  });

  test('logout ends the session and expires the cookie', async () => {
    const token = sessionToken(await login(server, { key: alpha.secret }));
    assert.equal((await call(server, '/api/v1/services', withCookie(token))).status, 200);
    const out = await post(server, '/api/v1/auth/logout', '', withCookie(token, CSRF));
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie'), /^tokenscope_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    assert.equal((await call(server, '/api/v1/services', withCookie(token))).status, 401);
    assert.equal((await call(server, '/api/v1/auth/session', withCookie(token))).status, 401);
  });

  test('a revoked key\'s sessions stop working within two seconds', async () => {
    const doomed = await createKey(server, 'alpha');
    let response;
    for (let i = 0; i < 50 && (response = await login(server, { key: doomed.secret })).status !== 200; i++) {
      await sleep(100);
    }
    const token = sessionToken(response);
    assert.equal((await call(server, '/api/v1/services', withCookie(token))).status, 200);
    await run(tokenscopeBinary(), ['keys', '--data', server.dataDir, 'revoke', doomed.id]);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5000) {
      status = (await call(server, '/api/v1/services', withCookie(token))).status;
      if (status === 200) await sleep(50);
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - revokedAt <= 2000, `took ${Date.now() - revokedAt} ms`);
    assert.equal((await call(server, '/api/v1/auth/session', withCookie(token))).status, 401);
    assert.equal((await login(server, { key: doomed.secret })).status, 401);
  });
});

describe('web UI sessions over TLS and in local mode', () => {
  test('the cookie is Secure over TLS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenscope-auth-tls-'));
    const path = (name) => join(dir, name);
    let server;
    try {
      const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      await run('openssl', ['req', '-x509', ...ecKey, '-keyout', path('ca.key'), '-out', path('ca.pem'),
        '-days', '2', '-subj', '/CN=Tokenscope auth test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      await run('openssl', ['req', ...ecKey, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1']);
      await writeFile(path('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
        'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
      await run('openssl', ['x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'),
        '-CAcreateserial', '-days', '2', '-extfile', path('server.ext'), '-out', path('server.pem')]);
      const ca = (await import('node:fs')).readFileSync(path('ca.pem'), 'utf8');
      const dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-auth-tls-data-'));
      const { stdout } = await run(tokenscopeBinary(), ['keys', '--data', dataDir, '--json', 'create', '--project', 'alpha']);
      const key = JSON.parse(stdout);
      server = await startServer({ dataDir, tls: { certFile: path('server.pem'), keyFile: path('server.key'), ca } });
      const response = await httpsRequest(server.url('/api/v1/auth/login'), {
        ca, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: key.secret }),
      });
      assert.equal(response.status, 200, response.body.toString());
      const token = sessionToken({ headers: { get: (name) => [].concat(response.headers[name])[0] } }, { secure: true });
      const services = await httpsRequest(server.url('/api/v1/services'), { ca, headers: withCookie(token) });
      assert.equal(services.status, 200);
      await server.stop();
      server = null;
      await rm(dataDir, { recursive: true, force: true });
    } finally {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('local mode: login answers with the default project and sets no cookie', async () => {
    const server = await startServer();
    try {
      const response = await login(server, {});
      assert.equal(response.status, 200);
      const body = exactJson(response);
      assert.equal(body.local, true);
      assert.equal(body.access, 'read_write');
      assert.equal(typeof body.project, 'string');
      assert.equal(response.headers.get('set-cookie'), null);
      assert.equal(exactJson(await call(server, '/api/v1/auth/session')).local, true);
    } finally {
      await server.stop();
    }
  });
});

describe('local mode', () => {
  test('refuses a non-loopback address without keys unless --insecure', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-local-'));
    try {
      const refused = await run(tokenscopeBinary(),
        ['serve', '--data', dataDir, '--http', '0.0.0.0:0', '--grpc', '127.0.0.1:0'])
        .then(() => null, (error) => error);
      assert.ok(refused, 'serve must refuse');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /without API keys.*--insecure/s);

      const child = spawn(tokenscopeBinary(),
        ['serve', '--data', dataDir, '--http', '0.0.0.0:0', '--grpc', '127.0.0.1:0', '--insecure']);
      let output = '';
      child.stdout.on('data', (chunk) => { output += chunk; });
      child.stderr.on('data', (chunk) => { output += chunk; });
      for (let i = 0; i < 100 && !output.includes('listening on'); i++) await sleep(100);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.match(output, /listening on/);
      assert.match(output, /local mode/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
