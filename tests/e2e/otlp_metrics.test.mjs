// OTLP metrics: the GenAI client metrics (gen_ai.client.token.usage and
// gen_ai.client.operation.duration histograms) and a counter recorded with the real
// OpenTelemetry JS metrics SDK, exported over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC,
// then read back from GET /api/v1/metrics?otlp_metric=... : exact sums and counts, quantiles
// within the resolution of the buckets, cumulative series turned into deltas, the same export
// sent twice stored once. Raw requests cover gzip, partial success, malformed bodies, the data
// point limit and the query's errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';

import * as grpc from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

import { exactJson, mediaType, request } from './lib/http.mjs';
import { parsePrometheus, samples } from './lib/prometheus.mjs';
import { startServer } from './lib/server.mjs';

// The bucket boundaries the GenAI metrics conventions advise.
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
  16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
  40.96, 81.92];
const METRICS_EXPORT = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/**
 * A reader the test drives: collect() gathers what the instruments recorded and export() sends
 * it with the given exporter, resolving to the SDK's ExportResult. Collected metrics can be sent
 * again unchanged, as an exporter retrying a request does.
 */
class PullReader extends MetricReader {
  constructor(exporter) {
    super({ aggregationTemporalitySelector: (kind) => exporter.selectAggregationTemporality(kind) });
    this.exporter = exporter;
  }
  async onForceFlush() {}
  async onShutdown() {}
  async gather() {
    const { resourceMetrics, errors } = await this.collect();
    assert.deepEqual(errors, []);
    return resourceMetrics;
  }
  send(resourceMetrics) {
    return new Promise((resolve) => this.exporter.export(resourceMetrics, resolve));
  }
}

/** The GenAI client instruments of one service, exporting through `exporter`. */
function genAiClient(exporter, service, { views = [] } = {}) {
  const reader = new PullReader(exporter);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'e2e' }),
    readers: [reader],
    views,
  });
  const meter = provider.getMeter('@opentelemetry/instrumentation-openai', '0.21.0');
  return {
    reader,
    provider,
    tokens: meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Measures number of input and output tokens used',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    duration: meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'GenAI operation duration',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    requests: meter.createCounter('app.llm.requests', { unit: '{request}' }),
  };
}

const callAttributes = (model, tokenType) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': model,
  ...(tokenType ? { 'gen_ai.token.type': tokenType } : {}),
});

/**
 * Records `calls` ([{model, input, output, seconds}]) as an instrumentation does: one token
 * observation per type, the duration and one request each.
 */
function recordCalls(client, calls) {
  for (const call of calls) {
    client.tokens.record(call.input, callAttributes(call.model, 'input'));
    client.tokens.record(call.output, callAttributes(call.model, 'output'));
    client.duration.record(call.seconds, callAttributes(call.model));
    client.requests.add(1, { route: call.route ?? '/chat' });
  }
}

/** Deterministic calls: token counts spread over several buckets. */
function makeCalls(n, seed, model = 'gpt-4o') {
  const calls = [];
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    calls.push({
      model,
      input: 20 + Math.floor(next() * 3000),
      output: 1 + Math.floor(next() * 400),
      seconds: 0.05 + next() * 4,
      route: i % 3 === 0 ? '/rag' : '/chat',
    });
  }
  return calls;
}

