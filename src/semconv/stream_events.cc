// Streaming detail carried by span events, whatever the convention (conventions.h).
//
// Token events are named "gen_ai.token" and carry, as attributes: the token text ("token",
// also spelled "gen_ai.token" or "gen_ai.token.text"), its log probability ("logprob"), its
// position in the output ("index"), its arrival time in nanoseconds after the span start
// ("offset", "offset_ns"; otherwise the event time is used), and optionally "top_logprobs" (a
// JSON array of {token, logprob}, or the same structured) and "bytes".
#include <algorithm>
#include <optional>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::Event;
using model::Span;

const AnyValue* FindAny(const model::Attributes& attrs,
                        std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (const AnyValue* value = model::FindAttribute(attrs, key)) return value;
  }
  return nullptr;
}

// Nanoseconds from the span start to the event, when both times are known and ordered.
std::optional<uint64_t> OffsetOf(const Span& span, const Event& event) {
  if (span.start_time_unix_nano == 0 || event.time_unix_nano < span.start_time_unix_nano) {
    return std::nullopt;
  }
  return event.time_unix_nano - span.start_time_unix_nano;
}

struct TokenEvent {
  std::optional<int64_t> index;
  size_t order = 0;
  model::TokenLogprob token;
  bool has_logprob = false;
  std::optional<uint64_t> offset_ns;
};

void ReadTopLogprobs(const AnyValue& value, model::TokenLogprob* token) {
  std::optional<JsonDocument> doc = JsonDocument::FromAttribute(value);
  if (!doc) return;
  std::vector<model::TokenLogprob> alternatives;
  ReadLogprobs(doc->root(), &alternatives);
  for (model::TokenLogprob& alt : alternatives) {
    if (token->top.size() >= kMaxTopLogprobs) break;
    token->top.push_back({std::move(alt.token), alt.logprob});
  }
}

std::optional<TokenEvent> ReadTokenEvent(const Span& span, const Event& event, size_t order) {
  const model::Attributes& attrs = event.attributes;
  TokenEvent out;
  out.order = order;
  if (const AnyValue* text = FindAny(attrs, {"token", "gen_ai.token", "gen_ai.token.text"})) {
    out.token.token = AsString(*text);
  }
  if (const AnyValue* logprob = FindAny(attrs, {"logprob", "gen_ai.token.logprob"})) {
    if (std::optional<double> lp = AsDouble(*logprob)) {
      out.token.logprob = *lp;
      out.has_logprob = true;
    }
  }
  if (const AnyValue* index = FindAny(attrs, {"index", "gen_ai.token.index"})) {
    out.index = AsInt(*index);
  }
  if (const AnyValue* offset = FindAny(attrs, {"offset", "offset_ns", "gen_ai.token.offset"})) {
    std::optional<int64_t> ns = AsInt(*offset);
    if (ns && *ns >= 0) out.offset_ns = static_cast<uint64_t>(*ns);
  }
  if (!out.offset_ns) out.offset_ns = OffsetOf(span, event);
  if (const AnyValue* top = FindAny(attrs, {"top_logprobs", "gen_ai.token.top_logprobs"})) {
    ReadTopLogprobs(*top, &out.token);
  }
  if (const AnyValue* bytes = FindAny(attrs, {"bytes", "gen_ai.token.bytes"})) {
    if (bytes->type == model::ValueType::kBytes) out.token.bytes = std::string(bytes->string_value);
  }
  if (out.token.token.empty() && !out.has_logprob && !out.index) return std::nullopt;
  return out;
}

void ReadTokenEvents(const Span& span, model::LlmInfo* info) {
  std::vector<TokenEvent> tokens;
  for (const Event& event : span.events) {
    if (event.name != "gen_ai.token" || tokens.size() >= kMaxLogprobs) continue;
    if (std::optional<TokenEvent> token = ReadTokenEvent(span, event, tokens.size())) {
      tokens.push_back(std::move(*token));
    }
  }
  if (tokens.empty()) return;
  // By index when given; otherwise in the order the events were recorded.
  std::stable_sort(tokens.begin(), tokens.end(), [](const TokenEvent& a, const TokenEvent& b) {
    const int64_t ia = a.index.value_or(static_cast<int64_t>(a.order));
    const int64_t ib = b.index.value_or(static_cast<int64_t>(b.order));
    return ia < ib;
  });
  const bool any_logprob =
      std::any_of(tokens.begin(), tokens.end(), [](const TokenEvent& t) { return t.has_logprob; });
  if (info->logprobs.empty() && any_logprob) {
    for (TokenEvent& t : tokens) info->logprobs.push_back(std::move(t.token));
  }
  if (info->timing.token_offsets_ns.empty()) {
    for (const TokenEvent& t : tokens) {
      if (t.offset_ns) info->timing.token_offsets_ns.push_back(*t.offset_ns);
    }
  }
}

bool IsFirstTokenEvent(std::string_view name) {
  return name == "first_token" || name.ends_with(".first_token") || name == "first_chunk" ||
         name.ends_with(".first_chunk") || name == "gen_ai.content.first_token";
}

void ReadFirstToken(const Span& span, model::LlmInfo* info) {
  if (info->timing.time_to_first_token_ns) return;
  // An explicit first-token event, then the first token event, then the first streamed chunk.
  for (const Event& event : span.events) {
    if (!IsFirstTokenEvent(event.name)) continue;
    if (std::optional<uint64_t> offset = OffsetOf(span, event)) {
      info->timing.time_to_first_token_ns = offset;
      return;
    }
  }
  if (!info->timing.token_offsets_ns.empty()) {
    info->timing.time_to_first_token_ns = *std::min_element(info->timing.token_offsets_ns.begin(),
                                                            info->timing.token_offsets_ns.end());
    return;
  }
  for (const Event& event : span.events) {
    if (event.name == "ai.stream.firstChunk") {
      if (const AnyValue* ms =
              model::FindAttribute(event.attributes, "ai.response.msToFirstChunk")) {
        std::optional<double> d = AsDouble(*ms);
        if (d && *d >= 0 && *d < 1e12) {
          info->timing.time_to_first_token_ns = static_cast<uint64_t>(*d * 1e6);
          return;
        }
      }
    }
    if (event.name == "ai.stream.firstChunk" || event.name == "llm.content.completion.chunk") {
      if (std::optional<uint64_t> offset = OffsetOf(span, event)) {
        info->timing.time_to_first_token_ns = offset;
        return;
      }
    }
  }
}

// A "logprobs" event holding OpenAI-shaped logprobs as JSON text or a structured value.
void ReadLogprobsEvents(const Span& span, model::LlmInfo* info) {
  if (!info->logprobs.empty()) return;
  for (const Event& event : span.events) {
    if (event.name != "logprobs" && event.name != "gen_ai.logprobs" &&
        event.name != "llm.logprobs") {
      continue;
    }
    const AnyValue* value =
        FindAny(event.attributes, {"logprobs", "gen_ai.logprobs", "llm.logprobs", "content"});
    if (value == nullptr && event.attributes.size() == 1) value = &event.attributes.front().value;
    if (value == nullptr) continue;
    if (std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*value)) {
      if (ReadLogprobs(doc->root(), &info->logprobs)) return;
    }
  }
}

}  // namespace

void ReadStreamEvents(const Span& span, model::LlmInfo* info) {
  if (span.events.empty()) return;
  ReadTokenEvents(span, info);
  ReadFirstToken(span, info);
  ReadLogprobsEvents(span, info);
}

}  // namespace tokenscope::semconv::internal
