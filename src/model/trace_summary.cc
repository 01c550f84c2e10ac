#include "model/trace_summary.h"

#include <algorithm>

namespace tokenscope::model {

void TraceSummary::AddSpan(const Span& span, std::string_view service, const LlmTotals* span_llm) {
  TraceSummary one;
  one.trace_id = span.trace_id;
  one.has_root = span.is_root();
  if (one.has_root) one.root_name = std::string(span.name);
  one.root_service = std::string(service);
  one.start_time_unix_nano = span.start_time_unix_nano;
  one.end_time_unix_nano = std::max(span.end_time_unix_nano, span.start_time_unix_nano);
  one.last_span_start_unix_nano = span.start_time_unix_nano;
  one.span_count = 1;
  one.error_count = span.status.code == StatusCode::kError ? 1 : 0;
  if (span_llm != nullptr) one.llm = *span_llm;
  Merge(one);
}

void TraceSummary::Merge(const TraceSummary& other) {
  if (other.span_count == 0) return;
  if (span_count == 0) {
    *this = other;
    return;
  }
  // The root span's name and service win; otherwise the earliest span's service stands in.
  if (other.has_root && !has_root) {
    has_root = true;
    root_name = other.root_name;
    root_service = other.root_service;
  } else if (!has_root && other.start_time_unix_nano < start_time_unix_nano) {
    root_service = other.root_service;
  }
  start_time_unix_nano = std::min(start_time_unix_nano, other.start_time_unix_nano);
  end_time_unix_nano = std::max(end_time_unix_nano, other.end_time_unix_nano);
  last_span_start_unix_nano = std::max(last_span_start_unix_nano, other.last_span_start_unix_nano);
  span_count += other.span_count;
  error_count += other.error_count;
  llm.Merge(other.llm);
}

}  // namespace tokenscope::model
