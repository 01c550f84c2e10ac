// `tokenscope import`: a JSON Lines log of LLM calls becomes spans a user can search, with the
// tokens, cost, error class, user and session the lines carry; malformed lines are named and
// skipped; importing twice stores once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { exactJson, request } from './lib/http.mjs';
import { startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);
let server;
let dir;

const LINES = [
  { timestamp: '2026-11-20T10:00:00Z', model: 'gpt-4o', provider: 'openai', prompt_tokens: 1000,
    completion_tokens: 200, latency_ms: 812, user: 'u1', session: 's1', prompt: 'Summarize Q3',
    completion: 'Revenue grew.', metadata: { team: 'growth' } },
  { timestamp: 1795168860000, model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 5,
    duration_ms: 50, status: 'ok' },
  { timestamp: '2026-11-20T10:02:00.5+01:00', model: 'gpt-4o', status: 429,
    error: '429 Rate limit reached for gpt-4o' },
];

before(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'tokenscope-import-'));
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function importFile(path) {
  return run(tokenscopeBinary(), ['import', path, '--endpoint', server.baseUrl])
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
}

test('each line becomes a searchable, priced LLM call', async () => {
  const file = join(dir, 'calls.jsonl');
  await writeFile(file, `${LINES.map((l) => JSON.stringify(l)).join('\n')}\n{"model": "x"}\nnot json\n`);
  const first = await importFile(file);
  assert.equal(first.code, 1, 'malformed lines make the exit code 1');
  assert.match(first.stdout, /imported 3 calls .*skipped 2 malformed lines/);
  assert.match(first.stderr, /calls\.jsonl:4: 'timestamp' is required/);
  assert.match(first.stderr, /calls\.jsonl:5: not valid JSON/);
  assert.match((await importFile(file)).stdout, /imported 3 calls/);

  const search = exactJson(await request(server, '/api/v1/traces?start=0&limit=100'));
  assert.equal(search.traces.length, 3, 'a second import stores nothing new');
  const big = search.traces.find((t) => t.duration_ns === 812_000_000n);
  assert.equal(big.start_time_unix_nano, '1795168800000000000');
  assert.equal(big.duration_ns, 812_000_000n);
  assert.equal(big.input_tokens, 1000n);
  assert.equal(big.output_tokens, 200n);
  // gpt-4o at $2.50 / M input and $10.00 / M output.
  assert.equal(big.cost_nanos_usd, 1000n * 2500n + 200n * 10000n);
  assert.equal(big.user_id, 'u1');
  assert.equal(big.session_id, 's1');

  const trace = exactJson(await request(server, `/api/v1/traces/${big.trace_id}`));
  const span = trace.spans[0];
  assert.equal(span.service, 'import');
  assert.equal(span.llm.input_messages[0].parts[0].text, 'Summarize Q3');
  assert.equal(span.llm.output_messages[0].parts[0].text, 'Revenue grew.');
  assert.equal(span.attributes['metadata.team'], 'growth');

  const failed = exactJson(await request(server,
    `/api/v1/traces?start=0&filter=${encodeURIComponent('error_class = "infrastructure"')}`));
  assert.equal(failed.traces.length, 1);
  assert.equal(failed.traces[0].start_time_unix_nano, '1795165320500000000');  // 09:02:00.5Z
  assert.equal(failed.traces[0].error_count, 1n);
  assert.equal(failed.traces[0].cost_nanos_usd, 0n);

  const mini = exactJson(await request(server,
    `/api/v1/traces?start=0&filter=${encodeURIComponent('model = "gpt-4o-mini"')}`));
  assert.equal(mini.traces[0].start_time_unix_nano, '1795168860000000000');
});

test('an unreachable server and a missing file are clear errors', async () => {
  const missing = await run(tokenscopeBinary(), ['import', join(dir, 'nope.jsonl')])
    .then(() => null, (error) => error);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);
  const file = join(dir, 'one.jsonl');
  await writeFile(file, `${JSON.stringify(LINES[0])}\n`);
  const down = await run(tokenscopeBinary(), ['import', file, '--endpoint', 'http://127.0.0.1:9'])
    .then(() => null, (error) => error);
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /cannot connect|refused/);
});
