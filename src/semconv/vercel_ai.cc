// The Vercel AI SDK's telemetry (ai.*; packages/ai/src/generate-text, stream-text, embed,
// telemetry; AI SDK 4, 5 and 6). The gen_ai.* attributes it emits beside ai.* are read by
// otel_genai.cc.
#include <utility>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::LlmSpanKind;
using model::Message;
using model::MessagePart;
using model::PartType;

const AttributeTable& Table() {
  // AI SDK 6 names before the older ones.
  static const AttributeTable table({
      {"ai.model.provider", Field::kProvider},
      {"ai.model.id", Field::kRequestModel},
      {"ai.response.model", Field::kResponseModel},
      {"ai.settings.temperature", Field::kTemperature},
      {"ai.settings.topP", Field::kTopP},
      {"ai.settings.topK", Field::kTopK},
      {"ai.settings.maxOutputTokens", Field::kMaxTokens},
      {"ai.settings.maxTokens", Field::kMaxTokens},
      {"ai.settings.frequencyPenalty", Field::kFrequencyPenalty},
      {"ai.settings.presencePenalty", Field::kPresencePenalty},
      {"ai.settings.seed", Field::kSeed},
      {"ai.settings.stopSequences", Field::kStopSequences},
      {"ai.usage.inputTokens", Field::kInputTokens},
      {"ai.usage.promptTokens", Field::kInputTokens},
      {"ai.usage.tokens", Field::kInputTokens},  // embeddings
      {"ai.usage.outputTokens", Field::kOutputTokens},
      {"ai.usage.completionTokens", Field::kOutputTokens},
      {"ai.usage.totalTokens", Field::kTotalTokens},
      {"ai.usage.inputTokenDetails.cacheReadTokens", Field::kCacheReadTokens},
      {"ai.usage.cachedInputTokens", Field::kCacheReadTokens},
      {"ai.usage.inputTokenDetails.cacheWriteTokens", Field::kCacheCreationTokens},
      {"ai.usage.outputTokenDetails.reasoningTokens", Field::kReasoningTokens},
      {"ai.usage.reasoningTokens", Field::kReasoningTokens},
      {"ai.response.finishReason", Field::kFinishReasons},
      {"ai.telemetry.metadata.sessionId", Field::kSessionId},
      {"ai.telemetry.metadata.session_id", Field::kSessionId},
      {"ai.telemetry.metadata.userId", Field::kUserId},
      {"ai.telemetry.metadata.user_id", Field::kUserId},
      {"ai.telemetry.metadata.tags", Field::kTags},
      {"ai.toolCall.name", Field::kToolName},
      {"ai.toolCall.id", Field::kToolCallId},
      {"ai.toolCall.args", Field::kToolArguments},
      {"ai.toolCall.input", Field::kToolArguments},
      {"ai.toolCall.result", Field::kToolResult},
      {"ai.toolCall.output", Field::kToolResult},
      {"ai.response.msToFirstChunk", Field::kTimeToFirstTokenMillis},
  });
  return table;
}

// ai.operationId: "ai.generateText.doGenerate" and friends are the provider calls; the outer
// "ai.generateText" span wraps every step (and tool call) of one SDK call.
void ReadOperation(std::string_view id, model::LlmInfo* info) {
  if (id.starts_with("ai.")) id.remove_prefix(3);
  if (id == "toolCall") {
    info->kind = LlmSpanKind::kTool;
    info->operation = "execute_tool";
    return;
  }
  if (id.ends_with(".doEmbed")) {
    info->kind = LlmSpanKind::kEmbedding;
    info->operation = "embeddings";
  } else if (id.ends_with(".doGenerate") || id.ends_with(".doStream")) {
    info->kind = LlmSpanKind::kLlm;
    info->operation = "chat";
  } else if (!id.empty()) {
    info->kind = LlmSpanKind::kChain;
    info->operation = std::string(id);
  }
  if (id.starts_with("stream") && !info->params.stream) info->params.stream = true;
}

void ReadInput(const model::Attributes& attrs, model::LlmInfo* info) {
  // doGenerate/doStream: the provider-level prompt; outer spans: {system, prompt, messages}.
  for (std::string_view key : {"ai.prompt.messages", "ai.prompt"}) {
    const AnyValue* value = model::FindAttribute(attrs, key);
    if (value == nullptr) continue;
    if (ReadValueAsMessages(*value, "user", &info->input_messages)) return;
  }
  if (const AnyValue* value = model::FindAttribute(attrs, "ai.value")) {  // embed
    ReadValueAsMessages(*value, "user", &info->input_messages);
  }
  if (const AnyValue* values = model::FindAttribute(attrs, "ai.values")) {  // embedMany
    if (values->type == model::ValueType::kArray) {
      for (const AnyValue& value : values->array_value) {
        if (info->input_messages.size() >= kMaxMessages) break;
        ReadValueAsMessages(value, "user", &info->input_messages);
      }
    }
  }
}

