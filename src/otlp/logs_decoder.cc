// OTLP logs decoding. The protobuf side is a FieldDecoder (proto_decoder_internal.h) that adds
// the logs envelope and LogRecord; the JSON side is a JsonFieldDecoder
// (json_decoder_internal.h) likewise. AnyValue, KeyValue, Resource and InstrumentationScope
// decode exactly as they do for traces.

#include "otlp/logs_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "otlp/json_decoder_internal.h"
#include "otlp/proto_decoder_internal.h"
#include "otlp/wire.h"

namespace tokenscope::otlp {
namespace {

using proto_internal::CopyId;
using proto_internal::CountLenFields;
using proto_internal::ReserveMore;
using wire::Reader;
using wire::WireType;

// Records accepted and rejected by one request, committed to the DecodeResult on success.
struct Tally {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::string first_rejection;
};

// Why a well-formed record breaks OTLP's rules ("" when it does not). Ids are optional for
// logs, so only a present id of the wrong length is a defect.
std::string CheckLogIds(std::string_view trace_id, std::string_view span_id,
                        model::LogRecord* record) {
  if (!trace_id.empty() && !CopyId(trace_id, &record->trace_id)) {
    return "trace_id must be empty or 16 bytes, got " + std::to_string(trace_id.size());
  }
  if (!span_id.empty() && !CopyId(span_id, &record->span_id)) {
    return "span_id must be empty or 8 bytes, got " + std::to_string(span_id.size());
  }
  return "";
}

// The number of log records in a request, found by walking resource_logs and scope_logs, so
// the batch's vector grows once.
size_t CountLogRecords(std::string_view request) {
  size_t records = 0;
  Reader requests(request);
  uint32_t field;
  WireType wt;
  while (!requests.done() && requests.ReadTag(&field, &wt)) {
    std::string_view resource_logs;
    if (field != 1 || wt != WireType::kLen) {
      if (!requests.SkipValue(wt)) break;
      continue;
    }
    if (!requests.ReadLengthDelimited(&resource_logs)) break;
    Reader scopes(resource_logs);
    while (!scopes.done() && scopes.ReadTag(&field, &wt)) {
      std::string_view scope_logs;
      if (field == 2 && wt == WireType::kLen) {
        if (!scopes.ReadLengthDelimited(&scope_logs)) break;
        records += CountLenFields(scope_logs, 2);
      } else if (!scopes.SkipValue(wt)) {
        break;
      }
    }
  }
  return records;
}

// The smallest record on the wire is an empty message: its key and a zero length.
constexpr size_t kMinLogRecordBytes = 2;

// Decodes ExportLogsServiceRequest and LogRecord messages.
class LogsProtoDecoder : public proto_internal::FieldDecoder {
 public:
  explicit LogsProtoDecoder(const DecodeLimits& limits) : FieldDecoder(limits) {}

