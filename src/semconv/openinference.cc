// Arize OpenInference (conventions.md B; openinference-semantic-conventions 0.1.x).
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
      {"llm.provider", Field::kProvider},
      {"llm.system", Field::kProvider},
      {"llm.request.model_name", Field::kRequestModel},
      {"llm.model_name", Field::kRequestModel},
      {"embedding.model_name", Field::kRequestModel},
      {"reranker.model_name", Field::kRequestModel},
      {"llm.response.model_name", Field::kResponseModel},
      {"llm.token_count.prompt", Field::kInputTokens},
      {"llm.token_count.completion", Field::kOutputTokens},
      {"llm.token_count.total", Field::kTotalTokens},
      {"llm.token_count.prompt_details.cache_read", Field::kCacheReadTokens},
      {"llm.token_count.prompt_details.cache_write", Field::kCacheCreationTokens},
      {"llm.token_count.completion_details.reasoning", Field::kReasoningTokens},
      {"llm.finish_reason", Field::kFinishReasons},
      {"session.id", Field::kSessionId},
      {"user.id", Field::kUserId},
      {"tag.tags", Field::kTags},
      {"llm.prompt_template.version", Field::kPromptVersion},
      {"tool.name", Field::kToolName},
      {"tool_call.function.name", Field::kToolName},
      {"tool_call.id", Field::kToolCallId},
      {"tool.call_id", Field::kToolCallId},
      {"tool.id", Field::kToolCallId},
      {"tool_call.function.arguments", Field::kToolArguments},
  });
  return table;
}

struct KindEntry {
  std::string_view span_kind;  // upper case, as the spec spells it
  LlmSpanKind kind;
  std::string_view operation;
};

constexpr KindEntry kKinds[] = {
    {"LLM", LlmSpanKind::kLlm, "chat"},
    {"EMBEDDING", LlmSpanKind::kEmbedding, "embeddings"},
    {"RETRIEVER", LlmSpanKind::kRetrieval, "retrieval"},
    {"RERANKER", LlmSpanKind::kRerank, "rerank"},
    {"TOOL", LlmSpanKind::kTool, "execute_tool"},
    {"AGENT", LlmSpanKind::kAgent, "invoke_agent"},
    {"CHAIN", LlmSpanKind::kChain, ""},
    {"GUARDRAIL", LlmSpanKind::kGuardrail, ""},
    {"EVALUATOR", LlmSpanKind::kEvaluator, ""},
};

std::string StringOf(const AnyValue* value) {
  return value ? AsString(*value) : std::string();
}

// A tool call nested in a flattened message: "tool_call.id", "tool_call.function.name", ...
MessagePart ToolCallFromGroup(const IndexedGroup& group) {
  MessagePart part;
  part.type = PartType::kToolCall;
  part.tool_call_id = StringOf(group.Find("tool_call.id"));
  part.tool_name = StringOf(group.Find("tool_call.function.name"));
  if (const AnyValue* args = group.Find("tool_call.function.arguments")) {
    part.arguments = args->type == model::ValueType::kString ? std::string(args->string_value)
                                                             : AnyValueToJson(*args);
  }
  return part;
}

// "message_content.type" / ".text" / ".image.image.url" of one content item.
void ContentFromGroup(const IndexedGroup& group, std::vector<MessagePart>* parts) {
  const std::string type = ToLower(StringOf(group.Find("message_content.type")));
  MessagePart part;
  if (type == "image") {
    part.type = PartType::kImage;
    part.uri = StringOf(group.Find("message_content.image.image.url"));
  } else {
    part.type = type == "reasoning" ? PartType::kReasoning : PartType::kText;
    part.text = StringOf(group.Find("message_content.text"));
    if (part.text.empty()) return;
  }
  parts->push_back(std::move(part));
}

