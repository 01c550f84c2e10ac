// Starts and stops a real `tokenscope serve` process for the end-to-end suites.
//
// Every server gets a fresh temporary data directory and ephemeral ports. The HTTP address is
// read from the line the server prints when it has bound (`listening on http://127.0.0.1:PORT`,
// or https:// with TLS), then /readyz is polled until it answers 200. Every wait is bounded, so a
// server that does not start makes the suite fail with its output attached instead of hanging.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..', '..');

const ADDRESS_PATTERN = /(https?):\/\/(127\.0\.0\.1:\d+)/;
const GRPC_ADDRESS_PATTERN = /grpc:\/\/(127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = Number(process.env.TOKENSCOPE_E2E_START_TIMEOUT_MS ?? 60_000);
const STOP_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;
const LOG_TAIL_LINES = 200;

/** The binary under test: $TOKENSCOPE_BIN, else build/tokenscope in the repository. */
export function tokenscopeBinary() {
  const bin = process.env.TOKENSCOPE_BIN || join(REPO_ROOT, 'build', 'tokenscope');
  if (!existsSync(bin)) {
    throw new Error(`tokenscope binary not found at ${bin}; build it or set TOKENSCOPE_BIN`);
  }
  return bin;
}

/** Keeps the last lines a process wrote, for failure messages. */
class LogTail {
  #lines = [];
  #partial = { stdout: '', stderr: '' };

  push(stream, chunk) {
    const text = this.#partial[stream] + chunk;
    const lines = text.split('\n');
    this.#partial[stream] = lines.pop();
    for (const line of lines) this.#add(`[${stream}] ${line}`);
  }

  #add(line) {
    this.#lines.push(line);
    if (this.#lines.length > LOG_TAIL_LINES) this.#lines.shift();
  }

  text() {
    const pending = Object.entries(this.#partial)
      .filter(([, text]) => text !== '')
      .map(([stream, text]) => `[${stream}] ${text}`);
    return [...this.#lines, ...pending].join('\n');
  }
}

/**
 * A running tokenscope server. `baseUrl` is `http://127.0.0.1:PORT` (`https://` when started
 * with `tls`), `grpcAddress` `127.0.0.1:PORT`. `ca` is the PEM CA that signed the server's
 * certificate, or null without TLS. `exitInfo` is null while
 * the process runs, then `{code, signal}`. Call stop() exactly once (it is idempotent).
 */
export class TokenscopeServer {
  constructor(child, dataDir, log, ca = null, ownsDataDir = true) {
    this.child = child;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;  // false: a directory the caller gave; stop() keeps it
    this.log = log;
    this.ca = ca;
    this.baseUrl = null;
    this.grpcAddress = null;  // '127.0.0.1:PORT' of the OTLP/gRPC listener
    this.exitInfo = null;
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitInfo ??= { code, signal };
        resolveExit(this.exitInfo);
      });
      // A process that could not be spawned never emits 'exit'.
      child.once('error', (error) => {
        if (child.pid !== undefined) return;
        this.exitInfo ??= { code: null, signal: null, error: error.message };
        resolveExit(this.exitInfo);
      });
    });
    this.stopped = null;
  }

  url(path) {
    return new URL(path, this.baseUrl).toString();
  }

  /** A description of the process state and its recent output, for assertion messages. */
  diagnostics() {
    const state = this.exitInfo
      ? `server exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})`
      : 'server still running';
    return `${state}; last output:\n${this.log.text()}`;
  }

  /**
   * Sends `signal` (SIGKILL by default: a crash) and resolves to {code, signal} once the process
   * has exited; rejects when it has not within `timeoutMs`. Keeps the data directory, so the
   * next server can be started on it. stop() afterwards only removes the directory (if owned).
   */
  async kill(signal = 'SIGKILL', timeoutMs = STOP_GRACE_MS) {
    if (!this.exitInfo) this.child.kill(signal);
    if (!(await waitFor(this.exited, timeoutMs))) {
      throw new Error(`still running ${timeoutMs} ms after ${signal}\n${this.diagnostics()}`);
    }
    return this.exitInfo;
  }

  /**
   * SIGTERM, SIGKILL after 10 s, then removes the data directory (unless the caller gave it). Resolves to
   * `{code, signal, killed}` where `killed` says SIGKILL was needed.
   */
  stop() {
    this.stopped ??= this.#stop();
    return this.stopped;
  }

  async #stop() {
    let killed = false;
    if (!this.exitInfo) {
      this.child.kill('SIGTERM');
      if (!(await waitFor(this.exited, STOP_GRACE_MS))) {
        killed = true;
        this.child.kill('SIGKILL');
        await waitFor(this.exited, KILL_WAIT_MS);
      }
    }
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
    return { ...this.exitInfo, killed };
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function waitFor(promise, ms) {
  const timeout = sleep(ms, false, { ref: false });
  return Promise.race([promise.then(() => true), timeout]);
}

