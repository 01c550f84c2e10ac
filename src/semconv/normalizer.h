// The semantic-convention normalizer: reads whatever LLM convention an instrumentation library
// spoke on a span and fills the canonical model::LlmInfo (DESIGN.md §4).
//
// Conventions understood (conventions.md A-D and the Vercel AI SDK):
//   otel_genai     OTel GenAI semconv, every generation: span attributes (gen_ai.system and
//                  gen_ai.provider.name, old and new token names), content as span events
//                  (gen_ai.content.prompt/completion <= 1.27; gen_ai.{system,user,assistant,
//                  tool}.message and gen_ai.choice 1.28-1.36; gen_ai.input.messages /
//                  output.messages / system_instructions >= 1.37, on the span or on the
//                  gen_ai.client.inference.operation.details event, as JSON text or
//                  structured values), tool, agent and retrieval spans.
//   openinference  Arize OpenInference (openinference.span.kind, llm.*, flattened messages,
//                  input.value/output.value, retrieval and reranker documents, tool spans).
//   openllmetry    Traceloop OpenLLMetry, classic (gen_ai.prompt.N.*, llm.usage.total_tokens,
//                  llm.request.type) and current (gen_ai.* plus extras), and the Traceloop
//                  SDK's workflow layer (traceloop.span.kind, entity input/output, association
//                  properties).
//   langfuse       Langfuse's own attributes (langfuse.observation.*, langfuse.trace.*).
//   vercel_ai      The Vercel AI SDK (ai.*), v4 to v6.
//
// Several conventions often appear on one span (OpenLLMetry and the Vercel AI SDK emit gen_ai.*
// beside their own attributes). Each convention is read on its own; the results are merged
// field by field in this precedence order, the first convention that has a field supplying it:
//   langfuse > openinference > vercel_ai > openllmetry > otel_genai
// (explicit, user-set Langfuse attributes first; generic gen_ai.* last, since the others add
// detail to it). Lists (messages, documents, logprobs) come whole from one convention, never
// concatenated. Token counts are canonicalized per convention first (usage.h: input includes
// cached input, output includes reasoning) and then taken field by field, so a count is never
// summed across conventions or aliases. `convention` names the highest-precedence convention
// present. total_tokens is input + output when not reported; *_estimated stay false (counting
// with a tokenizer is enrichment's job). When no convention reports the provider it is
// inferred from a well-known model name (providers.h ProviderForModel). Leading system and
// developer messages are moved into system_instructions, so that OpenAI-shaped conversations
// and conventions that keep instructions apart (OTel >= 1.37, Anthropic) read alike.
//
// Usage on spans of kind agent, chain or workflow is what the instrumentation reported for the
// whole step, normally the sum of the LLM calls beneath it; roll-ups that total tokens should
// count spans of kind llm and embedding only.
//
// Input is untrusted: malformed JSON attributes yield no content (the rest of the span is still
// normalized), parsed content is capped (json_content.h), and nothing here throws.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "model/llm.h"
#include "model/span.h"

namespace tokenscope::semconv {

// Bumped whenever normalization changes what it produces, so stored spans can be re-normalized.
// 2: OpenAI logprobs from the Vercel AI SDK's provider metadata.
constexpr uint32_t kNormalizerVersion = 2;

struct NormalizeInput {
  const model::Span& span;
  const model::Resource& resource;
  const model::Scope& scope;
};

// The canonical LLM section of the span, or nullopt when no LLM convention attribute is present
// (plain HTTP, database and framework spans). Context attributes that libraries copy onto every
// span of a workflow (traceloop.workflow.name, traceloop.entity.path,
// traceloop.association.properties.*, session.id, user.id, ai.telemetry.metadata.*) do not make
// a span LLM-related by themselves; on an LLM span, session.id, user.id and enduser.id are read
// whatever the convention.
std::optional<model::LlmInfo> Normalize(const NormalizeInput& input);

}  // namespace tokenscope::semconv
