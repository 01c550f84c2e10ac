// Test support for the OTLP protobuf codec (used only by proto_*_test.cc): a builder for
// hand-made protobuf bytes, a batch that sets every field the model has, and field-by-field
// comparison of model values. Header-only; not thread-safe (plain test helpers).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "model/span.h"
#include "otlp/wire.h"

namespace tokenscope::otlp::testing {

// Builds protobuf bytes field by field, independently of the encoder under test (it shares
// only the varint primitive, which the tests check against hand-computed bytes).
class ProtoBytes {
 public:
  ProtoBytes& Varint(uint32_t field, uint64_t value) {
    Key(field, 0);
    wire::PutVarint(value, &bytes_);
    return *this;
  }
  ProtoBytes& Fixed64(uint32_t field, uint64_t value) {
    Key(field, 1);
    wire::PutFixed64(value, &bytes_);
    return *this;
  }
  ProtoBytes& Double(uint32_t field, double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    return Fixed64(field, bits);
  }
  ProtoBytes& Fixed32(uint32_t field, uint32_t value) {
    Key(field, 5);
    wire::PutFixed32(value, &bytes_);
    return *this;
  }
  ProtoBytes& Len(uint32_t field, std::string_view payload) {
    Key(field, 2);
    wire::PutVarint(payload.size(), &bytes_);
    bytes_.append(payload);
    return *this;
  }
  ProtoBytes& Len(uint32_t field, const ProtoBytes& message) { return Len(field, message.str()); }
  ProtoBytes& Key(uint32_t field, uint32_t wire_type) {
    wire::PutVarint((static_cast<uint64_t>(field) << 3) | wire_type, &bytes_);
    return *this;
  }
  ProtoBytes& Raw(std::string_view raw) {
    bytes_.append(raw);
    return *this;
  }

  const std::string& str() const { return bytes_; }

