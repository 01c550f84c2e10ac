// Durations as people write them: "250ms", "2s", "1.5m", "2h", "7d", "800us", "100ns", or a
// bare integer meaning nanoseconds. Shared by the API, the CLI and the filter language.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tokenscope {

// nullopt for anything malformed, negative or overflowing.
std::optional<uint64_t> ParseDurationNanos(std::string_view text);

}  // namespace tokenscope
