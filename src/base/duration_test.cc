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

TEST(DurationTest, Rejects) {
  for (const char* bad : {"", "ms", "-1s", "1x", "1.2.3s", "s1", "1e3", "99999999999999999999"}) {
    EXPECT_FALSE(ParseDurationNanos(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tokenscope
