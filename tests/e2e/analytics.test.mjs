// Analytics: LLM calls sent by the OpenTelemetry JS SDK come back from GET /api/v1/metrics and
// GET /api/v1/costs with exactly the counts and tokens that were sent, costs equal to the sum
// of the stored spans' costs, latency percentiles within DDSketch's 1%, and the same answer
// from the rollups as from a scan of the spans. A resent export counts once; bad parameters
// get a 400 naming the parameter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { request } from './lib/http.mjs';
import { startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);

const NS_PER_MS = 1_000_000n;
const MINUTE_NS = 60_000_000_000n;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5'];
const TEAMS = ['search', 'ads'];
const FEATURES = ['chat', 'summarize', 'classify'];
const CALLS = 600;
const MINUTES = 30;

let server;
let dataDir;
// What was sent, one entry per LLM call.
const sent = [];
let rangeStart;
let rangeEnd;

// A deterministic pseudo-random sequence, so a failure reproduces.
function lcg(seed) {
  let state = BigInt(seed);
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % (1n << 64n);
    return Number(state >> 33n) / 2 ** 31;
  };
}

async function get(path) {
  const response = await request(server, path);
  const text = response.body.toString('utf8');
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: response.status, body: json ? JSON.parse(text) : null, text,
    headers: response.headers };
}

function exportSpans(exporter, spans) {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => (result.code === 0 ? resolve()
      : reject(result.error ?? new Error('export failed'))));
  });
}

before(async () => {
  // The rollups start with one allocation dimension; the last test adds `feature` and rebuilds.
  dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-analytics-'));
  server = await startServer({ dataDir, extraArgs: ['--rollup-dimensions', 'team=resource:team'] });
  const random = lcg(7);
  const nowMinute = BigInt(Date.now()) * NS_PER_MS / MINUTE_NS;
  rangeStart = (nowMinute - BigInt(MINUTES) - 5n) * MINUTE_NS;
  rangeEnd = rangeStart + BigInt(MINUTES) * MINUTE_NS;
  const exporter = new OTLPTraceExporter({ url: server.url('/v1/traces'), timeoutMillis: 15_000 });
  for (const team of TEAMS) {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `${team}-api`, team }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('analytics-test');
    for (let i = 0; i < CALLS / TEAMS.length; ++i) {
      const model = MODELS[Math.floor(random() * MODELS.length)];
      const feature = FEATURES[Math.floor(random() * FEATURES.length)];
      const input = 100 + Math.floor(random() * 5000);
      const output = 10 + Math.floor(random() * 800);
      const durationMs = 50 + Math.floor(random() * 4000);
      const failed = random() < 0.08;
      const startNs = rangeStart + BigInt(Math.floor(random() * MINUTES * 60_000)) * NS_PER_MS;
      const endNs = startNs + BigInt(durationMs) * NS_PER_MS;
      const hr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
      const span = tracer.startSpan(`chat ${model}`, {
        startTime: hr(startNs),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': model.startsWith('claude') ? 'anthropic' : 'openai',
          'gen_ai.request.model': model,
          ...(failed ? { 'error.type': '429' } : {
            'gen_ai.response.model': model,
            'gen_ai.usage.input_tokens': input,
            'gen_ai.usage.output_tokens': output,
          }),
          feature,
        },
      });
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: '429 Rate limit reached' });
      span.end(hr(endNs));
      sent.push({ team, model, feature, input: failed ? 0 : input, output: failed ? 0 : output,
        durationNs: BigInt(durationMs) * NS_PER_MS, failed, startNs });
    }
    const spans = memory.getFinishedSpans();
    await exportSpans(exporter, spans);
    // The same export again, as a client retrying after a lost answer: stored, and counted, once.
    await exportSpans(exporter, spans);
    await provider.shutdown();
  }
  await exporter.shutdown();
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const range = () => `start=${rangeStart}&end=${rangeEnd}`;

