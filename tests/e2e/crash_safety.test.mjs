// Crash safety: an acknowledged span is never lost, whatever happens to the server afterwards.
//
// Several clients (OTLP/HTTP protobuf, OTLP/HTTP JSON, OTLP/gRPC) ingest without pause and keep
// a ledger of the spans whose request was acknowledged (lib/ledger.mjs). The server is killed
// with SIGKILL at random moments — mid-request, mid-fsync, right after it came up — and
// restarted on the same data directory each time while the clients retry. At the end every
// acknowledged span must be readable through GET /api/v1/traces/{id}, exactly once, with trace
// summaries that count what the trace holds. A second test does the same with SIGTERM, which
// must drain: whatever was answered 200 is stored, and the process exits 0 within a bound.
//
// `SOAK=1` (make soak) runs the same harness longer: more kills, more clients, longer up-times.
// CRASH_KILLS overrides the number of kills.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ClientStats, Ledger, runClient, verifyLedger } from './lib/ledger.mjs';
import { startServer } from './lib/server.mjs';

const SOAK = process.env.SOAK === '1';
const KILLS = Number(process.env.CRASH_KILLS ?? (SOAK ? 300 : 24));
const CLIENTS_PER_TRANSPORT = SOAK ? 4 : 2;
// How long the server runs before it is killed: mostly a second or two of load, sometimes
// almost none, so a kill also lands during recovery and the first writes after it.
const MAX_UPTIME_MS = SOAK ? 6_000 : 2_500;
const TERM_CYCLES = SOAK ? 20 : 3;
// SIGTERM drains requests in flight; beyond this the shutdown counts as hung.
const TERM_EXIT_BOUND_MS = 15_000;
// Clients finish their last batch once the final server is up; beyond this they are stuck.
const FINISH_BOUND_MS = 60_000;

const TRANSPORTS = ['http-proto', 'http-json', 'grpc'];

function uptimeMs() {
  const r = Math.random();
  if (r < 0.15) return Math.random() * 150;
  return 150 + Math.random() * (MAX_UPTIME_MS - 150);
}

/** Lines the server logged at error level or worse (a clean recovery logs none). */
function errorLines(server) {
  return server.log.text().split('\n').filter((line) => /\[(error|critical)\]/.test(line));
}

/** Starts the clients of every transport against `target`. */
function startClients(target, ledger, stats, control) {
  const clients = [];
  for (const transport of TRANSPORTS) {
    for (let i = 0; i < CLIENTS_PER_TRANSPORT; i++) {
      clients.push(runClient({ transport, client: `${transport}-${i}`, target, ledger, stats,
        control }));
    }
  }
  return Promise.all(clients);
}

/**
 * Starts the final server on `dataDir`, lets the clients finish their last batch, stops them,
 * and checks control.ledger against the store. Resolves to verifyLedger's result.
 */
async function finishAndVerify(dataDir, target, control, clients) {
  const server = await startServer({ dataDir });
  try {
    assert.deepEqual(errorLines(server), [], server.diagnostics());
    target.current = { baseUrl: server.baseUrl, grpcAddress: server.grpcAddress };
    control.stopping = true;
    const finished = await Promise.race([
      clients.then(() => true), sleep(FINISH_BOUND_MS, false, { ref: false })]);
    if (!finished) {
      control.abandon = true;
      await clients;
      assert.fail(`clients could not deliver their last batch within ${FINISH_BOUND_MS} ms\n` +
        server.diagnostics());
    }
    const result = await verifyLedger(server.baseUrl, control.ledger);
    const exit = await server.kill('SIGTERM', TERM_EXIT_BOUND_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, server.diagnostics());
    return result;
  } finally {
    await server.stop();
  }
}

