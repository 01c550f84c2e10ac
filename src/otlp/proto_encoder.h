// OTLP protobuf encoder: the inverse of proto_decoder.h. Used by the store (span records
// are OTLP Span messages), by `tokenscope demo` and the benchmarks (to produce requests), and
// by tests (round trips). Stateless functions; thread-safe.
#pragma once

#include <string>

#include "model/span.h"

namespace tokenscope::otlp {

// An ExportTraceServiceRequest holding every span of the batch, grouped by resource and
// scope the way SDKs send them.
std::string EncodeTraceRequestProto(const model::SpanBatch& batch);

// Single messages; append to `out`. Span.resource_index/scope_index are not encoded.
void EncodeSpanProto(const model::Span& span, std::string* out);
void EncodeResourceProto(const model::Resource& resource, std::string* out);
void EncodeScopeProto(const model::Scope& scope, std::string* out);

// ExportTraceServiceResponse: empty when rejected_spans == 0 and message is empty,
// otherwise with partial_success{rejected_spans, error_message}.
std::string EncodeTraceResponseProto(int64_t rejected_spans, std::string_view error_message);

// google.rpc.Status{code, message}, the body of OTLP/HTTP error responses.
std::string EncodeRpcStatusProto(int32_t code, std::string_view message);

// google.rpc.Status carrying one detail, a google.rpc.RetryInfo asking the client to wait
// `retry_delay_seconds` before retrying: what gRPC's grpc-status-details-bin holds when OTLP
// asks a client to back off (the OTLP exporters honour it).
std::string EncodeRpcStatusWithRetryInfoProto(int32_t code, std::string_view message,
                                              int64_t retry_delay_seconds);

}  // namespace tokenscope::otlp
