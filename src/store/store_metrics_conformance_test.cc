// The Store conformance suite for OTLP metric data points: what every backend must do with
// WriteMetrics, ScanMetricPoints, ListMetricNames and their retention, through the Store
// interface only.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/metric.h"
#include "store/store.h"
#include "store/store_test_harness.h"

namespace tokenscope::store {
namespace {

using model::AggregationTemporality;
using model::AnyValue;
using model::MetricBatch;
using model::MetricPoint;
using model::MetricType;

constexpr uint64_t kSecond = 1'000'000'000ULL;

std::string_view Keep(MetricBatch* batch, std::string_view s) {
  return batch->arena().Copy(s);
}

// A batch with one resource per distinct service and one scope.
class BatchBuilder {
 public:
  explicit BatchBuilder(const std::string& project) {
    batch_.project = project;
    model::Scope scope;
    scope.name = Keep(&batch_, "tokenscope.test");
    scope.version = Keep(&batch_, "1.0");
    batch_.scopes.push_back(scope);
  }

  // A point of `name` for `service` with string attributes `attrs` (key, value pairs).
  MetricPoint& Add(std::string_view name, MetricType type, uint64_t time,
                   std::vector<std::pair<std::string, std::string>> attrs = {},
                   std::string_view service = "svc") {
    MetricPoint& p = batch_.points.emplace_back();
    p.name = Keep(&batch_, name);
    p.type = type;
    p.time_unix_nano = time;
    p.resource_index = ResourceFor(service);
    for (const auto& [k, v] : attrs) {
      p.attributes.push_back({Keep(&batch_, k), AnyValue::String(Keep(&batch_, v))});
    }
    return p;
  }

  MetricPoint& Gauge(std::string_view name, uint64_t time, double value,
                     std::vector<std::pair<std::string, std::string>> attrs = {},
                     std::string_view service = "svc") {
    MetricPoint& p = Add(name, MetricType::kGauge, time, std::move(attrs), service);
    p.number_kind = model::NumberKind::kDouble;
    p.as_double = value;
    return p;
  }

  MetricBatch& batch() { return batch_; }
  MetricBatch Take() { return std::move(batch_); }

 private:
  uint32_t ResourceFor(std::string_view service) {
    for (uint32_t i = 0; i < batch_.resources.size(); ++i) {
      if (model::ServiceName(batch_.resources[i]) == service) return i;
    }
    model::Resource resource;
    resource.attributes.push_back(
        {Keep(&batch_, "service.name"), AnyValue::String(Keep(&batch_, service))});
    batch_.resources.push_back(std::move(resource));
    return static_cast<uint32_t>(batch_.resources.size() - 1);
  }

