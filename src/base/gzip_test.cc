#include "base/gzip.h"

#include <gtest/gtest.h>

namespace tokenscope {
namespace {

TEST(GzipTest, RoundTrip) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "span " + std::to_string(i) + "\n";
  auto out = GzipDecompress(GzipCompress(data), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, data);
}

TEST(GzipTest, EmptyInputRoundTrips) {
  auto out = GzipDecompress(GzipCompress(""), 10);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "");
}

TEST(GzipTest, BombIsBounded) {
  std::string zeros(64 << 20, '\0');
  std::string bomb = GzipCompress(zeros, 9);
  EXPECT_LT(bomb.size(), 1u << 20);
  auto out = GzipDecompress(bomb, 1 << 20);
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
}

TEST(GzipTest, ExactLimitIsAllowed) {
  std::string data(1000, 'x');
  EXPECT_TRUE(GzipDecompress(GzipCompress(data), 1000).ok());
  EXPECT_FALSE(GzipDecompress(GzipCompress(data), 999).ok());
}

TEST(GzipTest, CorruptAndTruncated) {
  std::string good = GzipCompress("hello hello hello hello");
  EXPECT_EQ(GzipDecompress("not gzip at all", 1000).status().code(), StatusCode::kInvalidArgument);
  for (size_t n = 0; n < good.size(); ++n) {
    auto out = GzipDecompress(good.substr(0, n), 1000);
    EXPECT_FALSE(out.ok()) << n;
  }
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x55;
  EXPECT_FALSE(GzipDecompress(flipped, 1000).ok());
}

}  // namespace
}  // namespace tokenscope
