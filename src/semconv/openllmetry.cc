// Traceloop OpenLLMetry, classic and current, and the Traceloop SDK's workflow layer
// (conventions.md C; opentelemetry-semantic-conventions-ai 0.4.x / 0.5.x, traceloop-sdk).
// The gen_ai.* attributes OpenLLMetry shares with OTel are read by otel_genai.cc; this reader
// covers what only OpenLLMetry emits.
#include <utility>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/flattened.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::LlmSpanKind;
using model::Message;
using model::MessagePart;
using model::PartType;

const AttributeTable& Table() {
  static const AttributeTable table({
      {"llm.usage.total_tokens", Field::kTotalTokens},
      {"llm.is_streaming", Field::kStream},
      {"gen_ai.is_streaming", Field::kStream},
      {"llm.frequency_penalty", Field::kFrequencyPenalty},
      {"llm.presence_penalty", Field::kPresencePenalty},
      {"llm.top_k", Field::kTopK},
      {"llm.chat.stop_sequences", Field::kStopSequences},
      {"llm.response.finish_reason", Field::kFinishReasons},
      {"llm.response.stop_reason", Field::kFinishReasons},
      {"traceloop.association.properties.session_id", Field::kSessionId},
      {"traceloop.association.properties.sessionId", Field::kSessionId},
      {"traceloop.association.properties.user_id", Field::kUserId},
      {"traceloop.association.properties.userId", Field::kUserId},
      {"llm.user", Field::kUserId},
      {"traceloop.prompt.key", Field::kPromptName},
      {"traceloop.prompt.version", Field::kPromptVersion},
      // The earliest releases (before the gen_ai.* names).
      {"llm.vendor", Field::kProvider},
      {"llm.request.model", Field::kRequestModel},
      {"llm.response.model", Field::kResponseModel},
      {"llm.temperature", Field::kTemperature},
      {"llm.top_p", Field::kTopP},
      {"llm.request.max_tokens", Field::kMaxTokens},
      {"llm.usage.prompt_tokens", Field::kInputTokens},
      {"llm.usage.completion_tokens", Field::kOutputTokens},
      {"llm.usage.cache_read_input_tokens", Field::kCacheReadTokens},
      {"llm.usage.cache_creation_input_tokens", Field::kCacheCreationTokens},
      {"llm.usage.reasoning_tokens", Field::kReasoningTokens},
  });
  return table;
}

std::string StringOf(const AnyValue* value) {
  return value ? AsString(*value) : std::string();
}

void AddToolCalls(const IndexedGroup& group, std::vector<MessagePart>* parts) {
  for (const IndexedGroup& call :
       CollectIndexed(group.entries, "tool_calls.", kMaxPartsPerMessage)) {
    MessagePart part;
    part.type = PartType::kToolCall;
    part.tool_call_id = StringOf(call.Find("id"));
    part.tool_name = StringOf(call.Find("name"));
    part.arguments = StringOf(call.Find("arguments"));
    parts->push_back(std::move(part));
  }
  if (std::string name = StringOf(group.Find("function_call.name")); !name.empty()) {
    MessagePart part;
    part.type = PartType::kToolCall;
    part.tool_name = std::move(name);
    part.arguments = StringOf(group.Find("function_call.arguments"));
    parts->push_back(std::move(part));
  }
}

// "gen_ai.prompt.N.*" / "gen_ai.completion.N.*": role, content (text, or JSON text of content
// blocks), tool_call_id, tool_calls.K.{id,name,arguments}, function_call.*, finish_reason.
void ReadFlattened(const model::Attributes& attrs, std::string_view prefix,
                   std::string_view default_role, std::vector<Message>* out) {
  for (const IndexedGroup& group : CollectIndexed(attrs, prefix, kMaxMessages)) {
    Message message;
    message.role = ToLower(Trim(StringOf(group.Find("role"))));
    if (message.role.empty()) message.role = std::string(default_role);
    message.finish_reason = StringOf(group.Find("finish_reason"));
    if (const AnyValue* content = group.Find("content")) {
      ReadTextOrBlocks(AsString(*content), &message.parts);
    }
    if (message.parts.empty()) {
      if (std::string refusal = StringOf(group.Find("refusal")); !refusal.empty()) {
        MessagePart part;
        part.text = std::move(refusal);
        message.parts.push_back(std::move(part));
      }
    }
    AddToolCalls(group, &message.parts);
    if (message.role == "tool") {
      const std::string call_id = StringOf(group.Find("tool_call_id"));
      for (MessagePart& part : message.parts) {
        if (part.type != PartType::kText) continue;
        part.type = PartType::kToolResult;
        part.tool_call_id = call_id;
      }
    }
    if (message.parts.empty() && group.Find("role") == nullptr) continue;
    out->push_back(std::move(message));
  }
}