 private:
  std::string bytes_;
};

inline std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// Ids whose bytes are seed, seed+1, ...; never all zero for seed > 0.
inline model::TraceId MakeTraceId(uint8_t seed) {
  model::TraceId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}
inline model::SpanId MakeSpanId(uint8_t seed) {
  model::SpanId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}

inline model::AnyValue ArrayOf(std::vector<model::AnyValue> values) {
  model::AnyValue v;
  v.type = model::ValueType::kArray;
  v.array_value = std::move(values);
  return v;
}
inline model::AnyValue KvListOf(std::vector<model::KeyValue> values) {
  model::AnyValue v;
  v.type = model::ValueType::kKvList;
  v.kvlist_value = std::move(values);
  return v;
}

// One attribute of every AnyValue type, including the edge values of each.
inline model::Attributes EveryValueType() {
  using model::AnyValue;
  return {
      {"str", AnyValue::String("hello, wörld ✓ 🚀")},
      {"str.empty", AnyValue::String("")},
      {"bool.true", AnyValue::Bool(true)},
      {"bool.false", AnyValue::Bool(false)},
      {"int.zero", AnyValue::Int(0)},
      {"int.neg", AnyValue::Int(-1)},
      {"int.min", AnyValue::Int(std::numeric_limits<int64_t>::min())},
      {"int.max", AnyValue::Int(std::numeric_limits<int64_t>::max())},
      {"double", AnyValue::Double(637.25)},
      {"double.zero", AnyValue::Double(0.0)},
      {"double.negzero", AnyValue::Double(-0.0)},
      {"double.nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())},
      {"double.inf", AnyValue::Double(std::numeric_limits<double>::infinity())},
      {"double.neginf", AnyValue::Double(-std::numeric_limits<double>::infinity())},
      {"bytes", AnyValue::Bytes(std::string_view("\x00\xff\xfe\x80 raw", 8))},
      {"bytes.empty", AnyValue::Bytes("")},
      {"empty", AnyValue()},
      {"array", ArrayOf({AnyValue::Int(1), AnyValue::String("two"), AnyValue(),
                         ArrayOf({AnyValue::Bool(true), ArrayOf({})}),
                         KvListOf({{"inner", AnyValue::Double(-2.5)}})})},
      {"array.empty", ArrayOf({})},
      {"kvlist", KvListOf({{"a", AnyValue::Int(-42)},
                           {"b", KvListOf({{"c", ArrayOf({AnyValue::Bytes("x")})}})},
                           {"", AnyValue()}})},
      {"kvlist.empty", KvListOf({})},
      {"", AnyValue::String("empty key")},
  };
}

// A batch with two resources and three scopes in which every model field is set.
inline void FillEveryField(model::SpanBatch* batch) {
  using model::AnyValue;
  model::Resource r0;
  r0.attributes = {{"service.name", AnyValue::String("checkout")},
                   {"deployment.environment", AnyValue::String("prod")}};
  r0.dropped_attributes_count = 3;
  r0.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  model::Resource r1;
  r1.attributes = EveryValueType();
  batch->resources = {r0, r1};

  model::Scope s0;
  s0.name = "openinference.instrumentation.openai";
  s0.version = "0.1.32";
  s0.attributes = {{"scope.attr", AnyValue::Bool(true)}};
  s0.dropped_attributes_count = 7;
  s0.schema_url = "https://example.com/scope-schema";
  model::Scope s1;
  s1.name = "second";
  model::Scope s2;  // all defaults
  batch->scopes = {s0, s1, s2};

  model::Span full;
  full.trace_id = MakeTraceId(1);
  full.span_id = MakeSpanId(101);
  full.parent_span_id = MakeSpanId(201);
  full.trace_state = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
  full.name = "chat gpt-4o";
  full.kind = model::SpanKind::kClient;
  full.start_time_unix_nano = 1'763'000'000'123'456'789ULL;
  full.end_time_unix_nano = 1'763'000'001'987'654'321ULL;
  full.attributes = EveryValueType();
  full.dropped_attributes_count = 4;
  model::Event e0;
  e0.time_unix_nano = 1'763'000'000'500'000'000ULL;
  e0.name = "gen_ai.content.prompt";
  e0.attributes = {{"gen_ai.prompt", AnyValue::String("Say hi")}};
  e0.dropped_attributes_count = 1;
  model::Event e1;  // all defaults
  full.events = {e0, e1};
  full.dropped_events_count = 5;
  model::Link l0;
  l0.trace_id = MakeTraceId(50);
  l0.span_id = MakeSpanId(60);
  l0.trace_state = "k=v";
  l0.attributes = {{"link.attr", AnyValue::Int(9)}};
  l0.dropped_attributes_count = 2;
  l0.flags = 0x301;
  model::Link l1;  // zero ids, all defaults
  full.links = {l0, l1};
  full.dropped_links_count = 6;
  full.status.code = model::StatusCode::kError;
  full.status.message = "rate limited: 429";
  full.flags = 0x101;
  full.resource_index = 0;
  full.scope_index = 0;

  model::Span root;  // a root span with only the required fields
  root.trace_id = MakeTraceId(2);
  root.span_id = MakeSpanId(102);
  root.resource_index = 0;
  root.scope_index = 1;

  model::Span other = full;
  other.span_id = MakeSpanId(103);
  other.status = {model::StatusCode::kOk, ""};
  other.kind = model::SpanKind::kConsumer;
  other.resource_index = 1;
  other.scope_index = 2;

  batch->spans = {full, root, other};
}

// ---- Field-by-field comparison; doubles compare by bit pattern so NaN equals itself. ----

inline void ExpectSameValue(const model::AnyValue& a, const model::AnyValue& b,
                            const std::string& where);

inline void ExpectSameAttributes(const model::Attributes& a, const model::Attributes& b,
                                 const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    EXPECT_EQ(a[i].key, b[i].key) << at;
    ExpectSameValue(a[i].value, b[i].value, at + "." + std::string(a[i].key));
  }
}

inline void ExpectSameValue(const model::AnyValue& a, const model::AnyValue& b,
                            const std::string& where) {
  using model::ValueType;
  ASSERT_EQ(static_cast<int>(a.type), static_cast<int>(b.type)) << where;
  switch (a.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
    case ValueType::kBytes:
      EXPECT_EQ(a.string_value, b.string_value) << where;
      break;
    case ValueType::kBool:
      EXPECT_EQ(a.bool_value, b.bool_value) << where;
      break;
    case ValueType::kInt:
      EXPECT_EQ(a.int_value, b.int_value) << where;
      break;
    case ValueType::kDouble: {
      uint64_t bits_a, bits_b;
      std::memcpy(&bits_a, &a.double_value, 8);
      std::memcpy(&bits_b, &b.double_value, 8);
      EXPECT_EQ(bits_a, bits_b) << where;
      break;
    }
    case ValueType::kArray:
      ASSERT_EQ(a.array_value.size(), b.array_value.size()) << where;
      for (size_t i = 0; i < a.array_value.size(); ++i) {
        ExpectSameValue(a.array_value[i], b.array_value[i], where + "[" + std::to_string(i) + "]");
      }
      break;
    case ValueType::kKvList:
      ExpectSameAttributes(a.kvlist_value, b.kvlist_value, where);
      break;
  }
}

inline void ExpectSameResource(const model::Resource& a, const model::Resource& b) {
  ExpectSameAttributes(a.attributes, b.attributes, "resource.attributes");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  EXPECT_EQ(a.schema_url, b.schema_url);
}

inline void ExpectSameScope(const model::Scope& a, const model::Scope& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.version, b.version);
  ExpectSameAttributes(a.attributes, b.attributes, "scope.attributes");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  EXPECT_EQ(a.schema_url, b.schema_url);
}

