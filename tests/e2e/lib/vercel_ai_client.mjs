// Child process of token_level.test.mjs: one streamed completion through the Vercel AI SDK
// (`ai` streamText with the `@ai-sdk/openai` chat-completions model) against the fake OpenAI
// server's TIMED scenario, with the SDK's own telemetry on (experimental_telemetry), exporting
// its spans through the OTel JS SDK (global NodeTracerProvider, OTLP/HTTP protobuf).
//
// Usage: node vercel_ai_client.mjs OPENAI_BASE_URL OTLP_TRACES_URL
// Its only output is one JSON line on stdout describing what the library produced and recorded:
//   {text, usage, providerMetadata: what streamText returned;
//    spans: [{name, traceId, spanId, attributes, events: [{name, attributes}]}] as the SDK ended
//    them (before export), so the test can compare Tokenscope's answer with what was recorded}.
// Anything else is a failure (non-zero exit, stderr).

import { createOpenAI } from '@ai-sdk/openai';
import { streamText } from 'ai';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { REQUEST_MODEL, TIMED } from './fake_openai.mjs';

const [openaiBaseUrl, otlpUrl] = process.argv.slice(2);

/** Keeps every ended span's name, ids, attributes and events as the SDK recorded them. */
class SpanRecorder {
  spans = [];
  onStart() {}
  onEnd(span) {
    const { traceId, spanId } = span.spanContext();
    this.spans.push({
      name: span.name,
      traceId,
      spanId,
      attributes: { ...span.attributes },
      events: span.events.map(({ name, attributes }) => ({ name, attributes: { ...attributes } })),
    });
  }
  forceFlush() { return Promise.resolve(); }
  shutdown() { return Promise.resolve(); }
}

const recorder = new SpanRecorder();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'llm-vercel-ai' }),
  spanProcessors: [
    recorder,
    new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl, timeoutMillis: 10_000 })),
  ],
});
provider.register();

const openai = createOpenAI({ baseURL: openaiBaseUrl, apiKey: 'sk-tokenscope-test' });

let streamError = null;
const result = streamText({
  model: openai.chat(REQUEST_MODEL),
  prompt: TIMED.user,
  maxRetries: 0,
  // The chat model asks for logprobs with this many alternatives per token.
  providerOptions: { openai: { logprobs: 2 } },
  experimental_telemetry: { isEnabled: true, functionId: 'token-level' },
  onError: ({ error }) => { streamError = error; },
});

let text = '';
for await (const delta of result.textStream) text += delta;
const usage = await result.usage;
const providerMetadata = await result.providerMetadata;
if (streamError !== null) throw streamError;

await provider.shutdown();
const report = { text, usage, providerMetadata, spans: recorder.spans };
process.stdout.write(`${JSON.stringify(report)}\n`);
