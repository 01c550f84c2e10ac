// Server: the front end of `tokenscope serve` — OTLP/HTTP and OTLP/gRPC ingest, the query API
// and health endpoints — with an explicit lifecycle: Start() opens the store and binds, Stop()
// stops accepting, drains in-flight requests and closes the store, in that order.
// Start/Stop/Wait are called from one controlling thread; the server runs its own threads.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "server/server_config.h"

namespace tokenscope::server {

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the store and binds the listeners. Returns once the server accepts requests.
  Status Start();
  // The address the HTTP listener actually bound ("127.0.0.1:43125"); valid after Start.
  std::string http_address() const;
  // The address the OTLP/gRPC listener bound; valid after Start.
  std::string grpc_address() const;
  // Blocks until Stop() is called (e.g. from a signal handler thread).
  void Wait();
  // Idempotent. Drains in-flight requests, then closes the store.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokenscope::server
