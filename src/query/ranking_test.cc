#include "query/ranking.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::query {
namespace {

RankKey Key(uint64_t primary, uint64_t start, uint8_t trace, uint8_t span = 0) {
  RankKey key;
  key.primary = primary;
  key.start_unix_nano = start;
  key.trace_id[15] = trace;
  key.span_id[7] = span;
  return key;
}

TEST(RankingTest, LargerValueThenLaterStartThenSmallerIds) {
  EXPECT_TRUE(RanksBefore(Key(2, 0, 9), Key(1, 99, 0)));
  EXPECT_TRUE(RanksBefore(Key(1, 50, 9), Key(1, 40, 0)));
  EXPECT_TRUE(RanksBefore(Key(1, 50, 3), Key(1, 50, 4)));
  EXPECT_TRUE(RanksBefore(Key(1, 50, 3, 1), Key(1, 50, 3, 2)));
  EXPECT_FALSE(RanksBefore(Key(1, 50, 3, 1), Key(1, 50, 3, 1)));  // strict
}

TEST(RankingTest, TraceKeysFollowTheOrder) {
  model::TraceSummary cheap, dear;
  cheap.start_time_unix_nano = 200;
  cheap.end_time_unix_nano = 900;
  cheap.llm.cost_nanos = 10;
  cheap.llm.total_tokens = 5000;
  cheap.llm.llm_calls = 7;
  dear.start_time_unix_nano = 100;
  dear.end_time_unix_nano = 300;
  dear.llm.cost_nanos = 20;
  dear.llm.total_tokens = 100;
  dear.llm.llm_calls = 1;
  auto first = [&](SearchOrder order) {
    return RanksBefore(TraceRankKey(order, cheap), TraceRankKey(order, dear)) ? "cheap" : "dear";
  };
  EXPECT_STREQ(first(SearchOrder::kCostDesc), "dear");
  EXPECT_STREQ(first(SearchOrder::kTokensDesc), "cheap");
  EXPECT_STREQ(first(SearchOrder::kLlmCallsDesc), "cheap");
  EXPECT_STREQ(first(SearchOrder::kDurationDesc), "cheap");  // 700ns against 200ns
  EXPECT_STREQ(first(SearchOrder::kStartTimeAsc), "dear");
  EXPECT_STREQ(first(SearchOrder::kStartTimeDesc), "cheap");
}

TEST(RankingTest, NegativeCostsRankBelowZero) {
  model::TraceSummary zero, negative;
  negative.llm.cost_nanos = -5;
  EXPECT_TRUE(RanksBefore(TraceRankKey(SearchOrder::kCostDesc, zero),
                          TraceRankKey(SearchOrder::kCostDesc, negative)));
}

TEST(RankingTest, SpanKeysUseThePricedLlmSection) {
  store::SpanSummary s;
  s.duration_ns = 42;
  model::LlmInfo llm;
  llm.usage.total_tokens = 1200;
  llm.cost = model::Cost{};
  llm.cost->total_nanos = 4'500'000;
  EXPECT_EQ(SpanRankKey(SearchOrder::kCostDesc, s, &llm).primary,
            SpanRankKey(SearchOrder::kCostDesc, s, nullptr).primary + 4'500'000);
  EXPECT_EQ(SpanRankKey(SearchOrder::kTokensDesc, s, &llm).primary,
            SpanRankKey(SearchOrder::kTokensDesc, s, nullptr).primary + 1200);
  EXPECT_EQ(SpanRankKey(SearchOrder::kDurationDesc, s, nullptr).primary, 42u);
  EXPECT_TRUE(SpanOrderNeedsLlm(SearchOrder::kCostDesc));
  EXPECT_FALSE(SpanOrderNeedsLlm(SearchOrder::kDurationDesc));
}

TEST(TopRankedTest, KeepsTheBestAfterThePageStart) {
  TopRanked<std::string> top(3, std::nullopt);
  for (uint8_t i = 0; i < 10; ++i) top.Offer(Key(i % 5, i, i), std::to_string(i));
  EXPECT_TRUE(top.has_more());
  auto best = top.TakeBestFirst();
  ASSERT_EQ(best.size(), 3u);
  // Values 4 (i = 9, 4), then 3 (i = 8, 3): later start first.
  EXPECT_EQ(best[0].second, "9");
  EXPECT_EQ(best[1].second, "4");
  EXPECT_EQ(best[2].second, "8");

  TopRanked<std::string> next(3, best.back().first);
  for (uint8_t i = 0; i < 10; ++i) next.Offer(Key(i % 5, i, i), std::to_string(i));
  auto page2 = next.TakeBestFirst();
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_EQ(page2[0].second, "3");
  EXPECT_EQ(page2[1].second, "7");
  EXPECT_EQ(page2[2].second, "2");
  EXPECT_TRUE(next.has_more());
}

TEST(TopRankedTest, NoMoreWhenEverythingFits) {
  TopRanked<int> top(5, std::nullopt);
  for (int i = 0; i < 5; ++i) top.Offer(Key(static_cast<uint64_t>(i), 0, 0), i);
  EXPECT_FALSE(top.has_more());
  EXPECT_EQ(top.TakeBestFirst().front().second, 4);
}

}  // namespace
}  // namespace tokenscope::query
