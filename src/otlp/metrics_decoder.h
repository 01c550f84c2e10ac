// Decoders for OTLP metrics requests (ExportMetricsServiceRequest), in protobuf and JSON, with
// the same contracts as the trace and logs decoders (proto_decoder.h, json_decoder.h,
// logs_decoder.h):
//
// - Protobuf decoding is zero-copy: string fields are views into `body`, which the caller
//   keeps alive as long as the batch (`body = batch.Adopt(std::move(request_body))`).
// - JSON decoding copies strings into the batch's arena; `body` need not outlive the call.
// - Malformed input (truncation, wrong wire types or JSON types, lengths past the end, invalid
//   UTF-8, nesting deeper than the limits) yields InvalidArgument naming the field path, and
//   nothing is appended to the batch. Unknown fields are ignored.
// - A data point that is well-formed but breaks OTLP's rules is left out and counted in
//   DecodeResult::rejected_data_points, with the first reason in rejection_message: histogram
//   bucket_counts that are neither empty nor one longer than explicit_bounds, bounds that are
//   not strictly increasing, bucket counts that do not add up to count, a NaN sum/min/max,
//   min above max, an exponential histogram scale outside [-10, 20], a negative
//   zero_threshold or a bucket index past int32, a summary quantile outside [0, 1]. Every
//   point of a metric with an empty name is rejected too.
// - Each point carries its metric's name, description, unit, type and temporality. Exemplars
//   and Metric.metadata are skipped (see model/metric.h).
//
// Stateless functions; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "model/metric.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp {

// Appends the data points of an ExportMetricsServiceRequest in protobuf to `batch`.
Status DecodeMetricsRequestProto(std::string_view body, model::MetricBatch* batch,
                                 DecodeResult* result, const DecodeLimits& limits = {});

// Appends the data points of an ExportMetricsServiceRequest in OTLP/JSON to `batch`. 64-bit
// integers may be strings or numbers, enums integers or their proto names.
Status DecodeMetricsRequestJson(std::string_view body, model::MetricBatch* batch,
                                DecodeResult* result, const DecodeLimits& limits = {});

}  // namespace tokenscope::otlp
