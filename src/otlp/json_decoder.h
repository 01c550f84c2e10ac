// OTLP/JSON decoder on simdjson, following the OTLP JSON rules: hex trace and span ids,
// 64-bit integers as decimal strings or numbers, enums as integers, lowerCamelCase keys,
// unknown fields ignored, bytesValue as base64.
//
// Strings are copied into the batch's arena (JSON strings must be unescaped), so `body` need
// not outlive the call. Invalid JSON or a wrong type for a known field gives InvalidArgument
// naming the field path. Thread-safe (each call uses its own parser).
#pragma once

#include <string_view>

#include "base/status.h"
#include "model/span.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp {

Status DecodeTraceRequestJson(std::string_view body, model::SpanBatch* batch, DecodeResult* result,
                              const DecodeLimits& limits = {});

}  // namespace tokenscope::otlp
