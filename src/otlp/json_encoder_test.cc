// Tests for the OTLP/JSON encoder: the exact output form (hex ids, int64 strings, integer
// enums, omitted defaults), response bodies, and model -> JSON -> model round trips through
// the decoder.

#include "otlp/json_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "base/hex.h"
#include "otlp/json_decoder.h"
#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::otlp {
namespace {

using model::AnyValue;
using std::string_view_literals::operator""sv;
using model::ValueType;

// ---- Model comparison ---------------------------------------------------------------------

void ExpectValuesEqual(const AnyValue& want, const AnyValue& got, const std::string& where);

void ExpectAttributesEqual(const model::Attributes& want, const model::Attributes& got,
                           const std::string& where) {
  ASSERT_EQ(want.size(), got.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    EXPECT_EQ(want[i].key, got[i].key) << at;
    ExpectValuesEqual(want[i].value, got[i].value, at + "." + std::string(want[i].key));
  }
}

void ExpectValuesEqual(const AnyValue& want, const AnyValue& got, const std::string& where) {
  ASSERT_EQ(want.type, got.type) << where;
  switch (want.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
    case ValueType::kBytes:
      EXPECT_EQ(want.string_value, got.string_value) << where;
      break;
    case ValueType::kBool:
      EXPECT_EQ(want.bool_value, got.bool_value) << where;
      break;
    case ValueType::kInt:
      EXPECT_EQ(want.int_value, got.int_value) << where;
      break;
    case ValueType::kDouble:
      if (std::isnan(want.double_value)) {
        EXPECT_TRUE(std::isnan(got.double_value)) << where;
      } else {
        EXPECT_EQ(want.double_value, got.double_value) << where;
        EXPECT_EQ(std::signbit(want.double_value), std::signbit(got.double_value)) << where;
      }
      break;
    case ValueType::kArray:
      ASSERT_EQ(want.array_value.size(), got.array_value.size()) << where;
      for (size_t i = 0; i < want.array_value.size(); ++i) {
        ExpectValuesEqual(want.array_value[i], got.array_value[i],
                          where + "[" + std::to_string(i) + "]");
      }
      break;
    case ValueType::kKvList:
      ExpectAttributesEqual(want.kvlist_value, got.kvlist_value, where);
      break;
  }
}

void ExpectSpansEqual(const model::Span& want, const model::Span& got, const std::string& at) {
  EXPECT_EQ(want.trace_id, got.trace_id) << at;
  EXPECT_EQ(want.span_id, got.span_id) << at;
  EXPECT_EQ(want.parent_span_id, got.parent_span_id) << at;
  EXPECT_EQ(want.trace_state, got.trace_state) << at;
  EXPECT_EQ(want.name, got.name) << at;
  EXPECT_EQ(want.kind, got.kind) << at;
  EXPECT_EQ(want.start_time_unix_nano, got.start_time_unix_nano) << at;
  EXPECT_EQ(want.end_time_unix_nano, got.end_time_unix_nano) << at;
  ExpectAttributesEqual(want.attributes, got.attributes, at + ".attributes");
  EXPECT_EQ(want.dropped_attributes_count, got.dropped_attributes_count) << at;
  ASSERT_EQ(want.events.size(), got.events.size()) << at;
  for (size_t i = 0; i < want.events.size(); ++i) {
    const model::Event& we = want.events[i];
    const model::Event& ge = got.events[i];
    EXPECT_EQ(we.time_unix_nano, ge.time_unix_nano) << at;
    EXPECT_EQ(we.name, ge.name) << at;
    ExpectAttributesEqual(we.attributes, ge.attributes, at + ".events");
    EXPECT_EQ(we.dropped_attributes_count, ge.dropped_attributes_count) << at;
  }
  EXPECT_EQ(want.dropped_events_count, got.dropped_events_count) << at;
  ASSERT_EQ(want.links.size(), got.links.size()) << at;
  for (size_t i = 0; i < want.links.size(); ++i) {
    const model::Link& wl = want.links[i];
    const model::Link& gl = got.links[i];
    EXPECT_EQ(wl.trace_id, gl.trace_id) << at;
    EXPECT_EQ(wl.span_id, gl.span_id) << at;
    EXPECT_EQ(wl.trace_state, gl.trace_state) << at;
    ExpectAttributesEqual(wl.attributes, gl.attributes, at + ".links");
    EXPECT_EQ(wl.dropped_attributes_count, gl.dropped_attributes_count) << at;
    EXPECT_EQ(wl.flags, gl.flags) << at;
  }
  EXPECT_EQ(want.dropped_links_count, got.dropped_links_count) << at;
  EXPECT_EQ(want.status.code, got.status.code) << at;
  EXPECT_EQ(want.status.message, got.status.message) << at;
  EXPECT_EQ(want.flags, got.flags) << at;
}

void ExpectResourcesEqual(const model::Resource& want, const model::Resource& got) {
  ExpectAttributesEqual(want.attributes, got.attributes, "resource");
  EXPECT_EQ(want.dropped_attributes_count, got.dropped_attributes_count);
  EXPECT_EQ(want.schema_url, got.schema_url);
}

void ExpectScopesEqual(const model::Scope& want, const model::Scope& got) {
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.version, got.version);
  ExpectAttributesEqual(want.attributes, got.attributes, "scope");
  EXPECT_EQ(want.dropped_attributes_count, got.dropped_attributes_count);
  EXPECT_EQ(want.schema_url, got.schema_url);
}

