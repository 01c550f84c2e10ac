// Encoders for OTLP logs messages: the request (for tests, fuzz seeds and the demo) and the
// ExportLogsServiceResponse the server answers with. The inverse of logs_decoder.h.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/log_record.h"

namespace tokenscope::otlp {

// An ExportLogsServiceRequest in protobuf holding every record of the batch, consecutive
// records with the same resource (and scope) grouped as SDKs send them.
std::string EncodeLogsRequestProto(const model::LogBatch& batch);

// Appends one LogRecord message (without its enclosing tag) to `out`, in canonical proto3 —
// the form the store keeps. The inverse of DecodeLogRecordProto.
void EncodeLogRecordProto(const model::LogRecord& record, std::string* out);

// ExportLogsServiceResponse in protobuf: empty when rejected == 0 and message is empty,
// otherwise partial_success{rejected_log_records, error_message}.
std::string EncodeLogsResponseProto(int64_t rejected_log_records, std::string_view error_message);

// The same in OTLP/JSON: {} or
// {"partialSuccess":{"rejectedLogRecords":"N","errorMessage":"..."}}.
std::string EncodeLogsResponseJson(int64_t rejected_log_records, std::string_view error_message);

}  // namespace tokenscope::otlp
