#include "semconv/json_content.h"

#include <cmath>
#include <limits>
#include <utility>

#include "semconv/coerce.h"

namespace tokenscope::semconv::internal {
namespace {

using model::Message;
using model::MessagePart;
using model::PartType;
using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool Field(element e, std::string_view key, element* out) {
  return e.at_key(key).get(*out) == SUCCESS;
}

// The elements of an array, or nothing when `e` is not an array.
class Items {
 public:
  explicit Items(element e) : ok_(e.get_array().get(array_) == SUCCESS) {}
  array::iterator begin() const { return ok_ ? array_.begin() : array::iterator(); }
  array::iterator end() const { return ok_ ? array_.end() : array::iterator(); }

 private:
  array array_;
  bool ok_;
};

// The members of an object, or nothing when `e` is not an object.
std::vector<simdjson::dom::key_value_pair> Members(element e) {
  std::vector<simdjson::dom::key_value_pair> members;
  object obj;
  if (e.get_object().get(obj) != SUCCESS) return members;
  for (simdjson::dom::key_value_pair member : obj) members.push_back(member);
  return members;
}

// The first of `keys` present in `e` with a non-null value.
bool FirstField(element e, std::initializer_list<std::string_view> keys, element* out) {
  for (std::string_view key : keys) {
    if (Field(e, key, out) && !out->is_null()) return true;
  }
  return false;
}

std::string FirstString(element e, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (std::optional<std::string_view> s = StringField(e, key); s && !s->empty()) {
      return std::string(*s);
    }
  }
  return {};
}

// A numeric JSON value (or a numeric string) as a double.
std::optional<double> AsNumber(element e) {
  switch (e.type()) {
    case element_type::INT64: {
      int64_t v = 0;
      if (e.get_int64().get(v) == SUCCESS) return static_cast<double>(v);
      return std::nullopt;
    }
    case element_type::UINT64: {
      uint64_t v = 0;
      if (e.get_uint64().get(v) == SUCCESS) return static_cast<double>(v);
      return std::nullopt;
    }
    case element_type::DOUBLE: {
      double v = 0;
      if (e.get_double().get(v) == SUCCESS && std::isfinite(v)) return v;
      return std::nullopt;
    }
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) == SUCCESS) return ParseDouble(s);
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> AsInteger(element e) {
  if (e.type() == element_type::INT64) {
    int64_t v = 0;
    if (e.get_int64().get(v) == SUCCESS) return v;
  }
  if (e.type() == element_type::STRING) {
    std::string_view s;
    if (e.get_string().get(s) == SUCCESS) return ParseInt(s);
  }
  std::optional<double> d = AsNumber(e);
  if (!d) return std::nullopt;
  return DoubleToInt(*d);
}

std::optional<bool> AsBoolean(element e) {
  bool b = false;
  if (e.get_bool().get(b) == SUCCESS) return b;
  std::string_view s;
  if (e.get_string().get(s) == SUCCESS) {
    const std::string lower = ToLower(Trim(s));
    if (lower == "true") return true;
    if (lower == "false") return false;
  }
  return std::nullopt;
}

// Token counts are never negative; saturate rather than overflow when adding them up.
int64_t AddCounts(int64_t a, int64_t b) {
  if (b > std::numeric_limits<int64_t>::max() - a) return std::numeric_limits<int64_t>::max();
  return a + b;
}

std::optional<int64_t> CountField(element e, std::string_view key) {
  std::optional<int64_t> v = IntField(e, key);
  if (v && *v < 0) return std::nullopt;
  return v;
}

std::optional<int64_t> NestedCount(element e, std::string_view outer, std::string_view inner) {
  element nested;
  if (!Field(e, outer, &nested) || !nested.is_object()) return std::nullopt;
  return CountField(nested, inner);
}

std::string NormalizeRole(std::string_view role) {
  std::string lower = ToLower(Trim(role));
  if (lower == "model" || lower == "ai" || lower == "bot" || lower == "chatbot") return "assistant";
  if (lower == "human") return "user";
  return lower;
}

// Text of a tool result or nested content: strings as they are, arrays of text blocks joined
// with newlines, Vercel's {type, value} outputs by their value, anything else as JSON.
std::string ResultText(element e) {
  if (e.is_string()) return PayloadText(e);
  if (e.is_array()) {
    std::string text;
    bool all_text = true;
    for (element block : Items(e)) {
      std::string piece;
      if (block.is_string()) {
        piece = PayloadText(block);
      } else if (std::optional<std::string_view> t = StringField(block, "text")) {
        piece = std::string(*t);
      } else {
        all_text = false;
        break;
      }
      if (!text.empty()) text.push_back('\n');
      text += piece;
    }
    return all_text ? text : PayloadText(e);
  }
  if (e.is_object()) {
    element value;
    if (StringField(e, "type") && Field(e, "value", &value)) return PayloadText(value);
  }
  return PayloadText(e);
}

MessagePart TextPart(PartType type, std::string text) {
  MessagePart part;
  part.type = type;
  part.text = std::move(text);
  return part;
}

MessagePart ToolCallPart(element e) {
  MessagePart part;
  part.type = PartType::kToolCall;
  part.tool_call_id = FirstString(e, {"id", "toolCallId", "call_id", "tool_call_id"});
  element function;
  if (Field(e, "function", &function) && function.is_object()) {
    part.tool_name = FirstString(function, {"name"});
    element args;
    if (FirstField(function, {"arguments", "args"}, &args)) part.arguments = PayloadText(args);
    return part;
  }
  part.tool_name = FirstString(e, {"name", "toolName", "tool_name"});
  element args;
  if (FirstField(e, {"arguments", "args", "input", "parameters"}, &args)) {
    part.arguments = PayloadText(args);
  }
  return part;
}

MessagePart ToolResultPart(element e) {
  MessagePart part;
  part.type = PartType::kToolResult;
  part.tool_call_id =
      FirstString(e, {"id", "tool_use_id", "toolCallId", "call_id", "tool_call_id"});
  part.tool_name = FirstString(e, {"toolName", "name", "tool_name"});
  element result;
  if (FirstField(e, {"response", "result", "content", "output"}, &result)) {
    part.text = ResultText(result);
  }
  return part;
}

// Images and other media (OTel blob/file/uri parts, OpenAI image_url, Anthropic and Vercel
// image parts). The uri is a URL, a file id, or for inline data just its mime type: the
// bytes themselves are not kept.
MessagePart MediaPart(element e, std::string_view type) {
  MessagePart part;
  const std::string modality = ToLower(FirstString(e, {"modality"}));
  std::string mime = FirstString(e, {"mime_type", "mimeType", "mediaType", "media_type"});
  element nested;
  if (Field(e, "image_url", &nested)) {
    part.uri = nested.is_string() ? PayloadText(nested) : FirstString(nested, {"url"});
  } else if (Field(e, "source", &nested) && nested.is_object()) {
    part.uri = FirstString(nested, {"url", "file_id"});
    if (mime.empty()) mime = FirstString(nested, {"media_type", "mime_type"});
  } else {
    part.uri = FirstString(e, {"uri", "url", "file_id", "fileId"});
    if (part.uri.empty() && type == "image") {
      // Vercel AI SDK: "image" holds a URL or base64 data; keep URLs only.
      std::string image = FirstString(e, {"image"});
      if (image.rfind("http://", 0) == 0 || image.rfind("https://", 0) == 0) part.uri = image;
    }
  }
  if (part.uri.empty()) part.uri = mime;
  const bool is_image = type == "image" || type == "image_url" || type == "input_image" ||
                        modality == "image" || mime.rfind("image/", 0) == 0;
  if (is_image) {
    part.type = PartType::kImage;
    return part;
  }
  // Audio, video, documents: describe the part without its (possibly huge) content.
  part.type = PartType::kOther;
  std::string summary = "{\"type\":";
  AppendJsonString(type, &summary);
  if (!modality.empty()) {
    summary += ",\"modality\":";
    AppendJsonString(modality, &summary);
  }
  if (!mime.empty()) {
    summary += ",\"mime_type\":";
    AppendJsonString(mime, &summary);
  }
  if (!part.uri.empty() && part.uri != mime) {
    summary += ",\"uri\":";
    AppendJsonString(part.uri, &summary);
  }
  summary += "}";
  part.text = std::move(summary);
  return part;
}

bool ReadPart(element e, std::vector<MessagePart>* out) {
  if (e.is_string()) {
    std::string text = PayloadText(e);
    if (text.empty()) return false;
    out->push_back(TextPart(PartType::kText, std::move(text)));
    return true;
  }
  if (!e.is_object()) return false;
  const std::string type = ToLower(FirstString(e, {"type"}));
  if (type == "text" || type == "input_text" || type == "output_text") {
    out->push_back(TextPart(PartType::kText, FirstString(e, {"text", "content"})));
    return true;
  }
  if (type == "reasoning" || type == "thinking" || type == "redacted_thinking") {
    out->push_back(TextPart(PartType::kReasoning, FirstString(e, {"content", "text", "thinking"})));
    return true;
  }
  if (type == "tool_call" || type == "tool_use" || type == "tool-call" || type == "function_call" ||
      type == "server_tool_call" || type == "server_tool_use" || type == "function") {
    out->push_back(ToolCallPart(e));
    return true;
  }
  if (type == "tool_call_response" || type == "tool_result" || type == "tool-result" ||
      type == "function_call_output" || type == "server_tool_call_response" ||
      type == "tool_response") {
    out->push_back(ToolResultPart(e));
    return true;
  }
  if (type == "image_url" || type == "image" || type == "input_image" || type == "blob" ||
      type == "file" || type == "uri" || type == "input_audio" || type == "audio" ||
      type == "document" || type == "input_file") {
    out->push_back(MediaPart(e, type));
    return true;
  }
  element nested;
  if (type.empty() && Field(e, "functionCall", &nested) && nested.is_object()) {  // Gemini
    out->push_back(ToolCallPart(nested));
    return true;
  }
  if (type.empty() && Field(e, "functionResponse", &nested) && nested.is_object()) {
    MessagePart part = ToolResultPart(nested);
    if (part.text.empty() && Field(nested, "response", &nested)) part.text = PayloadText(nested);
    out->push_back(std::move(part));
    return true;
  }
  if (std::optional<std::string_view> text = StringField(e, "text")) {
    out->push_back(TextPart(PartType::kText, std::string(*text)));
    return true;
  }
  out->push_back(TextPart(PartType::kOther, PayloadText(e)));
  return true;
}

bool IsToolRole(std::string_view role) {
  return role == "tool" || role == "function" || role == "ipython";
}

bool LooksLikeMessage(element e) {
  element ignored;
  return e.is_object() &&
         FirstField(e, {"role", "parts", "content", "tool_calls", "function_call", "message"},
                    &ignored);
}

void AddMessage(Message message, std::vector<Message>* out) {
  if (out->size() < kMaxMessages) out->push_back(std::move(message));
}

}  // namespace