// Compares batches span by span, including each span's resource and scope.
void ExpectBatchesEqual(const model::SpanBatch& want, const model::SpanBatch& got) {
  ASSERT_EQ(want.spans.size(), got.spans.size());
  for (size_t i = 0; i < want.spans.size(); ++i) {
    ExpectSpansEqual(want.spans[i], got.spans[i], "span " + std::to_string(i));
    ExpectResourcesEqual(want.ResourceOf(want.spans[i]), got.ResourceOf(got.spans[i]));
    ExpectScopesEqual(want.ScopeOf(want.spans[i]), got.ScopeOf(got.spans[i]));
  }
}

model::SpanBatch RoundTrip(const model::SpanBatch& batch, std::string* json_out = nullptr) {
  std::string json = EncodeTraceRequestJson(batch);
  if (json_out != nullptr) *json_out = json;
  model::SpanBatch decoded;
  DecodeResult result;
  Status status = DecodeTraceRequestJson(json, &decoded, &result);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  EXPECT_EQ(result.rejected_spans, 0u) << result.rejection_message;
  return decoded;
}

// ---- Model construction -------------------------------------------------------------------

model::TraceId MakeTraceId(uint8_t seed) {
  model::TraceId id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed * 16 + i + 1);
  return id;
}

model::SpanId MakeSpanId(uint8_t seed) {
  model::SpanId id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed * 8 + i + 1);
  return id;
}

AnyValue ArrayOf(std::vector<AnyValue> values) {
  AnyValue v;
  v.type = ValueType::kArray;
  v.array_value = std::move(values);
  return v;
}

AnyValue KvListOf(model::Attributes values) {
  AnyValue v;
  v.type = ValueType::kKvList;
  v.kvlist_value = std::move(values);
  return v;
}

