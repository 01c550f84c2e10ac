#include "query/ranked_search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "enrich/pricing.h"
#include "query/cursor.h"
#include "query/span_search.h"
#include "query/trace_search.h"
#include "store/store_factory.h"

namespace tokenscope::query {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;
constexpr uint64_t kNov2025 = 1'763'000'000'000'000'000ull;  // gpt-4o has a price then

struct TraceSpec {
  uint8_t n = 0;  // the trace id is 01 00 .. 00 n
  uint64_t start = 0;
  uint64_t duration = 1000;
  int64_t cost_nanos = 0;
  int64_t total_tokens = 0;
  uint32_t llm_calls = 1;  // the store keeps LLM totals only for traces with LLM calls
  std::string service = "api";
};

model::TraceId TraceIdOf(uint8_t n) {
  model::TraceId id{};
  id[0] = 1;
  id[15] = n;
  return id;
}

class RankedSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_ranked_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    auto s = store::OpenEmbeddedStore(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A trace of two spans (a root and a child 1ns later, both ending at start + duration) whose
  // summary carries the given LLM totals, as ingest would have computed them.
  void WriteTrace(const TraceSpec& spec) {
    model::SpanBatch batch;
    batch.project = "p";
    model::Resource resource;
    resource.attributes.push_back(
        {"service.name", model::AnyValue::String(batch.arena().Copy(spec.service))});
    batch.resources.push_back(resource);
    batch.scopes.emplace_back();
    for (uint8_t i = 0; i < 2; ++i) {
      model::Span s;
      s.trace_id = TraceIdOf(spec.n);
      s.span_id[0] = static_cast<uint8_t>(i + 1);
      if (i > 0) s.parent_span_id[0] = 1;
      s.name = i == 0 ? "request" : "step";
      s.start_time_unix_nano = spec.start + i;
      s.end_time_unix_nano = spec.start + spec.duration;
      s.attributes.push_back({"team", model::AnyValue::String(spec.n % 2 ? "odd" : "even")});
      batch.spans.push_back(s);
    }
    batch.llm_totals.resize(2);
    batch.llm_totals[1].llm_calls = spec.llm_calls;
    batch.llm_totals[1].cost_nanos = spec.cost_nanos;
    batch.llm_totals[1].total_tokens = spec.total_tokens;
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  // One OTel GenAI chat span of gpt-4o with the given token counts, in a trace of its own.
  void WriteLlmSpan(uint8_t n, uint64_t start, int64_t input, int64_t output,
                    uint64_t duration = 1000) {
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    model::Span s;
    s.trace_id = TraceIdOf(n);
    s.span_id[0] = 1;
    s.name = "chat gpt-4o";
    s.start_time_unix_nano = start;
    s.end_time_unix_nano = start + duration;
    s.attributes.push_back({"gen_ai.operation.name", model::AnyValue::String("chat")});
    s.attributes.push_back({"gen_ai.provider.name", model::AnyValue::String("openai")});
    s.attributes.push_back({"gen_ai.request.model", model::AnyValue::String("gpt-4o")});
    s.attributes.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(input)});
    s.attributes.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(output)});
    batch.spans.push_back(s);
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  TraceQuery Query(SearchOrder order, size_t limit = 100) {
    TraceQuery q;
    q.project = "p";
    q.order = order;
    q.limit = limit;
    return q;
  }

  // The last byte of each trace id, in result order.
  static std::vector<int> Ids(const std::vector<model::TraceSummary>& traces) {
    std::vector<int> ids;
    for (const auto& t : traces) ids.push_back(t.trace_id[15]);
    return ids;
  }

  std::vector<int> RankedIds(SearchOrder order) {
    auto r = SearchTraces(*store_, Query(order));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_FALSE(r->partial);
    EXPECT_FALSE(r->next_cursor.has_value());
    return Ids(r->traces);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RankedSearchTest, TracesRankByTheirSummaryTotals) {
  WriteTrace({.n = 1,
              .start = 1 * kSecond,
              .duration = 300,
              .cost_nanos = 500,
              .total_tokens = 10,
              .llm_calls = 3});
  WriteTrace({.n = 2,
              .start = 2 * kSecond,
              .duration = 100,
              .cost_nanos = 9000,
              .total_tokens = 30,
              .llm_calls = 1});
  WriteTrace({.n = 3,
              .start = 3 * kSecond,
              .duration = 200,
              .cost_nanos = 0,
              .total_tokens = 20,
              .llm_calls = 1});
  WriteTrace({.n = 4,
              .start = 4 * kSecond,
              .duration = 5'000'000,
              .cost_nanos = 700,
              .total_tokens = 5,
              .llm_calls = 2});
  EXPECT_EQ(RankedIds(SearchOrder::kCostDesc), (std::vector<int>{2, 4, 1, 3}));
  EXPECT_EQ(RankedIds(SearchOrder::kTokensDesc), (std::vector<int>{2, 3, 1, 4}));
  EXPECT_EQ(RankedIds(SearchOrder::kLlmCallsDesc), (std::vector<int>{1, 4, 3, 2}));
  EXPECT_EQ(RankedIds(SearchOrder::kDurationDesc), (std::vector<int>{4, 1, 3, 2}));
  EXPECT_EQ(RankedIds(SearchOrder::kStartTimeAsc), (std::vector<int>{1, 2, 3, 4}));
}

