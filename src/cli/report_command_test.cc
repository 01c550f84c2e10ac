#include "cli/report_command.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/duration.h"
#include "base/json_escape.h"
#include "cli/test_http_server.h"

namespace tokenscope::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
constexpr int64_t kNov12 = 1762905600 * kNanosPerSecond;  // 2025-11-12 00:00 UTC
constexpr int64_t kNov13 = 1762992000 * kNanosPerSecond;  // 2025-11-13 00:00 UTC
constexpr int64_t kNow = kNov13 + 10 * kNanosPerHour;     // 2025-11-13 10:00 UTC

// One stored LLM call, as the fake metrics API sees it.
struct FakeCall {
  int64_t time_ns = 0;
  std::map<std::string, std::string> dimensions;
  bool error = false;
  double input_tokens = 0;
  double output_tokens = 0;
  double latency_ms = 0;
  double cost_usd = 0;
};

FakeCall Call(int64_t time_ns, std::string model, double input_tokens, double output_tokens,
              double latency_ms, double cost_usd, bool error = false) {
  return FakeCall{
      time_ns, {{"model", std::move(model)}}, error, input_tokens, output_tokens, latency_ms,
      cost_usd};
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> QueryParameters(std::string_view target) {
  std::map<std::string, std::string> parameters;
  size_t question = target.find('?');
  if (question == std::string_view::npos) return parameters;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    std::string_view item = rest.substr(0, rest.find('&'));
    size_t equals = item.find('=');
    parameters[PercentDecode(item.substr(0, equals))] =
        equals == std::string_view::npos ? "" : PercentDecode(item.substr(equals + 1));
    rest.remove_prefix(std::min(rest.size(), item.size() + 1));
  }
  return parameters;
}

struct Reply {
  int status = 200;
  std::string body;
};

Reply BadRequest(std::string_view message) {
  return {400, fmt::format(R"({{"error":{{"code":"invalid_argument","message":"{}"}}}})",
                           JsonEscape(message))};
}

std::string JsonNumber(std::optional<double> value) {
  return value.has_value() ? fmt::format("{}", *value) : "null";
}

