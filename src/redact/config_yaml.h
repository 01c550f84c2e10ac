// Reading the `redaction:` section of the config file into a RedactionConfig. Kept apart from
// redaction_config.h so that only the config loader sees yaml-cpp. Pure functions; thread-safe.
//
//   redaction:
//     enabled: true                # default when the section is present
//     detectors: [email, phone, credit_card, api_key, ip]   # or "all" (default) / []
//     fields: content              # or all
//     attributes: ["user.email", "app.notes.*"]
//     patterns:
//       - {name: EMPLOYEE_ID, regex: 'EMP-\d{6}'}
//     projects:
//       acme: {detectors: [email], patterns: []}   # starts from the settings above
//       sandbox: {enabled: false}
//
// Errors are InvalidArgument with the 1-based "line L, column C" of the offending node and its
// dotted path ("redaction.projects.acme.detectors[1]"); unknown keys and detector names are
// errors, and custom patterns are compiled here so that a bad regex stops startup.
#pragma once

#include "base/status.h"
#include "redact/redaction_config.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace tokenscope::redact {

// Parses the mapping under `redaction:`. `*enabled` receives `enabled:`, or true when the
// section does not say (writing rules means wanting them applied).
StatusOr<RedactionConfig> ParseRedactionYaml(const YAML::Node& section, bool* enabled);

}  // namespace tokenscope::redact
