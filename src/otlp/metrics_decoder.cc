// OTLP metrics decoding from protobuf: a FieldDecoder (proto_decoder_internal.h) that adds the
// metrics envelope, Metric and the data point messages. AnyValue, KeyValue, Resource and
// InstrumentationScope decode exactly as they do for traces. The OTLP/JSON side is
// metrics_json_decoder.cc.
//
// A Metric is flattened into one model::MetricPoint per data point: each point is decoded and
// checked (PointDefect, defined here, shared with JSON through metrics_decoder_internal.h) on
// its own, and once the whole Metric has been read (its name may come after its data) the
// metric's fields are stamped on the points it kept.

#include "otlp/metrics_decoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otlp/metrics_decoder_internal.h"
#include "otlp/proto_decoder_internal.h"
#include "otlp/wire.h"

namespace tokenscope::otlp {
namespace metrics_internal {
namespace {

// ---- The rules a point must follow ------------------------------------------------------------

// The shortest text that reads back as `d`.
std::string FormatDouble(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// The exponential histogram scales OTLP defines: from base 2^1024 down to base 2^(2^-20).
constexpr int32_t kMinScale = -10;
constexpr int32_t kMaxScale = 20;

// Adds `counts` to `*total`; false when the sum does not fit 64 bits.
bool AddCounts(const std::vector<uint64_t>& counts, uint64_t* total) {
  for (uint64_t count : counts) {
    if (__builtin_add_overflow(*total, count, total)) return false;
  }
  return true;
}

std::string CheckSumMinMax(const MetricPoint& p) {
  if (p.sum && std::isnan(*p.sum)) return "sum is NaN";
  if (p.min && std::isnan(*p.min)) return "min is NaN";
  if (p.max && std::isnan(*p.max)) return "max is NaN";
  if (p.min && p.max && *p.min > *p.max) {
    return "min " + FormatDouble(*p.min) + " is greater than max " + FormatDouble(*p.max);
  }
  return "";
}

std::string HistogramDefect(const MetricPoint& p) {
  const size_t bounds = p.explicit_bounds.size();
  const size_t buckets = p.bucket_counts.size();
  // Either no buckets at all (count and sum only) or one more bucket than bounds.
  if (buckets != 0 ? buckets != bounds + 1 : bounds != 0) {
    return "bucket_counts has " + std::to_string(buckets) + " entries but explicit_bounds has " +
           std::to_string(bounds) + " (need " + std::to_string(bounds + 1) + ")";
  }
  for (size_t i = 0; i < bounds; ++i) {
    const double bound = p.explicit_bounds[i];
    if (std::isnan(bound)) return "explicit_bounds[" + std::to_string(i) + "] is NaN";
    if (i > 0 && !(bound > p.explicit_bounds[i - 1])) {
      return "explicit_bounds must be strictly increasing, but [" + std::to_string(i) +
             "] = " + FormatDouble(bound) + " follows " + FormatDouble(p.explicit_bounds[i - 1]);
    }
  }
  if (buckets != 0) {
    uint64_t total = 0;
    if (!AddCounts(p.bucket_counts, &total)) return "bucket_counts add up to more than 2^64-1";
    if (total != p.count) {
      return "count is " + std::to_string(p.count) + " but bucket_counts add up to " +
             std::to_string(total);
    }
  }
  return CheckSumMinMax(p);
}

std::string BucketsDefect(const model::ExponentialBuckets& buckets, const char* side) {
  // The index of the last bucket must fit the int32 indexes the protocol uses.
  const int64_t last =
      static_cast<int64_t>(buckets.offset) + static_cast<int64_t>(buckets.bucket_counts.size()) - 1;
  if (!buckets.bucket_counts.empty() && last > INT32_MAX) {
    return std::string(side) + ": offset " + std::to_string(buckets.offset) + " with " +
           std::to_string(buckets.bucket_counts.size()) + " buckets overflows the bucket index";
  }
  return "";
}

std::string ExponentialHistogramDefect(const MetricPoint& p) {
  if (p.scale < kMinScale || p.scale > kMaxScale) {
    return "scale " + std::to_string(p.scale) + " is outside [" + std::to_string(kMinScale) + ", " +
           std::to_string(kMaxScale) + "]";
  }
  if (!(p.zero_threshold >= 0)) {
    return "zero_threshold must be a non-negative number, got " + FormatDouble(p.zero_threshold);
  }
  std::string defect = BucketsDefect(p.positive, "positive");
  if (defect.empty()) defect = BucketsDefect(p.negative, "negative");
  if (!defect.empty()) return defect;
  // Like explicit histograms, a point without any bucket may carry a bare count.
  if (p.zero_count != 0 || !p.positive.bucket_counts.empty() || !p.negative.bucket_counts.empty()) {
    uint64_t total = p.zero_count;
    if (!AddCounts(p.positive.bucket_counts, &total) ||
        !AddCounts(p.negative.bucket_counts, &total)) {
      return "zero_count and bucket_counts add up to more than 2^64-1";
    }
    if (total != p.count) {
      return "count is " + std::to_string(p.count) +
             " but zero_count and bucket_counts add up to " + std::to_string(total);
    }
  }
  return CheckSumMinMax(p);
}

std::string SummaryDefect(const MetricPoint& p) {
  for (size_t i = 0; i < p.quantile_values.size(); ++i) {
    const double q = p.quantile_values[i].quantile;
    if (!(q >= 0 && q <= 1)) {
      return "quantile_values[" + std::to_string(i) + "].quantile is " + FormatDouble(q) +
             ", outside [0, 1]";
    }
  }
  // Values may be NaN: Prometheus summaries report NaN quantiles when nothing was observed.
  return "";
}

}  // namespace

// Gauge and sum points have no rules beyond their encoding: any double (NaN included, as
// Prometheus staleness markers use) or int64, or none.
std::string PointDefect(const MetricPoint& p) {
  switch (p.type) {
    case MetricType::kGauge:
    case MetricType::kSum:
      return "";
    case MetricType::kHistogram:
      return HistogramDefect(p);
    case MetricType::kExponentialHistogram:
      return ExponentialHistogramDefect(p);
    case MetricType::kSummary:
      return SummaryDefect(p);
  }
  return "";
}

}  // namespace metrics_internal

namespace {

using metrics_internal::HasTemporality;
using metrics_internal::MetricState;
using metrics_internal::NewPoint;
using metrics_internal::PastPointLimit;
using metrics_internal::PointDefect;
using metrics_internal::PointLimitMessage;
using metrics_internal::Tally;
using metrics_internal::ToTemporality;
using model::MetricPoint;
using model::MetricType;
using model::NumberKind;
using proto_internal::CountLenFields;
using proto_internal::ReserveMore;
using wire::Reader;
using wire::WireType;

// Metric.data: the oneof member each field number is.
std::optional<MetricType> DataTypeOfField(uint32_t field) {
  switch (field) {
    case 5:
      return MetricType::kGauge;
    case 7:
      return MetricType::kSum;
    case 9:
      return MetricType::kHistogram;
    case 10:
      return MetricType::kExponentialHistogram;
    case 11:
      return MetricType::kSummary;
    default:
      return std::nullopt;
  }
}

// The field names of Metric.data, for paths.
const char* DataFieldName(MetricType type) {
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
  return "data";
}

// Calls fn(payload) for every length-delimited field of `bytes` whose number satisfies
// `wanted`. Walks keys and lengths only; stops quietly at malformed input, which the decoding
// pass then reports.
template <typename Wanted, typename Fn>
void ForEachLenField(std::string_view bytes, Wanted wanted, Fn fn) {
  Reader r(bytes);
  uint32_t field;
  WireType wt;
  while (!r.done() && r.ReadTag(&field, &wt)) {
    if (wt == WireType::kLen && wanted(field)) {
      std::string_view payload;
      if (!r.ReadLengthDelimited(&payload)) return;
      fn(payload);
    } else if (!r.SkipValue(wt)) {
      return;
    }
  }
}

// The number of data points in a request, found by walking the envelope and skipping the
// points themselves, so the batch's vector grows once.
size_t CountDataPoints(std::string_view request) {
  size_t points = 0;
  auto is = [](uint32_t number) { return [number](uint32_t field) { return field == number; }; };
  auto is_data = [](uint32_t field) { return DataTypeOfField(field).has_value(); };
  ForEachLenField(request, is(1), [&](std::string_view resource_metrics) {
    ForEachLenField(resource_metrics, is(2), [&](std::string_view scope_metrics) {
      ForEachLenField(scope_metrics, is(2), [&](std::string_view metric) {
        ForEachLenField(metric, is_data,
                        [&](std::string_view data) { points += CountLenFields(data, 1); });
      });
    });
  });
  return points;
}

// The smallest point on the wire is an empty message: its key and a zero length.
constexpr size_t kMinDataPointBytes = 2;

// Where a Metric sits in a protobuf request and which resource and scope its points get.
// Plain value.
struct MetricPlace {
  int64_t resource_metrics = 0;
  int64_t scope_metrics = 0;
  int64_t metric = 0;
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;

