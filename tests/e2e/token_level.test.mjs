// Token-level data -> Tokenscope -> the `llm` section's `logprobs` and `timing`, exactly.
//
// 1. The Vercel AI SDK (`ai` streamText with the `@ai-sdk/openai` chat-completions model), run in
//    a child process (lib/vercel_ai_client.mjs) with its own telemetry on, against the fake
//    OpenAI server's TIMED scenario: a stream whose first chunk comes only after a deliberate
//    delay, then one token per chunk with its logprobs and two alternatives. The SDK records the
//    time to the first chunk itself (ai.response.msToFirstChunk, as a span attribute and on the
//    ai.stream.firstChunk event); Tokenscope's time_to_first_token_ns must be exactly that value
//    in nanoseconds, which is at least the server's delay. The SDK records no per-token times.
// 2. The OTel GenAI per-token shape, written with the real OTel JS SDK tracer as an application
//    that records its own streaming would: `gen_ai.token` span events carrying the token, its
//    logprob, its index, its arrival offset (as an attribute or as the event time) and its top
//    alternatives (JSON text), plus a first-token event or the time_to_first_chunk attribute.
//    logprobs, token_offsets_ns and time_to_first_token_ns must equal what was sent, exactly
//    (doubles bit for bit, nanoseconds to the unit).
//
// Every trace is read back with GET /api/v1/traces/{id}; numbers are parsed exactly
// (lib/json_exact.mjs: integers as BigInt, doubles as Number).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { startServer } from './lib/server.mjs';
import { getJson } from './lib/http.mjs';
import { stringifyExact } from './lib/json_exact.mjs';
import { REQUEST_MODEL, RESPONSE_MODEL, TIMED, startFakeOpenAI } from './lib/fake_openai.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const VERCEL_CLIENT = join(HERE, 'lib', 'vercel_ai_client.mjs');
const CHILD_TIMEOUT_MS = 20_000;
const TRACE_WAIT_MS = 10_000;
const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

let server;
let fakeOpenAI;

before(async () => {
  [fakeOpenAI, server] = await Promise.all([startFakeOpenAI(), startServer()]);
});

after(async () => {
  await fakeOpenAI?.close();
  await server?.stop();
});

/**
 * Reads a trace once it holds `spanCount` spans (ingestion may lag the export's answer a
 * little). Resolves to {summary, spans}.
 */
async function readTrace(traceId, spanCount) {
  const deadline = Date.now() + TRACE_WAIT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const response = await getJson(server, `/api/v1/traces/${traceId}`);
    if (response.status === 200) {
      assert.equal(response.parseError, null, `trace ${traceId}: ${response.body}`);
      if (response.json.spans.length >= spanCount) return response.json;
      last = `${response.json.spans.length} span(s)`;
    } else {
      last = `status ${response.status}`;
    }
    await sleep(100);
  }
  assert.fail(`trace ${traceId} did not reach ${spanCount} span(s): ${last}\n` +
    server.diagnostics());
}

function spanNamed(spans, name) {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `expected one span named ${name}, got ` +
    stringifyExact(spans.map((span) => span.name)));
  return found[0];
}

/** The API's logprobs for a list of {token, logprob, top: [[token, logprob], ...]}. */
function apiLogprobs(tokens) {
  return tokens.map(({ token, logprob, top }) => ({
    token,
    logprob,
    top: top.map(([altToken, altLogprob]) => ({ token: altToken, logprob: altLogprob })),
  }));
}

/** An attribute value as parsed from the API: integers are BigInt, doubles Number. */
function asNumber(value) {
  return typeof value === 'bigint' ? Number(value) : value;
}

// ---- 1. The Vercel AI SDK ----------------------------------------------------------------------

