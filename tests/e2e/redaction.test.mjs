// Redaction: with a `redaction:` section in the config file, secrets and personal data sent in
// message content never reach the store. Spans in the shapes of several conventions (OTel GenAI
// JSON messages, OpenInference flattened attributes and input.value, OpenLLMetry indexed
// prompts, legacy content events, an error status) and log records (plain bodies and GenAI
// message events) carry every kind of secret; then every read API — trace by id, trace search,
// span search, log search, with filters and text queries aimed at the secrets — is searched for
// each secret, and none may be found in any answer, while the typed placeholders are there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

// Each secret with the fragments that must not appear anywhere (the value as sent, and pieces
// that would betray it if only part of it were redacted).
const SECRETS = {
  email: { value: 'jane.doe@example.com', needles: ['jane.doe', 'jane.doe@example.com'], type: 'EMAIL' },
  phone: { value: '+1 415 555 0123', needles: ['415 555 0123', '4155550123'], type: 'PHONE' },
  card: { value: '4111 1111 1111 1111', needles: ['4111 1111', '4111111111111111'], type: 'CREDIT_CARD' },
  openai: { value: 'sk-proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nOp3r', needles: ['Ab3dEf6hIj9lMn2p'], type: 'API_KEY' },
  anthropic: { value: 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCd', needles: ['Zx9Yw8Vu7Ts6Rq5P'], type: 'API_KEY' },
  google: { value: 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q', needles: ['SyA1b2C3d4E5f6G7'], type: 'API_KEY' },
  aws: { value: 'AKIAIOSFODNN7EXAMPLE', needles: ['IOSFODNN7EXAMPLE'], type: 'API_KEY' },
  github: { value: 'ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R', needles: ['1a2B3c4D5e6F7g8H'], type: 'API_KEY' },
  slack: { value: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp', needles: ['AbCdEfGhIjKlMnOp'], type: 'API_KEY' },
  stripe: { value: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', needles: ['4eC39HqLyjWDarjt'], type: 'API_KEY' },
  bearer: { value: 'Bearer tok_9f8e7d6c5b4a39281706', needles: ['9f8e7d6c5b4a3928'], type: 'API_KEY' },
  ipv4: { value: '203.0.113.42', needles: ['203.0.113.42'], type: 'IP' },
  ipv6: { value: '2001:db8:85a3::8a2e:370:7334', needles: ['8a2e:370:7334'], type: 'IP' },
  employee: { value: 'EMP-204981', needles: ['204981'], type: 'EMPLOYEE_ID' },
};
const ALL_NEEDLES = Object.values(SECRETS).flatMap((s) => s.needles);
const ALL_TYPES = [...new Set(Object.values(SECRETS).map((s) => s.type))];

/** A sentence holding every secret. */
function leakyText(prefix) {
  return `${prefix}: ` + Object.entries(SECRETS).map(([name, s]) => `${name} ${s.value}`).join(', ');
}

const CONFIG = `
redaction:
  attributes: ["app.customer.*"]
  patterns:
    - name: EMPLOYEE_ID
      regex: 'EMP-\\d{6}'
`;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const NOW_MS = Date.now();
const nanos = (ms) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
const attr = (key, value) => ({ key, value: { stringValue: value } });

function span(spanId, name, attributes, extra = {}) {
  return {
    traceId: TRACE_ID,
    spanId,
    name,
    kind: 3,
    startTimeUnixNano: nanos(NOW_MS - 5000),
    endTimeUnixNano: nanos(NOW_MS - 4000),
    attributes,
    ...extra,
  };
}

function tracesRequest() {
  const otelMessages = JSON.stringify([
    { role: 'user', parts: [{ type: 'text', content: leakyText('otel user\nline two') }] },
  ]);
  const otelOutput = JSON.stringify([
    { role: 'assistant', parts: [{ type: 'text', content: leakyText('otel answer') }], finish_reason: 'stop' },
  ]);
  const spans = [
    span('00f067aa0ba902b7', 'chat gpt-4o', [
      attr('gen_ai.operation.name', 'chat'),
      attr('gen_ai.provider.name', 'openai'),
      attr('gen_ai.request.model', 'gpt-4o'),
      attr('gen_ai.input.messages', otelMessages),
      attr('gen_ai.output.messages', otelOutput),
      attr('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: leakyText('system') }])),
      attr('app.customer.email', SECRETS.email.value),
      attr('app.customer.note', leakyText('note')),
    ]),
    span('00f067aa0ba902b8', 'ChatOpenAI', [
      attr('openinference.span.kind', 'LLM'),
      attr('llm.model_name', 'gpt-4o-mini'),
      attr('llm.input_messages.0.message.role', 'user'),
      attr('llm.input_messages.0.message.content', leakyText('openinference user')),
      attr('llm.output_messages.0.message.role', 'assistant'),
      attr('llm.output_messages.0.message.content', leakyText('openinference answer')),
      attr('input.value', JSON.stringify({ messages: [{ role: 'user', content: leakyText('input.value') }] })),
      attr('input.mime_type', 'application/json'),
      attr('output.value', leakyText('output.value')),
    ]),
    span('00f067aa0ba902b9', 'anthropic.chat', [
      attr('gen_ai.system', 'anthropic'),
      attr('gen_ai.request.model', 'claude-3-5-sonnet'),
      attr('gen_ai.prompt.0.role', 'user'),
      attr('gen_ai.prompt.0.content', leakyText('openllmetry prompt')),
      attr('gen_ai.completion.0.role', 'assistant'),
      attr('gen_ai.completion.0.content', leakyText('openllmetry completion')),
    ]),
    span('00f067aa0ba902ba', 'chat legacy', [
      attr('gen_ai.system', 'openai'),
      attr('gen_ai.request.model', 'gpt-4o'),
    ], {
      events: [
        { timeUnixNano: nanos(NOW_MS - 4900), name: 'gen_ai.content.prompt',
          attributes: [attr('gen_ai.prompt', JSON.stringify([{ role: 'user', content: leakyText('legacy prompt') }]))] },
        { timeUnixNano: nanos(NOW_MS - 4100), name: 'gen_ai.content.completion',
          attributes: [attr('gen_ai.completion', JSON.stringify([{ role: 'assistant', content: leakyText('legacy completion') }]))] },
        { timeUnixNano: nanos(NOW_MS - 4050), name: 'gen_ai.user.message',
          attributes: [attr('content', leakyText('message event'))] },
        { timeUnixNano: nanos(NOW_MS - 4010), name: 'exception',
          attributes: [attr('exception.message', leakyText('exception'))] },
      ],
      status: { code: 2, message: `Incorrect API key provided: ${SECRETS.openai.value}` },
    }),
  ];
  return {
    resourceSpans: [{
      resource: { attributes: [attr('service.name', 'redaction-e2e')] },
      scopeSpans: [{ scope: { name: 'manual' }, spans }],
    }],
  };
}

function logsRequest() {
  return {
    resourceLogs: [{
      resource: { attributes: [attr('service.name', 'redaction-e2e')] },
      scopeLogs: [{
        scope: { name: 'raw' },
        logRecords: [
          { timeUnixNano: nanos(NOW_MS - 3000), severityNumber: 9, body: { stringValue: leakyText('log body') } },
          {
            timeUnixNano: nanos(NOW_MS - 2000),
            severityNumber: 9,
            traceId: TRACE_ID,
            spanId: '00f067aa0ba902b7',
            attributes: [attr('event.name', 'gen_ai.user.message'), attr('content', leakyText('log event attr'))],
            body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: leakyText('log event body') } }] } },
          },
        ],
      }],
    }],
  };
}

