// Ingest clients that keep a ledger of what the server acknowledged, and the check that every
// acknowledged span is stored exactly once.
//
// The promise under test (docs/api.md): an OTLP/HTTP 200 or an OTLP/gRPC OK is sent only after
// the batch is durable. Each client sends batches of spans with fresh ids and retries a batch,
// byte for byte, until it is acknowledged — after a connection error (the server was killed),
// a 429/503 or a retryable gRPC status — the way OTLP exporters do. Spans whose request got a
// 200/OK go into the ledger's acknowledged set; every span ever sent goes into its sent set.
// verifyLedger() then reads every trace back: each acknowledged span must be there, nothing may
// be there that was never sent, each span id once, and the trace summaries' span_count must
// match what the trace holds. A span sent in an unacknowledged attempt may or may not be stored
// (OTLP retry semantics); if stored, it is stored once.
//
// Clients find the server through a `target` object ({baseUrl, grpcAddress} or null while it
// is down) that the suite updates across restarts, so they survive the server's port changing.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import * as grpc from '@grpc/grpc-js';

import { exactJson } from './http.mjs';
import { decodeExportResponse, encodeAttributes, jsonTraceRequest, pb }
  from './protobuf.mjs';

export const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const ATTEMPT_TIMEOUT_MS = 30_000;

/** Spans sent and acknowledged, by trace. */
export class Ledger {
  constructor() {
    this.traces = new Map();  // traceId -> {sent: Map(spanId -> seq), acked: Set(spanId)}
    this.sentSpans = 0;
    this.ackedSpans = 0;
  }

  noteSent(spans) {
    for (const span of spans) {
      let entry = this.traces.get(span.traceId);
      if (!entry) {
        entry = { sent: new Map(), acked: new Set() };
        this.traces.set(span.traceId, entry);
      }
      if (!entry.sent.has(span.spanId)) this.sentSpans++;
      entry.sent.set(span.spanId, span.seq);
    }
  }

  noteAcked(spans) {
    for (const span of spans) {
      const entry = this.traces.get(span.traceId);
      if (!entry.acked.has(span.spanId)) this.ackedSpans++;
      entry.acked.add(span.spanId);
    }
  }
}

/** Counts of what clients saw, for the suites' assertions and reports. */
export class ClientStats {
  constructor() {
    this.requests = 0;
    this.acked = 0;
    this.ackedBytes = 0;
    this.connectionErrors = 0;
    this.status = new Map();      // HTTP status or `grpc:CODE` -> count
    this.retryAfter = new Map();  // Retry-After values seen on 429/503
    this.grpcRetryInfo = 0;       // UNAVAILABLE answers carrying google.rpc status details
  }

  count(key) {
    this.status.set(key, (this.status.get(key) ?? 0) + 1);
  }
}

/**
 * Makes batches for one client: a trace runs over `batchesPerTrace` consecutive batches, so
 * trace summaries are built from several writes, each of `minSpans`-`maxSpans` spans carrying a
 * `paddingBytes` attribute.
 */
export function batchMaker({ client, minSpans = 5, maxSpans = 20, batchesPerTrace = 3,
  paddingBytes = 200 }) {
  let traceId = null;
  let batchesInTrace = 0;
  let seq = 0;
  const padding = 'p'.repeat(paddingBytes);
  return () => {
    if (traceId === null || batchesInTrace === batchesPerTrace) {
      traceId = randomBytes(16).toString('hex');
      batchesInTrace = 0;
    }
    batchesInTrace++;
    const count = minSpans + Math.floor(Math.random() * (maxSpans - minSpans + 1));
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [];
    for (let i = 0; i < count; i++) {
      seq++;
      spans.push({
        traceId,
        spanId: randomBytes(8).toString('hex'),
        seq,
        name: `op-${seq % 7}`,
        kind: 2,
        startTimeUnixNano: now + BigInt(i),
        endTimeUnixNano: now + BigInt(i) + 1_000_000n,
        attributes: { 'harness.client': client, 'harness.seq': BigInt(seq), 'harness.pad': padding },
      });
    }
    return spans;
  };
}

function requestOf(client, spans) {
  return { resource: { attributes: { 'service.name': `ledger-${client}` } },
    scope: { name: 'ledger', version: '1' }, spans };
}

/**
 * The same request as encodeTraceRequest(requestOf(client, spans)), built faster: the
 * attributes every span of a client shares are encoded once. Large overload batches would
 * otherwise keep the suite's own event loop busy encoding instead of sending.
 */
