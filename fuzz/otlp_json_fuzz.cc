// libFuzzer target for the OTLP/JSON codec.
//
// Any input must decode without crashing (InvalidArgument is fine). Input that decodes must
// re-encode to JSON that decodes again with every span accepted, and encoding is a fixed
// point from then on: encode(decode(encode(decode(x)))) == encode(decode(x)).
//
// Each input is also decoded as a logs request. What decodes must re-encode as a protobuf
// logs request that decodes with every record accepted, and that encoding is a fixed point.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/log_record.h"
#include "model/span.h"
#include "otlp/json_decoder.h"
#include "otlp/json_encoder.h"
#include "otlp/logs_decoder.h"
#include "otlp/logs_encoder.h"

namespace {

// Small limits reach the depth checks with short inputs.
tokenscope::otlp::DecodeLimits FuzzLimits() {
  tokenscope::otlp::DecodeLimits limits;
  limits.max_value_depth = 8;
  return limits;
}

void CheckLogsRequest(std::string_view input, const tokenscope::otlp::DecodeLimits& limits) {
  using namespace tokenscope;
  model::LogBatch batch;
  otlp::DecodeResult result;
  if (!otlp::DecodeLogsRequestJson(input, &batch, &result, limits).ok()) {
    if (!batch.logs.empty() || !batch.resources.empty() || !batch.scopes.empty()) {
      __builtin_trap();  // a failed decode must leave the batch as it was
    }
    return;
  }
  if (result.accepted_log_records != batch.logs.size()) __builtin_trap();
  if ((result.rejected_log_records == 0) != result.rejection_message.empty()) __builtin_trap();
  for (const model::LogRecord& record : batch.logs) {
    if (record.resource_index >= batch.resources.size()) __builtin_trap();
    if (record.scope_index >= batch.scopes.size()) __builtin_trap();
  }

  const std::string once = otlp::EncodeLogsRequestProto(batch);
  model::LogBatch again;
  otlp::DecodeResult again_result;
  if (!otlp::DecodeLogsRequestProto(once, &again, &again_result, limits).ok()) __builtin_trap();
  if (again.logs.size() != batch.logs.size() || again_result.rejected_log_records != 0) {
    __builtin_trap();
  }
  if (otlp::EncodeLogsRequestProto(again) != once) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokenscope;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const otlp::DecodeLimits limits = FuzzLimits();
  CheckLogsRequest(input, limits);

  model::SpanBatch batch;
  otlp::DecodeResult result;
  if (!otlp::DecodeTraceRequestJson(input, &batch, &result, limits).ok()) {
    if (!batch.spans.empty() || !batch.resources.empty() || !batch.scopes.empty()) {
      __builtin_trap();  // a failed decode must leave the batch as it was
    }
    return 0;
  }
  if (result.accepted_spans != batch.spans.size()) __builtin_trap();

  const std::string first = otlp::EncodeTraceRequestJson(batch);
  model::SpanBatch again;
  otlp::DecodeResult again_result;
  if (!otlp::DecodeTraceRequestJson(first, &again, &again_result, limits).ok()) __builtin_trap();
  if (again.spans.size() != batch.spans.size() || again_result.rejected_spans != 0) {
    __builtin_trap();
  }
  if (otlp::EncodeTraceRequestJson(again) != first) __builtin_trap();
  return 0;
}
