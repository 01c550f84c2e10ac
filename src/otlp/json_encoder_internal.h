// Internal to the OTLP/JSON encoders (traces and logs). Not part of the public interface;
// include only from src/otlp/*.cc. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tokenscope::otlp::json_internal {

// An Export*ServiceResponse in JSON: {} or
// {"partialSuccess":{"<rejected_key>":"N","errorMessage":"..."}}, the count as a decimal
// string (int64 in OTLP/JSON) and left out when zero.
std::string EncodePartialSuccessJson(std::string_view rejected_key, int64_t rejected,
                                     std::string_view error_message);

}  // namespace tokenscope::otlp::json_internal
