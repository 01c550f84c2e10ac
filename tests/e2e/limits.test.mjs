// Ingest limits, configured on the command line: over-limit data is rejected as a partial
// success or dropped and counted on the span (the dropped counts, tokenscope.truncated_values),
// never silently.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { exactJson, request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const TRACE = '0123456789abcdef0123456789abcdef';
let server;

before(async () => {
  server = await startServer({ extraArgs: [
    '--max-spans-per-request', '3', '--max-attributes', '2', '--max-attribute-value-bytes', '16',
    '--max-events-per-span', '1', '--max-links-per-span', '1', '--max-spans-per-trace', '4',
  ] });
});
after(async () => { await server?.stop(); });

function span(i, extra = {}) {
  return {
    traceId: TRACE, spanId: `00000000000000${String(i).padStart(2, '0')}`, name: `s${i}`, kind: 1,
    startTimeUnixNano: `${1_763_000_000_000_000_000n + BigInt(i)}`,
    endTimeUnixNano: `${1_763_000_000_000_001_000n + BigInt(i)}`,
    ...extra,
  };
}

async function send(spans) {
  const response = await request(server, '/v1/traces', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
  });
  assert.equal(response.status, 200);
  return exactJson(response);
}

test('caps per request, per span and per value, each visible in the answer or on the span', async () => {
  const str = (key, value) => ({ key, value: { stringValue: value } });
  const answer = await send([
    span(1, {
      attributes: [str('gen_ai.prompt', 'héllo wörld, écrit'), str('b', 'x'), str('c', 'y')],
      droppedAttributesCount: 1,
      events: [{ name: 'e1', timeUnixNano: '1', attributes: [str('k', 'v')] }, { name: 'e2', timeUnixNano: '2' }],
      links: [{ traceId: TRACE, spanId: '00000000000000aa' }, { traceId: TRACE, spanId: '00000000000000bb' }],
    }),
    span(2), span(3), span(4), span(5),
  ]);
  assert.equal(answer.partialSuccess.rejectedSpans, '2');
  assert.match(answer.partialSuccess.errorMessage, /5 spans; the limit is 3 per request/);

  const trace = exactJson(await request(server, `/api/v1/traces/${TRACE}`));
  assert.deepEqual(trace.spans.map((s) => s.name), ['s1', 's2', 's3']);
  const first = trace.spans[0];
  // At most 16 bytes without cutting a character: "héllo wörld, " is 15 bytes and the "é"
  // after it would end at byte 17.
  assert.equal(first.attributes['gen_ai.prompt'], 'héllo wörld, ');
  assert.equal(Buffer.byteLength(first.attributes['gen_ai.prompt']) <= 16, true);
  assert.equal(first.attributes.b, 'x');
  assert.equal(first.attributes.c, undefined);
  assert.equal(first.dropped_attributes_count, 2n);  // 1 from the SDK + 1 here
  assert.equal(first.attributes['tokenscope.truncated_values'], 1n);
  assert.deepEqual(first.events.map((e) => e.name), ['e1']);
  assert.equal(first.dropped_events_count, 1n);
  assert.equal(first.links.length, 1);
  assert.equal(first.dropped_links_count, 1n);
});

test('spans that would grow a trace past its limit are rejected', async () => {
  const answer = await send([span(6), span(7)]);
  assert.equal(answer.partialSuccess.rejectedSpans, '1');
  assert.match(answer.partialSuccess.errorMessage, /past 4 spans, the limit per trace/);
  const trace = exactJson(await request(server, `/api/v1/traces/${TRACE}`));
  assert.equal(trace.summary.span_count, 4n);
});