describe('Vercel AI SDK streamText (ai 6, @ai-sdk/openai chat model)', () => {
  let child;         // what the child process reported: text, usage, providerMetadata, spans
  let recorded;      // the doStream span as the SDK recorded it
  let doStream;      // the doStream span as Tokenscope answers it
  let outer;         // the ai.streamText span as Tokenscope answers it

  before(async () => {
    let stdout;
    try {
      ({ stdout } = await promisify(execFile)(process.execPath,
        [VERCEL_CLIENT, fakeOpenAI.baseURL, server.url('/v1/traces')],
        { timeout: CHILD_TIMEOUT_MS, cwd: HERE }));
    } catch (error) {
      throw new Error(`vercel_ai_client failed: ${error.message}\nstderr:\n${error.stderr}`);
    }
    child = JSON.parse(stdout);
    recorded = child.spans.find((span) => span.name === 'ai.streamText.doStream');
    assert.ok(recorded, `the SDK recorded no doStream span: ${stdout}`);
    const { spans } = await readTrace(recorded.traceId, child.spans.length);
    doStream = spanNamed(spans, 'ai.streamText.doStream');
    outer = spanNamed(spans, 'ai.streamText');
  });

  test('the library streamed the answer from one request that asked for logprobs', () => {
    assert.equal(child.text, TIMED.answer);
    const timed = fakeOpenAI.requests.filter((r) => r.messages?.at(-1)?.content === TIMED.user);
    assert.equal(timed.length, 1);
    assert.equal(timed[0].stream, true);
    assert.equal(timed[0].logprobs, true);
    assert.equal(timed[0].top_logprobs, 2);
    assert.deepEqual(timed[0].stream_options, { include_usage: true });
  });

  test('time_to_first_token_ns is exactly the msToFirstChunk the SDK recorded', () => {
    const ms = recorded.attributes['ai.response.msToFirstChunk'];
    assert.equal(typeof ms, 'number', 'the SDK records ai.response.msToFirstChunk on doStream');
    // The raw attribute round-trips unchanged, on the span and on the ai.stream.firstChunk event.
    assert.equal(asNumber(doStream.attributes['ai.response.msToFirstChunk']), ms);
    const firstChunk = doStream.events.filter((event) => event.name === 'ai.stream.firstChunk');
    assert.equal(firstChunk.length, 1);
    assert.equal(asNumber(firstChunk[0].attributes['ai.response.msToFirstChunk']), ms);
    // Milliseconds to nanoseconds, rounded to the nearest nanosecond.
    const expectedNs = BigInt(Math.round(ms * 1e6));
    assert.equal(doStream.llm?.timing?.time_to_first_token_ns, expectedNs,
      `llm.timing: ${stringifyExact(doStream.llm?.timing)}`);
    // The SDK's clock starts before the request is sent; the server held the first chunk back.
    assert.ok(expectedNs >= BigInt(TIMED.firstChunkDelayMs) * NS_PER_MS,
      `time to first token ${expectedNs} ns, server delay ${TIMED.firstChunkDelayMs} ms`);
    // The SDK records no per-token arrival times, so there are no offsets to show.
    assert.equal(doStream.llm.timing.token_offsets_ns, undefined);
  });

  test('the recorded stream duration covers every deliberate delay', () => {
    const msToFinish = recorded.attributes['ai.response.msToFinish'];
    assert.equal(asNumber(doStream.attributes['ai.response.msToFinish']), msToFinish);
    const minimum = TIMED.firstChunkDelayMs + (TIMED.tokens.length - 1) * TIMED.tokenIntervalMs;
    assert.ok(msToFinish >= minimum, `msToFinish ${msToFinish} < ${minimum}`);
    assert.ok(msToFinish > recorded.attributes['ai.response.msToFirstChunk']);
    const durationNs = BigInt(doStream.end_time_unix_nano) - BigInt(doStream.start_time_unix_nano);
    assert.ok(durationNs >= BigInt(minimum) * NS_PER_MS, `span duration ${durationNs} ns`);
  });

  test('model, usage, messages and finish reason', () => {
    const { llm } = doStream;
    assert.equal(llm.kind, 'llm');
    assert.equal(llm.operation, 'chat');
    assert.equal(llm.convention, 'vercel_ai');
    assert.equal(llm.provider, 'openai');
    assert.equal(llm.request_model, REQUEST_MODEL);
    assert.equal(llm.response_model, RESPONSE_MODEL);
    assert.equal(llm.params?.stream, true);
    assert.equal(llm.usage.input_tokens, BigInt(TIMED.usage.prompt));
    assert.equal(llm.usage.output_tokens, BigInt(TIMED.usage.completion));
    assert.equal(llm.usage.total_tokens, BigInt(TIMED.usage.prompt + TIMED.usage.completion));
    assert.equal(child.usage.inputTokens, TIMED.usage.prompt);
    assert.equal(child.usage.outputTokens, TIMED.usage.completion);
    assert.deepEqual(llm.input_messages.map((m) => ({ role: m.role, parts: m.parts })),
      [{ role: 'user', parts: [{ type: 'text', text: TIMED.user }] }]);
    assert.equal(llm.output_messages.length, 1);
    assert.equal(llm.output_messages[0].role, 'assistant');
    assert.deepEqual(llm.output_messages[0].parts.map(({ type, text }) => ({ type, text })),
      [{ type: 'text', text: TIMED.answer }]);
    assert.deepEqual(llm.finish_reasons, [TIMED.finishReason]);
    // The outer span wraps the whole call: a chain, not a second LLM call.
    assert.equal(outer.llm?.kind, 'chain');
    assert.equal(outer.parent_span_id, '');
    assert.equal(doStream.parent_span_id, outer.span_id);
  });

  test('the library carries the streamed logprobs in its provider metadata', () => {
    // What @ai-sdk/openai collected from the chunks, and what the SDK wrote on the span.
    const expected = TIMED.tokens.map(({ token, logprob, top }) => ({
      token, logprob, top_logprobs: top.map(([t, lp]) => ({ token: t, logprob: lp })),
    }));
    assert.deepEqual(child.providerMetadata?.openai?.logprobs, expected);
    const metadata = JSON.parse(recorded.attributes['ai.response.providerMetadata']);
    assert.deepEqual(metadata.openai.logprobs, expected);
    assert.equal(doStream.attributes['ai.response.providerMetadata'],
      recorded.attributes['ai.response.providerMetadata']);
  });

  test('llm.logprobs are the streamed logprobs from ai.response.providerMetadata', () => {
    // normalizer bug: Tokenscope reads only usage counts from ai.response.providerMetadata
    // (src/semconv/vercel_ai.cc ReadProviderMetadata), not the per-token logprobs that
    // @ai-sdk/openai puts under openai.logprobs (OpenAI's token entries: token, logprob,
    // top_logprobs), so llm.logprobs is absent although the span carries every token.
    assert.deepEqual(doStream.llm.logprobs, apiLogprobs(TIMED.tokens),
      `ai.response.providerMetadata = ${doStream.attributes['ai.response.providerMetadata']}`);
  });
});

