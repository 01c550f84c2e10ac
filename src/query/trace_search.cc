#include "query/trace_search.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "query/cursor.h"
#include "query/ranked_search.h"
#include "query/scan_planning.h"
#include "query/trace_id_hash.h"

namespace tokenscope::query {
namespace {

class Searcher {
 public:
  Searcher(store::Store& store, const TraceQuery& query) : store_(store), query_(query) {}

  StatusOr<TraceSearchResult> Run() {
    std::optional<SearchCursor> cursor;
    if (!query_.cursor.empty()) {
      TS_ASSIGN_OR_RETURN(cursor, SearchCursor::Decode(query_.cursor));
    }
    store::SpanScan scan;
    scan.project = query_.project;
    scan.start_unix_nano = query_.start_unix_nano;
    scan.end_unix_nano = query_.end_unix_nano;
    scan.index = ChooseIndex(query_.condition);
    if (cursor) scan.resume_after = cursor->scan_token;

    bool exhausted = true;
    SearchCursor last;
    Status visit_status;
    Status scan_status =
        store_.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition& pos) {
          last = {s.start_time_unix_nano, s.trace_id, s.span_id, pos.token};
          ++examined_;
          auto accepted = Consider(s, cursor);
          if (!accepted.ok()) {
            visit_status = accepted.status();
            return false;
          }
          if (found_.size() >= query_.limit || examined_ >= query_.max_examined ||
              full_span_reads_ >= query_.max_full_span_reads) {
            exhausted = false;
            return false;
          }
          return true;
        });
    TS_RETURN_IF_ERROR(scan_status);
    TS_RETURN_IF_ERROR(visit_status);

    TraceSearchResult result;
    TS_ASSIGN_OR_RETURN(auto summaries, store_.GetTraceSummaries(query_.project, found_));
    // GetTraceSummaries may reorder; present traces in the order the scan found them.
    std::unordered_map<model::TraceId, model::TraceSummary*, TraceIdHash> by_id;
    for (auto& summary : summaries) by_id[summary.trace_id] = &summary;
    for (const auto& id : found_) {
      auto it = by_id.find(id);
      if (it != by_id.end()) result.traces.push_back(std::move(*it->second));
    }
    if (!exhausted) result.next_cursor = last.Encode();
    return result;
  }

 private:
  // Returns whether the span's trace was added to the page.
  StatusOr<bool> Consider(const store::SpanSummary& s, const std::optional<SearchCursor>& cursor) {
    if (seen_.count(s.trace_id) != 0) return false;
    if (!query_.condition.MatchesSummary(s)) return false;
    if (query_.condition.NeedsFullSpan()) {
      ++full_span_reads_;
      auto span = store_.GetSpan(query_.project, s.trace_id, s.span_id);
      if (!span.ok()) {
        if (span.status().code() == StatusCode::kNotFound) return false;
        return span.status();
      }
      if (span->spans.empty() || !query_.condition.MatchesFullSpan(*span, span->spans[0])) {
        return false;
      }
    }
    if (cursor) {
      TS_ASSIGN_OR_RETURN(bool earlier, MatchedOnEarlierPage(s.trace_id, *cursor));
      if (earlier) {
        seen_.insert(s.trace_id);
        return false;
      }
    }
    seen_.insert(s.trace_id);
    found_.push_back(s.trace_id);
    return true;
  }

  // A trace whose spans all start after the cursor's time cannot have matched before it;
  // only traces that straddle the cursor need their spans checked.
  StatusOr<bool> MatchedOnEarlierPage(const model::TraceId& trace_id, const SearchCursor& cursor) {
    auto summary = store_.GetTraceSummary(query_.project, trace_id);
    if (!summary.ok()) return summary.status();
    if (summary->last_span_start_unix_nano < cursor.start_unix_nano) return false;
    store::TraceSpansRequest request;
    request.project = query_.project;
    request.trace_id = trace_id;
    TS_ASSIGN_OR_RETURN(auto batch, store_.GetTraceSpans(request));
    for (const model::Span& span : batch.spans) {
      if (span.start_time_unix_nano < query_.start_unix_nano ||
          span.start_time_unix_nano >= query_.end_unix_nano) {
        continue;
      }
      if (!cursor.WasExamined(span.start_time_unix_nano, span.trace_id, span.span_id)) continue;
      store::SpanSummary s;
      s.start_time_unix_nano = span.start_time_unix_nano;
      s.duration_ns = span.duration_ns();
      s.status = span.status.code;
      s.kind = span.kind;
      s.service = std::string(model::ServiceName(batch.ResourceOf(span)));
      s.name = std::string(span.name);
      if (query_.condition.MatchesSummary(s) && query_.condition.MatchesFullSpan(batch, span)) {
        return true;
      }
    }
    return false;
  }

  store::Store& store_;
  const TraceQuery& query_;
  std::unordered_set<model::TraceId, TraceIdHash> seen_;
  std::vector<model::TraceId> found_;
  size_t examined_ = 0;
  size_t full_span_reads_ = 0;
};

}  // namespace

StatusOr<TraceSearchResult> SearchTraces(store::Store& store, const TraceQuery& query) {
  if (query.limit == 0) return InvalidArgument("limit must be at least 1");
  if (IsRankedOrder(query.order)) return SearchTracesRanked(store, query);
  return Searcher(store, query).Run();
}

}  // namespace tokenscope::query
