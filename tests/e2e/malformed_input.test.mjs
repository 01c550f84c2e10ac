// Malformed and hostile OTLP/HTTP requests against one Tokenscope server.
//
// Every bad request must get a 4xx answer (400, 413 or 415 as the case calls for): never a 5xx,
// never a closed connection without an answer, never a hang. 400 answers carry a
// google.rpc.Status (protobuf requests) or {"code", "message"} (JSON requests) with a message.
// Where the protobuf specification lets a decoder accept an odd input (a known field with an
// unexpected wire type is skipped as unknown by the reference implementations), a 200 is allowed
// too, but then nothing invalid may be stored silently. After the battery the server must still
// be healthy, ingest a valid span and return it exactly, and shut down cleanly on SIGTERM.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGzip, gzipSync } from 'node:zlib';

import { startServer } from './lib/server.mjs';
import { request, getJson, mediaType, strictUtf8 } from './lib/http.mjs';
import { parseJsonExact } from './lib/json_exact.mjs';
import { assertMatches } from './lib/compare.mjs';
import {
  WIRE, pb, tag, varint, rawVarint, encodeAnyValue, encodeAttributes, encodeSpan,
  encodeTraceRequest, jsonTraceRequest, decodeExportResponse, decodeRpcStatus,
} from './lib/protobuf.mjs';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const MAX_LISTED_PROBLEMS = 25;
// TOKENSCOPE_E2E_VERBOSE=1 prints every request's label and answer.
const VERBOSE = Boolean(process.env.TOKENSCOPE_E2E_VERBOSE);

// ---- Deterministic inputs ----------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run sends the same bodies. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBuffer(rng, size) {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = Math.floor(rng() * 256);
  return buf;
}

let idCounter = 0;
/** Distinct, recognisable ids: the counter in the low bytes, a fixed prefix otherwise. */
function nextTraceId() {
  idCounter++;
  return `e2e0bad0${Date.now().toString(16).padStart(12, '0').slice(-12)}${idCounter.toString(16).padStart(12, '0')}`;
}
function nextSpanId() {
  idCounter++;
  return `5a${idCounter.toString(16).padStart(14, '0')}`;
}

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function validSpan(overrides = {}) {
  return {
    traceId: nextTraceId(),
    spanId: nextSpanId(),
    name: 'malformed.sibling',
    kind: 2,
    startTimeUnixNano: NOW_NS - 5_000_000_000n,
    endTimeUnixNano: NOW_NS - 4_000_000_000n,
    attributes: { 'case': 'valid', 'n': 1n },
    events: [{ timeUnixNano: NOW_NS - 4_500_000_000n, name: 'e', attributes: { k: 'v' } }],
    links: [{ traceId: 'aa'.repeat(16), spanId: 'bb'.repeat(8), attributes: { l: true } }],
    status: { code: 1 },
    ...overrides,
  };
}

const RESOURCE = { attributes: { 'service.name': 'e2e-malformed' } };
const SCOPE = { name: 'e2e', version: '1' };

function validRequest(spans = [validSpan()]) {
  return encodeTraceRequest({ resource: RESOURCE, scope: SCOPE, spans });
}

/** Wraps encoded span bytes in a request with the usual resource and scope. */
function requestWithSpanBytes(spanBytes) {
  const scopeSpans = Buffer.concat([pb.len(1, pb.len(1, 'e2e')), pb.len(2, spanBytes)]);
  const resourceSpans = Buffer.concat([
    pb.len(1, encodeAttributes(1, RESOURCE.attributes)), pb.len(2, scopeSpans)]);
  return pb.len(1, resourceSpans);
}

/** The minimal fields of a span, for building broken spans around. */
function spanPrefix(traceId = nextTraceId(), spanId = nextSpanId()) {
  return Buffer.concat([
    pb.len(1, Buffer.from(traceId, 'hex')),
    pb.len(2, Buffer.from(spanId, 'hex')),
    pb.len(5, 'broken'),
    pb.fixed64(7, NOW_NS - 2_000_000_000n),
    pb.fixed64(8, NOW_NS - 1_000_000_000n),
  ]);
}

// ---- Sending and judging -----------------------------------------------------------------------

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

async function post(body, { contentType = PROTOBUF, encoding, path = '/v1/traces' } = {}) {
  const headers = {};
  if (contentType !== null) headers['content-type'] = contentType;
  if (encoding) headers['content-encoding'] = encoding;
  return request(server, path, { method: 'POST', headers, body });
}

function isJsonRequest(contentType) {
  return (contentType ?? '').toLowerCase().startsWith(JSON_TYPE);
}

/** The partial success of a 200 answer, decoded per the request's encoding. */
function partialSuccess(answer, json) {
  if (json) {
    const body = parseJsonExact(strictUtf8(answer.body));
    const partial = body.partialSuccess;
    if (!partial) return { rejectedSpans: 0n, errorMessage: '' };
    return {
      rejectedSpans: BigInt(partial.rejectedSpans ?? 0),
      errorMessage: partial.errorMessage ?? '',
    };
  }
  return decodeExportResponse(answer.body).partialSuccess ??
    { rejectedSpans: 0n, errorMessage: '' };
}

