#include "server/llm_json.h"

namespace tokenscope::server {
namespace {

template <typename T>
void OptionalNumber(JsonOut& out, std::string_view key, const std::optional<T>& v) {
  if (!v) return;
  out.Key(key);
  if constexpr (std::is_same_v<T, double>) {
    out.w().Double(*v);
  } else if constexpr (std::is_same_v<T, bool>) {
    out.w().Bool(*v);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    out.w().Uint64(*v);
  } else {
    out.w().Int64(*v);
  }
}

void NonEmpty(JsonOut& out, std::string_view key, const std::string& v) {
  if (v.empty()) return;
  out.Key(key);
  out.String(v);
}

std::string_view PartTypeName(model::PartType t) {
  switch (t) {
    case model::PartType::kText:
      return "text";
    case model::PartType::kReasoning:
      return "reasoning";
    case model::PartType::kToolCall:
      return "tool_call";
    case model::PartType::kToolResult:
      return "tool_result";
    case model::PartType::kImage:
      return "image";
    case model::PartType::kOther:
      return "other";
  }
  return "other";
}

void WriteMessages(JsonOut& out, std::string_view key, const std::vector<model::Message>& msgs) {
  if (msgs.empty()) return;
  out.Key(key);
  out.w().StartArray();
  for (const auto& m : msgs) {
    out.w().StartObject();
    out.Key("role");
    out.String(m.role);
    NonEmpty(out, "name", m.name);
    NonEmpty(out, "finish_reason", m.finish_reason);
    out.Key("parts");
    out.w().StartArray();
    for (const auto& p : m.parts) {
      out.w().StartObject();
      out.Key("type");
      out.String(PartTypeName(p.type));
      NonEmpty(out, "text", p.text);
      NonEmpty(out, "tool_call_id", p.tool_call_id);
      NonEmpty(out, "tool_name", p.tool_name);
      NonEmpty(out, "arguments", p.arguments);
      NonEmpty(out, "uri", p.uri);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.w().EndObject();
  }
  out.w().EndArray();
}

void WriteDocuments(JsonOut& out, std::string_view key, const std::vector<model::Document>& docs) {
  if (docs.empty()) return;
  out.Key(key);
  out.w().StartArray();
  for (const auto& d : docs) {
    out.w().StartObject();
    NonEmpty(out, "id", d.id);
    NonEmpty(out, "content", d.content);
    OptionalNumber(out, "score", d.score);
    OptionalNumber(out, "output_score", d.output_score);
    out.w().EndObject();
  }
  out.w().EndArray();
}

void WriteUsage(JsonOut& out, const model::TokenUsage& u) {
  out.Key("usage");
  out.w().StartObject();
  OptionalNumber(out, "input_tokens", u.input_tokens);
  OptionalNumber(out, "output_tokens", u.output_tokens);
  OptionalNumber(out, "cache_read_input_tokens", u.cache_read_input_tokens);
  OptionalNumber(out, "cache_creation_input_tokens", u.cache_creation_input_tokens);
  OptionalNumber(out, "reasoning_tokens", u.reasoning_tokens);
  OptionalNumber(out, "total_tokens", u.total_tokens);
  out.Key("input_estimated");
  out.w().Bool(u.input_estimated);
  out.Key("output_estimated");
  out.w().Bool(u.output_estimated);
  out.w().EndObject();
}

void WriteCost(JsonOut& out, const model::Cost& c) {
  out.Key("cost");
  out.w().StartObject();
  auto nanos = [&](std::string_view key, int64_t v) {
    out.Key(key);
    out.w().Int64(v);
  };
  nanos("input_nanos_usd", c.input_nanos);
  nanos("cache_read_nanos_usd", c.cache_read_nanos);
  nanos("cache_creation_nanos_usd", c.cache_creation_nanos);
  nanos("output_nanos_usd", c.output_nanos);
  nanos("total_nanos_usd", c.total_nanos);
  out.Key("total_usd");
  out.w().Double(static_cast<double>(c.total_nanos) / 1e9);
  out.Key("price_id");
  out.String(c.price_id);
  out.w().EndObject();
}

void WriteParams(JsonOut& out, const model::LlmParams& p) {
  out.Key("params");
  out.w().StartObject();
  OptionalNumber(out, "temperature", p.temperature);
  OptionalNumber(out, "top_p", p.top_p);
  OptionalNumber(out, "top_k", p.top_k);
  OptionalNumber(out, "max_tokens", p.max_tokens);
  OptionalNumber(out, "frequency_penalty", p.frequency_penalty);
  OptionalNumber(out, "presence_penalty", p.presence_penalty);
  OptionalNumber(out, "seed", p.seed);
  OptionalNumber(out, "stream", p.stream);
  if (!p.stop_sequences.empty()) {
    out.Key("stop_sequences");
    out.w().StartArray();
    for (const auto& s : p.stop_sequences) out.String(s);
    out.w().EndArray();
  }
  out.w().EndObject();
}

void WriteLogprobs(JsonOut& out, const std::vector<model::TokenLogprob>& logprobs) {
  if (logprobs.empty()) return;
  out.Key("logprobs");
  out.w().StartArray();
  for (const auto& t : logprobs) {
    out.w().StartObject();
    out.Key("token");
    out.String(t.token);
    if (!t.bytes.empty()) {
      // The token's UTF-8 bytes as numbers, as OpenAI gives them: a token can be part of a
      // multi-byte character, which no JSON string can hold.
      out.Key("bytes");
      out.w().StartArray();
      for (char c : t.bytes) out.w().Uint(static_cast<uint8_t>(c));
      out.w().EndArray();
    }
    out.Key("logprob");
    out.w().Double(t.logprob);
    out.Key("top");
    out.w().StartArray();
    for (const auto& alt : t.top) {
      out.w().StartObject();
      out.Key("token");
      out.String(alt.token);
      out.Key("logprob");
      out.w().Double(alt.logprob);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.w().EndObject();
  }
  out.w().EndArray();
}

void WriteTiming(JsonOut& out, const model::StreamTiming& t) {
  if (!t.time_to_first_token_ns && t.token_offsets_ns.empty()) return;
  out.Key("timing");
  out.w().StartObject();
  OptionalNumber(out, "time_to_first_token_ns", t.time_to_first_token_ns);
  if (!t.token_offsets_ns.empty()) {
    out.Key("token_offsets_ns");
    out.w().StartArray();
    for (uint64_t o : t.token_offsets_ns) out.w().Uint64(o);
    out.w().EndArray();
  }
  out.w().EndObject();
}

}  // namespace

void WriteLlm(JsonOut& out, const model::LlmInfo& llm) {
  auto& w = out.w();
  w.StartObject();
  out.Key("kind");
  out.String(model::LlmSpanKindName(llm.kind));
  NonEmpty(out, "operation", llm.operation);
  NonEmpty(out, "provider", llm.provider);
  NonEmpty(out, "request_model", llm.request_model);
  NonEmpty(out, "response_model", llm.response_model);
  WriteParams(out, llm.params);
  WriteUsage(out, llm.usage);
  if (llm.cost) WriteCost(out, *llm.cost);
  WriteMessages(out, "system_instructions", llm.system_instructions);
  WriteMessages(out, "input_messages", llm.input_messages);
  WriteMessages(out, "output_messages", llm.output_messages);
  if (!llm.finish_reasons.empty()) {
    out.Key("finish_reasons");
    w.StartArray();
    for (const auto& r : llm.finish_reasons) out.String(r);
    w.EndArray();
  }
  WriteDocuments(out, "documents", llm.documents);
  WriteDocuments(out, "output_documents", llm.output_documents);
  if (llm.tool) {
    out.Key("tool");
    w.StartObject();
    out.Key("name");
    out.String(llm.tool->name);
    NonEmpty(out, "call_id", llm.tool->call_id);
    NonEmpty(out, "arguments", llm.tool->arguments);
    NonEmpty(out, "result", llm.tool->result);
    w.EndObject();
  }
  WriteLogprobs(out, llm.logprobs);
  WriteTiming(out, llm.timing);
  NonEmpty(out, "session_id", llm.session_id);
  NonEmpty(out, "user_id", llm.user_id);
  NonEmpty(out, "conversation_id", llm.conversation_id);
  NonEmpty(out, "prompt_name", llm.prompt_name);
  NonEmpty(out, "prompt_version", llm.prompt_version);
  if (!llm.tags.empty()) {
    out.Key("tags");
    w.StartArray();
    for (const auto& t : llm.tags) out.String(t);
    w.EndArray();
  }
  out.Key("convention");
  out.String(llm.convention);
  out.Key("normalizer_version");
  w.Uint(llm.normalizer_version);
  w.EndObject();
}

}  // namespace tokenscope::server
