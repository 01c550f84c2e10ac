// libFuzzer target for the OTLP metrics decoders (src/otlp/metrics_decoder.h), protobuf and
// JSON, fed the same input.
//
// Any input must either decode or fail with InvalidArgument leaving the batch and the result
// untouched; never crash, leak or read out of bounds. Whatever decodes (from either encoding)
// must re-encode to canonical protobuf that decodes again with every point accepted, and that
// encoding is a fixed point: encode(decode(encode(batch))) == encode(batch).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/metric.h"
#include "otlp/metrics_decoder.h"
#include "otlp/metrics_encoder.h"

namespace {

using tokenscope::Status;
using tokenscope::StatusCode;
namespace model = tokenscope::model;
namespace otlp = tokenscope::otlp;

void Require(bool condition) {
  if (!condition) std::abort();
}

// The checks after one decoding call, whichever encoding it read.
void CheckDecoded(const Status& status, const model::MetricBatch& batch,
                  const otlp::DecodeResult& result, const otlp::DecodeLimits& limits) {
  if (!status.ok()) {
    Require(status.code() == StatusCode::kInvalidArgument && !status.message().empty());
    Require(batch.points.empty() && batch.resources.empty() && batch.scopes.empty());
    Require(result.accepted_data_points == 0 && result.rejected_data_points == 0);
    return;
  }
  Require(result.accepted_data_points == batch.points.size());
  Require((result.rejected_data_points == 0) == result.rejection_message.empty());
  for (const model::MetricPoint& point : batch.points) {
    Require(point.resource_index < batch.resources.size());
    Require(point.scope_index < batch.scopes.size());
    Require(!point.name.empty());
  }

  const std::string once = otlp::EncodeMetricsRequestProto(batch);
  model::MetricBatch again;
  otlp::DecodeResult again_result;
  Require(otlp::DecodeMetricsRequestProto(once, &again, &again_result, limits).ok());
  Require(again_result.rejected_data_points == 0);
  Require(again.points.size() == batch.points.size());
  Require(otlp::EncodeMetricsRequestProto(again) == once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  otlp::DecodeLimits limits;
  limits.max_value_depth = 8;  // small enough that the fuzzer reaches the limit

  {
    model::MetricBatch batch;
    otlp::DecodeResult result;
    Status status = otlp::DecodeMetricsRequestProto(input, &batch, &result, limits);
    CheckDecoded(status, batch, result, limits);
  }
  {
    model::MetricBatch batch;
    otlp::DecodeResult result;
    Status status = otlp::DecodeMetricsRequestJson(input, &batch, &result, limits);
    CheckDecoded(status, batch, result, limits);
  }
  return 0;
}
