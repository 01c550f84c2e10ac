#include "query/recompute.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "enrich/span_analysis.h"
#include "semconv/normalizer.h"
#include "store/store_factory.h"

namespace tokenscope::query {
namespace {

constexpr uint64_t kNov2025 = 1'763'000'000'000'000'000ull;  // gpt-4o has a price then

class RecomputeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_recompute_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    auto s = store::OpenEmbeddedStore(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto prices = enrich::PriceTable::Builtin();
    ASSERT_TRUE(prices.ok()) << prices.status().ToString();
    prices_ = std::make_unique<enrich::PriceTable>(std::move(prices).value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Writes one span in a trace of its own, with the LLM totals ingest computes today: a
  // gpt-4o chat call of 1000 input and 200 output tokens when `llm`, a plain span otherwise.
  model::TraceId WriteSpan(uint8_t n, bool llm) {
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    model::Span s;
    s.trace_id[0] = n;
    s.span_id[0] = 1;
    s.name = llm ? "chat gpt-4o" : "GET /health";
    s.start_time_unix_nano = kNov2025 + n;
    s.end_time_unix_nano = s.start_time_unix_nano + 1000;
    if (llm) {
      s.attributes.push_back({"gen_ai.operation.name", model::AnyValue::String("chat")});
      s.attributes.push_back({"gen_ai.provider.name", model::AnyValue::String("openai")});
      s.attributes.push_back({"gen_ai.request.model", model::AnyValue::String("gpt-4o")});
      s.attributes.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(1000)});
      s.attributes.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(200)});
    }
    batch.spans.push_back(s);
    batch.llm_totals.resize(1);
    auto info = enrich::PricedLlmInfo(s, batch.resources[0], batch.scopes[0], prices_.get());
    if (info) batch.llm_totals[0].AddCall(*info);
    EXPECT_TRUE(store_->Write(batch).ok());
    return s.trace_id;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<enrich::PriceTable> prices_;
};

TEST_F(RecomputeTest, RenormalizeRepairsAStaleSummaryAndReportsTheChange) {
  model::TraceId llm_trace = WriteSpan(1, /*llm=*/true);
  WriteSpan(2, /*llm=*/false);

  // What an older normalizer might have stored: the call counted twice, the tokens summed
  // across conventions, no price found.
  auto stale = store_->GetTraceSummary("p", llm_trace);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  stale->llm.llm_calls = 2;
  stale->llm.input_tokens = 4000;
  stale->llm.total_tokens = 5000;
  stale->llm.cost_nanos = 0;
  ASSERT_TRUE(store_->ReplaceTraceSummary("p", *stale).ok());
  ASSERT_EQ(store_->GetTraceSummary("p", llm_trace)->llm.total_tokens, 5000);

  auto report = RecomputeTraceSummaries(*store_, "p", 0, UINT64_MAX, prices_.get());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->normalizer_version, semconv::kNormalizerVersion);
  EXPECT_EQ(report->traces_examined, 2u);
  EXPECT_EQ(report->traces_changed, 1u);
  EXPECT_EQ(report->llm_calls_before, 2u);
  EXPECT_EQ(report->llm_calls_after, 1u);
  EXPECT_EQ(report->total_tokens_before, 5000);
  EXPECT_EQ(report->total_tokens_after, 1200);
  EXPECT_EQ(report->cost_before_nanos, 0);
  EXPECT_EQ(report->cost_after_nanos, 2'500'000 + 2'000'000);  // $2.50 and $10 per 1M

  auto fixed = store_->GetTraceSummary("p", llm_trace);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->llm.llm_calls, 1u);
  EXPECT_EQ(fixed->llm.input_tokens, 1000);
  EXPECT_EQ(fixed->llm.total_tokens, 1200);
  EXPECT_EQ(fixed->llm.cost_nanos, 4'500'000);
  EXPECT_EQ(fixed->span_count, 1u);

  // Repaired summaries stay put on the next run; the figures then agree.
  report = RecomputeTraceSummaries(*store_, "p", 0, UINT64_MAX, prices_.get());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->traces_changed, 0u);
  EXPECT_EQ(report->llm_calls_before, report->llm_calls_after);
  EXPECT_EQ(report->total_tokens_before, 1200);
  EXPECT_EQ(report->total_tokens_after, 1200);
}

}  // namespace
}  // namespace tokenscope::query