describe('crash safety', () => {
  const dirs = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  test(`no acknowledged span is lost across ${KILLS} SIGKILLs`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-crash-'));
    dirs.push(dataDir);
    const target = { current: null };
    const control = { stopping: false, abandon: false, honorRetryAfter: true, ledger: new Ledger() };
    const stats = new ClientStats();
    const clients = startClients(target, control.ledger, stats, control);
    // A client that throws (an answer no retry fixes) fails the test at once.
    let clientError = null;
    clients.catch((error) => { clientError = error; control.abandon = true; });

    const started = Date.now();
    let acksBefore = 0;
    let cyclesWithAcks = 0;
    let server = null;
    try {
      for (let kill = 0; kill < KILLS && clientError === null; kill++) {
        server = await startServer({ dataDir });
        assert.deepEqual(errorLines(server), [], `after kill ${kill}: ${server.diagnostics()}`);
        target.current = { baseUrl: server.baseUrl, grpcAddress: server.grpcAddress };
        await sleep(uptimeMs());
        assert.equal(server.exitInfo, null, `the server died under load: ${server.diagnostics()}`);
        const exit = await server.kill('SIGKILL');
        target.current = null;
        assert.equal(exit.signal, 'SIGKILL');
        await server.stop();
        server = null;
        if (stats.acked > acksBefore) cyclesWithAcks++;
        acksBefore = stats.acked;
        await sleep(Math.random() * 200);  // down for a moment: clients retry meanwhile
      }
    } finally {
      if (server) await server.stop();
      if (clientError) {
        control.abandon = true;
        await clients.catch(() => {});
      }
    }
    if (clientError) throw clientError;

    const result = await finishAndVerify(dataDir, target, control, clients);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`${KILLS} SIGKILLs survived in ${seconds.toFixed(1)} s; ${stats.requests} ` +
      `requests, ${stats.acked} acknowledged (${cyclesWithAcks} of ${KILLS} runs had acks), ` +
      `${stats.connectionErrors} connection errors`);
    t.diagnostic(`${control.ledger.ackedSpans} spans acknowledged of ${control.ledger.sentSpans} ` +
      `sent; ${result.spansChecked} spans in ${result.tracesChecked} traces read back; ` +
      `${result.unackedStored} stored without an acknowledgement`);
    assert.deepEqual(result.problems, []);
    assert.ok(control.ledger.ackedSpans > 0, 'no request was ever acknowledged');
    assert.ok(result.spansChecked >= control.ledger.ackedSpans);
  });

  test(`SIGTERM drains: ${TERM_CYCLES} graceful stops under load lose nothing`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-term-'));
    dirs.push(dataDir);
    const target = { current: null };
    const control = { stopping: false, abandon: false, honorRetryAfter: true, ledger: new Ledger() };
    const stats = new ClientStats();
    const clients = startClients(target, control.ledger, stats, control);
    let clientError = null;
    clients.catch((error) => { clientError = error; control.abandon = true; });

    const exitTimes = [];
    let server = null;
    try {
      for (let cycle = 0; cycle < TERM_CYCLES && clientError === null; cycle++) {
        server = await startServer({ dataDir });
        target.current = { baseUrl: server.baseUrl, grpcAddress: server.grpcAddress };
        // Long enough for requests to be in flight on every transport when the signal comes.
        await sleep(500 + Math.random() * 1_000);
        assert.equal(server.exitInfo, null, `the server died under load: ${server.diagnostics()}`);
        const signalled = Date.now();
        const exit = await server.kill('SIGTERM', TERM_EXIT_BOUND_MS);
        exitTimes.push(Date.now() - signalled);
        target.current = null;
        assert.deepEqual(exit, { code: 0, signal: null }, server.diagnostics());
        assert.deepEqual(errorLines(server), [], server.diagnostics());
        await server.stop();
        server = null;
      }
    } finally {
      if (server) await server.stop();
      if (clientError) {
        control.abandon = true;
        await clients.catch(() => {});
      }
    }
    if (clientError) throw clientError;

    const result = await finishAndVerify(dataDir, target, control, clients);
    t.diagnostic(`${TERM_CYCLES} SIGTERMs under load; exit after ${exitTimes.join(', ')} ms; ` +
      `${control.ledger.ackedSpans} spans acknowledged, ${result.spansChecked} read back`);
    assert.deepEqual(result.problems, []);
    assert.ok(control.ledger.ackedSpans > 0, 'no request was ever acknowledged');
  });
});
