// Tests for OTLP metric queries: the quantile interpolation of merged buckets, cumulative
// series turned into deltas (with resets), grouping and folding, per metric type, against an
// embedded store.
#include "query/otlp_metric_query.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "store/store_factory.h"

namespace tokenscope::query {
namespace {

using model::AggregationTemporality;
using model::AnyValue;
using model::MetricBatch;
using model::MetricPoint;
using model::MetricType;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kT0 = 1763000040ULL * kSecond;  // a whole minute

// ---- Distribution ------------------------------------------------------------------------------

TEST(DistributionTest, InterpolatesLinearlyWithinExplicitBuckets) {
  Distribution d;
  d.AddExplicit({0, 5, 10}, {0, 10, 10, 0});
  EXPECT_EQ(d.count(), 20u);
  EXPECT_DOUBLE_EQ(*d.Quantile(0.25), 2.5);
  EXPECT_DOUBLE_EQ(*d.Quantile(0.5), 5);
  EXPECT_DOUBLE_EQ(*d.Quantile(0.9), 9);
  EXPECT_DOUBLE_EQ(*d.Quantile(1), 10);
  EXPECT_DOUBLE_EQ(*d.Quantile(0), 0);
  EXPECT_FALSE(Distribution().Quantile(0.5).has_value());
}

TEST(DistributionTest, MinAndMaxNarrowTheBuckets) {
  Distribution d;
  d.AddExplicit({0, 5, 10}, {0, 10, 10, 0});
  d.AddMinMax(1, 9);
  EXPECT_DOUBLE_EQ(*d.Quantile(0.25), 3);  // within (1, 5]
  EXPECT_DOUBLE_EQ(*d.Quantile(0.75), 7);  // within (5, 9]
  EXPECT_DOUBLE_EQ(*d.Quantile(0), 1);
  EXPECT_DOUBLE_EQ(*d.Quantile(1), 9);
}

TEST(DistributionTest, UnboundedBucketsEndAtTheExtremesOrTheirBound) {
  Distribution open;
  open.AddExplicit({10}, {0, 4});
  EXPECT_DOUBLE_EQ(*open.Quantile(0.5), 10);  // nothing said how far past 10
  open.AddMinMax(std::nullopt, 30);
  EXPECT_DOUBLE_EQ(*open.Quantile(0.5), 20);
  Distribution low;
  low.AddExplicit({4}, {4, 0});
  EXPECT_DOUBLE_EQ(*low.Quantile(0.5), 2);  // (-inf, 4] read as (0, 4]
  Distribution negative;
  negative.AddExplicit({-4}, {4, 0});
  EXPECT_DOUBLE_EQ(*negative.Quantile(0.5), -4);
}

TEST(DistributionTest, MergesDifferentBounds) {
  Distribution a;
  a.AddExplicit({0, 10}, {0, 2, 0});
  Distribution b;
  b.AddExplicit({10, 20}, {0, 2, 0});
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_DOUBLE_EQ(*a.Quantile(0.5), 10);
  EXPECT_DOUBLE_EQ(*a.Quantile(0.75), 15);
}

TEST(DistributionTest, ExponentialBucketsAtTheCoarsestScale) {
  Distribution d;
  d.AddExponential(0, 0, 0, {0, {4}}, {});  // 4 in (1, 2]
  EXPECT_DOUBLE_EQ(*d.Quantile(0.5), 1.5);
  Distribution finer;
  finer.AddExponential(1, 0, 0, {0, {0, 4}}, {});  // 4 in (sqrt 2, 2]
  EXPECT_NEAR(*finer.Quantile(0.5), (std::sqrt(2.0) + 2) / 2, 1e-12);
  d.Merge(finer);  // down to scale 0: all 8 in (1, 2]
  EXPECT_EQ(d.count(), 8u);
  EXPECT_DOUBLE_EQ(*d.Quantile(0.5), 1.5);

  Distribution signs;
  signs.AddExponential(0, 2, 0, {0, {2}}, {0, {2}});  // 2 in [-2, -1), 2 at zero, 2 in (1, 2]
  EXPECT_DOUBLE_EQ(*signs.Quantile(0.5), 0);
  EXPECT_DOUBLE_EQ(*signs.Quantile(1.0 / 6), -1.5);
  EXPECT_DOUBLE_EQ(*signs.Quantile(5.0 / 6), 1.5);
}

// ---- Queries against a store --------------------------------------------------------------------

class OtlpMetricQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_otlp_metrics_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    auto s = store::OpenEmbeddedStore(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    batch_.project = "p";
    batch_.scopes.emplace_back();
    batch_.scopes[0].name = Keep("gen_ai");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string_view Keep(std::string_view s) { return batch_.arena().Copy(s); }

  uint32_t Resource(std::string_view service) {
    for (uint32_t i = 0; i < batch_.resources.size(); ++i) {
      if (model::ServiceName(batch_.resources[i]) == service) return i;
    }
    model::Resource& r = batch_.resources.emplace_back();
    r.attributes.push_back({Keep("service.name"), AnyValue::String(Keep(service))});
    r.attributes.push_back({Keep("deployment.environment"), AnyValue::String(Keep("prod"))});
    return static_cast<uint32_t>(batch_.resources.size() - 1);
  }

  MetricPoint& Point(std::string_view name, MetricType type, uint64_t time, uint64_t start,
                     std::vector<std::pair<std::string, std::string>> attrs = {},
                     std::string_view service = "chat") {
    MetricPoint& p = batch_.points.emplace_back();
    p.name = Keep(name);
    p.type = type;
    p.time_unix_nano = time;
    p.start_time_unix_nano = start;
    p.resource_index = Resource(service);
    for (const auto& [k, v] : attrs) p.attributes.push_back({Keep(k), AnyValue::String(Keep(v))});
    return p;
  }

  MetricPoint& CumulativeSum(uint64_t time, uint64_t start, double value,
                             std::vector<std::pair<std::string, std::string>> attrs = {}) {
    MetricPoint& p = Point("requests", MetricType::kSum, time, start, std::move(attrs));
    p.temporality = AggregationTemporality::kCumulative;
    p.monotonic = true;
    p.number_kind = model::NumberKind::kDouble;
    p.as_double = value;
    p.unit = Keep("{request}");
    return p;
  }

  // A cumulative histogram of token counts with the GenAI bucket advice (1, 4, 16, ... ).
  MetricPoint& TokenHistogram(uint64_t time, uint64_t start, std::vector<uint64_t> counts,
                              double sum, std::string_view token_type,
                              std::string_view service = "chat") {
    MetricPoint& p = Point("gen_ai.client.token.usage", MetricType::kHistogram, time, start,
                           {{"gen_ai.token.type", std::string(token_type)}}, service);
    p.temporality = AggregationTemporality::kCumulative;
    p.unit = Keep("{token}");
    p.explicit_bounds = {1, 4, 16, 64, 256, 1024};
    counts.resize(7, 0);
    p.bucket_counts = counts;
    for (uint64_t c : counts) p.count += c;
    p.sum = sum;
    return p;
  }

  void Flush() {
    Status s = store_->WriteMetrics(batch_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    MetricBatch next;
    next.project = "p";
    next.scopes.emplace_back();
    batch_ = std::move(next);
    batch_.scopes[0].name = Keep("gen_ai");
  }

  OtlpMetricQuery Query(std::string name, std::optional<OtlpAggregation> agg,
                        std::vector<std::string> group_by = {}) {
    OtlpMetricQuery q;
    q.project = "p";
    q.name = std::move(name);
    q.agg = agg;
    for (const std::string& g : group_by) q.group_by.push_back(*ParseOtlpDimension(g));
    q.start_unix_nano = kT0;
    q.end_unix_nano = kT0 + 10 * kMinute;
    q.step_ns = kMinute;
    return q;
  }

  OtlpMetricAnswer Run(const OtlpMetricQuery& q) {
    auto answer = RunOtlpMetricQuery(*store_, q);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? std::move(answer).value() : OtlpMetricAnswer();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  MetricBatch batch_;
};

TEST_F(OtlpMetricQueryTest, CumulativeSumsBecomeDeltasAcrossResets) {
  const uint64_t start = kT0 - 30 * kSecond;  // the counter began within the lookback
  CumulativeSum(kT0 + 10 * kSecond, start, 10);
  CumulativeSum(kT0 + 1 * kMinute + 10 * kSecond, start, 15);
  // A restart: a new start time, counting from zero again.
  const uint64_t restart = kT0 + 2 * kMinute;
  CumulativeSum(kT0 + 2 * kMinute + 10 * kSecond, restart, 3);
  CumulativeSum(kT0 + 3 * kMinute + 10 * kSecond, restart, 5);
  // The same start but a lower value: a monotonic sum only goes down when it was reset.
  CumulativeSum(kT0 + 4 * kMinute + 10 * kSecond, restart, 1);
  CumulativeSum(kT0 + 5 * kMinute + 10 * kSecond, restart, 4);
  Flush();

  OtlpMetricAnswer sum = Run(Query("requests", std::nullopt));
  EXPECT_EQ(sum.agg, OtlpAggregation::kSum);  // the default for sums
  EXPECT_EQ(sum.unit, "{request}");
  ASSERT_EQ(sum.series.size(), 1u);
  const std::vector<std::optional<double>> expected = {10, 5, 3, 2, 1, 3, 0, 0, 0, 0};
  EXPECT_EQ(sum.series[0].points, expected);
  EXPECT_EQ(sum.series[0].total, 24);

  OtlpMetricAnswer last = Run(Query("requests", OtlpAggregation::kLast));
  EXPECT_EQ(last.series[0].total, 4);  // the counter's value now
  EXPECT_EQ(last.series[0].points[1], 15);
  EXPECT_FALSE(last.series[0].points[7].has_value());

  OtlpMetricAnswer rate = Run(Query("requests", OtlpAggregation::kRate));
  EXPECT_EQ(rate.unit, "{request}/s");
  EXPECT_DOUBLE_EQ(*rate.series[0].points[0], 10.0 / 60);
  EXPECT_DOUBLE_EQ(*rate.series[0].total, 24.0 / 600);
}

TEST_F(OtlpMetricQueryTest, ACounterOlderThanTheLookbackStartsFromItsFirstPoint) {
  const uint64_t long_ago = kT0 - 24 * 60 * kMinute;
  CumulativeSum(kT0 - 30 * kSecond, long_ago, 1000);  // before the range: the baseline
  CumulativeSum(kT0 + 30 * kSecond, long_ago, 1004);
  CumulativeSum(kT0 + 90 * kSecond, long_ago, 1010);
  Flush();
  OtlpMetricAnswer sum = Run(Query("requests", OtlpAggregation::kSum));
  ASSERT_EQ(sum.series.size(), 1u);
  EXPECT_EQ(sum.series[0].total, 10);

  // Without the point before the range, the first one in it is only a baseline.
  OtlpMetricQuery short_lookback = Query("requests", OtlpAggregation::kSum);
  short_lookback.lookback_ns = 0;
  EXPECT_EQ(Run(short_lookback).series[0].total, 6);
}

TEST_F(OtlpMetricQueryTest, HistogramQuantilesCountsAndSumsPerGroup) {
  const uint64_t start = kT0 - kSecond;
  // input tokens: 10 observations of 5..16 (bucket (4, 16]), then 10 more of 17..64.
  TokenHistogram(kT0 + 30 * kSecond, start, {0, 0, 10}, 100, "input");
  TokenHistogram(kT0 + 90 * kSecond, start, {0, 0, 10, 10}, 500, "input");
  // output tokens: 4 observations of 2..4.
  TokenHistogram(kT0 + 30 * kSecond, start, {0, 4}, 12, "output");
  TokenHistogram(kT0 + 90 * kSecond, start, {0, 4}, 12, "output");
  // another service, input tokens: 2 observations in (256, 1024].
  TokenHistogram(kT0 + 30 * kSecond, start, {0, 0, 0, 0, 0, 2}, 1000, "input", "rag");
  Flush();

  OtlpMetricAnswer by_type =
      Run(Query("gen_ai.client.token.usage", OtlpAggregation::kSum, {"attr.gen_ai.token.type"}));
  EXPECT_EQ(by_type.unit, "{token}");
  ASSERT_EQ(by_type.series.size(), 2u);
  EXPECT_EQ(by_type.series[0].group, std::vector<std::string>{"input"});
  EXPECT_EQ(by_type.series[0].total, 1500);
  EXPECT_EQ(by_type.series[0].points[0], 1100);  // chat's first 100 and rag's 1000
  EXPECT_EQ(by_type.series[0].points[1], 400);
  EXPECT_EQ(by_type.series[1].group, std::vector<std::string>{"output"});
  EXPECT_EQ(by_type.series[1].total, 12);
  EXPECT_EQ(by_type.series[1].points[1], 0);

  OtlpMetricAnswer counts = Run(Query("gen_ai.client.token.usage", OtlpAggregation::kCount,
                                      {"service", "attr.gen_ai.token.type"}));
  ASSERT_EQ(counts.series.size(), 3u);
  EXPECT_EQ(counts.unit, "1");
  EXPECT_EQ(counts.series[0].group, (std::vector<std::string>{"chat", "input"}));
  EXPECT_EQ(counts.series[0].total, 20);
  EXPECT_EQ(counts.series[1].group, (std::vector<std::string>{"chat", "output"}));
  EXPECT_EQ(counts.series[1].total, 4);
  EXPECT_EQ(counts.series[2].group, (std::vector<std::string>{"rag", "input"}));
  EXPECT_EQ(counts.series[2].total, 2);

  // chat's input tokens: 10 in (4, 16], 10 in (16, 64]: the median is 16, p90 at 9/10 of
  // (16, 64], and the first minute's p50 halfway through (4, 16].
  OtlpMetricQuery chat_input = Query("gen_ai.client.token.usage", OtlpAggregation::kP50);
  chat_input.where.emplace_back(*ParseOtlpDimension("service"), "chat");
  chat_input.where.emplace_back(*ParseOtlpDimension("attr.gen_ai.token.type"), "input");
  OtlpMetricAnswer p50 = Run(chat_input);
  ASSERT_EQ(p50.series.size(), 1u);
  EXPECT_DOUBLE_EQ(*p50.series[0].total, 16);
  EXPECT_DOUBLE_EQ(*p50.series[0].points[0], 10);
  EXPECT_FALSE(p50.series[0].points[2].has_value());
  chat_input.agg = OtlpAggregation::kP90;
  EXPECT_DOUBLE_EQ(*Run(chat_input).series[0].total, 16 + 0.8 * 48);

  OtlpMetricAnswer avg = Run(Query("gen_ai.client.token.usage", OtlpAggregation::kAvg));
  EXPECT_DOUBLE_EQ(*avg.series[0].total, 1512.0 / 26);
  EXPECT_EQ(Run(Query("gen_ai.client.token.usage", std::nullopt)).agg, OtlpAggregation::kSum);

  // top=1 keeps the largest group and folds the rest.
  OtlpMetricQuery top = Query("gen_ai.client.token.usage", OtlpAggregation::kCount,
                              {"service", "attr.gen_ai.token.type"});
  top.top = 1;
  OtlpMetricAnswer folded = Run(top);
  ASSERT_EQ(folded.series.size(), 2u);
  EXPECT_TRUE(folded.series[1].other);
  EXPECT_EQ(folded.series[1].groups, 2u);
  EXPECT_EQ(folded.series[1].group, (std::vector<std::string>{"__other__", "__other__"}));
  EXPECT_EQ(folded.series[1].total, 6);
}

TEST_F(OtlpMetricQueryTest, CumulativeHistogramResetsCountWhole) {
  const uint64_t start = kT0 - kSecond;
  TokenHistogram(kT0 + 10 * kSecond, start, {0, 0, 5}, 50, "input");
  TokenHistogram(kT0 + 70 * kSecond, start, {0, 0, 6}, 60, "input");
  // The process restarted: fewer observations than before, whatever the start says.
  TokenHistogram(kT0 + 130 * kSecond, start, {0, 2}, 6, "input");
  Flush();
  OtlpMetricAnswer count = Run(Query("gen_ai.client.token.usage", OtlpAggregation::kCount));
  ASSERT_EQ(count.series.size(), 1u);
  EXPECT_EQ(count.series[0].points[0], 5);
  EXPECT_EQ(count.series[0].points[1], 1);
  EXPECT_EQ(count.series[0].points[2], 2);
  EXPECT_EQ(count.series[0].total, 8);
}

TEST_F(OtlpMetricQueryTest, DurationHistogramsDefaultToP95AndMinMax) {
  for (int i = 0; i < 3; ++i) {
    MetricPoint& p = Point("gen_ai.client.operation.duration", MetricType::kHistogram,
                           kT0 + static_cast<uint64_t>(i) * kMinute, kT0 - kMinute);
    p.temporality = AggregationTemporality::kDelta;
    p.unit = Keep("s");
    p.explicit_bounds = {0.5, 1, 2, 4};
    p.bucket_counts = {0, 1, 1, 0, 0};
    p.count = 2;
    p.sum = 0.75 + 1.5 + i;
    p.min = 0.75;
    p.max = 1.5 + i;
  }
  Flush();
  OtlpMetricAnswer p95 = Run(Query("gen_ai.client.operation.duration", std::nullopt));
  EXPECT_EQ(p95.agg, OtlpAggregation::kP95);
  EXPECT_EQ(p95.unit, "s");
  ASSERT_EQ(p95.series.size(), 1u);
  EXPECT_GT(*p95.series[0].total, 1);
  EXPECT_LE(*p95.series[0].total, 2);
  OtlpMetricAnswer max = Run(Query("gen_ai.client.operation.duration", OtlpAggregation::kMax));
  EXPECT_EQ(max.series[0].total, 3.5);
  EXPECT_EQ(max.series[0].points[1], 2.5);
  OtlpMetricAnswer min = Run(Query("gen_ai.client.operation.duration", OtlpAggregation::kMin));
  EXPECT_EQ(min.series[0].total, 0.75);
  OtlpMetricAnswer rate = Run(Query("gen_ai.client.operation.duration", OtlpAggregation::kRate));
  EXPECT_EQ(rate.unit, "1/s");
  EXPECT_DOUBLE_EQ(*rate.series[0].total, 6.0 / 600);
}

TEST_F(OtlpMetricQueryTest, GaugesAndDeltaSums) {
  for (int i = 0; i < 4; ++i) {
    const uint64_t t = kT0 + static_cast<uint64_t>(i) * 20 * kSecond;
    for (const char* host : {"a", "b"}) {
      MetricPoint& g = Point("queue.depth", MetricType::kGauge, t, 0, {{"host", host}});
      g.number_kind = model::NumberKind::kInt;
      g.as_int = i + (host[0] == 'b' ? 10 : 0);
      MetricPoint& d = Point("bytes", MetricType::kSum, t, t - 20 * kSecond, {{"host", host}});
      d.temporality = AggregationTemporality::kDelta;
      d.number_kind = model::NumberKind::kDouble;
      d.as_double = 100;
      d.unit = Keep("By");
    }
  }
  Flush();
  OtlpMetricAnswer last = Run(Query("queue.depth", OtlpAggregation::kLast));
  // Minute 0 holds i = 0, 1, 2; minute 1 holds i = 3. Last values of both hosts, summed.
  EXPECT_EQ(last.series[0].points[0], 2 + 12);
  EXPECT_EQ(last.series[0].points[1], 3 + 13);
  EXPECT_EQ(last.series[0].total, 16);
  OtlpMetricAnswer avg = Run(Query("queue.depth", std::nullopt, {"attr.host"}));
  EXPECT_EQ(avg.agg, OtlpAggregation::kAvg);
  ASSERT_EQ(avg.series.size(), 2u);
  EXPECT_EQ(avg.series[0].group, std::vector<std::string>{"b"});
  EXPECT_EQ(avg.series[0].total, 11.5);
  EXPECT_EQ(avg.series[1].points[0], 1);
  EXPECT_EQ(Run(Query("queue.depth", OtlpAggregation::kMax)).series[0].total, 13);
  EXPECT_EQ(Run(Query("queue.depth", OtlpAggregation::kMin)).series[0].total, 0);
  EXPECT_EQ(Run(Query("queue.depth", OtlpAggregation::kCount)).series[0].total, 8);

  OtlpMetricAnswer bytes = Run(Query("bytes", std::nullopt, {"resource.deployment.environment"}));
  ASSERT_EQ(bytes.series.size(), 1u);
  EXPECT_EQ(bytes.series[0].group, std::vector<std::string>{"prod"});
  EXPECT_EQ(bytes.series[0].points[0], 600);
  EXPECT_EQ(bytes.series[0].total, 800);
}

TEST_F(OtlpMetricQueryTest, Errors) {
  CumulativeSum(kT0, kT0 - kSecond, 1);
  Flush();
  EXPECT_EQ(RunOtlpMetricQuery(*store_, Query("nope", std::nullopt)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(RunOtlpMetricQuery(*store_, Query("requests", OtlpAggregation::kP95)).status().code(),
            StatusCode::kInvalidArgument);
  OtlpMetricQuery tiny_step = Query("requests", std::nullopt);
  tiny_step.step_ns = 1;
  EXPECT_EQ(RunOtlpMetricQuery(*store_, tiny_step).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseOtlpDimension("attr.").ok());
  EXPECT_FALSE(ParseOtlpDimension("model").ok());
  EXPECT_FALSE(ParseOtlpAggregation("p42").ok());
  EXPECT_FALSE(CheckOtlpAggregation(MetricType::kGauge, OtlpAggregation::kRate).ok());
  EXPECT_FALSE(CheckOtlpAggregation(MetricType::kHistogram, OtlpAggregation::kLast).ok());
  EXPECT_TRUE(CheckOtlpAggregation(MetricType::kExponentialHistogram, OtlpAggregation::kP99).ok());
}

TEST_F(OtlpMetricQueryTest, TheScanBudgetMakesTheAnswerPartial) {
  for (int i = 0; i < 10; ++i) {
    CumulativeSum(kT0 + static_cast<uint64_t>(i) * kSecond, kT0 - kSecond, i);
  }
  Flush();
  OtlpMetricQuery q = Query("requests", OtlpAggregation::kSum);
  q.max_points = 4;
  OtlpMetricAnswer answer = Run(q);
  EXPECT_TRUE(answer.partial);
  EXPECT_NE(answer.partial_reason.find("budget"), std::string::npos);
  EXPECT_EQ(answer.points_examined, 4u);
  EXPECT_EQ(answer.series[0].total, 3);

  for (const char* route : {"/a", "/b"}) CumulativeSum(kT0, kT0 - kSecond, 100, {{"route", route}});
  Flush();
  q.max_points = 1000;
  q.max_series = 2;  // three series: the unlabelled one and two routes
  OtlpMetricAnswer few = Run(q);
  EXPECT_TRUE(few.partial);
  EXPECT_NE(few.partial_reason.find("series"), std::string::npos) << few.partial_reason;
  q.max_series = 3;
  EXPECT_FALSE(Run(q).partial);
  EXPECT_EQ(Run(q).series[0].total, 9 + 200);
}

}  // namespace
}  // namespace tokenscope::query
