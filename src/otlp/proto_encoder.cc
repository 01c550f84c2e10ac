#include "otlp/proto_encoder.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "otlp/proto_encoder_internal.h"
#include "otlp/wire.h"

namespace tokenscope::otlp {
namespace {

using wire::BeginMessage;
using wire::EndMessage;
using wire::MessageMark;
using wire::PutFixed32;
using wire::PutFixed32IfSet;
using wire::PutFixed64;
using wire::PutFixed64IfSet;
using wire::PutLengthDelimited;
using wire::PutStringIfSet;
using wire::PutTag;
using wire::PutVarint;
using wire::PutVarintIfSet;
using wire::WireType;

// Canonical proto3: fields in number order, default (zero, empty) scalars left out.

void EncodeKeyValue(const model::KeyValue& kv, std::string* out);

// AnyValue is a oneof: a set member is written even when it holds its default (false, 0,
// ""), since its presence is what tells the value's type. kEmpty writes nothing.
void EncodeAnyValue(const model::AnyValue& value, std::string* out) {
  using model::ValueType;
  switch (value.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
      PutLengthDelimited(1, value.string_value, out);
      break;
    case ValueType::kBool:
      PutTag(2, WireType::kVarint, out);
      PutVarint(value.bool_value ? 1 : 0, out);
      break;
    case ValueType::kInt:
      PutTag(3, WireType::kVarint, out);
      PutVarint(static_cast<uint64_t>(value.int_value), out);  // negative: ten bytes
      break;
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &value.double_value, sizeof bits);
      PutTag(4, WireType::kI64, out);
      PutFixed64(bits, out);
      break;
    }
    case ValueType::kArray: {
      MessageMark array = BeginMessage(5, out);  // ArrayValue{1: repeated AnyValue values}
      for (const model::AnyValue& element : value.array_value) {
        MessageMark mark = BeginMessage(1, out);
        EncodeAnyValue(element, out);
        EndMessage(mark, /*omit_if_empty=*/false, out);
      }
      EndMessage(array, /*omit_if_empty=*/false, out);
      break;
    }
    case ValueType::kKvList: {
      MessageMark list = BeginMessage(6, out);  // KeyValueList{1: repeated KeyValue values}
      for (const model::KeyValue& kv : value.kvlist_value) {
        MessageMark mark = BeginMessage(1, out);
        EncodeKeyValue(kv, out);
        EndMessage(mark, /*omit_if_empty=*/false, out);
      }
      EndMessage(list, /*omit_if_empty=*/false, out);
      break;
    }
    case ValueType::kBytes:
      PutLengthDelimited(7, value.string_value, out);
      break;
  }
}

void EncodeKeyValue(const model::KeyValue& kv, std::string* out) {
  PutStringIfSet(1, kv.key, out);
  MessageMark mark = BeginMessage(2, out);
  EncodeAnyValue(kv.value, out);
  EndMessage(mark, /*omit_if_empty=*/true, out);  // an empty AnyValue reads back as kEmpty
}

