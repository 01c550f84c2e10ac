// Real OpenAI instrumentations -> Tokenscope -> the normalized `llm` section, library by library.
//
// The real `openai` client talks to a faithful local fake of the OpenAI API (lib/fake_openai.mjs)
// and is instrumented, each in its own child process (lib/openai_instrumented_client.mjs), by
//   otel          @opentelemetry/instrumentation-openai (OTel GenAI semantic conventions),
//   openinference @arizeai/openinference-instrumentation-openai (OpenInference),
//   openllmetry   @traceloop/instrumentation-openai (OpenLLMetry),
// exporting through the OTel JS SDK over OTLP/HTTP protobuf. Four calls are made: a completion
// with cached tokens and logprobs, a streamed completion with the final usage chunk, a 429 rate
// limit and a 400 context_length_exceeded. Every trace is read back with GET /api/v1/traces/{id}
// and reduced to canonical facts (see FACTS), which must equal the hand-computed EXPECTED values.
//
// A library that does not carry a fact is listed in GAPS with what Tokenscope then shows (mostly
// ABSENT). Gaps are asserted, not skipped: when a library starts carrying a fact, its gap test
// fails and the entry must be removed so the fact is checked from then on. A gap whose comment
// starts with "normalizer bug:" is Tokenscope's fault, not the library's.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startServer } from './lib/server.mjs';
import { getJson } from './lib/http.mjs';
import { CHAT, CONTEXT_LENGTH, RATE_LIMIT, REQUEST_MODEL, RESPONSE_MODEL, STREAM,
  startFakeOpenAI } from './lib/fake_openai.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLIENT_SCRIPT = join(HERE, 'lib', 'openai_instrumented_client.mjs');
const CHILD_TIMEOUT_MS = 30_000;
const LIBRARIES = ['otel', 'openinference', 'openllmetry'];
const SCENARIOS = ['chat', 'stream', 'rate_limit', 'context_length'];

/** What Tokenscope shows for a fact the library does not send. */
const ABSENT = undefined;

// ---- Expected values, computed by hand ---------------------------------------------------------

// src/enrich/prices.yaml, openai gpt-4o-2024-08-06: $2.50/M input, $1.25/M cached input,
// $10/M output, i.e. 2500, 1250 and 10000 nano-USD per token.
const NANOS_PER_INPUT_TOKEN = 2500n;
const NANOS_PER_CACHED_TOKEN = 1250n;
const NANOS_PER_OUTPUT_TOKEN = 10000n;

// CHAT: 1200 input of which 400 cached, 50 output.
//   (1200 - 400) * 2500 + 400 * 1250 + 50 * 10000 = 2,000,000 + 500,000 + 500,000 = 3,000,000.
const CHAT_COST_NANOS = 3_000_000n;
// The same call priced by a library that does not report the cached tokens: every input token
// at the uncached rate, 1200 * 2500 + 50 * 10000 = 3,500,000.
const CHAT_COST_NANOS_WITHOUT_CACHE = 3_500_000n;
// STREAM: 20 input, 5 output: 20 * 2500 + 5 * 10000 = 100,000.
const STREAM_COST_NANOS = 100_000n;
// What Tokenscope estimates for the streamed call when a library drops the usage chunk: the
// o200k_base tokens of the one user message with OpenAI's chat framing (3 + role + text + 3
// priming) and of the answer, priced as gpt-4o: 11 x $2.50/M + 6 x $10.00/M = 87,500 nano-USD.
const STREAM_ESTIMATE = {
  input_tokens: 11n,
  output_tokens: 6n,
  total_tokens: 17n,
  tokens_estimated: true,
  cost_total_nanos_usd: 87_500n,
  summary_cost_nanos_usd: 87_500n,
};

assert.equal(CHAT_COST_NANOS,
  BigInt(CHAT.usage.prompt - CHAT.usage.cached) * NANOS_PER_INPUT_TOKEN +
  BigInt(CHAT.usage.cached) * NANOS_PER_CACHED_TOKEN +
  BigInt(CHAT.usage.completion) * NANOS_PER_OUTPUT_TOKEN);
assert.equal(STREAM_ESTIMATE.cost_total_nanos_usd,
  STREAM_ESTIMATE.input_tokens * NANOS_PER_INPUT_TOKEN +
  STREAM_ESTIMATE.output_tokens * NANOS_PER_OUTPUT_TOKEN);
assert.equal(STREAM_COST_NANOS,
  BigInt(STREAM.usage.prompt) * NANOS_PER_INPUT_TOKEN +
  BigInt(STREAM.usage.completion) * NANOS_PER_OUTPUT_TOKEN);

const COMMON = { exported: true, kind: 'llm', provider: 'openai', request_model: REQUEST_MODEL };

