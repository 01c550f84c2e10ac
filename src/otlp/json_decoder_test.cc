// Tests for the OTLP/JSON decoder: the OTLP JSON rules, lenient inputs real exporters send,
// id validation, structural errors with field paths, and robustness on malformed input.

#include "otlp/json_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "base/hex.h"

namespace tokenscope::otlp {
namespace {

using model::SpanKind;
using model::ValueType;

constexpr char kTraceIdHex[] = "5b8efff798038103d269b633813fc60c";
constexpr char kSpanIdHex[] = "eee19b7ec3c1b174";

model::TraceId TraceIdFromHex(std::string_view hex) {
  model::TraceId id{};
  EXPECT_TRUE(HexDecode(hex, id.data()));
  return id;
}

model::SpanId SpanIdFromHex(std::string_view hex) {
  model::SpanId id{};
  EXPECT_TRUE(HexDecode(hex, id.data()));
  return id;
}

struct Decoded {
  Status status;
  model::SpanBatch batch;
  DecodeResult result;
};

Decoded Decode(std::string_view json, const DecodeLimits& limits = {}) {
  Decoded d;
  d.status = DecodeTraceRequestJson(json, &d.batch, &d.result, limits);
  return d;
}

// A request with one span whose body is `span_members` (JSON object members, no braces) added
// after valid ids.
std::string OneSpanRequest(std::string_view span_members) {
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":")";
  json += kTraceIdHex;
  json += R"(","spanId":")";
  json += kSpanIdHex;
  json += '"';
  if (!span_members.empty()) {
    json += ',';
    json += span_members;
  }
  json += "}]}]}]}";
  return json;
}

// A request whose single span has one attribute "a" with the given AnyValue JSON.
std::string OneAttributeRequest(std::string_view any_value) {
  return OneSpanRequest(std::string(R"("attributes":[{"key":"a","value":)") +
                        std::string(any_value) + "}]");
}

const model::AnyValue& OnlyAttribute(const Decoded& d) {
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.batch.spans.size(), 1u);
  EXPECT_EQ(d.batch.spans[0].attributes.size(), 1u);
  return d.batch.spans.at(0).attributes.at(0).value;
}

// The shape of opentelemetry-proto's examples/trace.json: upper-case hex ids, times as
// strings, kind as an integer.
constexpr char kSpecExample[] = R"({
  "resourceSpans": [
    {
      "resource": {
        "attributes": [
          { "key": "service.name", "value": { "stringValue": "my.service" } }
        ]
      },
      "scopeSpans": [
        {
          "scope": {
            "name": "my.library",
            "version": "1.0.0",
            "attributes": [
              { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
            ]
          },
          "spans": [
            {
              "traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "EEE19B7EC3C1B174",
              "parentSpanId": "EEE19B7EC3C1B173",
              "name": "I'm a server span",
              "startTimeUnixNano": "1544712660000000000",
              "endTimeUnixNano": "1544712661000000000",
              "kind": 2,
              "attributes": [
                { "key": "my.span.attr", "value": { "stringValue": "some value" } }
              ]
            }
          ]
        }
      ]
    }
  ]
})";

TEST(JsonDecoderTest, EmptyObjectIsAnEmptyRequest) {
  Decoded d = Decode("{}");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.batch.spans.empty());
  EXPECT_TRUE(d.batch.resources.empty());
  EXPECT_EQ(d.result.accepted_spans, 0u);
  EXPECT_EQ(d.result.rejected_spans, 0u);
}

TEST(JsonDecoderTest, EmptyAndNullResourceSpans) {
  EXPECT_TRUE(Decode(R"({"resourceSpans":[]})").status.ok());
  EXPECT_TRUE(Decode(R"({"resourceSpans":null})").status.ok());
  Decoded d = Decode(R"({"resourceSpans":[{}]})");
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.resources.size(), 1u);  // one Resource per ResourceSpans
  EXPECT_TRUE(d.batch.spans.empty());
}

TEST(JsonDecoderTest, DecodesSpecExample) {
  Decoded d = Decode(kSpecExample);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.result.accepted_spans, 1u);
  ASSERT_EQ(d.batch.spans.size(), 1u);
  ASSERT_EQ(d.batch.resources.size(), 1u);
  ASSERT_EQ(d.batch.scopes.size(), 1u);

  const model::Span& span = d.batch.spans[0];
  EXPECT_EQ(span.trace_id, TraceIdFromHex(kTraceIdHex));
  EXPECT_EQ(span.span_id, SpanIdFromHex(kSpanIdHex));
  EXPECT_EQ(span.parent_span_id, SpanIdFromHex("eee19b7ec3c1b173"));
  EXPECT_FALSE(span.is_root());
  EXPECT_EQ(span.name, "I'm a server span");
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_EQ(span.start_time_unix_nano, 1544712660000000000u);
  EXPECT_EQ(span.end_time_unix_nano, 1544712661000000000u);
  ASSERT_EQ(span.attributes.size(), 1u);
  EXPECT_EQ(span.attributes[0].key, "my.span.attr");
  EXPECT_EQ(span.attributes[0].value.string_value, "some value");

  EXPECT_EQ(model::ServiceName(d.batch.ResourceOf(span)), "my.service");
  const model::Scope& scope = d.batch.ScopeOf(span);
  EXPECT_EQ(scope.name, "my.library");
  EXPECT_EQ(scope.version, "1.0.0");
  ASSERT_EQ(scope.attributes.size(), 1u);
  EXPECT_EQ(scope.attributes[0].value.string_value, "some scope attribute");
}

