// Internal to src/semconv/: what one convention understood of a span (a Draft), and the
// table machinery that fills a Draft from attributes.
//
// Each convention reads the span into its own Draft; the normalizer then merges the drafts in
// precedence order, field by field (normalizer.h documents the order). Keeping drafts apart
// until the merge is what prevents double counting: a token count is taken from one source,
// never summed across conventions or across alias names.
//
// AttributeTable maps attribute keys to canonical fields with type coercion (coerce.h). Within
// one table, earlier entries win over later entries for the same field (so new names are listed
// before their deprecated aliases), whatever order the attributes arrive in; a field already
// set in the draft before Apply() is never overwritten, which lets a caller apply the same
// table to the span first and to an event's attributes second.
//
// Drafts are plain data owned by the caller. Tables are immutable after construction and safe
// to share between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/llm.h"
#include "model/span.h"

namespace tokenscope::semconv::internal {

// How a convention's input token count relates to cached input.
enum class InputTokenMode : uint8_t {
  kInclusive,             // includes cache reads and writes (the canonical accounting)
  kExclusiveIfAnthropic,  // the provider's raw count: exclusive when the provider is Anthropic
};

struct Draft {
  bool detected = false;  // the convention's marker attributes are present on the span
  // Usage holds the counts as the convention reported them until the normalizer canonicalizes
  // them (usage.h); everything else is already canonical.
  model::LlmInfo info;
  InputTokenMode input_mode = InputTokenMode::kInclusive;
};

// The canonical fields an attribute can map to.
enum class Field : uint8_t {
  kOperation,
  kProvider,
  kRequestModel,
  kResponseModel,
  kTemperature,
  kTopP,
  kTopK,
  kMaxTokens,
  kFrequencyPenalty,
  kPresencePenalty,
  kSeed,
  kStream,
  kStopSequences,
  kInputTokens,
  kOutputTokens,
  kCacheReadTokens,
  kCacheCreationTokens,
  kReasoningTokens,
  kTotalTokens,
  kFinishReasons,
  kSessionId,
  kUserId,
  kConversationId,
  kPromptName,
  kPromptVersion,
  kTags,
  kToolName,
  kToolCallId,
  kToolArguments,
  kToolResult,
  kTimeToFirstTokenSeconds,  // a duration in seconds (OTel)
  kTimeToFirstTokenMillis,   // a duration in milliseconds (Vercel AI SDK)
  kCount,
};

struct AttributeMapping {
  std::string_view key;
  Field field;
};

class AttributeTable {
 public:
  AttributeTable(std::initializer_list<AttributeMapping> mappings);

  // Fills `draft` from `attrs` as described in the file comment. Values that do not coerce to
  // the field's type are ignored, so a lower-priority alias can still supply the field.
  void Apply(const model::Attributes& attrs, Draft* draft) const;

  // Whether `key` is in the table.
  bool Contains(std::string_view key) const { return index_.count(key) != 0; }

 private:
  std::vector<AttributeMapping> mappings_;
  std::unordered_map<std::string_view, uint16_t> index_;  // key -> position in mappings_
};

// Sets one field from one value, coercing its type. Returns false (leaving the draft as it
// was) when the value does not fit the field, e.g. a negative or non-numeric token count.
bool SetField(Field field, const model::AnyValue& value, Draft* draft);
bool IsFieldSet(Field field, const model::LlmInfo& info);

// The kind an operation name implies (chat -> llm, embeddings -> embedding, execute_tool ->
// tool, invoke_agent -> agent, ...); kOther when the name says nothing.
model::LlmSpanKind KindForOperation(std::string_view operation);

// A span's tool call section, created on first use.
model::ToolCall& MutableTool(model::LlmInfo* info);

}  // namespace tokenscope::semconv::internal
