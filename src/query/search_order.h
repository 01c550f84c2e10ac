// SearchOrder: the order in which a trace or span search returns its results, and the names
// the HTTP API and the CLI use for it.
//
// kStartTimeDesc is the streaming newest-first order that pages through a time window
// without reading all of it. Every other order ranks all matches of the window, so it is
// answered by a full scan (see ranked_search.h). Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope::query {

enum class SearchOrder : uint8_t {
  kStartTimeDesc = 0,  // newest first (default)
  kStartTimeAsc = 1,   // oldest first (traces only)
  kDurationDesc = 2,   // longest first
  kCostDesc = 3,       // most expensive first (priced LLM cost)
  kTokensDesc = 4,     // most total tokens first
  kLlmCallsDesc = 5,   // most LLM calls first (traces only)
};

// What a search returns; each allows a different set of orders.
enum class SearchSubject : uint8_t { kTraces, kSpans };

// "start_time_desc", "cost_desc", ...
std::string_view SearchOrderName(SearchOrder order);

// The names of the orders `subject` allows, comma-separated, for help and error messages.
std::string AllowedOrderNames(SearchSubject subject);

// Parses an order name; InvalidArgument, listing the allowed names, for any other text or an
// order the subject does not allow.
StatusOr<SearchOrder> ParseSearchOrder(std::string_view name, SearchSubject subject);

// True for every order but the default newest-first one.
inline bool IsRankedOrder(SearchOrder order) {
  return order != SearchOrder::kStartTimeDesc;
}

}  // namespace tokenscope::query