// One flattened message: "message.role", "message.content", "message.contents.J...",
// "message.tool_calls.K...", "message.tool_call_id", "message.name", function calls.
Message MessageFromGroup(const IndexedGroup& group) {
  Message message;
  message.role = ToLower(Trim(StringOf(group.Find("message.role"))));
  message.name = StringOf(group.Find("message.name"));
  for (const IndexedGroup& item :
       CollectIndexed(group.entries, "message.contents.", kMaxPartsPerMessage)) {
    ContentFromGroup(item, &message.parts);
  }
  if (message.parts.empty()) {
    if (const AnyValue* content = group.Find("message.content")) {
      std::string text = AsString(*content);
      if (!text.empty()) {
        MessagePart part;
        part.text = std::move(text);
        message.parts.push_back(std::move(part));
      }
    }
  }
  for (const IndexedGroup& call :
       CollectIndexed(group.entries, "message.tool_calls.", kMaxPartsPerMessage)) {
    message.parts.push_back(ToolCallFromGroup(call));
  }
  if (std::string name = StringOf(group.Find("message.function_call_name")); !name.empty()) {
    MessagePart part;
    part.type = PartType::kToolCall;
    part.tool_name = std::move(name);
    part.arguments = StringOf(group.Find("message.function_call_arguments_json"));
    message.parts.push_back(std::move(part));
  }
  if (message.role == "tool" || message.role == "function") {
    const std::string call_id = StringOf(group.Find("message.tool_call_id"));
    for (MessagePart& part : message.parts) {
      if (part.type == PartType::kText) {
        part.type = PartType::kToolResult;
        part.tool_call_id = call_id;
      }
    }
  }
  return message;
}

void ReadFlattenedMessages(const model::Attributes& attrs, std::string_view prefix,
                           std::vector<Message>* out) {
  for (const IndexedGroup& group : CollectIndexed(attrs, prefix, kMaxMessages)) {
    out->push_back(MessageFromGroup(group));
  }
}

// Legacy completions: llm.prompts as a list of strings (or "llm.prompts.N.prompt.text"), and
// "llm.choices.N.completion.text".
void ReadLegacyPrompts(const model::Attributes& attrs, model::LlmInfo* info) {
  auto add = [](std::string_view role, std::string text, std::vector<Message>* out) {
    if (text.empty() || out->size() >= kMaxMessages) return;
    Message message;
    message.role = std::string(role);
    MessagePart part;
    part.text = std::move(text);
    message.parts.push_back(std::move(part));
    out->push_back(std::move(message));
  };
  if (info->input_messages.empty()) {
    if (const AnyValue* prompts = model::FindAttribute(attrs, "llm.prompts")) {
      for (std::string& prompt : AsStringList(*prompts))
        add("user", std::move(prompt), &info->input_messages);
    }
    for (const IndexedGroup& group : CollectIndexed(attrs, "llm.prompts.", kMaxMessages)) {
      add("user", StringOf(group.Find("prompt.text")), &info->input_messages);
    }
  }
  if (info->output_messages.empty()) {
    for (const IndexedGroup& group : CollectIndexed(attrs, "llm.choices.", kMaxMessages)) {
      add("assistant", StringOf(group.Find("completion.text")), &info->output_messages);
    }
  }
}

std::vector<model::Document> ReadFlattenedDocuments(const model::Attributes& attrs,
                                                    std::string_view prefix) {
  std::vector<model::Document> documents;
  for (const IndexedGroup& group : CollectIndexed(attrs, prefix, kMaxDocuments)) {
    model::Document document;
    document.id = StringOf(group.Find("document.id"));
    document.content = StringOf(group.Find("document.content"));
    if (const AnyValue* score = group.Find("document.score")) document.score = AsDouble(*score);
    documents.push_back(std::move(document));
  }
  return documents;
}

// Rerankers: input documents keep their retrieval score, output documents get the reranker's
// score; documents are matched by id so each side shows the score before and after.
void ReadRerankerDocuments(const model::Attributes& attrs, model::LlmInfo* info) {
  std::vector<model::Document> inputs = ReadFlattenedDocuments(attrs, "reranker.input_documents.");
  std::vector<model::Document> outputs =
      ReadFlattenedDocuments(attrs, "reranker.output_documents.");
  if (inputs.empty() && outputs.empty()) return;
  for (model::Document& out : outputs) {
    out.output_score = out.score;
    out.score.reset();
    if (out.id.empty()) continue;
    for (model::Document& in : inputs) {
      if (in.id != out.id) continue;
      out.score = in.score;
      in.output_score = out.output_score;
      if (out.content.empty()) out.content = in.content;
      break;
    }
  }
  info->documents = std::move(inputs);
  info->output_documents = std::move(outputs);
}

void ReadParamsAttribute(const model::Attributes& attrs, std::string_view key,
                         model::LlmInfo* info) {
  const AnyValue* value = model::FindAttribute(attrs, key);
  if (value == nullptr) return;
  std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*value);
  if (!doc) return;
  std::string model;
  ReadParams(doc->root(), &info->params, &model);
  if (info->request_model.empty()) info->request_model = std::move(model);
}

