#include "server/otlp_http.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "base/gzip.h"
#include "otlp/json_encoder.h"
#include "otlp/logs_encoder.h"
#include "otlp/metrics_encoder.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::server {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "application/json; charset=utf-8" -> kJson; nullopt for a type OTLP/HTTP does not use.
std::optional<WireFormat> FormatOf(std::string_view content_type) {
  std::string media = Lower(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media == "application/x-protobuf" || media == "application/protobuf") {
    return WireFormat::kProtobuf;
  }
  if (media == "application/json") return WireFormat::kJson;
  return std::nullopt;
}

// google.rpc.Status codes used in OTLP/HTTP error bodies.
constexpr int32_t kRpcInvalidArgument = 3;
constexpr int32_t kRpcResourceExhausted = 8;
constexpr int32_t kRpcUnavailable = 14;

HttpResponse StatusResponse(const HttpRequest& req, WireFormat format, http::status status,
                            int32_t rpc_code, std::string_view message) {
  if (format == WireFormat::kProtobuf) {
    return MakeResponse(req, status, otlp::EncodeRpcStatusProto(rpc_code, message),
                        "application/x-protobuf");
  }
  return MakeResponse(req, status, otlp::EncodeRpcStatusJson(rpc_code, message),
                      "application/json");
}

// The 200 answer: an Export*ServiceResponse in the request's encoding.
HttpResponse StoredResponse(const HttpRequest& req, WireFormat format, bool logs, bool metrics,
                            const ExportOutcome& outcome) {
  if (format == WireFormat::kProtobuf) {
    return MakeResponse(req, http::status::ok,
                        metrics
                            ? otlp::EncodeMetricsResponseProto(outcome.rejected, outcome.message)
                        : logs ? otlp::EncodeLogsResponseProto(outcome.rejected, outcome.message)
                               : otlp::EncodeTraceResponseProto(outcome.rejected, outcome.message),
                        "application/x-protobuf");
  }
  return MakeResponse(req, http::status::ok,
                      metrics ? otlp::EncodeMetricsResponseJson(outcome.rejected, outcome.message)
                      : logs  ? otlp::EncodeLogsResponseJson(outcome.rejected, outcome.message)
                              : otlp::EncodeTraceResponseJson(outcome.rejected, outcome.message),
                      "application/json");
}

}  // namespace

std::optional<HttpResponse> OtlpHttpIngest::ReadBody(HttpRequest& req, WireFormat* format,
                                                     std::string* body) {
  std::optional<WireFormat> found = FormatOf(req[http::field::content_type]);
  if (!found) {
    ingest_->CountRefused();
    return StatusResponse(req, WireFormat::kJson, http::status::unsupported_media_type,
                          kRpcInvalidArgument,
                          "unsupported Content-Type; use application/x-protobuf or "
                          "application/json");
  }
  *format = *found;
  *body = std::move(req.body());
  std::string encoding = Lower(req[http::field::content_encoding]);
  if (encoding == "gzip" || encoding == "x-gzip") {
    auto inflated = GzipDecompress(*body, max_body_bytes_);
    if (!inflated.ok()) {
      ingest_->CountRefused();
      bool too_big = inflated.status().code() == StatusCode::kResourceExhausted;
      return StatusResponse(
          req, *format, too_big ? http::status::payload_too_large : http::status::bad_request,
          too_big ? kRpcResourceExhausted : kRpcInvalidArgument, inflated.status().message());
    }
    *body = std::move(inflated).value();
  } else if (!encoding.empty() && encoding != "identity") {
    ingest_->CountRefused();
    return StatusResponse(req, *format, http::status::unsupported_media_type, kRpcInvalidArgument,
                          "unsupported Content-Encoding '" + encoding + "'; use gzip");
  }
  return std::nullopt;
}

HttpResponse OtlpHttpIngest::HandleTraces(const std::string& project, HttpRequest& req) {
  return Handle(project, req, Signal::kTraces);
}

HttpResponse OtlpHttpIngest::HandleLogs(const std::string& project, HttpRequest& req) {
  return Handle(project, req, Signal::kLogs);
}

HttpResponse OtlpHttpIngest::HandleMetrics(const std::string& project, HttpRequest& req) {
  return Handle(project, req, Signal::kMetrics);
}

HttpResponse OtlpHttpIngest::Refuse(const HttpRequest& req, http::status status,
                                    const Status& why) {
  ingest_->CountRefused();
  return StatusResponse(req, FormatOf(req[http::field::content_type]).value_or(WireFormat::kJson),
                        status, static_cast<int32_t>(why.code()), why.message());
}

HttpResponse OtlpHttpIngest::Handle(const std::string& project, HttpRequest& req, Signal signal) {
  WireFormat format;
  std::string body;
  if (auto error = ReadBody(req, &format, &body)) return std::move(*error);
  const bool logs = signal == Signal::kLogs;
  const bool metrics = signal == Signal::kMetrics;
  const ExportOutcome outcome = metrics ? ingest_->ExportMetrics(project, std::move(body), format)
                                : logs  ? ingest_->ExportLogs(project, std::move(body), format)
                                        : ingest_->ExportTraces(project, std::move(body), format);
  switch (outcome.kind) {
    case ExportOutcome::Kind::kStored:
      return StoredResponse(req, format, logs, metrics, outcome);
    case ExportOutcome::Kind::kInvalid:
      return StatusResponse(req, format, http::status::bad_request, kRpcInvalidArgument,
                            outcome.message);
    case ExportOutcome::Kind::kUnavailable: {
      // Every store failure is answered as retryable: the client keeps the data and sends it
      // again, which is what an acknowledgement-means-stored promise needs.
      HttpResponse res = StatusResponse(req, format, http::status::service_unavailable,
                                        kRpcUnavailable, outcome.message);
      res.set(http::field::retry_after, "1");
      return res;
    }
  }
  return StatusResponse(req, format, http::status::internal_server_error, kRpcUnavailable,
                        "unexpected ingest outcome");
}

}  // namespace tokenscope::server