TEST(JsonDecoderTest, DecodesEveryField) {
  constexpr char kJson[] = R"({"resourceSpans":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}],
                "droppedAttributesCount":3},
    "schemaUrl":"https://opentelemetry.io/schemas/1.21.0",
    "scopeSpans":[{
      "scope":{"name":"lib","version":"2.1","attributes":[{"key":"s","value":{"boolValue":true}}],
               "droppedAttributesCount":4},
      "schemaUrl":"https://opentelemetry.io/schemas/1.20.0",
      "spans":[{
        "traceId":"0102030405060708090a0b0c0d0e0f10",
        "spanId":"1112131415161718",
        "parentSpanId":"2122232425262728",
        "traceState":"vendor=value",
        "name":"chat gpt-4o",
        "kind":3,
        "startTimeUnixNano":"1700000000000000000",
        "endTimeUnixNano":"1700000001500000000",
        "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"42"}}],
        "droppedAttributesCount":5,
        "events":[{"timeUnixNano":"1700000000100000000","name":"gen_ai.choice",
                   "attributes":[{"key":"index","value":{"intValue":0}}],
                   "droppedAttributesCount":6}],
        "droppedEventsCount":7,
        "links":[{"traceId":"a1a2a3a4a5a6a7a8a9aaabacadaeafb0","spanId":"b1b2b3b4b5b6b7b8",
                  "traceState":"k=v","attributes":[{"key":"l","value":{"doubleValue":0.5}}],
                  "droppedAttributesCount":8,"flags":257}],
        "droppedLinksCount":9,
        "status":{"code":2,"message":"rate limited"},
        "flags":769
      }]
    }]
  }]})";
  Decoded d = Decode(kJson);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& span = d.batch.spans[0];
  const model::Resource& resource = d.batch.ResourceOf(span);
  const model::Scope& scope = d.batch.ScopeOf(span);

  EXPECT_EQ(resource.dropped_attributes_count, 3u);
  EXPECT_EQ(resource.schema_url, "https://opentelemetry.io/schemas/1.21.0");
  EXPECT_EQ(scope.name, "lib");
  EXPECT_EQ(scope.version, "2.1");
  ASSERT_EQ(scope.attributes.size(), 1u);
  EXPECT_EQ(scope.attributes[0].value.type, ValueType::kBool);
  EXPECT_TRUE(scope.attributes[0].value.bool_value);
  EXPECT_EQ(scope.dropped_attributes_count, 4u);
  EXPECT_EQ(scope.schema_url, "https://opentelemetry.io/schemas/1.20.0");

  EXPECT_EQ(span.trace_id, TraceIdFromHex("0102030405060708090a0b0c0d0e0f10"));
  EXPECT_EQ(span.span_id, SpanIdFromHex("1112131415161718"));
  EXPECT_EQ(span.parent_span_id, SpanIdFromHex("2122232425262728"));
  EXPECT_EQ(span.trace_state, "vendor=value");
  EXPECT_EQ(span.name, "chat gpt-4o");
  EXPECT_EQ(span.kind, SpanKind::kClient);
  EXPECT_EQ(span.start_time_unix_nano, 1700000000000000000u);
  EXPECT_EQ(span.end_time_unix_nano, 1700000001500000000u);
  EXPECT_EQ(span.duration_ns(), 1500000000u);
  ASSERT_EQ(span.attributes.size(), 1u);
  EXPECT_EQ(span.attributes[0].key, "gen_ai.usage.input_tokens");
  EXPECT_EQ(span.attributes[0].value.type, ValueType::kInt);
  EXPECT_EQ(span.attributes[0].value.int_value, 42);
  EXPECT_EQ(span.dropped_attributes_count, 5u);

  ASSERT_EQ(span.events.size(), 1u);
  EXPECT_EQ(span.events[0].time_unix_nano, 1700000000100000000u);
  EXPECT_EQ(span.events[0].name, "gen_ai.choice");
  ASSERT_EQ(span.events[0].attributes.size(), 1u);
  EXPECT_EQ(span.events[0].attributes[0].value.int_value, 0);
  EXPECT_EQ(span.events[0].dropped_attributes_count, 6u);
  EXPECT_EQ(span.dropped_events_count, 7u);

  ASSERT_EQ(span.links.size(), 1u);
  const model::Link& link = span.links[0];
  EXPECT_EQ(link.trace_id, TraceIdFromHex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0"));
  EXPECT_EQ(link.span_id, SpanIdFromHex("b1b2b3b4b5b6b7b8"));
  EXPECT_EQ(link.trace_state, "k=v");
  ASSERT_EQ(link.attributes.size(), 1u);
  EXPECT_EQ(link.attributes[0].value.double_value, 0.5);
  EXPECT_EQ(link.dropped_attributes_count, 8u);
  EXPECT_EQ(link.flags, 257u);
  EXPECT_EQ(span.dropped_links_count, 9u);

  EXPECT_EQ(span.status.code, model::StatusCode::kError);
  EXPECT_EQ(span.status.message, "rate limited");
  EXPECT_EQ(span.flags, 769u);
}

