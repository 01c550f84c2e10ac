// Encoders for OTLP metrics messages: the request (for tests, fuzz seeds and the demo) and the
// ExportMetricsServiceResponse the server answers with. The inverse of metrics_decoder.h.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/metric.h"

namespace tokenscope::otlp {

// An ExportMetricsServiceRequest in canonical protobuf holding every point of the batch:
// consecutive points with the same resource (and scope) are grouped as SDKs send them, and
// consecutive points of the same metric (name, description, unit, type, temporality,
// monotonic) share one Metric message. Decoding it gives the same points back.
std::string EncodeMetricsRequestProto(const model::MetricBatch& batch);

// ExportMetricsServiceResponse in protobuf: empty when rejected == 0 and message is empty,
// otherwise partial_success{rejected_data_points, error_message}.
std::string EncodeMetricsResponseProto(int64_t rejected_data_points,
                                       std::string_view error_message);

// The same in OTLP/JSON: {} or
// {"partialSuccess":{"rejectedDataPoints":"N","errorMessage":"..."}}.
std::string EncodeMetricsResponseJson(int64_t rejected_data_points, std::string_view error_message);

}  // namespace tokenscope::otlp