// GET /api/v1/metrics over `calls`, as docs/api.md specifies it: one point per bucket from
// start (rounded down to the step) to end, 0 in empty buckets for sums and null for averages
// and percentiles, `total` over the whole range, the groups beyond `top` folded into one
// "other" series, 400 naming a bad parameter. The filter language is reduced to DIM = "VALUE";
// percentiles are exact (nearest rank).
Reply AnswerMetrics(const std::vector<FakeCall>& calls, std::string_view target) {
  if (target.substr(0, target.find('?')) != "/api/v1/metrics") return {404, "{}"};
  std::map<std::string, std::string> query = QueryParameters(target);
  static const std::set<std::string> kMetrics = {
      "requests", "errors", "error_rate", "latency", "input_tokens", "output_tokens", "cost"};
  const std::string metric = query["metric"];
  if (kMetrics.count(metric) == 0) return BadRequest("metric: unknown metric \"" + metric + "\"");
  const bool timing = metric == "latency";
  std::string agg = query.count("agg")       ? query["agg"]
                    : timing                 ? "p95"
                    : metric == "error_rate" ? "avg"
                                             : "sum";
  const bool percentile = agg == "p50" || agg == "p90" || agg == "p95" || agg == "p99";
  if (percentile && !timing) return BadRequest("agg: percentiles are for latency and ttft");
  std::vector<std::string> dimensions;
  static const std::set<std::string> kDimensions = {
      "service", "model", "provider", "operation", "team", "error_class", "user", "session"};
  std::string group_by = query.count("group_by") ? query["group_by"] : "model";
  for (size_t begin = 0; begin < group_by.size();) {
    size_t comma = std::min(group_by.find(',', begin), group_by.size());
    std::string dimension = group_by.substr(begin, comma - begin);
    if (kDimensions.count(dimension) == 0) {
      return BadRequest("group_by: unknown dimension \"" + dimension + "\"");
    }
    dimensions.push_back(dimension);
    begin = comma + 1;
  }
  std::optional<std::pair<std::string, std::string>> equals;
  if (query.count("filter")) {
    std::smatch match;
    static const std::regex kEquals(R"re(\s*(\w+)\s*=\s*"([^"]*)"\s*)re");
    if (!std::regex_match(query["filter"], match, kEquals)) {
      return BadRequest("filter: expected = at position " +
                        std::to_string(query["filter"].find_first_of("~<>!") + 1));
    }
    equals.emplace(match[1], match[2]);
  }
  const int64_t start = std::stoll(query["start"]);
  const int64_t end = std::stoll(query["end"]);
  std::optional<uint64_t> step_ns = ParseDurationNanos(query["step"]);
  if (!step_ns || *step_ns == 0 || *step_ns % kNanosPerMinute != 0) {
    return BadRequest("step: expected a whole number of minutes");
  }
  const int64_t step = static_cast<int64_t>(*step_ns);
  const int top = query.count("top") ? std::stoi(query["top"]) : 10;
  if (top < 1 || top > 1000) return BadRequest("top: expected 1 to 1000");

  auto value_of = [&](const FakeCall& call) {
    if (metric == "requests") return 1.0;
    if (metric == "errors" || metric == "error_rate") return call.error ? 1.0 : 0.0;
    if (metric == "input_tokens") return call.input_tokens;
    if (metric == "output_tokens") return call.output_tokens;
    if (metric == "latency") return call.latency_ms * 1e6;
    return call.cost_usd;
  };
  auto aggregate = [&](const std::vector<const FakeCall*>& group,
                       double seconds) -> std::optional<double> {
    std::vector<double> values;
    for (const FakeCall* call : group) values.push_back(value_of(*call));
    double sum = 0;
    for (double value : values) sum += value;
    if (agg == "count") return static_cast<double>(values.size());
    if (agg == "rate") return sum / seconds;
    if (values.empty() && agg != "sum") return std::nullopt;
    if (agg == "sum") return sum;
    if (agg == "avg") return sum / static_cast<double>(values.size());
    double quantile = std::stod(agg.substr(1)) / 100;
    std::sort(values.begin(), values.end());
    size_t rank = static_cast<size_t>(std::ceil(quantile * static_cast<double>(values.size())));
    return values[std::max<size_t>(rank, 1) - 1];
  };

  const int64_t first_bucket = start - start % step;
  std::map<std::vector<std::string>, std::vector<const FakeCall*>> groups;
  if (dimensions.empty()) groups[{}];  // one series, even without data
  for (const FakeCall& call : calls) {
    if (call.time_ns < start || call.time_ns >= end) continue;
    auto value = [&](const std::string& dimension) {
      auto it = call.dimensions.find(dimension);
      return it == call.dimensions.end() ? std::string() : it->second;
    };
    if (equals.has_value() && value(equals->first) != equals->second) continue;
    std::vector<std::string> key;
    for (const std::string& dimension : dimensions) key.push_back(value(dimension));
    groups[key].push_back(&call);
  }
  struct Group {
    std::vector<std::string> key;
    std::vector<const FakeCall*> calls;
    double total = 0;
  };
  std::vector<Group> ranked;
  const double range_seconds = static_cast<double>(end - start) / 1e9;
  for (auto& [key, members] : groups) {
    ranked.push_back({key, members, aggregate(members, range_seconds).value_or(0)});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Group& a, const Group& b) { return a.total > b.total; });
  std::vector<std::string> series;
  auto add_series = [&](const std::vector<std::string>& key, const std::vector<const FakeCall*>& in,
                        std::string_view extra) {
    std::string group;
    for (size_t i = 0; i < dimensions.size(); ++i) {
      group += fmt::format("{}\"{}\":\"{}\"", i ? "," : "", JsonEscape(dimensions[i]),
                           JsonEscape(key[i]));
    }
    std::string points;
    for (int64_t bucket = first_bucket; bucket < end; bucket += step) {
      std::vector<const FakeCall*> inside;
      for (const FakeCall* call : in) {
        if (call->time_ns >= bucket && call->time_ns < bucket + step) inside.push_back(call);
      }
      points += fmt::format("{}[\"{}\",{}]", points.empty() ? "" : ",", bucket,
                            JsonNumber(aggregate(inside, static_cast<double>(step) / 1e9)));
    }
    series.push_back(fmt::format(R"({{"group":{{{}}}{},"points":[{}],"total":{}}})", group, extra,
                                 points, JsonNumber(aggregate(in, range_seconds))));
  };
  std::vector<const FakeCall*> folded;
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i < static_cast<size_t>(top)) {
      add_series(ranked[i].key, ranked[i].calls, "");
    } else {
      folded.insert(folded.end(), ranked[i].calls.begin(), ranked[i].calls.end());
    }
  }
  if (ranked.size() > static_cast<size_t>(top)) {
    add_series(std::vector<std::string>(dimensions.size(), "__other__"), folded,
               fmt::format(R"(,"other":true,"groups":{})", ranked.size() - top));
  }
  std::string group_by_json;
  for (const std::string& dimension : dimensions) {
    group_by_json += fmt::format("{}\"{}\"", group_by_json.empty() ? "" : ",", dimension);
  }
  std::string unit = timing ? "ns" : metric == "cost" ? "USD" : "1";
  return {200,
          fmt::format(R"({{"metric":"{}","agg":"{}","unit":"{}","start_unix_nano":"{}",)"
                      R"("end_unix_nano":"{}","step_ns":"{}","group_by":[{}],)"
                      R"("series":[{}],"path":"rollup","folded_values":0}})",
                      metric, agg, unit, start, end, step, group_by_json, fmt::join(series, ","))};
}

