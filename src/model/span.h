// The canonical span model: everything OTLP carries about a span, losslessly.
//
// All string-like fields are std::string_view. They point into memory owned by the
// SpanBatch that holds the span (the request buffer for zero-copy protobuf decoding, or the
// batch's arena). A Span is therefore only valid while its batch lives; copy what must
// outlive it. Plain data: no I/O, not synchronized.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/arena.h"
#include "model/llm.h"

namespace tokenscope::model {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

inline std::string_view AsBytes(const TraceId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}
inline std::string_view AsBytes(const SpanId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}
bool IsZero(const TraceId& id);
bool IsZero(const SpanId& id);

// The value types of OTLP's AnyValue. kEmpty is an AnyValue with no value set (null).
enum class ValueType : uint8_t {
  kEmpty = 0,
  kString = 1,
  kBool = 2,
  kInt = 3,
  kDouble = 4,
  kArray = 5,
  kKvList = 6,
  kBytes = 7,
};

struct KeyValue;

struct AnyValue {
  ValueType type = ValueType::kEmpty;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view string_value;  // kString (UTF-8) and kBytes (raw bytes)
  std::vector<AnyValue> array_value;
  std::vector<KeyValue> kvlist_value;

  static AnyValue String(std::string_view s);
  static AnyValue Bytes(std::string_view s);
  static AnyValue Bool(bool b);
  static AnyValue Int(int64_t i);
  static AnyValue Double(double d);
};

struct KeyValue {
  std::string_view key;
  AnyValue value;
};

using Attributes = std::vector<KeyValue>;

// Returns the attribute named `key`, or nullptr. Linear: attribute lists are short.
const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key);

struct Resource {
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // from ResourceSpans.schema_url
};

struct Scope {
  std::string_view name;
  std::string_view version;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // from ScopeSpans.schema_url
};

struct Event {
  uint64_t time_unix_nano = 0;
  std::string_view name;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
};

struct Link {
  TraceId trace_id{};
  SpanId span_id{};
  std::string_view trace_state;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
};

// OTLP SpanKind, same numbering as the protocol.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};
std::string_view SpanKindName(SpanKind kind);  // "internal", "server", ...

// OTLP Status.code, same numbering as the protocol.
enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };
std::string_view StatusCodeName(StatusCode code);  // "unset", "ok", "error"

struct SpanStatus {
  StatusCode code = StatusCode::kUnset;
  std::string_view message;
};

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero for a root span
  std::string_view trace_state;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::vector<Event> events;
  uint32_t dropped_events_count = 0;
  std::vector<Link> links;
  uint32_t dropped_links_count = 0;
  SpanStatus status;
  uint32_t flags = 0;

  // Indexes into the owning batch's resources and scopes.
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;

  bool is_root() const { return IsZero(parent_span_id); }
  uint64_t duration_ns() const {
    return end_time_unix_nano > start_time_unix_nano ? end_time_unix_nano - start_time_unix_nano
                                                     : 0;
  }
};

// `service.name` of a resource, or "unknown_service" as the OTel SDKs default to.
std::string_view ServiceName(const Resource& resource);

// A set of spans with the resources and scopes they reference, and the memory their views
// point into. Move-only; moving keeps every view valid (buffers are heap blocks that do not
// move). Not thread-safe.
class SpanBatch {
 public:
  SpanBatch() = default;
  SpanBatch(const SpanBatch&) = delete;
  SpanBatch& operator=(const SpanBatch&) = delete;
  SpanBatch(SpanBatch&&) = default;
  SpanBatch& operator=(SpanBatch&&) = default;

  // Takes ownership of `buffer` and returns a view of its bytes, valid for the batch's life.
  std::string_view Adopt(std::string buffer);
  Arena& arena() { return arena_; }

  std::string project;  // the project every span in the batch belongs to
  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  std::vector<Span> spans;
  // What each span adds to its trace's LLM totals, parallel to `spans`; empty when the batch
  // was not analyzed (then traces get no LLM totals from it).
  std::vector<LlmTotals> llm_totals;

  const Resource& ResourceOf(const Span& s) const { return resources[s.resource_index]; }
  const Scope& ScopeOf(const Span& s) const { return scopes[s.scope_index]; }

 private:
  std::vector<std::unique_ptr<std::string>> buffers_;
  Arena arena_;
};

}  // namespace tokenscope::model
