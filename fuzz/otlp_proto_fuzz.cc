// libFuzzer target for the OTLP protobuf decoder (src/otlp/proto_decoder.h).
//
// Any input must either decode or fail with InvalidArgument leaving the batch empty; never
// crash, leak or read out of bounds. Whatever decodes must re-encode to canonical protobuf
// that decodes again to the same bytes (a fixed point), which checks the encoder too. Each
// input is also decoded as a logs request (otlp/logs_decoder.h) under the same rules.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/log_record.h"
#include "otlp/logs_decoder.h"
#include "otlp/logs_encoder.h"
#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"

namespace {

using tokenscope::Status;
using tokenscope::StatusCode;
namespace model = tokenscope::model;
namespace otlp = tokenscope::otlp;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckRequest(std::string_view input, const otlp::DecodeLimits& limits) {
  model::SpanBatch batch;
  otlp::DecodeResult result;
  Status status = otlp::DecodeTraceRequestProto(input, &batch, &result, limits);
  if (!status.ok()) {
    Require(status.code() == StatusCode::kInvalidArgument && !status.message().empty());
    Require(batch.spans.empty() && batch.resources.empty() && batch.scopes.empty());
    Require(result.accepted_spans == 0 && result.rejected_spans == 0);
    return;
  }
  Require(result.accepted_spans == batch.spans.size());
  Require((result.rejected_spans == 0) == result.rejection_message.empty());
  for (const model::Span& span : batch.spans) {
    Require(span.resource_index < batch.resources.size());
    Require(span.scope_index < batch.scopes.size());
  }

  const std::string once = otlp::EncodeTraceRequestProto(batch);
  model::SpanBatch again;
  otlp::DecodeResult again_result;
  Require(otlp::DecodeTraceRequestProto(once, &again, &again_result, limits).ok());
  Require(again_result.rejected_spans == 0);
  Require(again.spans.size() == batch.spans.size());
  Require(otlp::EncodeTraceRequestProto(again) == once);
}

void CheckLogsRequest(std::string_view input, const otlp::DecodeLimits& limits) {
  model::LogBatch batch;
  otlp::DecodeResult result;
  Status status = otlp::DecodeLogsRequestProto(input, &batch, &result, limits);
  if (!status.ok()) {
    Require(status.code() == StatusCode::kInvalidArgument && !status.message().empty());
    Require(batch.logs.empty() && batch.resources.empty() && batch.scopes.empty());
    Require(result.accepted_log_records == 0 && result.rejected_log_records == 0);
    return;
  }
  Require(result.accepted_log_records == batch.logs.size());
  Require((result.rejected_log_records == 0) == result.rejection_message.empty());
  for (const model::LogRecord& record : batch.logs) {
    Require(record.resource_index < batch.resources.size());
    Require(record.scope_index < batch.scopes.size());
  }

  const std::string once = otlp::EncodeLogsRequestProto(batch);
  model::LogBatch again;
  otlp::DecodeResult again_result;
  Require(otlp::DecodeLogsRequestProto(once, &again, &again_result, limits).ok());
  Require(again_result.rejected_log_records == 0);
  Require(again.logs.size() == batch.logs.size());
  Require(otlp::EncodeLogsRequestProto(again) == once);
}

// The single-message decoders the store uses: decode, re-encode, decode, compare bytes.
template <typename T, typename Decode, typename Encode>
void CheckSingle(std::string_view input, const otlp::DecodeLimits& limits, Decode decode,
                 Encode encode) {
  T value;
  if (!decode(input, &value, limits).ok()) return;
  std::string once;
  encode(value, &once);
  T again;
  Require(decode(once, &again, limits).ok());
  std::string twice;
  encode(again, &twice);
  Require(once == twice);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  otlp::DecodeLimits limits;
  limits.max_value_depth = 8;  // small enough that the fuzzer reaches the limit
  CheckRequest(input, limits);
  CheckLogsRequest(input, limits);
  CheckSingle<model::Span>(input, limits, otlp::DecodeSpanProto, otlp::EncodeSpanProto);
  CheckSingle<model::Resource>(input, limits, otlp::DecodeResourceProto, otlp::EncodeResourceProto);
  CheckSingle<model::Scope>(input, limits, otlp::DecodeScopeProto, otlp::EncodeScopeProto);
  return 0;
}
