#include "semconv/draft.h"

#include <array>
#include <cmath>
#include <limits>

#include "semconv/coerce.h"
#include "semconv/providers.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::LlmInfo;
using model::ValueType;

constexpr size_t kFieldCount = static_cast<size_t>(Field::kCount);

bool SetString(const AnyValue& value, std::string* out) {
  std::string s(Trim(AsString(value)));
  if (s.empty()) return false;
  *out = std::move(s);
  return true;
}

bool SetStringList(const AnyValue& value, std::vector<std::string>* out) {
  std::vector<std::string> list = AsStringList(value);
  if (list.empty()) return false;
  *out = std::move(list);
  return true;
}

bool SetDouble(const AnyValue& value, std::optional<double>* out) {
  std::optional<double> d = AsDouble(value);
  if (!d) return false;
  *out = d;
  return true;
}

bool SetInt(const AnyValue& value, std::optional<int64_t>* out) {
  std::optional<int64_t> i = AsInt(value);
  if (!i) return false;
  *out = i;
  return true;
}

// Token counts: integers that are not negative.
bool SetCount(const AnyValue& value, std::optional<int64_t>* out) {
  std::optional<int64_t> i = AsInt(value);
  if (!i || *i < 0) return false;
  *out = i;
  return true;
}

// JSON-ish payloads (tool arguments and results): strings as they are, structured values as
// JSON text.
bool SetPayload(const AnyValue& value, std::string* out) {
  if (value.type == ValueType::kEmpty) return false;
  if (value.type == ValueType::kString) {
    if (value.string_value.empty()) return false;
    *out = std::string(value.string_value);
    return true;
  }
  *out = AnyValueToJson(value);
  return true;
}

bool SetDuration(const AnyValue& value, double nanos_per_unit, LlmInfo* info) {
  std::optional<double> d = AsDouble(value);
  if (!d || *d < 0) return false;
  const double ns = *d * nanos_per_unit;
  if (ns >= static_cast<double>(std::numeric_limits<int64_t>::max())) return false;
  info->timing.time_to_first_token_ns = static_cast<uint64_t>(std::llround(ns));
  return true;
}

}  // namespace

model::ToolCall& MutableTool(LlmInfo* info) {
  if (!info->tool) info->tool.emplace();
  return *info->tool;
}

bool SetField(Field field, const AnyValue& value, Draft* draft) {
  LlmInfo& info = draft->info;
  switch (field) {
    case Field::kOperation: {
      std::string op = ToLower(Trim(AsString(value)));
      if (op.empty()) return false;
      info.operation = std::move(op);
      return true;
    }
    case Field::kProvider: {
      std::string provider = NormalizeProvider(AsString(value));
      if (provider.empty()) return false;
      info.provider = std::move(provider);
      return true;
    }
    case Field::kRequestModel:
      return SetString(value, &info.request_model);
    case Field::kResponseModel:
      return SetString(value, &info.response_model);
    case Field::kTemperature:
      return SetDouble(value, &info.params.temperature);
    case Field::kTopP:
      return SetDouble(value, &info.params.top_p);
    case Field::kTopK:
      return SetInt(value, &info.params.top_k);
    case Field::kMaxTokens:
      return SetInt(value, &info.params.max_tokens);
    case Field::kFrequencyPenalty:
      return SetDouble(value, &info.params.frequency_penalty);
    case Field::kPresencePenalty:
      return SetDouble(value, &info.params.presence_penalty);
    case Field::kSeed:
      return SetInt(value, &info.params.seed);
    case Field::kStream: {
      std::optional<bool> b = AsBool(value);
      if (!b) return false;
      info.params.stream = b;
      return true;
    }
    case Field::kStopSequences:
      return SetStringList(value, &info.params.stop_sequences);
    case Field::kInputTokens:
      return SetCount(value, &info.usage.input_tokens);
    case Field::kOutputTokens:
      return SetCount(value, &info.usage.output_tokens);
    case Field::kCacheReadTokens:
      return SetCount(value, &info.usage.cache_read_input_tokens);
    case Field::kCacheCreationTokens:
      return SetCount(value, &info.usage.cache_creation_input_tokens);
    case Field::kReasoningTokens:
      return SetCount(value, &info.usage.reasoning_tokens);
    case Field::kTotalTokens:
      return SetCount(value, &info.usage.total_tokens);
    case Field::kFinishReasons:
      return SetStringList(value, &info.finish_reasons);
    case Field::kSessionId:
      return SetString(value, &info.session_id);
    case Field::kUserId:
      return SetString(value, &info.user_id);
    case Field::kConversationId:
      return SetString(value, &info.conversation_id);
    case Field::kPromptName:
      return SetString(value, &info.prompt_name);
    case Field::kPromptVersion:
      return SetString(value, &info.prompt_version);
    case Field::kTags:
      return SetStringList(value, &info.tags);
    case Field::kToolName: {
      std::string name;
      if (!SetString(value, &name)) return false;
      MutableTool(&info).name = std::move(name);
      return true;
    }
    case Field::kToolCallId: {
      std::string id;
      if (!SetString(value, &id)) return false;
      MutableTool(&info).call_id = std::move(id);
      return true;
    }
    case Field::kToolArguments: {
      std::string args;
      if (!SetPayload(value, &args)) return false;
      MutableTool(&info).arguments = std::move(args);
      return true;
    }
    case Field::kToolResult: {
      std::string result;
      if (!SetPayload(value, &result)) return false;
      MutableTool(&info).result = std::move(result);
      return true;
    }
    case Field::kTimeToFirstTokenSeconds:
      return SetDuration(value, 1e9, &info);
    case Field::kTimeToFirstTokenMillis:
      return SetDuration(value, 1e6, &info);
    case Field::kCount:
      return false;
  }
  return false;
}