// A one-thread HTTP/1.1 server on 127.0.0.1 that answers each request with `answer(target)`
// and records the targets; the metrics calls of a report need different answers.
class FakeMetricsServer {
 public:
  explicit FakeMetricsServer(std::vector<FakeCall> calls)
      : calls_(std::move(calls)), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeMetricsServer() {
    stopping_ = true;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket wake(ioc);
    boost::system::error_code ignored;
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<std::string> targets() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return targets_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        targets_.emplace_back(request.target());
      }
      Reply reply = AnswerMetrics(calls_, request.target());
      http::response<http::string_body> response(static_cast<http::status>(reply.status), 11);
      response.set(http::field::content_type, "application/json");
      response.body() = reply.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  const std::vector<FakeCall> calls_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

template <typename Server>
ClientOptions OptionsFor(const Server& server) {
  ClientOptions options;
  options.endpoint = server.endpoint();
  return options;
}

ReportParams ParamsAt(int64_t now, std::string since) {
  ReportParams params;
  params.since = std::move(since);
  params.now_unix_nanos = static_cast<uint64_t>(now);
  return params;
}

// gpt-4o costs more than claude over the range, so it comes first on both days.
std::vector<FakeCall> TwoModelsOverTwoDays() {
  return {
      Call(kNov12 + 1 * kNanosPerHour, "gpt-4o", 1000, 200, 800, 0.0045),
      Call(kNov12 + 2 * kNanosPerHour, "gpt-4o", 2000, 100, 1200, 0.0075),
      Call(kNov12 + 3 * kNanosPerHour, "gpt-4o", 500, 0, 300, 0.0013, /*error=*/true),
      Call(kNov12 + 4 * kNanosPerHour, "claude-3-5-sonnet", 4000, 500, 2000, 0.0025),
      Call(kNov13 + 1 * kNanosPerHour, "gpt-4o", 1200, 300, 900, 0.006),
      Call(kNov13 + 2 * kNanosPerHour, "claude-3-5-sonnet", 3000, 400, 1500, 0.003),
      Call(kNov13 + 3 * kNanosPerHour, "claude-3-5-sonnet", 1000, 200, 1000, 0.001),
      // Before the range: left out.
      Call(kNov12 - 72 * kNanosPerHour, "gpt-4o", 1, 1, 1, 100),
  };
}

TEST(ReportTargetsTest, EveryCallSharesRangeStepGroupingAndFilter) {
  ReportParams params = ParamsAt(kNow, "2d");
  params.group_by = "team, model";
  params.filter = "provider = \"openai\"";
  StatusOr<std::vector<std::string>> targets = ReportTargets(params);
  ASSERT_TRUE(targets.ok());
  // start: 2025-11-11 00:00 UTC, the day 2d before now began; end: now.
  const std::string shared =
      "&filter=provider%20%3D%20%22openai%22&start=1762819200000000000"
      "&end=1763028000000000000&step=1d&top=1000";
  EXPECT_THAT(
      *targets,
      ElementsAre("/api/v1/metrics?metric=requests&agg=sum&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=errors&agg=sum&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=input_tokens&agg=sum&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=output_tokens&agg=sum&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=latency&agg=p95&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=cost&agg=sum&group_by=team%2Cmodel" + shared,
                  "/api/v1/metrics?metric=latency&agg=p95&group_by=" + shared));
}

TEST(ReportTargetsTest, HourlyStartsAtTheHourAndUngroupedNeedsNoExtraCall) {
  ReportParams params = ParamsAt(kNow + 25 * kNanosPerMinute, "90m");
  params.step = "1h";
  params.group_by = "";
  StatusOr<std::vector<std::string>> targets = ReportTargets(params);
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 6u);
  // 90m before 10:25 is 08:55, which rounds down to 08:00.
  EXPECT_EQ(targets->front(),
            fmt::format("/api/v1/metrics?metric=requests&agg=sum&group_by=&start={}&end={}"
                        "&step=1h&top=1000",
                        kNow - 2 * kNanosPerHour, kNow + 25 * kNanosPerMinute));
}