/**
 * Problems with an answer to a bad request, as strings (empty when it is acceptable).
 * `allowed` lists acceptable statuses. `spanCount`, when given, means a 200 is only acceptable
 * if every span of the request was rejected.
 */
function judge(answer, { allowed, json, spanCount }) {
  const problems = [];
  if (!allowed.includes(answer.status)) {
    problems.push(`status ${answer.status}, expected ${allowed.join(' or ')}; body ` +
      JSON.stringify(answer.body.toString('latin1').slice(0, 200)));
    return problems;
  }
  const wantType = json ? JSON_TYPE : PROTOBUF;
  if ((answer.status === 200 || answer.status === 400) && mediaType(answer) !== wantType) {
    problems.push(`${answer.status} answer has content type "${mediaType(answer)}", ` +
      `expected ${wantType}`);
  }
  try {
    if (answer.status === 400) {
      const status = json ? parseJsonExact(strictUtf8(answer.body)) : decodeRpcStatus(answer.body);
      if (typeof status.message !== 'string' || status.message === '') {
        problems.push(`400 body has no message: ${answer.body.toString('latin1').slice(0, 200)}`);
      }
      if (json && typeof status.code !== 'bigint') {
        problems.push(`400 JSON body has no integer "code": ${answer.body.toString().slice(0, 200)}`);
      }
    }
    if (answer.status === 200) {
      const partial = partialSuccess(answer, json);
      if (spanCount !== undefined && partial.rejectedSpans !== BigInt(spanCount)) {
        problems.push(`200 with rejected_spans ${partial.rejectedSpans}, expected 400 or ` +
          `all ${spanCount} span(s) rejected`);
      }
    }
  } catch (error) {
    problems.push(`${answer.status} body does not decode: ${error.message}: ` +
      JSON.stringify(answer.body.toString('latin1').slice(0, 200)));
  }
  return problems;
}

/**
 * Sends every case and fails once with all problems listed. A case is
 * {label, body, contentType?, encoding?, allowed?, spanCount?, after?(answer) -> problems}.
 */
async function battery(cases, defaults = {}) {
  const problems = [];
  const statuses = {};
  for (const testCase of cases) {
    const c = { allowed: [400], contentType: PROTOBUF, ...defaults, ...testCase };
    const json = isJsonRequest(c.contentType);
    const answer = await post(c.body, c);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const found = judge(answer, { allowed: c.allowed, json, spanCount: c.spanCount });
    if (VERBOSE) {
      console.log(`${c.label}: ${answer.status} ${JSON.stringify(answer.body.toString('latin1').slice(0, 160))}`);
    }
    if (found.length === 0 && c.after) found.push(...await c.after(answer, json));
    problems.push(...found.map((problem) => `${c.label}: ${problem}`));
    if (server.exitInfo) {
      problems.push(`${c.label}: ${server.diagnostics()}`);
      break;
    }
  }
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length > listed.length ? `\n  … and ${problems.length - listed.length} more` : '';
  assert.equal(problems.length, 0,
    `${problems.length} of ${cases.length} request(s) answered wrongly (statuses seen: ` +
    `${JSON.stringify(statuses)}):\n  ${listed.join('\n  ')}${more}`);
  return statuses;
}

// ---- Positive controls -------------------------------------------------------------------------

test('valid minimal requests are accepted', async () => {
  await battery([
    { label: 'empty protobuf body (an empty request)', body: Buffer.alloc(0) },
    { label: 'empty JSON object', body: '{}', contentType: JSON_TYPE },
    { label: 'JSON with no resource spans', body: '{"resourceSpans":[]}', contentType: JSON_TYPE },
    { label: 'JSON with a charset parameter', body: '{}',
      contentType: 'application/json; charset=utf-8' },
    { label: 'gzip of an empty protobuf body', body: gzipSync(Buffer.alloc(0)),
      encoding: 'gzip' },
    { label: 'a valid span', body: validRequest() },
  ], { allowed: [200] });
});

// ---- Protobuf ----------------------------------------------------------------------------------

test('random bytes as protobuf', async (t) => {
  const rng = prng(0x7e57_0001);
  const valid = validRequest();
  const cases = [];
  for (let i = 0; i < 200; i++) {
    const size = 1 + Math.floor(rng() ** 3 * 65_535);
    const flavour = i % 3;
    let body;
    if (flavour === 0) {
      body = randomBuffer(rng, size);
    } else if (flavour === 1) {
      // Valid envelopes around random span bytes, so the decoder gets past the outer layers.
      body = requestWithSpanBytes(randomBuffer(rng, size));
    } else {
      body = Buffer.from(valid);
      const flips = 1 + Math.floor(rng() * 8);
      for (let f = 0; f < flips; f++) body[Math.floor(rng() * body.length)] = Math.floor(rng() * 256);
    }
    // Random bytes can form a valid request (unknown fields are skipped), so 200 is allowed;
    // what matters is that nothing gets a 5xx or no answer.
    cases.push({ label: `random #${i} (${['raw', 'enveloped', 'mutated'][flavour]}, ${body.length} B)`,
      body, allowed: [200, 400] });
  }
  const statuses = await battery(cases);
  t.diagnostic(`answers by status: ${JSON.stringify(statuses)}`);
});

