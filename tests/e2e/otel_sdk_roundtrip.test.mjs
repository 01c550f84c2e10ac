// OpenTelemetry JS SDK -> Tokenscope -> HTTP query API, field by field.
//
// For each OTLP exporter (HTTP protobuf and JSON, gRPC; plain and gzip) a real NodeTracerProvider
// exports one nested trace (SERVER -> INTERNAL -> CLIENT) carrying every attribute type the JS
// SDK can send, events, links, statuses, trace state, dropped counts and exact nanosecond times.
// The trace is then read back through GET /api/v1/traces/{id} and compared exactly with what the
// SDK sent, as docs/api.md describes it; the search and services endpoints are checked too.
//
// Expected values are derived from the SDK's own ReadableSpans (what the exporter serialised),
// using the same int/double rules as @opentelemetry/otlp-transformer:
//   protobuf: a number is int_value when Number.isInteger and within int64, else double_value;
//   JSON:     a number is intValue when Number.isInteger, else doubleValue (so NaN and ±Infinity,
//             which JSON.stringify turns into null, are only sent through protobuf here), written
//             by JSON.stringify as a bare number (integers beyond 2^53 lose their low digits).
// Array elements follow the same rule one by one; null array elements become empty AnyValues.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { createTraceState, diag, DiagLogLevel, SpanKind, SpanStatusCode, trace, ROOT_CONTEXT,
  SamplingDecision } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_TELEMETRY_SDK_LANGUAGE, ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION } from '@opentelemetry/semantic-conventions';

import { startServer } from './lib/server.mjs';
import { getJson, mediaType } from './lib/http.mjs';
import { assertMatches } from './lib/compare.mjs';

