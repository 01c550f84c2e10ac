#include "query/search_order.h"

#include <array>

namespace tokenscope::query {
namespace {

struct OrderEntry {
  SearchOrder order;
  std::string_view name;
  bool for_traces;
  bool for_spans;
};

// Listed in the order help texts and error messages show them.
constexpr std::array<OrderEntry, 6> kOrders = {{
    {SearchOrder::kStartTimeDesc, "start_time_desc", true, true},
    {SearchOrder::kStartTimeAsc, "start_time_asc", true, false},
    {SearchOrder::kDurationDesc, "duration_desc", true, true},
    {SearchOrder::kCostDesc, "cost_desc", true, true},
    {SearchOrder::kTokensDesc, "tokens_desc", true, true},
    {SearchOrder::kLlmCallsDesc, "llm_calls_desc", true, false},
}};

bool Allows(const OrderEntry& entry, SearchSubject subject) {
  return subject == SearchSubject::kTraces ? entry.for_traces : entry.for_spans;
}

}  // namespace

std::string_view SearchOrderName(SearchOrder order) {
  for (const OrderEntry& entry : kOrders) {
    if (entry.order == order) return entry.name;
  }
  return "unknown";
}

std::string AllowedOrderNames(SearchSubject subject) {
  std::string names;
  for (const OrderEntry& entry : kOrders) {
    if (!Allows(entry, subject)) continue;
    if (!names.empty()) names += ", ";
    names += entry.name;
  }
  return names;
}

StatusOr<SearchOrder> ParseSearchOrder(std::string_view name, SearchSubject subject) {
  for (const OrderEntry& entry : kOrders) {
    if (entry.name == name && Allows(entry, subject)) return entry.order;
  }
  return InvalidArgument("must be one of " + AllowedOrderNames(subject) + ", got '" +
                         std::string(name.substr(0, 64)) + "'");
}

}  // namespace tokenscope::query
