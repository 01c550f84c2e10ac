// Parsing of the query API's common parameters: non-negative integers, durations, the time
// range (start / end / since) and hex ids. Each failure is InvalidArgument naming the
// parameter, ready to be answered as a 400. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/span.h"
#include "server/url.h"

namespace tokenscope::server {

// The integer value of parameter `name`, or `fallback` when absent.
StatusOr<uint64_t> ParseUintParam(const ParsedTarget& t, std::string_view name, uint64_t fallback);

// The duration (250ms, 2s, 1h, ...) of parameter `name` in nanoseconds, nullopt when absent.
StatusOr<std::optional<uint64_t>> ParseDurationParam(const ParsedTarget& t, std::string_view name);

// [start, end) in unix nanoseconds from `start` and `end` (unix ns) or `since` (a duration
// back from now, instead of `start`). Unbounded ends default to 0 and UINT64_MAX.
struct TimeRange {
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
};
StatusOr<TimeRange> ParseTimeRange(const ParsedTarget& t);
// ParseTimeRange, where an absent `end` means now and an absent `start` (and `since`) means
// `default_span` before the end: the defaults of the metrics and costs endpoints.
StatusOr<TimeRange> ParseTimeRangeEndingNow(const ParsedTarget& t, uint64_t default_span);

// "a, b,,c" -> {"a", "b", "c"}: comma-separated items, blanks trimmed, empty items dropped.
std::vector<std::string> SplitCommaList(std::string_view text);

// A 32-hex-digit trace id or 16-hex-digit span id parameter; nullopt when absent.
StatusOr<std::optional<model::TraceId>> ParseTraceIdParam(const ParsedTarget& t,
                                                          std::string_view name);
StatusOr<std::optional<model::SpanId>> ParseSpanIdParam(const ParsedTarget& t,
                                                        std::string_view name);

}  // namespace tokenscope::server
