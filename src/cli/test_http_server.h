// TestHttpServer: a one-thread HTTP/1.1 server on 127.0.0.1 for client tests. It answers every
// request with a canned response and records the request targets. In "silent" mode it reads
// requests but never answers, to exercise client timeouts. Owns its thread; the accessors are
// safe to call from the test thread while it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tokenscope::cli {

class TestHttpServer {
 public:
  struct CannedResponse {
    int status = 200;
    std::string body;
    bool silent = false;
  };

  explicit TestHttpServer(CannedResponse response)
      : response_(std::move(response)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestHttpServer() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket wake(ioc);
    boost::system::error_code ignored;
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<std::string> targets() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return targets_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        targets_.emplace_back(request.target());
      }
      if (response_.silent) {
        while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return;
      }
      http::response<http::string_body> response(static_cast<http::status>(response_.status), 11);
      response.set(http::field::content_type, "application/json");
      response.body() = response_.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  CannedResponse response_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

}  // namespace tokenscope::cli