const NS_PER_S = 1_000_000_000n;
const RESOURCE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.28.0';
const SCOPE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';
const SCOPE_NAME = 'tokenscope-e2e';
const SCOPE_VERSION = '1.2.3';
const TRACE_STATE = 'tokenscope=e2e,vendor=t61';
const KIND_NAMES = { [SpanKind.INTERNAL]: 'internal', [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client', [SpanKind.PRODUCER]: 'producer', [SpanKind.CONSUMER]: 'consumer' };
const STATUS_NAMES = { [SpanStatusCode.UNSET]: 'unset', [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error' };
// Limits small enough that the CLIENT span drops attributes, events and links, so the dropped
// counts travel through the pipeline; the other spans stay within them.
const SPAN_LIMITS = {
  attributeCountLimit: 28,
  attributePerEventCountLimit: 4,
  attributePerLinkCountLimit: 4,
  eventCountLimit: 2,
  linkCountLimit: 1,
};

const VARIANTS = [
  { name: 'protobuf', Exporter: ProtoExporter, path: '/v1/traces', encoding: 'protobuf' },
  { name: 'json', Exporter: JsonExporter, path: '/api/public/otel/v1/traces', encoding: 'json' },
  { name: 'protobuf+gzip', Exporter: ProtoExporter, path: '/api/public/otel/v1/traces',
    encoding: 'protobuf', compression: 'gzip' },
  { name: 'json+gzip', Exporter: JsonExporter, path: '/v1/traces', encoding: 'json',
    compression: 'gzip' },
  // OTLP/gRPC: the exporter speaks to the gRPC listener, not to a path.
  { name: 'grpc', Exporter: GrpcExporter, grpc: true, encoding: 'protobuf' },
  { name: 'grpc+gzip', Exporter: GrpcExporter, grpc: true, encoding: 'protobuf',
    compression: 'gzip' },
];

// ---- The trace ---------------------------------------------------------------------------------

/** One attribute of every kind the SDK accepts (string, bool, number, homogeneous arrays). */
function allTypesAttributes(encoding) {
  const attributes = {
    'str': 'hello',
    'str.empty': '',
    'str.unicode': 'héllo ✓ 日本語 🚀',
    'str.escapes': 'quote " backslash \\ slash / newline \n tab \t nul \u0000 ctrl \u001f del \u007f',
    'bool.true': true,
    'bool.false': false,
    'int': 42,
    'int.zero': 0,
    'int.negative': -7,
    'int.max_safe': Number.MAX_SAFE_INTEGER,
    'int.min_safe': Number.MIN_SAFE_INTEGER,
    'int.2^60': 2 ** 60,
    'double': 3.25,
    'double.negative': -0.5,
    'double.precise': 0.1 + 0.2,
    'double.tiny': 5e-324,
    'str.array': ['a', 'b', ''],
    'int.array': [1, -2, 3],
    'number.array.mixed': [1, 2.5, -3],
    'bool.array': [true, false, true],
    'str.array.with_nulls': ['x', null, 'z'],
    'array.empty': [],
  };
  if (encoding === 'protobuf') {
    Object.assign(attributes, {
      'double.nan': NaN,
      'double.inf': Infinity,
      'double.neg_inf': -Infinity,
      // Integral but outside int64: protobuf sends double_value (JSON would send an intValue).
      'double.beyond_int64': 2 ** 64,
      'double.max': Number.MAX_VALUE,
    });
  }
  return attributes;
}

/** A sampler that samples everything and puts a trace state on root spans (children inherit). */
const traceStateSampler = {
  shouldSample(context) {
    const isRoot = trace.getSpanContext(context) === undefined;
    return {
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      ...(isRoot ? { traceState: createTraceState(TRACE_STATE) } : {}),
    };
  },
  toString: () => 'TraceStateSampler',
};

/** Wraps an exporter to record the result of every export call. */
function recordingExporter(inner) {
  const calls = [];
  return {
    calls,
    export(spans, done) {
      inner.export(spans, (result) => {
        calls.push({ spans, result });
        done(result);
      });
    },
    forceFlush: () => inner.forceFlush?.(),
    shutdown: () => inner.shutdown(),
  };
}

function randomHex(bytes) {
  return randomBytes(bytes).toString('hex');
}

/** Records diag warnings/errors, which is where exporters report partial success and failures. */
const diagMessages = [];
diag.setLogger({
  error: (...args) => diagMessages.push(`error: ${args.join(' ')}`),
  warn: (...args) => diagMessages.push(`warn: ${args.join(' ')}`),
  info: () => {}, debug: () => {}, verbose: () => {},
}, DiagLogLevel.WARN);

/**
 * Exports the test trace through `variant`'s exporter and returns the ReadableSpans that were
 * sent (root, child, grandchild) and the service name.
 */
async function exportTrace(server, variant, variantIndex) {
  const service = `e2e-sdk-${variant.name.replace('+', '-')}-${randomHex(4)}`;
  const resource = defaultResource().merge(resourceFromAttributes({
    [ATTR_SERVICE_NAME]: service,
    'service.version': '0.9.1',
    'deployment.environment.name': 'e2e',
    'host.cores': 2,
    'process.load': 0.75,
    'feature.enabled': true,
    'team.tags': ['search', 'rag'],
    'listen.ports': [80, 443],
    'flags.array': [false, true],
  }, { schemaUrl: RESOURCE_SCHEMA_URL }));

  const exporter = recordingExporter(new variant.Exporter({
    url: variant.grpc ? `http://${server.grpcAddress}` : server.url(variant.path),
    timeoutMillis: 15_000,
    ...(variant.compression ? { compression: variant.compression } : {}),
  }));
  const provider = new NodeTracerProvider({
    resource,
    sampler: traceStateSampler,
    spanLimits: SPAN_LIMITS,
    spanProcessors: [new BatchSpanProcessor(exporter, {
      scheduledDelayMillis: 60_000, maxExportBatchSize: 512, exportTimeoutMillis: 20_000,
    })],
  });
  const tracer = provider.getTracer(SCOPE_NAME, SCOPE_VERSION, { schemaUrl: SCOPE_SCHEMA_URL });

  // Times: a few minutes ago (inside any default search range), with odd nanoseconds so any
  // rounding to micro- or milliseconds shows.
  const nowS = BigInt(Math.floor(Date.now() / 1000));
  const base = (nowS - 600n + BigInt(variantIndex) * 10n) * NS_PER_S + 123_456_789n;
  const at = (offsetNs) => {
    const ns = base + BigInt(offsetNs);
    return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
  };

  const linkedContext = {
    traceId: randomHex(16), spanId: randomHex(8), traceFlags: 1, isRemote: true,
    traceState: createTraceState('upstream=abc'),
  };
  const root = tracer.startSpan('POST /v1/chat', {
    kind: SpanKind.SERVER,
    startTime: at(0),
    attributes: allTypesAttributes(variant.encoding),
    links: [{ context: linkedContext, attributes: {
      'link.reason': 'retry of', 'link.attempt': 2, 'link.score': 0.5, 'link.tags': ['x', 'y'],
    } }],
  }, ROOT_CONTEXT);
  root.addEvent('request.received', {
    'http.request.body.size': 1234, 'client.ok': true, 'client.ratio': 0.125,
    'client.ids': ['c1', 'c2'],
  }, at(1_000));
  root.addEvent('request.parsed', at(250_000_001));

  const child = tracer.startSpan('rag.pipeline ✓', {
    kind: SpanKind.INTERNAL, startTime: at(10_000_003),
  }, trace.setSpan(ROOT_CONTEXT, root));
  child.setAttribute('pipeline.steps', 3);
  child.setAttribute('pipeline.query', 'what is τ?');
  // A large value: Tokenscope may store big values out of line; it must come back unchanged.
  child.setAttribute('pipeline.context', Array.from({ length: 4096 },
    (_, i) => `doc${i}:${(i * 2654435761 >>> 0).toString(36)}`).join(' '));
  child.addEvent('retrieval.done', { 'retrieval.count': 5, 'retrieval.top_score': 0.875 },
    at(300_000_000));

  const grandchild = tracer.startSpan('llm.generate', {
    kind: SpanKind.CLIENT, startTime: at(20_000_000),
  }, trace.setSpan(ROOT_CONTEXT, child));
  grandchild.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.request.temperature': 0.7,
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 345,
    'gen_ai.response.finish_reasons': ['length'],
    'llm.stream': true,
  });
  // Fill up to the attribute limit, then three more that the SDK drops.
  for (let i = 0; Object.keys(grandchild.attributes).length < SPAN_LIMITS.attributeCountLimit;
    i++) {
    grandchild.setAttribute(`pad.${String(i).padStart(2, '0')}`, i);
  }
  for (let i = 0; i < 3; i++) grandchild.setAttribute(`overflow.${i}`, 'dropped');
  // Three events with a limit of two: the first is dropped. The last has six attributes with a
  // per-event limit of four: two are dropped.
  grandchild.addEvent('gen_ai.dropped_event', { n: 1 }, at(30_000_000));
  grandchild.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': 'Say hi' }, at(40_000_000));
  grandchild.addEvent('exception', {
    'exception.type': 'TimeoutError', 'exception.message': 'upstream timeout',
    'exception.escaped': false, 'retry.count': 2, 'extra.1': 'dropped', 'extra.2': 'dropped',
  }, at(1_219_999_999));
  // Two links with a limit of one: the first is dropped. The kept one has five attributes with
  // a per-link limit of four: one is dropped.
  grandchild.addLink({ context: { traceId: randomHex(16), spanId: randomHex(8), traceFlags: 0 } });
  grandchild.addLink({
    context: { traceId: randomHex(16), spanId: randomHex(8), traceFlags: 1, isRemote: false },
    attributes: { a: 'x', b: 1, c: 1.5, d: true, e: 'dropped' },
  });
  grandchild.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout after 1.2s: "gpt-4o" ✗' });
  grandchild.end(at(1_220_000_000));

  child.end(at(1_400_000_000));
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(at(1_500_000_007));

  await provider.forceFlush();
  await provider.shutdown();

  const sent = exporter.calls.flatMap((call) => call.spans);
  const failures = exporter.calls.filter((call) => call.result.code !== 0);
  assert.deepEqual(failures.map((call) => call.result.error?.message ?? String(call.result.error)),
    [], `the ${variant.name} exporter reported failed exports`);
  assert.equal(sent.length, 3, `the ${variant.name} exporter sent ${sent.length} spans, not 3`);
  const byId = (span) => sent.find((s) => s.spanContext().spanId === span.spanContext().spanId);
  const spans = [byId(root), byId(child), byId(grandchild)];

  // The setup did what the test intends; if not, the test (not the server) is wrong.
  assert.equal(spans[2].droppedAttributesCount, 3);
  assert.equal(spans[2].droppedEventsCount, 1);
  assert.equal(spans[2].droppedLinksCount, 1);
  assert.equal(spans[2].events.at(-1).droppedAttributesCount, 2);
  assert.equal(spans[2].links[0].droppedAttributesCount, 1);
  assert.equal(spans[0].droppedAttributesCount, 0);

  return { service, spans, traceId: root.spanContext().traceId };
}

// ---- What the API must answer ------------------------------------------------------------------

function hrToNs([seconds, nanos]) {
  return BigInt(seconds) * NS_PER_S + BigInt(nanos);
}

/** An SDK attribute value as the API writes it, parsed by parseJsonExact. */
function apiValue(value, encoding) {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => apiValue(item, encoding));
  if (typeof value !== 'number') return value;
  const isInt = Number.isInteger(value) &&
    (encoding === 'json' || (value >= -(2 ** 63) && value < 2 ** 63));
  // JSON.stringify writes the shortest decimal that reads back as the same double, so an
  // integer beyond 2^53 reaches the server as a different integer (2^60 is sent as
  // 1152921504606847000); the server can only keep what it was sent.
  if (isInt) return encoding === 'json' ? BigInt(JSON.stringify(value)) : BigInt(value);
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function apiAttributes(attributes = {}, encoding) {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, apiValue(v, encoding)]));
}

