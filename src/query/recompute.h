// RecomputeTraceSummaries: rebuilds the summaries of every trace with a span in a time range
// from the stored spans, with the current normalizer and price table — what `tokenscope
// reprice` runs after a price change and `tokenscope renormalize` after a normalizer upgrade.
// Span-level LLM sections and costs need no rewrite (they are derived when read); the trace
// totals stored at ingest do. Reports what changed. Reads and writes through the Store;
// safe to run while ingest continues (see Store::ReplaceTraceSummary for the one race).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "enrich/pricing.h"
#include "store/store.h"

namespace tokenscope::query {

// The before -> after figures are sums over the examined traces.
struct RecomputeReport {
  uint32_t normalizer_version = 0;  // the normalizer the new summaries were built with
  uint64_t traces_examined = 0;
  uint64_t traces_changed = 0;  // summaries whose cost, tokens or counts differed
  int64_t cost_before_nanos = 0;
  int64_t cost_after_nanos = 0;
  uint64_t llm_calls_before = 0;
  uint64_t llm_calls_after = 0;
  int64_t total_tokens_before = 0;
  int64_t total_tokens_after = 0;
};

StatusOr<RecomputeReport> RecomputeTraceSummaries(store::Store& store, const std::string& project,
                                                  uint64_t start_unix_nano, uint64_t end_unix_nano,
                                                  const enrich::PriceTable* prices);

}  // namespace tokenscope::query
