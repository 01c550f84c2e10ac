#include "base/duration.h"

#include <gtest/gtest.h>

namespace tokenscope {
namespace {

TEST(DurationTest, Units) {
  EXPECT_EQ(ParseDurationNanos("250ms"), 250'000'000u);
  EXPECT_EQ(ParseDurationNanos("2s"), 2'000'000'000u);
  EXPECT_EQ(ParseDurationNanos("1.5m"), 90'000'000'000u);
  EXPECT_EQ(ParseDurationNanos("2h"), 7'200'000'000'000u);
  EXPECT_EQ(ParseDurationNanos("7d"), 604'800'000'000'000u);
  EXPECT_EQ(ParseDurationNanos("800us"), 800'000u);
  EXPECT_EQ(ParseDurationNanos("100ns"), 100u);
  EXPECT_EQ(ParseDurationNanos("12345"), 12345u);
}

TEST(DurationTest, NamedDurations) {
  auto parsed = ParseNamedDurations(" alpha=7d, beta = 0 ,gamma=1h");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->size(), 3u);
  EXPECT_EQ(parsed->at("alpha"), 7 * 86400'000'000'000ULL);
  EXPECT_EQ(parsed->at("beta"), 0u);
  EXPECT_EQ(parsed->at("gamma"), 3600'000'000'000ULL);
  EXPECT_TRUE(ParseNamedDurations("").ok());
  EXPECT_TRUE(ParseNamedDurations("  ")->empty());
  for (const char* bad : {"alpha", "alpha=", "=7d", "alpha=7x", "a=1d,,b=2d", "a=1d,a=2d"}) {
    EXPECT_FALSE(ParseNamedDurations(bad).ok()) << bad;
  }
  EXPECT_NE(ParseNamedDurations("a=1d, b=soon").status().message().find("b=soon"),
            std::string::npos);
}

TEST(DurationTest, Rejects) {
  for (const char* bad : {"", "ms", "-1s", "1x", "1.2.3s", "s1", "1e3", "99999999999999999999"}) {
    EXPECT_FALSE(ParseDurationNanos(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tokenscope