TEST(JsonDecoderTest, ResourcesAndScopesPerGroupWithIndexes) {
  std::string span =
      std::string(R"({"traceId":")") + kTraceIdHex + R"(","spanId":")" + kSpanIdHex + R"("})";
  std::string json = R"({"resourceSpans":[
      {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},
       "scopeSpans":[{"scope":{"name":"s0"},"spans":[)" +
                     span + "," + span + R"(]},
                     {"scope":{"name":"s1"},"spans":[)" +
                     span + R"(]}]},
      {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"b"}}]},
       "scopeSpans":[{"scope":{"name":"s2"},"spans":[)" +
                     span + "]}]}]}";
  Decoded d = Decode(json);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.resources.size(), 2u);
  ASSERT_EQ(d.batch.scopes.size(), 3u);
  ASSERT_EQ(d.batch.spans.size(), 4u);
  const uint32_t expected_resource[] = {0, 0, 0, 1};
  const uint32_t expected_scope[] = {0, 0, 1, 2};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d.batch.spans[i].resource_index, expected_resource[i]) << i;
    EXPECT_EQ(d.batch.spans[i].scope_index, expected_scope[i]) << i;
  }
  EXPECT_EQ(model::ServiceName(d.batch.ResourceOf(d.batch.spans[3])), "b");
  EXPECT_EQ(d.batch.ScopeOf(d.batch.spans[2]).name, "s1");
}

TEST(JsonDecoderTest, AppendsToANonEmptyBatchWithOffsetIndexes) {
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestJson(kSpecExample, &batch, &result).ok());
  ASSERT_TRUE(DecodeTraceRequestJson(kSpecExample, &batch, &result).ok());
  ASSERT_EQ(batch.spans.size(), 2u);
  EXPECT_EQ(batch.resources.size(), 2u);
  EXPECT_EQ(batch.scopes.size(), 2u);
  EXPECT_EQ(batch.spans[1].resource_index, 1u);
  EXPECT_EQ(batch.spans[1].scope_index, 1u);
  EXPECT_EQ(result.accepted_spans, 2u);
  // The first batch's views stay valid after the second decode.
  EXPECT_EQ(batch.spans[0].name, "I'm a server span");
}

