#include "query/span_subject.h"

#include "base/hex.h"

namespace tokenscope::query {

using filter::Field;

bool SummaryKnows(Field field) {
  switch (field) {
    case Field::kService:
    case Field::kName:
    case Field::kKind:
    case Field::kStatus:
    case Field::kDuration:
    case Field::kTraceId:
      return true;
    default:
      return false;
  }
}

bool SummaryAnswers(const filter::Filter& filter) {
  for (Field f : filter::FieldsUsed(filter)) {
    if (!SummaryKnows(f)) return false;
  }
  return true;
}

std::optional<std::string_view> SummarySubject::StringField(Field field) const {
  switch (field) {
    case Field::kService:
      return s_.service;
    case Field::kName:
      return s_.name;
    case Field::kKind:
      return model::SpanKindName(s_.kind);
    case Field::kStatus:
      return model::StatusCodeName(s_.status);
    case Field::kTraceId:
      trace_id_hex_ = HexEncode(model::AsBytes(s_.trace_id));
      return trace_id_hex_;
    default:
      return std::nullopt;
  }
}

std::optional<double> SummarySubject::NumberField(Field field) const {
  if (field == Field::kDuration) return static_cast<double>(s_.duration_ns);
  return std::nullopt;
}

const enrich::SpanAnalysis& FullSpanSubject::Analysis() const {
  if (!analysis_) analysis_ = enrich::AnalyzeSpan(span_, resource_, scope_, prices_);
  return *analysis_;
}

namespace {

std::string JoinTexts(const std::vector<model::Message>& messages) {
  std::string out;
  for (const auto& m : messages) {
    for (const auto& p : m.parts) {
      if (p.text.empty()) continue;
      if (!out.empty()) out += '\n';
      out += p.text;
    }
  }
  return out;
}

std::optional<std::string_view> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::string_view(s);
}

}  // namespace

std::optional<std::string_view> FullSpanSubject::StringField(Field field) const {
  switch (field) {
    case Field::kService:
      return model::ServiceName(resource_);
    case Field::kName:
      return span_.name;
    case Field::kKind:
      return model::SpanKindName(span_.kind);
    case Field::kStatus:
      return model::StatusCodeName(span_.status.code);
    case Field::kTraceId:
      trace_id_hex_ = HexEncode(model::AsBytes(span_.trace_id));
      return trace_id_hex_;
    case Field::kErrorClass: {
      const auto& error = Analysis().error;
      if (!error) return std::nullopt;
      return model::ErrorClassName(error->error_class);
    }
    default:
      break;
  }
  const auto& llm = Analysis().llm;
  if (!llm) return std::nullopt;
  switch (field) {
    case Field::kModel:
      return NonEmpty(llm->model());
    case Field::kProvider:
      return NonEmpty(llm->provider);
    case Field::kOperation:
      return NonEmpty(llm->operation);
    case Field::kSession:
      return NonEmpty(llm->session_id);
    case Field::kUser:
      return NonEmpty(llm->user_id);
    case Field::kInput: {
      text_ = JoinTexts(llm->system_instructions);
      std::string rest = JoinTexts(llm->input_messages);
      if (!text_.empty() && !rest.empty()) text_ += '\n';
      text_ += rest;
      return NonEmpty(text_);
    }
    case Field::kOutput:
      text_ = JoinTexts(llm->output_messages);
      return NonEmpty(text_);
    default:
      return std::nullopt;
  }
}

std::optional<double> FullSpanSubject::NumberField(Field field) const {
  if (field == Field::kDuration) return static_cast<double>(span_.duration_ns());
  const auto& llm = Analysis().llm;
  if (!llm) return std::nullopt;
  auto number = [](const std::optional<int64_t>& v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
  };
  switch (field) {
    case Field::kTtft: {
      const auto& ttft = llm->timing.time_to_first_token_ns;
      if (!ttft) return std::nullopt;
      return static_cast<double>(*ttft);
    }
    case Field::kInputTokens:
      return number(llm->usage.input_tokens);
    case Field::kOutputTokens:
      return number(llm->usage.output_tokens);
    case Field::kTotalTokens:
      return number(llm->usage.total_tokens);
    case Field::kCost:
      if (!llm->cost) return std::nullopt;
      return static_cast<double>(llm->cost->total_nanos) / 1e9;
    default:
      return std::nullopt;
  }
}

const model::AnyValue* FullSpanSubject::Attribute(std::string_view key) const {
  return model::FindAttribute(span_.attributes, key);
}

const model::AnyValue* FullSpanSubject::ResourceAttribute(std::string_view key) const {
  return model::FindAttribute(resource_.attributes, key);
}

}  // namespace tokenscope::query
