#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <openssl/ssl.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>
#include <thread>
#include <vector>

namespace tokenscope::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
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

bool IsLoopbackAddress(std::string_view address) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(address, &host, &port).ok()) return false;
  if (host == "localhost" || host == "::1") return true;
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(host, ec);
  return !ec && ip.is_loopback();
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
  bool Grow(uint64_t held, uint64_t more) { return budget_->Grow(held, more); }
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
  // The server's TLS settings; only called when TLS is configured.
  ssl::context& tls_context() { return *tls_context_; }

 private:
  Status ConfigureTls();
  void Accept();

  Options options_;
  Handler handler_;
  // Declared before the io_context so that it outlives every connection's TLS stream.
  std::optional<ssl::context> tls_context_;
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

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// How long a TLS connection waits for the peer's close_notify before the socket is closed.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(5);
// How long a closing connection keeps reading (and discarding) what the client still sends.
constexpr auto kLingerTimeout = std::chrono::seconds(2);

// The peer went away or stopped talking; there is nobody to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == beast::error::timeout ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::eof || ec == ssl::error::stream_truncated;
}

// A broken TLS record: the session cannot carry an answer any more.
bool IsTlsError(const beast::error_code& ec) {
  return ec.category() == net::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

// One connection: read a request, hand it to the worker pool, write the answer, repeat.
// `Stream` is PlainStream or TlsStream; a TLS connection first detects and completes the
// handshake, then runs the same request loop. Every step runs on the connection's strand.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(MakeStream(std::move(socket), server)), server_(server) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = Self()] {
      if constexpr (kTls) {
        self->DetectTls();
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, HttpServer::Impl* server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), server->tls_context());
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> Self() { return this->shared_from_this(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // TLS only: peeks at the first bytes so that a plaintext request can be told apart from a
  // ClientHello; the bytes read stay in buffer_ and are fed to the handshake.
  void DetectTls() {
    Tcp().expires_after(server_->options().handshake_timeout);
    beast::async_detect_ssl(Tcp(), buffer_, [self = Self()](beast::error_code ec, bool is_tls) {
      self->OnDetected(ec, is_tls);
    });
  }

  void OnDetected(beast::error_code ec, bool is_tls) {
    if (ec) return CloseSocket();
    if (!is_tls) return RefusePlaintext();
    if constexpr (kTls) {
      stream_.async_handshake(
          ssl::stream_base::server, buffer_.data(),
          [self = Self()](beast::error_code hec, size_t used) { self->OnHandshake(hec, used); });
    }
  }

  void OnHandshake(beast::error_code ec, size_t used) {
    if (ec) {
      // Untrusted certificates, protocol mismatches and scanners end here; not worth a warning.
      spdlog::debug("http: TLS handshake failed: {}", ec.message());
      return CloseSocket();
    }
    buffer_.consume(used);
    tls_established_ = true;
    ReadHeader();
  }

  // A plaintext request on the HTTPS port (an exporter configured with http://): answered in
  // plaintext so that the client sees why, then closed.
  void RefusePlaintext() {
    HttpRequest head;
    head.version(11);
    head.keep_alive(false);
    auto res = std::make_shared<HttpResponse>(
        MakeJsonError(head, http::status::bad_request, "tls_required",
                      "this port speaks HTTPS only; use an https:// URL"));
    Tcp().expires_after(server_->options().handshake_timeout);
    http::async_write(Tcp(), *res,
                      [self = Self(), res](beast::error_code, size_t) { self->CloseSocket(); });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(server_->options().max_body_bytes);
    Tcp().expires_after(server_->options().idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
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
      return RefuseOverloaded(req.version());
    }
    reserved_ = announced;
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a large body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont, [self = Self(), cont](beast::error_code wec, size_t) {
        if (wec) {
          self->server_->Release(std::exchange(self->reserved_, 0));
          return self->Close();
        }
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  // 429 with Retry-After, then the connection is closed (discarding any unread body).
  void RefuseOverloaded(unsigned version) {
    HttpRequest head;
    head.version(version);
    head.keep_alive(false);
    HttpResponse res = MakeJsonError(head, http::status::too_many_requests, "overloaded",
                                     "too much data in flight; retry after the delay");
    res.set(http::field::retry_after, "1");
    Send(std::move(res));
  }

  void ReadBody() {
    if (parser_->chunked()) return ReadChunkedBody();
    http::async_read(stream_, buffer_, *parser_,
                     [self = Self()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  // A chunked body announces no length, so it was admitted with 0 bytes: it is read piece by
  // piece and each piece is admitted as it arrives. (Read whole, every chunked request passed
  // admission and could then hold up to max_body_bytes: 40 concurrent ones of 32 MiB took the
  // server to 1.2 GiB under a 2 MiB budget.)
  void ReadChunkedBody() {
    http::async_read_some(
        stream_, buffer_, *parser_,
        [self = Self()](beast::error_code ec, size_t) { self->OnChunkedBodyPart(ec); });
  }

  void OnChunkedBodyPart(beast::error_code ec) {
    if (!ec) {
      const uint64_t held = parser_->get().body().size();
      if (held > reserved_) {
        if (!server_->Grow(reserved_, held - reserved_)) {
          server_->Release(std::exchange(reserved_, 0));
          return RefuseOverloaded(parser_->get().version());
        }
        reserved_ = held;
      }
      if (!parser_->is_done()) return ReadChunkedBody();
    }
    OnRequest(ec);
  }

  void OnReadError(beast::error_code ec) {
    if (IsDisconnect(ec) || IsTlsError(ec)) return Close();
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
    Tcp().expires_never();  // the handler may wait on a durable write
    auto request = std::make_shared<HttpRequest>(parser_->release());
    uint64_t held = request->body().size();
    server_->Adjust(std::exchange(reserved_, 0), held);
    server_->Dispatch([self = Self(), request, held]() mutable {
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
    Tcp().expires_after(server_->options().idle_timeout);
    http::async_write(stream_, *res, [self = Self(), res, close](beast::error_code ec, size_t) {
      if (ec || close) return self->Close();
      self->ReadHeader();
    });
  }

  // Ends the connection; a TLS session first says close_notify (bounded by a timeout).
  void Close() {
    if constexpr (kTls) {
      if (tls_established_) {
        tls_established_ = false;
        Tcp().expires_after(kTlsShutdownTimeout);
        stream_.async_shutdown([self = Self()](beast::error_code) { self->CloseSocket(); });
        return;
      }
    }
    CloseSocket();
  }

  // A lingering close: stop sending, then read and discard what the client still sends (a
  // refused request's body, typically) until it closes or a short deadline passes. Closing at
  // once would answer the client's pending bytes with a reset, which can destroy the 429 or 413
  // it has not read yet; the client would see a broken pipe instead of "retry after 1 s".
  void CloseSocket() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    Tcp().async_read_some(net::buffer(drain_buffer_),
                          [self = Self()](beast::error_code ec, size_t) {
                            if (ec) return self->Tcp().close();
                            self->Drain();
                          });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl* server_;
  uint64_t reserved_ = 0;                // in-flight budget held for the request being read
  std::array<char, 4096> drain_buffer_;  // discarded bytes of a lingering close
  bool tls_established_ = false;         // TLS only: the handshake completed, shutdown is owed
};

}  // namespace

namespace {

// TLS 1.2 or later, no renegotiation, the given certificate chain and key.
Status ApplyTlsSettings(const TlsCredentials& tls, ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Internal("TLS: cannot require TLS 1.2 or later");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  beast::error_code ec;
  context.use_certificate_chain(net::buffer(tls.certificate_chain_pem), ec);
  if (ec) return InvalidArgument("TLS: unusable certificate chain: " + ec.message());
  context.use_private_key(net::buffer(tls.private_key_pem), ssl::context::pem, ec);
  if (ec) return InvalidArgument("TLS: unusable private key: " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS: the private key does not match the certificate");
  }
  return Status::Ok();
}

}  // namespace

Status HttpServer::Impl::ConfigureTls() {
  if (!options_.tls.enabled()) return Status::Ok();
  Status status;
  try {
    status = ApplyTlsSettings(options_.tls, tls_context_.emplace(ssl::context::tls_server));
  } catch (const boost::system::system_error& e) {
    status = Internal(std::string("TLS: cannot create a TLS context: ") + e.what());
  }
  if (!status.ok()) tls_context_.reset();
  return status;
}

Status HttpServer::Impl::Start() {
  TS_RETURN_IF_ERROR(ConfigureTls());
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
      if (tls_context_) {
        std::make_shared<Session<TlsStream>>(std::move(s), this)->Run();
      } else {
        std::make_shared<Session<PlainStream>>(std::move(s), this)->Run();
      }
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
