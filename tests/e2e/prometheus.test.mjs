// GET /metrics, read by Prometheus's own client-library parser (lib/prometheus.mjs): Tokenscope's own health series and the
// GenAI client metrics derived from stored LLM calls — token usage and duration histograms with
// the OTel bucket boundaries, call, error and cost counters — checked against what was sent.
// With API keys, a key sees only its own project's GenAI series.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { request } from './lib/http.mjs';
import { histogram, parsePrometheus, samples } from './lib/prometheus.mjs';
import { startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);
const TOKEN_BOUNDS = ['1', '4', '16', '64', '256', '1024', '4096', '16384', '65536', '262144',
  '1048576', '4194304', '16777216', '67108864', '+Inf'];

function chatSpans(traceId, calls, service = 'support-bot') {
  const attr = (key, value) => ({ key, value });
  return JSON.stringify({ resourceSpans: [{
    resource: { attributes: [attr('service.name', { stringValue: service })] },
    scopeSpans: [{ spans: calls.map((call, i) => ({
      traceId, spanId: `10000000000000${String(i).padStart(2, '0')}`, name: 'chat', kind: 3,
      startTimeUnixNano: '1763000000000000000',
      endTimeUnixNano: `${1_763_000_000_000_000_000n + BigInt(call.ms) * 1_000_000n}`,
      status: call.error ? { code: 2, message: '429 Rate limit reached' } : {},
      attributes: [
        attr('gen_ai.operation.name', { stringValue: 'chat' }),
        attr('gen_ai.provider.name', { stringValue: 'openai' }),
        attr('gen_ai.request.model', { stringValue: call.model }),
        ...(call.error ? [] : [
          attr('gen_ai.usage.input_tokens', { intValue: `${call.input}` }),
          attr('gen_ai.usage.output_tokens', { intValue: `${call.output}` }),
        ]),
      ],
    })) }],
  }] });
}

async function scrape(server, headers = {}) {
  const response = await request(server, '/metrics', { headers });
  assert.equal(response.status, 200, String(response.body));
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(response.body.toString('utf8'));
}

/** The value of counter `family` (its samples are named family_total) for `model`. */
function counter(m, family, model) {
  const found = samples(m, family, `${family}_total`, { gen_ai_response_model: model });
  assert.equal(found.length, 1, `${family} for ${model}`);
  return found[0].value;
}

describe('GET /metrics in local mode', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('health and GenAI families, exact against what was stored', async () => {
    const sent = await request(server, '/v1/traces', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: chatSpans('0af7651916cd43dd8448eb211c80319c', [
        { model: 'gpt-4o', input: 3, output: 10, ms: 15 },
        { model: 'gpt-4o', input: 1000, output: 70, ms: 900 },
        { model: 'gpt-4o-mini', input: 20, output: 5, ms: 300 },
        { model: 'gpt-4o', error: true, ms: 50 },
      ]),
    });
    assert.equal(sent.status, 200);
    const m = await scrape(server);

    assert.equal(samples(m, 'tokenscope_build_info', 'tokenscope_build_info')[0].value, 1);
    assert.equal(samples(m, 'tokenscope_ingest_spans_accepted',
      'tokenscope_ingest_spans_accepted_total')[0].value, 4);
    assert.equal(m.tokenscope_store_commit_seconds.type, 'histogram');
    assert.equal(histogram(m, 'tokenscope_store_commit_seconds', {}).count, 1);
    assert.equal(samples(m, 'tokenscope_inflight_budget_bytes', 'tokenscope_inflight_budget_bytes')[0].value,
      256 * 1024 * 1024);
    // The store's memory by what holds it: the spans just written sit in a memtable.
    const memory = Object.fromEntries(samples(m, 'tokenscope_store_memory_bytes', 'tokenscope_store_memory_bytes')
      .map((s) => [s.labels.kind, s.value]));
    assert.deepEqual(Object.keys(memory).sort(), ['block_cache', 'block_cache_pinned', 'memtables', 'table_readers']);
    assert.ok(memory.memtables > 0, JSON.stringify(memory));
    assert.ok(memory.block_cache <= 96 * 1024 * 1024 + memory.block_cache_pinned, JSON.stringify(memory));

    assert.equal(m.gen_ai_client_token_usage.type, 'histogram');
    const inputLabels = {
      project: 'default', service_name: 'support-bot', gen_ai_provider_name: 'openai',
      gen_ai_response_model: 'gpt-4o', gen_ai_operation_name: 'chat', gen_ai_token_type: 'input',
    };
    const input = histogram(m, 'gen_ai_client_token_usage', inputLabels);
    assert.deepEqual(Object.keys(input.buckets).sort(), [...TOKEN_BOUNDS].sort());
    // 3 falls in le=4, 1000 in le=1024 (cumulative counts).
    assert.equal(input.buckets['1'], 0);
    assert.equal(input.buckets['4'], 1);
    assert.equal(input.buckets['256'], 1);
    assert.equal(input.buckets['1024'], 2);
    assert.equal(input.buckets['+Inf'], 2);
    assert.equal(input.sum, 1003);
    assert.equal(input.count, 2);
    assert.equal(histogram(m, 'gen_ai_client_token_usage',
      { gen_ai_response_model: 'gpt-4o', gen_ai_token_type: 'output' }).sum, 80);

    const duration = histogram(m, 'gen_ai_client_operation_duration_seconds',
      { gen_ai_response_model: 'gpt-4o' });
    assert.equal(duration.count, 3);  // the failed call too
    assert.equal(duration.buckets['0.02'], 1);  // 15 ms
    assert.equal(duration.buckets['0.08'], 2);  // + 50 ms
    assert.equal(duration.buckets['1.28'], 3);  // + 900 ms

    assert.equal(counter(m, 'tokenscope_llm_calls', 'gpt-4o'), 3);
    assert.equal(counter(m, 'tokenscope_llm_errors', 'gpt-4o'), 1);
    // gpt-4o list price: $2.50 / M input, $10.00 / M output; gpt-4o-mini $0.15 / $0.60.
    assert.equal(counter(m, 'tokenscope_llm_cost_usd', 'gpt-4o'), (1003 * 2.5 + 80 * 10) / 1e6);
    assert.equal(counter(m, 'tokenscope_llm_cost_usd', 'gpt-4o-mini'), (20 * 0.15 + 5 * 0.6) / 1e6);
  });

  test('a request sent twice counts twice (the store keeps its spans once)', async () => {
    const body = chatSpans('11111111111111111111111111111111', [{ model: 'o3', input: 7, output: 7, ms: 5 }]);
    for (let i = 0; i < 2; i++) {
      await request(server, '/v1/traces', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    }
    const m = await scrape(server);
    // The counters count calls as they are received and stored, like any Prometheus counter of
    // work done; the second copy rewrites the same span in the store, so trace totals and
    // searches still see one call (docs/api.md).
    assert.equal(counter(m, 'tokenscope_llm_calls', 'o3'), 2);
    const trace = await request(server, '/api/v1/traces/11111111111111111111111111111111');
    assert.equal(JSON.parse(trace.body).summary.llm_call_count, 1);
  });
});