  bool DecodeRequest(std::string_view bytes, model::LogBatch* batch, Tally* tally) {
    ReserveMore(&batch->logs, std::min(CountLogRecords(bytes), bytes.size() / kMinLogRecordBytes));
    Reader r(bytes);
    int64_t resource_logs_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      if (field == 1) {
        std::string_view body;
        if (!Message(r, wt, "resource_logs", resource_logs_index, &body)) return false;
        if (!DecodeResourceLogs(body, resource_logs_index, batch, tally)) {
          return trail_.Within("resource_logs", resource_logs_index);
        }
        ++resource_logs_index;
      } else if (!SkipUnknown(r, wt, field)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool DecodeResourceLogs(std::string_view bytes, int64_t resource_logs_index,
                          model::LogBatch* batch, Tally* tally) {
    const auto resource_index = static_cast<uint32_t>(batch->resources.size());
    batch->resources.emplace_back();
    Reader r(bytes);
    int64_t scope_logs_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "resource", -1, &body)) return false;
          if (!DecodeResource(body, &batch->resources[resource_index])) {
            return trail_.Within("resource");
          }
          break;
        case 2:
          if (!Message(r, wt, "scope_logs", scope_logs_index, &body)) return false;
          if (!DecodeScopeLogs(body, resource_index, resource_logs_index, scope_logs_index, batch,
                               tally)) {
            return trail_.Within("scope_logs", scope_logs_index);
          }
          ++scope_logs_index;
          break;
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->resources[resource_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeScopeLogs(std::string_view bytes, uint32_t resource_index, int64_t resource_logs_index,
                       int64_t scope_logs_index, model::LogBatch* batch, Tally* tally) {
    const auto scope_index = static_cast<uint32_t>(batch->scopes.size());
    batch->scopes.emplace_back();
    Reader r(bytes);
    int64_t record_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "scope", -1, &body)) return false;
          if (!DecodeScope(body, &batch->scopes[scope_index])) return trail_.Within("scope");
          break;
        case 2: {
          if (!Message(r, wt, "log_records", record_index, &body)) return false;
          model::LogRecord& record = batch->logs.emplace_back();
          std::string defect;
          if (!DecodeLogRecord(body, &record, &defect)) {
            return trail_.Within("log_records", record_index);
          }
          if (!defect.empty()) {
            batch->logs.pop_back();
            ++tally->rejected;
            if (tally->first_rejection.empty()) {
              tally->first_rejection = "resource_logs[" + std::to_string(resource_logs_index) +
                                       "].scope_logs[" + std::to_string(scope_logs_index) +
                                       "].log_records[" + std::to_string(record_index) +
                                       "]: " + defect;
            }
          } else {
            record.resource_index = resource_index;
            record.scope_index = scope_index;
            ++tally->accepted;
          }
          ++record_index;
          break;
        }
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->scopes[scope_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // Returns false on malformed input; a well-formed record with bad ids sets `defect`.
  // Public for DecodeLogRecordProto.
 public:
  bool DecodeLogRecord(std::string_view bytes, model::LogRecord* record, std::string* defect) {
    std::string_view trace_id, span_id;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = Fixed64Field(r, wt, "time_unix_nano", &record->time_unix_nano);
          break;
        case 2: {
          // An enum: int32 on the wire (sign-extended when negative); kept as sent.
          uint64_t severity;
          ok = VarintField(r, wt, "severity_number", &severity);
          record->severity_number = static_cast<int32_t>(severity);
          break;
        }
        case 3:
          ok = StringField(r, wt, "severity_text", &record->severity_text);
          break;
        case 5: {
          std::string_view body;
          if (!Message(r, wt, "body", -1, &body)) return false;
          if (!DecodeAnyValue(body, &record->body, 1)) return trail_.Within("body");
          break;
        }
        case 6:
          ok = AttributeField(r, wt, &record->attributes);
          break;
        case 7:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &record->dropped_attributes_count);
          break;
        case 8:
          ok = Fixed32Field(r, wt, "flags", &record->flags);
          break;
        case 9:
          ok = BytesField(r, wt, "trace_id", &trace_id);
          break;
        case 10:
          ok = BytesField(r, wt, "span_id", &span_id);
          break;
        case 11:
          ok = Fixed64Field(r, wt, "observed_time_unix_nano", &record->observed_time_unix_nano);
          break;
        case 12:
          ok = StringField(r, wt, "event_name", &record->event_name);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    *defect = CheckLogIds(trace_id, span_id, record);
    return true;
  }
};

void Commit(Tally tally, DecodeResult* result) {
  if (result == nullptr) return;
  result->accepted_log_records += tally.accepted;
  result->rejected_log_records += tally.rejected;
  if (result->rejection_message.empty()) {
    result->rejection_message = std::move(tally.first_rejection);
  }
}

// ---- JSON ------------------------------------------------------------------------------------

using json_internal::DecodeId;
using json_internal::element;
using json_internal::IdState;

// SeverityNumber by its proto name, for exporters that send enum names: "SEVERITY_NUMBER_INFO"
// is 9, "SEVERITY_NUMBER_INFO2" 10, and so on up to FATAL4 (24). Unknown names read as 0.
int32_t SeverityFromName(std::string_view name) {
  static constexpr std::string_view kPrefix = "SEVERITY_NUMBER_";
  static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO",
                                                 "WARN",  "ERROR", "FATAL"};
  if (name.substr(0, kPrefix.size()) != kPrefix) return 0;
  name.remove_prefix(kPrefix.size());
  int32_t step = 1;
  if (!name.empty() && name.back() >= '2' && name.back() <= '4') {
    step = name.back() - '0';
    name.remove_suffix(1);
  }
  for (int32_t level = 0; level < 6; ++level) {
    if (kLevels[level] == name) return 4 * level + step;
  }
  return 0;
}

// Walks one parsed ExportLogsServiceRequest, staging resources, scopes and records until
// CommitTo() hands them to the batch. One instance per request; not thread-safe.
class JsonLogsDecoder : public json_internal::JsonFieldDecoder {
 public:
  JsonLogsDecoder(model::LogBatch* batch, const DecodeLimits& limits)
      : JsonFieldDecoder(&batch->arena(), limits),
        resource_base_(batch->resources.size()),
        scope_base_(batch->scopes.size()) {}

