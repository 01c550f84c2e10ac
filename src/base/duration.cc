#include "base/duration.h"

#include <charconv>
#include <cmath>
#include <string>

namespace tokenscope {

std::optional<uint64_t> ParseDurationNanos(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t unit_at = 0;
  while (unit_at < text.size() &&
         ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.')) {
    ++unit_at;
  }
  std::string_view number = text.substr(0, unit_at);
  std::string_view unit = text.substr(unit_at);
  if (number.empty()) return std::nullopt;
  if (unit.empty()) {
    uint64_t ns = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), ns);
    if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
    return ns;
  }
  double scale = 0;
  if (unit == "ns")
    scale = 1;
  else if (unit == "us" || unit == "µs")
    scale = 1e3;
  else if (unit == "ms")
    scale = 1e6;
  else if (unit == "s")
    scale = 1e9;
  else if (unit == "m")
    scale = 60e9;
  else if (unit == "h")
    scale = 3600e9;
  else if (unit == "d")
    scale = 86400e9;
  else
    return std::nullopt;
  std::string copy(number);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  double ns = std::round(value * scale);
  if (!(ns >= 0) || ns >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(ns);
}

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

StatusOr<std::map<std::string, uint64_t>> ParseNamedDurations(std::string_view text) {
  std::map<std::string, uint64_t> out;
  if (TrimSpaces(text).empty()) return out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = TrimSpaces(text.substr(0, comma));
    const size_t equals = item.find('=');
    const std::string_view name =
        TrimSpaces(equals == std::string_view::npos ? item : item.substr(0, equals));
    const std::optional<uint64_t> ns =
        equals == std::string_view::npos ? std::nullopt
                                         : ParseDurationNanos(TrimSpaces(item.substr(equals + 1)));
    if (name.empty() || !ns) {
      return InvalidArgument("expected name=duration (like alpha=7d), got '" + std::string(item) +
                             "'");
    }
    if (!out.emplace(std::string(name), *ns).second) {
      return InvalidArgument("'" + std::string(name) + "' is given twice");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace tokenscope
