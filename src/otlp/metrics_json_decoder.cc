// OTLP metrics decoding from OTLP/JSON on simdjson's DOM API: a JsonFieldDecoder
// (json_decoder_internal.h) that adds the metrics envelope, Metric and the data points, with
// the same flattening and the same point rules as the protobuf side (metrics_decoder.cc,
// metrics_decoder_internal.h). The walk stages resources, scopes and points and hands them to
// the batch only when the whole request decodes.

#include "otlp/metrics_decoder.h"

#include <simdjson.h>

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otlp/json_decoder_internal.h"
#include "otlp/metrics_decoder_internal.h"

namespace tokenscope::otlp {
namespace {

using json_internal::element;
using metrics_internal::Commit;
using metrics_internal::HasTemporality;
using metrics_internal::MetricState;
using metrics_internal::NewPoint;
using metrics_internal::PastPointLimit;
using metrics_internal::PointDefect;
using metrics_internal::PointLimitMessage;
using metrics_internal::Tally;
using metrics_internal::ToTemporality;
using model::AggregationTemporality;
using model::MetricPoint;
using model::MetricType;
using model::NumberKind;

// Metric.data: the oneof member each JSON key is.
std::optional<MetricType> DataTypeOfKey(std::string_view key) {
  if (key == "gauge") return MetricType::kGauge;
  if (key == "sum") return MetricType::kSum;
  if (key == "histogram") return MetricType::kHistogram;
  if (key == "exponentialHistogram") return MetricType::kExponentialHistogram;
  if (key == "summary") return MetricType::kSummary;
  return std::nullopt;
}

std::optional<AggregationTemporality> TemporalityFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, AggregationTemporality> kNames[] = {
      {"AGGREGATION_TEMPORALITY_UNSPECIFIED", AggregationTemporality::kUnspecified},
      {"AGGREGATION_TEMPORALITY_DELTA", AggregationTemporality::kDelta},
      {"AGGREGATION_TEMPORALITY_CUMULATIVE", AggregationTemporality::kCumulative},
  };
  for (const auto& [text, temporality] : kNames) {
    if (text == name) return temporality;
  }
  return std::nullopt;
}

// Walks one parsed ExportMetricsServiceRequest, staging resources, scopes and points until
// CommitTo() hands them to the batch. One instance per request; not thread-safe.
class JsonMetricsDecoder : public json_internal::JsonFieldDecoder {
 public:
  JsonMetricsDecoder(model::MetricBatch* batch, const DecodeLimits& limits)
      : JsonFieldDecoder(&batch->arena(), limits),
        resource_base_(batch->resources.size()),
        scope_base_(batch->scopes.size()) {}

  Status DecodeRequest(element root) {
    if (!root.is_object()) return InvalidArgument("request body: expected a JSON object");
    return ForEachMember(root, [&](std::string_view key, element value) {
      if (key != "resourceMetrics") return Status::Ok();
      return ForEachElement(value, [&](element rm) { return DecodeResourceMetrics(rm); });
    });
  }

  void CommitTo(model::MetricBatch* batch, DecodeResult* result) {
    MoveAppend(&resources_, &batch->resources);
    MoveAppend(&scopes_, &batch->scopes);
    MoveAppend(&points_, &batch->points);
    Commit(std::move(tally_), result);
  }

