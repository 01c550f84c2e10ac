// OtlpHttpIngest: the OTLP/HTTP receivers of traces (POST /v1/traces) and logs (POST /v1/logs).
//
// Checks the content type and encoding, inflates gzip within the body limit, hands the body to
// the IngestService (decode, durable write) and answers as the OTLP specification prescribes,
// in the request's own encoding: 200 with a response message (partial success when some items
// were invalid), 400 with a google.rpc.Status, 413, 415, or 503 with Retry-After when the store
// fails. Holds an IngestService it does not own. Thread-safe: Handle* may run on many worker
// threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/http_types.h"
#include "server/ingest_service.h"

namespace tokenscope::server {

class OtlpHttpIngest {
 public:
  OtlpHttpIngest(IngestService* ingest, std::string project, uint64_t max_body_bytes)
      : ingest_(ingest), project_(std::move(project)), max_body_bytes_(max_body_bytes) {}

  HttpResponse HandleTraces(HttpRequest& request);
  HttpResponse HandleLogs(HttpRequest& request);

 private:
  enum class Signal { kTraces, kLogs };

  HttpResponse Handle(HttpRequest& req, Signal signal);
  // The inflated body and its format, or the error response when the content type or encoding
  // is not one OTLP/HTTP allows, or gzip does not inflate within the body limit.
  std::optional<HttpResponse> ReadBody(HttpRequest& req, WireFormat* format, std::string* body);

  IngestService* ingest_;
  std::string project_;
  uint64_t max_body_bytes_;
};

}  // namespace tokenscope::server