// Every AnyValue type, the extremes of each, and nesting.
model::Attributes EveryValueType(Arena& arena) {
  static const char kAllBytes[] = {'\0', '\x01', '\x7f', '\x80', '\xfe', '\xff', '=', '+'};
  std::string all_bytes(256, '\0');
  for (int i = 0; i < 256; ++i) all_bytes[i] = static_cast<char>(i);
  const double inf = std::numeric_limits<double>::infinity();
  return {
      {"string", AnyValue::String("plain")},
      {"escapes", AnyValue::String("quote\" backslash\\ newline\n tab\t nul\0 end"
                                   "\x01 caf\xC3\xA9 \xF0\x9F\x98\x80"sv)},
      {"empty_string", AnyValue::String("")},
      {"true", AnyValue::Bool(true)},
      {"false", AnyValue::Bool(false)},
      {"zero", AnyValue::Int(0)},
      {"negative", AnyValue::Int(-42)},
      {"int64_max", AnyValue::Int(std::numeric_limits<int64_t>::max())},
      {"int64_min", AnyValue::Int(std::numeric_limits<int64_t>::min())},
      {"double", AnyValue::Double(637.7)},
      {"double_tiny", AnyValue::Double(4.9406564584124654e-324)},
      {"double_huge", AnyValue::Double(1.7976931348623157e308)},
      {"double_integral", AnyValue::Double(1e21)},
      {"double_negative_zero", AnyValue::Double(-0.0)},
      {"nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())},
      {"inf", AnyValue::Double(inf)},
      {"neg_inf", AnyValue::Double(-inf)},
      {"bytes", AnyValue::Bytes(std::string_view(kAllBytes, sizeof(kAllBytes)))},
      {"all_bytes", AnyValue::Bytes(arena.Copy(all_bytes))},
      {"empty_bytes", AnyValue::Bytes("")},
      {"empty", AnyValue()},
      {"array", ArrayOf({AnyValue::String("a"), AnyValue::Int(-1), AnyValue::Double(0.1),
                         AnyValue(), ArrayOf({AnyValue::Bool(true)}), ArrayOf({})})},
      {"kvlist", KvListOf({{"x", AnyValue::Int(1)},
                           {"nested", KvListOf({{"deep", ArrayOf({KvListOf({})})}})},
                           {"", AnyValue::String("empty key")}})},
  };
}

// A batch using every field of the model: two resources, three scopes, spans of each kind.
model::SpanBatch FullBatch() {
  model::SpanBatch batch;
  Arena& arena = batch.arena();

  model::Resource r0;
  r0.attributes = {{"service.name", AnyValue::String("checkout")}};
  r0.dropped_attributes_count = 2;
  r0.schema_url = "https://opentelemetry.io/schemas/1.21.0";
  model::Resource r1;
  r1.attributes = EveryValueType(arena);
  batch.resources = {r0, r1};

  model::Scope s0;
  s0.name = "openai.instrumentation";
  s0.version = "0.30.1";
  s0.attributes = {{"scope.attr", AnyValue::Int(7)}};
  s0.dropped_attributes_count = 1;
  s0.schema_url = "https://opentelemetry.io/schemas/1.20.0";
  model::Scope s1;
  s1.name = "second";
  model::Scope s2;  // all defaults
  batch.scopes = {s0, s1, s2};

  model::Span full;
  full.trace_id = MakeTraceId(1);
  full.span_id = MakeSpanId(1);
  full.parent_span_id = MakeSpanId(2);
  full.trace_state = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
  full.name = "chat gpt-4o";
  full.kind = model::SpanKind::kClient;
  full.start_time_unix_nano = 1700000000000000000ULL;
  full.end_time_unix_nano = std::numeric_limits<uint64_t>::max();
  full.attributes = EveryValueType(arena);
  full.dropped_attributes_count = 3;
  model::Event event;
  event.time_unix_nano = 1700000000000000001ULL;
  event.name = "gen_ai.content.prompt";
  event.attributes = {{"gen_ai.prompt", AnyValue::String("hello")}};
  event.dropped_attributes_count = 4;
  full.events = {event, model::Event()};
  full.dropped_events_count = 5;
  model::Link link;
  link.trace_id = MakeTraceId(9);
  link.span_id = MakeSpanId(9);
  link.trace_state = "k=v";
  link.attributes = {{"link.kind", AnyValue::String("follows")}};
  link.dropped_attributes_count = 6;
  link.flags = 0x301;
  full.links = {link, model::Link()};
  full.dropped_links_count = 7;
  full.status = {model::StatusCode::kError, "upstream 429"};
  full.flags = 0x1FF;
  full.resource_index = 0;
  full.scope_index = 0;
  batch.spans.push_back(full);

  for (int kind = 0; kind <= 5; ++kind) {
    model::Span span;
    span.trace_id = MakeTraceId(static_cast<uint8_t>(2 + kind));
    span.span_id = MakeSpanId(static_cast<uint8_t>(3 + kind));
    span.kind = static_cast<model::SpanKind>(kind);
    span.status.code = static_cast<model::StatusCode>(kind % 3);
    span.resource_index = kind < 3 ? 0 : 1;
    span.scope_index = kind < 2 ? 0 : (kind < 3 ? 1 : 2);
    batch.spans.push_back(span);
  }
  return batch;
}

// ---- Tests --------------------------------------------------------------------------------

TEST(JsonEncoderTest, EmptyBatchIsAnEmptyObject) {
  model::SpanBatch batch;
  EXPECT_EQ(EncodeTraceRequestJson(batch), "{}");
  model::SpanBatch decoded = RoundTrip(batch);
  EXPECT_TRUE(decoded.spans.empty());
}

TEST(JsonEncoderTest, ExactFormOfAMinimalSpan) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span span;
  HexDecode("5B8EFFF798038103D269B633813FC60C", span.trace_id.data());
  HexDecode("EEE19B7EC3C1B174", span.span_id.data());
  span.name = "n";
  span.kind = model::SpanKind::kServer;
  span.start_time_unix_nano = 1544712660000000000ULL;
  span.attributes = {{"i", AnyValue::Int(-5)}, {"d", AnyValue::Double(1.5)}};
  span.status.code = model::StatusCode::kOk;
  batch.spans.push_back(span);
  EXPECT_EQ(EncodeTraceRequestJson(batch),
            R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[{)"
            R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)"
            R"("name":"n","kind":2,"startTimeUnixNano":"1544712660000000000",)"
            R"("attributes":[{"key":"i","value":{"intValue":"-5"}},)"
            R"({"key":"d","value":{"doubleValue":1.5}}],"status":{"code":1}}]}]}]})");
}