test('truncated valid protobuf requests', async () => {
  const body = validRequest([validSpan(), validSpan({ name: 'second' })]);
  const cases = [];
  for (let length = 1; length < body.length; length++) {
    cases.push({ label: `first ${length} of ${body.length} bytes`, body: body.subarray(0, length) });
  }
  await battery(cases);
});

/**
 * Corruption inside a span whose own framing is intact: a decoder may refuse the request (400)
 * or reject just that span (200 with rejected_spans covering it); it may not store it.
 */
const SPAN_LEVEL = { allowed: [200, 400], spanCount: 1 };

test('wrong and invalid wire types', async () => {
  await battery([
    // Invalid wire types and tags: no decoder may accept these.
    { label: 'wire type 6', body: Buffer.concat([tag(1, 6), Buffer.from([1, 2, 3])]) },
    { label: 'wire type 7', body: Buffer.concat([tag(1, 7), Buffer.from([1, 2, 3])]) },
    { label: 'field number 0', body: Buffer.concat([tag(0, WIRE.LEN), varint(0)]) },
    { label: 'group start without end', body: Buffer.concat([tag(2, WIRE.SGROUP), pb.varint(1, 1)]) },
    { label: 'group end without start', body: tag(2, WIRE.EGROUP) },
    { label: 'mismatched group end', body: Buffer.concat([tag(2, WIRE.SGROUP), tag(3, WIRE.EGROUP)]) },
    { label: 'varint of 11 bytes', body: Buffer.concat([tag(2, WIRE.VARINT), rawVarint(1n, 11)]) },
    { label: 'unterminated varint', body: Buffer.concat([tag(2, WIRE.VARINT), Buffer.from([0x80, 0x80])]) },
    { label: 'truncated fixed64 in a span', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), tag(7, WIRE.I64), Buffer.from([1, 2, 3])])) },
    { label: 'truncated fixed32 in a span', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), tag(16, WIRE.I32), Buffer.from([1])])) },
    { label: 'wire type 6 inside a span', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), tag(9, 6)])) },
    { label: 'wire type 7 inside an AnyValue', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), pb.len(9, Buffer.concat([pb.len(1, 'k'), pb.len(2, tag(1, 7))]))])) },
    // Known fields with an unexpected wire type. The reference protobuf decoders skip these as
    // unknown fields, so accepting the request is allowed, but not storing a span without ids.
    { label: 'resource_spans as varint', body: pb.varint(1, 1), allowed: [200, 400] },
    { label: 'resource_spans as fixed64', body: pb.fixed64(1, 1n), allowed: [200, 400] },
    { label: 'span trace_id as varint', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      pb.varint(1, 5), pb.len(2, Buffer.from(nextSpanId(), 'hex')), pb.len(5, 'x'),
      pb.fixed64(7, NOW_NS - 2n), pb.fixed64(8, NOW_NS - 1n)])) },
    { label: 'span span_id as fixed32', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      pb.len(1, Buffer.from(nextTraceId(), 'hex')), pb.fixed32(2, 7), pb.len(5, 'x'),
      pb.fixed64(7, NOW_NS - 2n), pb.fixed64(8, NOW_NS - 1n)])) },
    { label: 'span name as fixed32', allowed: [200, 400], body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), pb.fixed32(5, 1)])) },
    { label: 'span start time as varint', allowed: [200, 400], body: requestWithSpanBytes(
      Buffer.concat([spanPrefix(), pb.varint(7, 12345)])) },
    { label: 'attribute value as varint', allowed: [200, 400], body: requestWithSpanBytes(
      Buffer.concat([spanPrefix(), pb.len(9, Buffer.concat([pb.len(1, 'k'), pb.varint(2, 1)]))])) },
    { label: 'AnyValue string as varint', allowed: [200, 400], body: requestWithSpanBytes(
      Buffer.concat([spanPrefix(), pb.len(9, Buffer.concat([pb.len(1, 'k'),
        pb.len(2, pb.varint(1, 3))]))])) },
    { label: 'AnyValue double as fixed32', allowed: [200, 400], body: requestWithSpanBytes(
      Buffer.concat([spanPrefix(), pb.len(9, Buffer.concat([pb.len(1, 'k'),
        pb.len(2, pb.fixed32(4, 3))]))])) },
  ]);
});

