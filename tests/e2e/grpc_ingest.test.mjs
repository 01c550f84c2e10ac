// OTLP/gRPC ingest: the real OpenTelemetry JS gRPC exporters (traces and logs; metrics are in
// otlp_metrics.test.mjs) against Tokenscope's gRPC listener, checked through the HTTP API, and
// the gRPC answers the OTLP specification prescribes — INVALID_ARGUMENT for undecodable
// requests, UNIMPLEMENTED for other methods, UNAVAILABLE with a google.rpc.RetryInfo detail
// under overload — plus the standard grpc.health.v1 health service. (Field-by-field trace
// round trips over gRPC, with and without gzip, are in otel_sdk_roundtrip.test.mjs.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import * as grpc from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { exactJson, request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS_EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

// ---- Minimal protobuf writing, for raw requests ----------------------------------------------

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
const field = (number, bytes) => Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
const fixed64 = (number, value) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return Buffer.concat([varint((number << 3) | 1), b]);
};

/** ExportTraceServiceRequest with `count` spans of one trace, each with a `padding`-byte attribute. */
function traceRequest(traceId, count, padding = 0) {
  const spans = [];
  for (let i = 0; i < count; i++) {
    const attribute = field(1, Buffer.from('pad')) ;
    const value = field(1, Buffer.alloc(padding, 'x'));  // AnyValue.string_value
    spans.push(field(2, Buffer.concat([
      field(1, Buffer.from(traceId, 'hex')),
      field(2, randomBytes(8)),
      field(5, Buffer.from(`op-${i}`)),
      fixed64(7, 1_763_000_000_000_000_000n + BigInt(i)),
      fixed64(8, 1_763_000_000_000_001_000n + BigInt(i)),
      field(9, Buffer.concat([attribute, field(2, value)])),
    ])));
  }
  const resource = field(1, field(1, Buffer.concat([
    field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from('raw-grpc'))),
  ])));
  return field(1, Buffer.concat([resource, field(2, Buffer.concat(spans))]));
}

// ---- A raw gRPC client ------------------------------------------------------------------------

function rawClient(address) {
  return new grpc.Client(address, grpc.credentials.createInsecure());
}

/** Calls a unary method with raw bytes; resolves to {error, response}. */
function callRaw(client, method, bytes) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, (b) => b, (b) => b, bytes, { deadline: Date.now() + 20_000 },
      (error, response) => resolve({ error, response }));
  });
}

/** Reads google.rpc.Status{code, message, details[{type_url, value}]} from its protobuf bytes. */
function decodeRpcStatus(bytes) {
  const status = { code: 0, message: '', details: [] };
  const fields = readFields(bytes);
  for (const { number, value } of fields) {
    if (number === 1) status.code = Number(value);
    if (number === 2) status.message = value.toString('utf8');
    if (number === 3) {
      const any = Object.fromEntries(readFields(value).map((f) => [f.number, f.value]));
      status.details.push({ type_url: any[1].toString('utf8'), value: any[2] });
    }
  }
  return status;
}

