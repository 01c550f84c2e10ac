// A local stand-in for the OpenAI HTTP API, faithful enough that the real `openai` npm client
// and the instrumentations wrapping it see exactly what the real service sends.
//
// It answers POST /v1/chat/completions (node:http on 127.0.0.1, ephemeral port) with the bodies,
// headers and SSE framing of api.openai.com. What it answers is chosen by the user message, so
// one server serves every scenario of the LLM instrumentation suite:
//   CHAT      a normal completion with full usage details (cached and reasoning tokens) and,
//             when `logprobs` is requested, per-token logprobs with `top_logprobs` alternatives;
//   STREAM    the same answer as SSE `chat.completion.chunk`s, plus the final usage chunk when
//             `stream_options.include_usage` is set;
//   RATE_LIMIT / CONTEXT_LENGTH  the 429 and 400 error bodies the real API sends;
//   TIMED     a streamed answer sent slowly, one token per chunk: the first chunk only after
//             TIMED.firstChunkDelayMs, then a token every TIMED.tokenIntervalMs, each chunk with
//             its token's logprobs (and `top_logprobs` alternatives) when `logprobs` is requested.
// The constants below are the single source of truth for the expected values in the tests.

import { createServer } from 'node:http';

export const REQUEST_MODEL = 'gpt-4o';
export const RESPONSE_MODEL = 'gpt-4o-2024-08-06';
export const SYSTEM_FINGERPRINT = 'fp_7f6be3efb0';
const CREATED = 1727000000;

export const CHAT = {
  system: 'You are a terse geography assistant.',
  user: 'What is the capital of France?',
  answer: 'The capital of France is Paris.',
  finishReason: 'stop',
  usage: { prompt: 1200, cached: 400, completion: 50, reasoning: 0 },
  // Token-level logprobs of the first three tokens (the rest is elided as the API would not).
  logprobs: [
    { token: 'The', logprob: -0.0001, top: [['The', -0.0001], ['Paris', -9.25]] },
    { token: ' capital', logprob: -0.002, top: [[' capital', -0.002], [' French', -6.5]] },
    { token: ' of', logprob: 0, top: [[' of', 0], [' city', -17.75]] },
  ],
};

export const STREAM = {
  user: 'Count to three.',
  chunks: ['One', ', two', ', three.'],
  answer: 'One, two, three.',
  finishReason: 'stop',
  usage: { prompt: 20, cached: 0, completion: 5, reasoning: 0 },
};

export const RATE_LIMIT = {
  user: 'Trigger a rate limit.',
  status: 429,
  error: {
    message: 'Rate limit reached for gpt-4o in organization org-tokenscope on requests per min ' +
      '(RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms. Visit ' +
      'https://platform.openai.com/account/rate-limits to learn more.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  },
};

export const CONTEXT_LENGTH = {
  user: 'Trigger a context length error.',
  status: 400,
  error: {
    message: "This model's maximum context length is 128000 tokens. However, your messages " +
      'resulted in 131072 tokens. Please reduce the length of the messages.',
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  },
};

// Each token's chunk carries its logprobs, as the real API streams them. The logprobs are
// doubles whose shortest decimal form is long, so any rounding on the way shows.
export const TIMED = {
  user: 'Name the capital of France, one token at a time.',
  tokens: [
    { token: 'Paris', logprob: -0.1, top: [['Paris', -0.1], ['The', -2.3025850929940455]] },
    { token: ' is', logprob: -3.3333333333333335e-7, top: [[' is', -3.3333333333333335e-7],
      [',', -15.000000000000002]] },
    { token: ' the', logprob: 0, top: [[' the', 0], [' a', -20.25]] },
    { token: ' capital', logprob: -0.0009765625, top: [[' capital', -0.0009765625],
      [' city', -6.931471805599453]] },
    { token: '.', logprob: -1.2345678901234567, top: [['.', -1.2345678901234567],
      ['!', -0.35667494393873245]] },
  ],
  answer: 'Paris is the capital.',
  finishReason: 'stop',
  usage: { prompt: 31, cached: 0, completion: 5, reasoning: 0 },
  firstChunkDelayMs: 300,
  tokenIntervalMs: 50,
};

function usageBody({ prompt, cached, completion, reasoning }) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function logprobEntry(token, logprob) {
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')] };
}

function logprobsBody(topCount) {
  return {
    content: CHAT.logprobs.map(({ token, logprob, top }) => ({
      ...logprobEntry(token, logprob),
      top_logprobs: top.slice(0, topCount).map(([t, lp]) => logprobEntry(t, lp)),
    })),
    refusal: null,
  };
}

function completionBody(id, request) {
  const wantsLogprobs = request.logprobs === true;
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: RESPONSE_MODEL,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: CHAT.answer, refusal: null, annotations: [] },
      logprobs: wantsLogprobs ? logprobsBody(request.top_logprobs ?? 0) : null,
      finish_reason: CHAT.finishReason,
    }],
    usage: usageBody(CHAT.usage),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

function chunk(id, choices, usage) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: RESPONSE_MODEL,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(usage === undefined ? {} : { usage }),
  };
}

