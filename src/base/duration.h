// Durations as people write them: "250ms", "2s", "1.5m", "2h", "7d", "800us", "100ns", or a
// bare integer meaning nanoseconds. Shared by the API, the CLI and the filter language.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope {

// nullopt for anything malformed, negative or overflowing.
std::optional<uint64_t> ParseDurationNanos(std::string_view text);

// "alpha=7d, beta=0" -> {alpha: 7 days, beta: 0}: comma-separated name=duration pairs (spaces
// around items ignored, "" -> empty). InvalidArgument naming the bad item; a name given twice is
// an error too.
StatusOr<std::map<std::string, uint64_t>> ParseNamedDurations(std::string_view text);

}  // namespace tokenscope