std::optional<JsonDocument> JsonDocument::Parse(std::string_view text) {
  if (text.empty() || text.size() > kMaxJsonBytes) return std::nullopt;
  JsonDocument doc;
  doc.parser_ = std::make_unique<simdjson::dom::parser>(kMaxJsonBytes);
  // Fix the depth limit before the first parse; later capacity growth keeps it.
  if (doc.parser_->allocate(text.size(), kMaxJsonDepth) != SUCCESS) return std::nullopt;
  if (doc.parser_->parse(text.data(), text.size()).get(doc.root_) != SUCCESS) return std::nullopt;
  return doc;
}

std::optional<JsonDocument> JsonDocument::FromAttribute(const model::AnyValue& value) {
  switch (value.type) {
    case model::ValueType::kString:
      return Parse(value.string_value);
    case model::ValueType::kArray:
    case model::ValueType::kKvList:
      return Parse(AnyValueToJson(value, static_cast<int>(kMaxJsonDepth) - 1));
    default:
      return std::nullopt;
  }
}

bool LooksLikeJson(std::string_view text) {
  text = Trim(text);
  return !text.empty() && (text.front() == '{' || text.front() == '[');
}

std::optional<std::string_view> StringField(element object, std::string_view key) {
  std::string_view s;
  if (object.at_key(key).get_string().get(s) != SUCCESS) return std::nullopt;
  return s;
}

