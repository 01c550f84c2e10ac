// Readers for free-form input/output values shared by the conventions (conventions.h).
#include <algorithm>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

// JSON objects, arrays and string literals (SDKs that JSON-serialize every value turn "hi"
// into "\"hi\""); other text is not JSON.
std::optional<JsonDocument> ParseIfJson(const model::AnyValue& value) {
  if (value.type == model::ValueType::kString) {
    const std::string_view text = Trim(value.string_value);
    if (!LooksLikeJson(text) && !(text.size() >= 2 && text.front() == '"' && text.back() == '"')) {
      return std::nullopt;
    }
  }
  return JsonDocument::FromAttribute(value);
}

void AddTextMessage(std::string_view role, std::string_view text,
                    std::vector<model::Message>* out) {
  if (Trim(text).empty() || out->size() >= kMaxMessages) return;
  model::Message message;
  message.role = std::string(role);
  model::MessagePart part;
  part.text = std::string(text);
  message.parts.push_back(std::move(part));
  out->push_back(std::move(message));
}

}  // namespace

bool ReadValueAsMessages(const model::AnyValue& value, std::string_view role,
                         std::vector<model::Message>* out, ValueFormat format) {
  const size_t before = out->size();
  if (std::optional<JsonDocument> doc = ParseIfJson(value)) {
    ReadMessages(doc->root(), role, out);
    return out->size() > before;
  }
  if (value.type == model::ValueType::kString && format == ValueFormat::kAuto) {
    AddTextMessage(role, value.string_value, out);
  }
  return out->size() > before;
}

bool ReadValueAsResponse(const model::AnyValue& value, model::LlmInfo* info, ValueFormat format) {
  if (std::optional<JsonDocument> doc = ParseIfJson(value)) {
    std::vector<std::string> reasons;
    const bool found = ReadResponseOutput(doc->root(), &info->output_messages, &reasons);
    if (info->finish_reasons.empty()) info->finish_reasons = std::move(reasons);
    if (info->logprobs.empty()) ReadLogprobs(doc->root(), &info->logprobs);
    return found;
  }
  if (value.type != model::ValueType::kString || format == ValueFormat::kJson) return false;
  const size_t before = info->output_messages.size();
  AddTextMessage("assistant", value.string_value, &info->output_messages);
  return info->output_messages.size() > before;
}

void ReadTextOrBlocks(std::string_view text, std::vector<model::MessagePart>* parts) {
  if (Trim(text).empty()) return;
  if (Trim(text).front() == '[') {
    if (std::optional<JsonDocument> doc = JsonDocument::Parse(text)) {
      simdjson::dom::array blocks;
      bool typed = doc->root().get_array().get(blocks) == simdjson::SUCCESS && blocks.size() > 0;
      if (typed) {
        for (simdjson::dom::element block : blocks) {
          typed = typed && StringField(block, "type").has_value();
        }
      }
      if (typed) {
        ReadParts(doc->root(), parts);
        return;
      }
    }
  }
  model::MessagePart part;
  part.text = std::string(text);
  parts->push_back(std::move(part));
}

}  // namespace tokenscope::semconv::internal
