// Internal to the OTLP metrics decoders (metrics_decoder.cc for protobuf,
// metrics_json_decoder.cc for OTLP/JSON): what both share so that the two encodings accept and
// reject the same data. The tally of accepted and rejected points, the rules a point must
// follow (PointDefect) and the state of one Metric while its points are read. Not part of the
// public interface; include only from src/otlp/*.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/metric.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp::metrics_internal {

using model::AggregationTemporality;
using model::MetricPoint;
using model::MetricType;

// Points accepted and rejected, for one Metric or a whole request; a request's tally is
// committed to the DecodeResult only when the request decodes. Plain value.
struct Tally {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::string first_rejection;

  template <typename Describe>
  void Reject(Describe describe) {
    ++rejected;
    if (first_rejection.empty()) first_rejection = describe();
  }

  void Add(Tally other) {
    accepted += other.accepted;
    rejected += other.rejected;
    if (first_rejection.empty()) first_rejection = std::move(other.first_rejection);
  }
};

inline void Commit(Tally tally, DecodeResult* result) {
  if (result == nullptr) return;
  result->accepted_data_points += tally.accepted;
  result->rejected_data_points += tally.rejected;
  if (result->rejection_message.empty()) {
    result->rejection_message = std::move(tally.first_rejection);
  }
}

inline bool HasTemporality(MetricType type) {
  return type == MetricType::kSum || type == MetricType::kHistogram ||
         type == MetricType::kExponentialHistogram;
}

inline AggregationTemporality ToTemporality(int64_t value) {
  // Values outside the enum (newer protocol versions) read as unspecified.
  if (value == 1) return AggregationTemporality::kDelta;
  if (value == 2) return AggregationTemporality::kCumulative;
  return AggregationTemporality::kUnspecified;
}

// Whether a request that already kept `kept` points must reject the next one
// (DecodeLimits::max_data_points), and why.
inline bool PastPointLimit(const DecodeLimits& limits, size_t kept) {
  return limits.max_data_points != 0 && kept >= limits.max_data_points;
}
inline std::string PointLimitMessage(const DecodeLimits& limits) {
  return "the request carries more than " + std::to_string(limits.max_data_points) +
         " data points, the limit per request; the points past it were rejected";
}

// Why a well-formed point breaks OTLP's rules, or "" when it does not (metrics_decoder.cc).
// The point's type says which rules apply; the metric's own fields are not looked at.
std::string PointDefect(const MetricPoint& p);

// A fresh point of `type` for one resource and scope.
inline model::MetricPoint NewPoint(MetricType type, uint32_t resource_index, uint32_t scope_index) {
  model::MetricPoint p;
  p.type = type;
  p.resource_index = resource_index;
  p.scope_index = scope_index;
  if (type == MetricType::kSummary) p.sum = 0.0;  // no presence on the wire: absent is 0
  return p;
}

// One Metric being read. Its data is a oneof: a member other than the one read so far
// replaces it (as protobuf parsers do), the same member again merges into it. The metric's own
// fields are stamped on its points by Finish(), since they may come after the data. Its
// points live in the vector the decoder appends to (the batch's, or JSON's staging vector);
// views point where the decoder's do. One per Metric; not thread-safe.
class MetricState {
 public:
  explicit MetricState(const std::vector<MetricPoint>& points) : first_(points.size()) {}

  std::string_view name;
  std::string_view description;
  std::string_view unit;
  AggregationTemporality temporality = AggregationTemporality::kUnspecified;
  bool monotonic = false;
  Tally tally;

  // Returns true when `type` starts afresh, false when it merges into the member so far.
  bool BeginData(MetricType type, std::vector<MetricPoint>* points) {
    if (type_ == type) return false;
    points->resize(first_);
    tally = Tally();
    temporality = AggregationTemporality::kUnspecified;
    monotonic = false;
    type_ = type;
    return true;
  }

  // Completes the metric's points, or rejects every one of them when the metric has no name;
  // `path` names the metric for that message. Adds the metric's tally to `request`.
  template <typename Path>
  void Finish(std::vector<MetricPoint>* points, Path path, Tally* request) {
    if (name.empty() && tally.accepted + tally.rejected > 0) {
      points->resize(first_);
      tally.rejected += tally.accepted;
      tally.accepted = 0;
      tally.first_rejection = path() + ": metric name is empty";
    }
    for (size_t i = first_; i < points->size(); ++i) {
      MetricPoint& p = (*points)[i];
      p.name = name;
      p.description = description;
      p.unit = unit;
      p.temporality = temporality;
      p.monotonic = monotonic;
    }
    request->Add(std::move(tally));
  }

 private:
  const size_t first_;
  std::optional<MetricType> type_;
};

}  // namespace tokenscope::otlp::metrics_internal
