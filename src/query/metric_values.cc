#include "query/metric_values.h"

#include <string>

namespace tokenscope::query {
namespace {

struct MetricName {
  std::string_view name;
  MetricKind metric;
};
constexpr MetricName kMetrics[] = {
    {"requests", MetricKind::kRequests},
    {"errors", MetricKind::kErrors},
    {"error_rate", MetricKind::kErrorRate},
    {"latency", MetricKind::kLatency},
    {"ttft", MetricKind::kTtft},
    {"input_tokens", MetricKind::kInputTokens},
    {"output_tokens", MetricKind::kOutputTokens},
    {"cache_read_input_tokens", MetricKind::kCacheReadInputTokens},
    {"cache_creation_input_tokens", MetricKind::kCacheCreationInputTokens},
    {"reasoning_tokens", MetricKind::kReasoningTokens},
    {"total_tokens", MetricKind::kTotalTokens},
    {"cost", MetricKind::kCost},
    {"input_cost", MetricKind::kInputCost},
    {"output_cost", MetricKind::kOutputCost},
    {"cache_read_cost", MetricKind::kCacheReadCost},
    {"cache_creation_cost", MetricKind::kCacheCreationCost},
};

struct AggregationNameEntry {
  std::string_view name;
  Aggregation agg;
};
constexpr AggregationNameEntry kAggregations[] = {
    {"count", Aggregation::kCount}, {"sum", Aggregation::kSum}, {"rate", Aggregation::kRate},
    {"avg", Aggregation::kAvg},     {"p50", Aggregation::kP50}, {"p90", Aggregation::kP90},
    {"p95", Aggregation::kP95},     {"p99", Aggregation::kP99},
};

bool IsPercentile(Aggregation agg) {
  return agg == Aggregation::kP50 || agg == Aggregation::kP90 || agg == Aggregation::kP95 ||
         agg == Aggregation::kP99;
}

double QuantileOf(Aggregation agg) {
  switch (agg) {
    case Aggregation::kP50:
      return 0.50;
    case Aggregation::kP90:
      return 0.90;
    case Aggregation::kP95:
      return 0.95;
    default:
      return 0.99;
  }
}

bool IsDistribution(MetricKind metric) {
  return metric == MetricKind::kLatency || metric == MetricKind::kTtft;
}

bool IsCost(MetricKind metric) {
  return metric == MetricKind::kCost || metric == MetricKind::kInputCost ||
         metric == MetricKind::kOutputCost || metric == MetricKind::kCacheReadCost ||
         metric == MetricKind::kCacheCreationCost;
}

// The sum of the metric over the cell's calls (cost in USD, durations in ns).
double SumOf(MetricKind metric, const rollup::RollupCell& c) {
  constexpr double kNanosPerUsd = 1e9;
  switch (metric) {
    case MetricKind::kRequests:
      return static_cast<double>(c.requests);
    case MetricKind::kErrors:
    case MetricKind::kErrorRate:
      return static_cast<double>(c.errors);
    case MetricKind::kLatency:
      return c.latency_ns.Sum();
    case MetricKind::kTtft:
      return c.ttft_ns.Sum();
    case MetricKind::kInputTokens:
      return static_cast<double>(c.input_tokens);
    case MetricKind::kOutputTokens:
      return static_cast<double>(c.output_tokens);
    case MetricKind::kCacheReadInputTokens:
      return static_cast<double>(c.cache_read_input_tokens);
    case MetricKind::kCacheCreationInputTokens:
      return static_cast<double>(c.cache_creation_input_tokens);
    case MetricKind::kReasoningTokens:
      return static_cast<double>(c.reasoning_tokens);
    case MetricKind::kTotalTokens:
      return static_cast<double>(c.total_tokens);
    case MetricKind::kCost:
      return static_cast<double>(c.total_cost_nanos) / kNanosPerUsd;
    case MetricKind::kInputCost:
      return static_cast<double>(c.input_cost_nanos) / kNanosPerUsd;
    case MetricKind::kOutputCost:
      return static_cast<double>(c.output_cost_nanos) / kNanosPerUsd;
    case MetricKind::kCacheReadCost:
      return static_cast<double>(c.cache_read_cost_nanos) / kNanosPerUsd;
    case MetricKind::kCacheCreationCost:
      return static_cast<double>(c.cache_creation_cost_nanos) / kNanosPerUsd;
  }
  return 0;
}

// How many observations the sum is over: calls, or the sketch's values for distributions.
uint64_t CountOf(MetricKind metric, const rollup::RollupCell& c) {
  if (metric == MetricKind::kLatency) return c.latency_ns.Count();
  if (metric == MetricKind::kTtft) return c.ttft_ns.Count();
  return c.requests;
}

}  // namespace

StatusOr<MetricKind> ParseMetricKind(std::string_view name) {
  if (name == "tokens") return MetricKind::kTotalTokens;
  for (const MetricName& m : kMetrics) {
    if (m.name == name) return m.metric;
  }
  std::string known;
  for (const MetricName& m : kMetrics) known += (known.empty() ? "" : ", ") + std::string(m.name);
  return InvalidArgument("unknown metric \"" + std::string(name) + "\"; use one of " + known);
}

StatusOr<Aggregation> ParseAggregation(std::string_view name) {
  for (const AggregationNameEntry& a : kAggregations) {
    if (a.name == name) return a.agg;
  }
  return InvalidArgument("unknown agg \"" + std::string(name) +
                         "\"; use one of count, sum, rate, avg, p50, p90, p95, p99");
}

std::string_view MetricKindName(MetricKind metric) {
  for (const MetricName& m : kMetrics) {
    if (m.metric == metric) return m.name;
  }
  return "";
}

std::string_view AggregationName(Aggregation agg) {
  for (const AggregationNameEntry& a : kAggregations) {
    if (a.agg == agg) return a.name;
  }
  return "";
}

Aggregation DefaultAggregation(MetricKind metric) {
  if (IsDistribution(metric)) return Aggregation::kP95;
  if (metric == MetricKind::kErrorRate) return Aggregation::kAvg;
  return Aggregation::kSum;
}

Status CheckAggregation(MetricKind metric, Aggregation agg) {
  if (metric == MetricKind::kErrorRate && agg != Aggregation::kAvg) {
    return InvalidArgument("error_rate is errors / requests: give agg=avg or no agg");
  }
  if (IsPercentile(agg) && !IsDistribution(metric)) {
    return InvalidArgument("percentiles (agg=" + std::string(AggregationName(agg)) +
                           ") exist for latency and ttft only; " +
                           std::string(MetricKindName(metric)) + " takes count, sum, rate or avg");
  }
  return Status::Ok();
}

std::string UnitOf(MetricKind metric, Aggregation agg) {
  std::string unit;
  if (agg == Aggregation::kCount || metric == MetricKind::kRequests ||
      metric == MetricKind::kErrors || metric == MetricKind::kErrorRate) {
    unit = "1";
  } else if (IsDistribution(metric)) {
    unit = "ns";
  } else if (IsCost(metric)) {
    unit = "USD";
  } else {
    unit = "{token}";
  }
  if (agg == Aggregation::kRate) {
    // Rates of distributions count observations per second.
    return (IsDistribution(metric) ? std::string("1") : unit) + "/s";
  }
  return unit;
}

SketchNeeds SketchesFor(MetricKind metric) {
  return {metric == MetricKind::kLatency, metric == MetricKind::kTtft};
}

void MergeCell(const rollup::RollupCell& cell, SketchNeeds needs, rollup::RollupCell* into) {
  if (needs.latency && needs.ttft) {
    into->Merge(cell);
    return;
  }
  into->MergeCounts(cell);
  if (needs.latency) into->latency_ns.Merge(cell.latency_ns);
  if (needs.ttft) into->ttft_ns.Merge(cell.ttft_ns);
}

std::optional<double> MetricValue(MetricKind metric, Aggregation agg,
                                  const rollup::RollupCell& cell, double seconds) {
  if (metric == MetricKind::kErrorRate) {
    if (cell.requests == 0) return std::nullopt;
    return static_cast<double>(cell.errors) / static_cast<double>(cell.requests);
  }
  const uint64_t count = CountOf(metric, cell);
  switch (agg) {
    case Aggregation::kCount:
      return static_cast<double>(count);
    case Aggregation::kSum:
      return SumOf(metric, cell);
    case Aggregation::kRate:
      if (seconds <= 0) return std::nullopt;
      return (IsDistribution(metric) ? static_cast<double>(count) : SumOf(metric, cell)) / seconds;
    case Aggregation::kAvg:
      if (count == 0) return std::nullopt;
      return SumOf(metric, cell) / static_cast<double>(count);
    default: {
      const rollup::DDSketch& sketch = metric == MetricKind::kTtft ? cell.ttft_ns : cell.latency_ns;
      return sketch.Quantile(QuantileOf(agg));
    }
  }
}

}  // namespace tokenscope::query
