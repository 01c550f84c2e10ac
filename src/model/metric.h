// The canonical metrics model: one MetricPoint per OTLP data point (of a gauge, sum,
// histogram, exponential histogram or summary), carrying the metric it belongs to, and
// MetricBatch, the metrics counterpart of SpanBatch and LogBatch.
//
// Points are flat: each one repeats its metric's name, description, unit, type and (for sums
// and histograms) aggregation temporality, so a point can be read on its own. Those are views,
// so the repetition costs no copies.
//
// All string-like fields are std::string_view pointing into memory owned by the MetricBatch
// that holds the point (the request buffer for zero-copy protobuf decoding, or the batch's
// arena). A MetricPoint is only valid while its batch lives. Plain data: no I/O, not
// synchronized.
//
// Not kept: exemplars (the decoders skip them) and Metric.metadata, which would be copied into
// every point of its metric.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/arena.h"
#include "model/span.h"

namespace tokenscope::model {

// Which member of OTLP's Metric.data oneof the point came from.
enum class MetricType : uint8_t {
  kGauge = 0,
  kSum = 1,
  kHistogram = 2,
  kExponentialHistogram = 3,
  kSummary = 4,
};
// "gauge", "sum", "histogram", "exponential_histogram", "summary".
std::string_view MetricTypeName(MetricType type);

// OTLP AggregationTemporality, same numbering as the protocol. Sums, histograms and
// exponential histograms carry one; gauges and summaries are always kUnspecified.
enum class AggregationTemporality : uint8_t {
  kUnspecified = 0,
  kDelta = 1,
  kCumulative = 2,
};
// "unspecified", "delta", "cumulative".
std::string_view AggregationTemporalityName(AggregationTemporality temporality);

// Which member of NumberDataPoint's value oneof was set. kNone is a point without a value,
// as sent with the no-recorded-value flag.
enum class NumberKind : uint8_t { kNone = 0, kDouble = 1, kInt = 2 };

// DataPointFlags: the point marks the absence of data (e.g. a Prometheus staleness marker).
inline constexpr uint32_t kFlagNoRecordedValue = 1;

// One side (positive or negative) of an exponential histogram: bucket_counts[i] counts the
// values in (base^(offset+i), base^(offset+i+1)], base = 2^(2^-scale). Plain data, owned by
// its point.
struct ExponentialBuckets {
  int32_t offset = 0;
  std::vector<uint64_t> bucket_counts;
};

// One quantile of a summary. Plain data.
struct ValueAtQuantile {
  double quantile = 0;  // in [0, 1]
  double value = 0;
};

// One data point with the metric it belongs to. Its views point into the owning MetricBatch
// (see above); which value fields mean something depends on `type`, as marked. Plain data, not
// synchronized.
struct MetricPoint {
  // ---- The metric the point belongs to: the same for every point of one OTLP Metric. ----
  std::string_view name;
  std::string_view description;
  std::string_view unit;  // UCUM, e.g. "s", "{token}"
  MetricType type = MetricType::kGauge;
  AggregationTemporality temporality = AggregationTemporality::kUnspecified;
  bool monotonic = false;  // sums only

  // Indexes into the owning batch's resources and scopes.
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;

  // ---- Every point type. ----
  Attributes attributes;
  uint64_t start_time_unix_nano = 0;  // 0 if unknown (always for gauges)
  uint64_t time_unix_nano = 0;
  uint32_t flags = 0;  // DataPointFlags (kFlagNoRecordedValue)

  // ---- kGauge and kSum: the number, a double or an int64 as sent. ----
  NumberKind number_kind = NumberKind::kNone;
  double as_double = 0;
  int64_t as_int = 0;

  // ---- kHistogram, kExponentialHistogram and kSummary. ----
  uint64_t count = 0;
  // Optional in histograms; always set for summaries (where the wire has no presence).
  std::optional<double> sum;
  // kHistogram and kExponentialHistogram only.
  std::optional<double> min;
  std::optional<double> max;

  // ---- kHistogram: bucket i counts values in (explicit_bounds[i-1], explicit_bounds[i]];
  // bucket_counts has one entry more than explicit_bounds, or both are empty. ----
  std::vector<double> explicit_bounds;
  std::vector<uint64_t> bucket_counts;

  // ---- kExponentialHistogram. ----
  int32_t scale = 0;
  uint64_t zero_count = 0;    // values in [-zero_threshold, zero_threshold]
  double zero_threshold = 0;  // 0 means exactly zero
  ExponentialBuckets positive;
  ExponentialBuckets negative;

  // ---- kSummary. ----
  std::vector<ValueAtQuantile> quantile_values;

  bool no_recorded_value() const { return (flags & kFlagNoRecordedValue) != 0; }
  // The number of a gauge or sum point as a double (ints converted); 0 when it has none.
  double NumberValue() const;
};

// A set of metric points with the resources and scopes they reference, and the memory their
// views point into. Move-only; moving keeps every view valid (buffers are heap blocks that do
// not move). Not thread-safe.
class MetricBatch {
 public:
  MetricBatch() = default;
  MetricBatch(const MetricBatch&) = delete;
  MetricBatch& operator=(const MetricBatch&) = delete;
  MetricBatch(MetricBatch&&) = default;
  MetricBatch& operator=(MetricBatch&&) = default;

  // Takes ownership of `buffer` and returns a view of its bytes, valid for the batch's life.
  std::string_view Adopt(std::string buffer);
  Arena& arena() { return arena_; }

  std::string project;  // the project every point in the batch belongs to
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<MetricPoint> points;

  const Resource& ResourceOf(const MetricPoint& p) const { return resources[p.resource_index]; }
  const Scope& ScopeOf(const MetricPoint& p) const { return scopes[p.scope_index]; }

 private:
  std::vector<std::unique_ptr<std::string>> buffers_;
  Arena arena_;
};

}  // namespace tokenscope::model
