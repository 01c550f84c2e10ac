// DecodeResult and DecodeLimits: what an OTLP decoder reports back besides the spans, and
// the bounds it enforces on untrusted input.
#pragma once

#include <cstdint>
#include <string>

namespace tokenscope::otlp {

struct DecodeLimits {
  // Deepest nesting of AnyValue arrays/kvlists (and message nesting generally). Deeper input
  // is rejected as invalid rather than recursing without bound.
  int max_value_depth = 32;
  // Metrics only: the most data points one request may hold (0 = no limit). Points past it are
  // not decoded into the batch; they count as rejected (a partial success), so a request of
  // millions of tiny points costs a walk over its bytes, not a MetricPoint each.
  uint64_t max_data_points = 0;
};

// Spans that were well-formed protobuf/JSON but invalid by OTLP's rules (a trace id that is
// not 16 bytes, a span id that is not 8) are left out of the batch and counted here; the
// server answers with partial_success.
// Log records are counted the same way, in their own fields (a trace_id that is present but
// not 16 bytes, a span_id that is present but not 8), and so are metric data points (a
// histogram whose bucket counts do not match its bounds, a metric with no name).
struct DecodeResult {
  uint64_t accepted_spans = 0;
  uint64_t rejected_spans = 0;
  uint64_t accepted_log_records = 0;
  uint64_t rejected_log_records = 0;
  uint64_t accepted_data_points = 0;
  uint64_t rejected_data_points = 0;
  std::string rejection_message;  // the first reason, e.g. "span 3: trace_id must be 16 bytes"
};

}  // namespace tokenscope::otlp