TEST_F(RankedSearchTest, TiesGoToTheNewerTraceThenTheSmallerId) {
  WriteTrace({.n = 5, .start = 1 * kSecond, .cost_nanos = 100});
  WriteTrace({.n = 4, .start = 2 * kSecond, .cost_nanos = 100});
  WriteTrace({.n = 3, .start = 2 * kSecond, .cost_nanos = 100});
  WriteTrace({.n = 2, .start = 3 * kSecond, .cost_nanos = 50});
  WriteTrace({.n = 1, .start = 1 * kSecond, .cost_nanos = 200});
  EXPECT_EQ(RankedIds(SearchOrder::kCostDesc), (std::vector<int>{1, 3, 4, 5, 2}));
}

TEST_F(RankedSearchTest, OnlyMatchesInTheRangeAreRanked) {
  WriteTrace({.n = 1, .start = 1 * kSecond, .cost_nanos = 900, .service = "db"});
  WriteTrace({.n = 2, .start = 2 * kSecond, .cost_nanos = 800});
  WriteTrace({.n = 3, .start = 3 * kSecond, .cost_nanos = 700});
  WriteTrace({.n = 4, .start = 4 * kSecond, .cost_nanos = 600});
  TraceQuery q = Query(SearchOrder::kCostDesc);
  q.condition.service = "api";
  q.start_unix_nano = 1 * kSecond;
  q.end_unix_nano = 4 * kSecond;  // trace 4 starts at the exclusive end
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(r->traces), (std::vector<int>{2, 3}));

  // A condition that needs the whole span.
  q = Query(SearchOrder::kCostDesc);
  q.condition.attribute_equals = {{"team", "even"}};
  r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(r->traces), (std::vector<int>{2, 4}));
}

TEST_F(RankedSearchTest, ThreePagesWithoutDuplicatesOrGaps) {
  // Many ties (cost n % 4) and interleaved start times put page boundaries inside tie groups.
  for (uint8_t n = 1; n <= 25; ++n) {
    WriteTrace({.n = n, .start = (n % 7 + 1) * kSecond, .cost_nanos = n % 4});
  }
  std::vector<int> whole = RankedIds(SearchOrder::kCostDesc);
  ASSERT_EQ(whole.size(), 25u);

  TraceQuery q = Query(SearchOrder::kCostDesc, 9);
  std::vector<int> paged;
  std::vector<size_t> page_sizes;
  for (int guard = 0; guard < 10; ++guard) {
    auto r = SearchTraces(*store_, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    page_sizes.push_back(r->traces.size());
    for (int id : Ids(r->traces)) paged.push_back(id);
    if (!r->next_cursor) break;
    q.cursor = *r->next_cursor;
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{9, 9, 7}));
  EXPECT_EQ(paged, whole);
  EXPECT_EQ(std::set<int>(paged.begin(), paged.end()).size(), 25u);
}

TEST_F(RankedSearchTest, AFullLastPageHasNoCursor) {
  for (uint8_t n = 1; n <= 6; ++n) WriteTrace({.n = n, .start = n * kSecond, .cost_nanos = n});
  TraceQuery q = Query(SearchOrder::kCostDesc, 3);
  auto first = SearchTraces(*store_, q);
  ASSERT_TRUE(first.ok() && first->next_cursor);
  q.cursor = *first->next_cursor;
  auto second = SearchTraces(*store_, q);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(second->traces), (std::vector<int>{3, 2, 1}));
  EXPECT_FALSE(second->next_cursor.has_value());
}