std::optional<double> NumberField(element object, std::string_view key) {
  element e;
  if (!Field(object, key, &e)) return std::nullopt;
  return AsNumber(e);
}

std::optional<int64_t> IntField(element object, std::string_view key) {
  element e;
  if (!Field(object, key, &e)) return std::nullopt;
  return AsInteger(e);
}

std::string PayloadText(element e) {
  if (e.is_null()) return {};
  std::string_view s;
  if (e.get_string().get(s) == SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

void ReadParts(element e, std::vector<MessagePart>* out) {
  if (e.is_array()) {
    for (element part : Items(e)) {
      if (out->size() >= kMaxPartsPerMessage) return;
      ReadPart(part, out);
    }
    return;
  }
  if (out->size() < kMaxPartsPerMessage) ReadPart(e, out);
}

void ReadToolCalls(element e, std::vector<MessagePart>* out) {
  if (!e.is_array()) return;
  for (element call : Items(e)) {
    if (out->size() >= kMaxPartsPerMessage) return;
    if (call.is_object()) out->push_back(ToolCallPart(call));
  }
}

bool ReadMessage(element e, std::string_view default_role, Message* out) {
  if (!LooksLikeMessage(e)) return false;
  element nested;
  if (Field(e, "message", &nested) && nested.is_object()) {
    // An OTel gen_ai.choice body or an OpenAI choice: {index, finish_reason, message}.
    if (!ReadMessage(nested, default_role, out)) out->role = std::string(default_role);
    if (std::string reason = FirstString(e, {"finish_reason", "finishReason"}); !reason.empty()) {
      out->finish_reason = std::move(reason);
    }
    if (Field(e, "tool_calls", &nested)) ReadToolCalls(nested, &out->parts);
    return true;
  }
  std::string role = NormalizeRole(FirstString(e, {"role"}));
  const bool has_role = !role.empty();
  out->role = has_role ? std::move(role) : std::string(default_role);
  out->name = FirstString(e, {"name"});
  out->finish_reason = FirstString(e, {"finish_reason", "stop_reason", "finishReason"});
  if (std::string reasoning = FirstString(e, {"reasoning_content"}); !reasoning.empty()) {
    out->parts.push_back(TextPart(PartType::kReasoning, std::move(reasoning)));
  }
  if (FirstField(e, {"parts", "content"}, &nested)) ReadParts(nested, &out->parts);
  if (out->parts.empty()) {
    if (std::string refusal = FirstString(e, {"refusal"}); !refusal.empty()) {
      out->parts.push_back(TextPart(PartType::kText, std::move(refusal)));
    }
  }
  if (Field(e, "tool_calls", &nested)) ReadToolCalls(nested, &out->parts);
  if (Field(e, "function_call", &nested) && nested.is_object()) {
    out->parts.push_back(ToolCallPart(nested));
  }
  if (IsToolRole(out->role)) {
    // OpenAI tool messages carry the call id beside plain content; OTel tool events call it id.
    const std::string call_id = FirstString(e, {"tool_call_id", "id", "toolCallId"});
    bool has_result = false;
    for (MessagePart& part : out->parts) {
      if (part.type == PartType::kText) part.type = PartType::kToolResult;
      if (part.type == PartType::kToolResult) {
        if (part.tool_call_id.empty()) part.tool_call_id = call_id;
        has_result = true;
      }
    }
    if (!has_result && !call_id.empty()) {
      MessagePart part;
      part.type = PartType::kToolResult;
      part.tool_call_id = call_id;
      out->parts.push_back(std::move(part));
    }
  }
  // Nothing recognisable (e.g. {"content": null}, or a "message" that is not an object).
  return has_role || !out->parts.empty() || !out->finish_reason.empty() || !out->name.empty();
}

bool ReadMessages(element e, std::string_view default_role, std::vector<Message>* out) {
  const size_t before = out->size();
  if (e.is_array()) {
    for (element item : Items(e)) {
      if (out->size() >= kMaxMessages) break;
      Message message;
      if (item.is_string()) {
        message.role = std::string(default_role);
        ReadParts(item, &message.parts);
        AddMessage(std::move(message), out);
      } else if (ReadMessage(item, default_role, &message)) {
        AddMessage(std::move(message), out);
      }
    }
    return out->size() > before;
  }
  if (e.is_string()) {
    Message message;
    message.role = std::string(default_role);
    ReadParts(e, &message.parts);
    if (message.parts.empty()) return false;
    AddMessage(std::move(message), out);
    return true;
  }
  if (!e.is_object()) return false;
  // A request body: {"messages": [...]} (OpenAI, Anthropic with "system"), {"input": ...,
  // "instructions": ...} (Responses API), {"prompt": ...} (completions; Vercel's ai.prompt).
  element messages, prompt, system;
  const bool has_messages = FirstField(e, {"messages", "input"}, &messages);
  const bool has_prompt =
      !has_messages && Field(e, "prompt", &prompt) && (prompt.is_string() || prompt.is_array());
  if (has_messages || has_prompt) {
    if (FirstField(e, {"system", "instructions"}, &system)) ReadSystemInstructions(system, out);
    ReadMessages(has_messages ? messages : prompt, default_role, out);
    return out->size() > before;
  }
  Message message;
  if (ReadMessage(e, default_role, &message)) {
    AddMessage(std::move(message), out);
    return true;
  }
  return false;
}

bool ReadSystemInstructions(element e, std::vector<Message>* out) {
  Message message;
  message.role = "system";
  if (e.is_array()) {
    bool messages = false;
    for (element item : Items(e)) {
      element role;
      messages = item.is_object() && Field(item, "role", &role);
      break;  // the first element tells messages from parts
    }
    if (messages) return ReadMessages(e, "system", out);
  }
  ReadParts(e, &message.parts);
  if (message.parts.empty()) return false;
  AddMessage(std::move(message), out);
  return true;
}

bool ReadResponseOutput(element e, std::vector<Message>* messages,
                        std::vector<std::string>* finish_reasons) {
  const size_t before = messages->size();
  auto add_reason = [finish_reasons](std::string reason) {
    if (!reason.empty() && finish_reasons->size() < kMaxFinishReasons) {
      finish_reasons->push_back(std::move(reason));
    }
  };
  if (e.is_string()) {
    return ReadMessages(e, "assistant", messages);
  }
  if (e.is_array()) {
    if (!ReadMessages(e, "assistant", messages)) return false;
    for (size_t i = before; i < messages->size(); ++i) add_reason((*messages)[i].finish_reason);
    return true;
  }
  if (!e.is_object()) return false;
  element list;
  if (Field(e, "choices", &list) && list.is_array()) {
    for (element choice : Items(list)) {
      if (messages->size() >= kMaxMessages) break;
      if (!choice.is_object()) continue;
      Message message;
      element nested;
      if (Field(choice, "message", &nested) && nested.is_object()) {
        ReadMessage(nested, "assistant", &message);
      } else {
        message.role = "assistant";
        if (std::string text = FirstString(choice, {"text"}); !text.empty()) {
          message.parts.push_back(TextPart(PartType::kText, std::move(text)));
        }
      }
      message.finish_reason = FirstString(choice, {"finish_reason"});
      add_reason(message.finish_reason);
      AddMessage(std::move(message), messages);
    }
    return messages->size() > before;
  }
  if (Field(e, "candidates", &list) && list.is_array()) {  // Gemini
    for (element candidate : Items(list)) {
      if (messages->size() >= kMaxMessages) break;
      Message message;
      element content;
      if (Field(candidate, "content", &content) && ReadMessage(content, "assistant", &message)) {
        message.finish_reason = FirstString(candidate, {"finishReason", "finish_reason"});
        add_reason(message.finish_reason);
        AddMessage(std::move(message), messages);
      }
    }
    return messages->size() > before;
  }
  if (Field(e, "output", &list) && list.is_array()) {  // OpenAI Responses API
    Message message;
    message.role = "assistant";
    for (element item : Items(list)) {
      if (message.parts.size() >= kMaxPartsPerMessage) break;
      const std::string type = FirstString(item, {"type"});
      element content;
      if (type == "message" && Field(item, "content", &content)) {
        ReadParts(content, &message.parts);
      } else if (type == "reasoning" && Field(item, "summary", &content) && content.is_array()) {
        for (element summary : Items(content)) {
          if (std::string text = FirstString(summary, {"text"}); !text.empty()) {
            message.parts.push_back(TextPart(PartType::kReasoning, std::move(text)));
          }
        }
      } else if (item.is_object()) {
        ReadPart(item, &message.parts);
      }
    }
    if (message.parts.empty()) return false;
    if (FirstString(e, {"status"}) == "incomplete") {
      message.finish_reason = "length";
      add_reason(message.finish_reason);
    }
    AddMessage(std::move(message), messages);
    return true;
  }
  Message message;
  if (ReadMessage(e, "assistant", &message)) {  // Anthropic messages and bare messages
    add_reason(message.finish_reason);
    AddMessage(std::move(message), messages);
    return true;
  }
  return false;
}

namespace {

void ReadParamsAtDepth(element e, model::LlmParams* params, std::string* model, int depth) {
  if (!e.is_object() || depth > 2) return;
  for (simdjson::dom::key_value_pair member : Members(e)) {
    const std::string_view key = member.key;
    const element value = member.value;
    auto set_double = [&value](std::optional<double>* out) {
      if (!out->has_value()) *out = AsNumber(value);
    };
    auto set_int = [&value](std::optional<int64_t>* out) {
      if (!out->has_value()) *out = AsInteger(value);
    };
    if (key == "temperature") {
      set_double(&params->temperature);
    } else if (key == "top_p" || key == "topP") {
      set_double(&params->top_p);
    } else if (key == "top_k" || key == "topK") {
      set_int(&params->top_k);
    } else if (key == "max_tokens" || key == "maxTokens" || key == "max_completion_tokens" ||
               key == "max_output_tokens" || key == "maxOutputTokens" ||
               key == "max_tokens_to_sample" || key == "max_new_tokens" || key == "maxTokenCount" ||
               key == "num_predict") {
      set_int(&params->max_tokens);
    } else if (key == "frequency_penalty" || key == "frequencyPenalty") {
      set_double(&params->frequency_penalty);
    } else if (key == "presence_penalty" || key == "presencePenalty") {
      set_double(&params->presence_penalty);
    } else if (key == "seed" || key == "random_seed") {
      set_int(&params->seed);
    } else if (key == "stream") {
      if (!params->stream) params->stream = AsBoolean(value);
    } else if (key == "stop" || key == "stop_sequences" || key == "stopSequences") {
      if (!params->stop_sequences.empty()) continue;
      if (value.is_string()) {
        params->stop_sequences.push_back(PayloadText(value));
      } else if (value.is_array()) {
        for (element s : Items(value)) {
          if (s.is_string() && params->stop_sequences.size() < 64) {
            params->stop_sequences.push_back(PayloadText(s));
          }
        }
      }
    } else if (key == "model" || key == "model_name" || key == "modelId") {
      if (model != nullptr && model->empty() && value.is_string()) *model = PayloadText(value);
    } else if (key == "generation_config" || key == "generationConfig" ||
               key == "inferenceConfig" || key == "config" || key == "options") {
      ReadParamsAtDepth(value, params, model, depth + 1);
    }
  }
}

std::string BytesToString(element bytes) {
  std::string out;
  if (!bytes.is_array()) return out;
  for (element b : Items(bytes)) {
    std::optional<int64_t> v = AsInteger(b);
    if (!v || *v < 0 || *v > 255) return {};
    out.push_back(static_cast<char>(*v));
  }
  return out;
}

bool ReadTokenEntries(element entries, std::vector<model::TokenLogprob>* out) {
  if (!entries.is_array()) return false;
  const size_t before = out->size();
  for (element entry : Items(entries)) {
    if (out->size() >= kMaxLogprobs) break;
    model::TokenLogprob token;
    if (ReadTokenLogprob(entry, &token)) out->push_back(std::move(token));
  }
  return out->size() > before;
}

// Legacy completions: {tokens[], token_logprobs[], top_logprobs[{token: logprob}]}.
bool ReadLegacyLogprobs(element e, std::vector<model::TokenLogprob>* out) {
  element tokens, logprobs;
  if (!Field(e, "tokens", &tokens) || !tokens.is_array() ||
      !Field(e, "token_logprobs", &logprobs) || !logprobs.is_array()) {
    return false;
  }
  element tops = e;  // stays a non-array when there is no top_logprobs
  Field(e, "top_logprobs", &tops);
  const Items token_items(tokens), logprob_items(logprobs), top_items(tops);
  const size_t before = out->size();
  auto token_it = token_items.begin();
  auto logprob_it = logprob_items.begin();
  auto top_it = top_items.begin();
  for (; token_it != token_items.end() && logprob_it != logprob_items.end();
       ++token_it, ++logprob_it) {
    if (out->size() >= kMaxLogprobs) break;
    element top = tokens;  // a non-object stand-in when top_logprobs runs out
    if (top_it != top_items.end()) top = *top_it++;
    if (!(*token_it).is_string()) continue;
    model::TokenLogprob token;
    token.token = PayloadText(*token_it);
    token.logprob = AsNumber(*logprob_it).value_or(0);
    for (simdjson::dom::key_value_pair alt : Members(top)) {
      if (token.top.size() >= kMaxTopLogprobs) break;
      if (std::optional<double> lp = AsNumber(alt.value)) {
        token.top.push_back({std::string(alt.key), *lp});
      }
    }
    out->push_back(std::move(token));
  }
  return out->size() > before;
}

}  // namespace

void ReadParams(element e, model::LlmParams* params, std::string* model) {
  ReadParamsAtDepth(e, params, model, 0);
}

bool ReadTokenLogprob(element e, model::TokenLogprob* out) {
  if (!e.is_object()) return false;
  std::optional<std::string_view> token = StringField(e, "token");
  std::optional<double> logprob = NumberField(e, "logprob");
  if (!token || !logprob) return false;
  out->token = std::string(*token);
  out->logprob = *logprob;
  element nested;
  if (Field(e, "bytes", &nested)) out->bytes = BytesToString(nested);
  if (Field(e, "top_logprobs", &nested) && nested.is_array()) {
    for (element alt : Items(nested)) {
      if (out->top.size() >= kMaxTopLogprobs) break;
      std::optional<std::string_view> alt_token = StringField(alt, "token");
      std::optional<double> alt_logprob = NumberField(alt, "logprob");
      if (alt_token && alt_logprob) out->top.push_back({std::string(*alt_token), *alt_logprob});
    }
  }
  return true;
}

bool ReadLogprobs(element e, std::vector<model::TokenLogprob>* out) {
  if (e.is_array()) return ReadTokenEntries(e, out);
  if (!e.is_object()) return false;
  element nested;
  if (Field(e, "choices", &nested) && nested.is_array()) {
    for (element choice : Items(nested)) {
      element logprobs;
      if (Field(choice, "logprobs", &logprobs) && !logprobs.is_null() &&
          ReadLogprobs(logprobs, out)) {
        return true;  // the first choice's tokens; other choices are alternatives
      }
    }
    return false;
  }
  if (Field(e, "output", &nested) && nested.is_array()) {  // Responses API
    bool found = false;
    for (element item : Items(nested)) {
      element content;
      if (!Field(item, "content", &content) || !content.is_array()) continue;
      for (element part : Items(content)) {
        element logprobs;
        if (Field(part, "logprobs", &logprobs)) found = ReadTokenEntries(logprobs, out) || found;
      }
    }
    return found;
  }
  if (Field(e, "content", &nested) && nested.is_array()) return ReadTokenEntries(nested, out);
  if (ReadLegacyLogprobs(e, out)) return true;
  if (Field(e, "logprobs", &nested) && !nested.is_null()) return ReadLogprobs(nested, out);
  return false;
}

bool ReadDocuments(element e, std::vector<model::Document>* out) {
  element list = e;
  if (e.is_object() && !Field(e, "documents", &list)) return false;
  if (!list.is_array()) return false;
  const size_t before = out->size();
  for (element item : Items(list)) {
    if (out->size() >= kMaxDocuments) break;
    element doc = item;
    element nested;
    if (item.is_object() && Field(item, "document", &nested) && nested.is_object()) doc = nested;
    model::Document document;
    if (doc.is_string()) {
      document.content = PayloadText(doc);
    } else if (doc.is_object()) {
      element id;
      if (FirstField(doc, {"id", "document_id", "doc_id"}, &id)) document.id = PayloadText(id);
      document.content = FirstString(doc, {"content", "text", "page_content", "document"});
      for (std::string_view key : {"score", "relevance_score", "similarity"}) {
        if ((document.score = NumberField(doc, key))) break;
      }
    } else {
      continue;
    }
    out->push_back(std::move(document));
  }
  return out->size() > before;
}

bool ReadUsage(element e, model::TokenUsage* usage) {
  if (!e.is_object()) return false;
  model::TokenUsage u;
  if (CountField(e, "prompt_tokens") || CountField(e, "completion_tokens")) {
    // OpenAI chat completions: prompt_tokens includes cached input.
    u.input_tokens = CountField(e, "prompt_tokens");
    u.output_tokens = CountField(e, "completion_tokens");
    u.total_tokens = CountField(e, "total_tokens");
    u.cache_read_input_tokens = NestedCount(e, "prompt_tokens_details", "cached_tokens");
    if (!u.cache_read_input_tokens)
      u.cache_read_input_tokens = CountField(e, "cache_read_input_tokens");
    u.cache_creation_input_tokens = NestedCount(e, "prompt_tokens_details", "cache_write_tokens");
    if (!u.cache_creation_input_tokens) {
      u.cache_creation_input_tokens = CountField(e, "cache_creation_input_tokens");
    }
    u.reasoning_tokens = NestedCount(e, "completion_tokens_details", "reasoning_tokens");
  } else if (CountField(e, "input_tokens") || CountField(e, "output_tokens")) {
    u.input_tokens = CountField(e, "input_tokens");
    u.output_tokens = CountField(e, "output_tokens");
    u.total_tokens = CountField(e, "total_tokens");
    element details;
    if (Field(e, "input_tokens_details", &details) || Field(e, "output_tokens_details", &details)) {
      // OpenAI Responses API: input_tokens includes cached input.
      u.cache_read_input_tokens = NestedCount(e, "input_tokens_details", "cached_tokens");
      u.cache_creation_input_tokens = NestedCount(e, "input_tokens_details", "cache_write_tokens");
      u.reasoning_tokens = NestedCount(e, "output_tokens_details", "reasoning_tokens");
    } else if (Field(e, "input_token_details", &details) ||
               Field(e, "output_token_details", &details)) {
      // LangChain usage_metadata: input_tokens includes cached input.
      u.cache_read_input_tokens = NestedCount(e, "input_token_details", "cache_read");
      u.cache_creation_input_tokens = NestedCount(e, "input_token_details", "cache_creation");
      u.reasoning_tokens = NestedCount(e, "output_token_details", "reasoning");
    } else {
      // Anthropic: input_tokens excludes cache reads and writes.
      u.cache_read_input_tokens = CountField(e, "cache_read_input_tokens");
      u.cache_creation_input_tokens = CountField(e, "cache_creation_input_tokens");
      if (u.input_tokens) {
        u.input_tokens =
            AddCounts(AddCounts(*u.input_tokens, u.cache_read_input_tokens.value_or(0)),
                      u.cache_creation_input_tokens.value_or(0));
      }
      u.reasoning_tokens = NestedCount(e, "output_tokens_details", "thinking_tokens");
    }
  } else {
    // Langfuse's own keys: every input_* and output_* key is a disjoint share of the total.
    bool any = false;
    int64_t input = 0, output = 0, cache_read = 0, cache_creation = 0, reasoning = 0;
    bool has_input = false, has_output = false, has_read = false, has_creation = false,
         has_reasoning = false;
    for (simdjson::dom::key_value_pair member : Members(e)) {
      std::optional<int64_t> v = AsInteger(member.value);
      if (!v || *v < 0) continue;
      const std::string_view key = member.key;
      const bool is_read = key == "input_cached_tokens" || key == "input_cache_read" ||
                           key == "cache_read_input_tokens" || key == "input_cached" ||
                           key == "input_cache_read_tokens";
      const bool is_creation = key.rfind("input_cache_creation", 0) == 0 ||
                               key == "input_cache_write" || key == "input_cache_write_tokens" ||
                               key == "cache_creation_input_tokens";
      const bool is_reasoning = key == "output_reasoning_tokens" || key == "output_reasoning";
      if (key == "input" || key.rfind("input_", 0) == 0 || is_read || is_creation) {
        input = AddCounts(input, *v);
        has_input = any = true;
      }
      if (key == "output" || key.rfind("output_", 0) == 0) {
        output = AddCounts(output, *v);
        has_output = any = true;
      }
      if (key == "total") {
        u.total_tokens = *v;
        any = true;
      }
      if (is_read) cache_read = AddCounts(cache_read, *v), has_read = true;
      if (is_creation) cache_creation = AddCounts(cache_creation, *v), has_creation = true;
      if (is_reasoning) reasoning = AddCounts(reasoning, *v), has_reasoning = true;
    }
    if (!any) return false;
    if (has_input) u.input_tokens = input;
    if (has_output) u.output_tokens = output;
    if (has_read) u.cache_read_input_tokens = cache_read;
    if (has_creation) u.cache_creation_input_tokens = cache_creation;
    if (has_reasoning) u.reasoning_tokens = reasoning;
  }
  *usage = u;
  return true;
}

}  // namespace tokenscope::semconv::internal