struct RequestType {
  std::string_view value;
  std::string_view operation;
  LlmSpanKind kind;
};
constexpr RequestType kRequestTypes[] = {
    {"chat", "chat", LlmSpanKind::kLlm},
    {"completion", "text_completion", LlmSpanKind::kLlm},
    {"embedding", "embeddings", LlmSpanKind::kEmbedding},
    {"rerank", "rerank", LlmSpanKind::kRerank},
};

struct SpanKindEntry {
  std::string_view value;
  LlmSpanKind kind;
};
constexpr SpanKindEntry kSpanKinds[] = {
    {"workflow", LlmSpanKind::kWorkflow},
    {"task", LlmSpanKind::kChain},
    {"agent", LlmSpanKind::kAgent},
    {"tool", LlmSpanKind::kTool},
};

}  // namespace

// The Traceloop SDK copies traceloop.workflow.name, traceloop.entity.path and
// traceloop.association.properties.* onto every span in a workflow (HTTP and database spans
// too), so those are context, not markers.
bool IsOpenLlmetryMarker(std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "traceloop.span.kind",
      "traceloop.entity.name",
      "traceloop.entity.input",
      "traceloop.entity.output",
      "traceloop.entity.version",
      "llm.request.type",
      "llm.is_streaming",
      "gen_ai.is_streaming",
      "llm.frequency_penalty",
      "llm.presence_penalty",
      "llm.top_k",
      "llm.chat.stop_sequences",
      "llm.vendor",
      "llm.request.model",
      "llm.response.model",
      "llm.response.finish_reason",
      "llm.response.stop_reason",
  };
  for (std::string_view k : kKeys) {
    if (key == k) return true;
  }
  static constexpr std::string_view kPrefixes[] = {
      "traceloop.prompt.",
      "llm.usage.",
      "llm.request.functions.",
  };
  for (std::string_view prefix : kPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return IsIndexedKey(key, "gen_ai.prompt.") || IsIndexedKey(key, "gen_ai.completion.") ||
         IsIndexedKey(key, "llm.completions.");
}

bool IsOpenLlmetryMarkerEvent(std::string_view name) {
  return name == "llm.content.completion.chunk";
}

void ReadOpenLlmetry(const NormalizeInput& input, Draft* draft) {
  const model::Attributes& attrs = input.span.attributes;
  model::LlmInfo& info = draft->info;
  Table().Apply(attrs, draft);

  if (const AnyValue* type = model::FindAttribute(attrs, "llm.request.type")) {
    const std::string value = ToLower(Trim(AsString(*type)));
    for (const RequestType& entry : kRequestTypes) {
      if (entry.value != value) continue;
      info.operation = std::string(entry.operation);
      info.kind = entry.kind;
    }
  }
  if (const AnyValue* kind = model::FindAttribute(attrs, "traceloop.span.kind")) {
    const std::string value = ToLower(Trim(AsString(*kind)));
    for (const SpanKindEntry& entry : kSpanKinds) {
      if (entry.value == value) info.kind = entry.kind;
    }
  }

  ReadFlattened(attrs, "gen_ai.prompt.", "user", &info.input_messages);
  if (info.input_messages.empty()) {
    ReadFlattened(attrs, "llm.prompts.", "user", &info.input_messages);
  }
  ReadFlattened(attrs, "gen_ai.completion.", "assistant", &info.output_messages);
  if (info.output_messages.empty()) {
    ReadFlattened(attrs, "llm.completions.", "assistant", &info.output_messages);
  }

  if (info.kind == LlmSpanKind::kTool) {
    // @tool-decorated functions: the entity is the tool, its input and output the call.
    model::ToolCall& tool = MutableTool(&info);
    if (const AnyValue* name = model::FindAttribute(attrs, "traceloop.entity.name")) {
      tool.name = AsString(*name);
    }
    if (const AnyValue* in = model::FindAttribute(attrs, "traceloop.entity.input")) {
      SetField(Field::kToolArguments, *in, draft);
    }
    if (const AnyValue* out = model::FindAttribute(attrs, "traceloop.entity.output")) {
      SetField(Field::kToolResult, *out, draft);
    }
  }
  // Both eras report cache-inclusive prompt counts (their Anthropic instrumentation adds
  // cache_read_input_tokens and cache_creation_input_tokens to input_tokens).
  draft->input_mode = InputTokenMode::kInclusive;
}

}  // namespace tokenscope::semconv::internal