function readFields(bytes) {
  const fields = [];
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(readVarint());
    const number = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ number, value: readVarint() });
    else if (wire === 2) {
      const length = Number(readVarint());
      fields.push({ number, value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

async function getJson(server, path) {
  const response = await request(server, path);
  assert.equal(response.status, 200, `GET ${path}: ${response.body}`);
  return exactJson(response);
}

describe('OTLP/gRPC', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('the gRPC trace and logs exporters deliver, and events join their span', async () => {
    const url = `http://${server.grpcAddress}`;
    const resource = resourceFromAttributes({ 'service.name': 'grpc-app' });
    const tracerProvider = new NodeTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, compression: 'gzip' }))],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url }) })],
    });
    const tracer = tracerProvider.getTracer('grpc-e2e');
    const logger = loggerProvider.getLogger('grpc-e2e');

    const span = tracer.startSpan('chat gpt-4o', {
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 3,
      },
    });
    const ctx = trace.setSpan(context.active(), span);
    logger.emit({ context: ctx, severityNumber: SeverityNumber.INFO,
      attributes: { 'event.name': 'gen_ai.user.message', 'gen_ai.system': 'openai' },
      body: { content: 'ping over gRPC' } });
    span.end();
    // An uncorrelated record too.
    logger.emit({ severityNumber: SeverityNumber.WARN, body: 'grpc warning',
      context: trace.setSpanContext(context.active(), { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE }) });
    await tracerProvider.shutdown();
    await loggerProvider.shutdown();

    const traceId = span.spanContext().traceId;
    const got = await getJson(server, `/api/v1/traces/${traceId}`);
    assert.equal(got.spans.length, 1);
    assert.equal(got.spans[0].service, 'grpc-app');
    assert.equal(got.spans[0].llm.usage.input_tokens, 12n);
    assert.deepEqual(got.spans[0].llm.input_messages,
      [{ role: 'user', parts: [{ type: 'text', text: 'ping over gRPC' }] }]);
    const warnings = await getJson(server, '/api/v1/logs?severity=warn&uncorrelated=true');
    assert.deepEqual(warnings.logs.map((l) => l.body), ['grpc warning']);
  });

  test('raw requests: partial success, invalid bodies, unknown methods', async () => {
    const client = rawClient(server.grpcAddress);
    try {
      const ok = await callRaw(client, TRACE_EXPORT, traceRequest('ab'.repeat(16), 3));
      assert.equal(ok.error, null);
      assert.equal(ok.response.length, 0);  // an empty ExportTraceServiceResponse
      assert.equal((await getJson(server, `/api/v1/traces/${'ab'.repeat(16)}`)).spans.length, 3);

      // A span with a 3-byte trace id is rejected alone: partial_success{rejected_spans: 1}.
      const partial = await callRaw(client, TRACE_EXPORT, Buffer.concat([
        traceRequest('cd'.repeat(16), 1),
        field(1, field(2, field(2, Buffer.concat([field(1, Buffer.from('abc')), field(2, randomBytes(8))])))),
      ]));
      assert.equal(partial.error, null);
      const success = Object.fromEntries(readFields(readFields(partial.response)[0].value)
        .map((f) => [f.number, f.value]));
      assert.equal(success[1], 1n);
      assert.match(success[2].toString(), /trace_id/);

      const invalid = await callRaw(client, TRACE_EXPORT, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
      assert.equal(invalid.error?.code, grpc.status.INVALID_ARGUMENT);
      assert.match(invalid.error.details, /resource_spans/);
      const invalidLogs = await callRaw(client, LOGS_EXPORT, Buffer.from([0x0a, 0x05, 0x01]));
      assert.equal(invalidLogs.error?.code, grpc.status.INVALID_ARGUMENT);

      // MetricsService is served (otlp_metrics.test.mjs): an empty request is a valid one.
      const metrics = await callRaw(client,
        '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', Buffer.alloc(0));
      assert.equal(metrics.error, null);
      const other = await callRaw(client, '/no.such.Service/Method', Buffer.alloc(0));
      assert.equal(other.error?.code, grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  test('the standard health service answers SERVING', async () => {
    const client = rawClient(server.grpcAddress);
    try {
      // HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING = 1}.
      const { error, response } = await callRaw(client, '/grpc.health.v1.Health/Check', Buffer.alloc(0));
      assert.equal(error, null);
      assert.deepEqual([...response], [0x08, 0x01]);
    } finally {
      client.close();
    }
  });
});

describe('OTLP/gRPC under overload', () => {
  let server;
  // A budget far below the requests' size: only one request is held at a time, so concurrent
  // ones are refused with a retryable status.
  before(async () => { server = await startServer({ extraArgs: ['--max-inflight-bytes', '1024'] }); });
  after(async () => { await server?.stop(); });

  test('refusals are UNAVAILABLE with RetryInfo, and refused requests store nothing', async () => {
    const client = rawClient(server.grpcAddress);
    const accepted = [];
    let refusal = null;
    try {
      for (let wave = 0; wave < 20 && refusal === null; wave++) {
        const ids = Array.from({ length: 12 }, () => randomBytes(16).toString('hex'));
        const results = await Promise.all(
          ids.map((id) => callRaw(client, TRACE_EXPORT, traceRequest(id, 50, 4096))));
        results.forEach(({ error }, i) => {
          if (error === null) accepted.push(ids[i]);
          else if (error.code === grpc.status.UNAVAILABLE) refusal ??= { error, traceId: ids[i] };
          else assert.fail(`unexpected ${error.code} ${error.details}`);
        });
      }
    } finally {
      client.close();
    }
    assert.ok(refusal, 'no request was refused under a 1 KiB in-flight budget');
    assert.match(refusal.error.details, /overloaded/);
    const [details] = refusal.error.metadata.get('grpc-status-details-bin');
    const status = decodeRpcStatus(details);
    assert.equal(status.code, grpc.status.UNAVAILABLE);
    assert.equal(status.details[0].type_url, 'type.googleapis.com/google.rpc.RetryInfo');
    const retryDelay = Object.fromEntries(readFields(readFields(status.details[0].value)[0].value)
      .map((f) => [f.number, f.value]));
    assert.equal(retryDelay[1], 1n);  // seconds

    assert.equal((await request(server, `/api/v1/traces/${refusal.traceId}`)).status, 404);
    for (const id of accepted.slice(0, 5)) {
      assert.equal((await getJson(server, `/api/v1/traces/${id}`)).summary.span_count, 50n);
    }
  });

  // @opentelemetry/exporter-trace-otlp-grpc 0.223 does not retry failed exports itself (its
  // HTTP siblings do): it reports them to the span processor, which drops the batch. What
  // Tokenscope guarantees is that nothing is acknowledged that was not stored.
  test('the real exporter sees refusals as failures, and every acknowledged export is stored', async () => {
    const runs = [];
    for (let i = 0; i < 6; i++) {
      const inner = new OTLPTraceExporter({ url: `http://${server.grpcAddress}`, timeoutMillis: 30_000 });
      const results = [];
      const exporter = {
        export: (spans, done) => inner.export(spans, (result) => { results.push(result); done(result); }),
        shutdown: () => inner.shutdown(),
        forceFlush: () => inner.forceFlush(),
      };
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': `overloaded-${i}` }),
        spanProcessors: [new BatchSpanProcessor(exporter,
          { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
      });
      const tracer = provider.getTracer('overload');
      const root = tracer.startSpan('root');
      const ctx = trace.setSpan(context.active(), root);
      for (let s = 0; s < 150; s++) {
        tracer.startSpan(`child-${s}`, { attributes: { pad: 'y'.repeat(2048) } }, ctx).end();
      }
      root.end();
      runs.push({ provider, results, traceId: root.spanContext().traceId });
    }
    // All six flush at once; the budget holds one request at a time. A refused export makes
    // forceFlush reject, which is the point: the application hears of it.
    await Promise.allSettled(runs.map(({ provider }) => provider.forceFlush()));
    await Promise.allSettled(runs.map(({ provider }) => provider.shutdown()));

    let acknowledged = 0;
    for (const { results, traceId } of runs) {
      assert.equal(results.length, 1);
      const [{ code, error }] = results;
      if (code === 0) {  // ExportResultCode.SUCCESS
        acknowledged++;
        assert.equal((await getJson(server, `/api/v1/traces/${traceId}`)).summary.span_count, 151n);
      } else {
        assert.match(String(error), /UNAVAILABLE: overloaded/);
        assert.equal((await request(server, `/api/v1/traces/${traceId}`)).status, 404);
      }
    }
    assert.ok(acknowledged >= 1, 'the budget must admit a request when none is in flight');
  });
});
