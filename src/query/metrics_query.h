// Metrics and cost-allocation queries over LLM calls (docs/api.md, GET /api/v1/metrics and
// GET /api/v1/costs): group the calls of a time range by dimensions, in buckets of a step, and
// aggregate one metric per bucket and over the whole range.
//
// Two paths give the same numbers. The rollup path folds the per-minute rollup cells of the
// range (Store::ScanRollups); it answers when the grouping and the filter use only rollup
// dimensions (RollupAnswers). Otherwise the scan path reads the stored spans of the range,
// analyzes each (enrich::AnalyzeSpan) and folds the contribution of every matching LLM call,
// within the budgets of span search; `partial` says when a budget stopped it. The scan path
// also groups by `user` and `session`, which rollups do not keep.
//
// Stateless functions; thread-safe as the Store is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "enrich/pricing.h"
#include "query/filter/filter_ast.h"
#include "query/metric_values.h"
#include "query/rollup_cache.h"
#include "rollup/rollup.h"
#include "store/store.h"

namespace tokenscope::query {

// What both kinds of query select: which calls, grouped how.
struct CallSelection {
  std::string project;
  uint64_t start_unix_nano = 0;  // inclusive
  uint64_t end_unix_nano = 0;    // exclusive
  std::vector<std::string> group_by;
  filter::Filter filter;
  // The configured allocation dimensions (rollup keys carry them; filters and group_by may
  // name them).
  std::vector<rollup::AllocationDimension> dimensions;
  const enrich::PriceTable* prices = nullptr;  // prices calls on the scan path; may be null
  // Scan-path budgets, as for span search.
  size_t max_examined = 2'000'000;
  size_t max_full_span_reads = 200'000;
  // Use the scan path even where rollups would answer (tests compare the two).
  bool force_scan = false;
  // Where the rollup path reads cells (not owned); null: straight from the store.
  RollupCache* cache = nullptr;
};

// InvalidArgument unless every group_by name is a rollup dimension (built-in or configured),
// `user` or `session`, and no name repeats.
Status CheckGroupBy(const std::vector<std::string>& group_by,
                    const std::vector<rollup::AllocationDimension>& dimensions);

// One metric and how to aggregate it.
struct MetricSpec {
  MetricKind metric = MetricKind::kRequests;
  Aggregation agg = Aggregation::kSum;
};

struct MetricsQuery {
  CallSelection selection;
  // What to compute, at least one: several specs share one pass over the cells (a dashboard
  // asks for latency percentiles, tokens and cost of the same calls at once).
  std::vector<MetricSpec> metrics;
  // Bucket width, a whole number of minutes. Buckets start at multiples of the step (since the
  // epoch), from the one holding start_unix_nano to the one holding end_unix_nano - 1.
  uint64_t step_ns = rollup::kNanosPerMinute;
  size_t top = 10;  // groups kept; the rest fold into one "other" series
};

// Group values, in group_by order.
using GroupValues = std::vector<std::string>;

struct MetricSeries {
  GroupValues group;
  bool other = false;  // the folded rest; `groups` says how many groups it holds
  size_t groups = 1;
  std::vector<std::optional<double>> points;  // one per bucket
  std::optional<double> total;                // over the whole range
};

// The series of one MetricSpec.
struct MetricResult {
  MetricSpec spec;
  std::vector<MetricSeries> series;  // by total, largest first; `other` last
};

struct MetricsAnswer {
  uint64_t first_bucket_unix_nano = 0;
  uint64_t end_unix_nano = 0;  // the end of the last bucket
  uint64_t step_ns = 0;
  std::vector<MetricResult> results;  // one per MetricsQuery::metrics, in order
  bool from_rollups = false;
  bool partial = false;
  std::string partial_reason;
};

// At most this many buckets per answer.
inline constexpr uint64_t kMaxBuckets = 10'000;

StatusOr<MetricsAnswer> RunMetricsQuery(store::Store& store, const MetricsQuery& query);

struct CostRow {
  GroupValues group;
  bool other = false;
  size_t groups = 1;
  rollup::RollupCell cell;  // counts, tokens and costs (no sketches)
};

struct CostAnswer {
  std::vector<CostRow> rows;  // most expensive first; `other` last
  rollup::RollupCell total;
  bool from_rollups = false;
  bool partial = false;
  std::string partial_reason;
};

StatusOr<CostAnswer> RunCostQuery(store::Store& store, const CallSelection& selection,
                                  size_t limit);

}  // namespace tokenscope::query