// input.mime_type / output.mime_type: "application/json" declares JSON; otherwise either.
ValueFormat FormatOf(const model::Attributes& attrs, std::string_view key) {
  const AnyValue* mime = model::FindAttribute(attrs, key);
  return mime != nullptr && AsString(*mime) == "application/json" ? ValueFormat::kJson
                                                                  : ValueFormat::kAuto;
}

}  // namespace

bool IsOpenInferenceMarker(std::string_view key) {
  static constexpr std::string_view kPrefixes[] = {
      "openinference.span.kind",
      "llm.token_count.",
      "llm.input_messages",
      "llm.output_messages",
      "llm.model_name",
      "llm.invocation_parameters",
      "llm.provider",
      "llm.system",
      "retrieval.documents.",
      "reranker.",
      "embedding.model_name",
  };
  for (std::string_view prefix : kPrefixes) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void ReadOpenInference(const NormalizeInput& input, Draft* draft) {
  const model::Attributes& attrs = input.span.attributes;
  model::LlmInfo& info = draft->info;
  Table().Apply(attrs, draft);

  if (const AnyValue* kind = model::FindAttribute(attrs, "openinference.span.kind")) {
    std::string upper(Trim(AsString(*kind)));
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    for (const KindEntry& entry : kKinds) {
      if (entry.span_kind != upper) continue;
      info.kind = entry.kind;
      info.operation = std::string(entry.operation);
    }
  }
  ReadParamsAttribute(attrs, "llm.invocation_parameters", &info);
  ReadParamsAttribute(attrs, "embedding.invocation_parameters", &info);

  ReadFlattenedMessages(attrs, "llm.input_messages.", &info.input_messages);
  ReadFlattenedMessages(attrs, "llm.output_messages.", &info.output_messages);
  const bool legacy_prompts = model::FindAttribute(attrs, "llm.prompts") != nullptr ||
                              !CollectIndexed(attrs, "llm.prompts.", 1).empty();
  ReadLegacyPrompts(attrs, &info);
  if (info.kind == LlmSpanKind::kLlm && legacy_prompts) info.operation = "text_completion";

  info.documents = ReadFlattenedDocuments(attrs, "retrieval.documents.");
  if (info.documents.empty()) ReadRerankerDocuments(attrs, &info);

  const AnyValue* input_value = model::FindAttribute(attrs, "input.value");
  const AnyValue* output_value = model::FindAttribute(attrs, "output.value");
  const ValueFormat input_format = FormatOf(attrs, "input.mime_type");
  const ValueFormat output_format = FormatOf(attrs, "output.mime_type");
  switch (info.kind) {
    case LlmSpanKind::kTool: {
      model::ToolCall& tool = MutableTool(&info);
      const AnyValue* args =
          input_value ? input_value : model::FindAttribute(attrs, "tool.parameters");
      if (tool.arguments.empty() && args != nullptr) SetField(Field::kToolArguments, *args, draft);
      if (output_value != nullptr) SetField(Field::kToolResult, *output_value, draft);
      break;
    }
    case LlmSpanKind::kRerank:
      if (const AnyValue* query = model::FindAttribute(attrs, "reranker.query")) {
        ReadValueAsMessages(*query, "user", &info.input_messages);
      }
      break;
    case LlmSpanKind::kLlm:
    case LlmSpanKind::kEmbedding:
    case LlmSpanKind::kAgent:
      // input.value is the request body (or the agent's question), output.value the response.
      if (info.input_messages.empty() && input_value != nullptr) {
        ReadValueAsMessages(*input_value, "user", &info.input_messages, input_format);
      }
      if (output_value != nullptr && info.kind != LlmSpanKind::kEmbedding) {
        model::LlmInfo response;
        ReadValueAsResponse(*output_value, &response, output_format);
        if (info.output_messages.empty())
          info.output_messages = std::move(response.output_messages);
        if (info.finish_reasons.empty()) info.finish_reasons = std::move(response.finish_reasons);
        info.logprobs = std::move(response.logprobs);
      }
      break;
    default:
      break;
  }
  draft->input_mode = InputTokenMode::kInclusive;
}

}  // namespace tokenscope::semconv::internal
