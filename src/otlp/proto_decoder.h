// Zero-copy decoder for OTLP protobuf (opentelemetry.proto.*), hand-written on the wire
// format: no libprotobuf on the ingest path.
//
// Decoded string and bytes fields are views into `body`; the caller must keep `body` alive
// as long as the batch (the usual way: `body = batch.Adopt(std::move(request_body))`).
// Malformed input (truncation, bad wire types, lengths past the end, nesting deeper than the
// limits) yields InvalidArgument with a message that names the field path; nothing is
// appended to the batch then. Unknown fields are skipped by wire type, as protobuf requires.
// Stateless functions; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "model/span.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp {

// Appends the spans of an ExportTraceServiceRequest to `batch`.
Status DecodeTraceRequestProto(std::string_view body, model::SpanBatch* batch, DecodeResult* result,
                               const DecodeLimits& limits = {});

// Single messages, used by the store, which keeps spans, resources and scopes in their OTLP
// wire form. Views point into `bytes`.
Status DecodeSpanProto(std::string_view bytes, model::Span* span, const DecodeLimits& limits = {});
Status DecodeResourceProto(std::string_view bytes, model::Resource* resource,
                           const DecodeLimits& limits = {});
Status DecodeScopeProto(std::string_view bytes, model::Scope* scope,
                        const DecodeLimits& limits = {});

}  // namespace tokenscope::otlp