  // "resource_metrics[0].scope_metrics[1].metrics[2]"
  std::string Path() const {
    return "resource_metrics[" + std::to_string(resource_metrics) + "].scope_metrics[" +
           std::to_string(scope_metrics) + "].metrics[" + std::to_string(metric) + "]";
  }
};

// Decodes ExportMetricsServiceRequest, Metric and the data point messages straight into the
// batch (the caller rolls back on failure); views point into the input bytes. One instance
// per request; not thread-safe.
class MetricsProtoDecoder : public proto_internal::FieldDecoder {
 public:
  explicit MetricsProtoDecoder(const DecodeLimits& limits) : FieldDecoder(limits) {}

  bool DecodeRequest(std::string_view bytes, model::MetricBatch* batch, Tally* tally) {
    points_base_ = batch->points.size();
    size_t expected = std::min(CountDataPoints(bytes), bytes.size() / kMinDataPointBytes);
    if (limits_.max_data_points != 0) {
      expected = static_cast<size_t>(std::min<uint64_t>(expected, limits_.max_data_points));
    }
    ReserveMore(&batch->points, expected);
    Reader r(bytes);
    MetricPlace place;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      if (field == 1) {
        std::string_view body;
        if (!Message(r, wt, "resource_metrics", place.resource_metrics, &body)) return false;
        if (!DecodeResourceMetrics(body, place, batch, tally)) {
          return trail_.Within("resource_metrics", place.resource_metrics);
        }
        ++place.resource_metrics;
      } else if (!SkipUnknown(r, wt, field)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool DecodeResourceMetrics(std::string_view bytes, MetricPlace place, model::MetricBatch* batch,
                             Tally* tally) {
    place.resource_index = static_cast<uint32_t>(batch->resources.size());
    batch->resources.emplace_back();
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "resource", -1, &body)) return false;
          if (!DecodeResource(body, &batch->resources[place.resource_index])) {
            return trail_.Within("resource");
          }
          break;
        case 2:
          if (!Message(r, wt, "scope_metrics", place.scope_metrics, &body)) return false;
          if (!DecodeScopeMetrics(body, place, batch, tally)) {
            return trail_.Within("scope_metrics", place.scope_metrics);
          }
          ++place.scope_metrics;
          break;
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->resources[place.resource_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeScopeMetrics(std::string_view bytes, MetricPlace place, model::MetricBatch* batch,
                          Tally* tally) {
    place.scope_index = static_cast<uint32_t>(batch->scopes.size());
    batch->scopes.emplace_back();
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "scope", -1, &body)) return false;
          if (!DecodeScope(body, &batch->scopes[place.scope_index])) return trail_.Within("scope");
          break;
        case 2:
          if (!Message(r, wt, "metrics", place.metric, &body)) return false;
          if (!DecodeMetric(body, place, batch, tally)) {
            return trail_.Within("metrics", place.metric);
          }
          ++place.metric;
          break;
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->scopes[place.scope_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeMetric(std::string_view bytes, const MetricPlace& place, model::MetricBatch* batch,
                    Tally* tally) {
    MetricState metric(batch->points);
    int64_t point_index = 0;  // continues across merged occurrences of the data member
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = StringField(r, wt, "name", &metric.name);
          break;
        case 2:
          ok = StringField(r, wt, "description", &metric.description);
          break;
        case 3:
          ok = StringField(r, wt, "unit", &metric.unit);
          break;
        case 5:
        case 7:
        case 9:
        case 10:
        case 11: {
          const MetricType type = *DataTypeOfField(field);
          const char* name = DataFieldName(type);
          std::string_view body;
          if (!Message(r, wt, name, -1, &body)) return false;
          if (metric.BeginData(type, &batch->points)) point_index = 0;
          if (!DecodeData(body, type, place, &metric, &point_index, batch)) {
            return trail_.Within(name);
          }
          break;
        }
        default:
          // Also metadata (12), which the model does not keep.
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    metric.Finish(
        &batch->points, [&] { return place.Path(); }, tally);
    return true;
  }

  // Gauge, Sum, Histogram, ExponentialHistogram or Summary: data_points (1) and, for the
  // aggregating types, aggregation_temporality (2) and, for sums, is_monotonic (3).
  bool DecodeData(std::string_view bytes, MetricType type, const MetricPlace& place,
                  MetricState* metric, int64_t* point_index, model::MetricBatch* batch) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      if (field == 1) {
        std::string_view body;
        if (!Message(r, wt, "data_points", *point_index, &body)) return false;
        if (!DecodeAndKeepPoint(body, type, place, *point_index, metric, batch)) {
          return trail_.Within("data_points", *point_index);
        }
        ++*point_index;
      } else if (field == 2 && HasTemporality(type)) {
        // An enum: int32 on the wire, sign-extended when negative.
        uint64_t value;
        ok = VarintField(r, wt, "aggregation_temporality", &value);
        metric->temporality = ToTemporality(static_cast<int32_t>(value));
      } else if (field == 3 && type == MetricType::kSum) {
        uint64_t value;
        ok = VarintField(r, wt, "is_monotonic", &value);
        metric->monotonic = value != 0;
      } else {
        ok = SkipUnknown(r, wt, field);
      }
      if (!ok) return false;
    }
    return true;
  }

