#include "server/query_params.h"

#include <charconv>
#include <chrono>
#include <string>

#include "base/clock.h"
#include "base/duration.h"
#include "base/hex.h"

namespace tokenscope::server {
namespace {

template <size_t N>
StatusOr<std::optional<std::array<uint8_t, N>>> ParseHexId(const ParsedTarget& t,
                                                           std::string_view name,
                                                           std::string_view what) {
  auto v = t.Param(name);
  if (!v) return std::optional<std::array<uint8_t, N>>();
  std::array<uint8_t, N> id{};
  if (v->size() != 2 * N || !HexDecode(*v, id.data())) {
    return InvalidArgument("parameter '" + std::string(name) + "' must be a " + std::string(what) +
                           " of " + std::to_string(2 * N) + " hex characters, got '" + *v + "'");
  }
  return std::optional<std::array<uint8_t, N>>(id);
}

}  // namespace

StatusOr<uint64_t> ParseUintParam(const ParsedTarget& t, std::string_view name, uint64_t fallback) {
  auto v = t.Param(name);
  if (!v) return fallback;
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size()) {
    return InvalidArgument("parameter '" + std::string(name) +
                           "' must be a non-negative integer, got '" + *v + "'");
  }
  return out;
}

StatusOr<std::optional<uint64_t>> ParseDurationParam(const ParsedTarget& t, std::string_view name) {
  auto v = t.Param(name);
  if (!v) return std::optional<uint64_t>();
  auto ns = ParseDurationNanos(*v);
  if (!ns) {
    return InvalidArgument("parameter '" + std::string(name) +
                           "' must be a duration like 250ms, 2s or 1h, got '" + *v + "'");
  }
  return std::optional<uint64_t>(*ns);
}

StatusOr<TimeRange> ParseTimeRange(const ParsedTarget& t) {
  TimeRange range;
  TS_ASSIGN_OR_RETURN(range.start_unix_nano, ParseUintParam(t, "start", 0));
  TS_ASSIGN_OR_RETURN(range.end_unix_nano, ParseUintParam(t, "end", UINT64_MAX));
  TS_ASSIGN_OR_RETURN(auto since, ParseDurationParam(t, "since"));
  if (since) {
    if (t.Param("start")) return InvalidArgument("give either 'start' or 'since', not both");
    const uint64_t now = UnixNanosNow();
    range.start_unix_nano = *since < now ? now - *since : 0;
  }
  if (range.end_unix_nano <= range.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  return range;
}

StatusOr<TimeRange> ParseTimeRangeEndingNow(const ParsedTarget& t, uint64_t default_span) {
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRange(t));
  if (!t.Param("end")) range.end_unix_nano = UnixNanosNow();
  if (!t.Param("start") && !t.Param("since")) {
    range.start_unix_nano =
        range.end_unix_nano > default_span ? range.end_unix_nano - default_span : 0;
  }
  if (range.end_unix_nano <= range.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  return range;
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    pos = comma + 1;
  }
  return out;
}

StatusOr<std::optional<model::TraceId>> ParseTraceIdParam(const ParsedTarget& t,
                                                          std::string_view name) {
  return ParseHexId<16>(t, name, "trace id");
}

StatusOr<std::optional<model::SpanId>> ParseSpanIdParam(const ParsedTarget& t,
                                                        std::string_view name) {
  return ParseHexId<8>(t, name, "span id");
}

}  // namespace tokenscope::server
