#include "store/embedded/records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/embedded/summary_merge.h"

namespace tokenscope::store::embedded {
namespace {

TEST(RecordsTest, SpanSummaryValueRoundTrips) {
  SpanSummary in;
  in.parent_span_id = {1, 2, 3, 4, 5, 6, 7, 8};
  in.duration_ns = 1'234'567'890'123ULL;
  in.status = model::StatusCode::kError;
  in.kind = model::SpanKind::kClient;
  in.service = std::string("rag\0api", 7);
  in.name = "llm.generate";
  std::string value;
  EncodeSpanSummaryValue(in, &value);

  SpanSummary out;
  ASSERT_TRUE(DecodeSpanSummaryValue(value, &out).ok());
  EXPECT_EQ(out.parent_span_id, in.parent_span_id);
  EXPECT_EQ(out.duration_ns, in.duration_ns);
  EXPECT_EQ(out.status, in.status);
  EXPECT_EQ(out.kind, in.kind);
  EXPECT_EQ(out.service, in.service);
  EXPECT_EQ(out.name, in.name);

  EXPECT_FALSE(DecodeSpanSummaryValue(value.substr(0, 5), &out).ok());
}

model::TraceSummary MakeSummary(bool root, uint64_t start, uint64_t end, uint32_t spans,
                                uint32_t errors, std::string name, std::string service) {
  model::TraceSummary s;
  s.has_root = root;
  s.root_name = std::move(name);
  s.root_service = std::move(service);
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = end;
  s.last_span_start_unix_nano = start;
  s.span_count = spans;
  s.error_count = errors;
  return s;
}

TEST(RecordsTest, SpanOrderIsReadWithoutDecodingTheSpan) {
  for (uint64_t start : {uint64_t{0}, uint64_t{1}, uint64_t{1763000000123456789}}) {
    model::Span span;
    span.trace_id.fill(7);
    span.span_id = {1, 2, 3, 4, 5, 6, 7, 8};
    span.name = "retrieve";
    span.start_time_unix_nano = start;
    span.end_time_unix_nano = start + 5;
    span.attributes.push_back({"gen_ai.request.model", model::AnyValue::String("gpt-4o")});
    std::string record;
    EncodeSpanRecord(span, 11, 12, &record);
    uint64_t read_start = 99;
    model::SpanId read_id{};
    ASSERT_TRUE(ReadSpanOrder(record, &read_start, &read_id).ok());
    EXPECT_EQ(read_start, start);
    EXPECT_EQ(read_id, span.span_id);
    // A record cut short is reported, not read past its end.
    EXPECT_FALSE(ReadSpanOrder(record.substr(0, 20), &read_start, &read_id).ok());
  }
}

TEST(RecordsTest, TraceSummaryRoundTrips) {
  const model::TraceSummary in =
      MakeSummary(true, 1763000000000000000ULL, 1763000000500000000ULL, 42, 3, "request", "api");
  std::string value;
  EncodeTraceSummary(in, &value);
  model::TraceSummary out;
  ASSERT_TRUE(DecodeTraceSummary(value, &out).ok());
  EXPECT_EQ(out.has_root, in.has_root);
  EXPECT_EQ(out.root_name, in.root_name);
  EXPECT_EQ(out.root_service, in.root_service);
  EXPECT_EQ(out.start_time_unix_nano, in.start_time_unix_nano);
  EXPECT_EQ(out.end_time_unix_nano, in.end_time_unix_nano);
  EXPECT_EQ(out.last_span_start_unix_nano, in.last_span_start_unix_nano);
  EXPECT_EQ(out.span_count, in.span_count);
  EXPECT_EQ(out.error_count, in.error_count);

  EXPECT_FALSE(DecodeTraceSummary("", &out).ok());
  EXPECT_FALSE(DecodeTraceSummary(value + "x", &out).ok());
  EXPECT_FALSE(DecodeTraceSummary(value.substr(0, value.size() - 1), &out).ok());
}

TEST(RecordsTest, TraceSummaryWithLlmTotalsRoundTrips) {
  model::TraceSummary in = MakeSummary(true, 1, 2, 3, 0, "chat", "api");
  in.llm.llm_calls = 2;
  in.llm.input_tokens = 1000;
  in.llm.output_tokens = 200;
  in.llm.cache_read_input_tokens = 400;
  in.llm.cache_creation_input_tokens = 7;
  in.llm.reasoning_tokens = 50;
  in.llm.total_tokens = 1200;
  in.llm.cost_nanos = 4'000'000;
  in.llm.models = {"claude-haiku-4-5", "gpt-4o"};
  in.llm.session_id = "sess-1";
  in.llm.user_id = "user-9";
  std::string value;
  EncodeTraceSummary(in, &value);
  model::TraceSummary out;
  ASSERT_TRUE(DecodeTraceSummary(value, &out).ok());
  EXPECT_EQ(out.llm.llm_calls, 2u);
  EXPECT_EQ(out.llm.input_tokens, 1000);
  EXPECT_EQ(out.llm.output_tokens, 200);
  EXPECT_EQ(out.llm.cache_read_input_tokens, 400);
  EXPECT_EQ(out.llm.cache_creation_input_tokens, 7);
  EXPECT_EQ(out.llm.reasoning_tokens, 50);
  EXPECT_EQ(out.llm.total_tokens, 1200);
  EXPECT_EQ(out.llm.cost_nanos, 4'000'000);
  EXPECT_EQ(out.llm.models, in.llm.models);
  EXPECT_EQ(out.llm.session_id, "sess-1");
  EXPECT_EQ(out.llm.user_id, "user-9");
  for (size_t cut = 0; cut < value.size(); ++cut) {
    model::TraceSummary partial;
    Status s = DecodeTraceSummary(value.substr(0, cut), &partial);
    // Cutting exactly before the LLM section leaves a valid plain summary; any other cut fails.
    if (s.ok()) {
      EXPECT_EQ(partial.llm.llm_calls, 0u) << cut;
    }
  }
}

TEST(SummaryMergeTest, FoldIsOrderIndependentForDisjointSpans) {
  std::string root, child, late;
  EncodeTraceSummary(MakeSummary(true, 100, 900, 1, 0, "request", "api"), &root);
  EncodeTraceSummary(MakeSummary(false, 50, 300, 2, 1, "", "worker"), &child);
  EncodeTraceSummary(MakeSummary(false, 800, 1200, 1, 1, "", "db"), &late);

  const std::vector<std::vector<std::string_view>> orders = {
      {root, child, late}, {late, child, root}, {child, root, late}};
  for (const auto& order : orders) {
    model::TraceSummary folded;
    ASSERT_TRUE(DecodeTraceSummary(FoldTraceSummaries(order), &folded).ok());
    EXPECT_TRUE(folded.has_root);
    EXPECT_EQ(folded.root_name, "request");
    EXPECT_EQ(folded.root_service, "api");
    EXPECT_EQ(folded.start_time_unix_nano, 50u);
    EXPECT_EQ(folded.end_time_unix_nano, 1200u);
    EXPECT_EQ(folded.last_span_start_unix_nano, 800u);
    EXPECT_EQ(folded.span_count, 4u);
    EXPECT_EQ(folded.error_count, 2u);
  }
}

TEST(SummaryMergeTest, PartialFoldsComposeWithFullFolds) {
  std::string a, b, c;
  EncodeTraceSummary(MakeSummary(false, 10, 20, 1, 0, "", "x"), &a);
  EncodeTraceSummary(MakeSummary(true, 5, 50, 1, 1, "root", "y"), &b);
  EncodeTraceSummary(MakeSummary(false, 30, 40, 3, 0, "", "z"), &c);
  const std::string partial = FoldTraceSummaries({b, c});
  model::TraceSummary two_step, one_step;
  ASSERT_TRUE(DecodeTraceSummary(FoldTraceSummaries({a, partial}), &two_step).ok());
  ASSERT_TRUE(DecodeTraceSummary(FoldTraceSummaries({a, b, c}), &one_step).ok());
  EXPECT_EQ(two_step.span_count, one_step.span_count);
  EXPECT_EQ(two_step.error_count, one_step.error_count);
  EXPECT_EQ(two_step.root_name, one_step.root_name);
  EXPECT_EQ(two_step.start_time_unix_nano, one_step.start_time_unix_nano);
  EXPECT_EQ(two_step.end_time_unix_nano, one_step.end_time_unix_nano);
}

TEST(SummaryMergeTest, CorruptOperandsAreSkipped) {
  std::string good;
  EncodeTraceSummary(MakeSummary(true, 1, 2, 1, 0, "r", "s"), &good);
  size_t skipped = 0;
  model::TraceSummary folded;
  ASSERT_TRUE(DecodeTraceSummary(FoldTraceSummaries({"\x01", good, ""}, &skipped), &folded).ok());
  EXPECT_EQ(skipped, 2u);
  EXPECT_EQ(folded.span_count, 1u);
}

}  // namespace
}  // namespace tokenscope::store::embedded