TEST(ReportTargetsTest, RejectsBadSinceAndStep) {
  ReportParams params = ParamsAt(kNow, "yesterday");
  EXPECT_THAT(ReportTargets(params).status().message(), HasSubstr("--since"));
  params = ParamsAt(kNow, "7d");
  params.step = "1w";
  EXPECT_THAT(ReportTargets(params).status().message(), HasSubstr("1d or 1h"));
}

TEST(RunReportTest, TableOfTwoModelsOverTwoDays) {
  FakeMetricsServer server(TwoModelsOverTwoDays());
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), ParamsAt(kNow, "2d"), out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "DAY (UTC)   MODEL              REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  "
            "P95 MS  COST USD\n"
            "2025-11-12  gpt-4o                    3    33.33        1,166.7           100.0  "
            " 1,200    0.0133\n"
            "2025-11-12  claude-3-5-sonnet         1     0.00        4,000.0           500.0  "
            " 2,000    0.0025\n"
            "2025-11-12  TOTAL                     4    25.00        1,875.0           200.0  "
            " 2,000    0.0158\n"
            "\n"
            "2025-11-13  gpt-4o                    1     0.00        1,200.0           300.0  "
            "   900    0.0060\n"
            "2025-11-13  claude-3-5-sonnet         2     0.00        2,000.0           300.0  "
            " 1,500    0.0040\n"
            "2025-11-13  TOTAL                     3     0.00        1,733.3           300.0  "
            " 1,500    0.0100\n"
            "\n"
            "TOTAL                                 7    14.29        1,814.3           242.9  "
            " 2,000    0.0258\n");
  EXPECT_THAT(err.str(), IsEmpty());
  EXPECT_EQ(server.targets().size(), 7u);
}

