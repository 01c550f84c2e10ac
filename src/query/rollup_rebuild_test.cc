// RebuildRollups: cells recomputed from stored spans replace the range's cells, hours without
// spans are cleared, and a range from the epoch costs no more than the stored data.
#include "query/rollup_rebuild.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "store/store_test_harness.h"

namespace tokenscope::query {
namespace {

// One LLM call of `model` with `tokens` input tokens, starting at `minute`.
void AddCall(model::SpanBatch* batch, uint8_t id, uint64_t minute, std::string_view model,
             int64_t tokens) {
  model::Span& span = batch->spans.emplace_back();
  span.trace_id[15] = id;
  span.span_id[7] = id;
  span.name = "chat";
  span.kind = model::SpanKind::kClient;
  span.start_time_unix_nano = minute * rollup::kNanosPerMinute + 1'000;
  span.end_time_unix_nano = span.start_time_unix_nano + 5'000'000;
  span.attributes.push_back({"gen_ai.operation.name", model::AnyValue::String("chat")});
  span.attributes.push_back({"gen_ai.provider.name", model::AnyValue::String("openai")});
  span.attributes.push_back({"gen_ai.request.model", model::AnyValue::String(model)});
  span.attributes.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(tokens)});
  span.attributes.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(1)});
}

TEST(RollupRebuildTest, ReplacesTheRangeWithCellsFromTheSpans) {
  store::EmbeddedHarness harness;
  auto opened = harness.Open();
  ASSERT_TRUE(opened.ok());
  store::Store& store = **opened;

  model::SpanBatch batch;
  batch.project = "p";
  batch.resources.emplace_back().attributes.push_back(
      {"service.name", model::AnyValue::String("svc")});
  batch.scopes.emplace_back();
  const uint64_t day = 29'000'000;  // minutes since the epoch: some day in 2025
  AddCall(&batch, 1, day + 10, "gpt-4o", 100);
  AddCall(&batch, 2, day + 11, "gpt-4o", 200);
  AddCall(&batch, 3, day + 600, "gpt-4o-mini", 50);
  ASSERT_TRUE(store.Write(batch).ok());  // no rollups at ingest: the rebuild makes them
  // A stale cell in an hour without spans, and one outside the rebuilt range.
  rollup::RollupEntry stale;
  stale.key.minute = day + 300;
  stale.cell.requests = 7;
  rollup::RollupEntry outside = stale;
  outside.key.minute = day + 5'000;
  ASSERT_TRUE(store.MergeRollups("p", {stale, outside}).ok());

  auto report =
      RebuildRollups(store, "p", 0, (day + 1'440) * rollup::kNanosPerMinute, nullptr, {}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->spans_examined, 3u);
  EXPECT_EQ(report->cells_before, 1u);
  EXPECT_EQ(report->requests_before, 7u);
  EXPECT_EQ(report->requests_after, 3u);
  EXPECT_EQ(report->cells_after, 3u);

  std::vector<std::pair<uint64_t, int64_t>> cells;  // (minute - day, input tokens)
  ASSERT_TRUE(store
                  .ScanRollups({"p", 0, UINT64_MAX},
                               [&](const rollup::RollupEntry& e) {
                                 cells.emplace_back(e.key.minute - day, e.cell.input_tokens);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(cells, (std::vector<std::pair<uint64_t, int64_t>>{
                       {10, 100}, {11, 200}, {600, 50}, {5'000, 0}}));
}

}  // namespace
}  // namespace tokenscope::query
