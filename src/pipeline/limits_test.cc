#include "pipeline/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::pipeline {
namespace {

model::Attributes ManyAttributes(size_t n) {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (int i = 0; i < 64; ++i) k.push_back("k" + std::to_string(i));
    return k;
  }();
  model::Attributes attributes;
  for (size_t i = 0; i < n; ++i) attributes.push_back({keys[i], model::AnyValue::Int(1)});
  return attributes;
}

const model::AnyValue* Find(const model::Attributes& attributes, std::string_view key) {
  return model::FindAttribute(attributes, key);
}

TEST(Utf8PrefixTest, NeverEndsInsideACharacter) {
  const std::string text = "aé€😀";  // 1 + 2 + 3 + 4 bytes
  EXPECT_EQ(Utf8Prefix(text, 100), text);
  EXPECT_EQ(Utf8Prefix(text, 1), "a");
  EXPECT_EQ(Utf8Prefix(text, 2), "a");  // é would be cut in half
  EXPECT_EQ(Utf8Prefix(text, 3), "aé");
  EXPECT_EQ(Utf8Prefix(text, 5), "aé");
  EXPECT_EQ(Utf8Prefix(text, 6), "aé€");
  EXPECT_EQ(Utf8Prefix(text, 9), "aé€");
  EXPECT_EQ(Utf8Prefix(text, 0), "");
}

TEST(LimitsTest, WithinLimitsNothingChanges) {
  model::SpanBatch batch;
  batch.spans.resize(3);
  batch.spans[0].attributes = ManyAttributes(5);
  LimitReport report;
  ApplyLimits(IngestLimits{}, &batch, &report);
  EXPECT_FALSE(report.changed_anything());
  EXPECT_EQ(batch.spans.size(), 3u);
  EXPECT_EQ(batch.spans[0].attributes.size(), 5u);
}

TEST(LimitsTest, SpansPastTheRequestLimitAreRejectedWithAReason) {
  model::SpanBatch batch;
  batch.spans.resize(7);
  IngestLimits limits;
  limits.max_items_per_request = 4;
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_EQ(batch.spans.size(), 4u);
  EXPECT_EQ(report.items_rejected, 3u);
  EXPECT_EQ(report.rejection_message,
            "the request carries 7 spans; the limit is 4 per request, the rest were rejected");
}

TEST(LimitsTest, ExtraAttributesEventsAndLinksAreDroppedAndCounted) {
  model::SpanBatch batch;
  model::Span& span = batch.spans.emplace_back();
  span.attributes = ManyAttributes(10);
  span.dropped_attributes_count = 2;  // the SDK already dropped some
  span.events.resize(6);
  span.events[0].attributes = ManyAttributes(4);
  span.links.resize(5);
  IngestLimits limits;
  limits.max_attributes = 3;
  limits.max_events_per_span = 2;
  limits.max_links_per_span = 1;
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_EQ(span.attributes.size(), 3u);
  EXPECT_EQ(span.attributes[2].key, "k2");  // the first ones are kept
  EXPECT_EQ(span.dropped_attributes_count, 2u + 7u);
  EXPECT_EQ(span.events.size(), 2u);
  EXPECT_EQ(span.dropped_events_count, 4u);
  EXPECT_EQ(span.events[0].attributes.size(), 3u);
  EXPECT_EQ(span.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.dropped_links_count, 4u);
  EXPECT_EQ(report.attributes_dropped, 8u);
  EXPECT_EQ(report.events_dropped, 4u);
  EXPECT_EQ(report.links_dropped, 4u);
  EXPECT_EQ(Find(span.attributes, kTruncatedValuesAttribute), nullptr);
}