describe('GET /metrics with allocation dimensions', () => {
  let server;
  before(async () => {
    server = await startServer({ extraArgs: ['--rollup-dimensions', 'svc=resource:service.name,feature.flag',
      '--rollup-max-values', '1'] });
  });
  after(async () => { await server?.stop(); });

  test('series carry the dimensions as the rollups keep them, and the rollups report cardinality', async () => {
    for (const [trace, service] of [['22222222222222222222222222222222', 'support-bot'],
      ['33333333333333333333333333333333', 'billing-bot']]) {
      const sent = await request(server, '/v1/traces', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: chatSpans(trace, [{ model: 'gpt-4o', input: 5, output: 5, ms: 10 }], service),
      });
      assert.equal(sent.status, 200);
    }
    const m = await scrape(server);
    // One value per dimension is kept: the second service is counted under __other__.
    const kept = samples(m, 'tokenscope_llm_calls', 'tokenscope_llm_calls_total', { svc: 'support-bot' });
    assert.equal(kept.length, 1);
    assert.equal(kept[0].labels.feature_flag, '');
    assert.equal(kept[0].labels.service_name, 'support-bot');
    const folded = samples(m, 'tokenscope_llm_calls', 'tokenscope_llm_calls_total', { svc: '__other__' });
    assert.equal(folded.length, 1);
    assert.equal(folded[0].labels.service_name, 'billing-bot');
    // billing-bot is folded twice: as the built-in service dimension and as svc.
    assert.equal(samples(m, 'tokenscope_rollup_folded_values', 'tokenscope_rollup_folded_values_total')[0].value, 2);
    const values = samples(m, 'tokenscope_rollup_dimension_values', 'tokenscope_rollup_dimension_values',
      { project: 'default', dimension: 'svc' });
    assert.equal(values[0].value, 1);
  });
});

describe('GET /metrics with API keys', () => {
  let server;
  let alpha;
  let beta;
  before(async () => {
    server = await startServer();
    const key = async (project) => JSON.parse((await run(tokenscopeBinary(),
      ['keys', '--data', server.dataDir, '--json', 'create', '--project', project])).stdout);
    alpha = await key('alpha');
    beta = await key('beta');
    for (let i = 0; i < 50 && (await request(server, '/metrics')).status !== 401; i++) await sleep(100);
  });
  after(async () => { await server?.stop(); });

  test('needs a key, and a key sees its own project only', async () => {
    assert.equal((await request(server, '/metrics')).status, 401);
    for (const [key, model] of [[alpha, 'gpt-4.1'], [beta, 'claude-sonnet-4']]) {
      const sent = await request(server, '/v1/traces', {
        method: 'POST', body: chatSpans('22222222222222222222222222222222', [{ model, input: 1, output: 1, ms: 1 }]),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
      });
      assert.equal(sent.status, 200);
    }
    const m = await scrape(server, { authorization: `Bearer ${alpha.secret}` });
    const projects = new Set(samples(m, 'tokenscope_llm_calls', 'tokenscope_llm_calls_total')
      .map((x) => x.labels.project));
    assert.deepEqual([...projects], ['alpha']);
    assert.ok(m.tokenscope_ingest_requests, 'health series are shown to every key');
  });
});
