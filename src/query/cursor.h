// The opaque `cursor` of a search page, encoded as URL-safe base64 so it can travel in a query
// string unchanged. Two kinds, told apart by their first byte:
//   SearchCursor  newest-first searches: the scan position of the last span summary the
//                 previous page examined.
//   RankCursor    ordered searches (cost, tokens, ...): the order and the RankKey of the last
//                 result the previous page returned.
// A cursor of one kind (or order) given to a search of another is rejected. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "model/span.h"
#include "query/ranking.h"
#include "query/search_order.h"

namespace tokenscope::query {

struct SearchCursor {
  uint64_t start_unix_nano = 0;
  model::TraceId trace_id{};
  model::SpanId span_id{};
  std::string scan_token;  // the store's resume token

  std::string Encode() const;
  static StatusOr<SearchCursor> Decode(std::string_view text);

  // True when a span at (start, trace, span) is at or before this position in scan order
  // (newest first; equal starts in ascending trace id, span id): an earlier page examined it.
  bool WasExamined(uint64_t start, const model::TraceId& trace, const model::SpanId& span) const;
};

struct RankCursor {
  SearchOrder order = SearchOrder::kStartTimeDesc;
  RankKey last;  // the last result of the previous page

  std::string Encode() const;
  // Fails unless the cursor was issued for a search in `expected` order.
  static StatusOr<RankCursor> Decode(std::string_view text, SearchOrder expected);
};

}  // namespace tokenscope::query
