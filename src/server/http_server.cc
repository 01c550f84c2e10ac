#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <optional>
#include <thread>
#include <vector>

namespace tokenscope::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

Status SplitHostPort(std::string_view address, std::string* host, uint16_t* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= address.size()) {
    return InvalidArgument("address must be HOST:PORT, got '" + std::string(address) + "'");
  }
  std::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string_view p = address.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value > 65535 || h.empty()) {
    return InvalidArgument("address must be HOST:PORT, got '" + std::string(address) + "'");
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

class HttpServer::Impl {
 public:
  Impl(Options options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        ioc_(options_.io_threads),
        acceptor_(net::make_strand(ioc_)),
        workers_(static_cast<size_t>(options_.worker_threads)),
        own_budget_(options_.budget == nullptr
                        ? std::make_unique<InflightBudget>(options_.max_inflight_bytes)
                        : nullptr),
        budget_(options_.budget != nullptr ? options_.budget : own_budget_.get()) {}

  Status Start();
  void Stop();
  std::string bound_address() const { return bound_; }
  size_t in_flight() const { return in_flight_.load(); }
  uint64_t in_flight_bytes() const { return budget_->in_flight(); }
  uint64_t throttled() const { return budget_->refused(); }

  bool Admit(uint64_t bytes) { return budget_->Admit(bytes); }
  void Release(uint64_t bytes) { budget_->Release(bytes); }
  void Adjust(uint64_t reserved, uint64_t actual) { budget_->Adjust(reserved, actual); }

  // Runs `fn` on the worker pool, counting it as in flight until it finishes.
  template <typename Fn>
  void Dispatch(Fn&& fn) {
    in_flight_.fetch_add(1);
    net::post(workers_, [this, fn = std::forward<Fn>(fn)]() mutable {
      fn();
      in_flight_.fetch_sub(1);
    });
  }

  const Options& options() const { return options_; }
  const Handler& handler() const { return handler_; }

 private:
  void Accept();

  Options options_;
  Handler handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::thread_pool workers_;
  std::vector<std::thread> io_threads_;
  std::string bound_;
  std::atomic<size_t> in_flight_{0};
  // The shared budget given in the options, else one of this server's own.
  std::unique_ptr<InflightBudget> own_budget_;
  InflightBudget* budget_;
  bool stopped_ = false;
};

namespace {

// One connection: read a request, hand it to the worker pool, write the answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(server_->options().max_body_bytes);
    stream_.expires_after(server_->options().idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    uint64_t announced = parser_->content_length().value_or(0);
    if (announced > server_->options().max_body_bytes) {
      return OnReadError(http::error::body_limit);
    }
    if (!server_->Admit(announced)) {
      // The body is not read; closing the connection discards it.
      HttpRequest head;
      head.version(req.version());
      head.keep_alive(false);
      HttpResponse res = MakeJsonError(head, http::status::too_many_requests, "overloaded",
                                       "too much data in flight; retry after the delay");
      res.set(http::field::retry_after, "1");
      return Send(std::move(res));
    }
    reserved_ = announced;
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a large body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                          if (wec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    HttpRequest req;
    req.version(11);
    req.keep_alive(false);
    if (ec == http::error::body_limit) {
      Send(MakeJsonError(req, http::status::payload_too_large, "payload_too_large",
                         "request body exceeds the limit of " +
                             std::to_string(server_->options().max_body_bytes) + " bytes"));
    } else {
      Send(MakeJsonError(req, http::status::bad_request, "bad_request",
                         "malformed HTTP request: " + ec.message()));
    }
  }

  void OnRequest(beast::error_code ec) {
    if (ec) {
      server_->Release(std::exchange(reserved_, 0));
      return OnReadError(ec);
    }
    stream_.expires_never();  // the handler may wait on a durable write
    auto request = std::make_shared<HttpRequest>(parser_->release());
    uint64_t held = request->body().size();
    server_->Adjust(std::exchange(reserved_, 0), held);
    server_->Dispatch([self = shared_from_this(), request, held]() mutable {
      HttpResponse response;
      try {
        response = self->server_->handler()(*request);
      } catch (const std::exception& e) {
        // Handlers return errors as responses; this is the last line of defence.
        spdlog::error("http: handler threw: {}", e.what());
        response = MakeJsonError(*request, http::status::internal_server_error, "internal",
                                 "internal error");
      }
      request.reset();  // the body is no longer needed; its bytes leave the budget
      self->server_->Release(held);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Send(std::move(response));
      });
    });
  }

  void Send(HttpResponse response) {
    auto res = std::make_shared<HttpResponse>(std::move(response));
    bool close = !res->keep_alive();
    stream_.expires_after(server_->options().idle_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                        if (ec || close) return self->Close();
                        self->ReadHeader();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl* server_;
  uint64_t reserved_ = 0;  // in-flight budget held for the request being read
};

}  // namespace

Status HttpServer::Impl::Start() {
  std::string host;
  uint16_t port = 0;
  TS_RETURN_IF_ERROR(SplitHostPort(options_.address, &host, &port));
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return InvalidArgument("cannot resolve '" + host + "': " + ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + options_.address + ": " + ec.message());
  }
  tcp::endpoint bound = acceptor_.local_endpoint();
  bound_ = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                   : bound.address().to_string();
  bound_ += ":" + std::to_string(bound.port());
  Accept();
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] { ioc_.run(); });
  }
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      spdlog::warn("http: accept failed: {}", ec.message());
    } else {
      s.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(s), this)->Run();
    }
    Accept();
  });
}

void HttpServer::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  // Let requests in flight finish and their answers be written.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ioc_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  workers_.join();
}

HttpServer::HttpServer(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() {
  Stop();
}
Status HttpServer::Start() {
  return impl_->Start();
}
std::string HttpServer::bound_address() const {
  return impl_->bound_address();
}
void HttpServer::Stop() {
  impl_->Stop();
}
size_t HttpServer::in_flight() const {
  return impl_->in_flight();
}
uint64_t HttpServer::in_flight_bytes() const {
  return impl_->in_flight_bytes();
}
uint64_t HttpServer::throttled_requests() const {
  return impl_->throttled();
}

}  // namespace tokenscope::server