TEST(JsonEncoderTest, NonFiniteDoublesAreStrings) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span span;
  span.trace_id = MakeTraceId(1);
  span.span_id = MakeSpanId(1);
  span.attributes = {{"a", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())},
                     {"b", AnyValue::Double(-std::numeric_limits<double>::infinity())}};
  batch.spans.push_back(span);
  std::string json = EncodeTraceRequestJson(batch);
  EXPECT_NE(json.find(R"({"doubleValue":"NaN"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"doubleValue":"-Infinity"})"), std::string::npos) << json;
}

TEST(JsonEncoderTest, RoundTripsEveryField) {
  model::SpanBatch batch = FullBatch();
  std::string json;
  model::SpanBatch decoded = RoundTrip(batch, &json);
  ExpectBatchesEqual(batch, decoded);
  // Spans were already grouped, so the structure is reproduced exactly.
  EXPECT_EQ(decoded.resources.size(), 2u);
  EXPECT_EQ(decoded.scopes.size(), 3u);
  // And encoding the decoded batch gives the same document.
  EXPECT_EQ(EncodeTraceRequestJson(decoded), json);
}

TEST(JsonEncoderTest, AgreesWithTheProtobufCodec) {
  // model -> protobuf -> model -> JSON gives the same document as model -> JSON.
  model::SpanBatch batch = FullBatch();
  model::SpanBatch via_proto;
  std::string_view body = via_proto.Adopt(EncodeTraceRequestProto(batch));
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(body, &via_proto, &result).ok());
  EXPECT_EQ(EncodeTraceRequestJson(via_proto), EncodeTraceRequestJson(batch));
}

TEST(JsonEncoderTest, GroupsInterleavedSpansByResourceAndScope) {
  model::SpanBatch batch = FullBatch();
  std::swap(batch.spans[0], batch.spans[6]);  // now resource 1 comes first
  std::swap(batch.spans[2], batch.spans[4]);
  model::SpanBatch decoded = RoundTrip(batch);
  ASSERT_EQ(decoded.spans.size(), batch.spans.size());
  EXPECT_EQ(decoded.resources.size(), 2u);
  EXPECT_EQ(decoded.scopes.size(), 3u);
  // Every span still carries its own resource and scope.
  for (const model::Span& got : decoded.spans) {
    const model::Span* want = nullptr;
    for (const model::Span& candidate : batch.spans) {
      if (candidate.span_id == got.span_id) want = &candidate;
    }
    ASSERT_NE(want, nullptr);
    ExpectSpansEqual(*want, got, std::string(want->name));
    ExpectResourcesEqual(batch.ResourceOf(*want), decoded.ResourceOf(got));
    ExpectScopesEqual(batch.ScopeOf(*want), decoded.ScopeOf(got));
  }
}

