// SearchTraces: newest-first trace search over a Store, with cursors that stay correct while
// new data arrives.
//
// The scan walks span summaries newest first (through an equality index when the query names
// a service, span name or status) and emits each trace at its newest matching span. A cursor
// is the scan position of the last span examined. A trace that straddles a page boundary is
// emitted only once: on a later page it is skipped when one of its spans before the cursor
// already matched. Stateless; thread-safe as the Store is.
#pragma once

#include "base/status.h"
#include "query/trace_query.h"
#include "store/store.h"

namespace tokenscope::query {

StatusOr<TraceSearchResult> SearchTraces(store::Store& store, const TraceQuery& query);

}  // namespace tokenscope::query
