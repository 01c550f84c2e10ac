// gzip (RFC 1952) compression and bounded decompression on zlib.
//
// Decompression is bounded because request bodies are untrusted: a few kilobytes of gzip can
// expand to gigabytes. Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope {

// Inflates gzip (or zlib-wrapped) data. Returns ResourceExhausted when the output would
// exceed `max_output_bytes`, InvalidArgument for corrupt or truncated input.
StatusOr<std::string> GzipDecompress(std::string_view compressed, size_t max_output_bytes);

std::string GzipCompress(std::string_view data, int level = 6);

}  // namespace tokenscope
