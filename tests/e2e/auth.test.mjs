// Projects and API keys: keys made with `tokenscope keys create` take effect on a running
// server; every header form authenticates (Bearer, Basic public:secret as Langfuse SDKs send it,
// x-api-key) over HTTP and gRPC metadata; wrong, missing and revoked keys get 401, read-only
// keys writing get 403; and a cross-project suite tries to reach project beta's data with
// project alpha's key through every endpoint — trace ids guessed from beta, search parameters
// and filters naming beta's services, beta's cursors, logs, OTLP metrics, services, sessions, admin
// recomputation and gRPC — all of which must show alpha's data only. Local mode (no keys) stays
// on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { startServer, tokenscopeBinary } from './lib/server.mjs';

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
