#include "query/trace_search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "enrich/pricing.h"
#include "enrich/span_analysis.h"
#include "query/filter/filter_parser.h"
#include "query/recompute.h"
#include "query/span_search.h"
#include "store/store_factory.h"

namespace tokenscope::query {
namespace {

class TraceSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_search_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
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

  // Writes trace `n` with `spans` spans starting at `start`, one per ms; the last span errors
  // when `error`. Services alternate between "api" and "db".
  void WriteTrace(uint32_t n, uint64_t start, int spans, bool error,
                  const std::string& team = "search") {
    model::SpanBatch batch;
    batch.project = "p";
    for (const char* svc : {"api", "db"}) {
      model::Resource r;
      r.attributes.push_back({"service.name", model::AnyValue::String(svc)});
      batch.resources.push_back(r);
    }
    batch.scopes.emplace_back();
    std::string_view team_view = batch.arena().Copy(team);
    for (int i = 0; i < spans; ++i) {
      model::Span s;
      s.trace_id[0] = 1;
      std::memcpy(&s.trace_id[12], &n, 4);
      s.span_id[0] = static_cast<uint8_t>(i + 1);
      if (i > 0) s.parent_span_id[0] = 1;
      s.name = i == 0 ? "request" : "step";
      s.start_time_unix_nano = start + static_cast<uint64_t>(i) * 1'000'000;
      s.end_time_unix_nano = s.start_time_unix_nano + 500'000 * static_cast<uint64_t>(i + 1);
      s.resource_index = static_cast<uint32_t>(i % 2);
      if (error && i == spans - 1) s.status.code = model::StatusCode::kError;
      s.attributes.push_back({"team", model::AnyValue::String(team_view)});
      s.attributes.push_back({"attempt", model::AnyValue::Int(i)});
      batch.spans.push_back(s);
    }
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  std::vector<model::TraceSummary> All(TraceQuery q, size_t page) {
    q.limit = page;
    std::vector<model::TraceSummary> out;
    for (int guard = 0; guard < 1000; ++guard) {
      auto r = SearchTraces(*store_, q);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      out.insert(out.end(), r->traces.begin(), r->traces.end());
      if (!r->next_cursor) break;
      q.cursor = *r->next_cursor;
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(TraceSearchTest, NewestFirstWithSummaries) {
  for (uint32_t n = 0; n < 5; ++n) WriteTrace(n, 1'000'000'000ull * (n + 1), 3, n == 2);
  TraceQuery q;
  q.project = "p";
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 5u);
  for (size_t i = 1; i < r->traces.size(); ++i) {
    EXPECT_GT(r->traces[i - 1].start_time_unix_nano, r->traces[i].start_time_unix_nano);
  }
  EXPECT_EQ(r->traces[0].span_count, 3u);
  EXPECT_EQ(r->traces[0].root_name, "request");
  EXPECT_FALSE(r->next_cursor.has_value());
}

TEST_F(TraceSearchTest, PagingVisitsEveryTraceOnce) {
  // Overlapping traces of many spans make most page boundaries straddle a trace.
  for (uint32_t n = 0; n < 40; ++n) WriteTrace(n, 1'000'000'000ull + n * 2'000'000ull, 7, false);
  TraceQuery q;
  q.project = "p";
  for (size_t page : {1u, 3u, 7u, 100u}) {
    auto all = All(q, page);
    std::set<model::TraceId> ids;
    for (const auto& t : all) ids.insert(t.trace_id);
    EXPECT_EQ(all.size(), 40u) << "page " << page;
    EXPECT_EQ(ids.size(), 40u) << "page " << page;
  }
}

TEST_F(TraceSearchTest, PagingStableWhileNewDataArrives) {
  for (uint32_t n = 0; n < 10; ++n) WriteTrace(n, 1'000'000'000ull * (n + 1), 2, false);
  TraceQuery q;
  q.project = "p";
  q.limit = 4;
  auto first = SearchTraces(*store_, q);
  ASSERT_TRUE(first.ok() && first->next_cursor);
  for (uint32_t n = 100; n < 105; ++n) WriteTrace(n, 1'000'000'000ull * (n + 1), 2, false);
  q.cursor = *first->next_cursor;
  auto rest = All(q, 4);
  std::set<model::TraceId> ids;
  for (const auto& t : first->traces) ids.insert(t.trace_id);
  for (const auto& t : rest) EXPECT_TRUE(ids.insert(t.trace_id).second) << "duplicate";
  EXPECT_EQ(ids.size(), 10u);  // the newer traces belong to a fresh search, not to page 2
}

TEST_F(TraceSearchTest, ConditionsOnOneSpan) {
  WriteTrace(1, 1'000'000'000ull, 4, true, "search");
  WriteTrace(2, 2'000'000'000ull, 4, false, "ads");
  WriteTrace(3, 3'000'000'000ull, 1, false, "search");
  TraceQuery q;
  q.project = "p";
  q.condition.status = model::StatusCode::kError;
  EXPECT_EQ(All(q, 10).size(), 1u);

  q = {};
  q.project = "p";
  q.condition.service = "db";
  EXPECT_EQ(All(q, 10).size(), 2u);  // trace 3 has only an "api" span

  q = {};
  q.project = "p";
  q.condition.attribute_equals = {{"team", "ads"}};
  auto ads = All(q, 10);
  ASSERT_EQ(ads.size(), 1u);
  EXPECT_EQ(ads[0].start_time_unix_nano, 2'000'000'000ull);

  q.condition.attribute_equals = {{"attempt", "3"}, {"team", "search"}};
  EXPECT_EQ(All(q, 10).size(), 1u);

  q = {};
  q.project = "p";
  q.condition.min_duration_ns = 2'000'000;  // only spans i >= 3 last 2ms
  EXPECT_EQ(All(q, 10).size(), 2u);
  q.condition.name = "request";
  EXPECT_EQ(All(q, 10).size(), 0u);

  q = {};
  q.project = "p";
  q.start_unix_nano = 1'500'000'000ull;
  q.end_unix_nano = 2'500'000'000ull;
  EXPECT_EQ(All(q, 10).size(), 1u);
}

TEST_F(TraceSearchTest, FilterLanguage) {
  WriteTrace(1, 1'000'000'000ull, 4, true, "search");
  WriteTrace(2, 2'000'000'000ull, 4, false, "ads");
  WriteTrace(3, 3'000'000'000ull, 1, false, "search");
  auto count = [&](std::string_view text) {
    auto f = filter::ParseFilter(text);
    EXPECT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    TraceQuery q;
    q.project = "p";
    q.condition.SetFilter(std::move(f).value());
    return All(q, 2).size();
  };
  EXPECT_EQ(count("status = error"), 1u);
  EXPECT_EQ(count("service = \"db\""), 2u);
  EXPECT_EQ(count("attr.team = \"ads\""), 1u);
  EXPECT_EQ(count("attr.team = \"search\" and duration >= 2ms"), 1u);
  EXPECT_EQ(count("(service = \"db\" or name = \"request\") and not attr.team = \"ads\""), 2u);
  EXPECT_EQ(count("resource.\"service.name\" ~ \"^d\""), 2u);
  EXPECT_EQ(count("name = \"step\" and attr.attempt > 2"), 2u);
  EXPECT_EQ(count("model = \"gpt-4o\""), 0u);  // no LLM data on these spans
  EXPECT_EQ(count(""), 3u);
  EXPECT_EQ(count("error_class = \"unknown\""), 1u);  // an error status with no message
  EXPECT_EQ(count("error_class = \"infrastructure\""), 0u);
}

TEST_F(TraceSearchTest, LlmFieldsFromNormalizedSpans) {
  WriteTrace(1, 1'000'000'000ull, 2, false);
  model::SpanBatch batch;
  batch.project = "p";
  batch.resources.emplace_back();
  batch.resources[0].attributes.push_back({"service.name", model::AnyValue::String("rag-api")});
  batch.scopes.emplace_back();
  model::Span s;
  s.trace_id[0] = 9;
  s.span_id[0] = 1;
  s.name = "chat gpt-4o";
  s.kind = model::SpanKind::kClient;
  s.start_time_unix_nano = 1'763'000'000'000'000'000ull;  // Nov 2025: gpt-4o is priced
  s.end_time_unix_nano = s.start_time_unix_nano + 1'500'000'000ull;
  s.attributes.push_back({"gen_ai.operation.name", model::AnyValue::String("chat")});
  s.attributes.push_back({"gen_ai.provider.name", model::AnyValue::String("openai")});
  s.attributes.push_back({"gen_ai.request.model", model::AnyValue::String("gpt-4o")});
  s.attributes.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(1000)});
  s.attributes.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(200)});
  batch.spans.push_back(s);
  ASSERT_TRUE(store_->Write(batch).ok());

  auto prices = enrich::PriceTable::Builtin();
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  auto count = [&](std::string_view text) {
    auto f = filter::ParseFilter(text);
    EXPECT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    TraceQuery q;
    q.project = "p";
    q.condition.prices = &*prices;
    q.condition.SetFilter(std::move(f).value());
    return All(q, 5).size();
  };
  EXPECT_EQ(count("model = \"gpt-4o\""), 1u);
  EXPECT_EQ(count("provider = \"openai\" and input_tokens >= 1000 and output_tokens < 201"), 1u);
  // gpt-4o: $2.50 / 1M input, $10 / 1M output -> 0.0025 + 0.002 = $0.0045
  EXPECT_EQ(count("cost > 0.0044 and cost < 0.0046"), 1u);
  EXPECT_EQ(count("model = \"gpt-4o-mini\""), 0u);
  EXPECT_EQ(count("total_tokens = 1200"), 1u);
}

TEST_F(TraceSearchTest, SpanSearchPagesThroughMatchingSpans) {
  for (uint32_t n = 0; n < 6; ++n) WriteTrace(n, 1'000'000'000ull * (n + 1), 4, n % 2 == 0);
  TraceQuery q;
  q.project = "p";
  q.condition.service = "db";  // spans 1 and 3 of each trace
  q.limit = 5;
  std::vector<uint64_t> starts;
  for (int guard = 0; guard < 20; ++guard) {
    auto r = SearchSpans(*store_, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& b : r->spans) {
      ASSERT_EQ(b.spans.size(), 1u);
      EXPECT_EQ(model::ServiceName(b.ResourceOf(b.spans[0])), "db");
      starts.push_back(b.spans[0].start_time_unix_nano);
    }
    if (!r->next_cursor) break;
    q.cursor = *r->next_cursor;
  }
  EXPECT_EQ(starts.size(), 12u);
  EXPECT_TRUE(std::is_sorted(starts.rbegin(), starts.rend()));  // newest first

  auto f = filter::ParseFilter("status = error and attr.attempt = 3");
  ASSERT_TRUE(f.ok());
  TraceQuery errors;
  errors.project = "p";
  errors.condition.SetFilter(std::move(f).value());
  auto r = SearchSpans(*store_, errors);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->spans.size(), 3u);  // the last span of traces 0, 2 and 4
}

TEST_F(TraceSearchTest, RecomputeAppliesNewPricesToTraceTotals) {
  auto builtin = enrich::PriceTable::Builtin();
  ASSERT_TRUE(builtin.ok());
  model::SpanBatch batch;
  batch.project = "p";
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span s;
  s.trace_id[0] = 7;
  s.span_id[0] = 1;
  s.name = "chat";
  s.start_time_unix_nano = 1'763'000'000'000'000'000ull;
  s.end_time_unix_nano = s.start_time_unix_nano + 1000;
  s.attributes.push_back({"gen_ai.operation.name", model::AnyValue::String("chat")});
  s.attributes.push_back({"gen_ai.provider.name", model::AnyValue::String("openai")});
  s.attributes.push_back({"gen_ai.request.model", model::AnyValue::String("gpt-4o")});
  s.attributes.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(1000)});
  s.attributes.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(200)});
  batch.spans.push_back(s);
  batch.llm_totals.resize(1);
  auto llm = enrich::PricedLlmInfo(s, batch.resources[0], batch.scopes[0], &*builtin);
  ASSERT_TRUE(llm.has_value());
  batch.llm_totals[0].AddCall(*llm);
  ASSERT_TRUE(store_->Write(batch).ok());
  auto before = store_->GetTraceSummary("p", s.trace_id);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->llm.cost_nanos, 2'500'000 + 2'000'000);  // $2.50 and $10 per 1M

  auto cheaper = enrich::PriceTable::Load(
      "prices:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2024-01-01\n"
      "    input: 2.00\n    output: 8.00\n");
  ASSERT_TRUE(cheaper.ok()) << cheaper.status().ToString();
  enrich::PriceTable table = *builtin;
  ASSERT_TRUE(table.Merge(*cheaper).ok());

  auto report = RecomputeTraceSummaries(*store_, "p", 0, UINT64_MAX, &table);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->traces_examined, 1u);
  EXPECT_EQ(report->traces_changed, 1u);
  EXPECT_EQ(report->cost_before_nanos, 4'500'000);
  EXPECT_EQ(report->cost_after_nanos, 2'000'000 + 1'600'000);
  auto after = store_->GetTraceSummary("p", s.trace_id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->llm.cost_nanos, 3'600'000);
  EXPECT_EQ(after->span_count, 1u);
  EXPECT_EQ(after->llm.input_tokens, 1000);

  // A second run finds nothing to change; a range without spans examines nothing.
  report = RecomputeTraceSummaries(*store_, "p", 0, UINT64_MAX, &table);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->traces_changed, 0u);
  report = RecomputeTraceSummaries(*store_, "p", 0, 1000, &table);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->traces_examined, 0u);
}

TEST_F(TraceSearchTest, ProjectsAreIsolated) {
  WriteTrace(1, 1'000'000'000ull, 2, false);
  TraceQuery q;
  q.project = "other";
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->traces.empty());
}

TEST_F(TraceSearchTest, BadCursorAndLimit) {
  TraceQuery q;
  q.project = "p";
  q.cursor = "garbage";
  EXPECT_EQ(SearchTraces(*store_, q).status().code(), StatusCode::kInvalidArgument);
  q.cursor.clear();
  q.limit = 0;
  EXPECT_EQ(SearchTraces(*store_, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TraceSearchTest, ExaminationBudgetReturnsCursor) {
  for (uint32_t n = 0; n < 20; ++n) WriteTrace(n, 1'000'000'000ull * (n + 1), 2, false);
  TraceQuery q;
  q.project = "p";
  q.condition.name = "nothing-matches";
  q.max_examined = 5;
  // Index scan of a name nobody has ends at once; use a non-indexed condition instead.
  q.condition.name.reset();
  q.condition.min_duration_ns = 999'000'000'000ull;
  auto r = SearchTraces(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->traces.empty());
  EXPECT_TRUE(r->next_cursor.has_value());

  // Conditions that need whole span records have their own, smaller budget.
  TraceQuery full;
  full.project = "p";
  full.condition.attribute_equals = {{"team", "nobody"}};
  full.max_full_span_reads = 3;
  auto partial = SearchTraces(*store_, full);
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->traces.empty());
  EXPECT_TRUE(partial->next_cursor.has_value());
  full.cursor = *partial->next_cursor;
  full.max_full_span_reads = 1000;
  auto rest = SearchTraces(*store_, full);
  ASSERT_TRUE(rest.ok());
  EXPECT_FALSE(rest->next_cursor.has_value());
}

}  // namespace
}  // namespace tokenscope::query
