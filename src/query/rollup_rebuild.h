// RebuildRollups: recomputes the rollup cells of a time range from the stored spans, with the
// current normalizer, price table and allocation dimensions — what `tokenscope rollup rebuild`
// runs when rollups are missing (data from before rollups existed, a changed dimension list)
// and what reprice and renormalize run after recomputing trace summaries.
//
// One newest-first pass over the range's spans, an hour at a time: the hour's contributions are
// folded and swapped for the hour's cells in one atomic write (Store::ReplaceRollups), together
// with the cells of any later hours without spans, so memory stays bounded, hours without data
// cost nothing (a rebuild from the epoch is as cheap as one over the stored data), and queries
// see either the old or the new cells of an hour, never a mix. Calls ingested into an hour
// while it is being rebuilt may be missed (Store::ReplaceRollups).
// Stateless; thread-safe as the Store and Aggregator are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "enrich/pricing.h"
#include "rollup/aggregator.h"
#include "rollup/rollup.h"
#include "store/store.h"

namespace tokenscope::query {

struct RollupRebuildReport {
  uint64_t start_unix_nano = 0;  // the range rebuilt, widened to whole minutes
  uint64_t end_unix_nano = 0;
  uint64_t spans_examined = 0;
  uint64_t cells_before = 0;
  uint64_t cells_after = 0;
  uint64_t requests_before = 0;
  uint64_t requests_after = 0;
  int64_t cost_before_nanos = 0;
  int64_t cost_after_nanos = 0;
};

// `prices` may be null (no costs); `aggregator` (may be null) bounds cardinality as at ingest.
StatusOr<RollupRebuildReport> RebuildRollups(
    store::Store& store, const std::string& project, uint64_t start_unix_nano,
    uint64_t end_unix_nano, const enrich::PriceTable* prices,
    const std::vector<rollup::AllocationDimension>& dimensions, rollup::Aggregator* aggregator);

}  // namespace tokenscope::query
