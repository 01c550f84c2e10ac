#include "query/cursor.h"

#include <gtest/gtest.h>

namespace tokenscope::query {
namespace {

TEST(CursorTest, RoundTrip) {
  SearchCursor c;
  c.start_unix_nano = 1763000000123456789ull;
  c.trace_id[0] = 0xfe;
  c.span_id[7] = 0x42;
  c.scan_token = std::string("\x00\x01\xff tok", 7);
  std::string text = c.Encode();
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << "must be URL-safe: " << text;
  auto back = SearchCursor::Decode(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->start_unix_nano, c.start_unix_nano);
  EXPECT_EQ(back->trace_id, c.trace_id);
  EXPECT_EQ(back->span_id, c.span_id);
  EXPECT_EQ(back->scan_token, c.scan_token);
}

TEST(CursorTest, RejectsForeignText) {
  EXPECT_FALSE(SearchCursor::Decode("").ok());
  EXPECT_FALSE(SearchCursor::Decode("not a cursor!").ok());
  EXPECT_FALSE(SearchCursor::Decode("AAAA").ok());
}

TEST(CursorTest, ExaminedOrder) {
  SearchCursor c;
  c.start_unix_nano = 100;
  c.trace_id[0] = 5;
  model::TraceId lower{}, higher{};
  lower[0] = 4;
  higher[0] = 6;
  model::SpanId s{};
  EXPECT_TRUE(c.WasExamined(101, higher, s));              // newer: scanned earlier
  EXPECT_FALSE(c.WasExamined(99, lower, s));               // older: not yet
  EXPECT_TRUE(c.WasExamined(100, lower, s));               // same time, earlier in tie order
  EXPECT_TRUE(c.WasExamined(100, c.trace_id, c.span_id));  // the cursor span itself
  EXPECT_FALSE(c.WasExamined(100, higher, s));
}

TEST(RankCursorTest, RoundTrip) {
  RankCursor c;
  c.order = SearchOrder::kCostDesc;
  c.last.primary = 0x8000000000001234ull;
  c.last.start_unix_nano = 1763000000123456789ull;
  c.last.trace_id[15] = 0x7f;
  c.last.span_id[0] = 0x01;
  std::string text = c.Encode();
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << "must be URL-safe: " << text;
  auto back = RankCursor::Decode(text, SearchOrder::kCostDesc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->last.primary, c.last.primary);
  EXPECT_EQ(back->last.start_unix_nano, c.last.start_unix_nano);
  EXPECT_EQ(back->last.trace_id, c.last.trace_id);
  EXPECT_EQ(back->last.span_id, c.last.span_id);
}

TEST(RankCursorTest, BelongsToOneOrder) {
  RankCursor ranked;
  ranked.order = SearchOrder::kTokensDesc;
  auto other_order = RankCursor::Decode(ranked.Encode(), SearchOrder::kCostDesc);
  EXPECT_EQ(other_order.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other_order.status().message().find("another order"), std::string::npos);

  // Newest-first cursors and ranked cursors are not interchangeable either way.
  EXPECT_FALSE(SearchCursor::Decode(ranked.Encode()).ok());
  SearchCursor scan;
  scan.scan_token = "tok";
  EXPECT_FALSE(RankCursor::Decode(scan.Encode(), SearchOrder::kTokensDesc).ok());
  EXPECT_FALSE(RankCursor::Decode("garbage", SearchOrder::kTokensDesc).ok());
}

}  // namespace
}  // namespace tokenscope::query
