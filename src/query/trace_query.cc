#include "query/trace_query.h"

#include "query/filter/filter_eval.h"
#include "query/span_subject.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace tokenscope::query {

bool SpanCondition::MatchesSummary(const store::SpanSummary& s) const {
  if (service && s.service != *service) return false;
  if (name && s.name != *name) return false;
  if (status && s.status != *status) return false;
  if (min_duration_ns && s.duration_ns < *min_duration_ns) return false;
  if (max_duration_ns && s.duration_ns > *max_duration_ns) return false;
  if (filter) {
    // A filter on fields the summary lacks may still be decided by those it has: then the
    // full span need not be read (`model = "x" and duration > 5s` for a short span).
    const SummarySubject subject(s);
    if (!filter_needs_full_span_) return filter::Evaluate(*filter, subject);
    if (filter::EvaluateKnown(*filter, subject, SummaryKnows) == false) return false;
  }
  return true;
}

void SpanCondition::SetFilter(filter::Filter f) {
  filter_needs_full_span_ = !SummaryAnswers(f);
  filter = std::move(f);
}

bool SpanCondition::MatchesFullSpan(const model::SpanBatch& batch, const model::Span& span) const {
  for (const auto& [key, expected] : attribute_equals) {
    const model::AnyValue* v = model::FindAttribute(span.attributes, key);
    if (v == nullptr || !AttributeEquals(*v, expected)) return false;
  }
  if (filter && filter_needs_full_span_ &&
      !filter::Evaluate(
          *filter, FullSpanSubject(span, batch.ResourceOf(span), batch.ScopeOf(span), prices))) {
    return false;
  }
  return true;
}

bool AttributeEquals(const model::AnyValue& value, std::string_view expected) {
  using model::ValueType;
  switch (value.type) {
    case ValueType::kString:
      return value.string_value == expected;
    case ValueType::kBool:
      return expected == (value.bool_value ? "true" : "false");
    case ValueType::kInt: {
      int64_t parsed = 0;
      auto [end, ec] = std::from_chars(expected.data(), expected.data() + expected.size(), parsed);
      return ec == std::errc() && end == expected.data() + expected.size() &&
             parsed == value.int_value;
    }
    case ValueType::kDouble: {
      std::string text(expected);
      char* end = nullptr;
      double parsed = std::strtod(text.c_str(), &end);
      return !text.empty() && end == text.c_str() + text.size() && parsed == value.double_value;
    }
    default:
      return false;  // arrays, maps, bytes and empty values have no textual equality
  }
}

}  // namespace tokenscope::query
