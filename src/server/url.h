// Request-target parsing for the query API: path and percent-decoded query parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokenscope::server {

struct ParsedTarget {
  std::string path;                                         // percent-decoded
  std::vector<std::pair<std::string, std::string>> params;  // in order, repeats kept

  // The first value of `name`, if present.
  std::optional<std::string> Param(std::string_view name) const;
};

// Splits "/a/b?x=1&y=%20z" into path and parameters. '+' in the query means a space.
// Returns nullopt for malformed percent escapes.
std::optional<ParsedTarget> ParseTarget(std::string_view target);

}  // namespace tokenscope::server
