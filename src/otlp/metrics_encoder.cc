#include "otlp/metrics_encoder.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/json_encoder_internal.h"
#include "otlp/proto_encoder.h"
#include "otlp/proto_encoder_internal.h"
#include "otlp/wire.h"

namespace tokenscope::otlp {
namespace {

using model::MetricPoint;
using model::MetricType;
using wire::BeginMessage;
using wire::EndMessage;
using wire::MessageMark;
using wire::PutFixed64;
using wire::PutFixed64IfSet;
using wire::PutLengthDelimited;
using wire::PutStringIfSet;
using wire::PutTag;
using wire::PutVarint;
using wire::PutVarintIfSet;
using wire::WireType;

// Canonical proto3, as the trace and logs encoders write: fields in number order, defaults
// left out, repeated scalars packed.

void PutDouble(uint32_t field, double value, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  PutTag(field, WireType::kI64, out);
  PutFixed64(bits, out);
}

// A plain proto3 double is left out when it is +0.0 (all bits zero); -0.0 is written.
void PutDoubleIfSet(uint32_t field, double value, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (bits != 0) PutDouble(field, value, out);
}

// An `optional double` is written whenever present.
void PutOptionalDouble(uint32_t field, const std::optional<double>& value, std::string* out) {
  if (value) PutDouble(field, *value, out);
}

void PutSint32IfSet(uint32_t field, int32_t value, std::string* out) {
  const auto n = static_cast<uint32_t>(value);
  PutVarintIfSet(field, (n << 1) ^ (0u - (n >> 31)), out);  // zigzag
}

// repeated fixed64 or double, packed: the values' little-endian bytes back to back.
template <typename T>
void PutPackedEightBytes(uint32_t field, const std::vector<T>& values, std::string* out) {
  static_assert(sizeof(T) == 8);
  if (values.empty()) return;
  PutTag(field, WireType::kLen, out);
  PutVarint(values.size() * 8, out);
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * 8);
}

void PutPackedVarints(uint32_t field, const std::vector<uint64_t>& values, std::string* out) {
  if (values.empty()) return;
  std::string packed;
  for (uint64_t v : values) PutVarint(v, &packed);
  PutLengthDelimited(field, packed, out);
}

void EncodeNumberPoint(const MetricPoint& p, std::string* out) {
  PutFixed64IfSet(2, p.start_time_unix_nano, out);
  PutFixed64IfSet(3, p.time_unix_nano, out);
  // The value is a oneof: the member that is set is written even when zero.
  if (p.number_kind == model::NumberKind::kDouble) PutDouble(4, p.as_double, out);
  if (p.number_kind == model::NumberKind::kInt) {
    PutTag(6, WireType::kI64, out);  // sfixed64
    PutFixed64(static_cast<uint64_t>(p.as_int), out);
  }
  proto_internal::EncodeAttributesProto(7, p.attributes, out);
  PutVarintIfSet(8, p.flags, out);
}

void EncodeHistogramPoint(const MetricPoint& p, std::string* out) {
  PutFixed64IfSet(2, p.start_time_unix_nano, out);
  PutFixed64IfSet(3, p.time_unix_nano, out);
  PutFixed64IfSet(4, p.count, out);
  PutOptionalDouble(5, p.sum, out);
  PutPackedEightBytes(6, p.bucket_counts, out);
  PutPackedEightBytes(7, p.explicit_bounds, out);
  proto_internal::EncodeAttributesProto(9, p.attributes, out);
  PutVarintIfSet(10, p.flags, out);
  PutOptionalDouble(11, p.min, out);
  PutOptionalDouble(12, p.max, out);
}

void EncodeBuckets(uint32_t field, const model::ExponentialBuckets& buckets, std::string* out) {
  MessageMark mark = BeginMessage(field, out);
  PutSint32IfSet(1, buckets.offset, out);
  PutPackedVarints(2, buckets.bucket_counts, out);
  EndMessage(mark, /*omit_if_empty=*/true, out);
}

void EncodeExponentialHistogramPoint(const MetricPoint& p, std::string* out) {
  proto_internal::EncodeAttributesProto(1, p.attributes, out);
  PutFixed64IfSet(2, p.start_time_unix_nano, out);
  PutFixed64IfSet(3, p.time_unix_nano, out);
  PutFixed64IfSet(4, p.count, out);
  PutOptionalDouble(5, p.sum, out);
  PutSint32IfSet(6, p.scale, out);
  PutFixed64IfSet(7, p.zero_count, out);
  EncodeBuckets(8, p.positive, out);
  EncodeBuckets(9, p.negative, out);
  PutVarintIfSet(10, p.flags, out);
  PutOptionalDouble(12, p.min, out);
  PutOptionalDouble(13, p.max, out);
  PutDoubleIfSet(14, p.zero_threshold, out);
}

void EncodeSummaryPoint(const MetricPoint& p, std::string* out) {
  PutFixed64IfSet(2, p.start_time_unix_nano, out);
  PutFixed64IfSet(3, p.time_unix_nano, out);
  PutFixed64IfSet(4, p.count, out);
  PutDoubleIfSet(5, p.sum.value_or(0), out);  // a plain double in summaries
  for (const model::ValueAtQuantile& q : p.quantile_values) {
    MessageMark mark = BeginMessage(6, out);
    PutDoubleIfSet(1, q.quantile, out);
    PutDoubleIfSet(2, q.value, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  proto_internal::EncodeAttributesProto(7, p.attributes, out);
  PutVarintIfSet(8, p.flags, out);
}

void EncodePoint(const MetricPoint& p, std::string* out) {
  switch (p.type) {
    case MetricType::kGauge:
    case MetricType::kSum:
      EncodeNumberPoint(p, out);
      return;
    case MetricType::kHistogram:
      EncodeHistogramPoint(p, out);
      return;
    case MetricType::kExponentialHistogram:
      EncodeExponentialHistogramPoint(p, out);
      return;
    case MetricType::kSummary:
      EncodeSummaryPoint(p, out);
      return;
  }
}

// Metric's field number for each member of its data oneof.
uint32_t DataField(MetricType type) {
  switch (type) {
    case MetricType::kGauge:
      return 5;
    case MetricType::kSum:
      return 7;
    case MetricType::kHistogram:
      return 9;
    case MetricType::kExponentialHistogram:
      return 10;
    case MetricType::kSummary:
      return 11;
  }
  return 5;
}

bool SameMetric(const MetricPoint& a, const MetricPoint& b) {
  return a.name == b.name && a.description == b.description && a.unit == b.unit &&
         a.type == b.type && a.temporality == b.temporality && a.monotonic == b.monotonic;
}

// The end of the run of points from `begin` that `same` says belong together.
template <typename Same>
size_t RunEnd(const model::MetricBatch& batch, size_t begin, size_t end, Same same) {
  size_t run_end = begin + 1;
  while (run_end < end && same(batch.points[run_end], batch.points[begin])) ++run_end;
  return run_end;
}

// Appends a Metric holding points[begin, end), which share one metric.
void EncodeMetric(const model::MetricBatch& batch, size_t begin, size_t end, std::string* out) {
  const MetricPoint& first = batch.points[begin];
  PutStringIfSet(1, first.name, out);
  PutStringIfSet(2, first.description, out);
  PutStringIfSet(3, first.unit, out);
  MessageMark data = BeginMessage(DataField(first.type), out);
  for (size_t i = begin; i < end; ++i) {
    MessageMark mark = BeginMessage(1, out);
    EncodePoint(batch.points[i], out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  if (first.type == MetricType::kSum || first.type == MetricType::kHistogram ||
      first.type == MetricType::kExponentialHistogram) {
    PutVarintIfSet(2, static_cast<uint64_t>(first.temporality), out);
  }
  if (first.type == MetricType::kSum) PutVarintIfSet(3, first.monotonic ? 1 : 0, out);
  EndMessage(data, /*omit_if_empty=*/false, out);
}

// Appends a ScopeMetrics holding points[begin, end), which share one scope. An index outside
// the batch (a caller's bug) encodes as an unset scope.
void EncodeScopeMetrics(const model::MetricBatch& batch, size_t begin, size_t end,
                        std::string* out) {
  const uint32_t scope_index = batch.points[begin].scope_index;
  const model::Scope* scope =
      scope_index < batch.scopes.size() ? &batch.scopes[scope_index] : nullptr;
  if (scope != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeScopeProto(*scope, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  for (size_t run_begin = begin; run_begin < end;) {
    size_t run_end = RunEnd(batch, run_begin, end, SameMetric);
    MessageMark mark = BeginMessage(2, out);
    EncodeMetric(batch, run_begin, run_end, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
    run_begin = run_end;
  }
  if (scope != nullptr) PutStringIfSet(3, scope->schema_url, out);
}

// Appends a ResourceMetrics holding points[begin, end), which share one resource.
void EncodeResourceMetrics(const model::MetricBatch& batch, size_t begin, size_t end,
                           std::string* out) {
  const uint32_t resource_index = batch.points[begin].resource_index;
  const model::Resource* resource =
      resource_index < batch.resources.size() ? &batch.resources[resource_index] : nullptr;
  if (resource != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeResourceProto(*resource, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  for (size_t run_begin = begin; run_begin < end;) {
    size_t run_end = RunEnd(batch, run_begin, end, [](const MetricPoint& a, const MetricPoint& b) {
      return a.scope_index == b.scope_index;
    });
    MessageMark mark = BeginMessage(2, out);
    EncodeScopeMetrics(batch, run_begin, run_end, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
    run_begin = run_end;
  }
  if (resource != nullptr) PutStringIfSet(3, resource->schema_url, out);
}

}  // namespace

std::string EncodeMetricsRequestProto(const model::MetricBatch& batch) {
  std::string out;
  const size_t end = batch.points.size();
  for (size_t run_begin = 0; run_begin < end;) {
    size_t run_end = RunEnd(batch, run_begin, end, [](const MetricPoint& a, const MetricPoint& b) {
      return a.resource_index == b.resource_index;
    });
    MessageMark mark = BeginMessage(1, &out);
    EncodeResourceMetrics(batch, run_begin, run_end, &out);
    EndMessage(mark, /*omit_if_empty=*/false, &out);
    run_begin = run_end;
  }
  return out;
}

std::string EncodeMetricsResponseProto(int64_t rejected_data_points,
                                       std::string_view error_message) {
  // ExportMetricsPartialSuccess has the trace message's shape: {1: int64, 2: string}.
  return EncodeTraceResponseProto(rejected_data_points, error_message);
}

std::string EncodeMetricsResponseJson(int64_t rejected_data_points,
                                      std::string_view error_message) {
  return json_internal::EncodePartialSuccessJson("rejectedDataPoints", rejected_data_points,
                                                 error_message);
}

}  // namespace tokenscope::otlp
