// HttpServer: the HTTP/1.1 transport under Tokenscope's API, on Boost.Beast.
//
// A few I/O threads run the event loop (accept, read, write, keep-alive, timeouts); each
// complete request is handed to the Handler on a separate worker pool, because handlers block
// (a durable write waits for fsync) and must not stall the event loop. Bodies larger than
// the limit are answered 413 and the connection closed; malformed HTTP is answered 400.
// Admission control bounds memory (inflight_budget.h): a request whose body would pass the
// budget is answered 429 with Retry-After before its body is read.
//
// With TLS credentials in the options the listener speaks HTTPS only (TLS 1.2 or later): each
// connection first completes a handshake, bounded by a timeout, then runs the same request
// logic as a plaintext connection. A connection that sends plain HTTP gets a short 400 in
// plaintext saying the port speaks HTTPS; any other failed handshake just closes that
// connection. Either way other connections are unaffected. The server owns its TLS context;
// connections borrow it and never outlive the server.
//
// Start/Stop are called from one controlling thread; the Handler must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/http_types.h"
#include "server/inflight_budget.h"
#include "server/tls.h"

namespace tokenscope::server {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(HttpRequest&)>;

  struct Options {
    std::string address = "127.0.0.1:4318";  // HOST:PORT; port 0 picks a free port
    uint64_t max_body_bytes = 64ull << 20;
    uint64_t max_inflight_bytes = 256ull << 20;  // used when `budget` is null
    InflightBudget* budget = nullptr;            // shared with other listeners; not owned
    int io_threads = 2;
    int worker_threads = 8;
    std::chrono::seconds idle_timeout{60};
    TlsCredentials tls;  // empty: plaintext HTTP; set: HTTPS only
    std::chrono::seconds handshake_timeout{10};
  };

  HttpServer(Options options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. InvalidArgument when the TLS credentials are unusable.
  Status Start();
  std::string bound_address() const;  // "127.0.0.1:43125"
  // Stops accepting, waits (bounded) for requests in flight to be answered, then stops.
  void Stop();

  size_t in_flight() const;
  uint64_t in_flight_bytes() const;
  uint64_t throttled_requests() const;  // answered 429 by admission control

  class Impl;  // public only so that the connection code in the .cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" ("[::1]:4318" for IPv6). InvalidArgument when malformed.
Status SplitHostPort(std::string_view address, std::string* host, uint16_t* port);

// Whether HOST:PORT names a loopback host: localhost, 127.0.0.0/8 or ::1.
bool IsLoopbackAddress(std::string_view address);

}  // namespace tokenscope::server
