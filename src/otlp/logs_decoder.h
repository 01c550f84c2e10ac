// Decoders for OTLP logs requests (ExportLogsServiceRequest), in protobuf and JSON, with the
// same contracts as the trace decoders (proto_decoder.h, json_decoder.h):
//
// - Protobuf decoding is zero-copy: string and bytes fields are views into `body`, which the
//   caller keeps alive as long as the batch (`body = batch.Adopt(std::move(request_body))`).
// - JSON decoding copies strings into the batch's arena; `body` need not outlive the call.
// - Malformed input yields InvalidArgument naming the field path, and nothing is appended to
//   the batch. Unknown fields are ignored.
// - A record whose trace_id is present but not 16 bytes, or whose span_id is present but not
//   8 bytes, is left out and counted in DecodeResult::rejected_log_records; empty ids (and
//   all-zero ones) mean the record is not correlated with a trace.
//
// Stateless functions; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "model/log_record.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp {

// Appends the log records of an ExportLogsServiceRequest in protobuf to `batch`.
Status DecodeLogsRequestProto(std::string_view body, model::LogBatch* batch, DecodeResult* result,
                              const DecodeLimits& limits = {});

// Appends the log records of an ExportLogsServiceRequest in OTLP/JSON to `batch`.
Status DecodeLogsRequestJson(std::string_view body, model::LogBatch* batch, DecodeResult* result,
                             const DecodeLimits& limits = {});

// Decodes one LogRecord message (as EncodeLogRecordProto writes it; zero-copy, views into
// `bytes`). `record` is untouched unless OK is returned. Ids of the wrong length are an error.
// resource_index and scope_index are left 0.
Status DecodeLogRecordProto(std::string_view bytes, model::LogRecord* record,
                            const DecodeLimits& limits = {});

}  // namespace tokenscope::otlp
