#include "model/span.h"

#include <gtest/gtest.h>

namespace tokenscope::model {
namespace {

TEST(SpanTest, AdoptedViewsSurviveMove) {
  SpanBatch batch;
  std::string_view v = batch.Adopt(std::string("short"));
  std::string_view a = batch.arena().Copy("arena bytes");
  SpanBatch moved = std::move(batch);
  EXPECT_EQ(v, "short");
  EXPECT_EQ(a, "arena bytes");
}

TEST(SpanTest, ServiceNameDefaults) {
  Resource r;
  EXPECT_EQ(ServiceName(r), "unknown_service");
  r.attributes.push_back({"service.name", AnyValue::String("rag-api")});
  EXPECT_EQ(ServiceName(r), "rag-api");
}

TEST(SpanTest, RootAndDuration) {
  Span s;
  EXPECT_TRUE(s.is_root());
  s.parent_span_id[3] = 1;
  EXPECT_FALSE(s.is_root());
  s.start_time_unix_nano = 100;
  s.end_time_unix_nano = 50;  // clock skew must not underflow
  EXPECT_EQ(s.duration_ns(), 0u);
}

}  // namespace
}  // namespace tokenscope::model
