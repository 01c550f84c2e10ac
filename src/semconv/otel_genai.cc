// OTel GenAI semantic conventions, every generation (conventions.md A).
#include <algorithm>
#include <utility>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::Event;
using model::Message;

const AttributeTable& Table() {
  // New names before their deprecated aliases.
  static const AttributeTable table({
      {"gen_ai.operation.name", Field::kOperation},
      {"gen_ai.provider.name", Field::kProvider},
      {"gen_ai.system", Field::kProvider},
      {"gen_ai.request.model", Field::kRequestModel},
      {"gen_ai.response.model", Field::kResponseModel},
      {"gen_ai.request.temperature", Field::kTemperature},
      {"gen_ai.request.top_p", Field::kTopP},
      {"gen_ai.request.top_k", Field::kTopK},
      {"gen_ai.request.max_tokens", Field::kMaxTokens},
      {"gen_ai.request.frequency_penalty", Field::kFrequencyPenalty},
      {"gen_ai.request.presence_penalty", Field::kPresencePenalty},
      {"gen_ai.request.seed", Field::kSeed},
      {"gen_ai.openai.request.seed", Field::kSeed},
      {"gen_ai.request.stream", Field::kStream},
      {"gen_ai.request.stop_sequences", Field::kStopSequences},
      {"gen_ai.usage.input_tokens", Field::kInputTokens},
      {"gen_ai.usage.prompt_tokens", Field::kInputTokens},
      {"gen_ai.usage.output_tokens", Field::kOutputTokens},
      {"gen_ai.usage.completion_tokens", Field::kOutputTokens},
      {"gen_ai.usage.cache_read.input_tokens", Field::kCacheReadTokens},
      {"gen_ai.usage.cache_read_input_tokens", Field::kCacheReadTokens},
      {"gen_ai.usage.cache_creation.input_tokens", Field::kCacheCreationTokens},
      {"gen_ai.usage.cache_creation_input_tokens", Field::kCacheCreationTokens},
      {"gen_ai.usage.reasoning.output_tokens", Field::kReasoningTokens},
      {"gen_ai.usage.reasoning_tokens", Field::kReasoningTokens},
      {"gen_ai.usage.total_tokens", Field::kTotalTokens},
      {"gen_ai.response.finish_reasons", Field::kFinishReasons},
      {"gen_ai.conversation.id", Field::kConversationId},
      {"gen_ai.prompt.name", Field::kPromptName},
      {"gen_ai.tool.name", Field::kToolName},
      {"gen_ai.tool.call.id", Field::kToolCallId},
      {"gen_ai.tool.call.arguments", Field::kToolArguments},
      {"gen_ai.tool.call.result", Field::kToolResult},
      {"gen_ai.response.time_to_first_chunk", Field::kTimeToFirstTokenSeconds},
  });
  return table;
}

constexpr std::string_view kInferenceDetailsEvent = "gen_ai.client.inference.operation.details";

// Message content the span may carry, newest generation first; the first non-empty wins.
struct Content {
  std::vector<Message> system;
  std::vector<Message> input;
  std::vector<Message> output;
};

// gen_ai.system_instructions / input.messages / output.messages (>= 1.37), on the span or on
// the operation-details event, as JSON text or structured values.
void ReadMessageAttributes(const model::Attributes& attrs, Content* content) {
  for (const model::KeyValue& kv : attrs) {
    std::vector<Message>* target = nullptr;
    if (kv.key == "gen_ai.system_instructions") target = &content->system;
    if (kv.key == "gen_ai.input.messages") target = &content->input;
    if (kv.key == "gen_ai.output.messages") target = &content->output;
    if (target == nullptr || !target->empty()) continue;
    std::optional<JsonDocument> doc = JsonDocument::FromAttribute(kv.value);
    if (!doc) continue;
    if (target == &content->system) {
      ReadSystemInstructions(doc->root(), target);
    } else {
      ReadMessages(doc->root(), target == &content->input ? "user" : "assistant", target);
    }
  }
}

// The role a 1.28-1.36 per-message event implies, or empty for other events.
std::string_view RoleOfMessageEvent(std::string_view name) {
  if (name == "gen_ai.system.message") return "system";
  if (name == "gen_ai.user.message") return "user";
  if (name == "gen_ai.assistant.message") return "assistant";
  if (name == "gen_ai.tool.message") return "tool";
  if (name == "gen_ai.choice") return "assistant";
  return {};
}