// Compares everything but resource_index/scope_index (batch-relative).
inline void ExpectSameSpan(const model::Span& a, const model::Span& b) {
  EXPECT_EQ(a.trace_id, b.trace_id);
  EXPECT_EQ(a.span_id, b.span_id);
  EXPECT_EQ(a.parent_span_id, b.parent_span_id);
  EXPECT_EQ(a.trace_state, b.trace_state);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.start_time_unix_nano, b.start_time_unix_nano);
  EXPECT_EQ(a.end_time_unix_nano, b.end_time_unix_nano);
  ExpectSameAttributes(a.attributes, b.attributes, "span.attributes");
  EXPECT_EQ(a.dropped_attributes_count, b.dropped_attributes_count);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].time_unix_nano, b.events[i].time_unix_nano);
    EXPECT_EQ(a.events[i].name, b.events[i].name);
    ExpectSameAttributes(a.events[i].attributes, b.events[i].attributes, "event.attributes");
    EXPECT_EQ(a.events[i].dropped_attributes_count, b.events[i].dropped_attributes_count);
  }
  EXPECT_EQ(a.dropped_events_count, b.dropped_events_count);
  ASSERT_EQ(a.links.size(), b.links.size());
  for (size_t i = 0; i < a.links.size(); ++i) {
    EXPECT_EQ(a.links[i].trace_id, b.links[i].trace_id);
    EXPECT_EQ(a.links[i].span_id, b.links[i].span_id);
    EXPECT_EQ(a.links[i].trace_state, b.links[i].trace_state);
    ExpectSameAttributes(a.links[i].attributes, b.links[i].attributes, "link.attributes");
    EXPECT_EQ(a.links[i].dropped_attributes_count, b.links[i].dropped_attributes_count);
    EXPECT_EQ(a.links[i].flags, b.links[i].flags);
  }
  EXPECT_EQ(a.dropped_links_count, b.dropped_links_count);
  EXPECT_EQ(a.status.code, b.status.code);
  EXPECT_EQ(a.status.message, b.status.message);
  EXPECT_EQ(a.flags, b.flags);
}

// Same spans in the same order, each with the same resource and scope contents.
inline void ExpectSameBatch(const model::SpanBatch& a, const model::SpanBatch& b) {
  ASSERT_EQ(a.spans.size(), b.spans.size());
  for (size_t i = 0; i < a.spans.size(); ++i) {
    SCOPED_TRACE("span " + std::to_string(i));
    ExpectSameSpan(a.spans[i], b.spans[i]);
    ASSERT_LT(b.spans[i].resource_index, b.resources.size());
    ASSERT_LT(b.spans[i].scope_index, b.scopes.size());
    ExpectSameResource(a.ResourceOf(a.spans[i]), b.ResourceOf(b.spans[i]));
    ExpectSameScope(a.ScopeOf(a.spans[i]), b.ScopeOf(b.spans[i]));
  }
}

}  // namespace tokenscope::otlp::testing
