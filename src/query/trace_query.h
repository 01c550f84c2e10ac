// TraceQuery and SpanCondition: what a trace search asks for, independent of HTTP.
//
// A trace matches when any one of its spans satisfies every condition of the query. The
// conditions here are the structured ones of the v1 API (service, name, status, duration,
// attribute equality). Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/span.h"
#include "query/filter/filter_ast.h"
#include "query/search_order.h"

namespace tokenscope::enrich {
class PriceTable;
}
#include "store/store.h"

namespace tokenscope::query {

struct SpanCondition {
  std::optional<std::string> service;
  std::optional<std::string> name;
  std::optional<model::StatusCode> status;
  std::optional<uint64_t> min_duration_ns;
  std::optional<uint64_t> max_duration_ns;
  // attribute key -> expected value, compared as the attribute's own type (see AttributeEquals)
  std::vector<std::pair<std::string, std::string>> attribute_equals;

  // Prices LLM spans for the `cost` filter field; not owned, may be null.
  const enrich::PriceTable* prices = nullptr;
  // A filter-language expression (DESIGN.md §7); set through SetFilter.
  std::optional<filter::Filter> filter;

  void SetFilter(filter::Filter f);

  // Checks every condition the span summary can answer. A false answer is final; a true one
  // still needs MatchesFullSpan when NeedsFullSpan().
  bool MatchesSummary(const store::SpanSummary& summary) const;
  bool NeedsFullSpan() const { return !attribute_equals.empty() || filter_needs_full_span_; }
  // The conditions that need the whole span: attribute equality and the filter.
  bool MatchesFullSpan(const model::SpanBatch& batch, const model::Span& span) const;

 private:
  bool filter_needs_full_span_ = false;
};

// True when `value` equals the textual `expected`: strings compare exactly, integers and
// doubles numerically, booleans as "true"/"false".
bool AttributeEquals(const model::AnyValue& value, std::string_view expected);

struct TraceQuery {
  std::string project;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
  SpanCondition condition;
  size_t limit = 20;
  std::string cursor;  // opaque, from a previous TraceSearchResult
  // Any order but the default ranks every match of the time range (see ranked_search.h).
  SearchOrder order = SearchOrder::kStartTimeDesc;
  // Upper bound on span summaries examined per call, so that a rare match in a huge range
  // answers with a partial page and a cursor instead of scanning for minutes.
  size_t max_examined = 500'000;
  // The same for spans whose whole record must be read (attribute and LLM conditions), which
  // cost a point lookup and a decode each.
  size_t max_full_span_reads = 20'000;
};

struct TraceSearchResult {
  std::vector<model::TraceSummary> traces;
  std::optional<std::string> next_cursor;
  // Ordered searches only: a budget (max_examined, max_full_span_reads) stopped the scan
  // before the start of the time range, so the ranking covers only the newer part of it;
  // `partial_reason` says which budget and how far back the scan got.
  bool partial = false;
  std::string partial_reason;
};

}  // namespace tokenscope::query
