#include "query/rollup_rebuild.h"

#include <algorithm>
#include <optional>

#include "enrich/span_analysis.h"

namespace tokenscope::query {
namespace {

constexpr uint64_t kMinutesPerChunk = 60;

// The cells of [start_minute, end_minute) now: how many, their requests and cost.
Status CountCells(store::Store& store, const std::string& project, uint64_t start_minute,
                  uint64_t end_minute, RollupRebuildReport* report) {
  return store.ScanRollups({project, start_minute, end_minute},
                           [&](const rollup::RollupEntry& entry) {
                             ++report->cells_before;
                             report->requests_before += entry.cell.requests;
                             report->cost_before_nanos += entry.cell.total_cost_nanos;
                             return true;
                           });
}

// The folded contributions of every LLM call starting in [start_minute, end_minute).
StatusOr<std::vector<rollup::RollupEntry>> RecomputeCells(
    store::Store& store, const std::string& project, uint64_t start_minute, uint64_t end_minute,
    const enrich::PriceTable* prices, const std::vector<rollup::AllocationDimension>& dimensions,
    rollup::Aggregator* aggregator, RollupRebuildReport* report) {
  rollup::CellFolder folder;
  store::SpanScan scan;
  scan.project = project;
  scan.start_unix_nano = start_minute * rollup::kNanosPerMinute;
  scan.end_unix_nano = end_minute * rollup::kNanosPerMinute;
  Status failed;
  std::vector<std::optional<rollup::RollupEntry>> one(1);
  TS_RETURN_IF_ERROR(
      store.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition&) {
        ++report->spans_examined;
        auto read = store.GetSpan(project, s.trace_id, s.span_id);
        if (!read.ok()) {
          if (read.status().code() != StatusCode::kNotFound) failed = read.status();
          return failed.ok();
        }
        if (read->spans.empty()) return true;
        const model::Span& span = read->spans[0];
        const model::Resource& resource = read->ResourceOf(span);
        enrich::SpanAnalysis analysis =
            enrich::AnalyzeSpan(span, resource, read->ScopeOf(span), prices);
        one[0] = rollup::ContributionOf(
            span, resource, analysis.llm,
            analysis.error ? analysis.error->error_class : model::ErrorClass::kNone, dimensions);
        if (!one[0]) return true;
        if (aggregator != nullptr) aggregator->Admit(project, &one);
        folder.Add(std::move(*one[0]));
        return true;
      }));
  TS_RETURN_IF_ERROR(failed);
  return folder.Take();
}

}  // namespace

StatusOr<RollupRebuildReport> RebuildRollups(
    store::Store& store, const std::string& project, uint64_t start_unix_nano,
    uint64_t end_unix_nano, const enrich::PriceTable* prices,
    const std::vector<rollup::AllocationDimension>& dimensions, rollup::Aggregator* aggregator) {
  if (end_unix_nano <= start_unix_nano) return InvalidArgument("'end' must be after 'start'");
  const uint64_t start_minute = rollup::MinuteOf(start_unix_nano);
  const uint64_t end_minute = rollup::MinuteOf(end_unix_nano - 1) + 1;
  RollupRebuildReport report;
  report.start_unix_nano = start_minute * rollup::kNanosPerMinute;
  report.end_unix_nano = end_minute * rollup::kNanosPerMinute;
  for (uint64_t chunk = start_minute; chunk < end_minute; chunk += kMinutesPerChunk) {
    const uint64_t chunk_end = std::min(end_minute, chunk + kMinutesPerChunk);
    TS_RETURN_IF_ERROR(CountCells(store, project, chunk, chunk_end, &report));
    TS_ASSIGN_OR_RETURN(
        std::vector<rollup::RollupEntry> cells,
        RecomputeCells(store, project, chunk, chunk_end, prices, dimensions, aggregator, &report));
    for (const rollup::RollupEntry& entry : cells) {
      ++report.cells_after;
      report.requests_after += entry.cell.requests;
      report.cost_after_nanos += entry.cell.total_cost_nanos;
    }
    TS_RETURN_IF_ERROR(store.ReplaceRollups(project, chunk, chunk_end, cells));
  }
  return report;
}

}  // namespace tokenscope::query
