// SearchCursor: the opaque `cursor` of a trace search page — the scan position of the last
// span summary the previous page examined. Encoded as URL-safe base64 so it can travel in a
// query string unchanged. Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "model/span.h"

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

}  // namespace tokenscope::query
