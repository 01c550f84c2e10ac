#include "server/ingest_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "enrich/span_analysis.h"
#include "otlp/json_decoder.h"
#include "otlp/logs_decoder.h"
#include "otlp/metrics_decoder.h"
#include "otlp/proto_decoder.h"

namespace tokenscope::server {
void IngestService::AddObservation(const model::SpanBatch& batch, const model::Span& span,
                                   const model::LlmInfo& llm,
                                   std::vector<GenAiObservation>* calls) {
  if (llm.kind != model::LlmSpanKind::kLlm && llm.kind != model::LlmSpanKind::kEmbedding) return;
  GenAiObservation& call = calls->emplace_back();
  call.service = std::string(model::ServiceName(batch.ResourceOf(span)));
  call.provider = llm.provider;
  call.model = llm.model();
  call.operation = llm.operation;
  call.duration_ns = span.duration_ns();
  call.error = span.status.code == model::StatusCode::kError;
  call.input_tokens = llm.usage.input_tokens;
  call.output_tokens = llm.usage.output_tokens;
  call.cost_nanos = llm.cost ? llm.cost->total_nanos : 0;
}

void IngestService::Count(const pipeline::LimitReport& report) {
  if (!report.changed_anything()) return;
  counters_.items_over_request_limit.fetch_add(report.items_rejected, std::memory_order_relaxed);
  counters_.attributes_dropped.fetch_add(report.attributes_dropped, std::memory_order_relaxed);
  counters_.values_truncated.fetch_add(report.values_truncated, std::memory_order_relaxed);
  counters_.events_dropped.fetch_add(report.events_dropped, std::memory_order_relaxed);
  counters_.links_dropped.fetch_add(report.links_dropped, std::memory_order_relaxed);
}

Status IngestService::EnforceTraceLimit(model::SpanBatch* batch, pipeline::LimitReport* report) {
  const uint64_t limit = options_.max_spans_per_trace;
  if (limit == 0 || batch->spans.empty()) return Status::Ok();
  std::map<model::TraceId, uint64_t> spans_of;  // stored spans, then those admitted here
  for (const model::Span& span : batch->spans) spans_of.emplace(span.trace_id, 0);
  std::vector<model::TraceId> ids;
  for (const auto& [id, count] : spans_of) ids.push_back(id);
  TS_ASSIGN_OR_RETURN(std::vector<model::TraceSummary> stored,
                      store_->GetTraceSummaries(batch->project, ids));
  for (const model::TraceSummary& summary : stored) spans_of[summary.trace_id] = summary.span_count;
  uint64_t rejected = 0;
  std::erase_if(batch->spans, [&](const model::Span& span) {
    uint64_t& count = spans_of[span.trace_id];
    if (count >= limit) {
      ++rejected;
      return true;
    }
    ++count;
    return false;
  });
  if (rejected == 0) return Status::Ok();
  counters_.spans_over_trace_limit.fetch_add(rejected, std::memory_order_relaxed);
  report->items_rejected += rejected;
  if (report->rejection_message.empty()) {
    report->rejection_message = std::to_string(rejected) + " spans would grow their trace past " +
                                std::to_string(limit) +
                                " spans, the limit per trace, and were "
                                "rejected";
  }
  return Status::Ok();
}

void IngestService::NotifyRollupsWritten(const std::string& project,
                                         const store::SpanContributions& contributions) {
  constexpr uint64_t kMinutesPerHour = 60;
  std::set<uint64_t> hours;
  for (const auto& contribution : contributions) {
    if (contribution) hours.insert(contribution->key.minute / kMinutesPerHour);
  }
  for (uint64_t hour : hours) {
    options_.rollups_written(project, hour * kMinutesPerHour, (hour + 1) * kMinutesPerHour);
  }
}

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
  if (options_.redactor != nullptr) options_.redactor->Redact(&batch);
  pipeline::LimitReport limited;
  pipeline::ApplyLimits(options_.limits, &batch, &limited);
  if (Status s = EnforceTraceLimit(&batch, &limited); !s.ok()) return Unavailable(s, "spans");
  Count(limited);