TEST(RunReportTest, CsvOfTwoModelsOverTwoDays) {
  FakeMetricsServer server(TwoModelsOverTwoDays());
  ReportParams params = ParamsAt(kNow, "2d");
  params.format = "csv";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "period_start_utc,model,requests,errors,error_rate_pct,avg_input_tokens,"
            "avg_output_tokens,p95_latency_ms,cost_usd\n"
            "2025-11-12,gpt-4o,3,1,33.33,1166.7,100.0,1200.0,0.013300000\n"
            "2025-11-12,claude-3-5-sonnet,1,0,0.00,4000.0,500.0,2000.0,0.002500000\n"
            "2025-11-12,TOTAL,4,1,25.00,1875.0,200.0,2000.0,0.015800000\n"
            "2025-11-13,gpt-4o,1,0,0.00,1200.0,300.0,900.0,0.006000000\n"
            "2025-11-13,claude-3-5-sonnet,2,0,0.00,2000.0,300.0,1500.0,0.004000000\n"
            "2025-11-13,TOTAL,3,0,0.00,1733.3,300.0,1500.0,0.010000000\n"
            "TOTAL,TOTAL,7,1,14.29,1814.3,242.9,2000.0,0.025800000\n");
  EXPECT_THAT(err.str(), IsEmpty());
}

TEST(RunReportTest, HourlyLabelsEachHourAndSkipsRepeatedTotals) {
  FakeMetricsServer server({
      Call(kNov13 + 8 * kNanosPerHour + 15 * kNanosPerMinute, "gpt-4o", 100, 10, 400, 0.001),
      Call(kNov13 + 9 * kNanosPerHour + 30 * kNanosPerMinute, "gpt-4o", 300, 30, 600, 0.003),
      Call(kNov13 + 9 * kNanosPerHour + 45 * kNanosPerMinute, "gpt-4o-mini", 50, 5, 200, 0.0001),
  });
  ReportParams params = ParamsAt(kNow, "3h");
  params.step = "1h";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "HOUR (UTC)        MODEL        REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  "
            "P95 MS  COST USD\n"
            "2025-11-13 08:00  gpt-4o              1     0.00          100.0            10.0  "
            "   400    0.0010\n"
            "\n"
            "2025-11-13 09:00  gpt-4o              1     0.00          300.0            30.0  "
            "   600    0.0030\n"
            "2025-11-13 09:00  gpt-4o-mini         1     0.00           50.0             5.0  "
            "   200    0.0001\n"
            "2025-11-13 09:00  TOTAL               2     0.00          175.0            17.5  "
            "   600    0.0031\n"
            "\n"
            "TOTAL                                 3     0.00          150.0            15.0  "
            "   600    0.0041\n");
  EXPECT_THAT(server.targets().front(), HasSubstr("&step=1h&"));
  // The CSV keeps every period's total, so each period has exactly one TOTAL row.
  params.format = "csv";
  std::ostringstream csv;
  EXPECT_EQ(RunReport(OptionsFor(server), params, csv, err), kExitOk);
  EXPECT_THAT(csv.str(), HasSubstr("\n2025-11-13 08:00,gpt-4o,1,0,0.00,100.0,10.0,400.0,"
                                   "0.001000000\n2025-11-13 08:00,TOTAL,1,0,"));
}