test('huge and inconsistent length prefixes', async () => {
  const lenField = (field, length, tail) =>
    Buffer.concat([tag(field, WIRE.LEN), length, tail ?? Buffer.from('abcdefghij')]);
  await battery([
    { label: 'resource_spans length 2^62', body: lenField(1, varint(2n ** 62n)) },
    { label: 'resource_spans length 2^32-1', body: lenField(1, varint(0xffffffffn)) },
    { label: 'resource_spans length 2^64-1', body: lenField(1, varint(2n ** 64n - 1n)) },
    { label: 'resource_spans length 2^63 (negative as int64)', body: lenField(1, varint(2n ** 63n)) },
    { label: 'resource_spans length 2^32+3 with 3 bytes (32-bit truncation would accept)',
      body: lenField(1, varint(2n ** 32n + 3n), Buffer.from([0x0a, 0x00, 0x12])) },
    { label: 'resource_spans length one past the end', body: (() => {
      const inner = pb.len(1, Buffer.alloc(0));
      return Buffer.concat([tag(1, WIRE.LEN), varint(inner.length + 1), inner]);
    })() },
    { label: 'span name length 2^31', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), tag(5, WIRE.LEN), varint(2n ** 31n), Buffer.from('x')])) },
    { label: 'attribute string length 2^64-1', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      spanPrefix(), pb.len(9, Buffer.concat([pb.len(1, 'k'), pb.len(2, Buffer.concat([
        tag(1, WIRE.LEN), varint(2n ** 64n - 1n), Buffer.from('v')]))]))])) },
    { label: 'trace_id length beyond its span', ...SPAN_LEVEL, body: requestWithSpanBytes(Buffer.concat([
      tag(1, WIRE.LEN), varint(200), Buffer.alloc(16)])) },
    { label: 'span length beyond its scope_spans (but within the body)', body: (() => {
      const span = encodeSpan(validSpan());
      const scopeSpans = Buffer.concat([tag(2, WIRE.LEN), varint(span.length + 40), span]);
      const resourceSpans = pb.len(2, scopeSpans);
      return Buffer.concat([pb.len(1, resourceSpans), Buffer.alloc(40, 0x0a)]);
    })() },
    { label: 'length varint of 11 bytes', body: Buffer.concat([tag(1, WIRE.LEN), rawVarint(0n, 11)]) },
  ]);
});

/** Problems reading back a trace accepted with odd strings: the answer must be valid UTF-8 JSON. */
function readableBack(traceId) {
  return async (answer, json) => {
    if (answer.status !== 200 || partialSuccess(answer, json).rejectedSpans > 0n) return [];
    const back = await getJson(server, `/api/v1/traces/${traceId}`);
    if (back.status !== 200) return [`accepted, but GET trace answered ${back.status}`];
    if (back.parseError) return [`accepted, but GET trace is not strict UTF-8 JSON: ${back.parseError.message}`];
    return [];
  };
}

test('invalid UTF-8 in strings', async () => {
  const bad = {
    'lone 0xff': Buffer.from([0x61, 0xff, 0x62]),
    'overlong NUL': Buffer.from([0x61, 0xc0, 0x80]),
    'UTF-16 surrogate': Buffer.from([0xed, 0xa0, 0x80]),
    'truncated sequence': Buffer.from([0x61, 0xe2, 0x82]),
    'beyond U+10FFFF': Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    'lone continuation': Buffer.from([0x80, 0x61]),
  };
  const cases = [];
  for (const [what, bytes] of Object.entries(bad)) {
    const where = {
      'span name': (traceId) => Buffer.concat([pb.len(1, Buffer.from(traceId, 'hex')),
        pb.len(2, Buffer.from(nextSpanId(), 'hex')), pb.len(5, bytes),
        pb.fixed64(7, NOW_NS - 2n), pb.fixed64(8, NOW_NS - 1n)]),
      'attribute key': (traceId) => Buffer.concat([spanPrefix(traceId),
        pb.len(9, Buffer.concat([pb.len(1, bytes), pb.len(2, encodeAnyValue('v'))]))]),
      'attribute value': (traceId) => Buffer.concat([spanPrefix(traceId),
        pb.len(9, Buffer.concat([pb.len(1, 'k'), pb.len(2, pb.len(1, bytes))]))]),
      'event name': (traceId) => Buffer.concat([spanPrefix(traceId),
        pb.len(11, Buffer.concat([pb.fixed64(1, NOW_NS - 1n), pb.len(2, bytes)]))]),
      'status message': (traceId) => Buffer.concat([spanPrefix(traceId),
        pb.len(15, Buffer.concat([pb.len(2, bytes), pb.varint(3, 2)]))]),
      'trace state': (traceId) => Buffer.concat([spanPrefix(traceId), pb.len(3, bytes)]),
    };
    for (const [field, spanBytes] of Object.entries(where)) {
      const traceId = nextTraceId();
      cases.push({ label: `${what} in ${field}`, body: requestWithSpanBytes(spanBytes(traceId)),
        allowed: [200, 400], after: readableBack(traceId) });
    }
    // In the resource's service.name, which also feeds the services list.
    const traceId = nextTraceId();
    const resourceSpans = Buffer.concat([
      pb.len(1, pb.len(1, Buffer.concat([pb.len(1, 'service.name'), pb.len(2, pb.len(1, bytes))]))),
      pb.len(2, Buffer.concat([pb.len(1, pb.len(1, bytes)), pb.len(2, spanPrefix(traceId))])),
    ]);
    cases.push({ label: `${what} in service.name and scope name`, body: pb.len(1, resourceSpans),
      allowed: [200, 400], after: readableBack(traceId) });
  }
  // The same through OTLP/JSON: raw invalid bytes, and escapes of lone surrogates.
  for (const [what, bytes] of Object.entries(bad)) {
    const traceId = nextTraceId();
    const text = JSON.stringify(jsonTraceRequest({ resource: RESOURCE, scope: SCOPE,
      spans: [validSpan({ traceId, name: '@@NAME@@' })] }));
    const [head, tail] = text.split('@@NAME@@');
    cases.push({ label: `JSON: ${what} in span name`, contentType: JSON_TYPE,
      body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]),
      allowed: [200, 400], after: readableBack(traceId) });
  }
  for (const escape of ['\\ud800', '\\udfff', '\\ud800\\u0041', '\\udc00\\ud800']) {
    const traceId = nextTraceId();
    const text = JSON.stringify(jsonTraceRequest({ resource: RESOURCE, scope: SCOPE,
      spans: [validSpan({ traceId, name: '@@NAME@@' })] })).replace('@@NAME@@', escape);
    cases.push({ label: `JSON: escape ${escape} in span name`, contentType: JSON_TYPE,
      body: text, allowed: [200, 400], after: readableBack(traceId) });
  }
  await battery(cases);

  const services = await getJson(server, '/api/v1/services');
  assert.equal(services.status, 200);
  assert.equal(services.parseError, null,
    `GET /api/v1/services is not strict UTF-8 JSON after invalid UTF-8 input: ${services.parseError?.message}`);
});

