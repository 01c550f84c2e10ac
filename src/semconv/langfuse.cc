// Langfuse's own span attributes (conventions.md D; langfuse packages/shared/src/server/otel/
// attributes.ts, written by the Langfuse Python SDK v3 and JS SDK v4).
#include <cstdint>
#include <optional>
#include <utility>

#include "semconv/coerce.h"
#include "semconv/conventions.h"
#include "semconv/json_content.h"

namespace tokenscope::semconv::internal {
namespace {

using model::AnyValue;
using model::LlmSpanKind;

const AttributeTable& Table() {
  static const AttributeTable table({
      {"langfuse.observation.model.name", Field::kRequestModel},
      {"langfuse.session.id", Field::kSessionId},
      {"session.id", Field::kSessionId},
      {"langfuse.user.id", Field::kUserId},
      {"user.id", Field::kUserId},
      {"langfuse.trace.tags", Field::kTags},
      {"langfuse.observation.prompt.name", Field::kPromptName},
      {"langfuse.observation.prompt.version", Field::kPromptVersion},
  });
  return table;
}

struct TypeEntry {
  std::string_view type;
  LlmSpanKind kind;
  std::string_view operation;
};
constexpr TypeEntry kTypes[] = {
    {"generation", LlmSpanKind::kLlm, ""},
    {"embedding", LlmSpanKind::kEmbedding, "embeddings"},
    {"agent", LlmSpanKind::kAgent, "invoke_agent"},
    {"tool", LlmSpanKind::kTool, "execute_tool"},
    {"chain", LlmSpanKind::kChain, ""},
    {"retriever", LlmSpanKind::kRetrieval, "retrieval"},
    {"guardrail", LlmSpanKind::kGuardrail, ""},
    {"evaluator", LlmSpanKind::kEvaluator, ""},
};

// Parses `n` decimal digits at `*s`, advancing it.
std::optional<int64_t> Digits(std::string_view* s, size_t n) {
  if (s->size() < n) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = (*s)[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  s->remove_prefix(n);
  return v;
}

bool Expect(std::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// An ISO 8601 / RFC 3339 timestamp ("2025-01-02T03:04:05.123456Z", "+01:00" offsets, a space
// for the T), possibly JSON-quoted as the Langfuse SDKs serialize it, as Unix nanoseconds.
std::optional<int64_t> ParseTimestampNanos(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  auto year = Digits(&s, 4);
  if (!year || !Expect(&s, '-')) return std::nullopt;
  auto month = Digits(&s, 2);
  if (!month || !Expect(&s, '-')) return std::nullopt;
  auto day = Digits(&s, 2);
  if (!day || s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' ')) {
    return std::nullopt;
  }
  s.remove_prefix(1);
  auto hour = Digits(&s, 2);
  if (!hour || !Expect(&s, ':')) return std::nullopt;
  auto minute = Digits(&s, 2);
  if (!minute || !Expect(&s, ':')) return std::nullopt;
  auto second = Digits(&s, 2);
  if (!second || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  int64_t nanos = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int64_t scale = 100'000'000;
    size_t digits = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      nanos += (s.front() - '0') * scale;
      scale /= 10;
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (!s.empty() && (s.front() == 'Z' || s.front() == 'z')) {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int64_t sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    auto oh = Digits(&s, 2);
    if (!oh) return std::nullopt;
    Expect(&s, ':');
    auto om = Digits(&s, 2);
    if (!om) return std::nullopt;
    offset_seconds = sign * (*oh * 3600 + *om * 60);
  }
  if (!s.empty()) return std::nullopt;
  const int64_t seconds = DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                          *second - offset_seconds;
  if (seconds < 0 || seconds > 9'000'000'000) return std::nullopt;  // 1970 .. 2255
  return seconds * 1'000'000'000 + nanos;
}

void ReadCompletionStart(const model::Span& span, model::LlmInfo* info) {
  const AnyValue* value =
      model::FindAttribute(span.attributes, "langfuse.observation.completion_start_time");
  if (value == nullptr || value->type != model::ValueType::kString) return;
  std::optional<int64_t> at = ParseTimestampNanos(value->string_value);
  if (!at || span.start_time_unix_nano == 0 ||
      static_cast<uint64_t>(*at) < span.start_time_unix_nano) {
    return;
  }
  info->timing.time_to_first_token_ns = static_cast<uint64_t>(*at) - span.start_time_unix_nano;
}

template <typename Fn>
void WithJson(const model::Attributes& attrs, std::string_view key, Fn fn) {
  if (const AnyValue* value = model::FindAttribute(attrs, key)) {
    if (std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*value)) fn(doc->root());
  }
}

}  // namespace

bool IsLangfuseMarker(std::string_view key) {
  return key.rfind("langfuse.observation.", 0) == 0 || key.rfind("langfuse.trace.", 0) == 0 ||
         key == "langfuse.session.id" || key == "langfuse.user.id";
}

void ReadLangfuse(const NormalizeInput& input, Draft* draft) {
  const model::Attributes& attrs = input.span.attributes;
  model::LlmInfo& info = draft->info;
  Table().Apply(attrs, draft);

  if (const AnyValue* type = model::FindAttribute(attrs, "langfuse.observation.type")) {
    const std::string value = ToLower(Trim(AsString(*type)));
    for (const TypeEntry& entry : kTypes) {
      if (entry.type != value) continue;
      info.kind = entry.kind;
      info.operation = std::string(entry.operation);
    }
  }
  WithJson(attrs, "langfuse.observation.model.parameters",
           [&info](simdjson::dom::element e) { ReadParams(e, &info.params, nullptr); });
  // Usage details are read straight into the canonical accounting (ReadUsage).
  WithJson(attrs, "langfuse.observation.usage_details",
           [&info](simdjson::dom::element e) { ReadUsage(e, &info.usage); });
  if (info.tags.empty()) {
    if (const AnyValue* tags = model::FindAttribute(attrs, "langfuse.tags")) {
      info.tags = AsStringList(*tags);
    }
  }

  const AnyValue* in = model::FindAttribute(attrs, "langfuse.observation.input");
  const AnyValue* out = model::FindAttribute(attrs, "langfuse.observation.output");
  switch (info.kind) {
    case LlmSpanKind::kTool:
      if (in != nullptr) SetField(Field::kToolArguments, *in, draft);
      if (out != nullptr) SetField(Field::kToolResult, *out, draft);
      break;
    case LlmSpanKind::kRetrieval:
      if (out != nullptr) {
        if (std::optional<JsonDocument> doc = JsonDocument::FromAttribute(*out)) {
          ReadDocuments(doc->root(), &info.documents);
        }
      }
      if (in != nullptr) ReadValueAsMessages(*in, "user", &info.input_messages);
      break;
    case LlmSpanKind::kLlm:
    case LlmSpanKind::kEmbedding:
    case LlmSpanKind::kAgent:
      if (in != nullptr) ReadValueAsMessages(*in, "user", &info.input_messages);
      if (out != nullptr && info.kind != LlmSpanKind::kEmbedding) ReadValueAsResponse(*out, &info);
      break;
    default:
      break;
  }
  ReadCompletionStart(input.span, &info);
  draft->input_mode = InputTokenMode::kInclusive;
}

}  // namespace tokenscope::semconv::internal
