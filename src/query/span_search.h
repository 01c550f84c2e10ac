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
  std::vector<model::SpanBatch> spans;  // one span per batch, newest first
  std::optional<std::string> next_cursor;
};

// `query.limit` counts spans here.
StatusOr<SpanSearchResult> SearchSpans(store::Store& store, const TraceQuery& query);

}  // namespace tokenscope::query
