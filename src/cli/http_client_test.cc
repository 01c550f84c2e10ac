#include "cli/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include "cli/test_http_server.h"

namespace tokenscope::cli {
namespace {

using ::testing::HasSubstr;

Endpoint LocalEndpoint(uint16_t port, std::string base_path = "") {
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.base_path = std::move(base_path);
  return endpoint;
}

TEST(HttpClientTest, GetsBodyAndStatus) {
  TestHttpServer server({200, R"({"services":["a"]})"});
  StatusOr<HttpResponse> response = HttpGet(LocalEndpoint(server.port()), "/api/v1/services");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->ok());
  EXPECT_EQ(response->body, R"({"services":["a"]})");
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/services"});
}

TEST(HttpClientTest, ErrorStatusIsAResponseNotAFailure) {
  TestHttpServer server({404, R"({"error":{"code":"not_found","message":"no such trace"}})"});
  StatusOr<HttpResponse> response = HttpGet(LocalEndpoint(server.port()), "/x");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_FALSE(response->ok());
}

TEST(HttpClientTest, PrependsBasePath) {
  TestHttpServer server({200, "{}"});
  ASSERT_TRUE(HttpGet(LocalEndpoint(server.port(), "/prefix"), "/api/v1/traces?limit=1").ok());
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/prefix/api/v1/traces?limit=1"});
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = 0;
  {
    // A port that was just free and has nothing listening on it.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  StatusOr<HttpResponse> response = HttpGet(LocalEndpoint(port), "/healthz");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("cannot connect to http://127.0.0.1:"));
}

TEST(HttpClientTest, UnresolvableHostIsUnavailable) {
  Endpoint endpoint;
  endpoint.host = "no-such-host.invalid";
  endpoint.port = 4318;
  StatusOr<HttpResponse> response = HttpGet(endpoint, "/healthz");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
}

TEST(HttpClientTest, SilentServerTimesOut) {
  TestHttpServer server({200, "", /*silent=*/true});
  HttpRequestOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto started = std::chrono::steady_clock::now();
  StatusOr<HttpResponse> response = HttpGet(LocalEndpoint(server.port()), "/x", options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClientTest, OversizedResponseIsAnError) {
  TestHttpServer server({200, std::string(4096, 'x')});
  HttpRequestOptions options;
  options.max_response_bytes = 1024;
  StatusOr<HttpResponse> response = HttpGet(LocalEndpoint(server.port()), "/x", options);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace tokenscope::cli