// ---- Deep nesting ------------------------------------------------------------------------------

/** AnyValue nested `depth` times: array_value{values: [array_value{...}]}, built inside out. */
function nestedAnyValueProto(depth, kvlist = false) {
  // Each level is a header (tags and lengths) in front of the level inside it, so the sizes are
  // computed from the innermost level out and the headers written outermost first.
  const headers = [];
  let size = 0; // the innermost AnyValue is empty
  for (let level = 0; level < depth; level++) {
    let header;
    if (kvlist) {
      // AnyValue{kvlist_value: KeyValueList{values: KeyValue{key: "k", value: <inner>}}}
      const keyValueHead = Buffer.concat([pb.len(1, 'k'), tag(2, WIRE.LEN), varint(size)]);
      const listHead = Buffer.concat([
        tag(1, WIRE.LEN), varint(keyValueHead.length + size), keyValueHead]);
      header = Buffer.concat([tag(6, WIRE.LEN), varint(listHead.length + size), listHead]);
    } else {
      // AnyValue{array_value: ArrayValue{values: <inner>}}
      const arrayHead = Buffer.concat([tag(1, WIRE.LEN), varint(size)]);
      header = Buffer.concat([tag(5, WIRE.LEN), varint(arrayHead.length + size), arrayHead]);
    }
    headers.push(header);
    size += header.length;
  }
  return Buffer.concat(headers.reverse());
}

test('deeply nested AnyValues', async () => {
  const depth = 10_000;
  const spanWith = (anyValue) => requestWithSpanBytes(Buffer.concat([spanPrefix(),
    pb.len(9, Buffer.concat([pb.len(1, 'deep'), pb.len(2, anyValue)]))]));
  const jsonArrays = `${'{"arrayValue":{"values":['.repeat(depth)}{}${']}}'.repeat(depth)}`;
  const jsonKvlists = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth)}{}${'}]}}'.repeat(depth)}`;
  const jsonBody = (value) => {
    const text = JSON.stringify(jsonTraceRequest({ resource: RESOURCE, scope: SCOPE,
      spans: [validSpan({ attributes: { deep: '@@DEEP@@' } })] }));
    return text.replace('{"stringValue":"@@DEEP@@"}', value);
  };
  // Sanity check of the builder against the plain encoder.
  assert.deepEqual(nestedAnyValueProto(3), encodeAnyValue([[[null]]]));
  assert.deepEqual(nestedAnyValueProto(2, true),
    encodeAnyValue({ kvlist: { k: { kvlist: { k: null } } } }));
  // A nesting limit may reject the whole request or only the span that carries the value.
  await battery([
    { label: `protobuf arrays depth ${depth}`, body: spanWith(nestedAnyValueProto(depth)) },
    { label: `protobuf kvlists depth ${depth}`, body: spanWith(nestedAnyValueProto(depth, true)) },
    { label: `JSON arrays depth ${depth}`, body: jsonBody(jsonArrays), contentType: JSON_TYPE },
    { label: `JSON kvlists depth ${depth}`, body: jsonBody(jsonKvlists), contentType: JSON_TYPE },
    { label: `JSON bare arrays depth ${depth}`, contentType: JSON_TYPE,
      body: `{"resourceSpans":${'['.repeat(depth)}${']'.repeat(depth)}}`, spanCount: undefined,
      allowed: [400] },
  ], { allowed: [200, 400], spanCount: 1 });
});

// ---- JSON --------------------------------------------------------------------------------------

test('invalid JSON', async () => {
  const bodies = [
    '', ' ', '{', '}', '{"resourceSpans":', '{"resourceSpans":[}', '{"resourceSpans":[]}x',
    '{"resourceSpans":[]}{}', "{'resourceSpans':[]}", '{"resourceSpans":[],}', '[1,2', 'nul',
    'NaN', '\u0000', '{"a":"unterminated}', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x\\q"}]}]}]}',
    '{"a":01}', '{"a":1e}', '{"a":-}', '/* comment */{}', '{"a" 1}', '{a:1}', '{"a":"\u0001"}',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102"', '\ufeff\ufeff{}',
    'null', '[]', '"resourceSpans"', '42', 'true',
  ];
  const rng = prng(0x7e57_0002);
  const cases = bodies.map((body) => ({ label: `JSON ${JSON.stringify(body).slice(0, 80)}`, body }));
  for (let i = 0; i < 50; i++) {
    const body = randomBuffer(rng, 1 + Math.floor(rng() ** 3 * 65_535));
    cases.push({ label: `random bytes as JSON #${i} (${body.length} B)`, body });
  }
  await battery(cases, { contentType: JSON_TYPE });
});