bool IsFieldSet(Field field, const LlmInfo& info) {
  switch (field) {
    case Field::kOperation:
      return !info.operation.empty();
    case Field::kProvider:
      return !info.provider.empty();
    case Field::kRequestModel:
      return !info.request_model.empty();
    case Field::kResponseModel:
      return !info.response_model.empty();
    case Field::kTemperature:
      return info.params.temperature.has_value();
    case Field::kTopP:
      return info.params.top_p.has_value();
    case Field::kTopK:
      return info.params.top_k.has_value();
    case Field::kMaxTokens:
      return info.params.max_tokens.has_value();
    case Field::kFrequencyPenalty:
      return info.params.frequency_penalty.has_value();
    case Field::kPresencePenalty:
      return info.params.presence_penalty.has_value();
    case Field::kSeed:
      return info.params.seed.has_value();
    case Field::kStream:
      return info.params.stream.has_value();
    case Field::kStopSequences:
      return !info.params.stop_sequences.empty();
    case Field::kInputTokens:
      return info.usage.input_tokens.has_value();
    case Field::kOutputTokens:
      return info.usage.output_tokens.has_value();
    case Field::kCacheReadTokens:
      return info.usage.cache_read_input_tokens.has_value();
    case Field::kCacheCreationTokens:
      return info.usage.cache_creation_input_tokens.has_value();
    case Field::kReasoningTokens:
      return info.usage.reasoning_tokens.has_value();
    case Field::kTotalTokens:
      return info.usage.total_tokens.has_value();
    case Field::kFinishReasons:
      return !info.finish_reasons.empty();
    case Field::kSessionId:
      return !info.session_id.empty();
    case Field::kUserId:
      return !info.user_id.empty();
    case Field::kConversationId:
      return !info.conversation_id.empty();
    case Field::kPromptName:
      return !info.prompt_name.empty();
    case Field::kPromptVersion:
      return !info.prompt_version.empty();
    case Field::kTags:
      return !info.tags.empty();
    case Field::kToolName:
      return info.tool && !info.tool->name.empty();
    case Field::kToolCallId:
      return info.tool && !info.tool->call_id.empty();
    case Field::kToolArguments:
      return info.tool && !info.tool->arguments.empty();
    case Field::kToolResult:
      return info.tool && !info.tool->result.empty();
    case Field::kTimeToFirstTokenSeconds:
    case Field::kTimeToFirstTokenMillis:
      return info.timing.time_to_first_token_ns.has_value();
    case Field::kCount:
      return true;
  }
  return true;
}

AttributeTable::AttributeTable(std::initializer_list<AttributeMapping> mappings)
    : mappings_(mappings) {
  for (size_t i = 0; i < mappings_.size(); ++i) {
    index_.emplace(mappings_[i].key, static_cast<uint16_t>(i));  // first spelling wins
  }
}

void AttributeTable::Apply(const model::Attributes& attrs, Draft* draft) const {
  std::array<bool, kFieldCount> set_before{};
  for (size_t f = 0; f < kFieldCount; ++f) {
    set_before[f] = IsFieldSet(static_cast<Field>(f), draft->info);
  }
  // Position of the mapping that supplied each field so far; lower positions win.
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::array<size_t, kFieldCount> supplied_by;
  supplied_by.fill(kNone);
  for (const model::KeyValue& kv : attrs) {
    auto it = index_.find(kv.key);
    if (it == index_.end()) continue;
    const size_t position = it->second;
    const auto field_index = static_cast<size_t>(mappings_[position].field);
    if (set_before[field_index]) continue;
    if (supplied_by[field_index] != kNone && supplied_by[field_index] <= position) continue;
    if (SetField(mappings_[position].field, kv.value, draft)) supplied_by[field_index] = position;
  }
}

model::LlmSpanKind KindForOperation(std::string_view operation) {
  using model::LlmSpanKind;
  struct Entry {
    std::string_view operation;
    LlmSpanKind kind;
  };
  static constexpr Entry kKinds[] = {
      {"chat", LlmSpanKind::kLlm},
      {"text_completion", LlmSpanKind::kLlm},
      {"completion", LlmSpanKind::kLlm},
      {"generate_content", LlmSpanKind::kLlm},
      {"generate", LlmSpanKind::kLlm},
      {"responses", LlmSpanKind::kLlm},
      {"embeddings", LlmSpanKind::kEmbedding},
      {"embedding", LlmSpanKind::kEmbedding},
      {"execute_tool", LlmSpanKind::kTool},
      {"invoke_agent", LlmSpanKind::kAgent},
      {"create_agent", LlmSpanKind::kAgent},
      {"invoke_workflow", LlmSpanKind::kWorkflow},
      {"retrieval", LlmSpanKind::kRetrieval},
      {"rerank", LlmSpanKind::kRerank},
  };
  for (const Entry& e : kKinds) {
    if (e.operation == operation) return e.kind;
  }
  return LlmSpanKind::kOther;
}

}  // namespace tokenscope::semconv::internal
