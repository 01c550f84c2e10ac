#include "server/otlp_metrics_api.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "query/otlp_metric_query.h"
#include "server/api_json.h"
#include "server/query_params.h"

namespace tokenscope::server {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;
// Default steps, smallest first: the first that gives at most kDefaultPoints buckets (as for the
// LLM metrics).
constexpr uint64_t kDefaultSteps[] = {kMinute, 5 * kMinute, 15 * kMinute, kHour, 6 * kHour, kDay};
constexpr uint64_t kDefaultPoints = 300;
constexpr uint64_t kMaxTop = 1000;

// Parameters with a meaning of their own; every other one naming a dimension filters by it.
constexpr std::string_view kReserved[] = {"otlp_metric", "agg",  "group_by", "start", "end",
                                          "since",       "step", "top",      "path"};

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return MakeJsonError(req, http::status::bad_request, "invalid_argument", s.message());
}

StatusOr<uint64_t> ParseStep(const ParsedTarget& t, const TimeRange& range) {
  TS_ASSIGN_OR_RETURN(std::optional<uint64_t> step, ParseDurationParam(t, "step"));
  if (step) {
    if (*step == 0 || *step % kSecond != 0) {
      return InvalidArgument("parameter 'step' must be a whole number of seconds (10s, 1m, 1h)");
    }
    return *step;
  }
  const uint64_t span = range.end_unix_nano - range.start_unix_nano;
  for (uint64_t candidate : kDefaultSteps) {
    if (span / candidate < kDefaultPoints) return candidate;
  }
  return (span / kDay / kDefaultPoints + 1) * kDay;
}

StatusOr<query::OtlpMetricQuery> ParseQuery(const ParsedTarget& t, const std::string& project) {
  query::OtlpMetricQuery q;
  q.project = project;
  auto name = t.Param("otlp_metric");
  if (!name || name->empty()) return InvalidArgument("parameter 'otlp_metric' is required");
  q.name = *name;
  if (t.Param("metric")) {
    return InvalidArgument("give either 'metric' (LLM calls) or 'otlp_metric', not both");
  }
  if (t.Param("filter")) {
    return InvalidArgument(
        "parameter 'filter' does not apply to OTLP metrics; filter with service=, scope=, "
        "attr.KEY= or resource.KEY=");
  }
  if (auto agg = t.Param("agg")) {
    auto parsed = query::ParseOtlpAggregation(*agg);
    if (!parsed.ok()) return parsed.status().WithContext("parameter 'agg'");
    q.agg = *parsed;
  }
  for (const std::string& item : SplitCommaList(t.Param("group_by").value_or(""))) {
    auto dimension = query::ParseOtlpDimension(item);
    if (!dimension.ok()) return dimension.status().WithContext("parameter 'group_by'");
    for (const query::OtlpDimension& seen : q.group_by) {
      if (seen.name == item) {
        return InvalidArgument("parameter 'group_by' names \"" + item + "\" twice");
      }
    }
    q.group_by.push_back(std::move(dimension).value());
  }
  for (const auto& [key, value] : t.params) {
    if (std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved)) {
      continue;
    }
    if (key != "service" && key != "scope" && !key.starts_with("attr.") &&
        !key.starts_with("resource.")) {
      continue;  // unknown parameters are ignored, as elsewhere in the API
    }
    auto dimension = query::ParseOtlpDimension(key);
    if (!dimension.ok()) return dimension.status().WithContext("parameter '" + key + "'");
    q.where.emplace_back(std::move(dimension).value(), value);
  }
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRangeEndingNow(t, kHour));
  q.start_unix_nano = range.start_unix_nano;
  q.end_unix_nano = range.end_unix_nano;
  TS_ASSIGN_OR_RETURN(q.step_ns, ParseStep(t, range));
  TS_ASSIGN_OR_RETURN(uint64_t top, ParseUintParam(t, "top", 10));
  if (top < 1 || top > kMaxTop)
    return InvalidArgument("parameter 'top' must be between 1 and 1000");
  q.top = top;
  return q;
}

void WriteValue(JsonOut& out, const std::optional<double>& value) {
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (value && std::isfinite(*value) && std::fabs(*value) < kExactIntegers &&
      *value == std::trunc(*value)) {
    out.w().Int64(static_cast<int64_t>(*value));  // counts and integer sums print as integers
  } else if (value && std::isfinite(*value)) {
    out.w().Double(*value);
  } else {
    out.w().Null();
  }
}