TEST(RunReportTest, GroupsByTwoDimensions) {
  std::vector<FakeCall> calls = {
      {kNov13 + kNanosPerHour,
       {{"team", "search"}, {"model", "gpt-4o"}},
       false,
       1000,
       100,
       700,
       0.004},
      {kNov13 + kNanosPerHour, {{"team", "ads"}, {"model", "gpt-4o"}}, true, 10, 0, 100, 0.0001},
      {kNov13 + kNanosPerHour,
       {{"team", "search"}, {"model", "o3-mini"}},
       false,
       2000,
       900,
       3000,
       0.01},
      {kNov13 + 2 * kNanosPerHour, {{"model", "gpt-4o"}}, false, 10, 10, 100, 0.00006},
  };
  FakeMetricsServer server(calls);
  ReportParams params = ParamsAt(kNow, "1d");
  params.group_by = "team,model";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "DAY (UTC)   TEAM    MODEL    REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  "
            "P95 MS  COST USD\n"
            "2025-11-13  search  o3-mini         1     0.00        2,000.0           900.0  "
            " 3,000    0.0100\n"
            "2025-11-13  search  gpt-4o          1     0.00        1,000.0           100.0  "
            "   700    0.0040\n"
            "2025-11-13  ads     gpt-4o          1   100.00           10.0             0.0  "
            "   100    0.0001\n"
            "2025-11-13  -       gpt-4o          1     0.00           10.0            10.0  "
            "   100    0.0001\n"
            "2025-11-13  TOTAL                   4    25.00          755.0           252.5  "
            " 3,000    0.0142\n"
            "\n"
            "TOTAL                               4    25.00          755.0           252.5  "
            " 3,000    0.0142\n");
  for (const std::string& target : server.targets()) {
    EXPECT_THAT(target, HasSubstr("&top=1000"));
  }
  EXPECT_EQ(server.targets().size(), 7u);
  EXPECT_THAT(server.targets().back(), HasSubstr("metric=latency&agg=p95&group_by=&"));
}

TEST(RunReportTest, UngroupedTableHasOneRowPerPeriodAndNoRepeatedTotal) {
  FakeMetricsServer server(TwoModelsOverTwoDays());
  ReportParams params = ParamsAt(kNow, "2d");
  params.group_by = "";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "DAY (UTC)   REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  P95 MS  COST USD\n"
            "2025-11-12         4    25.00        1,875.0           200.0   2,000    0.0158\n"
            "2025-11-13         3     0.00        1,733.3           300.0   1,500    0.0100\n"
            "TOTAL              7    14.29        1,814.3           242.9   2,000    0.0258\n");
  EXPECT_EQ(server.targets().size(), 6u);

  params.since = "1h";
  std::ostringstream one_row;
  EXPECT_EQ(RunReport(OptionsFor(server), params, one_row, err), kExitOk);
  EXPECT_EQ(one_row.str(),
            "DAY (UTC)   REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  P95 MS  COST USD\n"
            "2025-11-13         3     0.00        1,733.3           300.0   1,500    0.0100\n");
}

TEST(RunReportTest, FilterReachesTheServer) {
  std::vector<FakeCall> calls = TwoModelsOverTwoDays();
  FakeMetricsServer server(calls);
  ReportParams params = ParamsAt(kNow, "2d");
  params.filter = "model = \"claude-3-5-sonnet\"";
  params.format = "csv";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_THAT(out.str(), Not(HasSubstr("gpt-4o")));
  EXPECT_THAT(out.str(), HasSubstr("\nTOTAL,TOTAL,3,0,0.00,2666.7,366.7,2000.0,0.006500000\n"));
}

TEST(RunReportTest, EmptyRangePrintsTheHeaderAndSaysSo) {
  FakeMetricsServer server({});
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), ParamsAt(kNow, "7d"), out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "DAY (UTC)  MODEL  REQUESTS  ERROR %  AVG IN TOKENS  AVG OUT TOKENS  P95 MS  "
            "COST USD\n");
  EXPECT_EQ(err.str(), "no LLM calls from 2025-11-06 00:00 to 2025-11-13 10:00 UTC\n");

  ReportParams params = ParamsAt(kNow, "7d");
  params.group_by = "";
  params.format = "csv";
  std::ostringstream csv, csv_err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, csv, csv_err), kExitOk);
  EXPECT_EQ(csv.str(),
            "period_start_utc,requests,errors,error_rate_pct,avg_input_tokens,avg_output_tokens,"
            "p95_latency_ms,cost_usd\n");
}

