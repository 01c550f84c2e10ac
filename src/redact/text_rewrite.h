// Rewriting a string with some of its byte ranges replaced by placeholders, such that JSON text
// stays valid JSON. Internal to src/redact/. Pure functions; thread-safe.
//
// Why JSON needs care: message attributes (gen_ai.input.messages, input.value, ...) are JSON
// text, and a match found in it may start inside an escape sequence ("\nbob@example.com"
// matches from the "n"), cover a quote (a custom pattern `"ssn": "\d+"`) or a bare number
// (`{"card": 4111111111111111}`). For text that is JSON (it starts with `{` or `[` and parses), a
// replaced range is split into its parts inside string literals, widened to whole escape sequences,
// and bare tokens (numbers, literals) it touches are replaced whole by the placeholder in quotes.
// Placeholders hold no quote or backslash, so the result parses whenever the input did. Other text
// is replaced byte range for byte range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tokenscope::redact::internal {

struct Replacement {
  size_t begin = 0;
  size_t end = 0;
  uint32_t kind = 0;  // what to write instead: index into the caller's placeholders
};

// `text` with each range of `replacements` (sorted by begin, not overlapping) replaced by
// placeholders[kind].
std::string Rewrite(std::string_view text, const std::vector<Replacement>& replacements,
                    const std::vector<std::string>& placeholders);

// Whether Rewrite treats `text` as JSON.
bool LooksLikeJsonText(std::string_view text);

}  // namespace tokenscope::redact::internal