// The metric as the names list and the query answer describe it.
void WriteMetricFields(JsonOut& out, const store::MetricInfo& m) {
  out.Key("type");
  out.String(model::MetricTypeName(m.type));
  if (m.type == model::MetricType::kSum || m.type == model::MetricType::kHistogram ||
      m.type == model::MetricType::kExponentialHistogram) {
    out.Key("temporality");
    out.String(model::AggregationTemporalityName(m.temporality));
  }
  if (m.type == model::MetricType::kSum) {
    out.Key("monotonic");
    out.w().Bool(m.monotonic);
  }
  out.Key("description");
  out.String(m.description);
}

}  // namespace

HttpResponse OtlpMetricsApi::Query(const std::string& project, const HttpRequest& req,
                                   const ParsedTarget& target) {
  auto q = ParseQuery(target, project);
  if (!q.ok()) return BadRequest(req, q.status());
  auto answer = query::RunOtlpMetricQuery(*store_, *q);
  if (!answer.ok()) {
    switch (answer.status().code()) {
      case StatusCode::kInvalidArgument:
        return BadRequest(req, answer.status());
      case StatusCode::kNotFound:
        return MakeJsonError(req, http::status::not_found, "not_found", answer.status().message());
      default:
        return MakeJsonError(req, http::status::internal_server_error, "internal",
                             answer.status().message());
    }
  }
  JsonOut out;
  out.w().StartObject();
  out.Key("metric");
  out.String(q->name);
  out.Key("agg");
  out.String(query::OtlpAggregationName(answer->agg));
  out.Key("unit");
  out.String(answer->unit);
  out.Key("metric_unit");
  out.String(answer->metric.unit);
  WriteMetricFields(out, answer->metric);
  out.Key("start_unix_nano");
  out.Nanos(answer->first_bucket_unix_nano);
  out.Key("end_unix_nano");
  out.Nanos(answer->end_unix_nano);
  out.Key("step_ns");
  out.Nanos(answer->step_ns);
  out.Key("group_by");
  out.w().StartArray();
  for (const query::OtlpDimension& d : q->group_by) out.String(d.name);
  out.w().EndArray();
  out.Key("series");
  out.w().StartArray();
  for (const query::OtlpMetricSeries& series : answer->series) {
    out.w().StartObject();
    out.Key("group");
    out.w().StartObject();
    for (size_t i = 0; i < q->group_by.size(); ++i) {
      out.Key(q->group_by[i].name);
      out.String(series.group[i]);
    }
    out.w().EndObject();
    if (series.other) {
      out.Key("other");
      out.w().Bool(true);
      out.Key("groups");
      out.w().Uint64(series.groups);
    }
    out.Key("points");
    out.w().StartArray();
    for (size_t i = 0; i < series.points.size(); ++i) {
      out.w().StartArray();
      out.Nanos(answer->first_bucket_unix_nano + i * answer->step_ns);
      WriteValue(out, series.points[i]);
      out.w().EndArray();
    }
    out.w().EndArray();
    out.Key("total");
    WriteValue(out, series.total);
    out.w().EndObject();
  }
  out.w().EndArray();
  out.Key("path");
  out.String("otlp");
  out.Key("partial");
  out.w().Bool(answer->partial);
  out.Key("partial_reason");
  if (answer->partial) {
    out.String(answer->partial_reason);
  } else {
    out.w().Null();
  }
  out.Key("points_examined");
  out.w().Uint64(answer->points_examined);
  out.Key("folded_values");
  out.w().Uint64(0);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse OtlpMetricsApi::Names(const std::string& project, const HttpRequest& req,
                                   const ParsedTarget& /*target*/) {
  auto metrics = store_->ListMetricNames(project);
  if (!metrics.ok()) {
    return MakeJsonError(req, http::status::internal_server_error, "internal",
                         metrics.status().message());
  }
  JsonOut out;
  out.w().StartObject();
  out.Key("metrics");
  out.w().StartArray();
  for (const store::MetricInfo& m : *metrics) {
    out.w().StartObject();
    out.Key("name");
    out.String(m.name);
    out.Key("unit");
    out.String(m.unit);
    WriteMetricFields(out, m);
    out.Key("first_time_unix_nano");
    out.Nanos(m.first_time_unix_nano);
    out.Key("last_time_unix_nano");
    out.Nanos(m.last_time_unix_nano);
    out.w().EndObject();
  }
  out.w().EndArray();
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

}  // namespace tokenscope::server
