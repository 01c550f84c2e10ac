// Lenient reads of OTLP attribute values, for the normalizer (src/semconv/).
//
// Instrumentation libraries disagree on value types: token counts arrive as ints, as doubles
// (JavaScript numbers exported as doubleValue) or as decimal strings; temperatures arrive as
// strings; lists arrive as arrays or as JSON-encoded strings. These functions accept every
// such spelling and return nullopt for anything that is not a sensible value (NaN, an
// out-of-range number, text that is not a number). Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/span.h"

namespace tokenscope::semconv {

// Strings as they are; ints, doubles and bools spelled in decimal. Empty for anything else.
std::string AsString(const model::AnyValue& value);
// Ints; integral-valued or rounded doubles; decimal strings ("12", " 12 ", "12.0", "1e3").
std::optional<int64_t> AsInt(const model::AnyValue& value);
// Doubles and ints; decimal strings. NaN and infinities are rejected.
std::optional<double> AsDouble(const model::AnyValue& value);
// Bools; "true"/"false"/"1"/"0" in any case; ints 0 and 1.
std::optional<bool> AsBool(const model::AnyValue& value);
// Arrays (each element through AsString, empty ones dropped); a string holding a JSON array
// of strings; any other non-empty string as a one-element list.
std::vector<std::string> AsStringList(const model::AnyValue& value);

// Text to number, shared with the JSON readers.
std::optional<int64_t> ParseInt(std::string_view text);
std::optional<double> ParseDouble(std::string_view text);
// Rounds a finite double that fits int64 (token counts exported as 12.0); nullopt otherwise.
std::optional<int64_t> DoubleToInt(double d);

// The value as JSON text: strings quoted and escaped, bytes as base64 strings, kvlists as
// objects, arrays as arrays, empty values and non-finite doubles as null. Nesting deeper than
// `max_depth` is written as null, so hostile values cannot recurse without bound.
std::string AnyValueToJson(const model::AnyValue& value, int max_depth = 64);
// Appends `s` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string_view s, std::string* out);

// ASCII lower-casing and whitespace trimming, used for enum-like values (roles, kinds).
std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);

}  // namespace tokenscope::semconv
