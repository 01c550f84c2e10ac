// OTLP logs: the /v1/logs receiver, the join of GenAI log events with their spans when a
// trace is read, and the log search.
//
// The records are sent by the real OpenTelemetry JS logs SDK (LoggerProvider with the
// OTLP/HTTP protobuf exporter), as an instrumentation library emits GenAI events: each with
// the span's context, an `event.name` attribute and the message in the body. The span is sent
// separately, before or after its events and minutes apart, as happens when an application
// flushes its tracer and logger providers on different schedules. Raw requests cover JSON,
// gzip, retries and malformed bodies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

import { exactJson, request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const MINUTE_MS = 60_000;
const T0_MS = 1_763_000_000_000;  // the span's start; events are timed relative to it
const nanos = (ms) => `${BigInt(ms) * 1_000_000n}`;

/** A logger that exports to the server through the real SDK; flush() sends what was emitted. */
function sdkLogger(server, serviceName) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    processors: [new BatchLogRecordProcessor({
      exporter: new OTLPLogExporter({ url: server.url('/v1/logs'), timeoutMillis: 10_000 }),
    })],
  });
  return { logger: provider.getLogger('genai-events', '1.0.0'), provider };
}

/** The context of a span that is exported elsewhere, for correlating log records with it. */
function spanContext(traceId, spanId) {
  return trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
}

/** Emits the GenAI 1.28 message events of one chat call, as @opentelemetry/instrumentation-openai does. */
function emitChatEvents(logger, ctx, { atMs, system, user, answer }) {
  const event = (name, body, timestamp = atMs) => logger.emit({
    timestamp,
    context: ctx,
    severityNumber: SeverityNumber.INFO,
    attributes: { 'event.name': name, 'gen_ai.system': 'openai' },
    body,
  });
  event('gen_ai.system.message', { content: system });
  event('gen_ai.user.message', { content: user });
  event('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: answer } }, atMs + 900);
}

/** An OTel GenAI chat span with usage but no content, in OTLP/JSON. */
function chatSpanRequest(traceId, spanId, startMs) {
  const attr = (key, value) => ({ key, value });
  return {
    resourceSpans: [{
      resource: { attributes: [attr('service.name', { stringValue: 'support-bot' })] },
      scopeSpans: [{
        scope: { name: '@opentelemetry/instrumentation-openai', version: '0.21.0' },
        spans: [{
          traceId, spanId,
          name: 'chat gpt-4o-mini',
          kind: 3,
          startTimeUnixNano: nanos(startMs),
          endTimeUnixNano: nanos(startMs + 1000),
          attributes: [
            attr('gen_ai.operation.name', { stringValue: 'chat' }),
            attr('gen_ai.system', { stringValue: 'openai' }),
            attr('gen_ai.request.model', { stringValue: 'gpt-4o-mini' }),
            attr('gen_ai.usage.input_tokens', { intValue: '31' }),
            attr('gen_ai.usage.output_tokens', { intValue: '7' }),
          ],
        }],
      }],
    }],
  };
}

async function postJson(server, path, payload, headers = {}) {
  return request(server, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
}

async function getJson(server, path) {
  const response = await request(server, path);
  assert.equal(response.status, 200, `GET ${path}: ${response.body}`);
  return exactJson(response);
}

function messageTexts(messages) {
  return (messages ?? []).map((m) => `${m.role}: ${m.parts.map((p) => p.text).join('')}`);
}

/** A raw OTLP/JSON logs request with one resource and one scope. */
function logsRequest(records, serviceName = 'batch-worker') {
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
      scopeLogs: [{ scope: { name: 'raw' }, logRecords: records }],
    }],
  };
}

