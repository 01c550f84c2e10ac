#include "server/analytics_api.h"

#include <fmt/format.h>

#include <cmath>

#include "base/clock.h"
#include "query/filter/filter_parser.h"
#include "query/metrics_query.h"
#include "query/rollup_rebuild.h"
#include "server/api_json.h"
#include "server/query_params.h"

namespace tokenscope::server {
namespace {

constexpr uint64_t kMinute = 60'000'000'000ULL;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;
// Default steps, smallest first: the first that gives at most kDefaultPoints buckets.
constexpr uint64_t kDefaultSteps[] = {kMinute, 5 * kMinute, 15 * kMinute, kHour, 6 * kHour, kDay};
constexpr uint64_t kDefaultPoints = 300;
constexpr uint64_t kMaxTop = 1000;
constexpr uint64_t kMaxCostRows = 100'000;

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return MakeJsonError(req, http::status::bad_request, "invalid_argument", s.message());
}

StatusOr<query::CallSelection> ParseSelection(
    const ParsedTarget& t, const std::string& project, uint64_t default_span,
    const std::vector<rollup::AllocationDimension>& dimensions, const enrich::PriceTable* prices,
    std::string_view default_group_by) {
  query::CallSelection s;
  s.project = project;
  s.dimensions = dimensions;
  s.prices = prices;
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRangeEndingNow(t, default_span));
  s.start_unix_nano = range.start_unix_nano;
  s.end_unix_nano = range.end_unix_nano;
  s.group_by = SplitCommaList(t.Param("group_by").value_or(std::string(default_group_by)));
  Status groups = query::CheckGroupBy(s.group_by, dimensions);
  if (!groups.ok()) return groups.WithContext("parameter 'group_by'");
  if (auto f = t.Param("filter"); f && !f->empty()) {
    auto parsed = query::filter::ParseFilter(*f);
    if (!parsed.ok()) return parsed.status().WithContext("parameter 'filter'");
    s.filter = std::move(parsed).value();
  }
  if (auto path = t.Param("path")) {
    if (*path != "auto" && *path != "scan") {
      return InvalidArgument("parameter 'path' must be auto or scan");
    }
    s.force_scan = *path == "scan";
  }
  return s;
}

StatusOr<uint64_t> ParseStep(const ParsedTarget& t, const query::CallSelection& s) {
  TS_ASSIGN_OR_RETURN(std::optional<uint64_t> step, ParseDurationParam(t, "step"));
  if (step) {
    if (*step == 0 || *step % kMinute != 0) {
      return InvalidArgument("parameter 'step' must be a whole number of minutes (1m, 5m, 1h, 1d)");
    }
    return *step;
  }
  const uint64_t span = s.end_unix_nano - s.start_unix_nano;
  for (uint64_t candidate : kDefaultSteps) {
    if (span / candidate < kDefaultPoints) return candidate;
  }
  const uint64_t days = span / kDay / kDefaultPoints + 1;
  return days * kDay;
}

StatusOr<query::MetricsQuery> ParseMetricsQuery(
    const ParsedTarget& t, const std::string& project,
    const std::vector<rollup::AllocationDimension>& dimensions, const enrich::PriceTable* prices) {
  query::MetricsQuery q;
  auto metric = t.Param("metric");
  if (!metric) return InvalidArgument("parameter 'metric' is required");
  const std::vector<std::string> items = SplitCommaList(*metric);
  if (items.empty()) return InvalidArgument("parameter 'metric' is required");
  const std::optional<std::string> default_agg = t.Param("agg");
  for (const std::string& item : items) {
    // "latency:p95" names its aggregation; a bare metric takes `agg` or its default.
    const size_t colon = item.find(':');
    auto kind = query::ParseMetricKind(item.substr(0, colon));
    if (!kind.ok()) return kind.status().WithContext("parameter 'metric'");
    query::MetricSpec spec{*kind, query::DefaultAggregation(*kind)};
    std::optional<std::string> agg =
        colon != std::string::npos ? std::optional(item.substr(colon + 1)) : default_agg;
    if (agg) {
      auto parsed = query::ParseAggregation(*agg);
      if (!parsed.ok()) return parsed.status().WithContext("parameter 'agg'");
      spec.agg = *parsed;
    }
    Status pair = query::CheckAggregation(spec.metric, spec.agg);
    if (!pair.ok()) return pair.WithContext("parameter 'agg'");
    q.metrics.push_back(spec);
  }
  TS_ASSIGN_OR_RETURN(q.selection, ParseSelection(t, project, kHour, dimensions, prices, ""));
  TS_ASSIGN_OR_RETURN(q.step_ns, ParseStep(t, q.selection));
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
    out.w().Int64(static_cast<int64_t>(*value));  // counts and tokens print as integers
  } else if (value && std::isfinite(*value)) {
    out.w().Double(*value);
  } else {
    out.w().Null();
  }
}