function groupBy(items, keyOf) {
  const out = new Map();
  for (const item of items) {
    const key = keyOf(item);
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}

function exactQuantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

test('requests per model and minute are exactly what was sent, once', async () => {
  const answer = await get(`/api/v1/metrics?metric=requests&group_by=model&step=1m&top=100&${range()}`);
  assert.equal(answer.status, 200, answer.text);
  const body = answer.body;
  assert.equal(body.path, 'rollup');
  assert.equal(body.unit, '1');
  assert.equal(body.step_ns, String(MINUTE_NS));
  assert.equal(body.start_unix_nano, String(rangeStart));
  assert.equal(body.series.length, MODELS.length);
  for (const series of body.series) {
    assert.equal(series.points.length, MINUTES);
    const mine = sent.filter((c) => c.model === series.group.model);
    assert.equal(series.total, mine.length, series.group.model);
    series.points.forEach(([at, value]) => {
      const bucket = BigInt(at);
      const expected = mine.filter((c) => c.startNs >= bucket && c.startNs < bucket + MINUTE_NS);
      assert.equal(value, expected.length, `${series.group.model} at ${at}`);
    });
  }
  // Largest total first.
  const totals = body.series.map((s) => s.total);
  assert.deepEqual(totals, [...totals].sort((a, b) => b - a));
});

test('a dimension added later is filled in by `tokenscope rollup rebuild`', async () => {
  await server.stop();
  server = await startServer({
    dataDir, extraArgs: ['--rollup-dimensions', 'team=resource:team,feature'],
  });
  // Cells written before `feature` was configured do not have it.
  const before = await get(`/api/v1/metrics?metric=requests&group_by=feature&step=30m&${range()}`);
  assert.equal(before.body.path, 'rollup');
  assert.deepEqual(before.body.series.map((s) => [s.group.feature, s.total]), [['', sent.length]]);

  const since = `${Math.ceil(Number(BigInt(Date.now()) * NS_PER_MS - rangeStart) / 60e9) + 2}m`;
  const { stdout } = await run(tokenscopeBinary(),
    ['rollup', 'rebuild', '--since', since, '--endpoint', server.baseUrl]);
  assert.match(stdout, new RegExp(`LLM calls  ${sent.length} -> ${sent.length}`));

  const after = await get(`/api/v1/metrics?metric=requests&group_by=feature&step=30m&top=100&${range()}`);
  assert.equal(after.body.path, 'rollup');
  for (const series of after.body.series) {
    assert.equal(series.total, sent.filter((c) => c.feature === series.group.feature).length);
  }
  assert.equal(after.body.series.length, FEATURES.length);

  // A reprice rebuilds the rollups of its range too, and reports it.
  const reprice = await request(server, `/api/v1/admin/reprice?since=${since}`, { method: 'POST' });
  const report = JSON.parse(reprice.body.toString('utf8'));
  assert.equal(reprice.status, 200);
  assert.equal(report.rollups.requests_before, sent.length);
  assert.equal(report.rollups.requests_after, sent.length);
  assert.equal(report.rollups.cost_after_nanos_usd, report.rollups.cost_before_nanos_usd);
});

test('tokens, errors and error rates by team and feature are exact', async () => {
  for (const [metric, valueOf] of [
    ['input_tokens', (c) => c.input], ['output_tokens', (c) => c.output],
    ['total_tokens', (c) => c.input + c.output], ['errors', (c) => (c.failed ? 1 : 0)]]) {
    const { body } = await get(
      `/api/v1/metrics?metric=${metric}&group_by=team,feature&step=10m&top=100&${range()}`);
    assert.equal(body.series.length, TEAMS.length * FEATURES.length);
    for (const series of body.series) {
      const mine = sent.filter((c) => c.team === series.group.team && c.feature === series.group.feature);
      assert.equal(series.total, mine.reduce((sum, c) => sum + valueOf(c), 0), `${metric} ${JSON.stringify(series.group)}`);
      const tenMinutes = 10n * MINUTE_NS;
      const buckets = (rangeEnd - 1n) / tenMinutes - rangeStart / tenMinutes + 1n;
      assert.equal(series.points.length, Number(buckets));
      assert.equal(series.points.reduce((sum, [, v]) => sum + v, 0), series.total);
    }
  }
  const { body } = await get(`/api/v1/metrics?metric=error_rate&group_by=model&${range()}&step=30m`);
  for (const series of body.series) {
    const mine = sent.filter((c) => c.model === series.group.model);
    assert.ok(Math.abs(series.total - mine.filter((c) => c.failed).length / mine.length) < 1e-12);
  }
  const avg = await get(`/api/v1/metrics?metric=output_tokens&agg=avg&${range()}&step=30m`);
  assert.ok(Math.abs(avg.body.series[0].total - sent.reduce((s, c) => s + c.output, 0) / sent.length) < 1e-9);
});

test('latency percentiles are within 1% of the exact ones', async () => {
  for (const agg of ['p50', 'p90', 'p95', 'p99']) {
    const { body } = await get(`/api/v1/metrics?metric=latency&agg=${agg}&group_by=model&${range()}`);
    assert.equal(body.unit, 'ns');
    for (const series of body.series) {
      const durations = sent.filter((c) => c.model === series.group.model).map((c) => Number(c.durationNs));
      const exact = exactQuantile(durations, Number(agg.slice(1)) / 100);
      assert.ok(Math.abs(series.total - exact) <= exact * 0.01,
        `${agg} ${series.group.model}: ${series.total} vs exact ${exact}`);
    }
  }
  const { body } = await get(`/api/v1/metrics?metric=latency&agg=avg&${range()}&step=30m`);
  const mean = sent.reduce((s, c) => s + Number(c.durationNs), 0) / sent.length;
  assert.ok(Math.abs(body.series[0].total - mean) < 1, `${body.series[0].total} vs ${mean}`);
});

test('rollups and a scan of the stored spans give the same answers', async () => {
  const queries = [
    'metric=requests&group_by=model,team', 'metric=cost&group_by=feature',
    'metric=total_tokens&group_by=service,error_class', 'metric=latency&agg=p99&group_by=model',
    'metric=cost&filter=model%20%3D%20%22gpt-4o%22%20and%20resource.%22team%22%20%3D%20%22ads%22',
  ];
  for (const q of queries) {
    const rollup = await get(`/api/v1/metrics?${q}&step=5m&top=100&${range()}`);
    const scan = await get(`/api/v1/metrics?${q}&step=5m&top=100&${range()}&path=scan`);
    assert.equal(rollup.status, 200, rollup.text);
    assert.equal(rollup.body.path, 'rollup', q);
    assert.equal(scan.body.path, 'scan', q);
    assert.equal(scan.body.partial, false);
    assert.deepEqual(scan.body.series, rollup.body.series, q);
  }
  // A range of many hours is folded by several threads, one time slice each; with the calls in
  // the middle of the range, the slices' boundary cuts through them and every group is in both.
  const pad = 6n * 60n * MINUTE_NS;
  const wide = `start=${rangeStart - pad}&end=${rangeEnd + pad}`;
  for (const q of ['metric=requests&group_by=model,team', 'metric=latency&agg=p95&group_by=model',
    'metric=output_tokens&group_by=feature']) {
    const rollup = await get(`/api/v1/metrics?${q}&step=1m&top=100&${wide}`);
    const scan = await get(`/api/v1/metrics?${q}&step=1m&top=100&${wide}&path=scan`);
    assert.equal(rollup.status, 200, rollup.text);
    assert.equal(rollup.body.path, 'rollup', q);
    assert.equal(scan.body.partial, false);
    assert.deepEqual(scan.body.series, rollup.body.series, q);
    const narrow = await get(`/api/v1/metrics?${q}&step=1m&top=100&${range()}`);
    const skip = Number((pad / MINUTE_NS));
    assert.deepEqual(rollup.body.series.map((s) => [s.group, s.total, s.points.slice(skip, skip + MINUTES)]),
      narrow.body.series.map((s) => [s.group, s.total, s.points]), q);
  }
  // A condition rollups cannot answer goes to the scan by itself, and is still right.
  const slow = await get(`/api/v1/metrics?metric=requests&filter=${encodeURIComponent('duration > 2s')}&step=30m&${range()}`);
  assert.equal(slow.body.path, 'scan');
  assert.equal(slow.body.series[0].total, sent.filter((c) => c.durationNs > 2_000_000_000n).length);
});

test('costs equal the sum of the stored spans, by team and model, in JSON and CSV', async () => {
  // The per-span costs the span API reports, summed per (team, model).
  const spanCost = new Map();
  let cursor = null;
  do {
    const page = await get(`/api/v1/spans?${range()}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    for (const span of page.body.spans) {
      const key = `${span.resource.attributes.team}|${span.attributes['gen_ai.request.model']}`;
      spanCost.set(key, (spanCost.get(key) ?? 0n) + BigInt(span.llm.cost?.total_nanos_usd ?? 0));
    }
    cursor = page.body.next_cursor;
  } while (cursor);

  const { body } = await get(`/api/v1/costs?group_by=team,model&${range()}`);
  assert.equal(body.path, 'rollup');
  assert.equal(body.rows.length, TEAMS.length * MODELS.length);
  let total = 0n;
  for (const row of body.rows) {
    const expected = spanCost.get(`${row.group.team}|${row.group.model}`);
    assert.equal(BigInt(row.cost_nanos_usd), expected, JSON.stringify(row.group));
    const mine = sent.filter((c) => c.team === row.group.team && c.model === row.group.model);
    assert.equal(row.requests, mine.length);
    assert.equal(row.input_tokens, mine.reduce((s, c) => s + c.input, 0));
    total += expected;
  }
  assert.equal(BigInt(body.total.cost_nanos_usd), total);
  assert.ok(total > 0n);
  const costs = body.rows.map((r) => r.cost_nanos_usd);
  assert.deepEqual(costs, [...costs].sort((a, b) => b - a), 'most expensive first');

  const csv = await get(`/api/v1/costs?group_by=team,model&${range()}&format=csv`);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'team,model,requests,errors,input_tokens,output_tokens,cache_read_input_tokens,' +
    'cache_creation_input_tokens,reasoning_tokens,total_tokens,input_cost_usd,output_cost_usd,' +
    'cache_read_cost_usd,cache_creation_cost_usd,cost_usd');
  assert.equal(lines.length, 1 + body.rows.length + 1);
  const last = lines.at(-1).split(',');
  assert.deepEqual(last.slice(0, 2), ['TOTAL', 'TOTAL']);
  assert.equal(Number(last[2]), sent.length);
  assert.equal(BigInt(last.at(-1).replace('.', '')), total, 'cost_usd to the nano-dollar');
});

test('several metrics in one request equal the single requests', async () => {
  const list = 'latency:p50,latency:p99,input_tokens,cost,error_rate';
  const both = await get(`/api/v1/metrics?metric=${list}&group_by=model&step=5m&${range()}`);
  assert.equal(both.status, 200, both.text);
  assert.equal(both.body.results.length, 5);
  for (const [i, item] of list.split(',').entries()) {
    const [metric, agg] = item.split(':');
    const single = await get(`/api/v1/metrics?metric=${metric}${agg ? `&agg=${agg}` : ''}&group_by=model&step=5m&${range()}`);
    assert.equal(both.body.results[i].metric, metric);
    assert.deepEqual(both.body.results[i].series, single.body.series, item);
    assert.equal(both.body.results[i].unit, single.body.unit);
  }
  const bad = await get(`/api/v1/metrics?metric=latency:p95,tokens:p95&${range()}`);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /parameter 'agg': percentiles/);
});

test('top folds the smaller groups into one other series', async () => {
  const { body } = await get(`/api/v1/metrics?metric=requests&group_by=team,feature&top=2&step=30m&${range()}`);
  assert.equal(body.series.length, 3);
  const other = body.series[2];
  assert.equal(other.other, true);
  assert.equal(other.groups, TEAMS.length * FEATURES.length - 2);
  assert.deepEqual(other.group, { team: '__other__', feature: '__other__' });
  assert.equal(body.series.reduce((s, x) => s + x.total, 0), sent.length);
});

test('an empty range answers empty series and zero costs', async () => {
  const { body } = await get('/api/v1/metrics?metric=latency&group_by=model&start=60000000000&end=120000000000');
  assert.deepEqual(body.series, []);
  const costs = await get('/api/v1/costs?start=60000000000&end=120000000000');
  assert.deepEqual(costs.body.rows, []);
  assert.equal(costs.body.total.requests, 0);
  const flat = await get(`/api/v1/metrics?metric=requests&start=60000000000&end=240000000000&step=1m`);
  assert.deepEqual(flat.body.series, []);
});

test('bad parameters get a 400 that names the parameter', async () => {
  const cases = [
    ['', /'metric' is required/],
    ['metric=bogus', /parameter 'metric': unknown metric "bogus"/],
    ['metric=input_tokens&agg=p95', /parameter 'agg': percentiles/],
    ['metric=requests&agg=median', /parameter 'agg': unknown agg/],
    ['metric=error_rate&agg=sum', /parameter 'agg': error_rate/],
    ['metric=requests&step=90s', /parameter 'step'/],
    ['metric=requests&step=1m&start=0&end=6000000000000000', /step is too small/],
    ['metric=requests&group_by=team,nope', /parameter 'group_by': unknown group_by dimension "nope"/],
    ['metric=requests&group_by=model,model', /names "model" twice/],
    ['metric=requests&top=0', /parameter 'top'/],
    ['metric=requests&filter=model%20%3D', /parameter 'filter'/],
    ['metric=requests&start=10&end=5', /'end' must be after 'start'/],
  ];
  for (const [query, message] of cases) {
    const answer = await get(`/api/v1/metrics?${query}`);
    assert.equal(answer.status, 400, query);
    assert.match(answer.body.error.message, message, query);
  }
  for (const [query, message] of [['format=xml', /'format'/], ['limit=0', /'limit'/],
    ['group_by=x', /'group_by'/]]) {
    const answer = await get(`/api/v1/costs?${query}`);
    assert.equal(answer.status, 400, query);
    assert.match(answer.body.error.message, message, query);
  }
});

test('new calls show up in a cached range at once', async () => {
  const query = `/api/v1/metrics?metric=requests&step=30m&${range()}`;
  const before = (await get(query)).body.series[0].total;
  assert.equal((await get(query)).body.series[0].total, before, 'a repeated query is stable');
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'late-api', team: 'search' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const at = rangeStart + 7n * MINUTE_NS;
  const hr = (ns) => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  const span = provider.getTracer('late').startSpan('chat gpt-4o', {
    startTime: hr(at),
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 },
  });
  span.end(hr(at + 1_000_000n));
  const exporter = new OTLPTraceExporter({ url: server.url('/v1/traces'), timeoutMillis: 15_000 });
  await exportSpans(exporter, memory.getFinishedSpans());
  await exporter.shutdown();
  await provider.shutdown();
  assert.equal((await get(query)).body.series[0].total, before + 1);
  sent.push({ team: 'search', model: 'gpt-4o', feature: undefined, input: 5, output: 1,
    durationNs: 1_000_000n, failed: false, startNs: at, late: true });
});