const sharedAttributes = new Map();  // client -> {pad, bytes}
export function protobufBody(client, spans) {
  const { 'harness.client': name, 'harness.pad': pad } = spans[0].attributes;
  let shared = sharedAttributes.get(client);
  if (shared?.pad !== pad) {
    shared = { pad, bytes: encodeAttributes(9, { 'harness.client': name, 'harness.pad': pad }) };
    sharedAttributes.set(client, shared);
  }
  const encodedSpans = spans.map((span) => pb.len(2, Buffer.concat([
    pb.len(1, Buffer.from(span.traceId, 'hex')),
    pb.len(2, Buffer.from(span.spanId, 'hex')),
    pb.len(5, span.name),
    pb.varint(6, span.kind),
    pb.fixed64(7, span.startTimeUnixNano),
    pb.fixed64(8, span.endTimeUnixNano),
    shared.bytes,
    encodeAttributes(9, { 'harness.seq': span.attributes['harness.seq'] }),
  ])));
  const description = requestOf(client, []);
  const scopeSpans = Buffer.concat([
    pb.len(1, Buffer.concat([pb.len(1, description.scope.name), pb.len(2, description.scope.version)])),
    ...encodedSpans,
  ]);
  return pb.len(1, Buffer.concat([
    pb.len(1, encodeAttributes(1, description.resource.attributes)),
    pb.len(2, scopeSpans),
  ]));
}

/** A JSON body with int64 values written as strings, as OTLP/JSON requires. */
function jsonBody(description) {
  return JSON.stringify(jsonTraceRequest(description),
    (key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/**
 * One attempt to deliver `body` over OTLP/HTTP. Resolves to 'acked', 'retry' (with the delay the
 * server asked for, if any) or throws for an answer no retry can fix (the suite is wrong).
 */
async function httpAttempt(target, body, contentType, stats) {
  let response;
  try {
    response = await fetch(`${target.baseUrl}/v1/traces`, {
      method: 'POST', headers: { 'content-type': contentType }, body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
  } catch (error) {
    stats.connectionErrors++;
    stats.count(`error:${error.cause?.code ?? error.name}`);
    return { outcome: 'retry' };
  }
  let bytes;
  try {
    bytes = Buffer.from(await response.arrayBuffer());
  } catch {
    // The answer was cut off: the server died after its status line. A 200 whose body never
    // arrived is treated as unacknowledged, as an exporter would.
    stats.connectionErrors++;
    return { outcome: 'retry' };
  }
  stats.count(response.status);
  if (response.status === 200) {
    const rejected = contentType === 'application/json'
      ? BigInt(exactJson({ body: bytes }).partialSuccess?.rejectedSpans ?? 0n)
      : decodeExportResponse(bytes).partialSuccess?.rejectedSpans ?? 0n;
    if (rejected !== 0n) throw new Error(`server rejected ${rejected} valid spans: ${bytes}`);
    return { outcome: 'acked' };
  }
  if (response.status === 429 || response.status === 503) {
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter === null || !/^\d+$/.test(retryAfter)) {
      throw new Error(`${response.status} without a Retry-After in seconds: ${retryAfter}`);
    }
    stats.retryAfter.set(retryAfter, (stats.retryAfter.get(retryAfter) ?? 0) + 1);
    return { outcome: 'retry', retryAfterMs: Number(retryAfter) * 1000 };
  }
  throw new Error(`unexpected answer ${response.status} to a valid request: ${bytes}`);
}

/** A gRPC channel to the current target, replaced when the server comes back on a new port. */
class GrpcChannel {
  #client = null;
  #address = null;

  for(address) {
    if (this.#address !== address) {
      this.#client?.close();
      this.#client = new grpc.Client(address, grpc.credentials.createInsecure());
      this.#address = address;
    }
    return this.#client;
  }

  close() {
    this.#client?.close();
    this.#client = null;
    this.#address = null;
  }
}

function grpcAttempt(channel, target, body, stats) {
  return new Promise((resolve) => {
    const client = channel.for(target.grpcAddress);
    client.makeUnaryRequest(TRACE_EXPORT, (b) => b, (b) => b, body,
      { deadline: Date.now() + ATTEMPT_TIMEOUT_MS }, (error) => {
        if (!error) {
          stats.count('grpc:OK');
          return resolve({ outcome: 'acked' });
        }
        stats.count(`grpc:${grpc.status[error.code] ?? error.code}`);
        if (error.code === grpc.status.UNAVAILABLE &&
            error.metadata?.get('grpc-status-details-bin')?.length > 0) {
          // The server's own refusal (overload or store failure) carries RetryInfo; a dead
          // server's UNAVAILABLE comes from the client library and carries nothing.
          stats.grpcRetryInfo++;
          return resolve({ outcome: 'retry', retryAfterMs: 1000 });
        }
        if (error.code === grpc.status.INVALID_ARGUMENT || error.code === grpc.status.UNIMPLEMENTED) {
          return resolve({ outcome: 'fatal', error });
        }
        // UNAVAILABLE, CANCELLED, INTERNAL, UNKNOWN: the connection broke; send again.
        stats.connectionErrors++;
        resolve({ outcome: 'retry' });
      });
  });
}

/**
 * Runs one client until control.stopping: make a batch, deliver it (retrying until it is
 * acknowledged), repeat. `transport` is 'http-proto', 'http-json' or 'grpc'. `control` has
 * `stopping` (finish the current batch, start no new one), `abandon` (give up at once: the
 * batch stays unacknowledged), `honorRetryAfter` (false: retry refused requests after the
 * backoff alone) and `maxBackoffMs` (default 500; small values keep a server overloaded).
 * Resolves when the client stops; rejects on an answer that means the harness or the server is
 * wrong.
 */
export async function runClient({ transport, client, target, ledger, stats, control,
  makeBatch = batchMaker({ client }) }) {
  const channel = transport === 'grpc' ? new GrpcChannel() : null;
  try {
    while (!control.stopping && !control.abandon) {
      const spans = makeBatch();
      const body = transport === 'http-json' ? jsonBody(requestOf(client, spans))
        : protobufBody(client, spans);
      ledger.noteSent(spans);
      for (let attempt = 0; !control.abandon; attempt++) {
        const current = target.current;
        if (current === null) {
          await sleep(20 + Math.random() * 30);
          continue;
        }
        stats.requests++;
        const result = transport === 'grpc' ? await grpcAttempt(channel, current, body, stats)
          : await httpAttempt(current, body,
            transport === 'http-json' ? 'application/json' : 'application/x-protobuf', stats);
        if (result.outcome === 'fatal') {
          throw new Error(`gRPC ${grpc.status[result.error.code]}: ${result.error.details}`);
        }
        if (result.outcome === 'acked') {
          ledger.noteAcked(spans);
          stats.acked++;
          stats.ackedBytes += body.length;
          break;
        }
        // Exponential backoff with jitter, capped; the server's Retry-After when asked to.
        const backoff = Math.min(control.maxBackoffMs ?? 500, 10 * 2 ** Math.min(attempt, 6)) *
          (0.5 + Math.random());
        const delay = control.honorRetryAfter && result.retryAfterMs !== undefined
          ? result.retryAfterMs * (0.5 + Math.random()) : backoff;
        await sleep(delay);
      }
    }
  } finally {
    channel?.close();
  }
}

/** Runs `worker` over `items` with at most `concurrency` at once. */
async function forEachLimited(items, concurrency, worker) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await worker(items[next++]);
  });
  await Promise.all(lanes);
}

async function getJson(baseUrl, path) {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, body, json: response.status === 200 ? exactJson({ body }) : null };
}

