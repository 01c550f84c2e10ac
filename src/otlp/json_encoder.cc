// OTLP/JSON encoding with RapidJSON's Writer.
//
// Output follows the OTLP/JSON rules: lowerCamelCase keys, lowercase hex ids, 64-bit integers
// as decimal strings, enums as integers, default values omitted. Model strings that are not
// valid UTF-8 (the protobuf decoder does not check) have each bad sequence replaced by
// U+FFFD so the output is always valid JSON.

#include "otlp/json_encoder.h"

// RapidJSON 1.1.0's internal::Stack compares `stackTop_ + n` against its end while the
// pointer is still null on first use, which clang's pointer-overflow check reports (fixed
// upstream by comparing sizes instead). The check is turned off for RapidJSON's own
// functions only.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "base/base64.h"
#include "base/hex.h"
#include "otlp/json_encoder_internal.h"

namespace tokenscope::otlp {
namespace {

// RapidJSON output stream appending to a std::string the caller owns, so the document is
// built in place without a second copy. One writer at a time; not thread-safe.
class StringSink {
 public:
  using Ch = char;
  explicit StringSink(std::string* out) : out_(out) {}
  void Put(char c) { out_->push_back(c); }
  void Flush() {}

 private:
  std::string* out_;
};

using JsonWriter = rapidjson::Writer<StringSink>;

// Length of the valid UTF-8 sequence starting at s[0], or 0 if it is not one (overlong
// forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

std::string ReplaceInvalidUtf8(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size() + 8);
  while (!s.empty()) {
    size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += kReplacement;
      n = 1;
    } else {
      out.append(s.data(), n);
    }
    s.remove_prefix(n);
  }
  return out;
}

