#include "query/span_subject.h"

#include "base/hex.h"
#include "enrich/error_classifier.h"

namespace tokenscope::query {

using filter::Field;

bool SummaryAnswers(const filter::Filter& filter) {
  for (Field f : filter::FieldsUsed(filter)) {
    switch (f) {
      case Field::kService:
      case Field::kName:
      case Field::kKind:
      case Field::kStatus:
      case Field::kDuration:
      case Field::kTraceId:
        continue;
      default:
        return false;
    }
  }
  return true;
}

std::optional<std::string_view> SummarySubject::StringField(Field field) const {
  switch (field) {
    case Field::kService: return s_.service;
    case Field::kName: return s_.name;
    case Field::kKind: return model::SpanKindName(s_.kind);
    case Field::kStatus: return model::StatusCodeName(s_.status);
    case Field::kTraceId:
      trace_id_hex_ = HexEncode(model::AsBytes(s_.trace_id));
      return trace_id_hex_;
    default: return std::nullopt;
  }
}

std::optional<double> SummarySubject::NumberField(Field field) const {
  if (field == Field::kDuration) return static_cast<double>(s_.duration_ns);
  return std::nullopt;
}

std::optional<std::string_view> FullSpanSubject::StringField(Field field) const {
  switch (field) {
    case Field::kService: return model::ServiceName(resource_);
    case Field::kName: return span_.name;
    case Field::kKind: return model::SpanKindName(span_.kind);
    case Field::kStatus: return model::StatusCodeName(span_.status.code);
    case Field::kTraceId:
      trace_id_hex_ = HexEncode(model::AsBytes(span_.trace_id));
      return trace_id_hex_;
    case Field::kErrorClass: {
      auto error = enrich::ClassifyError(span_, nullptr);
      if (!error) return std::nullopt;
      return model::ErrorClassName(error->error_class);
    }
    default: return std::nullopt;
  }
}

std::optional<double> FullSpanSubject::NumberField(Field field) const {
  if (field == Field::kDuration) return static_cast<double>(span_.duration_ns());
  return std::nullopt;
}

const model::AnyValue* FullSpanSubject::Attribute(std::string_view key) const {
  return model::FindAttribute(span_.attributes, key);
}

const model::AnyValue* FullSpanSubject::ResourceAttribute(std::string_view key) const {
  return model::FindAttribute(resource_.attributes, key);
}

}  // namespace tokenscope::query
