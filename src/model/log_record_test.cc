#include "model/log_record.h"

#include <gtest/gtest.h>

namespace tokenscope::model {
namespace {

TEST(EventNameTest, PrefersTheFieldThenTheAttribute) {
  LogRecord record;
  EXPECT_EQ(EventName(record), "");
  record.attributes.push_back({"event.name", AnyValue::String("gen_ai.user.message")});
  EXPECT_EQ(EventName(record), "gen_ai.user.message");
  record.event_name = "gen_ai.choice";
  EXPECT_EQ(EventName(record), "gen_ai.choice");
}

TEST(LogRecordAsEventTest, CarriesNameTimeAttributesAndBody) {
  LogRecord record;
  record.event_name = "gen_ai.user.message";
  record.time_unix_nano = 42;
  record.observed_time_unix_nano = 50;
  record.dropped_attributes_count = 2;
  record.attributes.push_back({"gen_ai.system", AnyValue::String("openai")});
  AnyValue body;
  body.type = ValueType::kKvList;
  body.kvlist_value.push_back({"content", AnyValue::String("hi")});
  record.body = body;

  const Event event = LogRecordAsEvent(record);
  EXPECT_EQ(event.name, "gen_ai.user.message");
  EXPECT_EQ(event.time_unix_nano, 42u);
  EXPECT_EQ(event.dropped_attributes_count, 2u);
  ASSERT_EQ(event.attributes.size(), 2u);
  EXPECT_EQ(event.attributes[0].key, "gen_ai.system");
  EXPECT_EQ(event.attributes[1].key, "body");
  ASSERT_EQ(event.attributes[1].value.kvlist_value.size(), 1u);
  EXPECT_EQ(event.attributes[1].value.kvlist_value[0].value.string_value, "hi");
}

TEST(LogRecordAsEventTest, FallsBackToObservedTimeAndLeavesAnEmptyBodyOut) {
  LogRecord record;
  record.observed_time_unix_nano = 50;
  const Event event = LogRecordAsEvent(record);
  EXPECT_EQ(event.name, "");
  EXPECT_EQ(event.time_unix_nano, 50u);
  EXPECT_TRUE(event.attributes.empty());
}

}  // namespace
}  // namespace tokenscope::model