// ---- 2. gen_ai.token span events from a manually instrumented stream ---------------------------

// The tokens of one streamed answer: text, logprob (doubles whose shortest form is long, and
// 0), top alternatives, and arrival offset from the span start in nanoseconds (odd values, so
// rounding to micro- or milliseconds shows).
const TOKENS = [
  { token: 'Bonjour', logprob: -0.25, top: [['Bonjour', -0.25], ['Salut', -1.6094379124341003]],
    offsetNs: 180_000_123 },
  { token: ' le', logprob: -0.1, top: [[' le', -0.1], [' à', -2.4079456086518722]],
    offsetNs: 230_000_456 },
  { token: ' monde', logprob: -2.220446049250313e-16, top: [[' monde', -2.220446049250313e-16]],
    offsetNs: 280_500_789 },
  { token: ' 🌍', logprob: -12.345678901234567, top: [[' 🌍', -12.345678901234567],
    ['\n', -0.000030517578125], ['"', -1e-300]], offsetNs: 331_000_000 },
  { token: '!', logprob: 0, top: [], offsetNs: 400_000_001 },
];

const SPAN_DURATION_NS = 500_000_000;
const FIRST_TOKEN_EVENT_NS = 150_000_007;     // span B: an explicit first-token event
const TIME_TO_FIRST_CHUNK_S = 0.175;          // span C: the time_to_first_chunk attribute

/** Top alternatives as the JSON text the normalizer reads ({token, logprob} objects). */
function topJson(top) {
  return JSON.stringify(top.map(([token, logprob]) => ({ token, logprob })));
}

