#include "model/metric.h"

#include <utility>

namespace tokenscope::model {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kSum:
      return "sum";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kExponentialHistogram:
      return "exponential_histogram";
    case MetricType::kSummary:
      return "summary";
  }
  return "gauge";
}

std::string_view AggregationTemporalityName(AggregationTemporality temporality) {
  switch (temporality) {
    case AggregationTemporality::kUnspecified:
      return "unspecified";
    case AggregationTemporality::kDelta:
      return "delta";
    case AggregationTemporality::kCumulative:
      return "cumulative";
  }
  return "unspecified";
}

double MetricPoint::NumberValue() const {
  switch (number_kind) {
    case NumberKind::kNone:
      return 0;
    case NumberKind::kDouble:
      return as_double;
    case NumberKind::kInt:
      return static_cast<double>(as_int);
  }
  return 0;
}

std::string_view MetricBatch::Adopt(std::string buffer) {
  buffers_.push_back(std::make_unique<std::string>(std::move(buffer)));
  return *buffers_.back();
}

}  // namespace tokenscope::model
