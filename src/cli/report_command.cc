#include "cli/report_command.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "base/clock.h"
#include "base/duration.h"
#include "cli/format.h"
#include "cli/http_client.h"
#include "cli/trace_render.h"
#include "cli/url.h"

namespace tokenscope::cli {
namespace {

using JsonValue = rapidjson::Value;

constexpr uint64_t kNanosPerHour = 3'600'000'000'000;
constexpr uint64_t kNanosPerDay = 24 * kNanosPerHour;
constexpr int64_t kNanosPerSecond = 1'000'000'000;
// The API's largest `top`: every group keeps its own series unless there are more than this.
constexpr int kTop = 1000;
constexpr std::string_view kTotal = "TOTAL";
constexpr size_t kMaxDimensionColumnWidth = 40;

// One metrics call per measure of a row. Tokens are fetched as sums and divided by the requests
// here, so the total rows average over all their calls exactly.
enum Measure { kRequests, kErrors, kInputTokens, kOutputTokens, kLatency, kCost, kMeasureCount };

struct MetricQuery {
  std::string_view metric;
  std::string_view agg;
};

constexpr MetricQuery kQueries[kMeasureCount] = {
    {"requests", "sum"},      {"errors", "sum"},  {"input_tokens", "sum"},
    {"output_tokens", "sum"}, {"latency", "p95"}, {"cost", "sum"},
};

void PrintError(std::ostream& err, std::string_view message) {
  err << "error: " << message << '\n';
}

// The resolved parameters every call of one report shares.
struct ReportRange {
  uint64_t start = 0;  // a whole period in UTC
  uint64_t end = 0;    // now
  bool hourly = false;
  std::vector<std::string> dimensions;
  std::string group_by;  // the dimensions joined by commas
};

StatusOr<ReportRange> ResolveRange(const ReportParams& params) {
  ReportRange range;
  uint64_t step = 0;
  if (params.step == "1d") {
    step = kNanosPerDay;
  } else if (params.step == "1h") {
    step = kNanosPerHour;
    range.hourly = true;
  } else {
    return InvalidArgument(fmt::format("the step is 1d or 1h, got \"{}\"",
                                       std::string_view(params.step).substr(0, 64)));
  }
  std::optional<uint64_t> since = ParseDurationNanos(params.since);
  if (!since.has_value() || *since == 0) {
    return InvalidArgument(fmt::format("--since expects a duration such as 7d or 12h, got \"{}\"",
                                       std::string_view(params.since).substr(0, 64)));
  }
  range.end = params.now_unix_nanos != 0 ? params.now_unix_nanos : UnixNanosNow();
  uint64_t from = *since < range.end ? range.end - *since : 0;
  range.start = from - from % step;
  std::string_view rest = params.group_by;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t first = item.find_first_not_of(' ');
    if (first != std::string_view::npos) {
      item = item.substr(first, item.find_last_not_of(' ') + 1 - first);
      range.dimensions.emplace_back(item);
      if (!range.group_by.empty()) range.group_by += ',';
      range.group_by += item;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return range;
}

std::string MetricsTarget(const ReportParams& params, const ReportRange& range,
                          const MetricQuery& query, std::string_view group_by) {
  std::vector<std::pair<std::string, std::string>> parameters = {
      {"metric", std::string(query.metric)},
      {"agg", std::string(query.agg)},
      {"group_by", std::string(group_by)},
  };
  if (params.filter.has_value()) parameters.emplace_back("filter", *params.filter);
  parameters.emplace_back("start", std::to_string(range.start));
  parameters.emplace_back("end", std::to_string(range.end));
  parameters.emplace_back("step", params.step);
  parameters.emplace_back("top", std::to_string(kTop));
  return "/api/v1/metrics" + BuildQueryString(parameters);
}

std::vector<std::string> TargetsFor(const ReportParams& params, const ReportRange& range) {
  std::vector<std::string> targets;
  for (const MetricQuery& query : kQueries) {
    targets.push_back(MetricsTarget(params, range, query, range.group_by));
  }
  if (!range.dimensions.empty()) {
    targets.push_back(MetricsTarget(params, range, kQueries[kLatency], ""));
  }
  return targets;
}

// A series of a GET /api/v1/metrics answer.
struct Series {
  std::vector<std::string> group;  // the values of the requested dimensions, in their order
  bool other = false;              // the groups beyond `top`, folded together
  int64_t folded_groups = 0;
  std::map<int64_t, double> points;  // bucket start -> value; null points are left out
  std::optional<double> total;
};

struct MetricAnswer {
  std::vector<Series> series;
  std::optional<std::string> partial_reason;
};

// Unix nanos come as decimal strings; plain JSON integers are accepted too.
std::optional<int64_t> UnixNanos(const JsonValue& value) {
  if (value.IsInt64()) return value.GetInt64();
  if (!value.IsString()) return std::nullopt;
  int64_t parsed = 0;
  const char* begin = value.GetString();
  const char* end = begin + value.GetStringLength();
  auto [stop, error] = std::from_chars(begin, end, parsed);
  if (error != std::errc() || stop != end) return std::nullopt;
  return parsed;
}

Status Malformed(std::string_view what) {
  return InvalidArgument(fmt::format("unexpected answer from the server: {}", what));
}

StatusOr<MetricAnswer> ParseMetricAnswer(std::string_view body,
                                         const std::vector<std::string>& dimensions) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError()) {
    return InvalidArgument(fmt::format("the server's answer is not JSON ({} at offset {})",
                                       rapidjson::GetParseError_En(document.GetParseError()),
                                       document.GetErrorOffset()));
  }
  if (!document.IsObject()) return Malformed("not a JSON object");
  // Read through a const view: comparing two non-const rapidjson member iterators is ambiguous
  // in C++20 (clang rejects it), comparing const ones is not.
  const rapidjson::Document& doc = document;
  auto series_it = doc.FindMember("series");
  if (series_it == doc.MemberEnd() || !series_it->value.IsArray()) {
    return Malformed("no series");
  }
  MetricAnswer answer;
  for (const JsonValue& item : series_it->value.GetArray()) {
    if (!item.IsObject()) return Malformed("a series is not an object");
    Series series;
    auto group_it = item.FindMember("group");
    for (const std::string& dimension : dimensions) {
      std::string value;
      if (group_it != item.MemberEnd() && group_it->value.IsObject()) {
        auto value_it = group_it->value.FindMember(dimension.c_str());
        if (value_it != group_it->value.MemberEnd() && value_it->value.IsString()) {
          value.assign(value_it->value.GetString(), value_it->value.GetStringLength());
        }
      }
      series.group.push_back(std::move(value));
    }
    auto other_it = item.FindMember("other");
    series.other =
        other_it != item.MemberEnd() && other_it->value.IsBool() && other_it->value.GetBool();
    auto groups_it = item.FindMember("groups");
    if (groups_it != item.MemberEnd() && groups_it->value.IsInt64()) {
      series.folded_groups = groups_it->value.GetInt64();
    }
    auto points_it = item.FindMember("points");
    if (points_it == item.MemberEnd() || !points_it->value.IsArray()) {
      return Malformed("a series has no points");
    }
    for (const JsonValue& point : points_it->value.GetArray()) {
      if (!point.IsArray() || point.Size() != 2) return Malformed("a point is not [time, value]");
      std::optional<int64_t> time = UnixNanos(point[0]);
      if (!time.has_value()) return Malformed("a point's time is not unix nanoseconds");
      if (point[1].IsNull()) continue;
      if (!point[1].IsNumber()) return Malformed("a point's value is not a number");
      series.points[*time] = point[1].GetDouble();
    }
    auto total_it = item.FindMember("total");
    if (total_it != item.MemberEnd() && total_it->value.IsNumber()) {
      series.total = total_it->value.GetDouble();
    }
    answer.series.push_back(std::move(series));
  }
  auto partial_it = doc.FindMember("partial");
  if (partial_it != doc.MemberEnd() && partial_it->value.IsBool() && partial_it->value.GetBool()) {
    auto reason_it = doc.FindMember("partial_reason");
    answer.partial_reason = reason_it != doc.MemberEnd() && reason_it->value.IsString()
                                ? SanitizeForTerminal(reason_it->value.GetString())
                                : std::string("a scan budget ran out");
  }
  return answer;
}

// GETs one metrics target. Returns nullopt after printing the failure and setting `exit_code`:
// a 400 means the server refused the report's parameters (a bad filter or dimension), which is
// a usage error like a bad flag; other error answers are server errors.
std::optional<std::string> FetchBody(const Endpoint& endpoint, const HttpRequestOptions& options,
                                     std::string_view target, std::ostream& err, int& exit_code) {
  StatusOr<HttpResponse> response = HttpGet(endpoint, target, options);
  if (!response.ok()) {
    PrintError(err, response.status().message());
    if (response.status().code() == StatusCode::kUnavailable) {
      err << fmt::format(
          "hint: is `tokenscope serve` running at {}? Set --endpoint or {} to point elsewhere.\n",
          endpoint.ToString(), kEndpointEnvVar);
    }
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (!response->ok()) {
    PrintError(err, DescribeErrorResponse(response->status, response->reason, response->body));
    exit_code = response->status == 400 ? kExitUsage : kExitServerError;
    return std::nullopt;
  }
  return std::move(response->body);
}

// What one row of the report shows, summed over its calls.
struct Usage {
  double requests = 0;
  double errors = 0;
  double input_tokens = 0;
  double output_tokens = 0;
  double cost_usd = 0;
  std::optional<double> p95_latency_ns;

  void Add(const Usage& other) {
    requests += other.requests;
    errors += other.errors;
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    cost_usd += other.cost_usd;
  }
  double PerRequest(double value) const { return requests > 0 ? value / requests : 0; }
};

struct GroupKey {
  bool other = false;  // sorts after every named group
  std::vector<std::string> values;

  bool operator<(const GroupKey& that) const {
    return std::tie(other, values) < std::tie(that.other, that.values);
  }
  bool operator==(const GroupKey& that) const {
    return other == that.other && values == that.values;
  }
};

enum class RowKind { kGroup, kPeriodTotal, kGrandTotal };

struct ReportRow {
  RowKind kind = RowKind::kGroup;
  int64_t period = 0;
  GroupKey group;
  Usage usage;
};

struct Report {
  std::vector<std::string> dimensions;
  bool hourly = false;
  std::vector<ReportRow> rows;
  size_t group_row_count = 0;
};

// Joins the answers (indexed by Measure; `all_latency` is the ungrouped p95) by group and
// bucket, orders the groups by their cost over the whole range, drops rows without requests and
// adds the total rows.
Report BuildReport(const ReportRange& range, const std::vector<MetricAnswer>& answers,
                   const MetricAnswer& all_latency) {
  std::map<int64_t, std::map<GroupKey, Usage>> by_period;
  std::map<GroupKey, double> cost_by_group;
  for (int measure = 0; measure < kMeasureCount; ++measure) {
    for (const Series& series : answers[measure].series) {
      GroupKey key{series.other, series.group};
      for (const auto& [time, value] : series.points) {
        Usage& usage = by_period[time][key];
        switch (measure) {
          case kRequests:
            usage.requests = value;
            break;
          case kErrors:
            usage.errors = value;
            break;
          case kInputTokens:
            usage.input_tokens = value;
            break;
          case kOutputTokens:
            usage.output_tokens = value;
            break;
          case kLatency:
            usage.p95_latency_ns = value;
            break;
          case kCost:
            usage.cost_usd = value;
            cost_by_group[key] += value;
            break;
        }
      }
    }
  }
  auto costlier = [&](const GroupKey* a, const GroupKey* b) {
    if (a->other != b->other) return b->other;
    double cost_a = cost_by_group[*a];
    double cost_b = cost_by_group[*b];
    if (cost_a != cost_b) return cost_a > cost_b;
    return a->values < b->values;
  };
  // The ungrouped series: the p95 of the total rows.
  const Series* overall = all_latency.series.empty() ? nullptr : &all_latency.series.front();

  Report report;
  report.dimensions = range.dimensions;
  report.hourly = range.hourly;
  ReportRow grand{RowKind::kGrandTotal, 0, {}, {}};
  if (overall != nullptr) grand.usage.p95_latency_ns = overall->total;
  for (const auto& [period, groups] : by_period) {
    std::vector<const GroupKey*> order;
    for (const auto& [key, usage] : groups) {
      if (usage.requests > 0) order.push_back(&key);
    }
    if (order.empty()) continue;
    std::sort(order.begin(), order.end(), costlier);
    ReportRow total{RowKind::kPeriodTotal, period, {}, {}};
    for (const GroupKey* key : order) {
      const Usage& usage = groups.at(*key);
      report.rows.push_back(ReportRow{RowKind::kGroup, period, *key, usage});
      total.usage.Add(usage);
    }
    report.group_row_count += order.size();
    if (overall != nullptr) {
      auto point = overall->points.find(period);
      if (point != overall->points.end()) total.usage.p95_latency_ns = point->second;
    }
    grand.usage.Add(total.usage);
    if (!range.dimensions.empty()) report.rows.push_back(std::move(total));
  }
  if (grand.usage.requests > 0) report.rows.push_back(std::move(grand));
  return report;
}

std::string UtcTime(int64_t unix_nanos, const char* format) {
  int64_t seconds = unix_nanos / kNanosPerSecond;
  if (unix_nanos % kNanosPerSecond < 0) --seconds;
  time_t as_time_t = static_cast<time_t>(seconds);
  struct tm utc {};
  if (gmtime_r(&as_time_t, &utc) == nullptr) return std::to_string(unix_nanos);
  char text[32];
  size_t written = strftime(text, sizeof(text), format, &utc);
  if (written == 0) return std::to_string(unix_nanos);
  return std::string(text, written);
}

std::string PeriodLabel(int64_t unix_nanos, bool hourly) {
  return UtcTime(unix_nanos, hourly ? "%Y-%m-%d %H:00" : "%Y-%m-%d");
}

// "1234567.5" -> "1,234,567.5".
std::string GroupThousands(std::string number) {
  size_t begin = number.find_first_of("0123456789");
  if (begin == std::string::npos) return number;
  size_t end = number.find_first_not_of("0123456789", begin);
  if (end == std::string::npos) end = number.size();
  for (size_t digits = end - begin; digits > 3; digits -= 3) {
    number.insert(begin + digits - 3, 1, ',');
  }
  return number;
}

double ErrorPercent(const Usage& usage) {
  return usage.PerRequest(usage.errors) * 100;
}

std::string RenderTable(const Report& report) {
  std::vector<TextTable::Column> columns;
  columns.push_back({report.hourly ? "HOUR (UTC)" : "DAY (UTC)"});
  for (const std::string& dimension : report.dimensions) {
    std::string header = dimension;
    std::transform(header.begin(), header.end(), header.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    columns.push_back({header, TextTable::Align::kLeft, kMaxDimensionColumnWidth});
  }
  for (const char* header :
       {"REQUESTS", "ERROR %", "AVG IN TOKENS", "AVG OUT TOKENS", "P95 MS", "COST USD"}) {
    columns.push_back({header, TextTable::Align::kRight});
  }
  TextTable table(std::move(columns));
  const bool grouped = !report.dimensions.empty();
  std::optional<int64_t> previous_period;
  size_t rows_in_period = 0;
  for (const ReportRow& row : report.rows) {
    std::vector<std::string> cells;
    if (row.kind == RowKind::kGroup) {
      // A blank line between periods, when each has several rows.
      if (grouped && previous_period.has_value() && *previous_period != row.period) {
        table.AddRow({});
      }
      if (previous_period != row.period) rows_in_period = 0;
      previous_period = row.period;
      ++rows_in_period;
      cells.push_back(PeriodLabel(row.period, report.hourly));
      for (const std::string& value : row.group.values)
        cells.push_back(value.empty() ? "-" : value);
    } else if (row.kind == RowKind::kPeriodTotal) {
      // A total repeating the only row above it says nothing.
      if (rows_in_period < 2) continue;
      cells.push_back(PeriodLabel(row.period, report.hourly));
      cells.push_back(std::string(kTotal));
      cells.resize(1 + report.dimensions.size());
    } else {
      if (report.group_row_count < 2) continue;
      if (grouped) table.AddRow({});
      cells.push_back(std::string(kTotal));
      cells.resize(1 + report.dimensions.size());
    }
    const Usage& usage = row.usage;
    cells.push_back(GroupThousands(fmt::format("{:.0f}", usage.requests)));
    cells.push_back(fmt::format("{:.2f}", ErrorPercent(usage)));
    cells.push_back(GroupThousands(fmt::format("{:.1f}", usage.PerRequest(usage.input_tokens))));
    cells.push_back(GroupThousands(fmt::format("{:.1f}", usage.PerRequest(usage.output_tokens))));
    cells.push_back(usage.p95_latency_ns.has_value()
                        ? GroupThousands(fmt::format("{:.0f}", *usage.p95_latency_ns / 1e6))
                        : "-");
    cells.push_back(GroupThousands(fmt::format("{:.4f}", usage.cost_usd)));
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

// RFC 4180: a field with a comma, a double quote or a line break is quoted, quotes doubled.
std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

// A dimension value a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
// leading apostrophe: values come from span attributes, which anyone who sends spans controls.
std::string FormulaSafe(const std::string& value) {
  if (value.empty() || std::string_view("=+-@\t\r").find(value[0]) == std::string_view::npos) {
    return value;
  }
  return "'" + value;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  line += '\n';
  return line;
}

std::string RenderCsv(const Report& report) {
  std::vector<std::string> header = {"period_start_utc"};
  header.insert(header.end(), report.dimensions.begin(), report.dimensions.end());
  for (const char* name : {"requests", "errors", "error_rate_pct", "avg_input_tokens",
                           "avg_output_tokens", "p95_latency_ms", "cost_usd"}) {
    header.emplace_back(name);
  }
  std::string text = CsvLine(header);
  for (const ReportRow& row : report.rows) {
    std::vector<std::string> fields;
    fields.push_back(row.kind == RowKind::kGrandTotal ? std::string(kTotal)
                                                      : PeriodLabel(row.period, report.hourly));
    if (row.kind == RowKind::kGroup) {
      for (const std::string& value : row.group.values) fields.push_back(FormulaSafe(value));
    } else {
      fields.resize(1 + report.dimensions.size(), std::string(kTotal));
    }
    const Usage& usage = row.usage;
    fields.push_back(fmt::format("{:.0f}", usage.requests));
    fields.push_back(fmt::format("{:.0f}", usage.errors));
    fields.push_back(fmt::format("{:.2f}", ErrorPercent(usage)));
    fields.push_back(fmt::format("{:.1f}", usage.PerRequest(usage.input_tokens)));
    fields.push_back(fmt::format("{:.1f}", usage.PerRequest(usage.output_tokens)));
    fields.push_back(usage.p95_latency_ns.has_value()
                         ? fmt::format("{:.1f}", *usage.p95_latency_ns / 1e6)
                         : std::string());
    fields.push_back(fmt::format("{:.9f}", usage.cost_usd));
    text += CsvLine(fields);
  }
  return text;
}

// Warnings about rows that stand for more than one group, and answers a budget cut short.
void PrintWarnings(const std::vector<MetricAnswer>& answers, const Report& report,
                   std::ostream& err) {
  std::set<std::string> partial_reasons;
  int64_t folded_groups = 0;
  for (const MetricAnswer& answer : answers) {
    if (answer.partial_reason.has_value()) partial_reasons.insert(*answer.partial_reason);
    for (const Series& series : answer.series) {
      if (series.other) folded_groups = std::max(folded_groups, series.folded_groups);
    }
  }
  for (const std::string& reason : partial_reasons) {
    err << fmt::format("partial report: {}\n", reason);
  }
  if (folded_groups > 0) {
    err << fmt::format("note: {} groups beyond the {} largest are added up in the __other__ rows\n",
                       folded_groups, kTop);
  }
  bool cardinality_folded = std::any_of(report.rows.begin(), report.rows.end(), [](auto& row) {
    return !row.group.other && std::find(row.group.values.begin(), row.group.values.end(),
                                         "__other__") != row.group.values.end();
  });
  if (cardinality_folded) {
    err << "note: __other__ also holds the values beyond the server's "
           "rollup.max_values_per_dimension\n";
  }
}

}  // namespace

StatusOr<std::vector<std::string>> ReportTargets(const ReportParams& params) {
  StatusOr<ReportRange> range = ResolveRange(params);
  if (!range.ok()) return range.status();
  return TargetsFor(params, *range);
}

int RunReport(const ClientOptions& options, const ReportParams& params, std::ostream& out,
              std::ostream& err) {
  if (params.format != "table" && params.format != "csv") {
    PrintError(err, fmt::format("the format is table or csv, got \"{}\"",
                                std::string_view(params.format).substr(0, 64)));
    return kExitUsage;
  }
  StatusOr<ReportRange> range = ResolveRange(params);
  if (!range.ok()) {
    PrintError(err, range.status().message());
    return kExitUsage;
  }
  StatusOr<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint.ok()) {
    PrintError(err, endpoint.status().message());
    return kExitUsage;
  }
  HttpRequestOptions request_options;
  request_options.timeout = options.timeout;
  request_options.user_agent = "tokenscope/" TOKENSCOPE_VERSION;
  request_options.api_key = options.api_key;

  std::vector<MetricAnswer> answers;
  for (const std::string& target : TargetsFor(params, *range)) {
    int exit_code = kExitOk;
    std::optional<std::string> body = FetchBody(*endpoint, request_options, target, err, exit_code);
    if (!body.has_value()) return exit_code;
    // The last, ungrouped answer has no dimensions.
    bool ungrouped = answers.size() == kMeasureCount;
    StatusOr<MetricAnswer> answer =
        ParseMetricAnswer(*body, ungrouped ? std::vector<std::string>() : range->dimensions);
    if (!answer.ok()) {
      PrintError(err, answer.status().message());
      return kExitServerError;
    }
    answers.push_back(std::move(answer).value());
  }
  // Without dimensions the latency answer is already the ungrouped one.
  const MetricAnswer& all_latency =
      answers.size() > kMeasureCount ? answers[kMeasureCount] : answers[kLatency];
  Report report = BuildReport(*range, answers, all_latency);
  out << (params.format == "csv" ? RenderCsv(report) : RenderTable(report));
  PrintWarnings(answers, report, err);
  if (report.group_row_count == 0) {
    err << fmt::format("no LLM calls from {} to {} UTC\n",
                       UtcTime(static_cast<int64_t>(range->start), "%Y-%m-%d %H:%M"),
                       UtcTime(static_cast<int64_t>(range->end), "%Y-%m-%d %H:%M"));
  }
  return kExitOk;
}

}  // namespace tokenscope::cli