  // Decodes one point into the batch, then takes it out again if it breaks OTLP's rules.
  // Returns false only on malformed input.
  bool DecodeAndKeepPoint(std::string_view bytes, MetricType type, const MetricPlace& place,
                          int64_t index, MetricState* metric, model::MetricBatch* batch) {
    if (PastPointLimit(limits_, batch->points.size() - points_base_)) {
      // Not decoded at all: its bytes lie within a message already delimited.
      metric->tally.Reject([&] { return PointLimitMessage(limits_); });
      return true;
    }
    MetricPoint& point =
        batch->points.emplace_back(NewPoint(type, place.resource_index, place.scope_index));
    bool ok = false;
    switch (type) {
      case MetricType::kGauge:
      case MetricType::kSum:
        ok = DecodeNumberPoint(bytes, &point);
        break;
      case MetricType::kHistogram:
        ok = DecodeHistogramPoint(bytes, &point);
        break;
      case MetricType::kExponentialHistogram:
        ok = DecodeExponentialHistogramPoint(bytes, &point);
        break;
      case MetricType::kSummary:
        ok = DecodeSummaryPoint(bytes, &point);
        break;
    }
    if (!ok) return false;
    std::string defect = PointDefect(point);
    if (defect.empty()) {
      ++metric->tally.accepted;
      return true;
    }
    batch->points.pop_back();
    metric->tally.Reject([&] {
      return place.Path() + "." + DataFieldName(type) + ".data_points[" + std::to_string(index) +
             "]: " + defect;
    });
    return true;
  }

