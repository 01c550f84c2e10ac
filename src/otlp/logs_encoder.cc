#include "otlp/logs_encoder.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "otlp/json_encoder_internal.h"
#include "otlp/proto_encoder.h"
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

// Canonical proto3, as the trace encoder writes: fields in number order, defaults left out.

}  // namespace

void EncodeLogRecordProto(const model::LogRecord& record, std::string* out) {
  PutFixed64IfSet(1, record.time_unix_nano, out);
  // An int32 enum: negative values are sign-extended to ten bytes, as protobuf does.
  PutVarintIfSet(2, static_cast<uint64_t>(static_cast<int64_t>(record.severity_number)), out);
  PutStringIfSet(3, record.severity_text, out);
  MessageMark body = BeginMessage(5, out);
  proto_internal::EncodeAnyValueProto(record.body, out);
  EndMessage(body, /*omit_if_empty=*/true, out);  // an empty body reads back as kEmpty
  proto_internal::EncodeAttributesProto(6, record.attributes, out);
  PutVarintIfSet(7, record.dropped_attributes_count, out);
  PutFixed32IfSet(8, record.flags, out);
  if (record.has_trace_id()) PutLengthDelimited(9, model::AsBytes(record.trace_id), out);
  if (record.has_span_id()) PutLengthDelimited(10, model::AsBytes(record.span_id), out);
  PutFixed64IfSet(11, record.observed_time_unix_nano, out);
  PutStringIfSet(12, record.event_name, out);
}

namespace {

// The end of the run of records from `begin` that share the value `key` gives.
template <typename Key>
size_t RunEnd(const model::LogBatch& batch, size_t begin, size_t end, Key key) {
  size_t run_end = begin + 1;
  while (run_end < end && key(batch.logs[run_end]) == key(batch.logs[begin])) ++run_end;
  return run_end;
}

// Appends a ScopeLogs holding logs[begin, end), which share one scope. An index outside the
// batch (a caller's bug) encodes as an unset scope.
void EncodeScopeLogs(const model::LogBatch& batch, size_t begin, size_t end, std::string* out) {
  const uint32_t scope_index = batch.logs[begin].scope_index;
  const model::Scope* scope =
      scope_index < batch.scopes.size() ? &batch.scopes[scope_index] : nullptr;
  if (scope != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeScopeProto(*scope, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  for (size_t i = begin; i < end; ++i) {
    MessageMark mark = BeginMessage(2, out);
    EncodeLogRecordProto(batch.logs[i], out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
  }
  if (scope != nullptr) PutStringIfSet(3, scope->schema_url, out);
}

// Appends a ResourceLogs holding logs[begin, end), which share one resource.
void EncodeResourceLogs(const model::LogBatch& batch, size_t begin, size_t end, std::string* out) {
  const uint32_t resource_index = batch.logs[begin].resource_index;
  const model::Resource* resource =
      resource_index < batch.resources.size() ? &batch.resources[resource_index] : nullptr;
  if (resource != nullptr) {
    MessageMark mark = BeginMessage(1, out);
    EncodeResourceProto(*resource, out);
    EndMessage(mark, /*omit_if_empty=*/true, out);
  }
  for (size_t run_begin = begin; run_begin < end;) {
    size_t run_end =
        RunEnd(batch, run_begin, end, [](const model::LogRecord& r) { return r.scope_index; });
    MessageMark mark = BeginMessage(2, out);
    EncodeScopeLogs(batch, run_begin, run_end, out);
    EndMessage(mark, /*omit_if_empty=*/false, out);
    run_begin = run_end;
  }
  if (resource != nullptr) PutStringIfSet(3, resource->schema_url, out);
}

}  // namespace

std::string EncodeLogsRequestProto(const model::LogBatch& batch) {
  std::string out;
  const size_t end = batch.logs.size();
  for (size_t run_begin = 0; run_begin < end;) {
    size_t run_end =
        RunEnd(batch, run_begin, end, [](const model::LogRecord& r) { return r.resource_index; });
    MessageMark mark = BeginMessage(1, &out);
    EncodeResourceLogs(batch, run_begin, run_end, &out);
    EndMessage(mark, /*omit_if_empty=*/false, &out);
    run_begin = run_end;
  }
  return out;
}

std::string EncodeLogsResponseProto(int64_t rejected_log_records, std::string_view error_message) {
  // ExportLogsPartialSuccess has the trace message's shape: {1: int64, 2: string}.
  return EncodeTraceResponseProto(rejected_log_records, error_message);
}

std::string EncodeLogsResponseJson(int64_t rejected_log_records, std::string_view error_message) {
  return json_internal::EncodePartialSuccessJson("rejectedLogRecords", rejected_log_records,
                                                 error_message);
}

}  // namespace tokenscope::otlp
