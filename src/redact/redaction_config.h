// RedactionConfig: what the `redaction:` section of the config file says — which detectors
// run, which custom RE2 patterns are added, and which attributes are scanned, by default and
// per project (docs/redaction.md). Plain data; the Redactor (redactor.h) validates and compiles
// it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tokenscope::redact {

// The built-in detectors; each replaces what it finds with its typed placeholder.
enum class Detector {
  kEmail,       // [REDACTED:EMAIL]
  kPhone,       // [REDACTED:PHONE]       E.164 (+CC ...) and NANP (415) 555-0123 style
  kCreditCard,  // [REDACTED:CREDIT_CARD] 13-19 digits, known issuer prefix, Luhn-valid
  kApiKey,      // [REDACTED:API_KEY]     provider keys, JWTs and `Bearer <token>`
  kIp,          // [REDACTED:IP]          IPv4 and IPv6 addresses
};

// Every detector, in the order the docs list them.
const std::vector<Detector>& AllDetectors();
// The config name ("email", "phone", "credit_card", "api_key", "ip").
std::string_view DetectorName(Detector detector);
// The placeholder type ("EMAIL", "PHONE", "CREDIT_CARD", "API_KEY", "IP").
std::string_view DetectorType(Detector detector);

// A user rule: every match of `regex` (RE2 syntax) becomes [REDACTED:<name>]. When the regex
// has capture groups, only what group 1 matched is replaced (`token=(\w+)` keeps "token=").
struct CustomPattern {
  std::string name;  // [A-Za-z0-9_]{1,32}, upper-cased for the placeholder
  std::string regex;
};

// Which attribute values are scanned. Log bodies and span status messages are always scanned.
enum class FieldScope {
  kContent,  // content attributes of every GenAI convention (semconv/content_keys.h) and
             // every attribute of content events, plus `attributes`
  kAll,      // every string attribute of spans, span events, links and log records
};

// The rules one project gets.
struct RedactionProfile {
  bool enabled = true;
  std::vector<Detector> detectors = AllDetectors();
  std::vector<CustomPattern> patterns;
  FieldScope fields = FieldScope::kContent;
  // Extra attribute keys to scan: exact ("user.email") or with `*` wildcards
  // ("llm.input_messages.*", "app.*.note").
  std::vector<std::string> attributes;
};

struct RedactionConfig {
  RedactionProfile defaults;  // every project not listed in `projects`
  std::map<std::string, RedactionProfile, std::less<>> projects;
};

}  // namespace tokenscope::redact
