#include "store/embedded/metric_records.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {
namespace {

using model::AnyValue;
using model::MetricPoint;
using model::MetricType;

MetricPoint Histogram() {
  MetricPoint p;
  p.type = MetricType::kHistogram;
  p.temporality = model::AggregationTemporality::kCumulative;
  p.description = "desc";
  p.unit = "s";
  p.start_time_unix_nano = 1;
  p.time_unix_nano = 1763000000000000000ULL;
  p.count = 3;
  p.sum = 4.5;
  p.max = std::numeric_limits<double>::infinity();
  p.explicit_bounds = {0.5, 1, 2.5};
  p.bucket_counts = {0, 1, 2, 0};
  p.attributes.push_back({"gen_ai.operation.name", AnyValue::String("chat")});
  p.attributes.push_back({"n", AnyValue::Int(-5)});
  return p;
}

TEST(MetricRecordsTest, ValuesRoundTrip) {
  const MetricPoint p = Histogram();
  std::string value;
  EncodeMetricPointValue(p, 11, 22, &value);
  MetricPoint back;
  MetricPointValueView view;
  ASSERT_TRUE(DecodeMetricPointValue(value, &back, &view).ok());
  EXPECT_EQ(view.resource_hash, 11u);
  EXPECT_EQ(view.scope_hash, 22u);
  EXPECT_EQ(back.type, p.type);
  EXPECT_EQ(back.temporality, p.temporality);
  EXPECT_EQ(back.description, "desc");
  EXPECT_EQ(back.unit, "s");
  EXPECT_EQ(back.start_time_unix_nano, 1u);
  EXPECT_EQ(back.time_unix_nano, p.time_unix_nano);
  EXPECT_EQ(back.count, 3u);
  EXPECT_EQ(back.sum, 4.5);
  EXPECT_FALSE(back.min.has_value());
  EXPECT_TRUE(back.max.has_value() && std::isinf(*back.max));
  EXPECT_EQ(back.explicit_bounds, p.explicit_bounds);
  EXPECT_EQ(back.bucket_counts, p.bucket_counts);
  ASSERT_EQ(back.attributes.size(), 2u);
  EXPECT_EQ(back.attributes[0].key, "gen_ai.operation.name");
  EXPECT_EQ(back.attributes[1].value.int_value, -5);
}

TEST(MetricRecordsTest, NumbersKeepTheirKind) {
  for (model::NumberKind kind :
       {model::NumberKind::kNone, model::NumberKind::kDouble, model::NumberKind::kInt}) {
    MetricPoint p;
    p.type = MetricType::kSum;
    p.number_kind = kind;
    p.as_double = kind == model::NumberKind::kDouble ? -0.25 : 0;
    p.as_int = kind == model::NumberKind::kInt ? INT64_MIN : 0;
    std::string value;
    EncodeMetricPointValue(p, 0, 0, &value);
    MetricPoint back;
    MetricPointValueView view;
    ASSERT_TRUE(DecodeMetricPointValue(value, &back, &view).ok());
    EXPECT_EQ(back.number_kind, kind);
    EXPECT_EQ(back.as_double, p.as_double);
    EXPECT_EQ(back.as_int, p.as_int);
  }
}

TEST(MetricRecordsTest, EveryTruncationAndTrailingBytesAreDataLoss) {
  std::string value;
  EncodeMetricPointValue(Histogram(), 1, 2, &value);
  for (size_t n = 0; n < value.size(); ++n) {
    MetricPoint back;
    MetricPointValueView view;
    Status s = DecodeMetricPointValue(std::string_view(value).substr(0, n), &back, &view);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << n;
  }
  MetricPoint back;
  MetricPointValueView view;
  EXPECT_EQ(DecodeMetricPointValue(value + "x", &back, &view).code(), StatusCode::kDataLoss);
  std::string bad_format = value;
  bad_format[16] = 9;
  EXPECT_EQ(DecodeMetricPointValue(bad_format, &back, &view).code(), StatusCode::kDataLoss);
}

TEST(MetricRecordsTest, KeysOrderByNameThenTimeAndParseBack) {
  const MetricPointPosition early{100, 7, 1};
  const MetricPointPosition late{200, 3, 1};
  EXPECT_LT(MetricPointKey("p", "m", early), MetricPointKey("p", "m", late));
  // Every key of metric "m" sorts apart from those of "m2" and "n".
  EXPECT_LT(MetricPointKey("p", "m", {UINT64_MAX, UINT64_MAX, UINT64_MAX}),
            MetricPointKey("p", "m2", {0, 0, 0}));
  const std::string key = MetricPointKey("proj", "gen_ai.client.token.usage", late);
  const std::string project = ProjectPrefix("proj");
  ASSERT_TRUE(key.starts_with(project));
  std::string_view name;
  MetricPointPosition parsed;
  ASSERT_TRUE(
      ParseMetricKeyAfterProject(std::string_view(key).substr(project.size()), &name, &parsed));
  EXPECT_EQ(name, "gen_ai.client.token.usage");
  EXPECT_EQ(parsed.time_unix_nano, 200u);
  EXPECT_EQ(parsed.series, 3u);
  EXPECT_EQ(parsed.start_time_unix_nano, 1u);
  EXPECT_FALSE(ParseMetricPointSuffix("short", &parsed));
}

TEST(MetricRecordsTest, SeriesHashIsCanonical) {
  model::Resource resource;
  resource.attributes.push_back({"service.name", AnyValue::String("chat")});
  resource.attributes.push_back({"host", AnyValue::String("h1")});
  model::Resource reordered;
  reordered.attributes = {resource.attributes[1], resource.attributes[0]};
  model::Scope scope;
  scope.name = "openai";
  model::Attributes ab = {{"a", AnyValue::String("1")}, {"b", AnyValue::Int(2)}};
  model::Attributes ba = {ab[1], ab[0]};
  const uint64_t base = SeriesHash(resource, scope, ab);
  EXPECT_EQ(SeriesHash(reordered, scope, ba), base);
  EXPECT_EQ(SeriesHashIn(SeriesContextHash(resource, scope), ab), base);
  model::Attributes string_two = {ab[0], {"b", AnyValue::String("2")}};
  EXPECT_NE(SeriesHash(resource, scope, string_two), base);  // types matter
  model::Scope other_scope;
  other_scope.name = "openai";
  other_scope.version = "2";
  EXPECT_NE(SeriesHash(resource, other_scope, ab), base);
  model::Resource other_resource;
  other_resource.attributes = {resource.attributes[0]};
  EXPECT_NE(SeriesHash(other_resource, scope, ab), base);
}

}  // namespace
}  // namespace tokenscope::store::embedded
