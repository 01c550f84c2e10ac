#include "base/hex.h"

#include <gtest/gtest.h>

namespace tokenscope {
namespace {

TEST(HexTest, RoundTrip) {
  std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  uint8_t out[4];
  ASSERT_TRUE(HexDecode("0001ABff", out));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 4), bytes);
}

TEST(HexTest, RejectsBadInput) {
  uint8_t out[4];
  EXPECT_FALSE(HexDecode("abc", out));
  EXPECT_FALSE(HexDecode("zz", out));
}

}  // namespace
}  // namespace tokenscope
