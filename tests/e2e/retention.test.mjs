// Retention: with a TTL, spans, traces and log records older than the TTL disappear in the
// background while newer data and projects with their own TTL (0 = forever) stay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { exactJson, request } from './lib/http.mjs';
import { startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);
const HOUR_NS = 3_600_000_000_000n;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

let server;
let alpha;
let beta;

before(async () => {
  server = await startServer({ extraArgs: [
    '--retention', '1h', '--retention-projects', 'beta=0', '--retention-interval', '500ms',
  ] });
  const key = async (project) => JSON.parse((await run(tokenscopeBinary(),
    ['keys', '--data', server.dataDir, '--json', 'create', '--project', project])).stdout);
  alpha = await key('alpha');
  beta = await key('beta');
  for (let i = 0; i < 50 && (await request(server, '/api/v1/services')).status !== 401; i++) {
    await sleep(100);
  }
});
after(async () => { await server?.stop(); });

function traceBody(traceId, startNs) {
  return JSON.stringify({ resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeSpans: [{ spans: [{ traceId, spanId: '1111111111111111', name: 'op', kind: 1,
      startTimeUnixNano: `${startNs}`, endTimeUnixNano: `${startNs + 1000n}` }] }],
  }] });
}

function logBody(traceId, timeNs) {
  return JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{
    timeUnixNano: `${timeNs}`, traceId, body: { stringValue: `at ${timeNs}` } }] }] }] });
}

async function send(key, path, body) {
  const response = await request(server, path, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
  });
  assert.equal(response.status, 200, `${path}: ${response.body}`);
}

async function status(key, traceId) {
  return (await request(server, `/api/v1/traces/${traceId}`,
    { headers: { authorization: `Bearer ${key.secret}` } })).status;
}

test('expired data is deleted in the background; newer data and exempt projects stay', async () => {
  const old = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
  const recent = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2';
  const kept = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1';
  const twoHoursAgo = nowNs() - 2n * HOUR_NS;
  await send(alpha, '/v1/traces', traceBody(old, twoHoursAgo));
  await send(alpha, '/v1/logs', logBody(old, twoHoursAgo));
  await send(alpha, '/v1/traces', traceBody(recent, nowNs()));
  await send(alpha, '/v1/logs', logBody(recent, nowNs()));
  await send(beta, '/v1/traces', traceBody(kept, twoHoursAgo));

  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    gone = (await status(alpha, old)) === 404;
    if (!gone) await sleep(100);
  }
  assert.ok(gone, 'the expired trace is still there after 10 s');
  assert.equal(await status(alpha, recent), 200);
  assert.equal(await status(beta, kept), 200);

  const logs = exactJson(await request(server, '/api/v1/logs',
    { headers: { authorization: `Bearer ${alpha.secret}` } }));
  assert.deepEqual(logs.logs.map((l) => l.trace_id), [recent]);
  const search = exactJson(await request(server, '/api/v1/traces?start=0',
    { headers: { authorization: `Bearer ${alpha.secret}` } }));
  assert.deepEqual(search.traces.map((t) => t.trace_id), [recent]);
});
