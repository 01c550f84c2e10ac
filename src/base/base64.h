// Standard base64 (RFC 4648, with padding), used for OTLP/JSON `bytesValue` and for bytes
// attributes in API responses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tokenscope {

std::string Base64Encode(std::string_view bytes);

// Decodes standard or URL-safe base64, padded or not. nullopt on any invalid character.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace tokenscope
