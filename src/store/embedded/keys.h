// Key encodings of the embedded store's column families.
//
// Every project-scoped key starts with the project as a length-prefixed string (varint
// length, then the bytes). Length prefixes are prefix-free, so the keys of project "a" can
// never be a prefix of the keys of project "a\0b" (or any other project): a prefix scan of
// one project never sees another's data.
//
//   spans          project | trace_id(16) | span_id(8)
//   span_time      project | time-order suffix
//   span_index     project | field(1) | value (length-prefixed) | time-order suffix
//                  (field = IndexedField; see embedded_store.h for which spans get which)
//   trace_summary  project | trace_id(16)
//   services       project | service name (raw, to the end of the key)
//   resources      xxh3-64 hash (8, big-endian)
//   logs           project | log-order suffix
//   log_trace      project | trace_id(16) | time (8, BE) | sequence (4, BE) | record hash (8)
//   scopes         xxh3-64 hash (8, big-endian)
//
// The time-order suffix is (UINT64_MAX - start) as 8 big-endian bytes, then the trace id
// and the span id with every byte complemented. Forward iteration therefore visits spans
// newest first, ties broken by trace id and then span id, both descending — the order
// store.h promises for ScanSpans. The suffix is also the opaque resume token of a scan.
//
// The log-order suffix is (UINT64_MAX - time) as 8 big-endian bytes, the record's position
// in its request (4, BE) and the xxh3-64 hash of its stored value (8): newest first, records
// of one instant in the order they were sent, and a retried request lands on the same keys.
// log_trace holds the same (time, sequence, hash) unreversed, oldest first, so the records of
// one trace are read in the order they happened.
//
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/span.h"
#include "store/store.h"

namespace tokenscope::store::embedded {

inline constexpr size_t kTimeOrderSuffixSize = 8 + 16 + 8;

// The length-prefixed project that starts every project-scoped key.
std::string ProjectPrefix(std::string_view project);

std::string SpanKey(std::string_view project, const model::TraceId& trace_id,
                    const model::SpanId& span_id);
// The prefix shared by every span of one trace in the spans column family.
std::string TraceSpansPrefix(std::string_view project, const model::TraceId& trace_id);

std::string TimeOrderSuffix(uint64_t start_unix_nano, const model::TraceId& trace_id,
                            const model::SpanId& span_id);
// Parses a time-order suffix. False unless `suffix` is exactly kTimeOrderSuffixSize bytes.
bool ParseTimeOrderSuffix(std::string_view suffix, uint64_t* start_unix_nano,
                          model::TraceId* trace_id, model::SpanId* span_id);
// The smallest suffix of all spans starting at `start_unix_nano` (seek target of a scan
// whose newest admissible start is `start_unix_nano`).
std::string TimeOrderSeekSuffix(uint64_t start_unix_nano);

std::string SpanTimeKey(std::string_view project, uint64_t start_unix_nano,
                        const model::TraceId& trace_id, const model::SpanId& span_id);

// The prefix of one equality index's entries: project | field | value.
std::string IndexPrefix(std::string_view project, IndexedField field, std::string_view value);
std::string IndexKey(std::string_view project, IndexedField field, std::string_view value,
                     uint64_t start_unix_nano, const model::TraceId& trace_id,
                     const model::SpanId& span_id);

// Calls fn(field, value) for each equality-index entry of a span. Status is indexed for
// errors only: unset and ok cover most spans, so an index of them would be nearly as large
// as span_time, which serves those scans (filtered) instead.
template <typename Fn>
inline void ForEachIndexTerm(std::string_view service, std::string_view name,
                             model::StatusCode status, Fn fn) {
  fn(IndexedField::kService, service);
  fn(IndexedField::kName, name);
  if (status == model::StatusCode::kError) {
    fn(IndexedField::kStatus, model::StatusCodeName(status));
  }
}

std::string TraceSummaryKey(std::string_view project, const model::TraceId& trace_id);

std::string ServiceKey(std::string_view project, std::string_view service);

// Key of a content-addressed record (resources, scopes).
std::string HashKey(uint64_t hash);

// Where a log record sits in the logs and log_trace column families.
struct LogPosition {
  uint64_t time_unix_nano = 0;
  uint32_t sequence = 0;
  uint64_t hash = 0;
};
inline constexpr size_t kLogOrderSuffixSize = 8 + 4 + 8;

std::string LogOrderSuffix(const LogPosition& position);
// False unless `suffix` is exactly kLogOrderSuffixSize bytes.
bool ParseLogOrderSuffix(std::string_view suffix, LogPosition* position);
// The smallest suffix of the records at `time_unix_nano` (seek target of a newest-first scan).
std::string LogOrderSeekSuffix(uint64_t time_unix_nano);
std::string LogKey(std::string_view project, const LogPosition& position);

// The prefix of one trace's entries in log_trace, and an entry.
std::string LogTracePrefix(std::string_view project, const model::TraceId& trace_id);
std::string LogTraceKey(std::string_view project, const model::TraceId& trace_id,
                        const LogPosition& position);
// Parses what follows LogTracePrefix. False unless it is exactly 20 bytes.
bool ParseLogTraceSuffix(std::string_view suffix, LogPosition* position);

// The smallest string greater than every string that starts with `prefix`, or "" when there
// is none (the prefix is empty or all 0xff bytes). Used as an iterator upper bound.
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace tokenscope::store::embedded