TEST(JsonDecoderTest, NumbersAsStringsOrNumbers) {
  Decoded d = Decode(OneSpanRequest(
      R"("startTimeUnixNano":1544712660000000000,"endTimeUnixNano":"18446744073709551615",)"
      R"("droppedAttributesCount":"12","flags":"3","kind":"2","droppedLinksCount":1e1,)"
      R"("status":{"code":"1"})"));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const model::Span& span = d.batch.spans[0];
  EXPECT_EQ(span.start_time_unix_nano, 1544712660000000000u);
  EXPECT_EQ(span.end_time_unix_nano, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(span.dropped_attributes_count, 12u);
  EXPECT_EQ(span.flags, 3u);
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_EQ(span.dropped_links_count, 10u);
  EXPECT_EQ(span.status.code, model::StatusCode::kOk);
}

TEST(JsonDecoderTest, IntValueForms) {
  struct Case {
    const char* json;
    int64_t want;
  };
  const Case cases[] = {
      {R"({"intValue":"42"})", 42},
      {R"({"intValue":42})", 42},
      {R"({"intValue":"-7"})", -7},
      {R"({"intValue":-7})", -7},
      {R"({"intValue":"9223372036854775807"})", std::numeric_limits<int64_t>::max()},
      {R"({"intValue":"-9223372036854775808"})", std::numeric_limits<int64_t>::min()},
      {R"({"intValue":9223372036854775807})", std::numeric_limits<int64_t>::max()},
      {R"({"intValue":-9223372036854775808})", std::numeric_limits<int64_t>::min()},
      {R"({"intValue":5.0})", 5},
      {R"({"intValue":"0"})", 0},
  };
  for (const Case& c : cases) {
    Decoded d = Decode(OneAttributeRequest(c.json));
    const model::AnyValue& v = OnlyAttribute(d);
    EXPECT_EQ(v.type, ValueType::kInt) << c.json;
    EXPECT_EQ(v.int_value, c.want) << c.json;
  }
}

TEST(JsonDecoderTest, DoubleValueForms) {
  struct Case {
    const char* json;
    double want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {R"({"doubleValue":637.7})", 637.7},
      {R"({"doubleValue":3})", 3.0},
      {R"({"doubleValue":-2})", -2.0},
      {R"({"doubleValue":"1.25"})", 1.25},
      {R"({"doubleValue":"Infinity"})", inf},
      {R"({"doubleValue":"-Infinity"})", -inf},
      {R"({"doubleValue":1e300})", 1e300},
      {R"({"doubleValue":18446744073709551615})", 1.8446744073709552e19},
  };
  for (const Case& c : cases) {
    Decoded d = Decode(OneAttributeRequest(c.json));
    const model::AnyValue& v = OnlyAttribute(d);
    EXPECT_EQ(v.type, ValueType::kDouble) << c.json;
    EXPECT_EQ(v.double_value, c.want) << c.json;
  }
  Decoded nan = Decode(OneAttributeRequest(R"({"doubleValue":"NaN"})"));
  EXPECT_TRUE(std::isnan(OnlyAttribute(nan).double_value));
}

TEST(JsonDecoderTest, EveryAnyValueType) {
  Decoded d = Decode(OneSpanRequest(R"("attributes":[
      {"key":"s","value":{"stringValue":"caf\u00e9 \"q\"\n"}},
      {"key":"b","value":{"boolValue":false}},
      {"key":"i","value":{"intValue":"-1"}},
      {"key":"d","value":{"doubleValue":-0.25}},
      {"key":"bytes","value":{"bytesValue":"AAH/"}},
      {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":1},
          {"arrayValue":{"values":[{"boolValue":true}]}}]}}},
      {"key":"kv","value":{"kvlistValue":{"values":[{"key":"n","value":{"doubleValue":2.5}},
          {"key":"inner","value":{"kvlistValue":{"values":[{"key":"z","value":{}}]}}}]}}},
      {"key":"empty","value":{}},
      {"key":"nullvalue","value":null},
      {"key":"novalue"},
      {"key":"emptyarr","value":{"arrayValue":{}}},
      {"key":"emptykv","value":{"kvlistValue":{"values":[]}}},
      {"key":"emptystring","value":{"stringValue":""}}
  ])"));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const model::Attributes& a = d.batch.spans[0].attributes;
  ASSERT_EQ(a.size(), 13u);

  EXPECT_EQ(a[0].value.type, ValueType::kString);
  EXPECT_EQ(a[0].value.string_value, "caf\xC3\xA9 \"q\"\n");
  EXPECT_EQ(a[1].value.type, ValueType::kBool);
  EXPECT_FALSE(a[1].value.bool_value);
  EXPECT_EQ(a[2].value.int_value, -1);
  EXPECT_EQ(a[3].value.double_value, -0.25);
  EXPECT_EQ(a[4].value.type, ValueType::kBytes);
  EXPECT_EQ(a[4].value.string_value, std::string_view("\x00\x01\xFF", 3));

  const model::AnyValue& arr = a[5].value;
  ASSERT_EQ(arr.type, ValueType::kArray);
  ASSERT_EQ(arr.array_value.size(), 3u);
  EXPECT_EQ(arr.array_value[0].string_value, "x");
  EXPECT_EQ(arr.array_value[1].int_value, 1);
  ASSERT_EQ(arr.array_value[2].type, ValueType::kArray);
  ASSERT_EQ(arr.array_value[2].array_value.size(), 1u);
  EXPECT_TRUE(arr.array_value[2].array_value[0].bool_value);

  const model::AnyValue& kv = a[6].value;
  ASSERT_EQ(kv.type, ValueType::kKvList);
  ASSERT_EQ(kv.kvlist_value.size(), 2u);
  EXPECT_EQ(kv.kvlist_value[0].key, "n");
  EXPECT_EQ(kv.kvlist_value[0].value.double_value, 2.5);
  ASSERT_EQ(kv.kvlist_value[1].value.type, ValueType::kKvList);
  ASSERT_EQ(kv.kvlist_value[1].value.kvlist_value.size(), 1u);
  EXPECT_EQ(kv.kvlist_value[1].value.kvlist_value[0].value.type, ValueType::kEmpty);

  EXPECT_EQ(a[7].value.type, ValueType::kEmpty);
  EXPECT_EQ(a[8].value.type, ValueType::kEmpty);
  EXPECT_EQ(a[9].key, "novalue");
  EXPECT_EQ(a[9].value.type, ValueType::kEmpty);
  EXPECT_EQ(a[10].value.type, ValueType::kArray);
  EXPECT_TRUE(a[10].value.array_value.empty());
  EXPECT_EQ(a[11].value.type, ValueType::kKvList);
  EXPECT_EQ(a[12].value.type, ValueType::kString);
  EXPECT_TRUE(a[12].value.string_value.empty());
}

TEST(JsonDecoderTest, StringsAreCopiedOutOfTheBody) {
  std::string body = kSpecExample;
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestJson(body, &batch, &result).ok());
  body.assign(body.size(), 'x');
  // A second decode reuses the thread's parser buffers; earlier views must not change.
  ASSERT_TRUE(Decode(OneSpanRequest(R"("name":"other")")).status.ok());
  EXPECT_EQ(batch.spans[0].name, "I'm a server span");
  EXPECT_EQ(batch.scopes[0].name, "my.library");
}

