// OtlpGrpcServer: the OTLP/gRPC receiver — TraceService/Export, LogsService/Export and
// MetricsService/Export served through gRPC C++'s generic service (no generated stubs: requests
// arrive as bytes and go to the same zero-copy decoder as OTLP/HTTP, through the IngestService),
// plus the standard grpc.health.v1 health service.
//
// Answers as the OTLP specification prescribes: OK with an Export*ServiceResponse (partial
// success when some items were invalid); INVALID_ARGUMENT for an undecodable request (not
// retried); UNAVAILABLE with a google.rpc.RetryInfo detail when the store fails or the shared
// in-flight budget is spent (the exporter backs off and retries); UNIMPLEMENTED for any other
// method. gzip-compressed messages are inflated by gRPC itself, within the message size limit
// (larger ones get RESOURCE_EXHAUSTED from gRPC).
//
// Every call authenticates with its metadata as HTTP requests do with their headers (the
// authorization or x-api-key entry); UNAUTHENTICATED or PERMISSION_DENIED when refused.
//
// A fixed set of threads each drive one completion queue; a request is decoded and written on
// the thread that received it (the durable write blocks, which the async API allows on
// threads it does not own). Holds the IngestService and InflightBudget it is given, not
// owning them. With TLS credentials in the options the port accepts only TLS (TLS 1.2 or later,
// no client certificates). Start/Stop from one controlling thread; the rest is internal.
#pragma once

#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "base/status.h"
#include "server/inflight_budget.h"
#include "server/ingest_service.h"
#include "server/tls.h"

namespace tokenscope::server {

class OtlpGrpcServer {
 public:
  struct Options {
    std::string address = "127.0.0.1:4317";  // HOST:PORT; port 0 picks a free port
    // Decides each call's project from its metadata (authorization / x-api-key); required.
    auth::Authenticator* auth = nullptr;
    uint64_t max_message_bytes = 64ull << 20;
    int threads = 4;
    InflightBudget* budget = nullptr;  // required; shared with the HTTP listener
    TlsCredentials tls;                // empty: plaintext; set: gRPC over TLS only
  };

  OtlpGrpcServer(Options options, IngestService* ingest);
  ~OtlpGrpcServer();
  OtlpGrpcServer(const OtlpGrpcServer&) = delete;
  OtlpGrpcServer& operator=(const OtlpGrpcServer&) = delete;

  Status Start();
  std::string bound_address() const;  // "127.0.0.1:43127"
  // Stops accepting, lets calls in progress finish (bounded), then stops the threads.
  void Stop();

  class Impl;  // public only so that the call state machine in the .cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokenscope::server
