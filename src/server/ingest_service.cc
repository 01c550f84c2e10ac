#include "server/ingest_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "enrich/span_analysis.h"
#include "otlp/json_decoder.h"
#include "otlp/logs_decoder.h"
#include "otlp/proto_decoder.h"

namespace tokenscope::server {
namespace {

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

ExportOutcome IngestService::Invalid(const Status& decoded) {
  counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kInvalid, 0, decoded.message()};
}

ExportOutcome IngestService::Unavailable(const Status& written, std::string_view what) {
  counters_.write_failures.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("ingest: store write of {} failed: {}", what, written.ToString());
  return {ExportOutcome::Kind::kUnavailable, 0,
          "could not store " + std::string(what) + ": " + written.message()};
}

ExportOutcome IngestService::ExportTraces(const std::string& project, std::string body,
                                          WireFormat format) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  model::SpanBatch batch;
  batch.project = project;
  otlp::DecodeResult result;
  Status decoded;
  if (format == WireFormat::kProtobuf) {
    std::string_view view = batch.Adopt(std::move(body));
    decoded = otlp::DecodeTraceRequestProto(view, &batch, &result);
  } else {
    decoded = otlp::DecodeTraceRequestJson(body, &batch, &result);
  }
  if (!decoded.ok()) return Invalid(decoded);

  // Each span's share of its trace's LLM totals (calls, tokens, cost, models, session, user).
  batch.llm_totals.resize(batch.spans.size());
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    const model::Span& span = batch.spans[i];
    auto llm = enrich::PricedLlmInfo(span, batch.ResourceOf(span), batch.ScopeOf(span), prices_);
    if (llm) batch.llm_totals[i].AddCall(*llm);
  }
  if (!batch.spans.empty()) {
    Status written = store_->Write(batch);
    if (!written.ok()) return Unavailable(written, "spans");
  }
  counters_.spans_accepted.fetch_add(batch.spans.size(), std::memory_order_relaxed);
  counters_.spans_rejected.fetch_add(result.rejected_spans, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kStored, static_cast<int64_t>(result.rejected_spans),
          std::move(result.rejection_message)};
}

ExportOutcome IngestService::ExportLogs(const std::string& project, std::string body,
                                        WireFormat format) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  model::LogBatch batch;
  batch.project = project;
  otlp::DecodeResult result;
  Status decoded;
  if (format == WireFormat::kProtobuf) {
    std::string_view view = batch.Adopt(std::move(body));
    decoded = otlp::DecodeLogsRequestProto(view, &batch, &result);
  } else {
    decoded = otlp::DecodeLogsRequestJson(body, &batch, &result);
  }
  if (!decoded.ok()) return Invalid(decoded);

  // The logs data model has the receiver fill in the observed time when the sender did not;
  // a record with neither time is then filed under its arrival.
  const uint64_t now = NowNanos();
  for (model::LogRecord& record : batch.logs) {
    if (record.observed_time_unix_nano == 0) record.observed_time_unix_nano = now;
  }
  if (!batch.logs.empty()) {
    Status written = store_->WriteLogs(batch);
    if (!written.ok()) return Unavailable(written, "log records");
  }
  counters_.logs_accepted.fetch_add(batch.logs.size(), std::memory_order_relaxed);
  counters_.logs_rejected.fetch_add(result.rejected_log_records, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kStored, static_cast<int64_t>(result.rejected_log_records),
          std::move(result.rejection_message)};
}

}  // namespace tokenscope::server