/**
 * Reads every trace of the ledger back from the server at `baseUrl` and lists every way the
 * store disagrees with the ledger (empty: it agrees). Also pages through GET /api/v1/traces to
 * check that each trace's summary is listed with the span_count the trace holds.
 */
export async function verifyLedger(baseUrl, ledger) {
  const problems = [];
  const stored = new Map();  // traceId -> span count read back
  let spansChecked = 0;
  let unackedStored = 0;
  const report = (message) => { if (problems.length < 50) problems.push(message); };

  await forEachLimited([...ledger.traces.entries()], 8, async ([traceId, entry]) => {
    const { status, body, json } = await getJson(baseUrl, `/api/v1/traces/${traceId}`);
    if (status === 404) {
      if (entry.acked.size > 0) report(`trace ${traceId}: 404 but ${entry.acked.size} spans acknowledged`);
      return;
    }
    if (status !== 200) return report(`trace ${traceId}: ${status} ${body}`);
    const seen = new Set();
    for (const span of json.spans) {
      if (seen.has(span.span_id)) report(`trace ${traceId}: span ${span.span_id} twice`);
      seen.add(span.span_id);
      const seq = entry.sent.get(span.span_id);
      if (seq === undefined) {
        report(`trace ${traceId}: span ${span.span_id} was never sent`);
      } else if (span.attributes['harness.seq'] !== BigInt(seq)) {
        report(`trace ${traceId}: span ${span.span_id} has harness.seq ` +
          `${span.attributes['harness.seq']}, sent ${seq}`);
      }
      if (!entry.acked.has(span.span_id)) unackedStored++;
    }
    for (const spanId of entry.acked) {
      if (!seen.has(spanId)) report(`trace ${traceId}: acknowledged span ${spanId} is missing`);
    }
    if (Number(json.total_spans) !== json.spans.length) {
      report(`trace ${traceId}: total_spans ${json.total_spans}, ${json.spans.length} spans`);
    }
    if (Number(json.summary.span_count) !== seen.size) {
      report(`trace ${traceId}: summary span_count ${json.summary.span_count}, ${seen.size} spans`);
    }
    stored.set(traceId, seen.size);
    spansChecked += json.spans.length;
  });

  // The search lists the same summaries.
  const listed = new Set();
  let cursor = null;
  for (let page = 0; page < 10_000; page++) {
    const query = `/api/v1/traces?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body, json } = await getJson(baseUrl, query);
    if (status !== 200) {
      report(`GET ${query}: ${status} ${body}`);
      break;
    }
    for (const summary of json.traces) {
      const count = stored.get(summary.trace_id);
      if (count === undefined) continue;
      listed.add(summary.trace_id);
      if (Number(summary.span_count) !== count) {
        report(`search: trace ${summary.trace_id} span_count ${summary.span_count}, trace has ${count}`);
      }
    }
    cursor = json.next_cursor;
    if (cursor === null) break;
  }
  if (listed.size !== stored.size) {
    report(`search listed ${listed.size} of the ${stored.size} stored traces`);
  }

  return { problems, tracesChecked: stored.size, spansChecked, unackedStored };
}

/** VmRSS and VmHWM of a process, in bytes (Linux). */
export async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}
