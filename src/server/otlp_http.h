// OtlpHttpIngest: the OTLP/HTTP receivers of traces (POST /v1/traces), logs (POST /v1/logs) and
// metrics (POST /v1/metrics).
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
  OtlpHttpIngest(IngestService* ingest, uint64_t max_body_bytes)
      : ingest_(ingest), max_body_bytes_(max_body_bytes) {}

  // Receive into `project` (the caller authenticated the request).
  HttpResponse HandleTraces(const std::string& project, HttpRequest& request);
  HttpResponse HandleLogs(const std::string& project, HttpRequest& request);
  HttpResponse HandleMetrics(const std::string& project, HttpRequest& request);
  // The OTLP error answer (google.rpc.Status in the request's encoding) to a request refused
  // before it reached ingest, e.g. 401 or 403.
  HttpResponse Refuse(const HttpRequest& req, http::status status, const Status& why);

 private:
  enum class Signal { kTraces, kLogs, kMetrics };

  HttpResponse Handle(const std::string& project, HttpRequest& req, Signal signal);
  // The inflated body and its format, or the error response when the content type or encoding
  // is not one OTLP/HTTP allows, or gzip does not inflate within the body limit.
  std::optional<HttpResponse> ReadBody(HttpRequest& req, WireFormat* format, std::string* body);

  IngestService* ingest_;
  uint64_t max_body_bytes_;
};

}  // namespace tokenscope::server
