#include "store/embedded/records.h"

#include <xxhash.h>

#include <cstring>

#include "otlp/logs_decoder.h"
#include "otlp/logs_encoder.h"
#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"
#include "otlp/wire.h"
#include "store/embedded/coding.h"

namespace tokenscope::store::embedded {
namespace {

Status Corrupt(std::string_view what) {
  return DataLoss("corrupt " + std::string(what) + " record in the embedded store");
}

}  // namespace

void EncodeSpanRecord(const model::Span& span, uint64_t resource_hash, uint64_t scope_hash,
                      std::string* out) {
  PutFixed64BigEndian(resource_hash, out);
  PutFixed64BigEndian(scope_hash, out);
  otlp::EncodeSpanProto(span, out);
}

Status ParseSpanRecord(std::string_view record, SpanRecordView* view) {
  if (!GetFixed64BigEndian(&record, &view->resource_hash) ||
      !GetFixed64BigEndian(&record, &view->scope_hash)) {
    return Corrupt("span");
  }
  view->span_proto = record;
  return Status::Ok();
}

Status DecodeSpanRecord(std::string_view record, model::Span* span, SpanRecordView* view) {
  TS_RETURN_IF_ERROR(ParseSpanRecord(record, view));
  Status s = otlp::DecodeSpanProto(view->span_proto, span);
  if (!s.ok()) return DataLoss("stored span does not decode: " + s.message());
  return Status::Ok();
}

Status ReadSpanOrder(std::string_view record, uint64_t* start_unix_nano, model::SpanId* span_id) {
  SpanRecordView view;
  TS_RETURN_IF_ERROR(ParseSpanRecord(record, &view));
  *start_unix_nano = 0;  // proto3 leaves a zero out
  span_id->fill(0);
  otlp::wire::Reader r(view.span_proto);
  bool have_start = false;
  bool have_span_id = false;
  while (!r.done() && !(have_start && have_span_id)) {
    uint32_t field;
    otlp::wire::WireType wt;
    if (!r.ReadTag(&field, &wt)) return Corrupt("span");
    if (field == 2 && wt == otlp::wire::WireType::kLen) {  // Span.span_id
      std::string_view id;
      if (!r.ReadLengthDelimited(&id) || id.size() != span_id->size()) return Corrupt("span");
      std::memcpy(span_id->data(), id.data(), id.size());
      have_span_id = true;
    } else if (field == 7 && wt == otlp::wire::WireType::kI64) {  // Span.start_time_unix_nano
      if (!r.ReadFixed64(start_unix_nano)) return Corrupt("span");
      have_start = true;
    } else if (!r.SkipValue(wt)) {
      return Corrupt("span");
    }
  }
  return Status::Ok();
}

void EncodeLogRecordValue(const model::LogRecord& record, uint64_t resource_hash,
                          uint64_t scope_hash, std::string* out) {
  PutFixed64BigEndian(resource_hash, out);
  PutFixed64BigEndian(scope_hash, out);
  otlp::EncodeLogRecordProto(record, out);
}

Status DecodeLogRecordValue(std::string_view value, model::LogRecord* record,
                            SpanRecordView* view) {
  if (!GetFixed64BigEndian(&value, &view->resource_hash) ||
      !GetFixed64BigEndian(&value, &view->scope_hash)) {
    return Corrupt("log record");
  }
  view->span_proto = value;
  Status s = otlp::DecodeLogRecordProto(value, record);
  if (!s.ok()) return DataLoss("stored log record does not decode: " + s.message());
  return Status::Ok();
}

void EncodeResourceRecord(const model::Resource& resource, std::string* out) {
  PutLengthPrefixed(resource.schema_url, out);
  otlp::EncodeResourceProto(resource, out);
}

Status DecodeResourceRecord(std::string_view record, model::Resource* resource) {
  std::string_view schema_url;
  if (!GetLengthPrefixed(&record, &schema_url)) return Corrupt("resource");
  Status s = otlp::DecodeResourceProto(record, resource);
  if (!s.ok()) return DataLoss("stored resource does not decode: " + s.message());
  resource->schema_url = schema_url;
  return Status::Ok();
}

void EncodeScopeRecord(const model::Scope& scope, std::string* out) {
  PutLengthPrefixed(scope.schema_url, out);
  otlp::EncodeScopeProto(scope, out);
}

Status DecodeScopeRecord(std::string_view record, model::Scope* scope) {
  std::string_view schema_url;
  if (!GetLengthPrefixed(&record, &schema_url)) return Corrupt("scope");
  Status s = otlp::DecodeScopeProto(record, scope);
  if (!s.ok()) return DataLoss("stored scope does not decode: " + s.message());
  scope->schema_url = schema_url;
  return Status::Ok();
}

uint64_t RecordHash(std::string_view record) {
  return XXH3_64bits(record.data(), record.size());
}

void EncodeSpanSummaryValue(const SpanSummary& summary, std::string* out) {
  out->append(reinterpret_cast<const char*>(summary.parent_span_id.data()),
              summary.parent_span_id.size());
  PutVarint64(summary.duration_ns, out);
  out->push_back(static_cast<char>(summary.status));
  out->push_back(static_cast<char>(summary.kind));
  PutLengthPrefixed(summary.service, out);
  out->append(summary.name);
}

Status DecodeSpanSummaryValue(std::string_view value, SpanSummary* summary) {
  if (value.size() < summary->parent_span_id.size()) return Corrupt("span summary");
  std::memcpy(summary->parent_span_id.data(), value.data(), summary->parent_span_id.size());
  value.remove_prefix(summary->parent_span_id.size());
  std::string_view service;
  if (!GetVarint64(&value, &summary->duration_ns) || value.size() < 2) {
    return Corrupt("span summary");
  }
  summary->status = static_cast<model::StatusCode>(value[0]);
  summary->kind = static_cast<model::SpanKind>(value[1]);
  value.remove_prefix(2);
  if (!GetLengthPrefixed(&value, &service)) return Corrupt("span summary");
  summary->service.assign(service);
  summary->name.assign(value);
  return Status::Ok();
}

void EncodeTraceSummary(const model::TraceSummary& summary, std::string* out) {
  out->push_back(summary.has_root ? 1 : 0);
  PutVarint64(summary.start_time_unix_nano, out);
  PutVarint64(summary.end_time_unix_nano, out);
  PutVarint64(summary.last_span_start_unix_nano, out);
  PutVarint64(summary.span_count, out);
  PutVarint64(summary.error_count, out);
  PutLengthPrefixed(summary.root_name, out);
  PutLengthPrefixed(summary.root_service, out);
  // LLM totals follow only when there are any, so plain traces stay small.
  const model::LlmTotals& llm = summary.llm;
  if (llm.empty() && llm.models.empty()) return;
  PutVarint64(llm.llm_calls, out);
  for (int64_t v :
       {llm.input_tokens, llm.output_tokens, llm.cache_read_input_tokens,
        llm.cache_creation_input_tokens, llm.reasoning_tokens, llm.total_tokens, llm.cost_nanos}) {
    PutVarint64(static_cast<uint64_t>(v), out);
  }
  PutVarint64(llm.models.size(), out);
  for (const auto& m : llm.models) PutLengthPrefixed(m, out);
  PutLengthPrefixed(llm.session_id, out);
  PutLengthPrefixed(llm.user_id, out);
}

namespace {

bool DecodeLlmTotals(std::string_view* in, model::LlmTotals* llm) {
  uint64_t calls = 0;
  if (!GetVarint64(in, &calls)) return false;
  llm->llm_calls = static_cast<uint32_t>(calls);
  for (int64_t* field : {&llm->input_tokens, &llm->output_tokens, &llm->cache_read_input_tokens,
                         &llm->cache_creation_input_tokens, &llm->reasoning_tokens,
                         &llm->total_tokens, &llm->cost_nanos}) {
    uint64_t v = 0;
    if (!GetVarint64(in, &v)) return false;
    *field = static_cast<int64_t>(v);
  }
  uint64_t model_count = 0;
  if (!GetVarint64(in, &model_count) || model_count > model::LlmTotals::kMaxModels) return false;
  for (uint64_t i = 0; i < model_count; ++i) {
    std::string_view m;
    if (!GetLengthPrefixed(in, &m)) return false;
    llm->models.emplace_back(m);
  }
  std::string_view session, user;
  if (!GetLengthPrefixed(in, &session) || !GetLengthPrefixed(in, &user)) return false;
  llm->session_id.assign(session);
  llm->user_id.assign(user);
  return in->empty();
}

}  // namespace

Status DecodeTraceSummary(std::string_view value, model::TraceSummary* summary) {
  if (value.empty()) return Corrupt("trace summary");
  summary->has_root = (value[0] & 1) != 0;
  value.remove_prefix(1);
  uint64_t span_count = 0;
  uint64_t error_count = 0;
  std::string_view root_name;
  std::string_view root_service;
  if (!GetVarint64(&value, &summary->start_time_unix_nano) ||
      !GetVarint64(&value, &summary->end_time_unix_nano) ||
      !GetVarint64(&value, &summary->last_span_start_unix_nano) ||
      !GetVarint64(&value, &span_count) || !GetVarint64(&value, &error_count) ||
      !GetLengthPrefixed(&value, &root_name) || !GetLengthPrefixed(&value, &root_service) ||
      (!value.empty() && !DecodeLlmTotals(&value, &summary->llm))) {
    return Corrupt("trace summary");
  }
  summary->span_count = static_cast<uint32_t>(span_count);
  summary->error_count = static_cast<uint32_t>(error_count);
  summary->root_name.assign(root_name);
  summary->root_service.assign(root_service);
  return Status::Ok();
}

}  // namespace tokenscope::store::embedded