const runningServers = new Set();
process.once('exit', () => {
  // Last resort when a suite dies without stopping its server: never leave one running.
  for (const server of runningServers) {
    if (!server.exitInfo) server.child.kill('SIGKILL');
  }
});

/**
 * Sends one HTTPS request that trusts `ca` (PEM) besides nothing else; fetch cannot be given a
 * CA. Resolves to {status, headers, body (Buffer)}; rejects on a TLS or connection failure or
 * after `timeoutMs`.
 */
export function httpsRequest(url, { ca, method = 'GET', headers = {}, body, timeoutMs = 30_000 } = {}) {
  return new Promise((resolveRequest, rejectRequest) => {
    const req = https.request(url, { method, headers, ca, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolveRequest({
          status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
        }));
        res.on('error', rejectRequest);
      });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms: ${url}`)));
    req.on('error', rejectRequest);
    req.end(body);
  });
}

/**
 * Starts `tokenscope serve --data <fresh dir> --http 127.0.0.1:0 --grpc 127.0.0.1:0` and
 * resolves once it is ready. Rejects (after stopping the process) when it does not print its
 * address or become ready within the start timeout.
 *
 * `tls: {certFile, keyFile, ca}` adds --tls-cert/--tls-key; the server then speaks HTTPS and
 * gRPC over TLS, and `ca` (PEM text) is what the readiness check trusts (kept as `server.ca`).
 *
 * `dataDir` reuses an existing data directory instead of a fresh one (a restart after a crash);
 * stop() then leaves it in place for the caller to remove.
 */
export async function startServer({ extraArgs = [], tls = null, dataDir: givenDataDir = null } = {}) {
  const bin = tokenscopeBinary();
  const dataDir = givenDataDir ?? await mkdtemp(join(tmpdir(), 'tokenscope-e2e-'));
  const args = [
    'serve',
    '--data', dataDir,
    '--http', '127.0.0.1:0',
    '--grpc', '127.0.0.1:0',
    ...(tls ? ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile] : []),
    ...extraArgs,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = new LogTail();
  const server = new TokenscopeServer(child, dataDir, log, tls?.ca ?? null, givenDataDir === null);
  runningServers.add(server);
  server.exited.then(() => runningServers.delete(server));

  const address = new Promise((resolveAddress, rejectAddress) => {
    child.once('error', rejectAddress);
    // The address line is looked for on both streams; both are always drained so the server
    // never blocks on a full pipe.
    for (const stream of ['stdout', 'stderr']) {
      child[stream].setEncoding('utf8');
      let seen = '';
      child[stream].on('data', (chunk) => {
        log.push(stream, chunk);
        if (server.baseUrl) return;
        seen = (seen + chunk).slice(-4096);
        for (const line of seen.split('\n')) {
          if (!line.includes('listening on')) continue;
          const match = ADDRESS_PATTERN.exec(line);
          if (!match) continue;
          server.grpcAddress = GRPC_ADDRESS_PATTERN.exec(line)?.[1] ?? null;
          resolveAddress(`${match[1]}://${match[2]}`);
        }
      });
    }
    server.exited.then((info) =>
      rejectAddress(new Error(`exited before printing its address: ${JSON.stringify(info)}`)));
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    server.baseUrl = await withDeadline(address, deadline, 'printing its listening address');
    await waitUntilReady(server, deadline);
  } catch (error) {
    await server.stop();
    throw new Error(
      `tokenscope did not start (${bin} ${args.join(' ')}): ${error.message}\n` +
      server.diagnostics());
  }
  return server;
}

function withDeadline(promise, deadline, what) {
  const remaining = Math.max(0, deadline - Date.now());
  const timeout = sleep(remaining, undefined, { ref: false }).then(() => {
    throw new Error(`timed out after ${START_TIMEOUT_MS} ms waiting for ${what}`);
  });
  return Promise.race([promise, timeout]);
}

async function readyzStatus(server) {
  if (server.ca) {
    return (await httpsRequest(server.url('/readyz'), { ca: server.ca, timeoutMs: 2_000 })).status;
  }
  const response = await fetch(server.url('/readyz'), { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status;
}

async function waitUntilReady(server, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (server.exitInfo) throw new Error(`exited while waiting for /readyz: ${last}`);
    try {
      const status = await readyzStatus(server);
      if (status === 200) return;
      last = `/readyz answered ${status}`;
    } catch (error) {
      last = `/readyz failed: ${error.cause?.code ?? error.cause?.message ?? error.code ?? error.message}`;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${START_TIMEOUT_MS} ms waiting for /readyz 200 (${last})`);
}