/** The q-quantile as the n-th smallest observation (n = ceil(q * count)). */
function trueQuantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** The explicit bucket (lo, hi] holding `value`. */
function bucketOf(bounds, value) {
  let lo = -Infinity;
  for (const hi of bounds) {
    if (value <= hi) return [lo, hi];
    lo = hi;
  }
  return [lo, Infinity];
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

describe('OTLP metrics', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  async function query(params) {
    const path = `/api/v1/metrics?${new URLSearchParams({ since: '1h', step: '1m', ...params })}`;
    const response = await request(server, path);
    assert.equal(response.status, 200, `GET ${path}: ${response.body}`);
    return exactJson(response);
  }

  /** The totals of an answer by the group's values joined with '|'. */
  function totals(answer) {
    return Object.fromEntries(answer.series.map((s) => [Object.values(s.group).join('|'),
      s.total === null ? null : Number(s.total)]));
  }

  async function postMetrics(body, { contentType = 'application/json', headers = {} } = {}) {
    return request(server, '/v1/metrics', {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
  }

  test('GenAI client metrics over OTLP/HTTP protobuf, cumulative, in two exports', async () => {
    const client = genAiClient(new ProtoMetricExporter({ url: server.url('/v1/metrics') }), 'proto-svc');
    const first = makeCalls(40, 7);
    const second = makeCalls(25, 99, 'gpt-4o-mini');
    recordCalls(client, first);
    const firstExport = await client.reader.gather();
    assert.equal((await client.reader.send(firstExport)).code, 0);
    recordCalls(client, second);
    const secondExport = await client.reader.gather();
    assert.equal((await client.reader.send(secondExport)).code, 0);
    // The first export sent again, as an exporter retrying it would: stored once.
    assert.equal((await client.reader.send(firstExport)).code, 0);
    await client.provider.shutdown();

    const calls = [...first, ...second];
    const inputs = calls.map((c) => c.input);
    const outputs = calls.map((c) => c.output);
    const filter = { service: 'proto-svc' };

    // Cumulative points: the second export's buckets minus the first's, never counted twice.
    const bySum = await query({ otlp_metric: 'gen_ai.client.token.usage', agg: 'sum',
      group_by: 'attr.gen_ai.token.type', ...filter });
    assert.equal(bySum.path, 'otlp');
    assert.equal(bySum.unit, '{token}');
    assert.equal(bySum.type, 'histogram');
    assert.equal(bySum.temporality, 'cumulative');
    assert.deepEqual(bySum.group_by, ['attr.gen_ai.token.type']);
    assert.deepEqual(totals(bySum), { input: sum(inputs), output: sum(outputs) });
    const points = bySum.series[0].points;
    // since=1h in 1m steps: the minutes of both ends included.
    assert.equal(BigInt(points.length) * 60_000_000_000n,
      BigInt(bySum.end_unix_nano) - BigInt(bySum.start_unix_nano));
    assert.ok(points.length === 61 || points.length === 60, `${points.length} points`);
    assert.equal(sum(points.map(([, v]) => Number(v))), sum(inputs));

    const byModel = await query({ otlp_metric: 'gen_ai.client.token.usage', agg: 'count',
      group_by: 'attr.gen_ai.request.model,attr.gen_ai.token.type', ...filter });
    assert.equal(byModel.unit, '1');
    assert.deepEqual(totals(byModel), {
      'gpt-4o|input': first.length, 'gpt-4o|output': first.length,
      'gpt-4o-mini|input': second.length, 'gpt-4o-mini|output': second.length,
    });

    // Quantiles interpolate within the bucket that holds the true quantile.
    for (const [agg, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99]]) {
      for (const [type, values] of [['input', inputs], ['output', outputs]]) {
        const answer = await query({ otlp_metric: 'gen_ai.client.token.usage', agg,
          'attr.gen_ai.token.type': type, ...filter });
        const got = Number(answer.series[0].total);
        const [lo, hi] = bucketOf(TOKEN_BUCKETS, trueQuantile(values, q));
        assert.ok(got >= Math.max(lo, Math.min(...values)) && got <= Math.min(hi, Math.max(...values)),
          `${agg} of ${type}: ${got} not in (${lo}, ${hi}] (true ${trueQuantile(values, q)})`);
      }
    }

    // Durations in seconds: p95 by default, exact average, min and max.
    const duration = await query({ otlp_metric: 'gen_ai.client.operation.duration', ...filter });
    assert.equal(duration.agg, 'p95');
    assert.equal(duration.unit, 's');
    const seconds = calls.map((c) => c.seconds);
    const [lo, hi] = bucketOf(DURATION_BUCKETS, trueQuantile(seconds, 0.95));
    assert.ok(Number(duration.series[0].total) >= lo && Number(duration.series[0].total) <= hi);
    const avg = await query({ otlp_metric: 'gen_ai.client.operation.duration', agg: 'avg', ...filter });
    assert.ok(Math.abs(Number(avg.series[0].total) - sum(seconds) / seconds.length) < 1e-9);
    const max = await query({ otlp_metric: 'gen_ai.client.operation.duration', agg: 'max', ...filter });
    assert.equal(Number(max.series[0].total), Math.max(...seconds));

    // The counter: a cumulative sum, by route.
    const requests = await query({ otlp_metric: 'app.llm.requests', group_by: 'attr.route', ...filter });
    assert.equal(requests.agg, 'sum');
    assert.equal(requests.unit, '{request}');
    const routes = (r) => calls.filter((c) => c.route === r).length;
    assert.deepEqual(totals(requests), { '/chat': routes('/chat'), '/rag': routes('/rag') });
    const last = await query({ otlp_metric: 'app.llm.requests', agg: 'last', ...filter });
    assert.equal(Number(last.series[0].total), calls.length);
    const rate = await query({ otlp_metric: 'app.llm.requests', agg: 'rate', ...filter });
    assert.equal(rate.unit, '{request}/s');
    const rangeSeconds = Number(BigInt(rate.end_unix_nano) - BigInt(rate.start_unix_nano)) / 1e9;
    assert.ok(Math.abs(rate.series[0].total - calls.length / rangeSeconds) < 1e-9);
  });

  test('OTLP/HTTP JSON with delta temporality, and an exponential histogram', async () => {
    const exporter = new JsonMetricExporter({
      url: server.url('/v1/metrics'),
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    const client = genAiClient(exporter, 'json-svc', {
      views: [{ instrumentName: 'gen_ai.client.operation.duration',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const first = makeCalls(30, 3);
    const second = makeCalls(30, 4);
    recordCalls(client, first);
    assert.equal((await client.reader.send(await client.reader.gather())).code, 0);
    recordCalls(client, second);
    assert.equal((await client.reader.send(await client.reader.gather())).code, 0);
    await client.provider.shutdown();

    const calls = [...first, ...second];
    const filter = { service: 'json-svc' };
    const tokens = await query({ otlp_metric: 'gen_ai.client.token.usage', agg: 'sum',
      group_by: 'attr.gen_ai.token.type', ...filter });
    assert.deepEqual(totals(tokens), { input: sum(calls.map((c) => c.input)),
      output: sum(calls.map((c) => c.output)) });
    const requests = await query({ otlp_metric: 'app.llm.requests', ...filter });
    assert.equal(Number(requests.series[0].total), calls.length);

    // The exponential histogram: exact count and sum, quantiles within a bucket's width.
    const seconds = calls.map((c) => c.seconds);
    const count = await query({ otlp_metric: 'gen_ai.client.operation.duration', agg: 'count', ...filter });
    assert.equal(Number(count.series[0].total), seconds.length);
    const total = await query({ otlp_metric: 'gen_ai.client.operation.duration', agg: 'sum', ...filter });
    assert.ok(Math.abs(Number(total.series[0].total) - sum(seconds)) < 1e-9);
    const p50 = await query({ otlp_metric: 'gen_ai.client.operation.duration', agg: 'p50', ...filter });
    const truth = trueQuantile(seconds, 0.5);
    // 60 values over 0.05..4 s fit the SDK's 160 buckets at scale 4 or finer: buckets 2^(1/16) wide.
    assert.ok(Math.abs(Math.log2(Number(p50.series[0].total) / truth)) <= 1 / 16 + 1e-9,
      `p50 ${p50.series[0].total} vs ${truth}`);
  });

  test('OTLP/gRPC MetricsService/Export', async () => {
    const client = genAiClient(new GrpcMetricExporter({ url: `http://${server.grpcAddress}` }), 'grpc-svc');
    const calls = makeCalls(20, 11);
    recordCalls(client, calls);
    const collected = await client.reader.gather();
    assert.equal((await client.reader.send(collected)).code, 0);
    assert.equal((await client.reader.send(collected)).code, 0);  // a retry: stored once
    await client.provider.shutdown();
    const answer = await query({ otlp_metric: 'gen_ai.client.token.usage', agg: 'count',
      service: 'grpc-svc' });
    assert.equal(Number(answer.series[0].total), 2 * calls.length);
    const byService = await query({ otlp_metric: 'app.llm.requests', group_by: 'service',
      'resource.deployment.environment': 'e2e' });
    assert.equal(totals(byService)['grpc-svc'], calls.length);
    assert.equal(totals(byService)['json-svc'], 60);

    // Undecodable bytes: INVALID_ARGUMENT; an empty request is a valid one.
    const raw = new grpc.Client(server.grpcAddress, grpc.credentials.createInsecure());
    try {
      const call = (bytes) => new Promise((resolve) => raw.makeUnaryRequest(METRICS_EXPORT,
        (b) => b, (b) => b, bytes, { deadline: Date.now() + 10_000 },
        (error, response) => resolve({ error, response })));
      const invalid = await call(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
      assert.equal(invalid.error?.code, grpc.status.INVALID_ARGUMENT);
      const empty = await call(Buffer.alloc(0));
      assert.equal(empty.error, null);
      assert.equal(empty.response.length, 0);
    } finally {
      raw.close();
    }
  });

  test('raw requests: gzip, retries stored once, partial success', async () => {
    const t0 = BigInt(Date.now() - 120_000) * 1_000_000n;
    const gauge = (value, offsetSeconds, host) => ({
      timeUnixNano: `${t0 + BigInt(offsetSeconds) * 1_000_000_000n}`,
      asDouble: value,
      attributes: [{ key: 'host', value: { stringValue: host } }],
    });
    const body = {
      resourceMetrics: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw-svc' } }] },
        scopeMetrics: [{
          scope: { name: 'raw' },
          metrics: [
            { name: 'raw.queue.depth', unit: '{item}',
              gauge: { dataPoints: [gauge(3, 0, 'a'), gauge(5, 10, 'a'), gauge(7, 0, 'b')] } },
            { name: 'raw.broken', histogram: { aggregationTemporality: 1, dataPoints: [
              { timeUnixNano: `${t0}`, count: '3', bucketCounts: ['1', '1'], explicitBounds: [] },
              { timeUnixNano: `${t0}`, count: '1', bucketCounts: ['1'], explicitBounds: [],
                attributes: [{ key: 'ok', value: { boolValue: true } }] },
            ] } },
          ],
        }],
      }],
    };
    for (let i = 0; i < 3; i++) {
      const sent = await postMetrics(gzipSync(JSON.stringify(body)), { headers: { 'content-encoding': 'gzip' } });
      assert.equal(sent.status, 200, `${sent.body}`);
      const answer = exactJson(sent);
      assert.equal(answer.partialSuccess.rejectedDataPoints, '1');
      assert.match(answer.partialSuccess.errorMessage, /bucket_counts/);
    }
    const depth = await query({ otlp_metric: 'raw.queue.depth', agg: 'count', service: 'raw-svc' });
    assert.equal(Number(depth.series[0].total), 3);
    assert.equal(depth.unit, '1');
    const last = await query({ otlp_metric: 'raw.queue.depth', agg: 'last', group_by: 'attr.host' });
    assert.deepEqual(totals(last), { a: 5, b: 7 });
    const broken = await query({ otlp_metric: 'raw.broken', agg: 'count' });
    assert.equal(Number(broken.series[0].total), 1);

    // The same in protobuf, on the Langfuse-style path: the answer is protobuf too.
    const proto = await request(server, '/api/public/otel/v1/metrics', {
      method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(0) });
    assert.equal(proto.status, 200);
    assert.equal(mediaType(proto), 'application/x-protobuf');
    assert.equal(proto.body.length, 0);
  });

  test('malformed bodies get 400, other types 415, and the point limit holds', async () => {
    const badJson = await postMetrics('{"resourceMetrics": [');
    assert.equal(badJson.status, 400);
    assert.equal(exactJson(badJson).code, 3n);
    const wrongType = await postMetrics('{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "x", "sum": {"dataPoints": [{"asInt": "nope"}]}}]}]}]}');
    assert.equal(wrongType.status, 400);
    const badProto = await postMetrics(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]),
      { contentType: 'application/x-protobuf' });
    assert.equal(badProto.status, 400);
    assert.equal(mediaType(badProto), 'application/x-protobuf');
    const badGzip = await postMetrics('not gzip', { headers: { 'content-encoding': 'gzip' } });
    assert.equal(badGzip.status, 400);
    const text = await postMetrics('{}', { contentType: 'text/plain' });
    assert.equal(text.status, 415);
    const get = await request(server, '/v1/metrics');
    assert.equal(get.status, 405);

    // 150,001 empty points (about 300 kB of protobuf): the first 100,000 (the per-request limit)
    // are stored, the rest rejected without being decoded.
    const varint = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return Buffer.from(out); };
    const len = (field, bytes) => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
    const points = Buffer.alloc(150_001 * 2);
    for (let i = 0; i < 150_001; i++) points[2 * i] = 0x0a;  // data_points (1), empty
    const metric = Buffer.concat([len(1, Buffer.from('raw.flood')), len(5, points)]);
    const flood = len(1, len(2, len(2, metric)));
    const sent = await postMetrics(flood, { contentType: 'application/x-protobuf' });
    assert.equal(sent.status, 200);
    assert.ok(sent.body.length > 0, 'partial success');
    assert.match(sent.body.toString('latin1'), /100000 data points/);
  });

  test('names, query errors and Prometheus counters', async () => {
    const names = await request(server, '/api/v1/metrics/names');
    assert.equal(names.status, 200);
    const metrics = exactJson(names).metrics;
    const usage = metrics.find((m) => m.name === 'gen_ai.client.token.usage');
    assert.equal(usage.type, 'histogram');
    assert.equal(usage.unit, '{token}');
    assert.equal(usage.description, 'Measures number of input and output tokens used');
    assert.ok(BigInt(usage.first_time_unix_nano) <= BigInt(usage.last_time_unix_nano));
    const counter = metrics.find((m) => m.name === 'app.llm.requests');
    assert.equal(counter.type, 'sum');
    assert.equal(counter.monotonic, true);
    assert.deepEqual(metrics.map((m) => m.name), [...metrics.map((m) => m.name)].sort());

    const status = async (params) => (await request(server,
      `/api/v1/metrics?${new URLSearchParams(params)}`)).status;
    assert.equal(await status({ otlp_metric: 'no.such.metric' }), 404);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', agg: 'p95' }), 400);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', agg: 'median' }), 400);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', group_by: 'model' }), 400);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', step: '1500ms' }), 400);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', filter: 'service = "x"' }), 400);
    assert.equal(await status({ otlp_metric: 'app.llm.requests', start: '10', end: '5' }), 400);
    assert.equal(await status({ otlp_metric: 'gen_ai.client.token.usage', agg: 'last' }), 400);

    const families = await parsePrometheus((await request(server, '/metrics')).body.toString());
    const accepted = samples(families, 'tokenscope_ingest_data_points_accepted',
      'tokenscope_ingest_data_points_accepted_total')[0].value;
    const rejected = samples(families, 'tokenscope_ingest_data_points_rejected',
      'tokenscope_ingest_data_points_rejected_total')[0].value;
    assert.ok(accepted >= 100_000, `accepted ${accepted}`);
    assert.ok(rejected >= 50_001 + 3, `rejected ${rejected}`);
  });
});