TEST_F(RankedSearchTest, BudgetCutIsReportedAsPartial) {
  for (uint8_t n = 1; n <= 10; ++n) {
    WriteTrace({.n = n, .start = n * kSecond, .cost_nanos = 100 - n});
  }
  TraceQuery q = Query(SearchOrder::kCostDesc, 3);
  q.max_examined = 8;  // 4 newest traces of 2 spans each: 10, 9, 8, 7
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->partial);
  EXPECT_NE(r->partial_reason.find("max_examined"), std::string::npos) << r->partial_reason;
  EXPECT_NE(r->partial_reason.find(std::to_string(7 * kSecond)), std::string::npos)
      << r->partial_reason;
  EXPECT_EQ(Ids(r->traces), (std::vector<int>{7, 8, 9}));  // the cheapest trace ranks first
  ASSERT_TRUE(r->next_cursor.has_value());

  // Exactly enough budget for the whole range is not a cut.
  q.max_examined = 20;
  r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->partial);
  EXPECT_TRUE(r->partial_reason.empty());
  EXPECT_EQ(Ids(r->traces), (std::vector<int>{1, 2, 3}));

  // Conditions on whole spans have their own budget.
  q = Query(SearchOrder::kCostDesc, 3);
  q.condition.attribute_equals = {{"team", "nobody"}};
  q.max_full_span_reads = 5;
  r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->partial);
  EXPECT_NE(r->partial_reason.find("max_full_span_reads"), std::string::npos);
  EXPECT_TRUE(r->traces.empty());
}

TEST_F(RankedSearchTest, CursorsBelongToOneOrder) {
  for (uint8_t n = 1; n <= 4; ++n) WriteTrace({.n = n, .start = n * kSecond, .cost_nanos = n});
  TraceQuery q = Query(SearchOrder::kCostDesc, 2);
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok() && r->next_cursor);
  q.order = SearchOrder::kTokensDesc;
  q.cursor = *r->next_cursor;
  EXPECT_EQ(SearchTraces(*store_, q).status().code(), StatusCode::kInvalidArgument);
  q.order = SearchOrder::kStartTimeDesc;
  EXPECT_EQ(SearchTraces(*store_, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RankedSearchTest, SpansRankByTheirPricedLlmSection) {
  auto prices = enrich::PriceTable::Builtin();
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  // gpt-4o: $2.50 per 1M input, $10 per 1M output.
  WriteLlmSpan(1, kNov2025 + 1 * kSecond, 1000, 100, 5000);                 // $0.0035, 1100 tokens
  WriteLlmSpan(2, kNov2025 + 2 * kSecond, 100, 400, 1000);                  // $0.00425, 500 tokens
  WriteLlmSpan(3, kNov2025 + 3 * kSecond, 3000, 0, 3000);                   // $0.0075, 3000 tokens
  WriteTrace({.n = 4, .start = kNov2025 + 4 * kSecond, .duration = 2000});  // no LLM data

  auto span_ids = [&](SearchOrder order) {
    TraceQuery q = Query(order, 10);
    q.condition.prices = &*prices;
    auto r = SearchSpans(*store_, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (!r.ok()) return ids;
    EXPECT_FALSE(r->partial);
    for (const auto& batch : r->spans) {
      const model::Span& s = batch.spans[0];
      ids.push_back(std::to_string(s.trace_id[15]) + "/" + std::to_string(s.span_id[0]));
    }
    return ids;
  };
  using Ids = std::vector<std::string>;
  // The spans of trace 4 cost nothing: they follow, newest first.
  EXPECT_EQ(span_ids(SearchOrder::kCostDesc), (Ids{"3/1", "2/1", "1/1", "4/2", "4/1"}));
  EXPECT_EQ(span_ids(SearchOrder::kTokensDesc), (Ids{"3/1", "1/1", "2/1", "4/2", "4/1"}));
  EXPECT_EQ(span_ids(SearchOrder::kDurationDesc), (Ids{"1/1", "3/1", "4/1", "4/2", "2/1"}));
}

TEST_F(RankedSearchTest, SpanPagesContinueAfterTheCursor) {
  for (uint8_t n = 1; n <= 7; ++n) {
    WriteTrace({.n = n, .start = n * kSecond, .duration = 2'000'000ull * (n % 3 + 1)});
  }
  TraceQuery q = Query(SearchOrder::kDurationDesc, 5);
  std::set<std::pair<int, int>> seen;
  std::vector<uint64_t> durations;
  for (int guard = 0; guard < 10; ++guard) {
    auto r = SearchSpans(*store_, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& batch : r->spans) {
      const model::Span& s = batch.spans[0];
      EXPECT_TRUE(seen.insert({s.trace_id[15], s.span_id[0]}).second) << "duplicate";
      durations.push_back(s.duration_ns());
    }
    if (!r->next_cursor) break;
    q.cursor = *r->next_cursor;
  }
  EXPECT_EQ(seen.size(), 14u);
  EXPECT_TRUE(std::is_sorted(durations.rbegin(), durations.rend()));
}

TEST_F(RankedSearchTest, SpansRejectTraceOnlyOrders) {
  TraceQuery q = Query(SearchOrder::kLlmCallsDesc);
  EXPECT_EQ(SearchSpans(*store_, q).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tokenscope::query
