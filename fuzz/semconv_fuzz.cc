// libFuzzer target for the semantic-convention normalizer (src/semconv/normalizer.h).
//
// The input is decoded as an OTLP protobuf ExportTraceServiceRequest (so the fuzzer builds
// spans with arbitrary attributes, events and nesting) and every span is normalized. Nothing
// may crash, leak, read out of bounds or hang, and every result must respect the normalizer's
// promises: caps on parsed content, non-negative token counts, input covering its cached part.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "model/llm.h"
#include "otlp/proto_decoder.h"
#include "semconv/normalizer.h"

namespace {

namespace model = tokenscope::model;
namespace otlp = tokenscope::otlp;
namespace semconv = tokenscope::semconv;

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireCount(const std::optional<int64_t>& count) {
  Require(!count || *count >= 0);
}

void Check(const model::LlmInfo& info) {
  Require(info.normalizer_version == semconv::kNormalizerVersion);
  Require(!info.convention.empty());
  Require(info.input_messages.size() <= 10'000 && info.output_messages.size() <= 10'000);
  Require(info.logprobs.size() <= 100'000);
  Require(info.documents.size() <= 10'000 && info.output_documents.size() <= 10'000);
  const model::TokenUsage& u = info.usage;
  RequireCount(u.input_tokens);
  RequireCount(u.output_tokens);
  RequireCount(u.cache_read_input_tokens);
  RequireCount(u.cache_creation_input_tokens);
  RequireCount(u.reasoning_tokens);
  RequireCount(u.total_tokens);
  Require(!u.input_estimated && !u.output_estimated);
  if (u.input_tokens && u.cache_read_input_tokens && u.cache_creation_input_tokens &&
      *u.cache_read_input_tokens <= INT64_MAX - *u.cache_creation_input_tokens) {
    Require(*u.input_tokens >= *u.cache_read_input_tokens + *u.cache_creation_input_tokens);
  }
  if (u.input_tokens && u.cache_read_input_tokens) {
    Require(*u.input_tokens >= *u.cache_read_input_tokens);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  model::SpanBatch batch;
  otlp::DecodeResult result;
  if (!otlp::DecodeTraceRequestProto(input, &batch, &result).ok()) return 0;
  for (const model::Span& span : batch.spans) {
    std::optional<model::LlmInfo> info = semconv::Normalize(
        semconv::NormalizeInput{span, batch.ResourceOf(span), batch.ScopeOf(span)});
    if (info) Check(*info);
  }
  return 0;
}
