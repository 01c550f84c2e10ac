// Backpressure: a server offered far more than it can take refuses the excess with retryable
// answers instead of growing memory, keeps answering queries, and loses nothing that clients
// retry.
//
// The server runs with a 2 MiB in-flight budget (--max-inflight-bytes). Many OTLP/HTTP protobuf
// and OTLP/gRPC clients send batches of about half a MiB at once — several times what the
// budget admits — and retry refused ones after a short backoff, ignoring Retry-After, to keep
// the server overloaded. Meanwhile /healthz and GET /api/v1/traces must keep answering in
// bounded time and the server's resident memory must stay under a bound computed from its
// budgets (below). Then the clients switch to honouring Retry-After and finish their last
// batch, and every acknowledged span is checked as in crash_safety.test.mjs.
//
// `SOAK=1` (make soak) overloads for longer with more clients.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { ClientStats, Ledger, batchMaker, memoryOf, runClient, verifyLedger } from './lib/ledger.mjs';
import { startQueryProber } from './lib/query_prober.mjs';
import { startServer } from './lib/server.mjs';

const SOAK = process.env.SOAK === '1';
// Under ASan the server's resident memory is mostly shadow memory and quarantine: reported,
// not bounded.
const SANITIZED = process.env.TOKENSCOPE_SANITIZED === '1';
const MiB = 1024 * 1024;
const BUDGET_BYTES = 2 * MiB;
const OVERLOAD_MS = SOAK ? 120_000 : 12_000;
const HTTP_CLIENTS = SOAK ? 48 : 24;
const GRPC_CLIENTS = SOAK ? 16 : 8;
// 200-280 spans with a 2 KiB attribute: about 0.5 MiB per request, so the clients together
// offer 16 MiB at once against a 2 MiB budget.
const BATCH = { minSpans: 200, maxSpans: 280, batchesPerTrace: 1, paddingBytes: 2048 };
const QUERY_BOUND_MS = 2_000;
const FINISH_BOUND_MS = 120_000;

// The memory bound. Beyond what the idle server holds, the store may use its memtable budget
// (128 MiB) and block cache (96 MiB) — EmbeddedStoreOptions' defaults, which `serve` uses —
// and the transports what the in-flight budget admits several times over: the body, the spans
// decoded from it, the RocksDB write batch built from them and the answer (4 x 2 MiB), plus up
// to one message per gRPC completion queue read before admission (8 x 0.6 MiB) and allocator
// slack. 64 MiB covers the transports with room to spare; a server that buffered what it is
// offered instead of refusing it would pass the bound within seconds at this load.
const STORE_BUDGETS_BYTES = (128 + 96) * MiB;
const TRANSPORT_ALLOWANCE_BYTES = 64 * MiB;

