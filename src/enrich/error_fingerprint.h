// Error fingerprints: the normalized form of an error message under which occurrences of the
// same error group together (DESIGN.md §4, "error_fingerprint").
//
// Fingerprint() masks what varies between occurrences of one error and keeps what tells
// errors apart:
//   URLs -> <url>, emails -> <email>, timestamps (ISO 8601, RFC 1123, hh:mm:ss) -> <time>,
//   IPv4/IPv6 addresses (with port) -> <ip>, UUIDs -> <uuid>, hex ids (>= 8 hex digits, not
//   all decimal) -> <hex>, provider ids ("req_abc123", "org-abc123", "chatcmpl-…", and any
//   token with a long random-looking letter/digit segment) -> <id>,
//   numbers (ints, decimals, 1,000 groups, exponents) -> <num> with the unit kept
//   ("4097 tokens" -> "<num> tokens"), durations with an attached unit ("1.2s", "850ms")
//   -> <duration>,
//   quoted values without whitespace ('gpt-4o', "abc") -> '<str>' / "<str>".
// Quoted text that contains whitespace is prose (a nested message, as in the Python repr of a
// provider's error body) and is normalized in place rather than masked; quoted identifiers
// such as 'messages', 'rate_limit_exceeded' or 'messages[0].content' are kept, because they
// name the kind of error rather than an occurrence of it. Version-like tokens inside words
// ("gpt-4o", "claude-3-5-sonnet") are kept as well.
// Invalid UTF-8 bytes become '?', whitespace runs collapse to one space, and the result is
// capped at kMaxFingerprintBytes on a UTF-8 character boundary.
//
// Pure functions; the compiled patterns are immutable function-local statics, so every
// function here is safe to call concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/llm.h"

namespace tokenscope::enrich {

// Upper bound of Fingerprint()'s result, in bytes.
inline constexpr size_t kMaxFingerprintBytes = 256;

// The normalized form of `message`. Deterministic: equal inputs give equal outputs, on every
// run and build.
std::string Fingerprint(std::string_view message);

// The fingerprint stored on a span: "<class>:<reason>:<Fingerprint(message)>", e.g.
// "infrastructure:rate_limited:Rate limit reached for gpt-4o in organization <id> ...".
std::string ErrorFingerprint(model::ErrorClass error_class, std::string_view reason,
                             std::string_view message);

}  // namespace tokenscope::enrich
