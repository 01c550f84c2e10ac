#include "base/json_escape.h"

#include <gtest/gtest.h>

namespace tokenscope {
namespace {

TEST(JsonEscapeTest, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
  EXPECT_EQ(JsonEscape("\t\r"), "\\t\\r");
  EXPECT_EQ(JsonEscape("héllo ✓"), "héllo ✓");
  EXPECT_EQ(JsonEscape(""), "");
}

}  // namespace
}  // namespace tokenscope
