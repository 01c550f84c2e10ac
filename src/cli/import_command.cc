#include "cli/import_command.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <chrono>
#include <map>
#include <thread>

#include "base/hex.h"
#include "base/json_escape.h"
#include "cli/http_client.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::cli {
namespace {

constexpr int kMaxAttempts = 8;
constexpr size_t kMaxErrorsShown = 10;

std::string JsonString(std::string_view text) {
  return "\"" + JsonEscape(text) + "\"";
}

// OTel GenAI >= 1.37 messages: [{"role": ..., "parts": [{"type": "text", "content": ...}]}].
std::string Messages(std::string_view role, std::string_view text) {
  return fmt::format(R"([{{"role":"{}","parts":[{{"type":"text","content":{}}}]}}])", role,
                     JsonString(text));
}

class SpanBuilder {
 public:
  SpanBuilder(model::SpanBatch* batch, model::Span* span) : batch_(batch), span_(span) {}
  void Str(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    span_->attributes.push_back({key, model::AnyValue::String(batch_->arena().Copy(value))});
  }
  void Int(std::string_view key, const std::optional<int64_t>& value) {
    if (value) span_->attributes.push_back({key, model::AnyValue::Int(*value)});
  }

 private:
  model::SpanBatch* batch_;
  model::Span* span_;
};

uint32_t ResourceFor(std::string_view service, model::SpanBatch* batch) {
  for (uint32_t i = 0; i < batch->resources.size(); ++i) {
    if (model::ServiceName(batch->resources[i]) == service) return i;
  }
  model::Resource resource;
  resource.attributes.push_back(
      {"service.name", model::AnyValue::String(batch->arena().Copy(service))});
  batch->resources.push_back(std::move(resource));
  return static_cast<uint32_t>(batch->resources.size() - 1);
}

// Sends one batch, retrying what the server asks to be retried. Returns the error, if any.
Status Send(const ImportOptions& options, const Endpoint& endpoint, const model::SpanBatch& batch,
            uint64_t* rejected) {
  const std::string body = otlp::EncodeTraceRequestProto(batch);
  HttpRequestOptions request_options;
  request_options.timeout = options.client.timeout;
  request_options.api_key = options.client.api_key;
  for (int attempt = 1;; ++attempt) {
    auto response =
        HttpPostBody(endpoint, "/v1/traces", body, "application/x-protobuf", request_options);
    if (!response.ok()) return response.status();
    if (response->ok()) {
      // partial_success{rejected_spans (1)} in the ExportTraceServiceResponse, when present.
      if (!response->body.empty()) ++*rejected;
      return Status::Ok();
    }
    const bool retry = response->status == 429 || response->status == 503;
    if (!retry || attempt == kMaxAttempts) {
      return Unavailable(
          fmt::format("the server answered {} {}", response->status, response->reason));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250) * attempt);
  }
}

}  // namespace

