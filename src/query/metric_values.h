// The metrics the metrics API serves (docs/api.md, GET /api/v1/metrics), their aggregations,
// and how one rollup cell — a bucket, a whole range, a group — turns into one value.
// Names and rules only; stateless functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "rollup/rollup.h"

namespace tokenscope::query {

enum class MetricKind : uint8_t {
  kRequests,
  kErrors,
  kErrorRate,
  kLatency,
  kTtft,
  kInputTokens,
  kOutputTokens,
  kCacheReadInputTokens,
  kCacheCreationInputTokens,
  kReasoningTokens,
  kTotalTokens,
  kCost,
  kInputCost,
  kOutputCost,
  kCacheReadCost,
  kCacheCreationCost,
};

enum class Aggregation : uint8_t { kCount, kSum, kRate, kAvg, kP50, kP90, kP95, kP99 };

// Parse the API's names; errors list the accepted ones. "tokens" is total_tokens.
StatusOr<MetricKind> ParseMetricKind(std::string_view name);
StatusOr<Aggregation> ParseAggregation(std::string_view name);
std::string_view MetricKindName(MetricKind metric);
std::string_view AggregationName(Aggregation agg);

// sum for counts, tokens and cost; p95 for latency and ttft; avg for error_rate.
Aggregation DefaultAggregation(MetricKind metric);
// InvalidArgument when the pair makes no sense (a percentile of a token count, a sum of an
// error rate).
Status CheckAggregation(MetricKind metric, Aggregation agg);
// "1", "{token}", "USD", "ns", with "/s" for rates.
std::string UnitOf(MetricKind metric, Aggregation agg);

// Which sketches a query needs merged (latency, ttft or neither): merging sketches is most of
// the cost of folding cells, so queries that do not need them skip it.
struct SketchNeeds {
  bool latency = false;
  bool ttft = false;
};
SketchNeeds SketchesFor(MetricKind metric);
// `into` += `cell`, with only the sketches `needs` names.
void MergeCell(const rollup::RollupCell& cell, SketchNeeds needs, rollup::RollupCell* into);

// The value of `cell` covering `seconds` of time: nullopt where the answer is undefined (an
// average, percentile or error rate without observations).
std::optional<double> MetricValue(MetricKind metric, Aggregation agg,
                                  const rollup::RollupCell& cell, double seconds);

}  // namespace tokenscope::query