test('JSON with wrong types', async () => {
  const structural = [
    { resourceSpans: {} }, { resourceSpans: 'x' }, { resourceSpans: 1 }, { resourceSpans: [1] },
    { resourceSpans: [[]] }, { resourceSpans: [{ scopeSpans: {} }] },
    { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] },
    { resourceSpans: [{ scopeSpans: [{ spans: [1] }] }] },
    { resourceSpans: [{ resource: [] }] },
    { resourceSpans: [{ resource: { attributes: {} } }] },
    { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: 'plain' }] } }] },
    { resourceSpans: [{ scopeSpans: [{ scope: 'x' }] }] },
  ];
  // One field of an otherwise valid span replaced: a 400, or a 200 that rejects the span.
  // (Enum fields get values of the wrong JSON type only: a string is an enum name, and an
  // unknown name may be read as an unknown enum value, as protobuf's JSON parsers do when they
  // ignore unknown fields.)
  const spanFields = [
    ['name', 5], ['name', []], ['traceId', 12345], ['spanId', {}], ['kind', true], ['kind', {}],
    ['startTimeUnixNano', {}], ['startTimeUnixNano', 'abc'], ['startTimeUnixNano', '-1'],
    ['startTimeUnixNano', '18446744073709551616'], ['startTimeUnixNano', 1.5],
    ['endTimeUnixNano', true], ['attributes', {}], ['attributes', [1]],
    ['attributes', [{ key: 1, value: { stringValue: 'x' } }]],
    ['attributes', [{ key: 'k', value: { intValue: '12x' } }]],
    ['attributes', [{ key: 'k', value: { intValue: true } }]],
    ['attributes', [{ key: 'k', value: { intValue: '9223372036854775808' } }]],
    ['attributes', [{ key: 'k', value: { intValue: 1.5 } }]],
    ['attributes', [{ key: 'k', value: { boolValue: 'yes' } }]],
    ['attributes', [{ key: 'k', value: { doubleValue: 'x' } }]],
    ['attributes', [{ key: 'k', value: { doubleValue: {} } }]],
    ['attributes', [{ key: 'k', value: { stringValue: 5 } }]],
    ['attributes', [{ key: 'k', value: { arrayValue: [] } }]],
    ['attributes', [{ key: 'k', value: { arrayValue: { values: {} } } }]],
    ['attributes', [{ key: 'k', value: { kvlistValue: { values: [1] } } }]],
    ['attributes', [{ key: 'k', value: { bytesValue: '!!!not base64!!!' } }]],
    ['attributes', [{ key: 'k', value: 'plain' }]],
    ['events', 'x'], ['events', [{ timeUnixNano: [], name: 'e' }]], ['events', [{ name: 5 }]],
    ['links', [{ traceId: 5, spanId: 'bbbbbbbbbbbbbbbb' }]], ['links', {}],
    ['status', []], ['status', { code: {} }], ['status', { code: 1.5 }], ['status', { message: 5 }],
    ['droppedAttributesCount', -1], ['droppedAttributesCount', 'x'], ['flags', 'x'],
  ];
  const cases = structural.map((body) => ({
    label: `structure ${JSON.stringify(body)}`, body: JSON.stringify(body) }));
  for (const [field, value] of spanFields) {
    const request = jsonTraceRequest({ resource: RESOURCE, scope: SCOPE, spans: [validSpan()] });
    request.resourceSpans[0].scopeSpans[0].spans[0][field] = value;
    cases.push({ label: `span ${field}: ${JSON.stringify(value)}`, body: JSON.stringify(request),
      allowed: [200, 400], spanCount: 1 });
  }
  await battery(cases, { contentType: JSON_TYPE });
});

// ---- Compression -------------------------------------------------------------------------------

/** gzip of `total` bytes of `fill`, streamed so the uncompressed data never sits in memory. */
async function gzipOfRepeated(fill, total, suffix = Buffer.alloc(0)) {
  const gzip = createGzip({ level: 9 });
  const chunks = [];
  gzip.on('data', (chunk) => chunks.push(chunk));
  const done = new Promise((resolveDone, rejectDone) => {
    gzip.on('end', resolveDone);
    gzip.on('error', rejectDone);
  });
  const block = Buffer.alloc(1 << 20, fill);
  for (let written = 0; written < total; written += block.length) {
    if (!gzip.write(block)) await new Promise((resolveDrain) => gzip.once('drain', resolveDrain));
  }
  gzip.end(suffix);
  await done;
  return Buffer.concat(chunks);
}