const EXPECTED = {
  chat: {
    ...COMMON,
    operation: 'chat',
    response_model: RESPONSE_MODEL,
    input_tokens: 1200n,
    output_tokens: 50n,
    total_tokens: 1250n,
    tokens_estimated: false,
    cache_read_input_tokens: 400n,
    cost_total_nanos_usd: CHAT_COST_NANOS,
    price_id: 'openai/gpt-4o-2024-08-06@2024-08-06',
    system_instructions: [CHAT.system],
    input_messages: [{ role: 'user', text: CHAT.user }],
    output_messages: [{ role: 'assistant', text: CHAT.answer }],
    finish_reasons: [CHAT.finishReason],
    logprobs: CHAT.logprobs.map(({ token, logprob }) => ({ token, logprob })),
    top_logprobs: CHAT.logprobs.map(({ top }) => top.map(([token, logprob]) => ({ token, logprob }))),
    error_class: ABSENT,
    summary_input_tokens: 1200n,
    summary_cache_read_input_tokens: 400n,
    summary_cost_nanos_usd: CHAT_COST_NANOS,
    summary_models: [RESPONSE_MODEL],
  },
  stream: {
    ...COMMON,
    operation: 'chat',
    response_model: RESPONSE_MODEL,
    input_tokens: 20n,
    output_tokens: 5n,
    total_tokens: 25n,
    tokens_estimated: false,
    cost_total_nanos_usd: STREAM_COST_NANOS,
    input_messages: [{ role: 'user', text: STREAM.user }],
    output_messages: [{ role: 'assistant', text: STREAM.answer }],
    finish_reasons: [STREAM.finishReason],
    error_class: ABSENT,
    summary_cost_nanos_usd: STREAM_COST_NANOS,
  },
  rate_limit: {
    ...COMMON,
    status: 'error',
    error_class: 'infrastructure',
    error_reason: 'rate_limited',
    // A refused call is not billed, so no usage is estimated and no cost computed for it.
    input_tokens: ABSENT,
    cost_total_nanos_usd: ABSENT,
    summary_error_count: 1n,
  },
  context_length: {
    ...COMMON,
    status: 'error',
    error_class: 'prompt',
    error_reason: 'context_length_exceeded',
    // A refused call is not billed, so no usage is estimated and no cost computed for it.
    input_tokens: ABSENT,
    cost_total_nanos_usd: ABSENT,
    summary_error_count: 1n,
  },
};

// ---- Known gaps --------------------------------------------------------------------------------

// The libraries that do not end the span of a call whose promise rejects: the span is started
// but never ended, so nothing is exported and the failed call is invisible.
const NOT_EXPORTED = { exported: false };

const GAPS = {
  otel: {
    chat: {
      // usage.prompt_tokens_details.cached_tokens is not recorded, so the call is priced as if
      // nothing was cached.
      cache_read_input_tokens: ABSENT,
      summary_cache_read_input_tokens: 0n,
      cost_total_nanos_usd: CHAT_COST_NANOS_WITHOUT_CACHE,
      summary_cost_nanos_usd: CHAT_COST_NANOS_WITHOUT_CACHE,
      // Logprobs are not recorded at all.
      logprobs: ABSENT,
      top_logprobs: ABSENT,
    },
  },
  openinference: {
    chat: {
      // llm.model_name is the only model attribute; it is set to the request's model and then
      // overwritten with the response's, so the requested alias is lost.
      request_model: RESPONSE_MODEL,
      response_model: ABSENT,
    },
    stream: {
      // The streamed response's model and final usage chunk are not recorded, so Tokenscope
      // counts the tokens itself and marks them estimated.
      response_model: ABSENT,
      ...STREAM_ESTIMATE,
    },
    // A rejected chat.completions.create() leaves its span open forever.
    rate_limit: NOT_EXPORTED,
    context_length: NOT_EXPORTED,
  },
  openllmetry: {
    chat: {
      // usage.prompt_tokens_details.cached_tokens is not recorded, so the call is priced as if
      // nothing was cached.
      cache_read_input_tokens: ABSENT,
      summary_cache_read_input_tokens: 0n,
      cost_total_nanos_usd: CHAT_COST_NANOS_WITHOUT_CACHE,
      summary_cost_nanos_usd: CHAT_COST_NANOS_WITHOUT_CACHE,
      // The `logprobs` span event carries token and logprob but not the top_logprobs
      // alternatives.
      top_logprobs: ABSENT,
    },
    stream: {
      // The final usage chunk of the stream is not recorded, so Tokenscope counts the tokens
      // itself and marks them estimated.
      ...STREAM_ESTIMATE,
    },
    // A rejected chat.completions.create() leaves its span open forever.
    rate_limit: NOT_EXPORTED,
    context_length: NOT_EXPORTED,
  },
};

