// How a search over span summaries is planned: which equality index (if any) to scan.
#pragma once

#include <optional>

#include "query/trace_query.h"
#include "store/store.h"

namespace tokenscope::query {

// The most selective equality index the condition allows: span name, then service, then error
// status (the store indexes only errors among statuses); nullopt means a time-range scan.
std::optional<store::IndexTerm> ChooseIndex(const SpanCondition& condition);

}  // namespace tokenscope::query