TEST(JsonDecoderTest, EnumNamesAndUnknownEnumValues) {
  Decoded names = Decode(
      OneSpanRequest(R"("kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_ERROR"})"));
  ASSERT_TRUE(names.status.ok()) << names.status.ToString();
  EXPECT_EQ(names.batch.spans[0].kind, SpanKind::kConsumer);
  EXPECT_EQ(names.batch.spans[0].status.code, model::StatusCode::kError);

  for (const char* kind : {"\"SPAN_KIND_SERVER\"", "2"}) {
    Decoded d = Decode(OneSpanRequest(std::string("\"kind\":") + kind));
    ASSERT_TRUE(d.status.ok());
    EXPECT_EQ(d.batch.spans[0].kind, SpanKind::kServer) << kind;
  }

  // Values this build does not know read as the default, like unknown fields.
  Decoded unknown = Decode(OneSpanRequest(R"("kind":17,"status":{"code":"STATUS_CODE_MAYBE"})"));
  ASSERT_TRUE(unknown.status.ok()) << unknown.status.ToString();
  EXPECT_EQ(unknown.batch.spans[0].kind, SpanKind::kUnspecified);
  EXPECT_EQ(unknown.batch.spans[0].status.code, model::StatusCode::kUnset);
  Decoded unknown_name = Decode(OneSpanRequest(R"("kind":"SPAN_KIND_SOMETHING_NEW")"));
  ASSERT_TRUE(unknown_name.status.ok());
  EXPECT_EQ(unknown_name.batch.spans[0].kind, SpanKind::kUnspecified);

  Decoded negative = Decode(OneSpanRequest(R"("kind":-1)"));
  ASSERT_TRUE(negative.status.ok());
  EXPECT_EQ(negative.batch.spans[0].kind, SpanKind::kUnspecified);
}

TEST(JsonDecoderTest, UnknownFieldsIgnoredAtEveryLevel) {
  constexpr char kJson[] = R"({"future":{"deep":[1,2,{"x":null}]},"resourceSpans":[{
    "unknown":1,
    "resource":{"attributes":[{"key":"k","value":{"stringValue":"v","extra":[]},"keyStrindex":3}],
                "entityRefs":[{"type":"service"}],"x":"y"},
    "scopeSpans":[{"scope":{"name":"n","other":true},"what":"ever",
      "spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
                "trace_id":"not even hex","start_time_unix_nano":"ignored","newField":{"a":1},
                "events":[{"name":"e","bogus":[]}],
                "links":[{"traceId":"","unknown":{}}],
                "status":{"code":2,"deprecatedCode":1}}]}],
    "instrumentationLibrarySpans":[{"spans":[{"whatever":1}]}]
  }]})";
  Decoded d = Decode(kJson);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& span = d.batch.spans[0];
  EXPECT_EQ(span.start_time_unix_nano, 0u);  // snake_case keys are not OTLP/JSON
  EXPECT_EQ(span.events.at(0).name, "e");
  EXPECT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.status.code, model::StatusCode::kError);
  EXPECT_EQ(d.batch.resources[0].attributes.at(0).value.string_value, "v");
  EXPECT_EQ(d.batch.scopes[0].name, "n");
}

TEST(JsonDecoderTest, NullFieldsAreAbsent) {
  Decoded d = Decode(R"({"resourceSpans":[{"resource":null,"schemaUrl":null,"scopeSpans":[
      {"scope":null,"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",
       "spanId":"eee19b7ec3c1b174","parentSpanId":null,"name":null,"kind":null,
       "startTimeUnixNano":null,"attributes":null,"events":null,"links":null,"status":null,
       "flags":null}]}]}]})");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  EXPECT_TRUE(d.batch.spans[0].is_root());
  EXPECT_TRUE(d.batch.spans[0].name.empty());
}

TEST(JsonDecoderTest, InvalidIdsRejectTheSpanOnly) {
  struct Case {
    const char* ids;  // JSON members replacing the valid ids
    const char* reason;
  };
  const Case cases[] = {
      {R"("spanId":"eee19b7ec3c1b174")", "trace_id must be 16 bytes"},
      {R"("traceId":"","spanId":"eee19b7ec3c1b174")", "trace_id must be 16 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc6","spanId":"eee19b7ec3c1b174")",
       "trace_id must be 16 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c00","spanId":"eee19b7ec3c1b174")",
       "trace_id must be 16 bytes"},
      {R"("traceId":"zb8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174")",
       "trace_id must be 16 bytes"},
      {R"("traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174")",
       "trace_id must not be all zero"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c")", "span_id must be 8 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b1")",
       "span_id must be 8 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000000")",
       "span_id must not be all zero"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)"
       R"("parentSpanId":"abc")",
       "parent_span_id must be empty or 8 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)"
       R"("links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"01"}])",
       "links[0].span_id must be empty or 8 bytes"},
      {R"("traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)"
       R"("links":[{},{"traceId":"XYZ"}])",
       "links[1].trace_id must be empty or 16 bytes"},
  };
  const std::string valid =
      std::string(R"({"traceId":")") + kTraceIdHex + R"(","spanId":")" + kSpanIdHex + R"("})";
  for (const Case& c : cases) {
    std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + valid + ",{" + c.ids +
                       "}," + valid + "]}]}]}";
    Decoded d = Decode(json);
    ASSERT_TRUE(d.status.ok()) << c.ids << ": " << d.status.ToString();
    EXPECT_EQ(d.batch.spans.size(), 2u) << c.ids;
    EXPECT_EQ(d.result.accepted_spans, 2u) << c.ids;
    EXPECT_EQ(d.result.rejected_spans, 1u) << c.ids;
    EXPECT_EQ(d.result.rejection_message.rfind("resourceSpans[0].scopeSpans[0].spans[1]: ", 0), 0u)
        << d.result.rejection_message;
    EXPECT_NE(d.result.rejection_message.find(c.reason), std::string::npos)
        << c.ids << " -> " << d.result.rejection_message;
  }
}