void AppendImportedSpan(const ImportedCall& call, std::string_view line, model::SpanBatch* batch) {
  if (batch->scopes.empty()) {
    model::Scope scope;
    scope.name = "tokenscope.import";
    batch->scopes.push_back(scope);
  }
  model::Span& span = batch->spans.emplace_back();
  const XXH128_hash_t hash = XXH3_128bits(line.data(), line.size());
  if (!call.trace_id_hex.empty()) {
    HexDecode(call.trace_id_hex, span.trace_id.data());
  } else {
    for (int i = 0; i < 8; ++i) {
      span.trace_id[i] = static_cast<uint8_t>(hash.high64 >> (56 - 8 * i));
      span.trace_id[8 + i] = static_cast<uint8_t>(hash.low64 >> (56 - 8 * i));
    }
    if (model::IsZero(span.trace_id)) span.trace_id[15] = 1;
  }
  const uint64_t span_bits = XXH3_64bits_withSeed(line.data(), line.size(), 1);
  for (int i = 0; i < 8; ++i) span.span_id[i] = static_cast<uint8_t>(span_bits >> (56 - 8 * i));
  if (model::IsZero(span.span_id)) span.span_id[7] = 1;

  span.name = batch->arena().Copy(call.operation + " " + call.model);
  span.kind = model::SpanKind::kClient;
  span.start_time_unix_nano = call.time_unix_nano;
  span.end_time_unix_nano = call.time_unix_nano + call.duration_ns;
  span.resource_index = ResourceFor(call.service, batch);
  span.scope_index = 0;
  if (call.error) {
    span.status.code = model::StatusCode::kError;
    span.status.message = batch->arena().Copy(call.error_message);
  }

  SpanBuilder b(batch, &span);
  b.Str("gen_ai.operation.name", call.operation);
  b.Str("gen_ai.provider.name", call.provider);
  b.Str("gen_ai.request.model", call.model);
  b.Int("gen_ai.usage.input_tokens", call.input_tokens);
  b.Int("gen_ai.usage.output_tokens", call.output_tokens);
  b.Int("gen_ai.usage.total_tokens", call.total_tokens);
  b.Int("gen_ai.usage.cache_read.input_tokens", call.cached_tokens);
  b.Int("gen_ai.usage.reasoning.output_tokens", call.reasoning_tokens);
  if (call.ttft_ns) {
    span.attributes.push_back({"gen_ai.response.time_to_first_chunk",
                               model::AnyValue::Double(static_cast<double>(*call.ttft_ns) / 1e9)});
  }
  b.Int("http.response.status_code", call.http_status);
  if (call.error)
    b.Str("error.type", call.http_status ? std::to_string(*call.http_status) : "error");
  if (!call.prompt.empty()) b.Str("gen_ai.input.messages", Messages("user", call.prompt));
  if (!call.completion.empty()) {
    b.Str("gen_ai.output.messages", Messages("assistant", call.completion));
  }
  b.Str("gen_ai.response.id", call.request_id);
  b.Str("tokenscope.import.prompt_hash", call.prompt_hash);
  b.Str("user.id", call.user);
  b.Str("session.id", call.session);
  if (!call.tags.empty()) {
    model::AnyValue tags;
    tags.type = model::ValueType::kArray;
    for (const std::string& tag : call.tags) {
      tags.array_value.push_back(model::AnyValue::String(batch->arena().Copy(tag)));
    }
    span.attributes.push_back({"tokenscope.import.tags", std::move(tags)});
  }
  for (const auto& [key, value] : call.metadata) {
    b.Str(batch->arena().Copy("metadata." + key), value);
  }
}

int RunImport(const ImportOptions& options, std::istream& in, const std::string& name,
              std::ostream& out, std::ostream& err) {
  StatusOr<Endpoint> endpoint = ParseEndpoint(options.client.endpoint);
  if (!endpoint.ok()) {
    err << "error: " << endpoint.status().message() << '\n';
    return kExitUsage;
  }
  uint64_t imported = 0, skipped = 0, batches_rejected = 0;
  std::vector<std::string> errors;
  model::SpanBatch batch;
  auto flush = [&]() -> Status {
    if (batch.spans.empty()) return Status::Ok();
    TS_RETURN_IF_ERROR(Send(options, *endpoint, batch, &batches_rejected));
    imported += batch.spans.size();
    batch = model::SpanBatch();
    return Status::Ok();
  };
  std::string line;
  for (uint64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    StatusOr<ImportedCall> call = ParseImportLine(line);
    if (!call.ok()) {
      ++skipped;
      if (errors.size() < kMaxErrorsShown) {
        errors.push_back(fmt::format("{}:{}: {}", name, number, call.status().message()));
      }
      continue;
    }
    AppendImportedSpan(*call, line, &batch);
    if (batch.spans.size() >= options.batch_spans) {
      if (Status s = flush(); !s.ok()) {
        err << "error: " << s.message() << " (" << imported << " calls imported before)\n";
        return kExitServerError;
      }
    }
  }
  if (Status s = flush(); !s.ok()) {
    err << "error: " << s.message() << " (" << imported << " calls imported before)\n";
    return kExitServerError;
  }
  for (const std::string& e : errors) err << e << '\n';
  out << fmt::format("imported {} calls from {}", imported, name);
  if (skipped > 0) out << fmt::format("; skipped {} malformed lines", skipped);
  if (batches_rejected > 0) {
    out << fmt::format("; the server rejected part of {} requests", batches_rejected);
  }
  out << '\n';
  return skipped > 0 || batches_rejected > 0 ? kExitServerError : kExitOk;
}

}  // namespace tokenscope::cli