function spanFlags(traceFlags, isRemote) {
  return BigInt((traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0));
}

function expectedSpan(span, encoding) {
  const ctx = span.spanContext();
  const start = hrToNs(span.startTime);
  const end = hrToNs(span.endTime);
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? '',
    trace_state: ctx.traceState?.serialize() ?? '',
    flags: spanFlags(ctx.traceFlags, span.parentSpanContext?.isRemote),
    name: span.name,
    kind: KIND_NAMES[span.kind],
    service: span.resource.attributes[ATTR_SERVICE_NAME],
    start_time_unix_nano: start.toString(),
    end_time_unix_nano: end.toString(),
    duration_ns: end - start,
    status: { code: STATUS_NAMES[span.status.code], message: span.status.message ?? '' },
    attributes: apiAttributes(span.attributes, encoding),
    dropped_attributes_count: BigInt(span.droppedAttributesCount),
    events: span.events.map((event) => ({
      time_unix_nano: hrToNs(event.time).toString(),
      name: event.name,
      attributes: apiAttributes(event.attributes, encoding),
      dropped_attributes_count: BigInt(event.droppedAttributesCount ?? 0),
    })),
    dropped_events_count: BigInt(span.droppedEventsCount),
    links: span.links.map((link) => ({
      trace_id: link.context.traceId,
      span_id: link.context.spanId,
      trace_state: link.context.traceState?.serialize() ?? '',
      flags: spanFlags(link.context.traceFlags, link.context.isRemote),
      attributes: apiAttributes(link.attributes, encoding),
      dropped_attributes_count: BigInt(link.droppedAttributesCount ?? 0),
    })),
    dropped_links_count: BigInt(span.droppedLinksCount),
    resource: {
      attributes: apiAttributes(span.resource.attributes, encoding),
      dropped_attributes_count: 0n,
      schema_url: span.resource.schemaUrl ?? '',
    },
    scope: {
      name: span.instrumentationScope.name,
      version: span.instrumentationScope.version ?? '',
      attributes: {},
      dropped_attributes_count: 0n,
      schema_url: span.instrumentationScope.schemaUrl ?? '',
    },
  };
}