  MetricBatch batch_;
};

// One visited point, copied out of the scan.
struct Seen {
  uint64_t time = 0;
  uint64_t start = 0;
  uint64_t series = 0;
  double value = 0;
  std::string service;
  std::string scope;
  std::string attrs;  // "k=v,k=v" in stored order
};

class StoreMetricsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void Write(const MetricBatch& batch) {
    Status s = store_->WriteMetrics(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<Seen> Scan(const std::string& project, const std::string& name, uint64_t start = 0,
                         uint64_t end = UINT64_MAX) {
    std::vector<Seen> seen;
    MetricScan scan{project, name, start, end};
    Status s = store_->ScanMetricPoints(scan, [&](const MetricPoint& p, const model::Resource& r,
                                                  const model::Scope& sc, uint64_t series) {
      EXPECT_EQ(p.name, name);
      Seen& out = seen.emplace_back();
      out.time = p.time_unix_nano;
      out.start = p.start_time_unix_nano;
      out.series = series;
      out.value = p.NumberValue();
      out.service = std::string(model::ServiceName(r));
      out.scope = std::string(sc.name);
      for (const model::KeyValue& kv : p.attributes) {
        if (!out.attrs.empty()) out.attrs += ",";
        out.attrs += std::string(kv.key) + "=" + std::string(kv.value.string_value);
      }
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return seen;
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreMetricsTest, ScansOneMetricInTimeOrder) {
  BatchBuilder b("p");
  b.Gauge("cpu", kBase + 3 * kSecond, 3);
  b.Gauge("cpu", kBase + 1 * kSecond, 1);
  b.Gauge("cpu.other", kBase + 2 * kSecond, 99);  // another metric, never seen below
  b.Gauge("cpu", kBase + 2 * kSecond, 2);
  b.Gauge("cp", kBase + 2 * kSecond, 98);  // a prefix of the name
  Write(b.batch());
  std::vector<Seen> seen = Scan("p", "cpu");
  ASSERT_EQ(seen.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].time, kBase + (i + 1) * kSecond);
    EXPECT_EQ(seen[i].value, static_cast<double>(i + 1));
    EXPECT_EQ(seen[i].service, "svc");
    EXPECT_EQ(seen[i].scope, "tokenscope.test");
  }
  EXPECT_EQ(Scan("p", "cp").size(), 1u);
  EXPECT_EQ(Scan("p", "nothing").size(), 0u);
}

TEST_P(StoreMetricsTest, RangeIsStartInclusiveEndExclusive) {
  BatchBuilder b("p");
  for (uint64_t i = 0; i < 10; ++i) b.Gauge("m", kBase + i * kSecond, static_cast<double>(i));
  Write(b.batch());
  std::vector<Seen> seen = Scan("p", "m", kBase + 2 * kSecond, kBase + 5 * kSecond);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.front().value, 2);
  EXPECT_EQ(seen.back().value, 4);
  EXPECT_TRUE(Scan("p", "m", kBase + 5 * kSecond, kBase + 5 * kSecond).empty());
  EXPECT_TRUE(Scan("p", "m", 0, 0).empty());
  // The visitor stops the scan.
  size_t visited = 0;
  ASSERT_TRUE(store_
                  ->ScanMetricPoints({"p", "m", 0, UINT64_MAX},
                                     [&](const MetricPoint&, const model::Resource&,
                                         const model::Scope&, uint64_t) { return ++visited < 4; })
                  .ok());
  EXPECT_EQ(visited, 4u);
}

TEST_P(StoreMetricsTest, ARetriedRequestStoresEachPointOnce) {
  BatchBuilder b("p");
  b.Gauge("m", kBase, 1, {{"a", "1"}});
  b.Gauge("m", kBase, 2, {{"a", "2"}});
  b.Gauge("m", kBase + kSecond, 3, {{"a", "1"}});
  Write(b.batch());
  Write(b.batch());
  Reopen();
  Write(b.batch());
  EXPECT_EQ(Scan("p", "m").size(), 3u);
}

TEST_P(StoreMetricsTest, SeriesIdentityIgnoresAttributeOrder) {
  BatchBuilder b("p");
  b.Gauge("m", kBase, 1, {{"a", "1"}, {"b", "2"}});
  b.Gauge("m", kBase + kSecond, 2, {{"b", "2"}, {"a", "1"}});               // same series
  b.Gauge("m", kBase + 2 * kSecond, 3, {{"a", "1"}});                       // fewer attributes
  b.Gauge("m", kBase + 3 * kSecond, 4, {{"a", "1"}, {"b", "2"}}, "other");  // other resource
  Write(b.batch());
  std::vector<Seen> seen = Scan("p", "m");
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].series, seen[1].series);
  EXPECT_NE(seen[0].series, seen[2].series);
  EXPECT_NE(seen[0].series, seen[3].series);
  EXPECT_EQ(seen[1].attrs, "b=2,a=1");  // stored as sent
  EXPECT_EQ(seen[3].service, "other");
}

TEST_P(StoreMetricsTest, PointsOfOneInstantDifferingInStartAreKept) {
  // A counter reset and a restart report at the same time with different start times.
  BatchBuilder b("p");
  b.Gauge("m", kBase, 1).start_time_unix_nano = kBase - 10 * kSecond;
  b.Gauge("m", kBase, 2).start_time_unix_nano = kBase - 5 * kSecond;
  Write(b.batch());
  std::vector<Seen> seen = Scan("p", "m");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].series, seen[1].series);
  EXPECT_LT(seen[0].start, seen[1].start);
}