test('corrupt and hostile gzip bodies', async () => {
  const valid = validRequest();
  const gz = gzipSync(valid);
  const badCrc = Buffer.from(gz);
  badCrc[badCrc.length - 8] ^= 0xff;
  const badSize = Buffer.from(gz);
  badSize[badSize.length - 1] ^= 0x01;
  const rng = prng(0x7e57_0003);
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
  const cases = [
    { label: 'gzip header then garbage', body: Buffer.concat([header, randomBuffer(rng, 200)]) },
    { label: 'gzip header only', body: header },
    { label: 'gzip magic only', body: Buffer.from([0x1f, 0x8b]) },
    { label: 'plain protobuf labelled gzip', body: valid },
    { label: 'empty body labelled gzip', body: Buffer.alloc(0), allowed: [200, 400] },
    { label: 'truncated gzip stream', body: gz.subarray(0, Math.floor(gz.length / 2)) },
    { label: 'gzip without its trailer', body: gz.subarray(0, gz.length - 8) },
    { label: 'gzip with a wrong CRC', body: badCrc },
    { label: 'gzip with a wrong size', body: badSize },
    { label: 'gzip of random bytes', body: gzipSync(randomBuffer(rng, 4096)) },
    { label: 'gzip of a truncated request', body: gzipSync(valid.subarray(0, valid.length - 3)) },
    { label: 'JSON: gzip header then garbage', contentType: JSON_TYPE,
      body: Buffer.concat([header, randomBuffer(rng, 200)]) },
    { label: 'JSON: gzip of invalid JSON', contentType: JSON_TYPE, body: gzipSync('{"resourceSpans":') },
  ];
  await battery(cases, { encoding: 'gzip' });
  await battery([
    { label: 'content-encoding br', body: valid, encoding: 'br' },
    { label: 'content-encoding x-unknown', body: valid, encoding: 'x-unknown' },
  ], { allowed: [400, 415] });
});

test('gzip bombs are refused with 413', async () => {
  const size = 200 * 1024 * 1024;
  const zeros = await gzipOfRepeated(0, size);
  const spaces = await gzipOfRepeated(0x20, size, Buffer.from('{}'));
  await battery([
    { label: `protobuf: ${size} zero bytes in ${zeros.length} gzip bytes`, body: zeros },
    { label: `JSON: ${size} spaces in ${spaces.length} gzip bytes`, body: spaces,
      contentType: JSON_TYPE },
  ], { encoding: 'gzip', allowed: [413] });
});

// ---- Content types -----------------------------------------------------------------------------

test('unsupported content types are refused with 415', async () => {
  const valid = validRequest();
  await battery([
    'text/plain', 'application/xml', 'application/grpc', 'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx',
    'application/x-protobufx', null,
  ].map((contentType) => ({ label: `content type ${contentType}`, body: valid, contentType })),
  { allowed: [415] });
});

// ---- Partially invalid batches -----------------------------------------------------------------

async function assertSiblingStored(sibling) {
  const answer = await getJson(server, `/api/v1/traces/${sibling.traceId}`);
  assert.equal(answer.status, 200, `valid sibling ${sibling.traceId} not stored: ${answer.body}`);
  assert.equal(answer.parseError, null);
  assert.equal(answer.json.spans?.length, 1);
  assertMatches(answer.json.spans[0], {
    trace_id: sibling.traceId, span_id: sibling.spanId, name: sibling.name,
    attributes: { case: 'valid', n: 1n },
  }, 'valid sibling span');
}

function assertPartial(answer, json, rejected) {
  assert.equal(answer.status, 200, `status; body ${answer.body.toString('latin1').slice(0, 300)}`);
  assert.equal(mediaType(answer), json ? JSON_TYPE : PROTOBUF);
  const partial = partialSuccess(answer, json);
  assert.equal(partial.rejectedSpans, BigInt(rejected), 'partial_success.rejected_spans');
  assert.notEqual(partial.errorMessage, '', 'partial_success.error_message explains the rejection');
}

test('a span with a 5-byte trace id is rejected while its sibling is stored (protobuf)', async () => {
  const sibling = validSpan();
  const bad = validSpan({ traceIdBytes: Buffer.from([1, 2, 3, 4, 5]) });
  const answer = await post(validRequest([bad, sibling]));
  assertPartial(answer, false, 1);
  await assertSiblingStored(sibling);
});

test('a span with a 10-hex-digit trace id is rejected while its sibling is stored (JSON)', async () => {
  const sibling = validSpan();
  const body = jsonTraceRequest({ resource: RESOURCE, scope: SCOPE,
    spans: [sibling, validSpan({ traceId: '0102030405' })] });
  const answer = await post(JSON.stringify(body), { contentType: JSON_TYPE });
  assertPartial(answer, true, 1);
  await assertSiblingStored(sibling);
});

test('a span with a 7-byte span id is rejected while its sibling is stored (protobuf)', async () => {
  const sibling = validSpan();
  const bad = validSpan({ spanIdBytes: Buffer.from([1, 2, 3, 4, 5, 6, 7]) });
  const answer = await post(validRequest([sibling, bad]));
  assertPartial(answer, false, 1);
  await assertSiblingStored(sibling);
});

// ---- Concurrency -------------------------------------------------------------------------------

