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
  TS_RETURN_IF_ERROR(CountCells(store, project, start_minute, end_minute, &report));

  // One newest-first pass over the spans. The calls of one hour are folded together; when the
  // scan reaches an earlier hour, everything from the start of the folded hour up to `upper`
  // (the part already replaced) is replaced by the folded cells, which also clears the hours in
  // between that hold no spans. Only hours with spans cost work, whatever the range.
  rollup::CellFolder folder;
  uint64_t upper = end_minute;
  std::optional<uint64_t> chunk_start;
  auto replace_down_to = [&](uint64_t lower) -> Status {
    std::vector<rollup::RollupEntry> cells = folder.Take();
    for (const rollup::RollupEntry& entry : cells) {
      ++report.cells_after;
      report.requests_after += entry.cell.requests;
      report.cost_after_nanos += entry.cell.total_cost_nanos;
    }
    if (lower < upper) TS_RETURN_IF_ERROR(store.ReplaceRollups(project, lower, upper, cells));
    upper = lower;
    return Status::Ok();
  };

  store::SpanScan scan;
  scan.project = project;
  scan.start_unix_nano = report.start_unix_nano;
  scan.end_unix_nano =
      end_minute > UINT64_MAX / rollup::kNanosPerMinute ? UINT64_MAX : report.end_unix_nano;
  Status failed;
  std::vector<std::optional<rollup::RollupEntry>> one(1);
  TS_RETURN_IF_ERROR(
      store.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition&) {
        ++report.spans_examined;
        const uint64_t minute = rollup::MinuteOf(s.start_time_unix_nano);
        const uint64_t hour_start = std::max(start_minute, minute - minute % kMinutesPerChunk);
        if (!chunk_start) {
          chunk_start = hour_start;
        } else if (hour_start < *chunk_start) {
          failed = replace_down_to(*chunk_start);
          if (!failed.ok()) return false;
          chunk_start = hour_start;
        }
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
  if (chunk_start) TS_RETURN_IF_ERROR(replace_down_to(*chunk_start));
  TS_RETURN_IF_ERROR(replace_down_to(start_minute));
  return report;
}

}  // namespace tokenscope::query