void ReadOutput(const model::Attributes& attrs, model::LlmInfo* info) {
  Message message;
  message.role = "assistant";
  if (const AnyValue* reasoning = model::FindAttribute(attrs, "ai.response.reasoning")) {
    if (std::string text = AsString(*reasoning); !text.empty()) {
      MessagePart part;
      part.type = PartType::kReasoning;
      part.text = std::move(text);
      message.parts.push_back(std::move(part));
    }
  }
  for (std::string_view key : {"ai.response.text", "ai.response.object"}) {
    const AnyValue* value = model::FindAttribute(attrs, key);
    if (value == nullptr) continue;
    if (std::string text = AsString(*value); !text.empty()) {
      MessagePart part;
      part.text = std::move(text);
      message.parts.push_back(std::move(part));
      break;
    }
  }
  if (const AnyValue* calls = model::FindAttribute(attrs, "ai.response.toolCalls")) {
    if (std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*calls)) {
      ReadToolCalls(doc->root(), &message.parts);
    }
  }
  if (message.parts.empty()) return;
  if (!info->finish_reasons.empty()) message.finish_reason = info->finish_reasons.front();
  info->output_messages.push_back(std::move(message));
}

// AI SDK 4 and 5 report Anthropic cache writes (and OpenAI's cache and reasoning counts) only
// in the provider metadata.
// ai.response.providerMetadata: the provider's own extras — cache counts for Anthropic and
// OpenAI, and for OpenAI the per-token logprobs (in OpenAI's token-entry form) when the call
// asked for them.
void ReadProviderMetadata(const model::Attributes& attrs, model::LlmInfo* info) {
  model::TokenUsage* usage = &info->usage;
  const AnyValue* value = model::FindAttribute(attrs, "ai.response.providerMetadata");
  if (value == nullptr) return;
  std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*value);
  if (!doc) return;
  auto fill = [](std::optional<int64_t>* field, std::optional<int64_t> v) {
    if (!field->has_value() && v && *v >= 0) *field = v;
  };
  simdjson::dom::element provider;
  if (doc->root().at_key("anthropic").get(provider) == simdjson::SUCCESS) {
    fill(&usage->cache_creation_input_tokens, IntField(provider, "cacheCreationInputTokens"));
    fill(&usage->cache_read_input_tokens, IntField(provider, "cacheReadInputTokens"));
    simdjson::dom::element raw;
    if (provider.at_key("usage").get(raw) == simdjson::SUCCESS) {
      fill(&usage->cache_creation_input_tokens, IntField(raw, "cache_creation_input_tokens"));
      fill(&usage->cache_read_input_tokens, IntField(raw, "cache_read_input_tokens"));
    }
  }
  if (doc->root().at_key("openai").get(provider) == simdjson::SUCCESS) {
    fill(&usage->cache_read_input_tokens, IntField(provider, "cachedPromptTokens"));
    fill(&usage->reasoning_tokens, IntField(provider, "reasoningTokens"));
    simdjson::dom::element logprobs;
    if (info->logprobs.empty() && provider.at_key("logprobs").get(logprobs) == simdjson::SUCCESS) {
      ReadLogprobs(logprobs, &info->logprobs);
    }
  }
}

}  // namespace

bool IsVercelAiMarker(std::string_view key) {
  if (key == "ai.operationId" || key == "ai.model.id" || key == "ai.model.provider") return true;
  static constexpr std::string_view kPrefixes[] = {
      "ai.toolCall.", "ai.usage.", "ai.prompt", "ai.response.", "ai.settings.",
  };
  for (std::string_view prefix : kPrefixes) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void ReadVercelAi(const NormalizeInput& input, Draft* draft) {
  const model::Attributes& attrs = input.span.attributes;
  model::LlmInfo& info = draft->info;
  Table().Apply(attrs, draft);
  if (const AnyValue* id = model::FindAttribute(attrs, "ai.operationId")) {
    ReadOperation(AsString(*id), &info);
  }
  ReadInput(attrs, &info);
  ReadOutput(attrs, &info);
  ReadProviderMetadata(attrs, &info);

  // AI SDK 6 reports cache-inclusive input with a breakdown under ai.usage.inputTokenDetails;
  // earlier versions pass the provider's own count through (cache-exclusive for Anthropic).
  bool has_details = false;
  for (const model::KeyValue& kv : attrs) {
    if (kv.key.rfind("ai.usage.inputTokenDetails.", 0) == 0) has_details = true;
  }
  draft->input_mode =
      has_details ? InputTokenMode::kInclusive : InputTokenMode::kExclusiveIfAnthropic;
}

}  // namespace tokenscope::semconv::internal