 private:
  Status DecodeResourceMetrics(element value) {
    const size_t local_resource = resources_.size();
    const auto resource_index = static_cast<uint32_t>(resource_base_ + local_resource);
    resources_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "resource") return DecodeResource(member, &resources_[local_resource]);
      if (key == "schemaUrl") return ReadString(member, &resources_[local_resource].schema_url);
      if (key == "scopeMetrics") {
        return ForEachElement(member,
                              [&](element sm) { return DecodeScopeMetrics(sm, resource_index); });
      }
      return Status::Ok();
    });
  }

  Status DecodeScopeMetrics(element value, uint32_t resource_index) {
    const size_t local_scope = scopes_.size();
    const auto scope_index = static_cast<uint32_t>(scope_base_ + local_scope);
    scopes_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "scope") return DecodeScope(member, &scopes_[local_scope]);
      if (key == "schemaUrl") return ReadString(member, &scopes_[local_scope].schema_url);
      if (key == "metrics") {
        return ForEachElement(member, [&](element metric) {
          return DecodeMetric(metric, resource_index, scope_index);
        });
      }
      return Status::Ok();
    });
  }

  Status DecodeMetric(element value, uint32_t resource_index, uint32_t scope_index) {
    MetricState metric(points_);
    TS_RETURN_IF_ERROR(ForEachMember(value, [&](std::string_view key, element member) -> Status {
      if (key == "name") return ReadString(member, &metric.name);
      if (key == "description") return ReadString(member, &metric.description);
      if (key == "unit") return ReadString(member, &metric.unit);
      std::optional<MetricType> type = DataTypeOfKey(key);
      if (!type) return Status::Ok();  // also metadata, which the model does not keep
      metric.BeginData(*type, &points_);
      return DecodeData(member, *type, resource_index, scope_index, &metric);
    }));
    metric.Finish(
        &points_, [&] { return RenderPath(); }, &tally_);
    return Status::Ok();
  }

  Status DecodeData(element value, MetricType type, uint32_t resource_index, uint32_t scope_index,
                    MetricState* metric) {
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      if (key == "dataPoints") {
        return ForEachElement(member, [&](element point) {
          return DecodeAndStagePoint(point, type, resource_index, scope_index, metric);
        });
      }
      if (key == "aggregationTemporality" && HasTemporality(type)) {
        return ReadTemporality(member, &metric->temporality);
      }
      if (key == "isMonotonic" && type == MetricType::kSum) {
        if (member.get_bool().get(metric->monotonic) != simdjson::SUCCESS) {
          return Error("expected boolean");
        }
        return Status::Ok();
      }
      return Status::Ok();
    });
  }

  Status DecodeAndStagePoint(element value, MetricType type, uint32_t resource_index,
                             uint32_t scope_index, MetricState* metric) {
    if (PastPointLimit(limits_, points_.size())) {
      metric->tally.Reject([&] { return PointLimitMessage(limits_); });
      return Status::Ok();
    }
    MetricPoint point = NewPoint(type, resource_index, scope_index);
    TS_RETURN_IF_ERROR(DecodePoint(value, &point));
    std::string defect = PointDefect(point);
    if (!defect.empty()) {
      metric->tally.Reject([&] { return RenderPath() + ": " + defect; });
      return Status::Ok();
    }
    ++metric->tally.accepted;
    points_.push_back(std::move(point));
    return Status::Ok();
  }

  // Any data point: the keys every type has, then those of the point's type. Exemplars are
  // ignored like unknown keys (see model/metric.h).
  Status DecodePoint(element value, MetricPoint* p) {
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      if (key == "attributes") return DecodeAttributes(member, &p->attributes);
      if (key == "startTimeUnixNano") return ReadUint64(member, &p->start_time_unix_nano);
      if (key == "timeUnixNano") return ReadUint64(member, &p->time_unix_nano);
      if (key == "flags") return ReadUint32(member, &p->flags);
      switch (p->type) {
        case MetricType::kGauge:
        case MetricType::kSum:
          return NumberPointMember(key, member, p);
        case MetricType::kHistogram:
          return HistogramPointMember(key, member, p);
        case MetricType::kExponentialHistogram:
          return ExponentialHistogramPointMember(key, member, p);
        case MetricType::kSummary:
          return SummaryPointMember(key, member, p);
      }
      return Status::Ok();
    });
  }

  Status NumberPointMember(std::string_view key, element member, MetricPoint* p) {
    if (key == "asDouble") {  // oneof value: the last member set wins
      p->number_kind = NumberKind::kDouble;
      p->as_int = 0;
      return ReadDouble(member, &p->as_double);
    }
    if (key == "asInt") {
      p->number_kind = NumberKind::kInt;
      p->as_double = 0;
      return ReadInt64(member, &p->as_int);
    }
    return Status::Ok();
  }

  Status HistogramPointMember(std::string_view key, element member, MetricPoint* p) {
    if (key == "count") return ReadUint64(member, &p->count);
    if (key == "sum") return ReadOptionalDouble(member, &p->sum);
    if (key == "bucketCounts") return ReadUint64Array(member, &p->bucket_counts);
    if (key == "explicitBounds") {
      return ForEachElement(member, [&](element bound) {
        return ReadDouble(bound, &p->explicit_bounds.emplace_back());
      });
    }
    if (key == "min") return ReadOptionalDouble(member, &p->min);
    if (key == "max") return ReadOptionalDouble(member, &p->max);
    return Status::Ok();
  }

  Status ExponentialHistogramPointMember(std::string_view key, element member, MetricPoint* p) {
    if (key == "count") return ReadUint64(member, &p->count);
    if (key == "sum") return ReadOptionalDouble(member, &p->sum);
    if (key == "scale") return ReadInteger(member, &p->scale);
    if (key == "zeroCount") return ReadUint64(member, &p->zero_count);
    if (key == "positive") return DecodeBuckets(member, &p->positive);
    if (key == "negative") return DecodeBuckets(member, &p->negative);
    if (key == "min") return ReadOptionalDouble(member, &p->min);
    if (key == "max") return ReadOptionalDouble(member, &p->max);
    if (key == "zeroThreshold") return ReadDouble(member, &p->zero_threshold);
    return Status::Ok();
  }

  Status DecodeBuckets(element value, model::ExponentialBuckets* buckets) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "offset") return ReadInteger(member, &buckets->offset);
      if (key == "bucketCounts") return ReadUint64Array(member, &buckets->bucket_counts);
      return Status::Ok();
    });
  }

  Status SummaryPointMember(std::string_view key, element member, MetricPoint* p) {
    if (key == "count") return ReadUint64(member, &p->count);
    if (key == "sum") return ReadOptionalDouble(member, &p->sum);
    if (key == "quantileValues") {
      return ForEachElement(member, [&](element item) {
        model::ValueAtQuantile& value = p->quantile_values.emplace_back();
        return ForEachMember(item, [&](std::string_view k, element m) {
          if (k == "quantile") return ReadDouble(m, &value.quantile);
          if (k == "value") return ReadDouble(m, &value.value);
          return Status::Ok();
        });
      });
    }
    return Status::Ok();
  }

  // An integer, or the proto enum name as some exporters send; unknown values read as
  // unspecified, as an unknown field would.
  Status ReadTemporality(element value, AggregationTemporality* temporality) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *temporality = TemporalityFromName(name).value_or(AggregationTemporality::kUnspecified);
      return Status::Ok();
    }
    int64_t number = 0;
    TS_RETURN_IF_ERROR(ReadInteger(value, &number));
    *temporality = ToTemporality(number);
    return Status::Ok();
  }

  Status ReadOptionalDouble(element value, std::optional<double>* out) {
    double d = 0;
    TS_RETURN_IF_ERROR(ReadDouble(value, &d));
    *out = d;
    return Status::Ok();
  }

  Status ReadUint64Array(element value, std::vector<uint64_t>* out) {
    return ForEachElement(value,
                          [&](element item) { return ReadUint64(item, &out->emplace_back()); });
  }

  const size_t resource_base_;
  const size_t scope_base_;
  std::vector<model::Resource> resources_;
  std::vector<model::Scope> scopes_;
  std::vector<MetricPoint> points_;
  Tally tally_;
};

}  // namespace

Status DecodeMetricsRequestJson(std::string_view body, model::MetricBatch* batch,
                                DecodeResult* result, const DecodeLimits& limits) {
  // simdjson reads past the end of its input; the view carries no padding, so copy.
  simdjson::padded_string padded(body);
  simdjson::dom::parser& parser = json_internal::ThreadParser();
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    json_internal::ReleaseIfLarge(parser);
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  Status status;
  try {
    JsonMetricsDecoder decoder(batch, limits);
    status = decoder.DecodeRequest(root);
    if (status.ok()) decoder.CommitTo(batch, result);
  } catch (const std::bad_alloc&) {
    status = ResourceExhausted("out of memory decoding an OTLP/JSON metrics request");
  }
  json_internal::ReleaseIfLarge(parser);
  return status;
}

}  // namespace tokenscope::otlp