/** Fails naming the request when any secret fragment is in the answer. */
function assertNoSecrets(path, text) {
  for (const needle of ALL_NEEDLES) {
    assert.ok(!text.includes(needle), `${path} leaks "${needle}":\n${text.slice(0, 4000)}`);
  }
}

function assertPlaceholders(path, text, types = ALL_TYPES) {
  for (const type of types) {
    assert.ok(text.includes(`[REDACTED:${type}]`), `${path} lacks [REDACTED:${type}]:\n${text.slice(0, 4000)}`);
  }
}

describe('redaction', () => {
  let server;
  let dir;
  const answers = [];  // every answer body read, for the final sweep

  async function get(path) {
    const response = await request(server, path);
    const text = response.body.toString('utf8');
    assert.equal(response.status, 200, `${path}: ${text}`);
    answers.push({ path, text });
    return { text, json: JSON.parse(text) };
  }

  const q = (filter) => encodeURIComponent(filter);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenscope-redaction-'));
    const configFile = join(dir, 'tokenscope.yaml');
    await writeFile(configFile, CONFIG);
    server = await startServer({ extraArgs: ['--config', configFile] });
    for (const [path, body] of [['/v1/traces', tracesRequest()], ['/v1/logs', logsRequest()]]) {
      const response = await request(server, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, response.body.toString());
    }
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the trace holds placeholders where the secrets were, in valid JSON', async () => {
    const { text, json } = await get(`/api/v1/traces/${TRACE_ID}`);
    assertNoSecrets('trace', text);
    assertPlaceholders('trace', text);
    assert.equal(json.spans.length, 4);
    const otel = json.spans.find((s) => s.name === 'chat gpt-4o');
    const messages = JSON.parse(otel.attributes['gen_ai.input.messages']);  // still JSON
    assert.match(messages[0].parts[0].content, /^otel user\nline two: email \[REDACTED:EMAIL\], /);
    assert.equal(otel.attributes['app.customer.email'], '[REDACTED:EMAIL]');
    // The normalized messages are read from the redacted attributes.
    const input = JSON.stringify(otel.llm.input_messages);
    assert.ok(input.includes('[REDACTED:CREDIT_CARD]'), input);
    const legacy = json.spans.find((s) => s.name === 'chat legacy');
    assert.equal(legacy.status.message, 'Incorrect API key provided: [REDACTED:API_KEY]');
    assert.ok(legacy.attributes !== undefined);
    const bearer = JSON.stringify(legacy.events);
    assert.ok(bearer.includes('bearer Bearer [REDACTED:API_KEY]'), bearer);
  });

  test('trace and span search cannot find the secrets, only the placeholders', async () => {
    const all = await get('/api/v1/traces?limit=100');
    assert.equal(all.json.traces.length, 1);
    const placeholders = await get(`/api/v1/traces?filter=${q('input ~ "REDACTED:EMAIL"')}`);
    assert.equal(placeholders.json.traces.length, 1);
    const spans = await get(`/api/v1/spans?filter=${q('service = "redaction-e2e"')}&limit=100`);
    assert.equal(spans.json.spans.length, 4);
    assertPlaceholders('spans', spans.text);
    for (const needle of ALL_NEEDLES) {
      for (const field of ['input', 'output', 'attr."app.customer.email"', 'attr."gen_ai.input.messages"',
        'attr."llm.input_messages.0.message.content"', 'attr."input.value"']) {
        const filter = q(`${field} ~ "${needle}"`);
        const traces = await get(`/api/v1/traces?filter=${filter}`);
        assert.deepEqual(traces.json.traces, [], `${field} ~ "${needle}" found a trace`);
        const found = await get(`/api/v1/spans?filter=${filter}`);
        assert.deepEqual(found.json.spans, [], `${field} ~ "${needle}" found a span`);
      }
    }
  });

  test('log search cannot find the secrets, only the placeholders', async () => {
    const all = await get('/api/v1/logs?limit=100');
    assert.equal(all.json.logs.length, 2);
    assertPlaceholders('logs', all.text);
    const byTrace = await get(`/api/v1/logs?trace_id=${TRACE_ID}`);
    assert.equal(byTrace.json.logs.length, 1);
    assert.equal((await get(`/api/v1/logs?q=${q('[REDACTED:IP]')}`)).json.logs.length, 2);
    for (const needle of ALL_NEEDLES) {
      const found = await get(`/api/v1/logs?q=${q(needle)}`);
      assert.deepEqual(found.json.logs, [], `q=${needle} found a log record`);
    }
  });

  test('no answer of any API held a secret', () => {
    assert.ok(answers.length > 50, `only ${answers.length} answers were read`);
    for (const { path, text } of answers) assertNoSecrets(path, text);
  });
});
