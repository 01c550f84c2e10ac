// Internal to src/semconv/: readers for the structured parts of LLM spans that arrive as JSON
// (gen_ai.input.messages, llm.invocation_parameters, input.value, ai.prompt.messages, ...),
// built on simdjson's DOM with its error-code API only (no exception escapes).
//
// The readers are tolerant: one set of functions understands the message shapes of every
// convention and provider (OTel GenAI parts, OpenAI chat and Responses, Anthropic content
// blocks, the Vercel AI SDK's parts, OTel event bodies) and skips whatever it does not
// recognise. The input is untrusted: documents over kMaxJsonBytes or nested deeper than
// kMaxJsonDepth are not parsed, malformed JSON yields nothing, and the output is capped
// (kMaxMessages, kMaxPartsPerMessage, kMaxLogprobs, ...) so that a hostile attribute costs
// bounded memory. Stateless functions; thread-safe. A JsonDocument is owned by its creator and
// not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/llm.h"
#include "model/span.h"

namespace tokenscope::semconv::internal {

inline constexpr size_t kMaxJsonBytes = 16u << 20;
inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr size_t kMaxMessages = 10'000;
inline constexpr size_t kMaxPartsPerMessage = 10'000;
inline constexpr size_t kMaxLogprobs = 100'000;
inline constexpr size_t kMaxTopLogprobs = 100;
inline constexpr size_t kMaxDocuments = 10'000;
inline constexpr size_t kMaxFinishReasons = 1'000;

// A parsed JSON document that owns its parser, so its elements stay valid while it lives.
class JsonDocument {
 public:
  // nullopt when `text` is not JSON, is too large or too deep.
  static std::optional<JsonDocument> Parse(std::string_view text);
  // Parses a string attribute as JSON, or serializes a structured one (kvlist, array) and
  // parses that, so both spellings of a JSON-valued attribute go through the same readers.
  static std::optional<JsonDocument> FromAttribute(const model::AnyValue& value);

  simdjson::dom::element root() const { return root_; }

 private:
  JsonDocument() = default;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// Whether `text` (trimmed) starts like a JSON object or array; a cheap test before parsing
// values that may be JSON or plain text.
bool LooksLikeJson(std::string_view text);

// Appends the messages in `element`: an array of messages, a request body with "messages"
// (plus Anthropic's "system" and a completion "prompt"), a single message, or a string.
// `default_role` is used for messages that carry no role. Returns whether anything was found.
bool ReadMessages(simdjson::dom::element element, std::string_view default_role,
                  std::vector<model::Message>* out);
// One message object (also an OTel gen_ai.choice body, which wraps it in "message").
bool ReadMessage(simdjson::dom::element element, std::string_view default_role,
                 model::Message* out);
// Content parts: an array of parts, one part object, or a string (one text part).
void ReadParts(simdjson::dom::element element, std::vector<model::MessagePart>* out);
// An array of tool calls: OpenAI's {id, function: {name, arguments}}, the Vercel AI SDK's
// {toolCallId, toolName, args | input}, or {id, name, arguments}.
void ReadToolCalls(simdjson::dom::element element, std::vector<model::MessagePart>* out);

// System instructions: an array of parts (OTel), a string, or an array of messages. Appends
// messages with role "system".
bool ReadSystemInstructions(simdjson::dom::element element, std::vector<model::Message>* out);

// The output of a provider response: OpenAI chat completions (choices[].message), legacy
// completions (choices[].text), the Responses API (output[]), Anthropic messages (role +
// content blocks + stop_reason), or Gemini (candidates[]). Appends messages and finish reasons.
bool ReadResponseOutput(simdjson::dom::element element, std::vector<model::Message>* messages,
                        std::vector<std::string>* finish_reasons);

// Request parameters from an invocation-parameters object (OpenAI, Anthropic, Bedrock's
// inferenceConfig, Gemini's generation_config, Langfuse model parameters, camelCase or
// snake_case). Fills only fields that are unset; sets *model when the object names one and
// *model is empty.
void ReadParams(simdjson::dom::element element, model::LlmParams* params, std::string* model);

// Per-token logprobs in OpenAI's shapes: a whole response (choices[i].logprobs or Responses
// output[].content[].logprobs), a choice's logprobs object ({"content": [...]}), a bare array
// of token entries, or the legacy completions form (tokens / token_logprobs / top_logprobs).
// Appends to *out (capped); returns whether anything was found.
bool ReadLogprobs(simdjson::dom::element element, std::vector<model::TokenLogprob>* out);
// One token entry {token, logprob, bytes, top_logprobs}.
bool ReadTokenLogprob(simdjson::dom::element element, model::TokenLogprob* out);

// Retrieved documents: an array of {id, content|text|page_content, score|relevance_score}.
bool ReadDocuments(simdjson::dom::element element, std::vector<model::Document>* out);

// Token usage from a usage object in any of the shapes Langfuse's usage_details carries:
// OpenAI chat (prompt_tokens, *_details), the Responses API (input_tokens with details),
// Anthropic (input_tokens excluding cache_read_input_tokens / cache_creation_input_tokens) or
// Langfuse's own keys (input, output, input_cached_tokens, output_reasoning_tokens, ... which
// add up to the total). The result is in the canonical accounting.
bool ReadUsage(simdjson::dom::element element, model::TokenUsage* usage);

// Helpers for walking objects.
std::optional<std::string_view> StringField(simdjson::dom::element object, std::string_view key);
std::optional<double> NumberField(simdjson::dom::element object, std::string_view key);
std::optional<int64_t> IntField(simdjson::dom::element object, std::string_view key);
// A string value as it is; any other value as minified JSON; empty for null or absent.
std::string PayloadText(simdjson::dom::element element);

}  // namespace tokenscope::semconv::internal