  Status DecodeRequest(element root) {
    if (!root.is_object()) return InvalidArgument("request body: expected a JSON object");
    return ForEachMember(root, [&](std::string_view key, element value) {
      if (key != "resourceLogs") return Status::Ok();
      return ForEachElement(value, [&](element rl) { return DecodeResourceLogs(rl); });
    });
  }

  void CommitTo(model::LogBatch* batch, DecodeResult* result) {
    MoveAppend(&resources_, &batch->resources);
    MoveAppend(&scopes_, &batch->scopes);
    MoveAppend(&logs_, &batch->logs);
    Commit(std::move(tally_), result);
  }

 private:
  Status DecodeResourceLogs(element value) {
    const size_t local_resource = resources_.size();
    const auto resource_index = static_cast<uint32_t>(resource_base_ + local_resource);
    resources_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "resource") return DecodeResource(member, &resources_[local_resource]);
      if (key == "schemaUrl") return ReadString(member, &resources_[local_resource].schema_url);
      if (key == "scopeLogs") {
        return ForEachElement(member,
                              [&](element sl) { return DecodeScopeLogs(sl, resource_index); });
      }
      return Status::Ok();
    });
  }

  Status DecodeScopeLogs(element value, uint32_t resource_index) {
    const size_t local_scope = scopes_.size();
    const auto scope_index = static_cast<uint32_t>(scope_base_ + local_scope);
    scopes_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "scope") return DecodeScope(member, &scopes_[local_scope]);
      if (key == "schemaUrl") return ReadString(member, &scopes_[local_scope].schema_url);
      if (key == "logRecords") {
        return ForEachElement(member, [&](element record) {
          return DecodeAndStageRecord(record, resource_index, scope_index);
        });
      }
      return Status::Ok();
    });
  }

  Status DecodeAndStageRecord(element value, uint32_t resource_index, uint32_t scope_index) {
    model::LogRecord record;
    record.resource_index = resource_index;
    record.scope_index = scope_index;
    IdState trace_id = IdState::kAbsent;
    IdState span_id = IdState::kAbsent;
    TS_RETURN_IF_ERROR(DecodeLogRecord(value, &record, &trace_id, &span_id));
    std::string problem;
    if (trace_id == IdState::kMalformed) {
      problem = "trace_id must be empty or 16 bytes (32 hex digits)";
    } else if (span_id == IdState::kMalformed) {
      problem = "span_id must be empty or 8 bytes (16 hex digits)";
    }
    if (!problem.empty()) {
      ++tally_.rejected;
      if (tally_.first_rejection.empty()) tally_.first_rejection = RenderPath() + ": " + problem;
      return Status::Ok();
    }
    ++tally_.accepted;
    logs_.push_back(std::move(record));
    return Status::Ok();
  }

  Status DecodeLogRecord(element value, model::LogRecord* record, IdState* trace_id,
                         IdState* span_id) {
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      if (key == "timeUnixNano") return ReadUint64(member, &record->time_unix_nano);
      if (key == "observedTimeUnixNano") {
        return ReadUint64(member, &record->observed_time_unix_nano);
      }
      if (key == "severityNumber") return ReadSeverity(member, &record->severity_number);
      if (key == "severityText") return ReadString(member, &record->severity_text);
      if (key == "body") return DecodeAnyValue(member, &record->body, /*depth=*/1);
      if (key == "attributes") return DecodeAttributes(member, &record->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &record->dropped_attributes_count);
      }
      if (key == "flags") return ReadUint32(member, &record->flags);
      if (key == "traceId") return ReadId(member, &record->trace_id, trace_id);
      if (key == "spanId") return ReadId(member, &record->span_id, span_id);
      if (key == "eventName") return ReadString(member, &record->event_name);
      return Status::Ok();
    });
  }

  // An integer, or the proto enum name as some exporters send.
  Status ReadSeverity(element value, int32_t* severity) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *severity = SeverityFromName(name);
      return Status::Ok();
    }
    return ReadInteger(value, severity);
  }

  const size_t resource_base_;
  const size_t scope_base_;
  std::vector<model::Resource> resources_;
  std::vector<model::Scope> scopes_;
  std::vector<model::LogRecord> logs_;
  Tally tally_;
};

}  // namespace

