// TraceSummary: what the trace list shows about a trace, kept up to date as its spans arrive
// in any order. Merging two summaries of disjoint span sets gives the summary of their union,
// which is what lets the store maintain it with a merge operator. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "model/span.h"

namespace tokenscope::model {

struct TraceSummary {
  TraceId trace_id{};
  std::string root_name;     // empty until the root span arrives
  std::string root_service;  // service of the root span (else of the earliest span seen)
  bool has_root = false;
  uint64_t start_time_unix_nano = 0;       // min span start
  uint64_t end_time_unix_nano = 0;         // max span end
  uint64_t last_span_start_unix_nano = 0;  // max span start, bounds where spans sit in time
  uint32_t span_count = 0;
  uint32_t error_count = 0;
  LlmTotals llm;

  uint64_t duration_ns() const {
    return end_time_unix_nano > start_time_unix_nano ? end_time_unix_nano - start_time_unix_nano
                                                     : 0;
  }

  // Folds one span (and what it adds to the LLM totals, if known) into the summary.
  void AddSpan(const Span& span, std::string_view service, const LlmTotals* span_llm = nullptr);
  // Folds another summary of the same trace (covering other spans) into this one.
  void Merge(const TraceSummary& other);
};

}  // namespace tokenscope::model