  // NumberDataPoint.
  bool DecodeNumberPoint(std::string_view bytes, MetricPoint* p) {
    int64_t exemplars = 0;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 2:
          ok = Fixed64Field(r, wt, "start_time_unix_nano", &p->start_time_unix_nano);
          break;
        case 3:
          ok = Fixed64Field(r, wt, "time_unix_nano", &p->time_unix_nano);
          break;
        case 4:  // oneof value: the last member set wins
          ok = DoubleField(r, wt, "as_double", &p->as_double);
          p->number_kind = NumberKind::kDouble;
          p->as_int = 0;
          break;
        case 5:
          ok = SkipExemplar(r, wt, &exemplars);
          break;
        case 6: {
          uint64_t bits = 0;  // sfixed64
          ok = Fixed64Field(r, wt, "as_int", &bits);
          p->as_int = static_cast<int64_t>(bits);
          p->number_kind = NumberKind::kInt;
          p->as_double = 0;
          break;
        }
        case 7:
          ok = AttributeField(r, wt, &p->attributes);
          break;
        case 8:
          ok = Uint32Field(r, wt, "flags", &p->flags);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // HistogramDataPoint.
  bool DecodeHistogramPoint(std::string_view bytes, MetricPoint* p) {
    int64_t exemplars = 0;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 2:
          ok = Fixed64Field(r, wt, "start_time_unix_nano", &p->start_time_unix_nano);
          break;
        case 3:
          ok = Fixed64Field(r, wt, "time_unix_nano", &p->time_unix_nano);
          break;
        case 4:
          ok = Fixed64Field(r, wt, "count", &p->count);
          break;
        case 5:
          ok = OptionalDoubleField(r, wt, "sum", &p->sum);
          break;
        case 6:
          ok = RepeatedEightByteField(r, wt, "bucket_counts", &p->bucket_counts);
          break;
        case 7:
          ok = RepeatedEightByteField(r, wt, "explicit_bounds", &p->explicit_bounds);
          break;
        case 8:
          ok = SkipExemplar(r, wt, &exemplars);
          break;
        case 9:
          ok = AttributeField(r, wt, &p->attributes);
          break;
        case 10:
          ok = Uint32Field(r, wt, "flags", &p->flags);
          break;
        case 11:
          ok = OptionalDoubleField(r, wt, "min", &p->min);
          break;
        case 12:
          ok = OptionalDoubleField(r, wt, "max", &p->max);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // ExponentialHistogramDataPoint.
  bool DecodeExponentialHistogramPoint(std::string_view bytes, MetricPoint* p) {
    int64_t exemplars = 0;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          ok = AttributeField(r, wt, &p->attributes);
          break;
        case 2:
          ok = Fixed64Field(r, wt, "start_time_unix_nano", &p->start_time_unix_nano);
          break;
        case 3:
          ok = Fixed64Field(r, wt, "time_unix_nano", &p->time_unix_nano);
          break;
        case 4:
          ok = Fixed64Field(r, wt, "count", &p->count);
          break;
        case 5:
          ok = OptionalDoubleField(r, wt, "sum", &p->sum);
          break;
        case 6:
          ok = Sint32Field(r, wt, "scale", &p->scale);
          break;
        case 7:
          ok = Fixed64Field(r, wt, "zero_count", &p->zero_count);
          break;
        case 8:
          if (!Message(r, wt, "positive", -1, &body)) return false;
          if (!DecodeBuckets(body, &p->positive)) return trail_.Within("positive");
          break;
        case 9:
          if (!Message(r, wt, "negative", -1, &body)) return false;
          if (!DecodeBuckets(body, &p->negative)) return trail_.Within("negative");
          break;
        case 10:
          ok = Uint32Field(r, wt, "flags", &p->flags);
          break;
        case 11:
          ok = SkipExemplar(r, wt, &exemplars);
          break;
        case 12:
          ok = OptionalDoubleField(r, wt, "min", &p->min);
          break;
        case 13:
          ok = OptionalDoubleField(r, wt, "max", &p->max);
          break;
        case 14:
          ok = DoubleField(r, wt, "zero_threshold", &p->zero_threshold);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // ExponentialHistogramDataPoint.Buckets. A repeated occurrence merges, as protobuf does:
  // the offset is replaced, the counts appended.
  bool DecodeBuckets(std::string_view bytes, model::ExponentialBuckets* buckets) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = Sint32Field(r, wt, "offset", &buckets->offset);
          break;
        case 2:
          ok = RepeatedVarintField(r, wt, "bucket_counts", &buckets->bucket_counts);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // SummaryDataPoint.
  bool DecodeSummaryPoint(std::string_view bytes, MetricPoint* p) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 2:
          ok = Fixed64Field(r, wt, "start_time_unix_nano", &p->start_time_unix_nano);
          break;
        case 3:
          ok = Fixed64Field(r, wt, "time_unix_nano", &p->time_unix_nano);
          break;
        case 4:
          ok = Fixed64Field(r, wt, "count", &p->count);
          break;
        case 5:
          ok = OptionalDoubleField(r, wt, "sum", &p->sum);
          break;
        case 6: {
          const auto index = static_cast<int64_t>(p->quantile_values.size());
          std::string_view body;
          if (!Message(r, wt, "quantile_values", index, &body)) return false;
          if (!DecodeValueAtQuantile(body, &p->quantile_values.emplace_back())) {
            return trail_.Within("quantile_values", index);
          }
          break;
        }
        case 7:
          ok = AttributeField(r, wt, &p->attributes);
          break;
        case 8:
          ok = Uint32Field(r, wt, "flags", &p->flags);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeValueAtQuantile(std::string_view bytes, model::ValueAtQuantile* value) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = DoubleField(r, wt, "quantile", &value->quantile);
          break;
        case 2:
          ok = DoubleField(r, wt, "value", &value->value);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // ---- Field readers the other signals do not need. ----

  // Exemplars are not kept (see model/metric.h): each is checked to be a length-delimited
  // field and skipped unread.
  bool SkipExemplar(Reader& r, WireType wt, int64_t* index) {
    std::string_view ignored;
    return Message(r, wt, "exemplars", (*index)++, &ignored);
  }

  bool DoubleField(Reader& r, WireType wt, const char* name, double* out) {
    uint64_t bits = 0;
    if (!Fixed64Field(r, wt, name, &bits)) return false;
    std::memcpy(out, &bits, sizeof bits);
    return true;
  }

  // An `optional double`: present once set, whatever its value.
  bool OptionalDoubleField(Reader& r, WireType wt, const char* name, std::optional<double>* out) {
    double value = 0;
    if (!DoubleField(r, wt, name, &value)) return false;
    *out = value;
    return true;
  }

  // sint32: zigzag-encoded in a varint, of which protobuf keeps the low 32 bits.
  bool Sint32Field(Reader& r, WireType wt, const char* name, int32_t* out) {
    uint64_t value;
    if (!VarintField(r, wt, name, &value)) return false;
    const auto n = static_cast<uint32_t>(value);
    *out = static_cast<int32_t>((n >> 1) ^ (0u - (n & 1)));
    return true;
  }

  // repeated fixed64 or double: packed (the proto3 default) or one value per key, which
  // parsers must accept too.
  template <typename T>
  bool RepeatedEightByteField(Reader& r, WireType wt, const char* name, std::vector<T>* out) {
    static_assert(sizeof(T) == 8);
    if (wt == WireType::kI64) {
      uint64_t bits;
      if (!r.ReadFixed64(&bits)) return ReadFailed(r, name);
      T value;
      std::memcpy(&value, &bits, sizeof bits);
      out->push_back(value);
      return true;
    }
    std::string_view packed;
    if (!BytesField(r, wt, name, &packed)) return false;
    if (packed.size() % 8 != 0) {
      trail_.Fail("packed length " + std::to_string(packed.size()) + " is not a multiple of 8");
      return trail_.Within(name);
    }
    if (packed.empty()) return true;
    const size_t old_size = out->size();
    out->resize(old_size + packed.size() / 8);
    std::memcpy(out->data() + old_size, packed.data(), packed.size());
    return true;
  }

  // repeated uint64: packed or one varint per key.
  bool RepeatedVarintField(Reader& r, WireType wt, const char* name, std::vector<uint64_t>* out) {
    uint64_t value;
    if (wt == WireType::kVarint) {
      if (!r.ReadVarint(&value)) return ReadFailed(r, name);
      out->push_back(value);
      return true;
    }
    std::string_view packed;
    if (!BytesField(r, wt, name, &packed)) return false;
    Reader values(packed);
    while (!values.done()) {
      if (!values.ReadVarint(&value)) return ReadFailed(values, name);
      out->push_back(value);
    }
    return true;
  }

  size_t points_base_ = 0;  // the batch's points before this request's
};

}  // namespace

Status DecodeMetricsRequestProto(std::string_view body, model::MetricBatch* batch,
                                 DecodeResult* result, const DecodeLimits& limits) {
  const size_t resources_before = batch->resources.size();
  const size_t scopes_before = batch->scopes.size();
  const size_t points_before = batch->points.size();
  // Roll back on failure: a malformed request contributes nothing.
  auto roll_back = [&] {
    batch->resources.resize(resources_before);
    batch->scopes.resize(scopes_before);
    batch->points.resize(points_before);
  };
  MetricsProtoDecoder decoder(limits);
  Tally tally;
  try {
    if (!decoder.DecodeRequest(body, batch, &tally)) {
      roll_back();
      return InvalidArgument(decoder.ErrorMessage());
    }
  } catch (const std::bad_alloc&) {
    roll_back();
    return ResourceExhausted("out of memory decoding an OTLP protobuf metrics request");
  }
  metrics_internal::Commit(std::move(tally), result);
  return Status::Ok();
}

}  // namespace tokenscope::otlp
