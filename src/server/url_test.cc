#include "server/url.h"

#include <gtest/gtest.h>

namespace tokenscope::server {
namespace {

TEST(UrlTest, PathAndParams) {
  auto t = ParseTarget("/api/v1/traces?service=rag%20api&attr.team=search+infra&limit=5&x");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/api/v1/traces");
  EXPECT_EQ(t->Param("service"), "rag api");
  EXPECT_EQ(t->Param("attr.team"), "search infra");
  EXPECT_EQ(t->Param("limit"), "5");
  EXPECT_EQ(t->Param("x"), "");
  EXPECT_FALSE(t->Param("missing").has_value());
}

TEST(UrlTest, RepeatsKeptInOrder) {
  auto t = ParseTarget("/p?a=1&a=2");
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->params.size(), 2u);
  EXPECT_EQ(t->params[1].second, "2");
  EXPECT_EQ(t->Param("a"), "1");
}

TEST(UrlTest, MalformedEscapes) {
  EXPECT_FALSE(ParseTarget("/p?a=%").has_value());
  EXPECT_FALSE(ParseTarget("/p?a=%4").has_value());
  EXPECT_FALSE(ParseTarget("/p?a=%zz").has_value());
  EXPECT_FALSE(ParseTarget("/%g0").has_value());
}

}  // namespace
}  // namespace tokenscope::server
