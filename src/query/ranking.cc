#include "query/ranking.h"

#include <tuple>

namespace tokenscope::query {
namespace {

// Maps a signed value onto the unsigned line preserving order, so negative values (which a
// broken instrumentation can report) still rank below zero instead of wrapping to the top.
uint64_t OrderPreserving(int64_t value) {
  return static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
}

}  // namespace

bool RanksBefore(const RankKey& a, const RankKey& b) {
  if (a.primary != b.primary) return a.primary > b.primary;
  if (a.start_unix_nano != b.start_unix_nano) return a.start_unix_nano > b.start_unix_nano;
  return std::tie(a.trace_id, a.span_id) < std::tie(b.trace_id, b.span_id);
}

RankKey TraceRankKey(SearchOrder order, const model::TraceSummary& summary) {
  RankKey key;
  key.start_unix_nano = summary.start_time_unix_nano;
  key.trace_id = summary.trace_id;
  switch (order) {
    case SearchOrder::kStartTimeDesc:
      key.primary = summary.start_time_unix_nano;
      break;
    case SearchOrder::kStartTimeAsc:
      key.primary = UINT64_MAX - summary.start_time_unix_nano;
      break;
    case SearchOrder::kDurationDesc:
      key.primary = summary.duration_ns();
      break;
    case SearchOrder::kCostDesc:
      key.primary = OrderPreserving(summary.llm.cost_nanos);
      break;
    case SearchOrder::kTokensDesc:
      key.primary = OrderPreserving(summary.llm.total_tokens);
      break;
    case SearchOrder::kLlmCallsDesc:
      key.primary = summary.llm.llm_calls;
      break;
  }
  return key;
}

RankKey SpanRankKey(SearchOrder order, const store::SpanSummary& span, const model::LlmInfo* llm) {
  RankKey key;
  key.start_unix_nano = span.start_time_unix_nano;
  key.trace_id = span.trace_id;
  key.span_id = span.span_id;
  int64_t cost = llm && llm->cost ? llm->cost->total_nanos : 0;
  int64_t tokens = llm ? llm->usage.total_tokens.value_or(0) : 0;
  switch (order) {
    case SearchOrder::kStartTimeDesc:
      key.primary = span.start_time_unix_nano;
      break;
    case SearchOrder::kStartTimeAsc:
      key.primary = UINT64_MAX - span.start_time_unix_nano;
      break;
    case SearchOrder::kDurationDesc:
      key.primary = span.duration_ns;
      break;
    case SearchOrder::kCostDesc:
      key.primary = OrderPreserving(cost);
      break;
    case SearchOrder::kTokensDesc:
      key.primary = OrderPreserving(tokens);
      break;
    case SearchOrder::kLlmCallsDesc:
      key.primary = 0;  // a span is one call at most; not offered for spans
      break;
  }
  return key;
}

bool SpanOrderNeedsLlm(SearchOrder order) {
  return order == SearchOrder::kCostDesc || order == SearchOrder::kTokensDesc;
}

}  // namespace tokenscope::query