describe('OTel GenAI gen_ai.token span events (manual instrumentation, OTel JS SDK)', () => {
  let spans;

  before(async () => {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'token-events' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({
        url: server.url('/v1/traces'), timeoutMillis: 10_000,
      }))],
    });
    const tracer = provider.getTracer('tokenscope-e2e-streaming', '1.0.0');

    // A few minutes ago, with odd nanoseconds.
    const base = (BigInt(Math.floor(Date.now() / 1000)) - 300n) * NS_PER_S + 987_654_321n;
    const at = (offsetNs) => {
      const ns = base + BigInt(offsetNs);
      return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
    };
    const llmAttributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': REQUEST_MODEL,
      'gen_ai.response.model': RESPONSE_MODEL,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': TOKENS.length,
    };

    const root = tracer.startSpan('stream answer', { kind: SpanKind.SERVER, startTime: at(0) },
      ROOT_CONTEXT);
    const parent = trace.setSpan(ROOT_CONTEXT, root);

    // A: one event per token at its arrival time (no offset attribute), in order.
    const a = tracer.startSpan('chat event-times', {
      kind: SpanKind.CLIENT, startTime: at(0), attributes: llmAttributes,
    }, parent);
    TOKENS.forEach(({ token, logprob, top, offsetNs }, index) => {
      a.addEvent('gen_ai.token', {
        token, logprob, index, ...(top.length > 0 ? { top_logprobs: topJson(top) } : {}),
      }, at(offsetNs));
    });
    a.end(at(SPAN_DURATION_NS));

    // B: recorded all at once when the stream ended, last token first; the index orders them,
    // the offset attribute times them, and a first-token event marks the first byte.
    const b = tracer.startSpan('chat offsets', {
      kind: SpanKind.CLIENT, startTime: at(0), attributes: llmAttributes,
    }, parent);
    b.addEvent('gen_ai.first_token', {}, at(FIRST_TOKEN_EVENT_NS));
    [...TOKENS.entries()].reverse().forEach(([index, { token, logprob, top, offsetNs }]) => {
      b.addEvent('gen_ai.token', {
        token, logprob, index, offset: offsetNs, top_logprobs: topJson(top),
      }, at(SPAN_DURATION_NS - 1));
    });
    b.end(at(SPAN_DURATION_NS));

    // C: the gen_ai.token.* spellings, and the time to first chunk as a span attribute
    // (seconds), which wins over the token events.
    const c = tracer.startSpan('chat token-attributes', {
      kind: SpanKind.CLIENT, startTime: at(0),
      attributes: {
        ...llmAttributes, 'gen_ai.response.time_to_first_chunk': TIME_TO_FIRST_CHUNK_S,
      },
    }, parent);
    TOKENS.forEach(({ token, logprob, top, offsetNs }, index) => {
      c.addEvent('gen_ai.token', {
        'gen_ai.token.text': token,
        'gen_ai.token.logprob': logprob,
        'gen_ai.token.index': index,
        'gen_ai.token.offset': offsetNs,
        'gen_ai.token.top_logprobs': topJson(top),
      }, at(SPAN_DURATION_NS - 1));
    });
    c.end(at(SPAN_DURATION_NS));

    root.end(at(SPAN_DURATION_NS + 1));
    await provider.shutdown();
    ({ spans } = await readTrace(root.spanContext().traceId, 4));
  });

  const expectedOffsets = TOKENS.map(({ offsetNs }) => BigInt(offsetNs));

  for (const [name, expectedTtft, what] of [
    ['chat event-times', BigInt(TOKENS[0].offsetNs), 'the first token event'],
    ['chat offsets', BigInt(FIRST_TOKEN_EVENT_NS), 'the gen_ai.first_token event'],
    ['chat token-attributes', BigInt(Math.round(TIME_TO_FIRST_CHUNK_S * 1e9)),
      'gen_ai.response.time_to_first_chunk'],
  ]) {
    test(`${name}: logprobs, token offsets and time to first token (from ${what})`, () => {
      const span = spanNamed(spans, name);
      const { llm } = span;
      assert.equal(llm?.kind, 'llm', `llm: ${stringifyExact(llm)}`);
      assert.equal(llm.convention, 'otel_genai');
      assert.equal(llm.response_model, RESPONSE_MODEL);
      assert.equal(span.events.filter((e) => e.name === 'gen_ai.token').length, TOKENS.length);
      assert.deepEqual(llm.logprobs, apiLogprobs(TOKENS));
      // Exact doubles, not merely equal after rounding: compare the bits too.
      llm.logprobs.forEach((entry, i) => {
        assert.ok(Object.is(entry.logprob, TOKENS[i].logprob), `${i}: ${entry.logprob}`);
      });
      assert.deepEqual(llm.timing, {
        time_to_first_token_ns: expectedTtft,
        token_offsets_ns: expectedOffsets,
      });
    });
  }

  test('the parent span, which carries no GenAI attribute, has no llm section', () => {
    const root = spanNamed(spans, 'stream answer');
    assert.equal(root.llm, undefined);
  });
});
