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

}  // namespace tokenscope