Status DecodeLogsRequestProto(std::string_view body, model::LogBatch* batch, DecodeResult* result,
                              const DecodeLimits& limits) {
  const size_t resources_before = batch->resources.size();
  const size_t scopes_before = batch->scopes.size();
  const size_t logs_before = batch->logs.size();
  // Roll back on failure: a malformed request contributes nothing.
  auto roll_back = [&] {
    batch->resources.resize(resources_before);
    batch->scopes.resize(scopes_before);
    batch->logs.resize(logs_before);
  };
  LogsProtoDecoder decoder(limits);
  Tally tally;
  try {
    if (!decoder.DecodeRequest(body, batch, &tally)) {
      roll_back();
      return InvalidArgument(decoder.ErrorMessage());
    }
  } catch (const std::bad_alloc&) {
    roll_back();
    return ResourceExhausted("out of memory decoding an OTLP protobuf logs request");
  }
  Commit(std::move(tally), result);
  return Status::Ok();
}

Status DecodeLogsRequestJson(std::string_view body, model::LogBatch* batch, DecodeResult* result,
                             const DecodeLimits& limits) {
  // simdjson reads past the end of its input; the view carries no padding, so copy.
  simdjson::padded_string padded(body);
  simdjson::dom::parser& parser = json_internal::ThreadParser();
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    json_internal::ReleaseIfLarge(parser);
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  Status status;
  try {
    JsonLogsDecoder decoder(batch, limits);
    status = decoder.DecodeRequest(root);
    if (status.ok()) decoder.CommitTo(batch, result);
  } catch (const std::bad_alloc&) {
    status = ResourceExhausted("out of memory decoding an OTLP/JSON logs request");
  }
  json_internal::ReleaseIfLarge(parser);
  return status;
}

Status DecodeLogRecordProto(std::string_view bytes, model::LogRecord* record,
                            const DecodeLimits& limits) {
  try {
    LogsProtoDecoder decoder(limits);
    model::LogRecord decoded;
    std::string defect;
    if (!decoder.DecodeLogRecord(bytes, &decoded, &defect)) {
      return InvalidArgument(decoder.ErrorMessage());
    }
    if (!defect.empty()) return InvalidArgument(defect);
    *record = std::move(decoded);
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory decoding an OTLP LogRecord");
  }
}

}  // namespace tokenscope::otlp