describe('OTLP logs', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('events sent before their span are joined to it when the trace is read', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const { logger, provider } = sdkLogger(server, 'support-bot');
    emitChatEvents(logger, spanContext(traceId, spanId), {
      atMs: T0_MS, system: 'You are terse.', user: 'Capital of France?', answer: 'Paris.',
    });
    await provider.forceFlush();
    await provider.shutdown();

    // The logs are stored although their span is unknown yet...
    const early = await getJson(server, `/api/v1/logs?trace_id=${traceId}`);
    assert.equal(early.logs.length, 3);
    assert.equal((await request(server, `/api/v1/traces/${traceId}`)).status, 404);

    // ...and the span arrives three minutes later.
    const sent = await postJson(server, '/v1/traces', chatSpanRequest(traceId, spanId, T0_MS + 3 * MINUTE_MS));
    assert.equal(sent.status, 200);

    const got = await getJson(server, `/api/v1/traces/${traceId}`);
    assert.equal(got.spans.length, 1);
    const span = got.spans[0];
    assert.deepEqual(span.logs.map((l) => l.event_name),
      ['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
    assert.deepEqual(span.logs.map((l) => l.time_unix_nano),
      [nanos(T0_MS), nanos(T0_MS), nanos(T0_MS + 900)]);
    assert.deepEqual(span.logs[1].body, { content: 'Capital of France?' });
    assert.equal(span.logs[1].severity_number, BigInt(SeverityNumber.INFO));
    assert.deepEqual(messageTexts(span.llm.system_instructions), ['system: You are terse.']);
    assert.deepEqual(messageTexts(span.llm.input_messages), ['user: Capital of France?']);
    assert.deepEqual(messageTexts(span.llm.output_messages), ['assistant: Paris.']);
    assert.deepEqual(span.llm.finish_reasons, ['stop']);
    // The span's own raw events are untouched: the log events are shown under `logs`.
    assert.deepEqual(span.events, []);
    assert.deepEqual(got.logs, []);
  });

  test('events sent after their span, minutes apart, are joined too', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    assert.equal((await postJson(server, '/v1/traces', chatSpanRequest(traceId, spanId, T0_MS))).status, 200);
    const before = await getJson(server, `/api/v1/traces/${traceId}`);
    assert.deepEqual(before.spans[0].llm.input_messages ?? [], []);

    const { logger, provider } = sdkLogger(server, 'support-bot');
    emitChatEvents(logger, spanContext(traceId, spanId), {
      atMs: T0_MS + 10 * MINUTE_MS, system: 'Be kind.', user: 'Hello?', answer: 'Hi there.',
    });
    await provider.shutdown();

    const got = await getJson(server, `/api/v1/traces/${traceId}`);
    const { llm } = got.spans[0];
    assert.deepEqual(messageTexts(llm.input_messages), ['user: Hello?']);
    assert.deepEqual(messageTexts(llm.output_messages), ['assistant: Hi there.']);
    assert.equal(llm.usage.input_tokens, 31n);
  });

  test('records of a trace that match none of its spans belong to the trace', async () => {
    const traceId = '11111111111111111111111111111111';
    assert.equal((await postJson(server, '/v1/traces', chatSpanRequest(traceId, '2222222222222222', T0_MS))).status, 200);
    const sent = await postJson(server, '/v1/logs', logsRequest([
      { timeUnixNano: nanos(T0_MS + 1), traceId, body: { stringValue: 'no span id' } },
      { timeUnixNano: nanos(T0_MS + 2), traceId, spanId: '3333333333333333', body: { stringValue: 'lost span' } },
    ]));
    assert.equal(sent.status, 200);
    const got = await getJson(server, `/api/v1/traces/${traceId}`);
    assert.deepEqual(got.logs.map((l) => l.body), ['no span id', 'lost span']);
    assert.equal(got.logs[0].service, 'batch-worker');
    assert.equal(got.spans[0].logs, undefined);
  });

  test('logs that belong to no trace are kept and searchable', async () => {
    const records = [];
    for (let i = 0; i < 12; i++) {
      records.push({
        timeUnixNano: nanos(T0_MS + 60 * MINUTE_MS + i),
        severityNumber: i % 4 === 0 ? 17 : 9,
        severityText: i % 4 === 0 ? 'ERROR' : 'INFO',
        body: { stringValue: `nightly reindex step ${i}${i === 7 ? ' quota exceeded' : ''}` },
        attributes: [{ key: 'step', value: { intValue: `${i}` } }],
      });
    }
    assert.equal((await postJson(server, '/v1/logs', logsRequest(records, 'reindexer'))).status, 200);

    const window = `start=${nanos(T0_MS + 60 * MINUTE_MS)}&end=${nanos(T0_MS + 61 * MINUTE_MS)}`;
    const all = await getJson(server, `/api/v1/logs?${window}`);
    assert.deepEqual(all.logs.map((l) => l.attributes.step), [11n, 10n, 9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n]);
    assert.equal(all.next_cursor, null);
    assert.ok(all.logs.every((l) => l.trace_id === '' && l.service === 'reindexer'));

    const errors = await getJson(server, `/api/v1/logs?${window}&severity=error`);
    assert.deepEqual(errors.logs.map((l) => l.attributes.step), [8n, 4n, 0n]);
    const text = await getJson(server, `/api/v1/logs?${window}&q=quota`);
    assert.deepEqual(text.logs.map((l) => l.body), ['nightly reindex step 7 quota exceeded']);
    const byService = await getJson(server, `/api/v1/logs?${window}&service=nobody`);
    assert.deepEqual(byService.logs, []);
    const uncorrelated = await getJson(server, '/api/v1/logs?uncorrelated=true&limit=1000');
    assert.equal(uncorrelated.logs.length, 12);

    // Pages of 5 with the cursor: every record once, in order.
    const paged = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const got = await getJson(server, `/api/v1/logs?${window}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...got.logs.map((l) => l.attributes.step));
      if (got.next_cursor === null) break;
      cursor = encodeURIComponent(got.next_cursor);
    }
    assert.deepEqual(paged, all.logs.map((l) => l.attributes.step));
  });

  test('a retried request is stored once; gzip and partial success follow the OTLP rules', async () => {
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const body = logsRequest([
      { timeUnixNano: nanos(T0_MS), observedTimeUnixNano: nanos(T0_MS), traceId, body: { stringValue: 'once' } },
    ]);
    for (let i = 0; i < 3; i++) assert.equal((await postJson(server, '/v1/logs', body)).status, 200);
    const zipped = await postJson(server, '/v1/logs', gzipSync(JSON.stringify(body)), { 'content-encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal((await getJson(server, `/api/v1/logs?trace_id=${traceId}`)).logs.length, 1);

    const partial = await postJson(server, '/v1/logs', logsRequest([
      { timeUnixNano: nanos(T0_MS), traceId: 'abcd', body: { stringValue: 'bad id' } },
      { timeUnixNano: nanos(T0_MS), traceId, body: { stringValue: 'good' } },
    ]));
    assert.equal(partial.status, 200);
    const answer = exactJson(partial);
    assert.equal(answer.partialSuccess.rejectedLogRecords, '1');
    assert.match(answer.partialSuccess.errorMessage, /logRecords\[0\].*trace_id/);
    assert.equal((await getJson(server, `/api/v1/logs?trace_id=${traceId}`)).logs.length, 2);
  });

  test('malformed requests and parameters get clear errors and lose nothing', async () => {
    const cases = [
      [{ 'content-type': 'application/json' }, '{"resourceLogs": [', 400],
      [{ 'content-type': 'application/x-protobuf' }, Buffer.from([0x0a, 0xff, 0xff, 0xff]), 400],
      [{ 'content-type': 'text/plain' }, 'hello', 415],
      [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip', 400],
    ];
    for (const [headers, body, status] of cases) {
      const response = await request(server, '/v1/logs', { method: 'POST', headers, body });
      assert.equal(response.status, status, `${JSON.stringify(headers)} ${body}`);
    }
    assert.equal((await request(server, '/v1/logs')).status, 405);
    for (const [query, message] of [
      ['trace_id=xyz', /trace_id/],
      ['span_id=b7ad6b7169203331', /span_id/],
      ['severity=loud', /severity/],
      ['limit=0', /limit/],
      ['cursor=zz', /cursor/],
      ['uncorrelated=maybe', /uncorrelated/],
    ]) {
      const response = await request(server, `/api/v1/logs?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(exactJson(response).error.message, message);
    }
    assert.equal((await getJson(server, '/healthz')).status, 'ok');
  });
});
