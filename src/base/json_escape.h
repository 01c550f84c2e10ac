// JSON string escaping for the places that write small JSON texts by hand (message attributes
// of generated or imported spans): quotes, backslashes and control characters escaped, other
// bytes (UTF-8 included) kept as they are. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tokenscope {

// The contents of a JSON string literal for `text`, without the surrounding quotes.
std::string JsonEscape(std::string_view text);

}  // namespace tokenscope