void WriteString(JsonWriter& w, std::string_view s) {
  if (s.empty()) {
    w.String("", 0);  // RapidJSON asserts on a null pointer, which empty views may hold
    return;
  }
  if (simdjson::validate_utf8(s.data(), s.size())) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  std::string clean = ReplaceInvalidUtf8(s);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void WriteKey(JsonWriter& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

// 64-bit integers go out as decimal strings: JSON numbers lose precision above 2^53 in many
// readers.
template <typename T>
void WriteDecimalString(JsonWriter& w, T value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  w.String(buffer, static_cast<rapidjson::SizeType>(end - buffer));
}

void WriteDouble(JsonWriter& w, double d) {
  // RapidJSON refuses non-finite values; proto3 JSON spells them as strings.
  if (std::isnan(d)) {
    w.String("NaN");
  } else if (std::isinf(d)) {
    w.String(d > 0 ? "Infinity" : "-Infinity");
  } else {
    w.Double(d);
  }
}

template <size_t N>
void WriteId(JsonWriter& w, std::string_view key, const std::array<uint8_t, N>& id) {
  WriteKey(w, key);
  std::string hex =
      HexEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
  w.String(hex.data(), static_cast<rapidjson::SizeType>(hex.size()));
}

void WriteStringField(JsonWriter& w, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  WriteKey(w, key);
  WriteString(w, value);
}

void WriteUint32Field(JsonWriter& w, std::string_view key, uint32_t value) {
  if (value == 0) return;
  WriteKey(w, key);
  w.Uint(value);
}

void WriteUint64Field(JsonWriter& w, std::string_view key, uint64_t value) {
  if (value == 0) return;
  WriteKey(w, key);
  WriteDecimalString(w, value);
}

void WriteAttributes(JsonWriter& w, const model::Attributes& attributes);

void WriteAnyValue(JsonWriter& w, const model::AnyValue& value) {
  w.StartObject();
  switch (value.type) {
    case model::ValueType::kEmpty:
      break;
    case model::ValueType::kString:
      WriteKey(w, "stringValue");
      WriteString(w, value.string_value);
      break;
    case model::ValueType::kBool:
      WriteKey(w, "boolValue");
      w.Bool(value.bool_value);
      break;
    case model::ValueType::kInt:
      WriteKey(w, "intValue");
      WriteDecimalString(w, value.int_value);
      break;
    case model::ValueType::kDouble:
      WriteKey(w, "doubleValue");
      WriteDouble(w, value.double_value);
      break;
    case model::ValueType::kArray:
      WriteKey(w, "arrayValue");
      w.StartObject();
      if (!value.array_value.empty()) {
        WriteKey(w, "values");
        w.StartArray();
        for (const model::AnyValue& item : value.array_value) WriteAnyValue(w, item);
        w.EndArray();
      }
      w.EndObject();
      break;
    case model::ValueType::kKvList:
      WriteKey(w, "kvlistValue");
      w.StartObject();
      if (!value.kvlist_value.empty()) {
        WriteKey(w, "values");
        WriteAttributes(w, value.kvlist_value);
      }
      w.EndObject();
      break;
    case model::ValueType::kBytes: {
      WriteKey(w, "bytesValue");
      std::string encoded = Base64Encode(value.string_value);
      w.String(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()));
      break;
    }
  }
  w.EndObject();
}

// Writes the array of KeyValue objects (the caller has written the key).
void WriteAttributes(JsonWriter& w, const model::Attributes& attributes) {
  w.StartArray();
  for (const model::KeyValue& kv : attributes) {
    w.StartObject();
    WriteKey(w, "key");
    WriteString(w, kv.key);
    WriteKey(w, "value");
    WriteAnyValue(w, kv.value);
    w.EndObject();
  }
  w.EndArray();
}

void WriteAttributesField(JsonWriter& w, const model::Attributes& attributes) {
  if (attributes.empty()) return;
  WriteKey(w, "attributes");
  WriteAttributes(w, attributes);
}

void WriteResource(JsonWriter& w, const model::Resource& resource) {
  w.StartObject();
  WriteAttributesField(w, resource.attributes);
  WriteUint32Field(w, "droppedAttributesCount", resource.dropped_attributes_count);
  w.EndObject();
}

void WriteScope(JsonWriter& w, const model::Scope& scope) {
  w.StartObject();
  WriteStringField(w, "name", scope.name);
  WriteStringField(w, "version", scope.version);
  WriteAttributesField(w, scope.attributes);
  WriteUint32Field(w, "droppedAttributesCount", scope.dropped_attributes_count);
  w.EndObject();
}

void WriteEvent(JsonWriter& w, const model::Event& event) {
  w.StartObject();
  WriteUint64Field(w, "timeUnixNano", event.time_unix_nano);
  WriteStringField(w, "name", event.name);
  WriteAttributesField(w, event.attributes);
  WriteUint32Field(w, "droppedAttributesCount", event.dropped_attributes_count);
  w.EndObject();
}

void WriteLink(JsonWriter& w, const model::Link& link) {
  w.StartObject();
  // An all-zero id is how the model holds an absent one.
  if (!model::IsZero(link.trace_id)) WriteId(w, "traceId", link.trace_id);
  if (!model::IsZero(link.span_id)) WriteId(w, "spanId", link.span_id);
  WriteStringField(w, "traceState", link.trace_state);
  WriteAttributesField(w, link.attributes);
  WriteUint32Field(w, "droppedAttributesCount", link.dropped_attributes_count);
  WriteUint32Field(w, "flags", link.flags);
  w.EndObject();
}

void WriteSpan(JsonWriter& w, const model::Span& span) {
  w.StartObject();
  WriteId(w, "traceId", span.trace_id);
  WriteId(w, "spanId", span.span_id);
  WriteStringField(w, "traceState", span.trace_state);
  if (!span.is_root()) WriteId(w, "parentSpanId", span.parent_span_id);
  WriteUint32Field(w, "flags", span.flags);
  WriteStringField(w, "name", span.name);
  WriteUint32Field(w, "kind", static_cast<uint32_t>(span.kind));
  WriteUint64Field(w, "startTimeUnixNano", span.start_time_unix_nano);
  WriteUint64Field(w, "endTimeUnixNano", span.end_time_unix_nano);
  WriteAttributesField(w, span.attributes);
  WriteUint32Field(w, "droppedAttributesCount", span.dropped_attributes_count);
  if (!span.events.empty()) {
    WriteKey(w, "events");
    w.StartArray();
    for (const model::Event& event : span.events) WriteEvent(w, event);
    w.EndArray();
  }
  WriteUint32Field(w, "droppedEventsCount", span.dropped_events_count);
  if (!span.links.empty()) {
    WriteKey(w, "links");
    w.StartArray();
    for (const model::Link& link : span.links) WriteLink(w, link);
    w.EndArray();
  }
  WriteUint32Field(w, "droppedLinksCount", span.dropped_links_count);
  if (span.status.code != model::StatusCode::kUnset || !span.status.message.empty()) {
    WriteKey(w, "status");
    w.StartObject();
    WriteStringField(w, "message", span.status.message);
    WriteUint32Field(w, "code", static_cast<uint32_t>(span.status.code));
    w.EndObject();
  }
  w.EndObject();
}

// Span indexes ordered by (resource, scope), keeping the batch order within each group, so
// that consecutive runs form one ResourceSpans / ScopeSpans each.
std::vector<size_t> SpansGroupedByResourceAndScope(const model::SpanBatch& batch) {
  std::vector<size_t> order(batch.spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const model::Span& x = batch.spans[a];
    const model::Span& y = batch.spans[b];
    if (x.resource_index != y.resource_index) return x.resource_index < y.resource_index;
    return x.scope_index < y.scope_index;
  });
  return order;
}

