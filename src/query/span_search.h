// SearchSpans: newest-first span search over a Store with the same conditions as trace
// search (SpanCondition) and cursors that stay correct while new data arrives. Each match
// comes back as a whole span in its own batch (with its resource and scope). Stateless;
// thread-safe as the Store is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "query/trace_query.h"
#include "store/store.h"

namespace tokenscope::query {

struct SpanSearchResult {
  std::vector<model::SpanBatch> spans;  // one span per batch, in the query's order
  std::optional<std::string> next_cursor;
  bool partial = false;  // as TraceSearchResult::partial
  std::string partial_reason;
};

// `query.limit` counts spans here. Orders other than start_time_desc are answered by
// SearchSpansRanked (ranked_search.h).
StatusOr<SpanSearchResult> SearchSpans(store::Store& store, const TraceQuery& query);

}  // namespace tokenscope::query