// ---- Facts: what a trace says, in canonical form -----------------------------------------------

function messageTexts(messages) {
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  return messages.map((message) => ({
    role: message.role,
    text: (message.parts ?? []).filter((p) => p.type === 'text').map((p) => p.text).join(''),
  }));
}

function instructionTexts(instructions) {
  if (!Array.isArray(instructions) || instructions.length === 0) return undefined;
  return instructions.flatMap((entry) =>
    (entry.parts ?? []).filter((p) => p.type === 'text').map((p) => p.text));
}

function nonEmpty(list) {
  return Array.isArray(list) && list.length > 0 ? list : undefined;
}

/** Fact name -> value, from the trace's one LLM span and its summary; undefined = absent. */
const FACTS = {
  kind: ({ llm }) => llm?.kind,
  operation: ({ llm }) => llm?.operation,
  provider: ({ llm }) => llm?.provider,
  request_model: ({ llm }) => llm?.request_model,
  response_model: ({ llm }) => llm?.response_model,
  input_tokens: ({ llm }) => llm?.usage?.input_tokens,
  output_tokens: ({ llm }) => llm?.usage?.output_tokens,
  total_tokens: ({ llm }) => llm?.usage?.total_tokens,
  cache_read_input_tokens: ({ llm }) => llm?.usage?.cache_read_input_tokens,
  tokens_estimated: ({ llm }) =>
    (llm?.usage ? Boolean(llm.usage.input_estimated || llm.usage.output_estimated) : undefined),
  cost_total_nanos_usd: ({ llm }) => llm?.cost?.total_nanos_usd,
  price_id: ({ llm }) => llm?.cost?.price_id,
  system_instructions: ({ llm }) => instructionTexts(llm?.system_instructions),
  input_messages: ({ llm }) => messageTexts(llm?.input_messages),
  output_messages: ({ llm }) => messageTexts(llm?.output_messages),
  finish_reasons: ({ llm }) => nonEmpty(llm?.finish_reasons),
  logprobs: ({ llm }) => nonEmpty(llm?.logprobs)?.map(({ token, logprob }) => ({ token, logprob })),
  top_logprobs: ({ llm }) => {
    const tops = nonEmpty(llm?.logprobs)?.map((entry) => entry.top ?? []);
    return tops?.some((top) => top.length > 0)
      ? tops.map((top) => top.map(({ token, logprob }) => ({ token, logprob })))
      : undefined;
  },
  status: (span) => span.status?.code,
  error_class: (span) => span.error_class,
  error_reason: (span) => span.error_reason,
  summary_input_tokens: (_, summary) => summary.input_tokens,
  summary_cache_read_input_tokens: (_, summary) => summary.cache_read_input_tokens,
  summary_cost_nanos_usd: (_, summary) => summary.cost_nanos_usd,
  summary_models: (_, summary) => summary.models,
  summary_error_count: (_, summary) => summary.error_count,
};

function describeValue(value) {
  if (value === undefined) return '(absent)';
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

// ---- Running the libraries ---------------------------------------------------------------------

let server;
let fakeOpenAI;
/** library -> scenario -> {traceId, found, facts, span} */
const results = {};

async function runLibrary(library) {
  let stdout;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath,
      [CLIENT_SCRIPT, library, fakeOpenAI.baseURL, server.url('/v1/traces')],
      { timeout: CHILD_TIMEOUT_MS, cwd: HERE }));
  } catch (error) {
    throw new Error(`${library} client failed: ${error.message}\nstderr:\n${error.stderr}`);
  }
  const traces = JSON.parse(stdout);
  results[library] = {};
  for (const scenario of SCENARIOS) {
    const ids = traces[scenario] ?? [];
    assert.equal(ids.length, 1,
      `${library} ${scenario}: expected the call to start spans in one trace, got ${ids.length}`);
    results[library][scenario] = await readTrace(ids[0]);
  }
}

async function readTrace(traceId) {
  const response = await getJson(server, `/api/v1/traces/${traceId}`);
  if (response.status === 404) return { traceId, found: false, facts: { exported: false } };
  assert.equal(response.status, 200, `GET trace ${traceId}: ${response.body}`);
  assert.equal(response.parseError, null);
  const { summary, spans } = response.json;
  const llmSpans = spans.filter((span) => span.llm?.kind === 'llm');
  assert.equal(llmSpans.length, 1, `trace ${traceId}: expected one LLM span, got ` +
    `${describeValue(spans.map((s) => [s.name, s.llm?.kind]))}`);
  const [span] = llmSpans;
  const facts = { exported: true };
  for (const [name, extract] of Object.entries(FACTS)) facts[name] = extract(span, summary);
  return { traceId, found: true, facts, span };
}

