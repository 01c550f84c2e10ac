// Ordered searches: trace and span search in any order but the default newest-first one
// (most expensive, most tokens, longest, most LLM calls, oldest first).
//
// Such an order needs every match of the time range, so the whole range is scanned (through
// the same equality index and conditions as the newest-first search) and the best
// `query.limit` results after the cursor are kept in a bounded heap (ranking.h). Traces rank
// by their stored summary (the LLM totals computed at ingest), spans by their own duration and
// priced LLM section. Ties go to the later start, then the smaller trace id (and span id), so
// pages are deterministic; the cursor is the last result's RankKey, so the next page starts
// exactly after it. Each page rescans the range.
//
// The scan honours the query's budgets (max_examined, max_full_span_reads). When one runs
// out before the start of the range, the answer ranks only what was scanned (the newest part
// of the range) and says so with `partial` and `partial_reason`; it is never silently
// incomplete. Stateless; thread-safe as the Store is.
#pragma once

#include "base/status.h"
#include "query/span_search.h"
#include "query/trace_query.h"
#include "store/store.h"

namespace tokenscope::query {

// `query.order` must not be kStartTimeDesc (that is SearchTraces' streaming path).
StatusOr<TraceSearchResult> SearchTracesRanked(store::Store& store, const TraceQuery& query);

// `query.order` must be one of the span orders (duration, cost, tokens).
StatusOr<SpanSearchResult> SearchSpansRanked(store::Store& store, const TraceQuery& query);

}  // namespace tokenscope::query