TEST(JsonDecoderTest, RejectionMessageIsTheFirstReason) {
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"spanId":"eee19b7ec3c1b174"},
      {"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]})";
  Decoded d = Decode(json);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.result.rejected_spans, 2u);
  EXPECT_EQ(d.result.accepted_spans, 0u);
  EXPECT_TRUE(d.batch.spans.empty());
  EXPECT_EQ(d.result.rejection_message,
            "resourceSpans[0].scopeSpans[0].spans[0]: trace_id must be 16 bytes (32 hex digits)");
  EXPECT_EQ(d.batch.resources.size(), 1u);
  EXPECT_EQ(d.batch.scopes.size(), 1u);
}

TEST(JsonDecoderTest, ParentSpanIdMayBeEmptyOrZero) {
  for (const char* parent : {R"("parentSpanId":"")", R"("parentSpanId":"0000000000000000")"}) {
    Decoded d = Decode(OneSpanRequest(parent));
    ASSERT_TRUE(d.status.ok());
    ASSERT_EQ(d.batch.spans.size(), 1u) << parent;
    EXPECT_TRUE(d.batch.spans[0].is_root());
  }
}

TEST(JsonDecoderTest, WrongTypesAreInvalidArgumentWithPath) {
  struct Case {
    std::string json;
    const char* message;
  };
  const std::string span_prefix = "resourceSpans[0].scopeSpans[0].spans[0].";
  const Case cases[] = {
      {"[]", "request body: expected a JSON object"},
      {"5", "request body: expected a JSON object"},
      {"\"str\"", "request body: expected a JSON object"},
      {R"({"resourceSpans":{}})", "resourceSpans: expected array"},
      {R"({"resourceSpans":[5]})", "resourceSpans[0]: expected object"},
      {R"({"resourceSpans":[{"scopeSpans":[{"spans":5}]}]})",
       "resourceSpans[0].scopeSpans[0].spans: expected array"},
      {R"({"resourceSpans":[{"resource":[]}]})", "resourceSpans[0].resource: expected object"},
      {R"({"resourceSpans":[{"schemaUrl":1}]})", "resourceSpans[0].schemaUrl: expected string"},
      {R"({"resourceSpans":[{"scopeSpans":[{"scope":{"name":false}}]}]})",
       "resourceSpans[0].scopeSpans[0].scope.name: expected string"},
      {OneSpanRequest(R"("traceId":7)"), "traceId: expected hex string"},
      {OneSpanRequest(R"("name":{})"), "name: expected string"},
      {OneSpanRequest(R"("startTimeUnixNano":-1)"), "startTimeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("startTimeUnixNano":"12abc")"), "startTimeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("startTimeUnixNano":"")"), "startTimeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("startTimeUnixNano":1.5)"), "startTimeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("endTimeUnixNano":"18446744073709551616")"),
       "endTimeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("droppedAttributesCount":4294967296)"),
       "droppedAttributesCount: expected unsigned 32-bit integer"},
      {OneSpanRequest(R"("flags":true)"), "flags: expected unsigned 32-bit integer"},
      {OneSpanRequest(R"("kind":[])"), "kind: expected integer"},
      {OneSpanRequest(R"("status":{"code":{}})"), "status.code: expected integer"},
      {OneSpanRequest(R"("events":[{"timeUnixNano":true}])"),
       "events[0].timeUnixNano: expected unsigned"},
      {OneSpanRequest(R"("links":[{"spanId":1}])"), "links[0].spanId: expected hex string"},
      {OneSpanRequest(R"("attributes":{})"), "attributes: expected array"},
      {OneSpanRequest(R"("attributes":[{"key":1}])"), "attributes[0].key: expected string"},
      {OneSpanRequest(R"("attributes":[{"key":"a","value":"str"}])"),
       "attributes[0].value: expected object"},
      {OneSpanRequest(
           R"("attributes":[{"key":"a","value":{}},{"key":"b","value":{"intValue":"x"}}])"),
       "attributes[1].value.intValue: expected integer"},
      {OneAttributeRequest(R"({"intValue":1.5})"),
       "attributes[0].value.intValue: expected integer"},
      {OneAttributeRequest(R"({"intValue":"9223372036854775808"})"),
       "value.intValue: expected integer"},
      {OneAttributeRequest(R"({"intValue":9223372036854775808})"),
       "value.intValue: expected integer"},
      {OneAttributeRequest(R"({"intValue":true})"), "value.intValue: expected integer"},
      {OneAttributeRequest(R"({"boolValue":"true"})"), "value.boolValue: expected boolean"},
      {OneAttributeRequest(R"({"doubleValue":"nan"})"), "value.doubleValue: expected number"},
      {OneAttributeRequest(R"({"doubleValue":"1e999"})"), "value.doubleValue: expected number"},
      {OneAttributeRequest(R"({"doubleValue":[]})"), "value.doubleValue: expected number"},
      {OneAttributeRequest(R"({"stringValue":1})"), "value.stringValue: expected string"},
      {OneAttributeRequest(R"({"bytesValue":"***"})"), "value.bytesValue: invalid base64"},
      {OneAttributeRequest(R"({"bytesValue":5})"), "value.bytesValue: expected base64 string"},
      {OneAttributeRequest(R"({"arrayValue":[]})"), "value.arrayValue: expected object"},
      {OneAttributeRequest(R"({"arrayValue":{"values":{}}})"),
       "value.arrayValue.values: expected array"},
      {OneAttributeRequest(R"({"arrayValue":{"values":[{},{"intValue":"z"}]}})"),
       "value.arrayValue.values[1].intValue: expected integer"},
      {OneAttributeRequest(R"({"kvlistValue":{"values":[{"key":"k","value":{"boolValue":1}}]}})"),
       "value.kvlistValue.values[0].value.boolValue: expected boolean"},
  };
  for (const Case& c : cases) {
    Decoded d = Decode(c.json);
    ASSERT_FALSE(d.status.ok()) << c.json;
    EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(d.status.message().find(c.message), std::string::npos)
        << c.json << "\n  got: " << d.status.message() << "\n  want: " << c.message;
    EXPECT_TRUE(d.batch.spans.empty());
    EXPECT_TRUE(d.batch.resources.empty());
    EXPECT_TRUE(d.batch.scopes.empty());
  }
}

