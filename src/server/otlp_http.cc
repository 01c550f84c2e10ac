#include "server/otlp_http.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "base/gzip.h"
#include "enrich/span_analysis.h"
#include "otlp/json_decoder.h"
#include "otlp/json_encoder.h"
#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::server {
namespace {

enum class Encoding { kProtobuf, kJson, kUnsupported };

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "application/json; charset=utf-8" -> kJson.
Encoding EncodingOf(std::string_view content_type) {
  std::string media = Lower(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media == "application/x-protobuf" || media == "application/protobuf") {
    return Encoding::kProtobuf;
  }
  if (media == "application/json") return Encoding::kJson;
  return Encoding::kUnsupported;
}

// google.rpc.Status codes used in OTLP/HTTP error bodies.
constexpr int32_t kRpcInvalidArgument = 3;
constexpr int32_t kRpcResourceExhausted = 8;
constexpr int32_t kRpcUnavailable = 14;

HttpResponse StatusResponse(const HttpRequest& req, Encoding enc, http::status status,
                            int32_t rpc_code, std::string_view message) {
  if (enc == Encoding::kProtobuf) {
    return MakeResponse(req, status, otlp::EncodeRpcStatusProto(rpc_code, message),
                        "application/x-protobuf");
  }
  return MakeResponse(req, status, otlp::EncodeRpcStatusJson(rpc_code, message),
                      "application/json");
}

}  // namespace

HttpResponse OtlpHttpIngest::HandleTraces(HttpRequest& req) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  Encoding enc = EncodingOf(req[http::field::content_type]);
  if (enc == Encoding::kUnsupported) {
    counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
    return StatusResponse(req, Encoding::kJson, http::status::unsupported_media_type,
                          kRpcInvalidArgument,
                          "unsupported Content-Type; use application/x-protobuf or "
                          "application/json");
  }

  std::string body = std::move(req.body());
  std::string encoding = Lower(req[http::field::content_encoding]);
  if (encoding == "gzip" || encoding == "x-gzip") {
    auto inflated = GzipDecompress(body, max_body_bytes_);
    if (!inflated.ok()) {
      counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
      bool too_big = inflated.status().code() == StatusCode::kResourceExhausted;
      return StatusResponse(
          req, enc, too_big ? http::status::payload_too_large : http::status::bad_request,
          too_big ? kRpcResourceExhausted : kRpcInvalidArgument, inflated.status().message());
    }
    body = std::move(inflated).value();
  } else if (!encoding.empty() && encoding != "identity") {
    counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
    return StatusResponse(req, enc, http::status::unsupported_media_type, kRpcInvalidArgument,
                          "unsupported Content-Encoding '" + encoding + "'; use gzip");
  }

  model::SpanBatch batch;
  batch.project = project_;
  otlp::DecodeResult result;
  Status decoded;
  if (enc == Encoding::kProtobuf) {
    std::string_view view = batch.Adopt(std::move(body));
    decoded = otlp::DecodeTraceRequestProto(view, &batch, &result);
  } else {
    decoded = otlp::DecodeTraceRequestJson(body, &batch, &result);
  }
  if (!decoded.ok()) {
    counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
    return StatusResponse(req, enc, http::status::bad_request, kRpcInvalidArgument,
                          decoded.message());
  }

  // Each span's share of its trace's LLM totals (calls, tokens, cost, models, session, user).
  batch.llm_totals.resize(batch.spans.size());
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    const model::Span& span = batch.spans[i];
    auto llm = enrich::PricedLlmInfo(span, batch.ResourceOf(span), batch.ScopeOf(span), prices_);
    if (llm) batch.llm_totals[i].AddCall(*llm);
  }

  if (!batch.spans.empty()) {
    Status written = store_->Write(batch);
    if (!written.ok()) {
      counters_.write_failures.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("ingest: store write failed: {}", written.ToString());
      // Every store failure is answered as retryable: the client keeps the data and sends it
      // again, which is what an acknowledgement-means-stored promise needs.
      HttpResponse res =
          StatusResponse(req, enc, http::status::service_unavailable, kRpcUnavailable,
                         "could not store spans: " + written.message());
      res.set(http::field::retry_after, "1");
      return res;
    }
  }
  counters_.spans_accepted.fetch_add(batch.spans.size(), std::memory_order_relaxed);
  counters_.spans_rejected.fetch_add(result.rejected_spans, std::memory_order_relaxed);

  auto rejected = static_cast<int64_t>(result.rejected_spans);
  if (enc == Encoding::kProtobuf) {
    return MakeResponse(req, http::status::ok,
                        otlp::EncodeTraceResponseProto(rejected, result.rejection_message),
                        "application/x-protobuf");
  }
  return MakeResponse(req, http::status::ok,
                      otlp::EncodeTraceResponseJson(rejected, result.rejection_message),
                      "application/json");
}

}  // namespace tokenscope::server
