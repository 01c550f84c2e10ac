// Value encodings of the embedded store's column families.
//
//   spans          resource hash (8, BE) | scope hash (8, BE) | OTLP Span message
//   logs           resource hash (8, BE) | scope hash (8, BE) | OTLP LogRecord message
//   log_trace      empty (the key says where the record is)
//   resources      schema_url (length-prefixed) | OTLP Resource message
//   scopes         schema_url (length-prefixed) | OTLP InstrumentationScope message
//   span_time,     SpanSummary fields not already in the key: parent span id (8) |
//   span_index       duration (varint) | status (1) | kind (1) | service (length-prefixed) |
//                    name (to the end)
//   trace_summary  flags (1, bit 0 = has_root) | start, end, last span start, span count,
//                  error count (varints) | root name, root service (length-prefixed)
//
// Resources and scopes carry their schema_url beside the OTLP message because OTLP keeps it
// on the enclosing ResourceSpans/ScopeSpans, which the store does not keep.
//
// Decoders return views into the bytes they are given; the caller keeps those bytes alive.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/log_record.h"
#include "model/span.h"
#include "model/trace_summary.h"
#include "store/store.h"

namespace tokenscope::store::embedded {

inline constexpr size_t kSpanRecordHeaderSize = 16;

// Appends the spans-column-family value of `span` to `out`.
void EncodeSpanRecord(const model::Span& span, uint64_t resource_hash, uint64_t scope_hash,
                      std::string* out);

struct SpanRecordView {
  uint64_t resource_hash = 0;
  uint64_t scope_hash = 0;
  std::string_view span_proto;
};
Status ParseSpanRecord(std::string_view record, SpanRecordView* view);

// Decodes the span of a record; views in `span` point into `record`.
Status DecodeSpanRecord(std::string_view record, model::Span* span, SpanRecordView* view);

// The start time and span id of a stored span, read without decoding the rest: a page of a
// large trace orders every span of the trace by these two, and decoding each whole to get them
// cost as much as reading the trace whole.
Status ReadSpanOrder(std::string_view record, uint64_t* start_unix_nano, model::SpanId* span_id);

// Appends the logs-column-family value of `record` to `out`.
void EncodeLogRecordValue(const model::LogRecord& record, uint64_t resource_hash,
                          uint64_t scope_hash, std::string* out);
// Decodes a logs value; views in `record` point into `value`. Fills `view`'s hashes.
Status DecodeLogRecordValue(std::string_view value, model::LogRecord* record, SpanRecordView* view);

void EncodeResourceRecord(const model::Resource& resource, std::string* out);
Status DecodeResourceRecord(std::string_view record, model::Resource* resource);

void EncodeScopeRecord(const model::Scope& scope, std::string* out);
Status DecodeScopeRecord(std::string_view record, model::Scope* scope);

// The content hash that keys resource and scope records.
uint64_t RecordHash(std::string_view record);

// The span_time / span_index value: the SpanSummary fields the key does not hold.
void EncodeSpanSummaryValue(const SpanSummary& summary, std::string* out);
// Fills parent_span_id, duration_ns, status, kind, service and name of `summary`.
Status DecodeSpanSummaryValue(std::string_view value, SpanSummary* summary);

// The trace_summary value (and merge operand). The trace id lives in the key and is not
// encoded.
void EncodeTraceSummary(const model::TraceSummary& summary, std::string* out);
// Fills every field except trace_id.
Status DecodeTraceSummary(std::string_view value, model::TraceSummary* summary);

}  // namespace tokenscope::store::embedded
