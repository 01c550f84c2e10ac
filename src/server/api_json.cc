#include "server/api_json.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/base64.h"
#include "base/hex.h"
#include "enrich/span_analysis.h"
#include "server/llm_json.h"

namespace tokenscope::server {

void JsonOut::Nanos(uint64_t ns) {
  String(std::to_string(ns));
}

void WriteAnyValue(JsonOut& out, const model::AnyValue& v) {
  auto& w = out.w();
  switch (v.type) {
    case model::ValueType::kEmpty:
      w.Null();
      return;
    case model::ValueType::kString:
      out.String(v.string_value);
      return;
    case model::ValueType::kBool:
      w.Bool(v.bool_value);
      return;
    case model::ValueType::kInt:
      w.Int64(v.int_value);
      return;
    case model::ValueType::kDouble:
      if (std::isnan(v.double_value)) {
        out.String("NaN");
      } else if (std::isinf(v.double_value)) {
        out.String(v.double_value > 0 ? "Infinity" : "-Infinity");
      } else {
        w.Double(v.double_value);
      }
      return;
    case model::ValueType::kBytes:
      out.String(Base64Encode(v.string_value));
      return;
    case model::ValueType::kArray:
      w.StartArray();
      for (const auto& item : v.array_value) WriteAnyValue(out, item);
      w.EndArray();
      return;
    case model::ValueType::kKvList:
      WriteAttributes(out, v.kvlist_value);
      return;
  }
  w.Null();
}

void WriteAttributes(JsonOut& out, const model::Attributes& attributes) {
  out.w().StartObject();
  for (const auto& kv : attributes) {
    out.Key(kv.key);
    WriteAnyValue(out, kv.value);
  }
  out.w().EndObject();
}

namespace {

void WriteResource(JsonOut& out, const model::Resource& r) {
  out.w().StartObject();
  out.Key("attributes");
  WriteAttributes(out, r.attributes);
  out.Key("dropped_attributes_count");
  out.w().Uint(r.dropped_attributes_count);
  out.Key("schema_url");
  out.String(r.schema_url);
  out.w().EndObject();
}

void WriteScope(JsonOut& out, const model::Scope& s) {
  out.w().StartObject();
  out.Key("name");
  out.String(s.name);
  out.Key("version");
  out.String(s.version);
  out.Key("attributes");
  WriteAttributes(out, s.attributes);
  out.Key("dropped_attributes_count");
  out.w().Uint(s.dropped_attributes_count);
  out.Key("schema_url");
  out.String(s.schema_url);
  out.w().EndObject();
}

void WriteEvents(JsonOut& out, const std::vector<model::Event>& events) {
  out.w().StartArray();
  for (const auto& e : events) {
    out.w().StartObject();
    out.Key("time_unix_nano");
    out.Nanos(e.time_unix_nano);
    out.Key("name");
    out.String(e.name);
    out.Key("attributes");
    WriteAttributes(out, e.attributes);
    out.Key("dropped_attributes_count");
    out.w().Uint(e.dropped_attributes_count);
    out.w().EndObject();
  }
  out.w().EndArray();
}

void WriteLinks(JsonOut& out, const std::vector<model::Link>& links) {
  out.w().StartArray();
  for (const auto& l : links) {
    out.w().StartObject();
    out.Key("trace_id");
    out.String(HexEncode(model::AsBytes(l.trace_id)));
    out.Key("span_id");
    out.String(HexEncode(model::AsBytes(l.span_id)));
    out.Key("trace_state");
    out.String(l.trace_state);
    out.Key("flags");
    out.w().Uint(l.flags);
    out.Key("attributes");
    WriteAttributes(out, l.attributes);
    out.Key("dropped_attributes_count");
    out.w().Uint(l.dropped_attributes_count);
    out.w().EndObject();
  }
  out.w().EndArray();
}

// The span with the events of its log records merged into its own, in time order (a stable
// sort keeps the sending order of records of one instant).
model::Span WithLogEvents(const model::Span& span, std::span<const model::LogRecord* const> logs) {
  model::Span joined = span;
  for (const model::LogRecord* record : logs) {
    model::Event event = model::LogRecordAsEvent(*record);
    if (!event.name.empty()) joined.events.push_back(std::move(event));
  }
  std::stable_sort(joined.events.begin(), joined.events.end(),
                   [](const model::Event& a, const model::Event& b) {
                     return a.time_unix_nano < b.time_unix_nano;
                   });
  return joined;
}

}  // namespace

void WriteLogRecord(JsonOut& out, const model::LogRecord& record, const model::Resource* resource,
                    const model::Scope* scope) {
  auto& w = out.w();
  w.StartObject();
  out.Key("time_unix_nano");
  out.Nanos(record.time_unix_nano);
  out.Key("observed_time_unix_nano");
  out.Nanos(record.observed_time_unix_nano);
  out.Key("trace_id");
  out.String(record.has_trace_id() ? HexEncode(model::AsBytes(record.trace_id)) : "");
  out.Key("span_id");
  out.String(record.has_span_id() ? HexEncode(model::AsBytes(record.span_id)) : "");
  out.Key("flags");
  w.Uint(record.flags);
  out.Key("severity_number");
  w.Int(record.severity_number);
  out.Key("severity_text");
  out.String(record.severity_text);
  out.Key("event_name");
  out.String(model::EventName(record));
  out.Key("body");
  WriteAnyValue(out, record.body);
  out.Key("attributes");
  WriteAttributes(out, record.attributes);
  out.Key("dropped_attributes_count");
  w.Uint(record.dropped_attributes_count);
  if (resource != nullptr) {
    out.Key("service");
    out.String(model::ServiceName(*resource));
    out.Key("resource");
    WriteResource(out, *resource);
  }
  if (scope != nullptr) {
    out.Key("scope");
    WriteScope(out, *scope);
  }
  w.EndObject();
}

void WriteSpan(JsonOut& out, const model::SpanBatch& batch, const model::Span& span,
               const enrich::PriceTable* prices, std::span<const model::LogRecord* const> logs) {
  auto& w = out.w();
  const model::Resource& resource = batch.ResourceOf(span);
  w.StartObject();
  out.Key("trace_id");
  out.String(HexEncode(model::AsBytes(span.trace_id)));
  out.Key("span_id");
  out.String(HexEncode(model::AsBytes(span.span_id)));
  out.Key("parent_span_id");
  out.String(span.is_root() ? std::string() : HexEncode(model::AsBytes(span.parent_span_id)));
  out.Key("trace_state");
  out.String(span.trace_state);
  out.Key("flags");
  w.Uint(span.flags);
  out.Key("name");
  out.String(span.name);
  out.Key("kind");
  out.String(model::SpanKindName(span.kind));
  out.Key("service");
  out.String(model::ServiceName(resource));
  out.Key("start_time_unix_nano");
  out.Nanos(span.start_time_unix_nano);
  out.Key("end_time_unix_nano");
  out.Nanos(span.end_time_unix_nano);
  out.Key("duration_ns");
  w.Uint64(span.duration_ns());
  out.Key("status");
  w.StartObject();
  out.Key("code");
  out.String(model::StatusCodeName(span.status.code));
  out.Key("message");
  out.String(span.status.message);
  w.EndObject();
  out.Key("attributes");
  WriteAttributes(out, span.attributes);
  out.Key("dropped_attributes_count");
  w.Uint(span.dropped_attributes_count);
  out.Key("events");
  WriteEvents(out, span.events);
  out.Key("dropped_events_count");
  w.Uint(span.dropped_events_count);
  out.Key("links");
  WriteLinks(out, span.links);
  out.Key("dropped_links_count");
  w.Uint(span.dropped_links_count);
  out.Key("resource");
  WriteResource(out, resource);
  out.Key("scope");
  WriteScope(out, batch.ScopeOf(span));
  if (!logs.empty()) {
    out.Key("logs");
    w.StartArray();
    for (const model::LogRecord* record : logs) WriteLogRecord(out, *record);
    w.EndArray();
  }
  // Derived when read, from the raw span, so a better normalizer, price table or classifier
  // applies to old data too.
  enrich::SpanAnalysis analysis =
      logs.empty()
          ? enrich::AnalyzeSpan(span, resource, batch.ScopeOf(span), prices)
          : enrich::AnalyzeSpan(WithLogEvents(span, logs), resource, batch.ScopeOf(span), prices);
  if (analysis.llm) {
    out.Key("llm");
    WriteLlm(out, *analysis.llm);
  }
  if (const auto& error = analysis.error) {
    out.Key("error_class");
    out.String(model::ErrorClassName(error->error_class));
    out.Key("error_reason");
    out.String(error->reason);
    out.Key("error_fingerprint");
    out.String(error->fingerprint);
  }
  w.EndObject();
}

void WriteTraceSummary(JsonOut& out, const model::TraceSummary& t) {
  auto& w = out.w();
  w.StartObject();
  out.Key("trace_id");
  out.String(HexEncode(model::AsBytes(t.trace_id)));
  out.Key("root_name");
  out.String(t.root_name);
  out.Key("root_service");
  out.String(t.root_service);
  out.Key("start_time_unix_nano");
  out.Nanos(t.start_time_unix_nano);
  out.Key("end_time_unix_nano");
  out.Nanos(t.end_time_unix_nano);
  out.Key("duration_ns");
  w.Uint64(t.duration_ns());
  out.Key("span_count");
  w.Uint(t.span_count);
  out.Key("error_count");
  w.Uint(t.error_count);
  const model::LlmTotals& llm = t.llm;
  out.Key("llm_call_count");
  w.Uint(llm.llm_calls);
  out.Key("input_tokens");
  w.Int64(llm.input_tokens);
  out.Key("output_tokens");
  w.Int64(llm.output_tokens);
  out.Key("cache_read_input_tokens");
  w.Int64(llm.cache_read_input_tokens);
  out.Key("cache_creation_input_tokens");
  w.Int64(llm.cache_creation_input_tokens);
  out.Key("reasoning_tokens");
  w.Int64(llm.reasoning_tokens);
  out.Key("total_tokens");
  w.Int64(llm.total_tokens);
  out.Key("cost_nanos_usd");
  w.Int64(llm.cost_nanos);
  out.Key("cost_usd");
  w.Double(static_cast<double>(llm.cost_nanos) / 1e9);
  out.Key("models");
  w.StartArray();
  for (const auto& m : llm.models) out.String(m);
  w.EndArray();
  out.Key("session_id");
  out.String(llm.session_id);
  out.Key("user_id");
  out.String(llm.user_id);
  w.EndObject();
}

}  // namespace tokenscope::server
