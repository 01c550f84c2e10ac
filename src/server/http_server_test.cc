#include "server/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <future>
#include <mutex>

namespace tokenscope::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// A handler that holds every request until the test opens the gate.
class Gate {
 public:
  HttpResponse Handle(HttpRequest& req) {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return MakeResponse(req, http::status::ok, "done", "text/plain");
  }
  void WaitEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

http::response<http::string_body> Post(const std::string& address, size_t body_bytes) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto colon = address.rfind(':');
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(address.substr(0, colon), address.substr(colon + 1)));
  HttpRequest req{http::verb::post, "/v1/traces", 11};
  req.set(http::field::host, address);
  req.body() = std::string(body_bytes, 'x');
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

TEST(HttpServerTest, AdmissionControlAnswers429WithRetryAfter) {
  Gate gate;
  HttpServer::Options options;
  options.address = "127.0.0.1:0";
  options.max_inflight_bytes = 10'000;
  options.worker_threads = 4;
  HttpServer server(options, [&](HttpRequest& req) { return gate.Handle(req); });
  ASSERT_TRUE(server.Start().ok());

  // The first request is admitted even though it alone is near the budget, and is held.
  auto first = std::async(std::launch::async, [&] { return Post(server.bound_address(), 8000); });
  gate.WaitEntered(1);
  EXPECT_EQ(server.in_flight_bytes(), 8000u);

  // A second one would pass the budget: refused at once, before its body is read.
  auto second = Post(server.bound_address(), 5000);
  EXPECT_EQ(second.result(), http::status::too_many_requests);
  EXPECT_EQ(second[http::field::retry_after], "1");
  EXPECT_EQ(server.throttled_requests(), 1u);

  // A small one still fits.
  auto third = std::async(std::launch::async, [&] { return Post(server.bound_address(), 1000); });
  gate.WaitEntered(2);
  gate.Open();
  EXPECT_EQ(first.get().result(), http::status::ok);
  EXPECT_EQ(third.get().result(), http::status::ok);

  // Everything released: the budget is whole again and a retry goes through.
  EXPECT_EQ(Post(server.bound_address(), 5000).result(), http::status::ok);
  EXPECT_EQ(server.in_flight_bytes(), 0u);
  server.Stop();
}

TEST(HttpServerTest, OversizedBodyIs413) {
  HttpServer::Options options;
  options.address = "127.0.0.1:0";
  options.max_body_bytes = 2048;
  HttpServer server(options, [](HttpRequest& req) {
    return MakeResponse(req, http::status::ok, "ok", "text/plain");
  });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Post(server.bound_address(), 4096).result(), http::status::payload_too_large);
  EXPECT_EQ(Post(server.bound_address(), 1024).result(), http::status::ok);
  EXPECT_EQ(server.in_flight_bytes(), 0u);
}

TEST(HttpServerTest, SplitHostPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(SplitHostPort("[::1]:4318", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 4318);
  EXPECT_FALSE(SplitHostPort("localhost", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("h:70000", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort(":80", &host, &port).ok());
}

}  // namespace
}  // namespace tokenscope::server
