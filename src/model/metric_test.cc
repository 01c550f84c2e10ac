#include "model/metric.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace tokenscope::model {
namespace {

TEST(MetricNamesTest, TypesAndTemporalities) {
  EXPECT_EQ(MetricTypeName(MetricType::kGauge), "gauge");
  EXPECT_EQ(MetricTypeName(MetricType::kSum), "sum");
  EXPECT_EQ(MetricTypeName(MetricType::kHistogram), "histogram");
  EXPECT_EQ(MetricTypeName(MetricType::kExponentialHistogram), "exponential_histogram");
  EXPECT_EQ(MetricTypeName(MetricType::kSummary), "summary");
  EXPECT_EQ(AggregationTemporalityName(AggregationTemporality::kUnspecified), "unspecified");
  EXPECT_EQ(AggregationTemporalityName(AggregationTemporality::kDelta), "delta");
  EXPECT_EQ(AggregationTemporalityName(AggregationTemporality::kCumulative), "cumulative");
}

TEST(MetricPointTest, NumberValueAndFlags) {
  MetricPoint point;
  EXPECT_EQ(point.NumberValue(), 0);
  EXPECT_FALSE(point.no_recorded_value());
  point.number_kind = NumberKind::kInt;
  point.as_int = -7;
  EXPECT_EQ(point.NumberValue(), -7.0);
  point.number_kind = NumberKind::kDouble;
  point.as_double = 0.25;
  EXPECT_EQ(point.NumberValue(), 0.25);
  point.flags = kFlagNoRecordedValue;
  EXPECT_TRUE(point.no_recorded_value());
}

TEST(MetricBatchTest, ViewsSurviveAMove) {
  MetricBatch batch;
  std::string_view adopted = batch.Adopt("gen_ai.client.token.usage");
  MetricPoint& point = batch.points.emplace_back();
  point.name = adopted;
  point.unit = batch.arena().Copy("{token}");
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  MetricBatch moved = std::move(batch);
  EXPECT_EQ(moved.points[0].name, "gen_ai.client.token.usage");
  EXPECT_EQ(moved.points[0].unit, "{token}");
  EXPECT_EQ(&moved.ResourceOf(moved.points[0]), &moved.resources[0]);
  EXPECT_EQ(&moved.ScopeOf(moved.points[0]), &moved.scopes[0]);
}

}  // namespace
}  // namespace tokenscope::model
