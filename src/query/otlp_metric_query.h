// Queries over stored OTLP metrics (docs/api.md, GET /api/v1/metrics?otlp_metric=NAME): the
// data points of one metric in a time range, grouped by resource and point attributes, in
// buckets of a step, aggregated per bucket and over the whole range — the same series as the
// LLM metrics of metrics_query.h, computed from what instrumentations pushed.
//
// What a point contributes depends on its type and temporality:
// - gauges: their values (avg, min, max, last, sum, count);
// - delta sums: their values, which add up per bucket; cumulative sums are turned into deltas per
//   series (a start time that changes, or a monotonic sum that goes down, is a reset: the point's
//   whole value is new);
// - histograms and exponential histograms: their buckets, merged per bucket of the answer
//   (cumulative ones turned into deltas per series, bucket by bucket); quantiles interpolate
//   linearly within the merged buckets (Distribution);
// - summaries (always cumulative): the deltas of their count and sum.
// A cumulative series needs the point before the range to know what its first point in the range
// added, so cumulative metrics are read from `lookback_ns` before the range; a series whose first
// point has no predecessor counts its whole value only when the series started within what was
// read (its start time), and otherwise serves as the baseline of the next.
//
// Stateless functions; thread-safe as the Store is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/metric.h"
#include "model/span.h"
#include "store/store.h"

namespace tokenscope::query {

enum class OtlpAggregation : uint8_t {
  kSum,
  kCount,
  kRate,
  kAvg,
  kMin,
  kMax,
  kLast,
  kP50,
  kP90,
  kP95,
  kP99,
};
StatusOr<OtlpAggregation> ParseOtlpAggregation(std::string_view name);
std::string_view OtlpAggregationName(OtlpAggregation agg);

// The aggregation used when the query names none: sum for sums, avg for gauges and summaries,
// and for histograms p95 when the unit is a time unit (s, ms, us, ns, min, h), sum otherwise.
OtlpAggregation DefaultOtlpAggregation(model::MetricType type, std::string_view unit);
// InvalidArgument unless `agg` applies to metrics of `type` (percentiles need histograms, last
// needs gauges or sums, rate needs sums, histograms or summaries, min and max no summaries).
Status CheckOtlpAggregation(model::MetricType type, OtlpAggregation agg);
// The unit of the answer's values: "1" for counts, "<unit>/s" for rates (of observations,
// "1/s", for histograms and summaries), the metric's unit otherwise.
std::string OtlpValueUnit(model::MetricType type, std::string_view unit, OtlpAggregation agg);

// A grouping or filtering dimension: `service` (the resource's service.name), `scope` (the
// instrumentation scope's name), `attr.KEY` (a point attribute) or `resource.KEY` (a resource
// attribute).
struct OtlpDimension {
  enum class Kind : uint8_t { kService, kScope, kAttribute, kResourceAttribute };
  Kind kind = Kind::kService;
  std::string key;   // the attribute key of kAttribute and kResourceAttribute
  std::string name;  // as written: "service", "attr.gen_ai.token.type", ...
};
// InvalidArgument for anything else (an empty key included).
StatusOr<OtlpDimension> ParseOtlpDimension(std::string_view name);
// The dimension's value for a point: the attribute as text (strings as they are, numbers and
// booleans as JSON writes them, bytes in base64, arrays and maps as JSON); "" when absent.
std::string OtlpDimensionValue(const OtlpDimension& dimension, const model::MetricPoint& point,
                               const model::Resource& resource, const model::Scope& scope);

// The distribution of the observations of merged histogram points: explicit buckets (per set
// of bounds; points with the same bounds add up bucket by bucket), exponential buckets (at the
// smallest scale met), and the smallest and largest observation when the points said.
// Quantile() spreads each bucket's count evenly over it, clamped to [min, max]; the outermost
// buckets of explicit histograms, unbounded, end at min and max, or else at 0 (when their
// bound is positive) and at their bound. Plain value, not synchronized.
class Distribution {
 public:
  // bucket_counts has one more entry than bounds (or both are empty: nothing is added).
  void AddExplicit(const std::vector<double>& bounds, const std::vector<uint64_t>& bucket_counts);
  // Buckets of one side as OTLP sends them: counts[i] counts (base^(offset+i), base^(offset+i+1)]
  // with base = 2^(2^-scale).
  void AddExponential(int32_t scale, uint64_t zero_count, double zero_threshold,
                      const model::ExponentialBuckets& positive,
                      const model::ExponentialBuckets& negative);
  void AddMinMax(std::optional<double> min, std::optional<double> max);
  void Merge(const Distribution& other);

  uint64_t count() const { return count_; }
  // The q-quantile (q in [0, 1]), nullopt when the distribution is empty.
  std::optional<double> Quantile(double q) const;

 private:
  struct Exponential {
    int32_t scale = 0;
    uint64_t zero_count = 0;
    double zero_threshold = 0;
    std::map<int64_t, uint64_t> positive;  // bucket index -> count
    std::map<int64_t, uint64_t> negative;
  };
  void MergeExponential(const Exponential& other);

  uint64_t count_ = 0;
  std::map<std::vector<double>, std::vector<uint64_t>> explicit_;
  std::optional<Exponential> exponential_;
  std::optional<double> min_;
  std::optional<double> max_;
};

struct OtlpMetricQuery {
  std::string project;
  std::string name;                    // the metric, exactly
  std::optional<OtlpAggregation> agg;  // nullopt: DefaultOtlpAggregation
  std::vector<OtlpDimension> group_by;
  // Points whose dimension has this value (all must hold).
  std::vector<std::pair<OtlpDimension, std::string>> where;
  uint64_t start_unix_nano = 0;  // inclusive
  uint64_t end_unix_nano = 0;    // exclusive
  // Bucket width. Buckets start at multiples of the step (since the epoch), from the one holding
  // start_unix_nano to the one holding end_unix_nano - 1; a point belongs to the bucket holding
  // its time_unix_nano.
  uint64_t step_ns = 60'000'000'000ULL;
  size_t top = 10;  // groups kept; the rest fold into one "other" series
  uint64_t lookback_ns = 3'600'000'000'000ULL;  // read before the range for cumulative metrics
  size_t max_points = 5'000'000;                // points examined before the answer is partial
  size_t max_groups = 10'000;                   // distinct groups before the answer is partial
  size_t max_series = 200'000;                  // cumulative series followed, likewise
};

struct OtlpMetricSeries {
  std::vector<std::string> group;  // in group_by order
  bool other = false;              // the folded rest; `groups` says how many groups it holds
  size_t groups = 1;
  std::vector<std::optional<double>> points;  // one per bucket
  std::optional<double> total;                // over the whole range
};

struct OtlpMetricAnswer {
  store::MetricInfo metric;  // as its newest stored point describes it
  OtlpAggregation agg = OtlpAggregation::kSum;
  std::string unit;  // of the values (OtlpValueUnit)
  uint64_t first_bucket_unix_nano = 0;
  uint64_t end_unix_nano = 0;  // the end of the last bucket
  uint64_t step_ns = 0;
  std::vector<OtlpMetricSeries> series;  // by total, largest first; `other` last
  uint64_t points_examined = 0;
  bool partial = false;
  std::string partial_reason;
};

// At most this many buckets per answer.
inline constexpr uint64_t kMaxOtlpBuckets = 10'000;

// NotFound when the project has no point of the metric; InvalidArgument for an aggregation the
// metric's type does not have, a bad range or step.
StatusOr<OtlpMetricAnswer> RunOtlpMetricQuery(store::Store& store, const OtlpMetricQuery& query);

}  // namespace tokenscope::query