void WriteGroup(JsonOut& out, const std::vector<std::string>& group_by,
                const query::GroupValues& values) {
  out.Key("group");
  out.w().StartObject();
  for (size_t i = 0; i < group_by.size(); ++i) {
    out.Key(group_by[i]);
    out.String(values[i]);
  }
  out.w().EndObject();
}

void WriteGroupBy(JsonOut& out, const std::vector<std::string>& group_by) {
  out.Key("group_by");
  out.w().StartArray();
  for (const std::string& name : group_by) out.String(name);
  out.w().EndArray();
}

void WritePath(JsonOut& out, bool from_rollups, bool partial, const std::string& reason) {
  out.Key("path");
  out.String(from_rollups ? "rollup" : "scan");
  out.Key("partial");
  out.w().Bool(partial);
  out.Key("partial_reason");
  if (partial) {
    out.String(reason);
  } else {
    out.w().Null();
  }
}

// The figures of one cost row (or the total) as JSON fields.
void WriteCostFigures(JsonOut& out, const rollup::RollupCell& c) {
  auto count = [&](std::string_view key, int64_t value) {
    out.Key(key);
    out.w().Int64(value);
  };
  auto usd = [&](std::string_view key, int64_t nanos) {
    out.Key(key);
    out.w().Double(static_cast<double>(nanos) / 1e9);
  };
  out.Key("requests");
  out.w().Uint64(c.requests);
  out.Key("errors");
  out.w().Uint64(c.errors);
  count("input_tokens", c.input_tokens);
  count("output_tokens", c.output_tokens);
  count("cache_read_input_tokens", c.cache_read_input_tokens);
  count("cache_creation_input_tokens", c.cache_creation_input_tokens);
  count("reasoning_tokens", c.reasoning_tokens);
  count("total_tokens", c.total_tokens);
  usd("input_cost_usd", c.input_cost_nanos);
  usd("output_cost_usd", c.output_cost_nanos);
  usd("cache_read_cost_usd", c.cache_read_cost_nanos);
  usd("cache_creation_cost_usd", c.cache_creation_cost_nanos);
  usd("cost_usd", c.total_cost_nanos);
  count("cost_nanos_usd", c.total_cost_nanos);
}

