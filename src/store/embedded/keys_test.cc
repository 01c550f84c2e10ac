#include "store/embedded/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tokenscope::store::embedded {
namespace {

model::TraceId Trace(uint8_t first, uint8_t last = 0) {
  model::TraceId id{};
  id[0] = first;
  id[15] = last;
  return id;
}

model::SpanId Span(uint8_t first, uint8_t last = 0) {
  model::SpanId id{};
  id[0] = first;
  id[7] = last;
  return id;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(KeysTest, SpanTimeKeysSortNewestFirst) {
  const std::vector<uint64_t> starts = {
      0, 1, 255, 256, 1'000'000'000, 1763000000000000000ULL, UINT64_MAX - 1, UINT64_MAX};
  for (size_t i = 0; i + 1 < starts.size(); ++i) {
    const std::string older = SpanTimeKey("p", starts[i], Trace(1), Span(1));
    const std::string newer = SpanTimeKey("p", starts[i + 1], Trace(1), Span(1));
    EXPECT_LT(newer, older) << starts[i] << " vs " << starts[i + 1];
  }
}

TEST(KeysTest, TiesSortByTraceThenSpanDescending) {
  const uint64_t t = 1763000000000000000ULL;
  std::vector<std::string> keys = {
      SpanTimeKey("p", t, Trace(1), Span(9)),    SpanTimeKey("p", t, Trace(2), Span(0)),
      SpanTimeKey("p", t, Trace(1, 1), Span(0)), SpanTimeKey("p", t, Trace(1), Span(1)),
      SpanTimeKey("p", t, Trace(1), Span(1, 1)),
  };
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys[0], SpanTimeKey("p", t, Trace(2), Span(0)));
  EXPECT_EQ(keys[1], SpanTimeKey("p", t, Trace(1, 1), Span(0)));
  EXPECT_EQ(keys[2], SpanTimeKey("p", t, Trace(1), Span(9)));
  EXPECT_EQ(keys[3], SpanTimeKey("p", t, Trace(1), Span(1, 1)));
  EXPECT_EQ(keys[4], SpanTimeKey("p", t, Trace(1), Span(1)));
}

TEST(KeysTest, TimeOrderSuffixRoundTrips) {
  model::TraceId trace = Trace(0xab, 0xcd);
  model::SpanId span = Span(0x01, 0xff);
  const std::string suffix = TimeOrderSuffix(1763000000123456789ULL, trace, span);
  ASSERT_EQ(suffix.size(), kTimeOrderSuffixSize);
  uint64_t start = 0;
  model::TraceId trace_out{};
  model::SpanId span_out{};
  ASSERT_TRUE(ParseTimeOrderSuffix(suffix, &start, &trace_out, &span_out));
  EXPECT_EQ(start, 1763000000123456789ULL);
  EXPECT_EQ(trace_out, trace);
  EXPECT_EQ(span_out, span);
  EXPECT_FALSE(ParseTimeOrderSuffix(suffix.substr(1), &start, &trace_out, &span_out));
  EXPECT_EQ(SpanTimeKey("p", 1763000000123456789ULL, trace, span), ProjectPrefix("p") + suffix);
}

TEST(KeysTest, SeekSuffixPrecedesEveryKeyOfThatStart) {
  const uint64_t t = 500;
  const std::string seek = ProjectPrefix("p") + TimeOrderSeekSuffix(t);
  model::TraceId max_trace;
  max_trace.fill(0xff);
  model::SpanId max_span;
  max_span.fill(0xff);
  EXPECT_LE(seek, SpanTimeKey("p", t, max_trace, max_span));
  EXPECT_LE(seek, SpanTimeKey("p", t, Trace(0), Span(0)));
  EXPECT_GT(seek, SpanTimeKey("p", t + 1, Trace(0), Span(0)));
}

TEST(KeysTest, ProjectPrefixesNeverCollide) {
  const std::vector<std::string> projects = {
      "",
      "a",
      std::string("a\0b", 3),
      std::string("a\0", 2),
      "ab",
      std::string(200, 'x'),
      std::string(200, 'x') + "y",
      std::string(1, '\x01'),
      std::string(1, '\xff'),
  };
  for (const auto& p : projects) {
    for (const auto& q : projects) {
      if (p == q) continue;
      // No key of project q may fall in a prefix scan of project p.
      EXPECT_FALSE(StartsWith(ProjectPrefix(q), ProjectPrefix(p)));
      EXPECT_FALSE(StartsWith(SpanKey(q, Trace(1), Span(1)), TraceSpansPrefix(p, Trace(1))));
      EXPECT_FALSE(StartsWith(SpanTimeKey(q, 7, Trace(1), Span(1)), ProjectPrefix(p)));
      EXPECT_FALSE(StartsWith(ServiceKey(q, "svc"), ProjectPrefix(p)));
      EXPECT_NE(TraceSummaryKey(p, Trace(1)), TraceSummaryKey(q, Trace(1)));
    }
  }
}

TEST(KeysTest, ProjectWithNulCannotImpersonateAnotherProjectsTrace) {
  // With a plain \0 terminator, project "a" + trace id starting "b\0..." could alias
  // project "a\0b"; the length prefix makes that impossible.
  model::TraceId trace{};
  trace[0] = 'b';
  const std::string a = SpanKey("a", trace, Span(1));
  const std::string ab = SpanKey(std::string("a\0b", 3), Trace(0), Span(1));
  EXPECT_FALSE(StartsWith(ab, TraceSpansPrefix("a", trace)));
  EXPECT_FALSE(StartsWith(a, ProjectPrefix(std::string("a\0b", 3))));
}

TEST(KeysTest, IndexValuesNeverCollide) {
  const std::string a = IndexKey("p", IndexedField::kName, "a", 5, Trace(1), Span(1));
  EXPECT_FALSE(StartsWith(a, IndexPrefix("p", IndexedField::kName, std::string("a\0", 2))));
  EXPECT_FALSE(StartsWith(a, IndexPrefix("p", IndexedField::kName, "")));
  EXPECT_FALSE(StartsWith(a, IndexPrefix("p", IndexedField::kService, "a")));
  const std::string ab = IndexKey("p", IndexedField::kName, "ab", 5, Trace(1), Span(1));
  EXPECT_FALSE(StartsWith(ab, IndexPrefix("p", IndexedField::kName, "a")));
  EXPECT_TRUE(StartsWith(a, IndexPrefix("p", IndexedField::kName, "a")));
}

TEST(KeysTest, IndexKeysOfOneValueSortNewestFirst) {
  const std::string older = IndexKey("p", IndexedField::kService, "svc", 10, Trace(1), Span(1));
  const std::string newer = IndexKey("p", IndexedField::kService, "svc", 11, Trace(1), Span(1));
  EXPECT_LT(newer, older);
  EXPECT_EQ(older.substr(older.size() - kTimeOrderSuffixSize),
            TimeOrderSuffix(10, Trace(1), Span(1)));
}

TEST(KeysTest, ServiceKeysSortByName) {
  EXPECT_LT(ServiceKey("p", "alpha"), ServiceKey("p", "beta"));
  EXPECT_LT(ServiceKey("p", "a"), ServiceKey("p", "ab"));
}

TEST(KeysTest, HashKeysAreBigEndian) {
  EXPECT_EQ(HashKey(0x0102030405060708ULL), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_LT(HashKey(1), HashKey(256));
}

TEST(KeysTest, PrefixSuccessorBoundsThePrefix) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
  const std::string prefix = ProjectPrefix("p");
  const std::string upper = PrefixSuccessor(prefix);
  model::TraceId max_trace;
  max_trace.fill(0xff);
  EXPECT_LT(SpanKey("p", max_trace, Span(0xff, 0xff)), upper);
  EXPECT_GT(upper, prefix);
}

}  // namespace
}  // namespace tokenscope::store::embedded
