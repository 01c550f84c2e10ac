// Internal to src/semconv/: the convention readers, one per file (otel_genai.cc,
// openinference.cc, openllmetry.cc, langfuse.cc, vercel_ai.cc), and the span-event readers
// shared by all of them (stream_events.cc).
//
// A reader fills a Draft from the span: its attribute table (AttributeTable) for scalar
// fields, and code for structured content. It does not set Draft::detected; the normalizer
// does, from the marker predicates. Readers keep usage as reported and record how their input
// count treats cache (InputTokenMode). Stateless functions; thread-safe.
#pragma once

#include <string_view>

#include "semconv/draft.h"
#include "semconv/normalizer.h"

namespace tokenscope::semconv::internal {

struct Convention {
  std::string_view name;
  // Whether an attribute key, or an event name, shows that the span speaks this convention.
  bool (*is_marker_key)(std::string_view key);
  bool (*is_marker_event)(std::string_view name);
  void (*read)(const NormalizeInput& input, Draft* draft);
};

// The conventions in merge precedence order (normalizer.h).
const Convention* Conventions(size_t* count);

bool IsLangfuseMarker(std::string_view key);
void ReadLangfuse(const NormalizeInput& input, Draft* draft);

bool IsOpenInferenceMarker(std::string_view key);
void ReadOpenInference(const NormalizeInput& input, Draft* draft);

bool IsVercelAiMarker(std::string_view key);
void ReadVercelAi(const NormalizeInput& input, Draft* draft);

bool IsOpenLlmetryMarker(std::string_view key);
bool IsOpenLlmetryMarkerEvent(std::string_view name);
void ReadOpenLlmetry(const NormalizeInput& input, Draft* draft);

bool IsOtelGenAiMarker(std::string_view key);
bool IsOtelGenAiMarkerEvent(std::string_view name);
void ReadOtelGenAi(const NormalizeInput& input, Draft* draft);

// Span events that carry streaming detail whatever the convention: "gen_ai.token" events
// (token, logprob, index, offset), first-token events, "logprobs" events, and per-chunk events
// (OpenLLMetry's llm.content.completion.chunk, the Vercel AI SDK's ai.stream.firstChunk).
// Fills info->logprobs and info->timing where they are still empty.
void ReadStreamEvents(const model::Span& span, model::LlmInfo* info);

// How to read a value that may be JSON or plain text.
enum class ValueFormat : uint8_t {
  kAuto,  // JSON when it parses as JSON, else text
  kJson,  // declared JSON (input.mime_type application/json): malformed JSON yields nothing
};

// Free-text or JSON input/output values (input.value, traceloop.entity.input,
// langfuse.observation.input, ...) as messages: JSON that holds messages or a request body is
// read as such; plain text becomes one message with `role`. Returns whether anything was read.
bool ReadValueAsMessages(const model::AnyValue& value, std::string_view role,
                         std::vector<model::Message>* out, ValueFormat format = ValueFormat::kAuto);
// A response-shaped output value: messages and finish reasons from the response JSON, plain
// text as one assistant message; logprobs when the response carries them.
bool ReadValueAsResponse(const model::AnyValue& value, model::LlmInfo* info,
                         ValueFormat format = ValueFormat::kAuto);

// Text content that may be a JSON array of typed content blocks (OpenLLMetry serializes
// Anthropic and multimodal OpenAI content that way): parts when every element is an object
// with a "type", else one text part.
void ReadTextOrBlocks(std::string_view text, std::vector<model::MessagePart>* parts);

}  // namespace tokenscope::semconv::internal
