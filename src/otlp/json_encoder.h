// OTLP/JSON encoder: ExportTraceServiceRequest and the response messages in the OTLP JSON
// form (hex ids, int64 as decimal strings, integer enums, lowerCamelCase). Used for the
// responses to JSON requests, by the demo and benchmarks, and by round-trip tests.
#pragma once

#include <string>

#include "model/span.h"

namespace tokenscope::otlp {

std::string EncodeTraceRequestJson(const model::SpanBatch& batch);

// {} or {"partialSuccess":{"rejectedSpans":"N","errorMessage":"..."}}
std::string EncodeTraceResponseJson(int64_t rejected_spans, std::string_view error_message);

// {"code":N,"message":"..."} (google.rpc.Status in JSON)
std::string EncodeRpcStatusJson(int32_t code, std::string_view message);

}  // namespace tokenscope::otlp
