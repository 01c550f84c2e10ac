#include "cli/url.h"

#include <gtest/gtest.h>

namespace tokenscope::cli {
namespace {

TEST(UrlTest, ParsesEndpoints) {
  StatusOr<Endpoint> endpoint = ParseEndpoint("http://127.0.0.1:4318");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 4318);
  EXPECT_EQ(endpoint->base_path, "");
  EXPECT_EQ(endpoint->ToString(), "http://127.0.0.1:4318");

  endpoint = ParseEndpoint("http://example.com/tokenscope/");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "example.com");
  EXPECT_EQ(endpoint->port, 80);
  EXPECT_EQ(endpoint->base_path, "/tokenscope");
  EXPECT_EQ(endpoint->HostHeader(), "example.com:80");

  endpoint = ParseEndpoint("localhost:9000");  // scheme defaults to http
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "localhost");
  EXPECT_EQ(endpoint->port, 9000);

  endpoint = ParseEndpoint("http://[::1]:4318");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->HostHeader(), "[::1]:4318");
}

TEST(UrlTest, RejectsUnsupportedEndpoints) {
  for (std::string_view bad :
       {"https://127.0.0.1:4318", "ftp://x", "http://", "http://:4318", "http://h:0",
        "http://h:65536", "http://h:port", "http://user@h:1", "http://h:1/?q=1", "http://[::1"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
  EXPECT_NE(ParseEndpoint("https://h").status().message().find("https is not supported"),
            std::string::npos);
}

TEST(UrlTest, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/e?f#g%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");
  EXPECT_EQ(PercentEncode(std::string_view("\0", 1)), "%00");
}

TEST(UrlTest, BuildsQueryStrings) {
  EXPECT_EQ(BuildQueryString({}), "");
  EXPECT_EQ(BuildQueryString({{"service", "rag api"}, {"attr.gen_ai.system", "a=b"}}),
            "?service=rag%20api&attr.gen_ai.system=a%3Db");
}

}  // namespace
}  // namespace tokenscope::cli