test('bad and valid requests interleaved concurrently', async () => {
  const rng = prng(0x7e57_0004);
  const valid = [];
  const jobs = [];
  for (let i = 0; i < 96; i++) {
    if (i % 3 === 0) {
      const span = validSpan({ name: `concurrent.${i}` });
      valid.push(span);
      jobs.push({ label: `valid #${i}`, body: validRequest([span]), allowed: [200] });
    } else {
      const body = validRequest();
      jobs.push({ label: `truncated #${i}`, allowed: [400],
        body: body.subarray(0, 1 + Math.floor(rng() * (body.length - 1))) });
    }
  }
  const problems = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const answer = await post(job.body);
      problems.push(...judge(answer, { allowed: job.allowed, json: false })
        .map((problem) => `${job.label}: ${problem}`));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (const span of valid) {
    const back = await getJson(server, `/api/v1/traces/${span.traceId}`);
    if (back.status !== 200 || back.json?.spans?.[0]?.name !== span.name) {
      problems.push(`${span.name} not readable after a 200: ${back.status}`);
    }
  }
  assert.deepEqual(problems, []);
});

// ---- Still healthy -----------------------------------------------------------------------------

/** Every AnyValue kind, including those the JS SDK cannot send (bytes, kvlist, nesting, empty). */
const RICH_ATTRIBUTES = {
  'string': 'text ✓',
  'bool': false,
  'int.max': 2n ** 63n - 1n,
  'int.min': -(2n ** 63n),
  'int.beyond_double': 2n ** 53n + 1n,
  'double.integral': 1.0,
  'double.fraction': -2.5,
  'double.nan': NaN,
  'double.inf': Infinity,
  'double.neg_inf': -Infinity,
  'bytes': new Uint8Array([0, 1, 2, 253, 254, 255]),
  'bytes.empty': new Uint8Array(0),
  'empty': null,
  'array.nested': [1n, [2n, ['three', [true, [4.5]]]], null],
  'kvlist': { kvlist: { a: 1n, b: { kvlist: { c: ['d'], e: null } }, f: new Uint8Array([9]) } },
};
const RICH_API = {
  'string': 'text ✓',
  'bool': false,
  'int.max': 2n ** 63n - 1n,
  'int.min': -(2n ** 63n),
  'int.beyond_double': 2n ** 53n + 1n,
  'double.integral': 1,
  'double.fraction': -2.5,
  'double.nan': 'NaN',
  'double.inf': 'Infinity',
  'double.neg_inf': '-Infinity',
  'bytes': Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64'),
  'bytes.empty': '',
  'empty': null,
  'array.nested': [1n, [2n, ['three', [true, [4.5]]]], null],
  'kvlist': { a: 1n, b: { c: ['d'], e: null }, f: Buffer.from([9]).toString('base64') },
};

test('after the battery the server is healthy and round-trips a valid span', async (t) => {
  const health = await request(server, '/healthz');
  assert.equal(health.status, 200, `/healthz: ${health.status} ${health.body}`);

  for (const json of [false, true]) {
    await t.test(json ? 'OTLP/JSON' : 'protobuf', async () => {
      const span = validSpan({ name: 'still.alive', attributes: RICH_ATTRIBUTES, flags: 0x301,
        traceState: 'k=v', parentSpanId: '0123456789abcdef' });
      const description = { resource: RESOURCE, scope: SCOPE, spans: [span] };
      const answer = json
        ? await post(JSON.stringify(jsonTraceRequest(description)), { contentType: JSON_TYPE })
        : await post(encodeTraceRequest(description));
      assert.equal(answer.status, 200, `ingest: ${answer.status} ${answer.body}`);
      assert.equal(partialSuccess(answer, json).rejectedSpans, 0n);
      const back = await getJson(server, `/api/v1/traces/${span.traceId}`);
      assert.equal(back.status, 200);
      assert.equal(back.parseError, null);
      assertMatches(back.json.spans?.[0], {
        trace_id: span.traceId, span_id: span.spanId, parent_span_id: '0123456789abcdef',
        trace_state: 'k=v', flags: 0x301n, name: 'still.alive', kind: 'server',
        service: 'e2e-malformed',
        start_time_unix_nano: span.startTimeUnixNano.toString(),
        end_time_unix_nano: span.endTimeUnixNano.toString(),
        duration_ns: span.endTimeUnixNano - span.startTimeUnixNano,
        status: { code: 'ok', message: '' },
        attributes: RICH_API,
        events: [{ time_unix_nano: (NOW_NS - 4_500_000_000n).toString(), name: 'e',
          attributes: { k: 'v' }, dropped_attributes_count: 0n }],
        links: [{ trace_id: 'aa'.repeat(16), span_id: 'bb'.repeat(8), trace_state: '', flags: 0n,
          attributes: { l: true }, dropped_attributes_count: 0n }],
      }, `round trip (${json ? 'JSON' : 'protobuf'})`);
    });
  }
});

test('the server shuts down cleanly on SIGTERM', async () => {
  const exit = await server.stop();
  assert.equal(exit.killed, false, `needed SIGKILL after 10 s; ${server.diagnostics()}`);
  assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}; ${server.diagnostics()}`);
});