// The body of a per-message event as JSON. Log-based events keep it in the LogRecord body;
// SDKs that record them as span events carry it either whole (Azure AI Inference:
// "gen_ai.event.content" as JSON text; bridges: "body" / "event.body") or field by field as
// event attributes (content, role, tool_calls, id, index, finish_reason, message).
std::string EventBodyJson(const Event& event) {
  for (std::string_view key : {"gen_ai.event.content", "event.body", "body"}) {
    if (const AnyValue* body = model::FindAttribute(event.attributes, key)) {
      if (body->type == model::ValueType::kString) return std::string(body->string_value);
      if (body->type == model::ValueType::kKvList) return AnyValueToJson(*body);
    }
  }
  std::string json = "{";
  bool first = true;
  for (const model::KeyValue& kv : event.attributes) {
    // gen_ai.system / gen_ai.provider.name and event.name are common attributes, not body.
    if (kv.key.rfind("gen_ai.", 0) == 0 || kv.key == "event.name") continue;
    if (!first) json.push_back(',');
    first = false;
    AppendJsonString(kv.key, &json);
    json.push_back(':');
    // tool_calls and message are structures; some SDKs flatten them to JSON text.
    const bool structured_key = kv.key == "tool_calls" || kv.key == "message";
    if (structured_key && kv.value.type == model::ValueType::kString &&
        LooksLikeJson(kv.value.string_value) && JsonDocument::Parse(kv.value.string_value)) {
      json.append(kv.value.string_value);
    } else {
      json += AnyValueToJson(kv.value, static_cast<int>(kMaxJsonDepth) - 2);
    }
  }
  json.push_back('}');
  return json;
}

struct IndexedMessage {
  int64_t index;
  size_t order;
  Message message;
};

void ReadEvents(const model::Span& span, Draft* draft, Content* details, Content* per_message,
                Content* legacy) {
  std::vector<IndexedMessage> choices;
  for (const Event& event : span.events) {
    if (event.name == kInferenceDetailsEvent) {
      Table().Apply(event.attributes, draft);  // repeats request/response/usage attributes
      ReadMessageAttributes(event.attributes, details);
      continue;
    }
    if (event.name == "gen_ai.content.prompt" || event.name == "gen_ai.content.completion") {
      const bool prompt = event.name == "gen_ai.content.prompt";
      const AnyValue* value =
          model::FindAttribute(event.attributes, prompt ? "gen_ai.prompt" : "gen_ai.completion");
      std::vector<Message>* target = prompt ? &legacy->input : &legacy->output;
      if (value == nullptr || !target->empty()) continue;
      // JSON text by the spec; some SDKs put the bare prompt text there instead.
      const bool plain_text =
          value->type == model::ValueType::kString && !LooksLikeJson(value->string_value);
      ReadValueAsMessages(*value, prompt ? "user" : "assistant", target,
                          plain_text ? ValueFormat::kAuto : ValueFormat::kJson);
      continue;
    }
    const std::string_view role = RoleOfMessageEvent(event.name);
    if (role.empty()) continue;
    std::optional<JsonDocument> doc = JsonDocument::Parse(EventBodyJson(event));
    Message message;
    if (!doc || !ReadMessage(doc->root(), role, &message)) continue;
    if (event.name == "gen_ai.choice") {
      const AnyValue* index = model::FindAttribute(event.attributes, "index");
      std::optional<int64_t> i = index ? AsInt(*index) : std::nullopt;
      if (!i) i = IntField(doc->root(), "index");
      if (choices.size() < kMaxMessages) {
        choices.push_back({i.value_or(0), choices.size(), std::move(message)});
      }
    } else if (per_message->input.size() < kMaxMessages) {
      per_message->input.push_back(std::move(message));
    }
  }
  std::stable_sort(
      choices.begin(), choices.end(),
      [](const IndexedMessage& a, const IndexedMessage& b) { return a.index < b.index; });
  for (IndexedMessage& choice : choices) per_message->output.push_back(std::move(choice.message));
}

void TakeFirstNonEmpty(std::initializer_list<std::vector<Message>*> sources,
                       std::vector<Message>* out) {
  for (std::vector<Message>* source : sources) {
    if (!source->empty()) {
      *out = std::move(*source);
      return;
    }
  }
}

}  // namespace

bool IsOtelGenAiMarker(std::string_view key) {
  return key.rfind("gen_ai.", 0) == 0;
}
bool IsOtelGenAiMarkerEvent(std::string_view name) {
  return name.rfind("gen_ai.", 0) == 0;
}

void ReadOtelGenAi(const NormalizeInput& input, Draft* draft) {
  model::LlmInfo& info = draft->info;
  Table().Apply(input.span.attributes, draft);

  Content on_span, details, per_message, legacy;
  ReadMessageAttributes(input.span.attributes, &on_span);
  ReadEvents(input.span, draft, &details, &per_message, &legacy);
  TakeFirstNonEmpty({&on_span.system, &details.system}, &info.system_instructions);
  TakeFirstNonEmpty({&on_span.input, &details.input, &per_message.input, &legacy.input},
                    &info.input_messages);
  TakeFirstNonEmpty({&on_span.output, &details.output, &per_message.output, &legacy.output},
                    &info.output_messages);

  if (const AnyValue* docs =
          model::FindAttribute(input.span.attributes, "gen_ai.retrieval.documents")) {
    if (std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*docs)) {
      ReadDocuments(doc->root(), &info.documents);
    }
  }
  info.kind = KindForOperation(info.operation);
  // Inclusive since 1.40; older Anthropic instrumentations are caught by usage.h's check.
  draft->input_mode = InputTokenMode::kInclusive;
}

}  // namespace tokenscope::semconv::internal