function expectedSummary(sent) {
  const [root] = sent.spans;
  const start = hrToNs(root.startTime);
  const end = sent.spans.map((span) => hrToNs(span.endTime)).reduce((a, b) => (a > b ? a : b));
  return {
    trace_id: sent.traceId,
    root_name: root.name,
    root_service: sent.service,
    start_time_unix_nano: start.toString(),
    end_time_unix_nano: end.toString(),
    duration_ns: end - start,
    span_count: 3n,
    error_count: 1n,
  };
}

function assertJsonAnswer(answer, what) {
  assert.equal(answer.parseError, null,
    `${what}: answer is not strict UTF-8 JSON: ${answer.parseError?.message}\n` +
    answer.body.toString('utf8', 0, 500));
  assert.equal(mediaType(answer), 'application/json', `${what}: content type`);
}

// ---- Tests -------------------------------------------------------------------------------------

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

VARIANTS.forEach((variant, variantIndex) => {
  describe(`OTel JS SDK with the ${variant.name} exporter`, () => {
    let sent;
    before(async () => {
      diagMessages.length = 0;
      sent = await exportTrace(server, variant, variantIndex);
    });

    test('the exporter saw no partial success or export error', () => {
      assert.deepEqual(diagMessages.filter((m) => /partial success|export|fail/i.test(m)), []);
    });

    test('GET /api/v1/traces/{id} returns every field as sent', async () => {
      const answer = await getJson(server, `/api/v1/traces/${sent.traceId}`);
      assert.equal(answer.status, 200, `status; body: ${answer.body.toString().slice(0, 500)}`);
      assertJsonAnswer(answer, 'trace');
      const expected = {
        trace_id: sent.traceId,
        summary: expectedSummary(sent),
        spans: sent.spans.map((span) => expectedSpan(span, variant.encoding)),
        total_spans: 3n,
        offset: 0n,
      };
      assertMatches(answer.json, expected, `trace ${sent.traceId} (${variant.name})`);
    });

    test('the resource carries the SDK defaults', () => {
      const attributes = sent.spans[0].resource.attributes;
      assert.equal(attributes[ATTR_TELEMETRY_SDK_NAME], 'opentelemetry');
      assert.equal(attributes[ATTR_TELEMETRY_SDK_LANGUAGE], 'nodejs');
      assert.match(String(attributes[ATTR_TELEMETRY_SDK_VERSION]), /^2\.\d+\.\d+/);
    });

    test('offset and limit page the spans', async () => {
      const answer = await getJson(server, `/api/v1/traces/${sent.traceId}?offset=1&limit=1`);
      assert.equal(answer.status, 200, `status; body: ${answer.body.toString().slice(0, 500)}`);
      assertJsonAnswer(answer, 'trace page');
      assertMatches(answer.json, {
        trace_id: sent.traceId,
        spans: [expectedSpan(sent.spans[1], variant.encoding)],
        total_spans: 3n,
        offset: 1n,
      }, 'trace page offset=1 limit=1');
    });

    test('GET /api/v1/traces?service= lists the trace with its summary', async () => {
      const answer = await getJson(server,
        `/api/v1/traces?service=${encodeURIComponent(sent.service)}`);
      assert.equal(answer.status, 200, `status; body: ${answer.body.toString().slice(0, 500)}`);
      assertJsonAnswer(answer, 'search');
      assertMatches(answer.json, { traces: [expectedSummary(sent)], next_cursor: null },
        `search service=${sent.service}`);
    });

    test('search conditions hold for one span', async () => {
      const service = `service=${encodeURIComponent(sent.service)}`;
      const cases = [
        ['name=llm.generate', true],
        ['status=error', true],
        ['status=ok&name=POST%20%2Fv1%2Fchat', true],
        ['status=ok&name=llm.generate', false],
        ['attr.gen_ai.request.model=gpt-4o', true],
        ['attr.gen_ai.request.model=gpt-4o&name=rag.pipeline%20%E2%9C%93', false],
        ['attr.gen_ai.usage.input_tokens=1200', true],
        ['attr.llm.stream=true', true],
        ['min_duration=1500000000', true],
        ['min_duration=1500000008', false],
        ['min_duration=1s&max_duration=1300ms&name=llm.generate', true],
        ['min_duration=1s&max_duration=1300ms&name=rag.pipeline%20%E2%9C%93', false],
        [`start=${hrToNs(sent.spans[0].startTime)}&end=${hrToNs(sent.spans[0].startTime) + 1n}`,
          true],
        [`start=${hrToNs(sent.spans[0].endTime) + 1n}`, false],
      ];
      const wrong = [];
      for (const [query, matches] of cases) {
        const answer = await getJson(server, `/api/v1/traces?${service}&${query}`);
        const ids = answer.json?.traces?.map((summary) => summary.trace_id);
        const found = ids?.includes(sent.traceId);
        if (answer.status !== 200 || found !== matches) {
          wrong.push(`${query}: expected ${matches ? 'a match' : 'no match'}, got ` +
            `${answer.status} ${answer.body.toString().slice(0, 200)}`);
        }
      }
      assert.deepEqual(wrong, [], 'search answers');
    });

    test('GET /api/v1/services lists the service', async () => {
      const answer = await getJson(server, '/api/v1/services');
      assert.equal(answer.status, 200);
      assertJsonAnswer(answer, 'services');
      assert.ok(Array.isArray(answer.json.services), 'services is an array');
      assert.ok(answer.json.services.includes(sent.service),
        `${sent.service} not in ${JSON.stringify(answer.json.services)}`);
    });
  });
});

test('an unknown trace is 404 with an error body', async () => {
  const answer = await getJson(server, `/api/v1/traces/${randomHex(16)}`);
  assert.equal(answer.status, 404);
  assertJsonAnswer(answer, '404');
  assert.equal(typeof answer.json.error?.code, 'string', 'error.code');
  assert.equal(typeof answer.json.error?.message, 'string', 'error.message');
});