TEST(JsonEncoderTest, OutOfRangeIndexesEncodeAnEmptyResourceAndScope) {
  model::SpanBatch batch;
  model::Span span;
  span.trace_id = MakeTraceId(1);
  span.span_id = MakeSpanId(1);
  span.resource_index = 5;
  span.scope_index = 9;
  batch.spans.push_back(span);
  model::SpanBatch decoded = RoundTrip(batch);
  ASSERT_EQ(decoded.spans.size(), 1u);
  EXPECT_TRUE(decoded.ResourceOf(decoded.spans[0]).attributes.empty());
}

TEST(JsonEncoderTest, InvalidUtf8IsReplacedSoTheOutputStaysValid) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span span;
  span.trace_id = MakeTraceId(1);
  span.span_id = MakeSpanId(1);
  span.name =
      "ok\xFF"
      "bad\xC3";
  span.attributes = {{"\xED\xA0\x80", AnyValue::String("\xF4\x90\x80\x80|\xE2\x82")}};
  batch.spans.push_back(span);
  model::SpanBatch decoded = RoundTrip(batch);
  ASSERT_EQ(decoded.spans.size(), 1u);
  EXPECT_EQ(decoded.spans[0].name,
            "ok\xEF\xBF\xBD"
            "bad\xEF\xBF\xBD");
  EXPECT_EQ(decoded.spans[0].attributes[0].key, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decoded.spans[0].attributes[0].value.string_value,
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonEncoderTest, RoundTripsTenThousandSpans) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.resources[0].attributes = {{"service.name", AnyValue::String("bulk")}};
  batch.scopes.emplace_back();
  for (int i = 0; i < 10000; ++i) {
    model::Span span;
    span.trace_id = MakeTraceId(static_cast<uint8_t>(i % 200));
    span.span_id = MakeSpanId(static_cast<uint8_t>(i % 250));
    span.span_id[0] = static_cast<uint8_t>(i >> 8);
    span.span_id[1] = static_cast<uint8_t>(i);
    span.name = batch.arena().Copy("span-" + std::to_string(i));
    span.start_time_unix_nano = 1700000000000000000ULL + i;
    span.end_time_unix_nano = span.start_time_unix_nano + 1000;
    span.attributes = {{"i", AnyValue::Int(i)}, {"d", AnyValue::Double(i / 7.0)}};
    batch.spans.push_back(span);
  }
  model::SpanBatch decoded = RoundTrip(batch);
  ExpectBatchesEqual(batch, decoded);
}

TEST(JsonEncoderTest, TraceResponse) {
  EXPECT_EQ(EncodeTraceResponseJson(0, ""), "{}");
  EXPECT_EQ(EncodeTraceResponseJson(3, "span 0: trace_id must be 16 bytes"),
            R"({"partialSuccess":{"rejectedSpans":"3",)"
            R"("errorMessage":"span 0: trace_id must be 16 bytes"}})");
  EXPECT_EQ(EncodeTraceResponseJson(0, "warning \"x\""),
            R"({"partialSuccess":{"errorMessage":"warning \"x\""}})");
  EXPECT_EQ(EncodeTraceResponseJson(std::numeric_limits<int64_t>::max(), ""),
            R"({"partialSuccess":{"rejectedSpans":"9223372036854775807"}})");
}

TEST(JsonEncoderTest, RpcStatus) {
  EXPECT_EQ(EncodeRpcStatusJson(3, "resourceSpans: expected array"),
            R"({"code":3,"message":"resourceSpans: expected array"})");
  EXPECT_EQ(EncodeRpcStatusJson(14, ""), R"({"code":14,"message":""})");
  EXPECT_EQ(EncodeRpcStatusJson(-1, "a\nb\x01\xFF"),
            "{\"code\":-1,\"message\":\"a\\nb\\u0001\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace tokenscope::otlp