TEST(JsonDecoderTest, ErrorMessageNamesTheFullPath) {
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
      {"attributes":[{"key":"a","value":{}},{"key":"b","value":{"intValue":"1.5"}}]}]}]}]})";
  Decoded d = Decode(json);
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.message(),
            "resourceSpans[0].scopeSpans[0].spans[2].attributes[1].value.intValue: "
            "expected integer");
}

TEST(JsonDecoderTest, ErrorLeavesTheBatchAndResultUntouched) {
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestJson(kSpecExample, &batch, &result).ok());
  // The first ResourceSpans is valid (with one rejected span), the second malformed.
  std::string json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"no ids"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]},
      {"scopeSpans":[{"spans":[{"kind":{}}]}]}]})";
  Status status = DecodeTraceRequestJson(json, &batch, &result);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "resourceSpans[1].scopeSpans[0].spans[0].kind: expected integer");
  EXPECT_EQ(batch.spans.size(), 1u);
  EXPECT_EQ(batch.resources.size(), 1u);
  EXPECT_EQ(batch.scopes.size(), 1u);
  EXPECT_EQ(result.accepted_spans, 1u);
  EXPECT_EQ(result.rejected_spans, 0u);
  EXPECT_TRUE(result.rejection_message.empty());
}

TEST(JsonDecoderTest, NullResultIsAllowed) {
  model::SpanBatch batch;
  ASSERT_TRUE(DecodeTraceRequestJson(kSpecExample, &batch, nullptr).ok());
  EXPECT_EQ(batch.spans.size(), 1u);
}

// Builds an attribute value nested `depth` levels deep, alternating arrays and kvlists.
std::string NestedValue(int depth) {
  std::string open, close;
  for (int level = 1; level < depth; ++level) {
    if (level % 2 == 1) {
      open += R"({"arrayValue":{"values":[)";
      close = "]}}" + close;
    } else {
      open += R"({"kvlistValue":{"values":[{"key":"k","value":)";
      close = "}]}}" + close;
    }
  }
  return open + R"({"intValue":"1"})" + close;
}

TEST(JsonDecoderTest, NestingUpToTheLimitIsAccepted) {
  DecodeLimits limits;
  limits.max_value_depth = 8;
  Decoded ok = Decode(OneAttributeRequest(NestedValue(8)), limits);
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  const model::AnyValue* v = &ok.batch.spans[0].attributes[0].value;
  int depth = 1;
  while (v->type != ValueType::kInt) {
    v = v->type == ValueType::kArray ? &v->array_value[0] : &v->kvlist_value[0].value;
    ++depth;
  }
  EXPECT_EQ(depth, 8);
  EXPECT_EQ(v->int_value, 1);
}

TEST(JsonDecoderTest, NestingBeyondTheLimitIsInvalid) {
  DecodeLimits limits;
  limits.max_value_depth = 8;
  Decoded d = Decode(OneAttributeRequest(NestedValue(9)), limits);
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status.message().find("nested deeper than 8"), std::string::npos)
      << d.status.message();
  EXPECT_TRUE(d.batch.spans.empty());

  // The default limit, and JSON nesting far beyond anything simdjson accepts.
  EXPECT_TRUE(Decode(OneAttributeRequest(NestedValue(32))).status.ok());
  EXPECT_FALSE(Decode(OneAttributeRequest(NestedValue(33))).status.ok());
  std::string deep(100000, '[');
  EXPECT_EQ(Decode(deep + std::string(100000, ']')).status.code(), StatusCode::kInvalidArgument);
  std::string deep_unknown = R"({"x":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_EQ(Decode(deep_unknown).status.code(), StatusCode::kInvalidArgument);
}