void EncodeAttributes(uint32_t field, const model::Attributes& attributes, std::string* out) {
  for (const model::KeyValue& kv : attributes) {
    MessageMark mark = BeginMessage(field, out);
    EncodeKeyValue(kv, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
}

void EncodeEvent(const model::Event& event, std::string* out) {
  PutFixed64IfSet(1, event.time_unix_nano, out);
  PutStringIfSet(2, event.name, out);
  EncodeAttributes(3, event.attributes, out);
  PutVarintIfSet(4, event.dropped_attributes_count, out);
}

void EncodeLink(const model::Link& link, std::string* out) {
  PutLengthDelimited(1, model::AsBytes(link.trace_id), out);
  PutLengthDelimited(2, model::AsBytes(link.span_id), out);
  PutStringIfSet(3, link.trace_state, out);
  EncodeAttributes(4, link.attributes, out);
  PutVarintIfSet(5, link.dropped_attributes_count, out);
  PutFixed32IfSet(6, link.flags, out);
}

void EncodeStatus(const model::SpanStatus& status, std::string* out) {
  PutStringIfSet(2, status.message, out);
  PutVarintIfSet(3, static_cast<uint64_t>(status.code), out);
}

// Appends a ScopeSpans holding spans[begin, end), which share one scope.
void EncodeScopeSpans(const model::SpanBatch& batch, const model::Scope* scope, size_t begin,
                      size_t end, std::string* out) {
  if (scope != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeScopeProto(*scope, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  for (size_t i = begin; i < end; ++i) {
    MessageMark mark = BeginMessage(2, out);
    EncodeSpanProto(batch.spans[i], out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  if (scope != nullptr) PutStringIfSet(3, scope->schema_url, out);
}

// Appends a ResourceSpans holding spans[begin, end), which share one resource; consecutive
// spans with the same scope share a ScopeSpans.
void EncodeResourceSpans(const model::SpanBatch& batch, const model::Resource* resource,
                         size_t begin, size_t end, std::string* out) {
  if (resource != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeResourceProto(*resource, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  size_t run_begin = begin;
  while (run_begin < end) {
    const uint32_t scope_index = batch.spans[run_begin].scope_index;
    size_t run_end = run_begin + 1;
    while (run_end < end && batch.spans[run_end].scope_index == scope_index) ++run_end;
    const model::Scope* scope =
        scope_index < batch.scopes.size() ? &batch.scopes[scope_index] : nullptr;
    MessageMark mark = BeginMessage(2, out);
    EncodeScopeSpans(batch, scope, run_begin, run_end, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
    run_begin = run_end;
  }
  if (resource != nullptr) PutStringIfSet(3, resource->schema_url, out);
}

}  // namespace

std::string EncodeTraceRequestProto(const model::SpanBatch& batch) {
  std::string out;
  size_t run_begin = 0;
  while (run_begin < batch.spans.size()) {
    const uint32_t resource_index = batch.spans[run_begin].resource_index;
    size_t run_end = run_begin + 1;
    while (run_end < batch.spans.size() && batch.spans[run_end].resource_index == resource_index) {
      ++run_end;
    }
    // An index outside the batch (a caller's bug) encodes as an unset resource.
    const model::Resource* resource =
        resource_index < batch.resources.size() ? &batch.resources[resource_index] : nullptr;
    MessageMark mark = BeginMessage(1, &out);
    EncodeResourceSpans(batch, resource, run_begin, run_end, &out);
    EndMessage(mark, /*omit_if_empty=*/false, &out);
    run_begin = run_end;
  }
  return out;
}

void EncodeSpanProto(const model::Span& span, std::string* out) {
  // The span's own ids are always written: they are fixed-size and required.
  PutLengthDelimited(1, model::AsBytes(span.trace_id), out);
  PutLengthDelimited(2, model::AsBytes(span.span_id), out);
  PutStringIfSet(3, span.trace_state, out);
  if (!span.is_root()) PutLengthDelimited(4, model::AsBytes(span.parent_span_id), out);
  PutStringIfSet(5, span.name, out);
  PutVarintIfSet(6, static_cast<uint64_t>(span.kind), out);
  PutFixed64IfSet(7, span.start_time_unix_nano, out);
  PutFixed64IfSet(8, span.end_time_unix_nano, out);
  EncodeAttributes(9, span.attributes, out);
  PutVarintIfSet(10, span.dropped_attributes_count, out);
  for (const model::Event& event : span.events) {
    MessageMark mark = BeginMessage(11, out);
    EncodeEvent(event, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  PutVarintIfSet(12, span.dropped_events_count, out);
  for (const model::Link& link : span.links) {
    MessageMark mark = BeginMessage(13, out);
    EncodeLink(link, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  PutVarintIfSet(14, span.dropped_links_count, out);
  MessageMark status = BeginMessage(15, out);
  EncodeStatus(span.status, out);
  EndMessage(status, /*omit_if_empty=*/true, out);
  PutFixed32IfSet(16, span.flags, out);
}

void EncodeResourceProto(const model::Resource& resource, std::string* out) {
  EncodeAttributes(1, resource.attributes, out);
  PutVarintIfSet(2, resource.dropped_attributes_count, out);
}

void EncodeScopeProto(const model::Scope& scope, std::string* out) {
  PutStringIfSet(1, scope.name, out);
  PutStringIfSet(2, scope.version, out);
  EncodeAttributes(3, scope.attributes, out);
  PutVarintIfSet(4, scope.dropped_attributes_count, out);
}

std::string EncodeTraceResponseProto(int64_t rejected_spans, std::string_view error_message) {
  std::string out;
  if (rejected_spans == 0 && error_message.empty()) return out;
  MessageMark mark = BeginMessage(1, &out);  // partial_success
  PutVarintIfSet(1, static_cast<uint64_t>(rejected_spans), &out);
  PutStringIfSet(2, error_message, &out);
  EndMessage(mark, /*omit_if_empty=*/false, &out);
  return out;
}

namespace proto_internal {

void EncodeAnyValueProto(const model::AnyValue& value, std::string* out) {
  EncodeAnyValue(value, out);
}

void EncodeAttributesProto(uint32_t field, const model::Attributes& attributes, std::string* out) {
  EncodeAttributes(field, attributes, out);
}

}  // namespace proto_internal

std::string EncodeRpcStatusProto(int32_t code, std::string_view message) {
  std::string out;
  // int32 is sign-extended to 64 bits on the wire, so negative codes take ten bytes.
  PutVarintIfSet(1, static_cast<uint64_t>(static_cast<int64_t>(code)), &out);
  PutStringIfSet(2, message, &out);
  return out;
}

std::string EncodeRpcStatusWithRetryInfoProto(int32_t code, std::string_view message,
                                              int64_t retry_delay_seconds) {
  // RetryInfo{retry_delay: google.protobuf.Duration{seconds}}, wrapped in an Any.
  std::string duration;
  PutVarintIfSet(1, static_cast<uint64_t>(retry_delay_seconds), &duration);
  std::string retry_info;
  PutLengthDelimited(1, duration, &retry_info);
  std::string any;
  PutStringIfSet(1, "type.googleapis.com/google.rpc.RetryInfo", &any);
  PutLengthDelimited(2, retry_info, &any);
  std::string out = EncodeRpcStatusProto(code, message);
  PutLengthDelimited(3, any, &out);
  return out;
}

}  // namespace tokenscope::otlp