  // Each span's share of its trace's LLM totals (calls, tokens, cost, models, session, user)
  // and of the rollup cells; the store counts both only for spans it did not have yet.
  batch.llm_totals.resize(batch.spans.size());
  store::SpanContributions contributions;
  if (options_.rollups != nullptr) contributions.resize(batch.spans.size());
  std::vector<GenAiObservation> calls;
  std::vector<size_t> call_spans;  // the span of each observation
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    const model::Span& span = batch.spans[i];
    const model::Resource& resource = batch.ResourceOf(span);
    // The error class is only needed for rollup keys: without rollups, pricing is enough.
    enrich::SpanAnalysis analysis;
    analysis.llm = enrich::PricedLlmInfo(span, resource, batch.ScopeOf(span), prices_);
    if (!analysis.llm) continue;
    if (options_.rollups != nullptr) analysis.error = enrich::ClassifyError(span, &*analysis.llm);
    batch.llm_totals[i].AddCall(*analysis.llm);
    if (options_.genai_metrics != nullptr) {
      const size_t before = calls.size();
      AddObservation(batch, span, *analysis.llm, &calls);
      if (calls.size() > before) call_spans.push_back(i);
    }
    if (options_.rollups != nullptr) {
      contributions[i] = rollup::ContributionOf(
          span, resource, analysis.llm,
          analysis.error ? analysis.error->error_class : model::ErrorClass::kNone,
          options_.rollup_dimensions);
    }
  }
  if (options_.rollups != nullptr) {
    options_.rollups->Admit(project, &contributions);
    // /metrics labels calls by the allocation dimensions as the rollups keep them (folded).
    for (size_t k = 0; k < calls.size(); ++k) {
      const auto& contribution = contributions[call_spans[k]];
      if (!contribution) continue;
      for (const auto& [name, value] : contribution->key.dimensions) {
        calls[k].dimensions.push_back(value);
      }
    }
  }
  if (!batch.spans.empty()) {
    const auto started = std::chrono::steady_clock::now();
    Status written = store_->Write(batch, contributions);
    if (!written.ok()) return Unavailable(written, "spans");
    commit_latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (options_.rollups_written) NotifyRollupsWritten(project, contributions);
  }
  // Counted once durable, so a retried request is not counted twice.
  if (options_.genai_metrics != nullptr) options_.genai_metrics->Record(project, calls);
  const uint64_t rejected = result.rejected_spans + limited.items_rejected;
  counters_.spans_accepted.fetch_add(batch.spans.size(), std::memory_order_relaxed);
  counters_.spans_rejected.fetch_add(rejected, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kStored, static_cast<int64_t>(rejected),
          result.rejection_message.empty() ? std::move(limited.rejection_message)
                                           : std::move(result.rejection_message)};
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
  if (options_.redactor != nullptr) options_.redactor->Redact(&batch);
  pipeline::LimitReport limited;
  pipeline::ApplyLimits(options_.limits, &batch, &limited);
  Count(limited);

  // The logs data model has the receiver fill in the observed time when the sender did not;
  // a record with neither time is then filed under its arrival.
  const uint64_t now = UnixNanosNow();
  for (model::LogRecord& record : batch.logs) {
    if (record.observed_time_unix_nano == 0) record.observed_time_unix_nano = now;
  }
  if (!batch.logs.empty()) {
    Status written = store_->WriteLogs(batch);
    if (!written.ok()) return Unavailable(written, "log records");
  }
  const uint64_t rejected = result.rejected_log_records + limited.items_rejected;
  counters_.logs_accepted.fetch_add(batch.logs.size(), std::memory_order_relaxed);
  counters_.logs_rejected.fetch_add(rejected, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kStored, static_cast<int64_t>(rejected),
          result.rejection_message.empty() ? std::move(limited.rejection_message)
                                           : std::move(result.rejection_message)};
}

ExportOutcome IngestService::ExportMetrics(const std::string& project, std::string body,
                                           WireFormat format) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  model::MetricBatch batch;
  batch.project = project;
  otlp::DecodeResult result;
  // The point limit applies while decoding: a request of millions of tiny points is walked, not
  // turned into millions of MetricPoints.
  otlp::DecodeLimits limits;
  limits.max_data_points = options_.limits.max_items_per_request;
  Status decoded;
  if (format == WireFormat::kProtobuf) {
    std::string_view view = batch.Adopt(std::move(body));
    decoded = otlp::DecodeMetricsRequestProto(view, &batch, &result, limits);
  } else {
    decoded = otlp::DecodeMetricsRequestJson(body, &batch, &result, limits);
  }
  if (!decoded.ok()) return Invalid(decoded);
  pipeline::LimitReport limited;
  pipeline::ApplyLimits(options_.limits, &batch, &limited);
  Count(limited);

  // time_unix_nano is required; a point without one is filed under its arrival.
  const uint64_t now = UnixNanosNow();
  for (model::MetricPoint& point : batch.points) {
    if (point.time_unix_nano == 0) point.time_unix_nano = now;
  }
  if (!batch.points.empty()) {
    const auto started = std::chrono::steady_clock::now();
    Status written = store_->WriteMetrics(batch);
    if (!written.ok()) return Unavailable(written, "metric data points");
    commit_latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  const uint64_t rejected = result.rejected_data_points + limited.items_rejected;
  counters_.data_points_accepted.fetch_add(batch.points.size(), std::memory_order_relaxed);
  counters_.data_points_rejected.fetch_add(rejected, std::memory_order_relaxed);
  return {ExportOutcome::Kind::kStored, static_cast<int64_t>(rejected),
          result.rejection_message.empty() ? std::move(limited.rejection_message)
                                           : std::move(result.rejection_message)};
}

}  // namespace tokenscope::server
