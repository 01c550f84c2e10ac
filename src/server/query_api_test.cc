#include "server/query_api.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <set>

#include "store/store_factory.h"

namespace tokenscope::server {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;

struct Answer {
  int status = 0;
  rapidjson::Document json;
};

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_query_api_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    auto s = store::OpenEmbeddedStore(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    api_ = std::make_unique<QueryApi>(store_.get(), nullptr);
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A one-span trace (id 01 00 .. 00 n) whose summary carries one LLM call of the given cost
  // and tokens, as ingest would have computed them.
  void WriteTrace(uint8_t n, uint64_t start, int64_t cost_nanos, int64_t total_tokens) {
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    model::Span s;
    s.trace_id[0] = 1;
    s.trace_id[15] = n;
    s.span_id[0] = 1;
    s.name = "request";
    s.start_time_unix_nano = start;
    s.end_time_unix_nano = start + 1000 * n;
    batch.spans.push_back(s);
    batch.llm_totals.resize(1);
    batch.llm_totals[0].llm_calls = 1;
    batch.llm_totals[0].cost_nanos = cost_nanos;
    batch.llm_totals[0].total_tokens = total_tokens;
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  using Handler = HttpResponse (QueryApi::*)(const std::string&, const HttpRequest&,
                                             const ParsedTarget&);

  Answer Call(Handler handler, http::verb verb, const std::string& target) {
    HttpRequest req{verb, target, 11};
    auto parsed = ParseTarget(target);
    EXPECT_TRUE(parsed.has_value()) << target;
    HttpResponse res = (api_.get()->*handler)("p", req, *parsed);
    Answer answer;
    answer.status = static_cast<int>(res.result_int());
    answer.json.Parse(res.body().c_str());
    EXPECT_FALSE(answer.json.HasParseError()) << res.body();
    return answer;
  }
  Answer SearchTraces(const std::string& query) {
    return Call(&QueryApi::SearchTraces, http::verb::get, "/api/v1/traces" + query);
  }
  Answer SearchSpans(const std::string& query) {
    return Call(&QueryApi::SearchSpans, http::verb::get, "/api/v1/spans" + query);
  }

  // The last byte of each trace id in a search answer, in order.
  static std::vector<std::string> TraceIds(const Answer& answer) {
    std::vector<std::string> ids;
    for (const auto& t : answer.json["traces"].GetArray()) {
      ids.push_back(std::string(t["trace_id"].GetString()).substr(30));
    }
    return ids;
  }

  static std::string ErrorMessage(const Answer& answer) {
    return answer.json["error"]["message"].GetString();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<QueryApi> api_;
};

TEST_F(QueryApiTest, TracesByCostPageThroughEveryMatchOnce) {
  // Costs 5 4 4 3 2 2 1: ties are broken by the newer start.
  const int64_t costs[] = {5, 4, 4, 3, 2, 2, 1};
  for (uint8_t n = 1; n <= 7; ++n) WriteTrace(n, n * kSecond, costs[n - 1], 10);
  std::vector<std::string> ids;
  std::string query = "?order=cost_desc&limit=3";
  std::vector<size_t> page_sizes;
  for (int guard = 0; guard < 10; ++guard) {
    Answer page = SearchTraces(query);
    ASSERT_EQ(page.status, 200);
    EXPECT_STREQ(page.json["order"].GetString(), "cost_desc");
    EXPECT_FALSE(page.json["partial"].GetBool());
    EXPECT_TRUE(page.json["partial_reason"].IsNull());
    for (const auto& id : TraceIds(page)) ids.push_back(id);
    page_sizes.push_back(page.json["traces"].Size());
    if (page.json["next_cursor"].IsNull()) break;
    query = std::string("?order=cost_desc&limit=3&cursor=") + page.json["next_cursor"].GetString();
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(ids, (std::vector<std::string>{"01", "03", "02", "04", "06", "05", "07"}));
}

TEST_F(QueryApiTest, EveryTraceOrderIsAccepted) {
  WriteTrace(1, 1 * kSecond, 1, 300);
  WriteTrace(2, 2 * kSecond, 2, 100);
  EXPECT_EQ(TraceIds(SearchTraces("?order=tokens_desc")), (std::vector<std::string>{"01", "02"}));
  EXPECT_EQ(TraceIds(SearchTraces("?order=duration_desc")), (std::vector<std::string>{"02", "01"}));
  EXPECT_EQ(TraceIds(SearchTraces("?order=start_time_asc")),
            (std::vector<std::string>{"01", "02"}));
  EXPECT_EQ(TraceIds(SearchTraces("?order=llm_calls_desc")),
            (std::vector<std::string>{"02", "01"}));  // one call each: newer first
}

TEST_F(QueryApiTest, DefaultOrderAnswersAsBefore) {
  WriteTrace(1, 1 * kSecond, 9, 10);
  WriteTrace(2, 2 * kSecond, 1, 10);
  for (const char* query : {"", "?order=start_time_desc"}) {
    Answer answer = SearchTraces(query);
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(TraceIds(answer), (std::vector<std::string>{"02", "01"})) << query;
    EXPECT_FALSE(answer.json.HasMember("order")) << query;
    EXPECT_FALSE(answer.json.HasMember("partial")) << query;
  }
}

TEST_F(QueryApiTest, UnknownOrderIsABadRequestListingTheChoices) {
  Answer answer = SearchTraces("?order=price_desc");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorMessage(answer),
            "parameter 'order': must be one of start_time_desc, start_time_asc, duration_desc, "
            "cost_desc, tokens_desc, llm_calls_desc, got 'price_desc'");

  // Spans have no call counts nor an ascending order.
  answer = SearchSpans("?order=llm_calls_desc");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorMessage(answer),
            "parameter 'order': must be one of start_time_desc, duration_desc, cost_desc, "
            "tokens_desc, got 'llm_calls_desc'");
}

TEST_F(QueryApiTest, ACursorOfAnotherOrderIsABadRequest) {
  for (uint8_t n = 1; n <= 3; ++n) WriteTrace(n, n * kSecond, n, n);
  Answer first = SearchTraces("?order=cost_desc&limit=1");
  ASSERT_EQ(first.status, 200);
  std::string cursor = first.json["next_cursor"].GetString();
  Answer other = SearchTraces("?order=tokens_desc&cursor=" + cursor);
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(ErrorMessage(other).find("another order"), std::string::npos);
  EXPECT_EQ(SearchTraces("?cursor=" + cursor).status, 400);
}

TEST_F(QueryApiTest, SpansByDuration) {
  for (uint8_t n = 1; n <= 3; ++n) WriteTrace(n, n * kSecond, 0, 0);
  Answer answer = SearchSpans("?order=duration_desc&limit=2");
  ASSERT_EQ(answer.status, 200);
  ASSERT_EQ(answer.json["spans"].Size(), 2u);
  EXPECT_EQ(answer.json["spans"][0]["duration_ns"].GetUint64(), 3000u);
  EXPECT_EQ(answer.json["spans"][1]["duration_ns"].GetUint64(), 2000u);
  EXPECT_FALSE(answer.json["next_cursor"].IsNull());
  EXPECT_STREQ(answer.json["order"].GetString(), "duration_desc");
}

TEST_F(QueryApiTest, RenormalizeReportsWhatChanged) {
  WriteTrace(1, 1 * kSecond, 0, 0);  // a plain span: recomputed, it has no LLM call
  model::TraceId id{};
  id[0] = 1;
  id[15] = 1;
  Answer answer =
      Call(&QueryApi::Renormalize, http::verb::post, "/api/v1/admin/renormalize?start=0");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.json["traces_examined"].GetUint64(), 1u);
  EXPECT_EQ(answer.json["traces_changed"].GetUint64(), 1u);
  EXPECT_GE(answer.json["normalizer_version"].GetUint(), 1u);
  EXPECT_EQ(answer.json["llm_calls_before"].GetUint64(), 1u);
  EXPECT_EQ(answer.json["llm_calls_after"].GetUint64(), 0u);
  EXPECT_EQ(answer.json["total_tokens_before"].GetInt64(), 0);
  EXPECT_EQ(answer.json["total_tokens_after"].GetInt64(), 0);
  EXPECT_EQ(answer.json["cost_before_nanos_usd"].GetInt64(), 0);
  EXPECT_EQ(answer.json["cost_after_nanos_usd"].GetInt64(), 0);
  auto summary = store_->GetTraceSummary("p", id);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->llm.llm_calls, 0u);

  // Reprice answers with the same report.
  answer = Call(&QueryApi::Reprice, http::verb::post, "/api/v1/admin/reprice?start=0");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.json["traces_changed"].GetUint64(), 0u);
  EXPECT_TRUE(answer.json.HasMember("cost_after_nanos_usd"));
  EXPECT_TRUE(answer.json.HasMember("normalizer_version"));

  answer = Call(&QueryApi::Renormalize, http::verb::post, "/api/v1/admin/renormalize");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(ErrorMessage(answer).find("'since'"), std::string::npos);
}

}  // namespace
}  // namespace tokenscope::server