TEST(LimitsTest, LongValuesAreCutNestedOnesTooAndTheSpanIsMarked) {
  const std::string long_text(100, 'x');
  model::SpanBatch batch;
  model::Span& span = batch.spans.emplace_back();
  span.attributes.push_back({"prompt", model::AnyValue::String(long_text)});
  span.attributes.push_back({"short", model::AnyValue::String("ok")});
  model::AnyValue list;
  list.type = model::ValueType::kArray;
  list.array_value.push_back(model::AnyValue::String(long_text));
  list.array_value.push_back(model::AnyValue::Bytes(long_text));
  span.attributes.push_back({"list", list});
  model::Event& event = span.events.emplace_back();
  event.attributes.push_back({"gen_ai.prompt", model::AnyValue::String(long_text)});
  IngestLimits limits;
  limits.max_value_bytes = 10;
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_EQ(span.attributes[0].value.string_value, std::string(10, 'x'));
  EXPECT_EQ(span.attributes[1].value.string_value, "ok");
  EXPECT_EQ(span.attributes[2].value.array_value[0].string_value.size(), 10u);
  EXPECT_EQ(span.attributes[2].value.array_value[1].string_value.size(), 10u);
  EXPECT_EQ(event.attributes[0].value.string_value.size(), 10u);
  const model::AnyValue* mark = Find(span.attributes, kTruncatedValuesAttribute);
  ASSERT_NE(mark, nullptr);
  EXPECT_EQ(mark->int_value, 4);
  EXPECT_EQ(report.values_truncated, 4u);
}

TEST(LimitsTest, ZeroMeansUnlimited) {
  model::SpanBatch batch;
  model::Span& span = batch.spans.emplace_back();
  const std::string big(5000, 'y');
  span.attributes = ManyAttributes(50);
  span.attributes.push_back({"big", model::AnyValue::String(big)});
  IngestLimits limits{0, 0, 0, 0, 0};
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_FALSE(report.changed_anything());
  EXPECT_EQ(span.attributes.size(), 51u);
}

TEST(LimitsTest, LogRecordsBodiesAndAttributes) {
  model::LogBatch batch;
  batch.logs.resize(3);
  const std::string content(50, 'z');  // views point here: it must outlive the batch
  model::AnyValue body;
  body.type = model::ValueType::kKvList;
  body.kvlist_value.push_back({"content", model::AnyValue::String(content)});
  batch.logs[0].body = body;
  batch.logs[1].attributes = ManyAttributes(5);
  IngestLimits limits;
  limits.max_items_per_request = 2;
  limits.max_attributes = 2;
  limits.max_value_bytes = 8;
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_EQ(batch.logs.size(), 2u);
  EXPECT_EQ(report.items_rejected, 1u);
  EXPECT_NE(report.rejection_message.find("3 log records"), std::string::npos);
  EXPECT_EQ(batch.logs[0].body.kvlist_value[0].value.string_value.size(), 8u);
  EXPECT_NE(Find(batch.logs[0].attributes, kTruncatedValuesAttribute), nullptr);
  EXPECT_EQ(batch.logs[1].attributes.size(), 2u);
  EXPECT_EQ(batch.logs[1].dropped_attributes_count, 3u);
}

TEST(LimitsTest, MetricPointsAndTheirAttributes) {
  model::MetricBatch batch;
  batch.points.resize(3);
  const std::string long_value(50, 'z');
  batch.points[0].attributes = ManyAttributes(5);
  batch.points[1].attributes.push_back({"k", model::AnyValue::String(long_value)});
  IngestLimits limits;
  limits.max_items_per_request = 2;
  limits.max_attributes = 2;
  limits.max_value_bytes = 8;
  LimitReport report;
  ApplyLimits(limits, &batch, &report);
  EXPECT_EQ(batch.points.size(), 2u);
  EXPECT_EQ(report.items_rejected, 1u);
  EXPECT_NE(report.rejection_message.find("3 data points"), std::string::npos);
  EXPECT_EQ(batch.points[0].attributes.size(), 2u);
  EXPECT_EQ(report.attributes_dropped, 3u);
  EXPECT_EQ(batch.points[1].attributes[0].value.string_value.size(), 8u);
  EXPECT_NE(Find(batch.points[1].attributes, kTruncatedValuesAttribute), nullptr);
}

}  // namespace
}  // namespace tokenscope::pipeline
