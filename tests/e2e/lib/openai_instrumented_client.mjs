// Child process of llm_instrumentations.test.mjs: runs the OpenAI chat scenarios through the
// real `openai` client instrumented by ONE library, exporting the spans over OTLP/HTTP protobuf.
//
// Each instrumentation library is run in its own process so their patches of the `openai`
// module never stack. Every library is registered the way its documentation says:
//   otel        @opentelemetry/instrumentation-openai: registerInstrumentations() before the
//               module is loaded, then the CommonJS `openai` is require()d (the require hook is
//               what patches it; ESM imports need the loader hook instead). It writes message
//               content as OTel log events (semconv 1.28-1.36), so a LoggerProvider exports them
//               over OTLP/HTTP to /v1/logs, where Tokenscope joins them to their spans;
//   openinference @arizeai/openinference-instrumentation-openai: manuallyInstrument(OpenAI) on
//               the ESM import, as its README says for ESM projects;
//   openllmetry @traceloop/instrumentation-openai: manuallyInstrument(OpenAI) on the ESM import.
//
// Usage: node openai_instrumented_client.mjs LIBRARY OPENAI_BASE_URL OTLP_TRACES_URL
// Its only output is one JSON line on stdout: {"<scenario>": ["<trace id>", ...], ...}, naming
// the traces each scenario produced; anything else is a failure (non-zero exit, stderr).

import { createRequire } from 'node:module';

import { context, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { CHAT, CONTEXT_LENGTH, RATE_LIMIT, REQUEST_MODEL, STREAM } from './fake_openai.mjs';

const [library, openaiBaseUrl, otlpUrl] = process.argv.slice(2);

/** Records which scenario was running when each span started. */
class ScenarioRecorder {
  current = null;
  traces = {};
  onStart(span) {
    if (this.current === null) return;
    const ids = (this.traces[this.current] ??= []);
    const { traceId } = span.spanContext();
    if (!ids.includes(traceId)) ids.push(traceId);
  }
  onEnd() {}
  forceFlush() { return Promise.resolve(); }
  shutdown() { return Promise.resolve(); }
}

const recorder = new ScenarioRecorder();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `llm-${library}` }),
  spanProcessors: [
    recorder,
    new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl, timeoutMillis: 10_000 })),
  ],
});
provider.register();

const logsUrl = otlpUrl.replace(/\/v1\/traces$/, '/v1/logs');
const loggerProvider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': `llm-${library}` }),
  processors: [
    new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: logsUrl, timeoutMillis: 10_000 }) }),
  ],
});

async function instrumentedOpenAI() {
  if (library === 'otel') {
    const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
    registerInstrumentations({
      tracerProvider: provider,
      loggerProvider,
      instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })],
    });
    return createRequire(import.meta.url)('openai').OpenAI;
  }
  const { default: OpenAI } = await import('openai');
  if (library === 'openinference') {
    const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
    instrumentation.manuallyInstrument(OpenAI);
    return OpenAI;
  }
  if (library === 'openllmetry') {
    const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation({ traceContent: true });
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(OpenAI);
    return OpenAI;
  }
  throw new Error(`unknown instrumentation library ${library}`);
}

async function scenario(name, run) {
  recorder.current = name;
  try {
    // A fresh root context, so every scenario is its own trace.
    await context.with(trace.deleteSpan(context.active()), run);
  } finally {
    recorder.current = null;
  }
}

/** Runs a call the fake server fails; the client must throw the API error it describes. */
async function expectApiError(call, expected) {
  try {
    await call();
  } catch (error) {
    if (error?.status !== expected.status || error?.code !== expected.error.code) {
      throw new Error(`expected ${expected.status} ${expected.error.code}, got ${error?.stack ?? error}`);
    }
    return;
  }
  throw new Error(`expected ${expected.status} ${expected.error.code}, the call succeeded`);
}

const OpenAI = await instrumentedOpenAI();
const client = new OpenAI({ apiKey: 'sk-tokenscope-test', baseURL: openaiBaseUrl, maxRetries: 0 });

await scenario('chat', async () => {
  const completion = await client.chat.completions.create({
    model: REQUEST_MODEL,
    messages: [{ role: 'system', content: CHAT.system }, { role: 'user', content: CHAT.user }],
    temperature: 0.25,
    max_tokens: 64,
    logprobs: true,
    top_logprobs: 2,
  });
  if (completion.choices[0].message.content !== CHAT.answer) throw new Error('unexpected answer');
});

await scenario('stream', async () => {
  const stream = await client.chat.completions.create({
    model: REQUEST_MODEL,
    messages: [{ role: 'user', content: STREAM.user }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  if (text !== STREAM.answer) throw new Error(`unexpected streamed answer ${JSON.stringify(text)}`);
});

await scenario('rate_limit', () => expectApiError(() => client.chat.completions.create({
  model: REQUEST_MODEL,
  messages: [{ role: 'user', content: RATE_LIMIT.user }],
}), RATE_LIMIT));

await scenario('context_length', () => expectApiError(() => client.chat.completions.create({
  model: REQUEST_MODEL,
  messages: [{ role: 'user', content: CONTEXT_LENGTH.user }],
}), CONTEXT_LENGTH));

await provider.shutdown();
await loggerProvider.shutdown();
process.stdout.write(`${JSON.stringify(recorder.traces)}\n`);