function streamEvents(id, request) {
  const includeUsage = request.stream_options?.include_usage === true;
  // With include_usage every chunk carries "usage": null except the last one.
  const usageField = includeUsage ? null : undefined;
  const delta = (d, finish = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
  const events = [chunk(id, delta({ role: 'assistant', content: '', refusal: null }), usageField)];
  for (const text of STREAM.chunks) events.push(chunk(id, delta({ content: text }), usageField));
  events.push(chunk(id, delta({}, STREAM.finishReason), usageField));
  if (includeUsage) events.push(chunk(id, [], usageBody(STREAM.usage)));
  return events;
}

/** Resolves once at least `ms` milliseconds have passed on the monotonic clock (a timer alone
 * may fire a fraction of a millisecond early). */
async function sleepAtLeast(ms) {
  const until = process.hrtime.bigint() + BigInt(Math.ceil(ms * 1e6));
  for (;;) {
    const left = until - process.hrtime.bigint();
    if (left <= 0n) return;
    const waitMs = Math.max(1, Math.ceil(Number(left) / 1e6));
    await new Promise((resolveSleep) => setTimeout(resolveSleep, waitMs));
  }
}

/** The TIMED answer as SSE chunks, written with its deliberate delays. */
async function sendTimedStream(response, id, request) {
  const includeUsage = request.stream_options?.include_usage === true;
  const usageField = includeUsage ? null : undefined;
  const wantsLogprobs = request.logprobs === true;
  const topCount = request.top_logprobs ?? 0;
  const logprobsOf = (entries) => (wantsLogprobs ? {
    content: entries.map(({ token, logprob, top }) => ({
      ...logprobEntry(token, logprob),
      top_logprobs: top.slice(0, topCount).map(([t, lp]) => logprobEntry(t, lp)),
    })),
    refusal: null,
  } : null);
  const send = (event) => response.write(`data: ${JSON.stringify(event)}\n\n`);
  const choice = (delta, logprobs, finish = null) =>
    [{ index: 0, delta, logprobs, finish_reason: finish }];

  await sleepAtLeast(TIMED.firstChunkDelayMs);
  const role = { role: 'assistant', content: '', refusal: null };
  send(chunk(id, choice(role, logprobsOf([])), usageField));
  for (const [i, entry] of TIMED.tokens.entries()) {
    if (i > 0) await sleepAtLeast(TIMED.tokenIntervalMs);
    send(chunk(id, choice({ content: entry.token }, logprobsOf([entry])), usageField));
  }
  send(chunk(id, choice({}, null, TIMED.finishReason), usageField));
  if (includeUsage) send(chunk(id, [], usageBody(TIMED.usage)));
  response.end('data: [DONE]\n\n');
}

function commonHeaders(requestId) {
  return {
    'x-request-id': requestId,
    'openai-organization': 'org-tokenscope',
    'openai-processing-ms': '42',
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '499',
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': '28750',
  };
}

function sendJson(response, status, headers, body) {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  response.end(bytes);
}

function userText(request) {
  const users = (request.messages ?? []).filter((m) => m.role === 'user');
  const content = users.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}

/**
 * Starts the fake API. Resolves to {baseURL ("http://127.0.0.1:PORT/v1"), requests (every
 * parsed request body, in order), close()}.
 */
export async function startFakeOpenAI() {
  const requests = [];
  let counter = 0;
  const server = createServer((req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      counter += 1;
      const requestId = `req_${String(counter).padStart(24, '0')}`;
      const id = `chatcmpl-TS${String(counter).padStart(27, '0')}`;
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        sendJson(res, 404, commonHeaders(requestId), {
          error: { message: `Invalid URL (${req.method} ${req.url})`, type: 'invalid_request_error',
            param: null, code: null },
        });
        return;
      }
      let request;
      try {
        request = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        sendJson(res, 400, commonHeaders(requestId), {
          error: { message: 'We could not parse the JSON body of your request.',
            type: 'invalid_request_error', param: null, code: null },
        });
        return;
      }
      requests.push(request);
      const text = userText(request);
      if (text === RATE_LIMIT.user) {
        sendJson(res, RATE_LIMIT.status, {
          ...commonHeaders(requestId),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '120ms',
          'retry-after': '1',
        }, { error: RATE_LIMIT.error });
      } else if (text === CONTEXT_LENGTH.user) {
        sendJson(res, CONTEXT_LENGTH.status, commonHeaders(requestId), { error: CONTEXT_LENGTH.error });
      } else if (request.stream === true && text === TIMED.user) {
        res.writeHead(200, {
          ...commonHeaders(requestId),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        });
        res.flushHeaders();
        sendTimedStream(res, id, request).catch((error) => res.destroy(error));
      } else if (request.stream === true) {
        res.writeHead(200, {
          ...commonHeaders(requestId),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        });
        for (const event of streamEvents(id, request)) res.write(`data: ${JSON.stringify(event)}\n\n`);
        res.end('data: [DONE]\n\n');
      } else {
        sendJson(res, 200, commonHeaders(requestId), completionBody(id, request));
      }
    });
  });
  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}