TEST(JsonDecoderTest, InvalidUtf8IsInvalidArgument) {
  const std::string bad_strings[] = {
      OneSpanRequest("\"name\":\"\xFF\""),
      OneSpanRequest("\"name\":\"\xC3\""),
      OneSpanRequest("\"name\":\"\xED\xA0\x80\""),  // encoded surrogate
      OneSpanRequest("\"name\":\"\xC0\xAF\""),      // overlong
      OneSpanRequest("\"name\":\"\\ud800\""),       // lone escaped surrogate
      OneSpanRequest("\"x\xFE\":1"),                // in an unknown key
  };
  for (const std::string& json : bad_strings) {
    Decoded d = Decode(json);
    EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument) << json;
    EXPECT_TRUE(d.batch.spans.empty());
  }
  // A valid escaped surrogate pair is fine.
  Decoded d = Decode(OneSpanRequest(R"("name":"\ud83d\ude00")"));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.spans[0].name, "\xF0\x9F\x98\x80");
}

TEST(JsonDecoderTest, MalformedJson) {
  const char* docs[] = {
      "",
      " ",
      "{",
      "}",
      "{\"resourceSpans\":[}",
      "{,}",
      "{\"a\"}",
      "{\"a\":}",
      "nul",
      "{\"resourceSpans\":[]}x",
      "{'a':1}",
      "{\"a\":01}",
      "{\"a\":1,}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\n\"}",
      "{\"a\":1e999}",
      "{\"a\":123456789012345678901234567890}",
  };
  for (const char* doc : docs) {
    Decoded d = Decode(doc);
    EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument) << doc;
    EXPECT_TRUE(d.batch.spans.empty()) << doc;
  }
  // Embedded NUL bytes are not JSON whitespace.
  EXPECT_FALSE(Decode(std::string_view("{}\0", 3)).status.ok());
}

TEST(JsonDecoderTest, TruncationAtEveryOffsetNeverCrashes) {
  const std::string docs[] = {
      kSpecExample,
      OneSpanRequest(
          R"("attributes":[{"key":"a","value":{"arrayValue":{"values":[)"
          R"({"bytesValue":"AAH/"},{"doubleValue":"NaN"},{"kvlistValue":{"values":[]}}]}}}],)"
          R"("events":[{"name":"e"}],"links":[{"traceId":"5b8efff798038103d269b633813fc60c"}],)"
          R"("status":{"code":"STATUS_CODE_OK","message":"\u00e9"})"),
  };
  for (const std::string& doc : docs) {
    ASSERT_TRUE(Decode(doc).status.ok());
    for (size_t length = 0; length < doc.size(); ++length) {
      // Exactly-sized heap copies let ASan catch any read past the end.
      std::string truncated = doc.substr(0, length);
      Decoded d = Decode(truncated);
      if (!d.status.ok()) {
        EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
        EXPECT_TRUE(d.batch.spans.empty());
      }
    }
  }
}

TEST(JsonDecoderTest, DuplicateKeysLastScalarWins) {
  Decoded d = Decode(OneSpanRequest(R"("name":"first","name":"second")"));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.spans[0].name, "second");
  Decoded v = Decode(OneAttributeRequest(R"({"stringValue":"s","intValue":"3"})"));
  const model::AnyValue& value = OnlyAttribute(v);
  EXPECT_EQ(value.type, ValueType::kInt);
  EXPECT_EQ(value.int_value, 3);
  EXPECT_TRUE(value.string_value.empty());
}

TEST(JsonDecoderTest, TenThousandSpans) {
  constexpr int kSpans = 10000;
  std::string json = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
                     R"("value":{"stringValue":"bulk"}}]},"scopeSpans":[{"spans":[)";
  for (int i = 0; i < kSpans; ++i) {
    char ids[128];
    std::snprintf(ids, sizeof(ids), R"({"traceId":"%032x","spanId":"%016x","name":"span-%d",)",
                  i + 1, i + 1, i);
    json += ids;
    json += R"("startTimeUnixNano":")" + std::to_string(1700000000000000000LL + i) +
            R"(","kind":1,"attributes":[{"key":"i","value":{"intValue":")" + std::to_string(i) +
            R"("}}]})";
    if (i + 1 < kSpans) json += ',';
  }
  json += "]}]}]}";
  Decoded d = Decode(json);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), static_cast<size_t>(kSpans));
  EXPECT_EQ(d.result.accepted_spans, static_cast<uint64_t>(kSpans));
  for (int i = 0; i < kSpans; i += 997) {
    const model::Span& span = d.batch.spans[i];
    EXPECT_EQ(span.name, "span-" + std::to_string(i));
    EXPECT_EQ(span.attributes[0].value.int_value, i);
    EXPECT_EQ(span.start_time_unix_nano, 1700000000000000000ULL + i);
    EXPECT_EQ(span.span_id[7], static_cast<uint8_t>((i + 1) & 0xFF));
  }
}

TEST(JsonDecoderTest, ConcurrentDecodesAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        std::string name = "thread-" + std::to_string(t) + "-" + std::to_string(i);
        Decoded d = Decode(OneSpanRequest(R"("name":")" + name + "\""));
        if (!d.status.ok() || d.batch.spans.size() != 1 || d.batch.spans[0].name != name) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace tokenscope::otlp