// A span whose index points past the batch's resources or scopes gets an empty one rather
// than undefined behaviour.
const model::Resource& ResourceOrEmpty(const model::SpanBatch& batch, uint32_t index) {
  static const model::Resource kEmpty;
  return index < batch.resources.size() ? batch.resources[index] : kEmpty;
}
const model::Scope& ScopeOrEmpty(const model::SpanBatch& batch, uint32_t index) {
  static const model::Scope kEmpty;
  return index < batch.scopes.size() ? batch.scopes[index] : kEmpty;
}

// Writes one ScopeSpans for the run of spans order[begin, end), which share a scope.
void WriteScopeSpans(JsonWriter& w, const model::SpanBatch& batch, const std::vector<size_t>& order,
                     size_t begin, size_t end) {
  const model::Scope& scope = ScopeOrEmpty(batch, batch.spans[order[begin]].scope_index);
  w.StartObject();
  WriteKey(w, "scope");
  WriteScope(w, scope);
  WriteKey(w, "spans");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteSpan(w, batch.spans[order[i]]);
  w.EndArray();
  WriteStringField(w, "schemaUrl", scope.schema_url);
  w.EndObject();
}

// Writes one ResourceSpans for the run of spans order[begin, end), which share a resource.
void WriteResourceSpans(JsonWriter& w, const model::SpanBatch& batch,
                        const std::vector<size_t>& order, size_t begin, size_t end) {
  const model::Resource& resource =
      ResourceOrEmpty(batch, batch.spans[order[begin]].resource_index);
  w.StartObject();
  WriteKey(w, "resource");
  WriteResource(w, resource);
  WriteKey(w, "scopeSpans");
  w.StartArray();
  for (size_t run = begin; run < end;) {
    const uint32_t scope_index = batch.spans[order[run]].scope_index;
    size_t run_end = run;
    while (run_end < end && batch.spans[order[run_end]].scope_index == scope_index) ++run_end;
    WriteScopeSpans(w, batch, order, run, run_end);
    run = run_end;
  }
  w.EndArray();
  WriteStringField(w, "schemaUrl", resource.schema_url);
  w.EndObject();
}

}  // namespace

std::string EncodeTraceRequestJson(const model::SpanBatch& batch) {
  std::string out;
  StringSink sink(&out);
  JsonWriter w(sink);
  const std::vector<size_t> order = SpansGroupedByResourceAndScope(batch);
  w.StartObject();
  if (!order.empty()) {
    WriteKey(w, "resourceSpans");
    w.StartArray();
    for (size_t run = 0; run < order.size();) {
      const uint32_t resource_index = batch.spans[order[run]].resource_index;
      size_t run_end = run;
      while (run_end < order.size() &&
             batch.spans[order[run_end]].resource_index == resource_index) {
        ++run_end;
      }
      WriteResourceSpans(w, batch, order, run, run_end);
      run = run_end;
    }
    w.EndArray();
  }
  w.EndObject();
  return out;
}

std::string EncodeTraceResponseJson(int64_t rejected_spans, std::string_view error_message) {
  return json_internal::EncodePartialSuccessJson("rejectedSpans", rejected_spans, error_message);
}

namespace json_internal {

std::string EncodePartialSuccessJson(std::string_view rejected_key, int64_t rejected,
                                     std::string_view error_message) {
  std::string out;
  StringSink sink(&out);
  JsonWriter w(sink);
  w.StartObject();
  if (rejected != 0 || !error_message.empty()) {
    WriteKey(w, "partialSuccess");
    w.StartObject();
    if (rejected != 0) {
      WriteKey(w, rejected_key);
      WriteDecimalString(w, rejected);
    }
    WriteStringField(w, "errorMessage", error_message);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace json_internal

std::string EncodeRpcStatusJson(int32_t code, std::string_view message) {
  std::string out;
  StringSink sink(&out);
  JsonWriter w(sink);
  w.StartObject();
  WriteKey(w, "code");
  w.Int(code);
  WriteKey(w, "message");
  WriteString(w, message);
  w.EndObject();
  return out;
}

}  // namespace tokenscope::otlp
