// The built-in detectors as rules: an RE2 pattern that finds candidates and a check that
// accepts or rejects each candidate in its context (Luhn for card numbers, digit counts for
// phone numbers, "not part of a longer token" for numbers and addresses). Internal to
// src/redact/. Stateless functions over constant tables; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "redact/redaction_config.h"

namespace tokenscope::redact::internal {

// Accepts a candidate match text[begin, end) of a rule, looking at the text around it.
using CandidateCheck = bool (*)(std::string_view text, size_t begin, size_t end);

struct RuleSpec {
  std::string_view pattern;    // RE2; when it has a capture group, group 1 is what is replaced
  bool longest_match = false;  // leftmost-longest instead of leftmost-first (alternations)
  CandidateCheck check = nullptr;
};

// The rules that make up a detector (several for API keys: one per key format).
std::vector<RuleSpec> BuiltinRules(Detector detector);

// Checks exposed for tests.
// Whether `digits` (decimal digits only) passes the Luhn checksum.
bool LuhnValid(std::string_view digits);
// Whether a digit string has the length and issuer prefix of a payment card number.
bool HasCardIssuerShape(std::string_view digits);

}  // namespace tokenscope::redact::internal