// RFC 4180: quote fields holding a comma, quote, CR or LF; double the quotes inside. A value
// a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe:
// group values come from span attributes, which anyone who can send spans controls.
std::string CsvField(std::string_view value) {
  std::string text(value);
  if (!text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos) {
    text.insert(0, 1, '\'');
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Exact decimal USD with 9 places, from nano-USD.
std::string UsdText(int64_t nanos) {
  const bool negative = nanos < 0;
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(nanos) + 1 : static_cast<uint64_t>(nanos);
  return fmt::format("{}{}.{:09}", negative ? "-" : "", magnitude / 1'000'000'000,
                     magnitude % 1'000'000'000);
}

void AppendCsvFigures(const rollup::RollupCell& c, std::string* out) {
  *out += fmt::format(",{},{},{},{},{},{},{},{}", c.requests, c.errors, c.input_tokens,
                      c.output_tokens, c.cache_read_input_tokens, c.cache_creation_input_tokens,
                      c.reasoning_tokens, c.total_tokens);
  for (int64_t nanos : {c.input_cost_nanos, c.output_cost_nanos, c.cache_read_cost_nanos,
                        c.cache_creation_cost_nanos, c.total_cost_nanos}) {
    *out += ',' + UsdText(nanos);
  }
  *out += "\r\n";
}

std::string CostCsv(const std::vector<std::string>& group_by, const query::CostAnswer& answer) {
  std::string csv;
  for (const std::string& name : group_by) csv += CsvField(name) + ",";
  csv +=
      "requests,errors,input_tokens,output_tokens,cache_read_input_tokens,"
      "cache_creation_input_tokens,reasoning_tokens,total_tokens,input_cost_usd,output_cost_usd,"
      "cache_read_cost_usd,cache_creation_cost_usd,cost_usd\r\n";
  auto row = [&](const query::GroupValues& values, const rollup::RollupCell& cell) {
    std::string figures;
    AppendCsvFigures(cell, &figures);
    if (values.empty()) {
      csv += figures.substr(1);  // no dimension columns: drop the separating comma
      return;
    }
    for (size_t i = 0; i < values.size(); ++i) csv += (i ? "," : "") + CsvField(values[i]);
    csv += figures;
  };
  for (const query::CostRow& r : answer.rows) row(r.group, r.cell);
  if (group_by.empty()) return csv;  // the single row is the total
  row(query::GroupValues(group_by.size(), "TOTAL"), answer.total);
  return csv;
}

// metric, agg, unit and series of one result, as fields of the object being written.
void WriteMetricResult(JsonOut& out, const std::vector<std::string>& group_by,
                       const query::MetricsAnswer& answer, const query::MetricResult& result) {
  out.Key("metric");
  out.String(query::MetricKindName(result.spec.metric));
  out.Key("agg");
  out.String(query::AggregationName(result.spec.agg));
  out.Key("unit");
  out.String(query::UnitOf(result.spec.metric, result.spec.agg));
  out.Key("series");
  out.w().StartArray();
  for (const query::MetricSeries& series : result.series) {
    out.w().StartObject();
    WriteGroup(out, group_by, series.group);
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
      out.Nanos(answer.first_bucket_unix_nano + i * answer.step_ns);
      WriteValue(out, series.points[i]);
      out.w().EndArray();
    }
    out.w().EndArray();
    out.Key("total");
    WriteValue(out, series.total);
    out.w().EndObject();
  }
  out.w().EndArray();
}

}  // namespace

void WriteRollupRebuildReport(JsonOut& out, const query::RollupRebuildReport& r) {
  auto& w = out.w();
  w.StartObject();
  out.Key("start_unix_nano");
  out.Nanos(r.start_unix_nano);
  out.Key("end_unix_nano");
  out.Nanos(r.end_unix_nano);
  out.Key("spans_examined");
  w.Uint64(r.spans_examined);
  out.Key("cells_before");
  w.Uint64(r.cells_before);
  out.Key("cells_after");
  w.Uint64(r.cells_after);
  out.Key("requests_before");
  w.Uint64(r.requests_before);
  out.Key("requests_after");
  w.Uint64(r.requests_after);
  out.Key("cost_before_nanos_usd");
  w.Int64(r.cost_before_nanos);
  out.Key("cost_after_nanos_usd");
  w.Int64(r.cost_after_nanos);
  w.EndObject();
}

StatusOr<query::RollupRebuildReport> AnalyticsApi::Rebuild(const std::string& project,
                                                           uint64_t start_unix_nano,
                                                           uint64_t end_unix_nano) {
  auto report = query::RebuildRollups(*store_, project, start_unix_nano, end_unix_nano, prices_,
                                      dimensions_, aggregator_);
  // Also after a failure: some hours may have been replaced.
  cache_.Invalidate(project, rollup::MinuteOf(start_unix_nano),
                    rollup::MinuteOf(end_unix_nano - 1) + 1);
  return report;
}

HttpResponse AnalyticsApi::RebuildRollups(const std::string& project, const HttpRequest& req,
                                          const ParsedTarget& target) {
  if (!target.Param("since") && !target.Param("start")) {
    return BadRequest(req, InvalidArgument("give 'since' (e.g. 7d) or 'start'"));
  }
  auto range = ParseTimeRangeEndingNow(target, 0);
  if (!range.ok()) return BadRequest(req, range.status());
  auto report = Rebuild(project, range->start_unix_nano, range->end_unix_nano);
  if (!report.ok()) {
    return MakeJsonError(req, http::status::internal_server_error, "internal",
                         report.status().message());
  }
  JsonOut out;
  WriteRollupRebuildReport(out, *report);
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse AnalyticsApi::Metrics(const std::string& project, const HttpRequest& req,
                                   const ParsedTarget& target) {
  auto q = ParseMetricsQuery(target, project, dimensions_, prices_);
  if (!q.ok()) return BadRequest(req, q.status());
  q->selection.cache = &cache_;
  auto answer = query::RunMetricsQuery(*store_, *q);
  if (!answer.ok()) {
    if (answer.status().code() == StatusCode::kInvalidArgument) {
      return BadRequest(req, answer.status());
    }
    return MakeJsonError(req, http::status::internal_server_error, "internal",
                         answer.status().message());
  }
  const bool several = q->metrics.size() > 1;
  JsonOut out;
  out.w().StartObject();
  if (!several) WriteMetricResult(out, q->selection.group_by, *answer, answer->results[0]);
  out.Key("start_unix_nano");
  out.Nanos(answer->first_bucket_unix_nano);
  out.Key("end_unix_nano");
  out.Nanos(answer->end_unix_nano);
  out.Key("step_ns");
  out.Nanos(answer->step_ns);
  WriteGroupBy(out, q->selection.group_by);
  if (several) {
    out.Key("results");
    out.w().StartArray();
    for (const query::MetricResult& result : answer->results) {
      out.w().StartObject();
      WriteMetricResult(out, q->selection.group_by, *answer, result);
      out.w().EndObject();
    }
    out.w().EndArray();
  }
  WritePath(out, answer->from_rollups, answer->partial, answer->partial_reason);
  out.Key("folded_values");
  out.w().Uint64(aggregator_ != nullptr ? aggregator_->folded_values() : 0);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse AnalyticsApi::Costs(const std::string& project, const HttpRequest& req,
                                 const ParsedTarget& target) {
  auto selection = ParseSelection(target, project, 30 * kDay, dimensions_, prices_, "model");
  if (!selection.ok()) return BadRequest(req, selection.status());
  auto limit = ParseUintParam(target, "limit", 1000);
  if (!limit.ok()) return BadRequest(req, limit.status());
  if (*limit < 1 || *limit > kMaxCostRows) {
    return BadRequest(req, InvalidArgument("parameter 'limit' must be between 1 and 100000"));
  }
  const std::string format = target.Param("format").value_or("json");
  if (format != "json" && format != "csv") {
    return BadRequest(req, InvalidArgument("parameter 'format' must be json or csv"));
  }
  selection->cache = &cache_;
  auto answer = query::RunCostQuery(*store_, *selection, *limit);
  if (!answer.ok()) {
    if (answer.status().code() == StatusCode::kInvalidArgument) {
      return BadRequest(req, answer.status());
    }
    return MakeJsonError(req, http::status::internal_server_error, "internal",
                         answer.status().message());
  }
  if (format == "csv") {
    HttpResponse res = MakeResponse(req, http::status::ok, CostCsv(selection->group_by, *answer),
                                    "text/csv; charset=utf-8");
    res.set(http::field::content_disposition, "attachment; filename=\"tokenscope-costs.csv\"");
    return res;
  }
  JsonOut out;
  out.w().StartObject();
  out.Key("start_unix_nano");
  out.Nanos(selection->start_unix_nano - selection->start_unix_nano % kMinute);
  out.Key("end_unix_nano");
  const uint64_t end = selection->end_unix_nano;
  out.Nanos(end % kMinute == 0 || end > UINT64_MAX - kMinute ? end : end - end % kMinute + kMinute);
  WriteGroupBy(out, selection->group_by);
  out.Key("rows");
  out.w().StartArray();
  for (const query::CostRow& row : answer->rows) {
    out.w().StartObject();
    WriteGroup(out, selection->group_by, row.group);
    if (row.other) {
      out.Key("other");
      out.w().Bool(true);
      out.Key("groups");
      out.w().Uint64(row.groups);
    }
    WriteCostFigures(out, row.cell);
    out.w().EndObject();
  }
  out.w().EndArray();
  out.Key("total");
  out.w().StartObject();
  WriteCostFigures(out, answer->total);
  out.w().EndObject();
  WritePath(out, answer->from_rollups, answer->partial, answer->partial_reason);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

}  // namespace tokenscope::server