TEST(RunReportTest, CsvQuotesAModelNameWithACommaAndQuotes) {
  FakeMetricsServer server({Call(kNov13 + kNanosPerHour, "acme,large \"v2\"", 10, 20, 30, 0.5)});
  ReportParams params = ParamsAt(kNow, "1d");
  params.format = "csv";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("\n2025-11-13,\"acme,large \"\"v2\"\"\",1,0,0.00,10.0,20.0,30.0,"
                                   "0.500000000\n"));
}

TEST(RunReportTest, ServerRefusingTheParametersIsAUsageErrorWithItsMessage) {
  FakeMetricsServer server(TwoModelsOverTwoDays());
  ReportParams params = ParamsAt(kNow, "2d");
  params.filter = "model ~ \"gpt\"";
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitUsage);
  EXPECT_EQ(err.str(), "error: filter: expected = at position 7\n");
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_EQ(server.targets().size(), 1u);

  params.filter.reset();
  params.group_by = "model,colour";
  std::ostringstream out2, err2;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out2, err2), kExitUsage);
  EXPECT_EQ(err2.str(), "error: group_by: unknown dimension \"colour\"\n");
}

TEST(RunReportTest, CannedBadRequestIsAUsageError) {
  TestHttpServer server({400, R"({"error":{"code":"invalid_argument","message":"bad step"}})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), ParamsAt(kNow, "7d"), out, err), kExitUsage);
  EXPECT_EQ(err.str(), "error: bad step\n");
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST(RunReportTest, OtherErrorAnswersAreServerErrors) {
  TestHttpServer unauthorized(
      {401, R"({"error":{"code":"unauthenticated","message":"missing API key"}})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(unauthorized), ParamsAt(kNow, "7d"), out, err), kExitServerError);
  EXPECT_EQ(err.str(), "error: missing API key\n");

  TestHttpServer html({200, "<html>"});
  std::ostringstream out2, err2;
  EXPECT_EQ(RunReport(OptionsFor(html), ParamsAt(kNow, "7d"), out2, err2), kExitServerError);
  EXPECT_THAT(err2.str(), HasSubstr("not JSON"));
  EXPECT_THAT(out2.str(), IsEmpty());
}

TEST(RunReportTest, UnreachableServerGivesAHint) {
  uint16_t port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(options, ParamsAt(kNow, "7d"), out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("cannot connect to"));
  EXPECT_THAT(err.str(), HasSubstr("is `tokenscope serve` running at " + options.endpoint + "?"));
}

TEST(RunReportTest, BadParametersFailBeforeAnyRequest) {
  TestHttpServer server({200, "{}"});
  ReportParams params = ParamsAt(kNow, "-3d");
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("--since expects a duration"));
  params = ParamsAt(kNow, "7d");
  params.format = "xlsx";
  EXPECT_EQ(RunReport(OptionsFor(server), params, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("table or csv"));
  EXPECT_THAT(server.targets(), IsEmpty());
}

// The same canned answer for every call: enough to see the notes about folded groups and
// budgets reach stderr while the table stays clean.
TEST(RunReportTest, WarnsAboutFoldedGroupsAndPartialAnswers) {
  TestHttpServer server(
      {200, R"({"metric":"requests","agg":"sum","unit":"1","group_by":["model"],"series":[)"
            R"({"group":{"model":"gpt-4o"},"points":[["1762992000000000000",5]],"total":5},)"
            R"({"group":{"model":"__other__"},"other":true,"groups":12,)"
            R"("points":[["1762992000000000000",2]],"total":2}],)"
            R"("path":"scan","partial":true,)"
            R"("partial_reason":"the scan stopped at the max_examined budget"})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunReport(OptionsFor(server), ParamsAt(kNow, "1d"), out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("2025-11-13  gpt-4o "));
  EXPECT_THAT(out.str(), HasSubstr("2025-11-13  __other__ "));
  EXPECT_EQ(err.str(),
            "partial report: the scan stopped at the max_examined budget\n"
            "note: 12 groups beyond the 1000 largest are added up in the __other__ rows\n");
}

}  // namespace
}  // namespace tokenscope::cli
