// The canonical log model: everything an OTLP LogRecord carries, losslessly, and LogBatch,
// the log counterpart of SpanBatch.
//
// All string-like fields are std::string_view pointing into memory owned by the LogBatch
// that holds the record (the request buffer for zero-copy protobuf decoding, or the batch's
// arena). A LogRecord is only valid while its batch lives. Plain data: no I/O, not
// synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/arena.h"
#include "model/span.h"

namespace tokenscope::model {

struct LogRecord {
  uint64_t time_unix_nano = 0;           // when the event occurred; 0 if unknown
  uint64_t observed_time_unix_nano = 0;  // when the collection system saw it
  int32_t severity_number = 0;           // OTLP SeverityNumber, 0 = unspecified
  std::string_view severity_text;
  AnyValue body;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;  // W3C trace flags in bits 0-7
  // All zero when the record is not correlated with a trace or span.
  TraceId trace_id{};
  SpanId span_id{};
  std::string_view event_name;

  // Indexes into the owning batch's resources and scopes.
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;

  bool has_trace_id() const { return !IsZero(trace_id); }
  bool has_span_id() const { return !IsZero(span_id); }
};

// The record's event name: the event_name field, or for SDKs that predate it the string
// attribute `event.name`; empty when the record is not an event.
std::string_view EventName(const LogRecord& record);

// The record as a span event, for reading log-based events (OTel GenAI 1.28-1.36 sends
// message content as log records) the way span events are read: named by EventName(), at the
// record's time (else its observed time), with the record's attributes and, when it has one,
// its body as the attribute "body". Views point where the record's do. Empty name when the
// record is not an event.
Event LogRecordAsEvent(const LogRecord& record);

// A set of log records with the resources and scopes they reference, and the memory their
// views point into. Move-only; moving keeps every view valid. Not thread-safe.
class LogBatch {
 public:
  LogBatch() = default;
  LogBatch(const LogBatch&) = delete;
  LogBatch& operator=(const LogBatch&) = delete;
  LogBatch(LogBatch&&) = default;
  LogBatch& operator=(LogBatch&&) = default;

  // Takes ownership of `buffer` and returns a view of its bytes, valid for the batch's life.
  std::string_view Adopt(std::string buffer);
  Arena& arena() { return arena_; }

  std::string project;  // the project every record in the batch belongs to
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<LogRecord> logs;

  const Resource& ResourceOf(const LogRecord& r) const { return resources[r.resource_index]; }
  const Scope& ScopeOf(const LogRecord& r) const { return scopes[r.scope_index]; }

 private:
  std::vector<std::unique_ptr<std::string>> buffers_;
  Arena arena_;
};

}  // namespace tokenscope::model