/** What `library` must show for `scenario`: EXPECTED with its GAPS applied. */
function expectedFacts(library, scenario) {
  const gaps = GAPS[library]?.[scenario] ?? {};
  if (gaps === NOT_EXPORTED) return { exported: false };
  return { ...EXPECTED[scenario], ...gaps };
}

before(async () => {
  fakeOpenAI = await startFakeOpenAI();
  server = await startServer();
  // Separate processes: the libraries patch the same module and would otherwise stack.
  await Promise.all(LIBRARIES.map(runLibrary));
});

after(async () => {
  await fakeOpenAI?.close();
  await server?.stop();
});

// ---- Tests -------------------------------------------------------------------------------------

test('the fake OpenAI API received every call once per library, without retries', () => {
  assert.equal(fakeOpenAI.requests.length, LIBRARIES.length * SCENARIOS.length);
  const streamed = fakeOpenAI.requests.filter((r) => r.stream === true);
  assert.equal(streamed.length, LIBRARIES.length);
  for (const request of streamed) assert.deepEqual(request.stream_options, { include_usage: true });
});

for (const library of LIBRARIES) {
  describe(library, () => {
    for (const scenario of SCENARIOS) {
      test(`${scenario}: canonical facts (gaps applied)`, () => {
        const result = results[library][scenario];
        const expected = expectedFacts(library, scenario);
        const lines = [];
        for (const [fact, value] of Object.entries(expected)) {
          const actual = result.facts[fact];
          if (!isDeepStrictEqualLoose(actual, value)) {
            const gap = Object.hasOwn(GAPS[library]?.[scenario] ?? {}, fact) ||
              GAPS[library]?.[scenario] === NOT_EXPORTED;
            lines.push(`${fact}: expected ${describeValue(value)}, got ${describeValue(actual)}` +
              (gap ? ' (listed in GAPS: if the library now carries it, remove the gap)' : ''));
          }
        }
        if (lines.length > 0) {
          assert.fail(`${library} ${scenario} (trace ${result.traceId}): ` +
            `${lines.length} difference(s)\n  ${lines.join('\n  ')}\n` +
            `raw attributes: ${describeValue(result.span?.attributes)}\n` +
            `llm: ${describeValue(result.span?.llm)}`);
        }
      });
    }
  });
}

test('libraries agree on every fact they all carry', () => {
  const lines = [];
  for (const scenario of SCENARIOS) {
    for (const fact of Object.keys(EXPECTED[scenario])) {
      const carriers = LIBRARIES.filter((library) => {
        const gaps = GAPS[library]?.[scenario] ?? {};
        return gaps !== NOT_EXPORTED && !Object.hasOwn(gaps, fact);
      });
      const values = carriers.map((library) => results[library][scenario].facts[fact]);
      for (let i = 1; i < values.length; i++) {
        if (!isDeepStrictEqualLoose(values[i], values[0])) {
          lines.push(`${scenario}.${fact}: ${carriers[0]} ${describeValue(values[0])} vs ` +
            `${carriers[i]} ${describeValue(values[i])}`);
        }
      }
    }
  }
  assert.deepEqual(lines, [], `libraries disagree:\n  ${lines.join('\n  ')}`);
});

test('every fact is carried by at least one library, so no expectation is untested', () => {
  const uncovered = [];
  for (const scenario of SCENARIOS) {
    for (const fact of Object.keys(EXPECTED[scenario])) {
      const carried = LIBRARIES.some((library) => {
        const gaps = GAPS[library]?.[scenario] ?? {};
        return gaps !== NOT_EXPORTED && !Object.hasOwn(gaps, fact);
      });
      if (!carried) uncovered.push(`${scenario}.${fact}`);
    }
  }
  assert.deepEqual(uncovered, []);
});

test('every gap names a fact the suite checks', () => {
  for (const [library, scenarios] of Object.entries(GAPS)) {
    assert.ok(LIBRARIES.includes(library), library);
    for (const [scenario, gaps] of Object.entries(scenarios)) {
      assert.ok(SCENARIOS.includes(scenario), `${library}.${scenario}`);
      if (gaps === NOT_EXPORTED) continue;
      for (const fact of Object.keys(gaps)) {
        assert.ok(Object.hasOwn(EXPECTED[scenario], fact), `${library}.${scenario}.${fact}`);
        assert.notDeepEqual(gaps[fact], EXPECTED[scenario][fact],
          `${library}.${scenario}.${fact}: a gap equal to the expected value hides nothing`);
      }
    }
  }
});

/** Deep equality where absent (undefined) and a missing key are the same thing. */
function isDeepStrictEqualLoose(actual, expected) {
  try {
    assert.deepStrictEqual(actual, expected);
    return true;
  } catch {
    return false;
  }
}