describe('backpressure', () => {
  let server;
  before(async () => {
    server = await startServer({ extraArgs: ['--max-inflight-bytes', String(BUDGET_BYTES)] });
  });
  after(async () => { await server?.stop(); });

  test('overload is refused with 429/UNAVAILABLE, queries stay fast, memory stays bounded, ' +
       'retried data is all stored', async (t) => {
    const idle = await memoryOf(server.child.pid);
    const rssBound = idle.rss + STORE_BUDGETS_BYTES + TRANSPORT_ALLOWANCE_BYTES;
    const target = { current: { baseUrl: server.baseUrl, grpcAddress: server.grpcAddress } };
    const ledger = new Ledger();
    const stats = new ClientStats();
    const control = { stopping: false, abandon: false, honorRetryAfter: false, maxBackoffMs: 50 };

    const clients = [];
    for (let i = 0; i < HTTP_CLIENTS + GRPC_CLIENTS; i++) {
      const transport = i < HTTP_CLIENTS ? 'http-proto' : 'grpc';
      const client = `${transport}-${i}`;
      clients.push(runClient({ transport, client, target, ledger, stats, control,
        makeBatch: batchMaker({ client, ...BATCH }) }));
    }
    const all = Promise.all(clients);
    let clientError = null;
    all.catch((error) => { clientError = error; control.abandon = true; });

    // While overloaded: a worker thread times the queries and samples memory.
    const started = Date.now();
    const prober = startQueryProber({ baseUrl: server.baseUrl, pid: server.child.pid,
      paths: ['/healthz', '/api/v1/traces?limit=20'] });
    while (Date.now() - started < OVERLOAD_MS && clientError === null) {
      assert.equal(server.exitInfo, null, `the server died under load: ${server.diagnostics()}`);
      await sleep(200);
    }
    const probed = await prober.stop();
    const peakRss = Math.max(idle.rss, probed.peakRss);
    const latencies = { healthz: probed.latencies['/healthz'],
      search: probed.latencies['/api/v1/traces?limit=20'] };
    const overloadSeconds = (Date.now() - started) / 1000;
    const ackedDuringOverload = { spans: ledger.ackedSpans, bytes: stats.ackedBytes };
    const refusedHttp = stats.status.get(429) ?? 0;
    const refusedGrpc = stats.grpcRetryInfo;
    const requestsDuringOverload = stats.requests;

    // The load drops: clients honour Retry-After and finish the batch they hold.
    control.honorRetryAfter = true;
    control.stopping = true;
    const finished = await Promise.race([
      all.then(() => true, () => true), sleep(FINISH_BOUND_MS, false, { ref: false })]);
    if (!finished) control.abandon = true;
    await all.catch(() => {});
    if (clientError) throw clientError;
    assert.ok(finished, `clients could not deliver within ${FINISH_BOUND_MS} ms after the load ` +
      `dropped\n${server.diagnostics()}`);
    const hwm = (await memoryOf(server.child.pid)).hwm;

    const result = await verifyLedger(server.baseUrl, ledger);
    const max = (list) => Math.max(...list);
    const status = Object.fromEntries(stats.status);
    t.diagnostic(`overload ${overloadSeconds.toFixed(1)} s, ${HTTP_CLIENTS} HTTP + ` +
      `${GRPC_CLIENTS} gRPC clients, ${requestsDuringOverload} requests: ${refusedHttp} x 429, ` +
      `${refusedGrpc} x UNAVAILABLE+RetryInfo, ${stats.connectionErrors} connection errors; ` +
      `answers ${JSON.stringify(status)}`);
    t.diagnostic(`stored under overload: ${(ackedDuringOverload.spans / overloadSeconds).toFixed(0)} ` +
      `spans/s, ${(ackedDuringOverload.bytes / MiB / overloadSeconds).toFixed(1)} MiB/s`);
    t.diagnostic(`RSS idle ${(idle.rss / MiB).toFixed(0)} MiB, peak sampled ` +
      `${(peakRss / MiB).toFixed(0)} MiB, VmHWM ${(hwm / MiB).toFixed(0)} MiB, bound ` +
      `${(rssBound / MiB).toFixed(0)} MiB; peak of each 10 s: ` +
      `${probed.rssTimeline.map((rss) => (rss / MiB).toFixed(0)).join(' ')} MiB`);
    t.diagnostic(`query latency max: /healthz ${max(latencies.healthz).toFixed(0)} ms, ` +
      `/api/v1/traces ${max(latencies.search).toFixed(0)} ms (${latencies.search.length} each)`);
    t.diagnostic(`${ledger.ackedSpans} spans acknowledged, ${result.spansChecked} in ` +
      `${result.tracesChecked} traces read back`);

    assert.deepEqual(probed.failures, [], 'queries during the overload');
    assert.ok(refusedHttp > 0, `no HTTP request was refused with 429: ${JSON.stringify(status)}`);
    assert.ok(refusedGrpc > 0, `no gRPC call was refused with UNAVAILABLE: ${JSON.stringify(status)}`);
    assert.deepEqual([...stats.retryAfter.keys()], ['1'], 'Retry-After: 1 on every refusal');
    assert.ok(max(latencies.healthz) < QUERY_BOUND_MS, `/healthz took ${max(latencies.healthz)} ms`);
    assert.ok(max(latencies.search) < QUERY_BOUND_MS, `search took ${max(latencies.search)} ms`);
    if (!SANITIZED) assert.ok(hwm < rssBound, `peak RSS ${hwm} over the bound ${rssBound}`);
    assert.deepEqual(result.problems, []);
    assert.ok(ackedDuringOverload.spans > 0, 'nothing was stored during the overload');
  });

  test('chunked bodies, which announce no length, are held to the budget as they arrive',
    async (t) => {
      // A body sent with Transfer-Encoding: chunked passes admission with 0 bytes announced;
      // the server must count it while reading it, or every such request could hold up to
      // max_body_bytes. A fresh server, so that VmHWM measures this flood alone. The bodies
      // are not OTLP (what the server keeps of them is the point, not what it stores).
      const fresh = await startServer({ extraArgs: ['--max-inflight-bytes', String(BUDGET_BYTES)] });
      try {
        const idle = await memoryOf(fresh.child.pid);
        const requests = SOAK ? 96 : 48;
        const chunk = Buffer.alloc(MiB, 0x0a);
        const chunks = 8;
        const answers = new Map();
        const count = (key) => answers.set(key, (answers.get(key) ?? 0) + 1);
        const url = new URL(fresh.baseUrl);
        await Promise.all(Array.from({ length: requests }, () => new Promise((resolve) => {
          const req = http.request({ host: url.hostname, port: url.port, path: '/v1/traces',
            method: 'POST', agent: false, timeout: 30_000,
            headers: { 'content-type': 'application/x-protobuf', 'transfer-encoding': 'chunked' },
          }, (res) => {
            count(res.statusCode);
            res.resume();
            res.on('end', resolve);
            res.on('error', resolve);
          });
          // A refused request's connection is closed while its body is still being sent.
          req.on('error', () => { count('connection closed'); resolve(); });
          req.on('timeout', () => req.destroy(new Error('timeout')));
          let sent = 0;
          const write = () => {
            while (sent < chunks) {
              sent++;
              if (!req.write(chunk)) return req.once('drain', write);
            }
            req.end();
          };
          write();
        })));
        const hwm = (await memoryOf(fresh.child.pid)).hwm;
        t.diagnostic(`${requests} chunked requests of ${chunks} MiB at once: answers ` +
          `${JSON.stringify(Object.fromEntries(answers))}; RSS idle ${(idle.rss / MiB).toFixed(0)} ` +
          `MiB, VmHWM ${(hwm / MiB).toFixed(0)} MiB`);
        assert.ok((answers.get(429) ?? 0) > 0, 'no chunked request was refused');
        // One request alone in flight is always admitted whole (8 MiB, in a string that may
        // double while growing) besides what the budget admits: far below the 384 MiB offered.
        assert.ok(SANITIZED || hwm - idle.rss < TRANSPORT_ALLOWANCE_BYTES,
          `chunked bodies took the server from ${idle.rss} to ${hwm} bytes`);
      } finally {
        await fresh.stop();
      }
    });
});
