#include "query/span_search.h"

#include "query/cursor.h"
#include "query/ranked_search.h"
#include "query/scan_planning.h"

namespace tokenscope::query {

StatusOr<SpanSearchResult> SearchSpans(store::Store& store, const TraceQuery& query) {
  if (query.limit == 0) return InvalidArgument("limit must be at least 1");
  if (IsRankedOrder(query.order)) return SearchSpansRanked(store, query);
  store::SpanScan scan;
  scan.project = query.project;
  scan.start_unix_nano = query.start_unix_nano;
  scan.end_unix_nano = query.end_unix_nano;
  scan.index = ChooseIndex(query.condition);
  if (!query.cursor.empty()) {
    TS_ASSIGN_OR_RETURN(SearchCursor cursor, SearchCursor::Decode(query.cursor));
    scan.resume_after = cursor.scan_token;
  }

  SpanSearchResult result;
  SearchCursor last;
  size_t examined = 0;
  size_t full_reads = 0;
  bool exhausted = true;
  Status visit_status;
  TS_RETURN_IF_ERROR(
      store.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition& pos) {
        last = {s.start_time_unix_nano, s.trace_id, s.span_id, pos.token};
        ++examined;
        if (query.condition.MatchesSummary(s)) {
          ++full_reads;
          auto span = store.GetSpan(query.project, s.trace_id, s.span_id);
          if (!span.ok() && span.status().code() != StatusCode::kNotFound) {
            visit_status = span.status();
            return false;
          }
          if (span.ok() && !span->spans.empty() &&
              query.condition.MatchesFullSpan(*span, span->spans[0])) {
            result.spans.push_back(std::move(span).value());
          }
        }
        if (result.spans.size() >= query.limit || examined >= query.max_examined ||
            full_reads >= query.max_full_span_reads) {
          exhausted = false;
          return false;
        }
        return true;
      }));
  TS_RETURN_IF_ERROR(visit_status);
  if (!exhausted) result.next_cursor = last.Encode();
  return result;
}

}  // namespace tokenscope::query
