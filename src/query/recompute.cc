#include "query/recompute.h"

#include <set>
#include <vector>

#include "enrich/span_analysis.h"
#include "semconv/normalizer.h"

namespace tokenscope::query {
namespace {

constexpr size_t kTracesPerChunk = 1000;

bool SameTotals(const model::TraceSummary& a, const model::TraceSummary& b) {
  const model::LlmTotals& x = a.llm;
  const model::LlmTotals& y = b.llm;
  return a.span_count == b.span_count && a.error_count == b.error_count &&
         x.llm_calls == y.llm_calls && x.input_tokens == y.input_tokens &&
         x.output_tokens == y.output_tokens &&
         x.cache_read_input_tokens == y.cache_read_input_tokens &&
         x.cache_creation_input_tokens == y.cache_creation_input_tokens &&
         x.reasoning_tokens == y.reasoning_tokens && x.total_tokens == y.total_tokens &&
         x.cost_nanos == y.cost_nanos && x.models == y.models && x.session_id == y.session_id &&
         x.user_id == y.user_id;
}

Status RecomputeOne(store::Store& store, const std::string& project, const model::TraceId& id,
                    const enrich::PriceTable* prices, RecomputeReport* report) {
  auto old = store.GetTraceSummary(project, id);
  if (!old.ok()) return old.status().code() == StatusCode::kNotFound ? Status::Ok() : old.status();
  store::TraceSpansRequest request;
  request.project = project;
  request.trace_id = id;
  TS_ASSIGN_OR_RETURN(model::SpanBatch batch, store.GetTraceSpans(request));
  model::TraceSummary fresh;
  for (const model::Span& span : batch.spans) {
    const model::Resource& resource = batch.ResourceOf(span);
    model::LlmTotals totals;
    if (auto llm = enrich::PricedLlmInfo(span, resource, batch.ScopeOf(span), prices)) {
      totals.AddCall(*llm);
    }
    fresh.AddSpan(span, model::ServiceName(resource), &totals);
  }
  ++report->traces_examined;
  report->cost_before_nanos += old->llm.cost_nanos;
  report->cost_after_nanos += fresh.llm.cost_nanos;
  report->llm_calls_before += old->llm.llm_calls;
  report->llm_calls_after += fresh.llm.llm_calls;
  report->total_tokens_before += old->llm.total_tokens;
  report->total_tokens_after += fresh.llm.total_tokens;
  if (SameTotals(*old, fresh)) return Status::Ok();
  ++report->traces_changed;
  return store.ReplaceTraceSummary(project, fresh);
}

}  // namespace

StatusOr<RecomputeReport> RecomputeTraceSummaries(store::Store& store, const std::string& project,
                                                  uint64_t start_unix_nano, uint64_t end_unix_nano,
                                                  const enrich::PriceTable* prices) {
  RecomputeReport report;
  report.normalizer_version = semconv::kNormalizerVersion;
  std::set<model::TraceId> done;
  store::SpanScan scan;
  scan.project = project;
  scan.start_unix_nano = start_unix_nano;
  scan.end_unix_nano = end_unix_nano;
  // Collect trace ids a chunk at a time, resuming the scan after each chunk, so memory stays
  // bounded by the traces already handled rather than by the size of the range.
  while (true) {
    std::vector<model::TraceId> chunk;
    std::string resume;
    bool more = false;
    TS_RETURN_IF_ERROR(
        store.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition& pos) {
          resume = pos.token;
          if (done.insert(s.trace_id).second) chunk.push_back(s.trace_id);
          if (chunk.size() >= kTracesPerChunk) {
            more = true;
            return false;
          }
          return true;
        }));
    for (const auto& id : chunk) {
      TS_RETURN_IF_ERROR(RecomputeOne(store, project, id, prices, &report));
    }
    if (!more) break;
    scan.resume_after = resume;
  }
  return report;
}

}  // namespace tokenscope::query