TEST_P(StoreMetricsTest, EveryPointTypeRoundTrips) {
  BatchBuilder b("p");
  MetricPoint& sum = b.Add("s", MetricType::kSum, kBase, {{"gen_ai.token.type", "input"}});
  sum.temporality = AggregationTemporality::kCumulative;
  sum.monotonic = true;
  sum.number_kind = model::NumberKind::kInt;
  sum.as_int = -42;
  sum.start_time_unix_nano = kBase - kSecond;
  sum.unit = Keep(&b.batch(), "{token}");
  sum.description = Keep(&b.batch(), "tokens");
  sum.flags = 1;
  sum.attributes.push_back({Keep(&b.batch(), "n"), AnyValue::Int(7)});
  sum.attributes.push_back({Keep(&b.batch(), "d"), AnyValue::Double(0.5)});
  sum.attributes.push_back({Keep(&b.batch(), "b"), AnyValue::Bool(true)});
  AnyValue list;
  list.type = model::ValueType::kArray;
  list.array_value.push_back(AnyValue::String(Keep(&b.batch(), "x")));
  sum.attributes.push_back({Keep(&b.batch(), "l"), list});

  MetricPoint& h = b.Add("h", MetricType::kHistogram, kBase);
  h.temporality = AggregationTemporality::kDelta;
  h.count = 6;
  h.sum = 21.5;
  h.min = 0.5;
  h.max = 10;
  h.explicit_bounds = {1, 5};
  h.bucket_counts = {1, 2, 3};

  MetricPoint& e = b.Add("e", MetricType::kExponentialHistogram, kBase);
  e.temporality = AggregationTemporality::kCumulative;
  e.count = 10;
  e.sum = -3;
  e.scale = -3;
  e.zero_count = 1;
  e.zero_threshold = 1e-9;
  e.positive = {-2, {1, 2, 3}};
  e.negative = {5, {0, 3}};

  MetricPoint& q = b.Add("q", MetricType::kSummary, kBase);
  q.count = 4;
  q.sum = 8;
  q.quantile_values = {{0.5, 1.5}, {0.99, 3.5}};

  MetricPoint& g = b.Add("g", MetricType::kGauge, kBase);  // no value recorded
  g.flags = model::kFlagNoRecordedValue;

  Write(b.batch());
  Reopen();

  auto one = [&](const std::string& name, auto check) {
    size_t n = 0;
    Status s = store_->ScanMetricPoints(
        {"p", name, 0, UINT64_MAX},
        [&](const MetricPoint& p, const model::Resource&, const model::Scope&, uint64_t) {
          ++n;
          check(p);
          return true;
        });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(n, 1u) << name;
  };
  one("s", [](const MetricPoint& p) {
    EXPECT_EQ(p.type, MetricType::kSum);
    EXPECT_EQ(p.temporality, AggregationTemporality::kCumulative);
    EXPECT_TRUE(p.monotonic);
    EXPECT_EQ(p.number_kind, model::NumberKind::kInt);
    EXPECT_EQ(p.as_int, -42);
    EXPECT_EQ(p.start_time_unix_nano, kBase - kSecond);
    EXPECT_EQ(p.unit, "{token}");
    EXPECT_EQ(p.description, "tokens");
    EXPECT_EQ(p.flags, 1u);
    ASSERT_EQ(p.attributes.size(), 5u);
    EXPECT_EQ(p.attributes[0].value.string_value, "input");
    EXPECT_EQ(p.attributes[1].value.int_value, 7);
    EXPECT_EQ(p.attributes[2].value.double_value, 0.5);
    EXPECT_TRUE(p.attributes[3].value.bool_value);
    ASSERT_EQ(p.attributes[4].value.array_value.size(), 1u);
    EXPECT_EQ(p.attributes[4].value.array_value[0].string_value, "x");
  });
  one("h", [](const MetricPoint& p) {
    EXPECT_EQ(p.type, MetricType::kHistogram);
    EXPECT_EQ(p.temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(p.count, 6u);
    EXPECT_EQ(p.sum, 21.5);
    EXPECT_EQ(p.min, 0.5);
    EXPECT_EQ(p.max, 10);
    EXPECT_EQ(p.explicit_bounds, (std::vector<double>{1, 5}));
    EXPECT_EQ(p.bucket_counts, (std::vector<uint64_t>{1, 2, 3}));
  });
  one("e", [](const MetricPoint& p) {
    EXPECT_EQ(p.type, MetricType::kExponentialHistogram);
    EXPECT_EQ(p.count, 10u);
    EXPECT_EQ(p.sum, -3);
    EXPECT_FALSE(p.min.has_value());
    EXPECT_EQ(p.scale, -3);
    EXPECT_EQ(p.zero_count, 1u);
    EXPECT_EQ(p.zero_threshold, 1e-9);
    EXPECT_EQ(p.positive.offset, -2);
    EXPECT_EQ(p.positive.bucket_counts, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(p.negative.offset, 5);
    EXPECT_EQ(p.negative.bucket_counts, (std::vector<uint64_t>{0, 3}));
  });
  one("q", [](const MetricPoint& p) {
    EXPECT_EQ(p.type, MetricType::kSummary);
    EXPECT_EQ(p.count, 4u);
    EXPECT_EQ(p.sum, 8);
    ASSERT_EQ(p.quantile_values.size(), 2u);
    EXPECT_EQ(p.quantile_values[1].quantile, 0.99);
    EXPECT_EQ(p.quantile_values[1].value, 3.5);
  });
  one("g", [](const MetricPoint& p) {
    EXPECT_EQ(p.number_kind, model::NumberKind::kNone);
    EXPECT_TRUE(p.no_recorded_value());
  });
}

TEST_P(StoreMetricsTest, ProjectsAreIsolated) {
  BatchBuilder a("a");
  a.Gauge("m", kBase, 1);
  BatchBuilder ab(std::string("a\0b", 3));
  ab.Gauge("m", kBase, 2);
  ab.Gauge("only.here", kBase, 3);
  Write(a.batch());
  Write(ab.batch());
  ASSERT_EQ(Scan("a", "m").size(), 1u);
  EXPECT_EQ(Scan("a", "m")[0].value, 1);
  EXPECT_TRUE(Scan("a", "only.here").empty());
  auto names = store_->ListMetricNames("a");
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ((*names)[0].name, "m");
}

TEST_P(StoreMetricsTest, ListsMetricNamesAsTheNewestPointDescribesThem) {
  auto none = store_->ListMetricNames("p");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  BatchBuilder b("p");
  b.Gauge("zeta", kBase, 1);
  MetricPoint& old = b.Add("gen_ai.client.token.usage", MetricType::kSum, kBase);
  old.unit = Keep(&b.batch(), "old");
  MetricPoint& newest =
      b.Add("gen_ai.client.token.usage", MetricType::kHistogram, kBase + 60 * kSecond);
  newest.unit = Keep(&b.batch(), "{token}");
  newest.description = Keep(&b.batch(), "Measures number of input and output tokens used");
  newest.temporality = AggregationTemporality::kCumulative;
  b.Gauge("alpha", kBase + 5, 1);
  Write(b.batch());
  auto names = store_->ListMetricNames("p");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_EQ(names->size(), 3u);
  EXPECT_EQ((*names)[0].name, "alpha");
  EXPECT_EQ((*names)[1].name, "gen_ai.client.token.usage");
  EXPECT_EQ((*names)[2].name, "zeta");
  const MetricInfo& usage = (*names)[1];
  EXPECT_EQ(usage.type, MetricType::kHistogram);
  EXPECT_EQ(usage.temporality, AggregationTemporality::kCumulative);
  EXPECT_EQ(usage.unit, "{token}");
  EXPECT_EQ(usage.description, "Measures number of input and output tokens used");
  EXPECT_EQ(usage.first_time_unix_nano, kBase);
  EXPECT_EQ(usage.last_time_unix_nano, kBase + 60 * kSecond);
}

TEST_P(StoreMetricsTest, RetentionDeletesOldPointsInSteps) {
  BatchBuilder b("p");
  for (uint64_t i = 0; i < 10; ++i) {
    b.Gauge("a", kBase + i * kSecond, 1);
    b.Gauge("b", kBase + i * kSecond, 1, {{"k", "v"}});
  }
  BatchBuilder q("q");
  q.Gauge("a", kBase, 1);
  Write(b.batch());
  Write(q.batch());

  auto projects = store_->ListProjects();  // metric points alone make a project
  ASSERT_TRUE(projects.ok());
  EXPECT_EQ(*projects, (std::vector<std::string>{"p", "q"}));

  const uint64_t cutoff = kBase + 6 * kSecond;  // points 0..5 of each metric are old
  uint64_t deleted = 0;
  size_t steps = 0;
  for (bool more = true; more; ++steps) {
    auto step = store_->DeleteOlderThan("p", cutoff, 5);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    EXPECT_LE(step->metric_points_deleted, 5u);
    deleted += step->metric_points_deleted;
    more = step->more;
    ASSERT_LT(steps, 10u);
  }
  EXPECT_EQ(deleted, 12u);
  EXPECT_EQ(steps, 3u);
  std::vector<Seen> a = Scan("p", "a");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a.front().time, cutoff);
  EXPECT_EQ(Scan("p", "b").size(), 4u);
  EXPECT_EQ(Scan("q", "a").size(), 1u);
  auto names = store_->ListMetricNames("p");
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 2u);
  EXPECT_EQ((*names)[0].first_time_unix_nano, cutoff);

  // Everything old: the metrics disappear from the list.
  auto all = store_->DeleteOlderThan("p", UINT64_MAX, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->metric_points_deleted, 8u);
  names = store_->ListMetricNames("p");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMetricsTest, AllBackends(), BackendName);

}  // namespace
}  // namespace tokenscope::store
