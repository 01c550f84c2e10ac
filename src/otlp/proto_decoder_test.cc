#include "otlp/proto_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "otlp/proto_encoder.h"
#include "otlp/proto_test_util.h"

namespace tokenscope::otlp {
namespace {

using testing::ProtoBytes;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string TraceIdBytes(uint8_t seed = 1) {
  return std::string(model::AsBytes(testing::MakeTraceId(seed)));
}
std::string SpanIdBytes(uint8_t seed = 1) {
  return std::string(model::AsBytes(testing::MakeSpanId(seed)));
}

// A span with valid ids and nothing else.
ProtoBytes ValidSpan(uint8_t seed = 1) {
  ProtoBytes span;
  span.Len(1, TraceIdBytes(seed)).Len(2, SpanIdBytes(seed));
  return span;
}

ProtoBytes ScopeSpansOf(std::initializer_list<ProtoBytes> spans) {
  ProtoBytes scope_spans;
  for (const ProtoBytes& span : spans) scope_spans.Len(2, span);
  return scope_spans;
}

// request{resource_spans{scope_spans{spans...}}}
std::string RequestWith(std::initializer_list<ProtoBytes> spans) {
  return ProtoBytes().Len(1, ProtoBytes().Len(2, ScopeSpansOf(spans))).str();
}

// A request whose single span carries `attribute` (a KeyValue message) as attributes[0].
std::string RequestWithAttribute(const ProtoBytes& attribute) {
  return RequestWith({ValidSpan().Len(9, attribute)});
}

struct Decoded {
  Status status;
  model::SpanBatch batch;
  DecodeResult result;
};

// Decodes a copy of `body` that the batch owns, the way the server hands requests over.
Decoded Decode(std::string_view body, const DecodeLimits& limits = {}) {
  Decoded d;
  std::string_view owned = d.batch.Adopt(std::string(body));
  d.status = DecodeTraceRequestProto(owned, &d.batch, &d.result, limits);
  return d;
}

// Decodes `body`, expecting InvalidArgument; returns the message.
std::string DecodeError(std::string_view body, const DecodeLimits& limits = {}) {
  Decoded d = Decode(body, limits);
  EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument) << testing::Hex(body);
  EXPECT_TRUE(d.batch.spans.empty());
  EXPECT_TRUE(d.batch.resources.empty());
  EXPECT_TRUE(d.batch.scopes.empty());
  return d.status.message();
}

constexpr std::string_view kSpan0 = "resource_spans[0].scope_spans[0].spans[0]";

// ---------------------------------------------------------------------------------------
// Basics and known bytes

TEST(ProtoDecoderTest, EmptyRequestIsOkWithNoSpans) {
  Decoded d = Decode("");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.batch.spans.empty());
  EXPECT_TRUE(d.batch.resources.empty());
  EXPECT_EQ(d.result.accepted_spans, 0u);
  EXPECT_EQ(d.result.rejected_spans, 0u);
}

TEST(ProtoDecoderTest, EmptyResourceSpansAndScopeSpans) {
  Decoded d = Decode(Bytes({0x0A, 0x00, 0x0A, 0x02, 0x12, 0x00}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.batch.resources.size(), 2u);  // one per ResourceSpans
  EXPECT_EQ(d.batch.scopes.size(), 1u);     // one per ScopeSpans
  EXPECT_TRUE(d.batch.spans.empty());
}

TEST(ProtoDecoderTest, HandComputedMinimalSpan) {
  // Written from the OTLP field table by hand: ids 01..10 / 11..18, name "s", kind SERVER,
  // start 1, end 2, flags 0x01 (sampled).
  const std::string body = Bytes({
      0x0A, 0x3D,                                                  // resource_spans, 61
      0x12, 0x3B,                                                  // scope_spans, 59
      0x12, 0x39,                                                  // spans, 57
      0x0A, 0x10, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // trace_id
      0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10,              //
      0x12, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,  // span_id
      0x2A, 0x01, 's',                                             // name
      0x30, 0x02,                                                  // kind
      0x39, 0x01, 0,    0,    0,    0,    0,    0,    0,           // start_time_unix_nano
      0x41, 0x02, 0,    0,    0,    0,    0,    0,    0,           // end_time_unix_nano
      0x85, 0x01, 0x01, 0x00, 0x00, 0x00,                          // flags (fixed32)
  });
  Decoded d = Decode(body);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& span = d.batch.spans[0];
  EXPECT_EQ(span.trace_id, testing::MakeTraceId(0x01));
  EXPECT_EQ(span.span_id, testing::MakeSpanId(0x11));
  EXPECT_TRUE(span.is_root());
  EXPECT_EQ(span.name, "s");
  EXPECT_EQ(span.kind, model::SpanKind::kServer);
  EXPECT_EQ(span.start_time_unix_nano, 1u);
  EXPECT_EQ(span.end_time_unix_nano, 2u);
  EXPECT_EQ(span.flags, 1u);
  EXPECT_EQ(span.resource_index, 0u);
  EXPECT_EQ(span.scope_index, 0u);
  EXPECT_EQ(d.result.accepted_spans, 1u);
}

TEST(ProtoDecoderTest, StringsAreViewsIntoTheBody) {
  std::string body =
      RequestWith({ValidSpan()
                       .Len(5, "span-name")
                       .Len(9, ProtoBytes().Len(1, "k").Len(2, ProtoBytes().Len(1, "v")))});
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(body, &batch, &result).ok());
  const model::Span& span = batch.spans[0];
  auto inside = [&](std::string_view v) {
    return v.data() >= body.data() && v.data() + v.size() <= body.data() + body.size();
  };
  EXPECT_TRUE(inside(span.name));
  EXPECT_TRUE(inside(span.attributes[0].key));
  EXPECT_TRUE(inside(span.attributes[0].value.string_value));
  EXPECT_EQ(batch.arena().bytes_allocated(), 0u);
}

TEST(ProtoDecoderTest, EveryFieldOfEveryMessage) {
  ProtoBytes kv = ProtoBytes().Len(1, "key").Len(2, ProtoBytes().Len(1, "value"));
  ProtoBytes event = ProtoBytes().Fixed64(1, 77).Len(2, "ev").Len(3, kv).Varint(4, 8);
  ProtoBytes link = ProtoBytes()
                        .Len(1, TraceIdBytes(9))
                        .Len(2, SpanIdBytes(9))
                        .Len(3, "ts")
                        .Len(4, kv)
                        .Varint(5, 2)
                        .Fixed32(6, 0x300);
  ProtoBytes span = ProtoBytes()
                        .Len(1, TraceIdBytes(1))
                        .Len(2, SpanIdBytes(2))
                        .Len(3, "state")
                        .Len(4, SpanIdBytes(3))
                        .Len(5, "name")
                        .Varint(6, 5)
                        .Fixed64(7, 1000)
                        .Fixed64(8, 2000)
                        .Len(9, kv)
                        .Varint(10, 11)
                        .Len(11, event)
                        .Varint(12, 12)
                        .Len(13, link)
                        .Varint(14, 14)
                        .Len(15, ProtoBytes().Len(2, "msg").Varint(3, 2))
                        .Fixed32(16, 0x201);
  ProtoBytes scope = ProtoBytes().Len(1, "scope").Len(2, "1.0").Len(3, kv).Varint(4, 4);
  ProtoBytes resource = ProtoBytes().Len(1, kv).Varint(2, 6);
  ProtoBytes scope_spans = ProtoBytes().Len(1, scope).Len(2, span).Len(3, "scope-schema");
  ProtoBytes resource_spans =
      ProtoBytes().Len(1, resource).Len(2, scope_spans).Len(3, "resource-schema");
  Decoded d = Decode(ProtoBytes().Len(1, resource_spans).str());
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& s = d.batch.spans[0];
  EXPECT_EQ(s.trace_id, testing::MakeTraceId(1));
  EXPECT_EQ(s.span_id, testing::MakeSpanId(2));
  EXPECT_EQ(s.parent_span_id, testing::MakeSpanId(3));
  EXPECT_EQ(s.trace_state, "state");
  EXPECT_EQ(s.name, "name");
  EXPECT_EQ(s.kind, model::SpanKind::kConsumer);
  EXPECT_EQ(s.start_time_unix_nano, 1000u);
  EXPECT_EQ(s.end_time_unix_nano, 2000u);
  ASSERT_EQ(s.attributes.size(), 1u);
  EXPECT_EQ(s.attributes[0].key, "key");
  EXPECT_EQ(s.attributes[0].value.type, model::ValueType::kString);
  EXPECT_EQ(s.attributes[0].value.string_value, "value");
  EXPECT_EQ(s.dropped_attributes_count, 11u);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].time_unix_nano, 77u);
  EXPECT_EQ(s.events[0].name, "ev");
  EXPECT_EQ(s.events[0].attributes.size(), 1u);
  EXPECT_EQ(s.events[0].dropped_attributes_count, 8u);
  EXPECT_EQ(s.dropped_events_count, 12u);
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].trace_id, testing::MakeTraceId(9));
  EXPECT_EQ(s.links[0].span_id, testing::MakeSpanId(9));
  EXPECT_EQ(s.links[0].trace_state, "ts");
  EXPECT_EQ(s.links[0].attributes.size(), 1u);
  EXPECT_EQ(s.links[0].dropped_attributes_count, 2u);
  EXPECT_EQ(s.links[0].flags, 0x300u);
  EXPECT_EQ(s.dropped_links_count, 14u);
  EXPECT_EQ(s.status.message, "msg");
  EXPECT_EQ(s.status.code, model::StatusCode::kError);
  EXPECT_EQ(s.flags, 0x201u);
  const model::Scope& sc = d.batch.ScopeOf(s);
  EXPECT_EQ(sc.name, "scope");
  EXPECT_EQ(sc.version, "1.0");
  EXPECT_EQ(sc.attributes.size(), 1u);
  EXPECT_EQ(sc.dropped_attributes_count, 4u);
  EXPECT_EQ(sc.schema_url, "scope-schema");
  const model::Resource& r = d.batch.ResourceOf(s);
  EXPECT_EQ(r.attributes.size(), 1u);
  EXPECT_EQ(r.dropped_attributes_count, 6u);
  EXPECT_EQ(r.schema_url, "resource-schema");
}

// ---------------------------------------------------------------------------------------
// AnyValue

// Decodes `any_value` as a span attribute's value. The value's views point into a batch that
// is kept for the rest of the test run, so tests can hold and compare values freely.
model::AnyValue DecodeValue(const ProtoBytes& any_value) {
  static std::vector<std::unique_ptr<Decoded>> keep_alive;
  keep_alive.push_back(std::make_unique<Decoded>(
      Decode(RequestWithAttribute(ProtoBytes().Len(1, "k").Len(2, any_value)))));
  const Decoded& d = *keep_alive.back();
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
  if (d.batch.spans.empty() || d.batch.spans[0].attributes.empty()) return {};
  return d.batch.spans[0].attributes[0].value;
}

TEST(ProtoDecoderTest, AnyValueScalars) {
  model::AnyValue v = DecodeValue(ProtoBytes().Len(1, "text"));
  EXPECT_EQ(v.type, model::ValueType::kString);
  EXPECT_EQ(v.string_value, "text");

  v = DecodeValue(ProtoBytes().Varint(2, 1));
  EXPECT_EQ(v.type, model::ValueType::kBool);
  EXPECT_TRUE(v.bool_value);
  v = DecodeValue(ProtoBytes().Varint(2, 0));
  EXPECT_EQ(v.type, model::ValueType::kBool);
  EXPECT_FALSE(v.bool_value);

  v = DecodeValue(ProtoBytes().Varint(3, 42));
  EXPECT_EQ(v.type, model::ValueType::kInt);
  EXPECT_EQ(v.int_value, 42);

  v = DecodeValue(ProtoBytes().Len(7, std::string("\x00\xff", 2)));
  EXPECT_EQ(v.type, model::ValueType::kBytes);
  EXPECT_EQ(v.string_value, std::string_view("\x00\xff", 2));

  // An AnyValue with nothing set, and a KeyValue without a value, are both null.
  EXPECT_EQ(DecodeValue(ProtoBytes()).type, model::ValueType::kEmpty);
  Decoded d = Decode(RequestWithAttribute(ProtoBytes().Len(1, "k")));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.spans[0].attributes[0].value.type, model::ValueType::kEmpty);
}

TEST(ProtoDecoderTest, AnyValueNegativeIntsAreTenByteVarints) {
  // -1 as int64: ten bytes, FF x9 then 01.
  std::string any = Bytes({0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  model::AnyValue v = DecodeValue(ProtoBytes().Raw(any));
  EXPECT_EQ(v.type, model::ValueType::kInt);
  EXPECT_EQ(v.int_value, -1);

  v = DecodeValue(ProtoBytes().Varint(3, static_cast<uint64_t>(INT64_MIN)));
  EXPECT_EQ(v.int_value, INT64_MIN);
  v = DecodeValue(ProtoBytes().Varint(3, static_cast<uint64_t>(int64_t{-300})));
  EXPECT_EQ(v.int_value, -300);
}

TEST(ProtoDecoderTest, AnyValueDoublesKeepTheirBits) {
  for (double x :
       {0.0, -0.0, 1.5, -1e308, 5e-324, std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    model::AnyValue v = DecodeValue(ProtoBytes().Double(4, x));
    ASSERT_EQ(v.type, model::ValueType::kDouble);
    testing::ExpectSameValue(v, model::AnyValue::Double(x), std::to_string(x));
  }
  model::AnyValue nan = DecodeValue(ProtoBytes().Double(4, std::nan("")));
  EXPECT_TRUE(std::isnan(nan.double_value));
}

TEST(ProtoDecoderTest, AnyValueNestedArraysAndKvLists) {
  // ["a", [1, {}], {"x": true, "y": [2.5]}] with an empty value in the middle.
  ProtoBytes inner_array = ProtoBytes().Len(1, ProtoBytes().Varint(3, 1)).Len(1, ProtoBytes());
  ProtoBytes kvlist =
      ProtoBytes()
          .Len(1, ProtoBytes().Len(1, "x").Len(2, ProtoBytes().Varint(2, 1)))
          .Len(1, ProtoBytes().Len(1, "y").Len(
                      2, ProtoBytes().Len(5, ProtoBytes().Len(1, ProtoBytes().Double(4, 2.5)))));
  ProtoBytes outer = ProtoBytes()
                         .Len(1, ProtoBytes().Len(1, "a"))
                         .Len(1, ProtoBytes().Len(5, inner_array))
                         .Len(1, ProtoBytes().Len(6, kvlist));
  model::AnyValue v = DecodeValue(ProtoBytes().Len(5, outer));

  using model::AnyValue;
  AnyValue expected = testing::ArrayOf({
      AnyValue::String("a"),
      testing::ArrayOf({AnyValue::Int(1), AnyValue()}),
      testing::KvListOf(
          {{"x", AnyValue::Bool(true)}, {"y", testing::ArrayOf({AnyValue::Double(2.5)})}}),
  });
  testing::ExpectSameValue(v, expected, "value");
}

TEST(ProtoDecoderTest, AnyValueEmptyArrayAndKvList) {
  model::AnyValue v = DecodeValue(ProtoBytes().Len(5, ""));
  EXPECT_EQ(v.type, model::ValueType::kArray);
  EXPECT_TRUE(v.array_value.empty());
  v = DecodeValue(ProtoBytes().Len(6, ""));
  EXPECT_EQ(v.type, model::ValueType::kKvList);
  EXPECT_TRUE(v.kvlist_value.empty());
}

TEST(ProtoDecoderTest, AnyValueOneofLastMemberWins) {
  model::AnyValue v = DecodeValue(ProtoBytes().Len(1, "s").Varint(3, 7));
  EXPECT_EQ(v.type, model::ValueType::kInt);
  EXPECT_EQ(v.int_value, 7);
  EXPECT_EQ(v.string_value, "");

  v = DecodeValue(ProtoBytes().Len(5, ProtoBytes().Len(1, ProtoBytes().Varint(3, 1))).Len(1, "s"));
  EXPECT_EQ(v.type, model::ValueType::kString);
  EXPECT_EQ(v.string_value, "s");
  EXPECT_TRUE(v.array_value.empty());

  v = DecodeValue(ProtoBytes().Len(1, "s").Len(7, "b"));
  EXPECT_EQ(v.type, model::ValueType::kBytes);
  EXPECT_EQ(v.string_value, "b");

  // The same member twice: scalars take the last value, arrays merge (protobuf semantics).
  v = DecodeValue(ProtoBytes().Varint(3, 1).Varint(3, 2));
  EXPECT_EQ(v.int_value, 2);
  v = DecodeValue(ProtoBytes()
                      .Len(5, ProtoBytes().Len(1, ProtoBytes().Varint(3, 1)))
                      .Len(5, ProtoBytes().Len(1, ProtoBytes().Varint(3, 2))));
  ASSERT_EQ(v.array_value.size(), 2u);
  EXPECT_EQ(v.array_value[1].int_value, 2);
}

TEST(ProtoDecoderTest, NestingUpToTheLimitIsAccepted) {
  // depth 1 is the attribute's own value; each array adds one.
  auto nested = [](int depth, bool use_kvlist) {
    ProtoBytes value = ProtoBytes().Varint(3, 1);
    for (int i = 1; i < depth; ++i) {
      if (use_kvlist) {
        value = ProtoBytes().Len(6, ProtoBytes().Len(1, ProtoBytes().Len(1, "k").Len(2, value)));
      } else {
        value = ProtoBytes().Len(5, ProtoBytes().Len(1, value));
      }
    }
    return RequestWithAttribute(ProtoBytes().Len(1, "deep").Len(2, value));
  };
  for (bool kvlist : {false, true}) {
    SCOPED_TRACE(kvlist ? "kvlist" : "array");
    EXPECT_TRUE(Decode(nested(32, kvlist)).status.ok());
    std::string message = DecodeError(nested(33, kvlist));
    EXPECT_NE(message.find("AnyValue nesting deeper than 32"), std::string::npos) << message;
    EXPECT_EQ(message.rfind(std::string(kSpan0) + ".attributes[0].value.", 0), 0u) << message;

    DecodeLimits tight;
    tight.max_value_depth = 3;
    EXPECT_TRUE(Decode(nested(3, kvlist), tight).status.ok());
    DecodeError(nested(4, kvlist), tight);
  }
  // Far deeper than the limit: rejected without recursing all the way down.
  std::string message = DecodeError(nested(5000, false));
  EXPECT_NE(message.find("deeper than 32"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Wire facts

// One unknown field of every wire type, with large field numbers among them.
ProtoBytes Unknowns() {
  return ProtoBytes()
      .Varint(100, 300)
      .Fixed64(101, 0xDEADBEEF)
      .Len(102, "ignored")
      .Fixed32(103, 7)
      .Varint((1u << 29) - 1, 1)               // the largest field number
      .Len(1000, ProtoBytes().Len(1, "old"));  // ResourceSpans' removed field, anywhere
}

TEST(ProtoDecoderTest, UnknownFieldsOfEveryWireTypeAreSkippedEverywhere) {
  const std::string junk = Unknowns().str();
  ProtoBytes value = ProtoBytes().Raw(junk).Len(
      5, ProtoBytes()
             .Raw(junk)
             .Len(1, ProtoBytes().Raw(junk).Len(
                         6, ProtoBytes().Raw(junk).Len(
                                1, ProtoBytes().Raw(junk).Len(1, "k").Len(
                                       2, ProtoBytes().Raw(junk).Varint(3, 5).Varint(8, 1)))))
             .Raw(junk));
  ProtoBytes kv = ProtoBytes().Raw(junk).Len(1, "key").Varint(3, 4).Len(2, value).Raw(junk);
  ProtoBytes span = ProtoBytes()
                        .Raw(junk)
                        .Len(1, TraceIdBytes())
                        .Len(2, SpanIdBytes())
                        .Len(9, kv)
                        .Len(11, ProtoBytes().Raw(junk).Len(2, "ev").Raw(junk))
                        .Len(13, ProtoBytes().Raw(junk).Fixed32(6, 3).Raw(junk))
                        .Len(15, ProtoBytes().Raw(junk).Varint(1, 9).Varint(3, 1).Raw(junk))
                        .Raw(junk);
  ProtoBytes resource = ProtoBytes()
                            .Raw(junk)
                            .Len(3, ProtoBytes().Len(2, "entity").Len(3, "id"))  // entity_refs
                            .Varint(2, 1)
                            .Raw(junk);
  ProtoBytes scope = ProtoBytes().Raw(junk).Len(1, "sc").Raw(junk);
  ProtoBytes scope_spans = ProtoBytes().Raw(junk).Len(1, scope).Len(2, span).Raw(junk);
  ProtoBytes resource_spans = ProtoBytes().Raw(junk).Len(1, resource).Len(2, scope_spans).Raw(junk);
  Decoded d = Decode(ProtoBytes().Raw(junk).Len(1, resource_spans).Raw(junk).str());
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();

  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& s = d.batch.spans[0];
  using model::AnyValue;
  testing::ExpectSameAttributes(
      s.attributes, {{"key", testing::ArrayOf({testing::KvListOf({{"k", AnyValue::Int(5)}})})}},
      "attrs");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "ev");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].flags, 3u);
  EXPECT_EQ(s.status.code, model::StatusCode::kOk);
  EXPECT_EQ(d.batch.ResourceOf(s).dropped_attributes_count, 1u);
  EXPECT_TRUE(d.batch.ResourceOf(s).attributes.empty());
  EXPECT_EQ(d.batch.ScopeOf(s).name, "sc");
}

TEST(ProtoDecoderTest, RepeatedScalarsLastOneWins) {
  ProtoBytes span = ProtoBytes()
                        .Len(1, std::string(15, 'x'))  // invalid, then replaced
                        .Len(1, TraceIdBytes(3))
                        .Len(2, SpanIdBytes(4))
                        .Len(5, "first")
                        .Len(5, "second")
                        .Varint(6, 1)
                        .Varint(6, 3)
                        .Fixed64(7, 10)
                        .Fixed64(7, 11)
                        .Varint(10, 1)
                        .Varint(10, 2)
                        .Fixed32(16, 1)
                        .Fixed32(16, 2);
  Decoded d = Decode(RequestWith({span}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.batch.spans.size(), 1u);
  const model::Span& s = d.batch.spans[0];
  EXPECT_EQ(s.trace_id, testing::MakeTraceId(3));
  EXPECT_EQ(s.name, "second");
  EXPECT_EQ(s.kind, model::SpanKind::kClient);
  EXPECT_EQ(s.start_time_unix_nano, 11u);
  EXPECT_EQ(s.dropped_attributes_count, 2u);
  EXPECT_EQ(s.flags, 2u);

  // And the other way round: a valid id replaced by an invalid one rejects the span.
  Decoded rejected = Decode(RequestWith({ValidSpan().Len(1, "short")}));
  ASSERT_TRUE(rejected.status.ok());
  EXPECT_EQ(rejected.result.rejected_spans, 1u);
}

TEST(ProtoDecoderTest, RepeatedMessageFieldsMerge) {
  ProtoBytes kv1 = ProtoBytes().Len(1, "a").Len(2, ProtoBytes().Varint(3, 1));
  ProtoBytes kv2 = ProtoBytes().Len(1, "b").Len(2, ProtoBytes().Varint(3, 2));
  ProtoBytes resource_spans =
      ProtoBytes()
          .Len(1, ProtoBytes().Len(1, kv1).Varint(2, 5))
          .Len(2, ScopeSpansOf({ValidSpan()
                                    .Len(15, ProtoBytes().Len(2, "msg").Varint(3, 2))
                                    .Len(15, ProtoBytes().Varint(3, 1))}))
          .Len(1, ProtoBytes().Len(1, kv2).Varint(2, 6));
  Decoded d = Decode(ProtoBytes().Len(1, resource_spans).str());
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const model::Resource& r = d.batch.resources[0];
  ASSERT_EQ(r.attributes.size(), 2u);
  EXPECT_EQ(r.attributes[0].key, "a");
  EXPECT_EQ(r.attributes[1].key, "b");
  EXPECT_EQ(r.dropped_attributes_count, 6u);
  const model::Span& s = d.batch.spans[0];
  EXPECT_EQ(s.status.message, "msg");
  EXPECT_EQ(s.status.code, model::StatusCode::kOk);
}

TEST(ProtoDecoderTest, OutOfRangeEnumsAndCounts) {
  Decoded d = Decode(RequestWith({ValidSpan()
                                      .Varint(6, 9)
                                      .Len(15, ProtoBytes().Varint(3, 7))
                                      .Varint(10, (uint64_t{1} << 32) + 5)}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  const model::Span& s = d.batch.spans[0];
  EXPECT_EQ(s.kind, model::SpanKind::kUnspecified);
  EXPECT_EQ(s.status.code, model::StatusCode::kUnset);
  EXPECT_EQ(s.dropped_attributes_count, 5u);  // uint32 keeps the low 32 bits
}

TEST(ProtoDecoderTest, TenByteVarintsAreAcceptedElevenAreNot) {
  std::string ten = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  Decoded d = Decode(RequestWith({ValidSpan().Key(6, 0).Raw(ten)}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.batch.spans[0].kind, model::SpanKind::kUnspecified);

  std::string eleven = Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Key(6, 0).Raw(eleven)})),
            std::string(kSpan0) + ".kind: varint longer than 10 bytes");
  // An over-long varint as a field key, and as a length.
  EXPECT_EQ(DecodeError(eleven), "varint longer than 10 bytes");
  EXPECT_EQ(DecodeError(Bytes({0x0A}) + eleven), "resource_spans[0]: varint longer than 10 bytes");
}

TEST(ProtoDecoderTest, HugeLengthsAreRejected) {
  EXPECT_EQ(DecodeError(Bytes({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F})),
            "resource_spans[0]: length past the end of the message");
  EXPECT_EQ(DecodeError(Bytes({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})),
            "resource_spans[0]: length past the end of the message");
  EXPECT_EQ(
      DecodeError(RequestWith({ValidSpan().Key(5, 2).Raw(Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}))})),
      std::string(kSpan0) + ".name: length past the end of the message");
  // A length one past the end of an otherwise complete message.
  EXPECT_EQ(DecodeError(Bytes({0x0A, 0x02, 0x12, 0x01})),
            "resource_spans[0].scope_spans[0]: length past the end of the message");
}

TEST(ProtoDecoderTest, TruncatedScalars) {
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Key(7, 1).Raw("1234567")})),
            std::string(kSpan0) + ".start_time_unix_nano: truncated fixed64");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Key(16, 5).Raw("123")})),
            std::string(kSpan0) + ".flags: truncated fixed32");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Key(6, 0).Raw("\x80")})),
            std::string(kSpan0) + ".kind: truncated varint");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Key(99, 5).Raw("12")})),
            std::string(kSpan0) + ".field 99: truncated fixed32");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Raw("\x85")})),
            std::string(kSpan0) + ": truncated varint");
}

TEST(ProtoDecoderTest, ErrorMessagesNameThePath) {
  // resource_spans[0].scope_spans[1].spans[3].attributes[2].value, whose AnyValue ends in
  // the middle of a field key.
  ProtoBytes ok_attr = ProtoBytes().Len(1, "k").Len(2, ProtoBytes().Varint(3, 1));
  ProtoBytes bad_span =
      ValidSpan(4).Len(9, ok_attr).Len(9, ok_attr).Len(9, ProtoBytes().Len(1, "k").Len(2, "\x80"));
  ProtoBytes resource_spans =
      ProtoBytes()
          .Len(2, ScopeSpansOf({ValidSpan(1)}))
          .Len(2, ScopeSpansOf({ValidSpan(1), ValidSpan(2), ValidSpan(3), bad_span}));
  EXPECT_EQ(DecodeError(ProtoBytes().Len(1, resource_spans).str()),
            "resource_spans[0].scope_spans[1].spans[3].attributes[2].value: truncated varint");
}

TEST(ProtoDecoderTest, WrongWireTypesForKnownFields) {
  EXPECT_EQ(DecodeError(Bytes({0x08, 0x01})), "resource_spans[0]: wrong wire type 0 (expected 2)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Varint(5, 1)})),
            std::string(kSpan0) + ".name: wrong wire type 0 (expected 2)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Fixed32(7, 1)})),
            std::string(kSpan0) + ".start_time_unix_nano: wrong wire type 5 (expected 1)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(6, "x")})),
            std::string(kSpan0) + ".kind: wrong wire type 2 (expected 0)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Fixed64(16, 1)})),
            std::string(kSpan0) + ".flags: wrong wire type 1 (expected 5)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(9, "").Varint(9, 1)})),
            std::string(kSpan0) + ".attributes[1]: wrong wire type 0 (expected 2)");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Varint(1, 1)})),
            std::string(kSpan0) + ".trace_id: wrong wire type 0 (expected 2)");
  EXPECT_EQ(
      DecodeError(RequestWithAttribute(ProtoBytes().Len(1, "k").Len(2, ProtoBytes().Varint(4, 1)))),
      std::string(kSpan0) +
          ".attributes[0].value.double_value: wrong wire type 0 "
          "(expected 1)");
  EXPECT_EQ(
      DecodeError(RequestWithAttribute(ProtoBytes().Len(1, "k").Len(2, ProtoBytes().Varint(5, 1)))),
      std::string(kSpan0) +
          ".attributes[0].value.array_value: wrong wire type 0 "
          "(expected 2)");
  EXPECT_EQ(DecodeError(RequestWithAttribute(
                ProtoBytes().Len(1, "k").Len(2, ProtoBytes().Len(6, ProtoBytes().Fixed32(1, 0))))),
            std::string(kSpan0) +
                ".attributes[0].value.kvlist_value.values[0]: wrong wire "
                "type 5 (expected 2)");
}

TEST(ProtoDecoderTest, MalformedKeys) {
  EXPECT_EQ(DecodeError(Bytes({0x00})), "field number 0");
  EXPECT_EQ(DecodeError(Bytes({0x0B})), "groups (wire types 3 and 4) are not supported");
  EXPECT_EQ(DecodeError(Bytes({0x0C})), "groups (wire types 3 and 4) are not supported");
  EXPECT_EQ(DecodeError(Bytes({0x0E})), "invalid wire type");
  EXPECT_EQ(DecodeError(Bytes({0x0F})), "invalid wire type");
  // A key that does not fit 32 bits.
  EXPECT_EQ(DecodeError(Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01})),
            "field key wider than 32 bits");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Raw(Bytes({0xFB, 0x01}))})),
            std::string(kSpan0) + ": groups (wire types 3 and 4) are not supported");
}

TEST(ProtoDecoderTest, EveryTruncationFailsCleanlyOrSucceeds) {
  model::SpanBatch full;
  testing::FillEveryField(&full);
  const std::string body = EncodeTraceRequestProto(full);
  size_t failures = 0;
  for (size_t n = 0; n < body.size(); ++n) {
    // Copy the prefix so ASan sees any read past its end.
    std::string prefix = body.substr(0, n);
    model::SpanBatch batch;
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    batch.spans.emplace_back();
    DecodeResult result;
    Status status = DecodeTraceRequestProto(prefix, &batch, &result);
    if (status.ok()) continue;
    ++failures;
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << n;
    ASSERT_FALSE(status.message().empty());
    // Nothing appended, nothing counted.
    ASSERT_EQ(batch.resources.size(), 1u) << n;
    ASSERT_EQ(batch.scopes.size(), 1u) << n;
    ASSERT_EQ(batch.spans.size(), 1u) << n;
    ASSERT_EQ(result.accepted_spans + result.rejected_spans, 0u) << n;
  }
  // A prefix is a valid request only when it ends between two resource_spans.
  EXPECT_GE(failures, body.size() - 3);
}

TEST(ProtoDecoderTest, CorruptedBytesNeverCrash) {
  model::SpanBatch full;
  testing::FillEveryField(&full);
  const std::string body = EncodeTraceRequestProto(full);
  for (size_t i = 0; i < body.size(); ++i) {
    for (uint8_t replacement : {0x00, 0x7F, 0x80, 0xFF}) {
      std::string corrupt = body;
      corrupt[i] = static_cast<char>(replacement);
      model::SpanBatch batch;
      DecodeResult result;
      Status status = DecodeTraceRequestProto(corrupt, &batch, &result);
      if (!status.ok()) {
        ASSERT_TRUE(batch.spans.empty() && batch.resources.empty() && batch.scopes.empty());
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// UTF-8

TEST(ProtoDecoderTest, ValidUtf8IsAccepted) {
  for (std::string_view s :
       {"ascii only", "ü", "€uro", "日本語のテキスト", "😀 emoji",
        "long ascii prefix before the multibyte part: Grüße", "\xF4\x8F\xBF\xBF", "\xEF\xBF\xBF"}) {
    Decoded d = Decode(RequestWith({ValidSpan().Len(5, s)}));
    ASSERT_TRUE(d.status.ok()) << testing::Hex(s);
    EXPECT_EQ(d.batch.spans[0].name, s);
  }
}

TEST(ProtoDecoderTest, InvalidUtf8IsRejected) {
  for (std::string_view s : {
           "\xFF",                                    // never valid
           "\xC3\x28",                                // bad continuation
           "\xC0\xAF",                                // overlong '/'
           "\xE0\x80\xAF",                            // overlong, three bytes
           "\xED\xA0\x80",                            // UTF-16 surrogate
           "\xF4\x90\x80\x80",                        // above U+10FFFF
           "\xE2\x82",                                // truncated sequence
           "\x80",                                    // lone continuation
           "sixteen ascii by\xFFtes then a bad one",  // past the eight-byte fast path
           "abcdefg\xC3",                             // sequence cut at the end
       }) {
    EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(5, s)})),
              std::string(kSpan0) + ".name: invalid UTF-8")
        << testing::Hex(s);
  }
}

TEST(ProtoDecoderTest, LongStringsAreValidatedToo) {
  // Long strings take the vectorised path; the bad byte sits past the first 64.
  const std::string long_ascii(200, 'a');
  const std::string long_valid = long_ascii + "日本語 ✓ 😀" + long_ascii;
  Decoded d = Decode(RequestWith({ValidSpan().Len(5, long_valid)}));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.batch.spans[0].name, long_valid);
  for (const std::string& bad :
       {long_ascii + "\xFF", long_ascii + "\xED\xA0\x80" + long_ascii, long_ascii + "\xE2\x82"}) {
    EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(5, bad)})),
              std::string(kSpan0) + ".name: invalid UTF-8");
  }
}

TEST(ProtoDecoderTest, InvalidUtf8IsRejectedInEveryStringField) {
  const std::string bad = "ok\xFF";
  auto kv = [](std::string_view key, std::string_view value) {
    return ProtoBytes().Len(1, key).Len(2, ProtoBytes().Len(1, value));
  };
  const std::string p = std::string(kSpan0) + ".";
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(3, bad)})), p + "trace_state: invalid UTF-8");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(9, kv(bad, "v"))})),
            p + "attributes[0].key: invalid UTF-8");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(9, kv("k", bad))})),
            p + "attributes[0].value.string_value: invalid UTF-8");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(11, ProtoBytes().Len(2, bad))})),
            p + "events[0].name: invalid UTF-8");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(13, ProtoBytes().Len(3, bad))})),
            p + "links[0].trace_state: invalid UTF-8");
  EXPECT_EQ(DecodeError(RequestWith({ValidSpan().Len(15, ProtoBytes().Len(2, bad))})),
            p + "status.message: invalid UTF-8");
  EXPECT_EQ(
      DecodeError(ProtoBytes()
                      .Len(1, ProtoBytes().Len(2, ProtoBytes().Len(1, ProtoBytes().Len(2, bad))))
                      .str()),
      "resource_spans[0].scope_spans[0].scope.version: invalid UTF-8");
  EXPECT_EQ(DecodeError(ProtoBytes().Len(1, ProtoBytes().Len(3, bad)).str()),
            "resource_spans[0].schema_url: invalid UTF-8");
  EXPECT_EQ(DecodeError(
                ProtoBytes().Len(1, ProtoBytes().Len(1, ProtoBytes().Len(1, kv(bad, "v")))).str()),
            "resource_spans[0].resource.attributes[0].key: invalid UTF-8");

  // bytes_value is raw bytes and is not checked.
  model::AnyValue v = DecodeValue(ProtoBytes().Len(7, bad));
  EXPECT_EQ(v.type, model::ValueType::kBytes);
  EXPECT_EQ(v.string_value, bad);
}

// ---------------------------------------------------------------------------------------
// OTLP span validation

TEST(ProtoDecoderTest, InvalidIdsAreRejectedAndCounted) {
  auto span = [](std::string_view trace_id, std::string_view span_id) {
    ProtoBytes b;
    if (!trace_id.empty()) b.Len(1, trace_id);
    if (!span_id.empty()) b.Len(2, span_id);
    return b;
  };
  const std::string zeros16(16, '\0'), zeros8(8, '\0');
  ProtoBytes scope_spans = ScopeSpansOf({
      ValidSpan(1),                                       // accepted
      span(TraceIdBytes().substr(0, 15), SpanIdBytes()),  // trace_id 15 bytes
      span(zeros16, SpanIdBytes()),                       // trace_id all zero
      span(TraceIdBytes(), ""),                           // no span_id
      span(TraceIdBytes(), zeros8),                       // span_id all zero
      ValidSpan(2).Len(4, "1234"),                        // parent_span_id 4 bytes
      ValidSpan(3).Len(13, ProtoBytes().Len(1, "abc")),   // link trace_id 3 bytes
      ValidSpan(4).Len(13, ProtoBytes().Len(1, TraceIdBytes()).Len(2, "12")),  // link span_id
      ValidSpan(5).Len(4, zeros8),                // accepted: zero parent = root
      ValidSpan(6).Len(13, ProtoBytes()),         // accepted: link with empty ids
      span(TraceIdBytes() + "x", SpanIdBytes()),  // trace_id 17 bytes
  });
  Decoded d = Decode(ProtoBytes().Len(1, ProtoBytes().Len(2, scope_spans)).str());
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.result.accepted_spans, 3u);
  EXPECT_EQ(d.result.rejected_spans, 8u);
  EXPECT_EQ(d.result.rejection_message,
            "resource_spans[0].scope_spans[0].spans[1]: trace_id must be 16 bytes, got 15");
  ASSERT_EQ(d.batch.spans.size(), 3u);
  EXPECT_EQ(d.batch.spans[0].trace_id, testing::MakeTraceId(1));
  EXPECT_EQ(d.batch.spans[1].trace_id, testing::MakeTraceId(5));
  EXPECT_TRUE(d.batch.spans[1].is_root());
  EXPECT_EQ(d.batch.spans[2].trace_id, testing::MakeTraceId(6));
  EXPECT_EQ(d.batch.spans[2].links[0].trace_id, model::TraceId{});

  // Each reason, reported on its own.
  auto reason = [](const ProtoBytes& s) {
    Decoded one = Decode(RequestWith({s}));
    EXPECT_TRUE(one.status.ok());
    return one.result.rejection_message.substr(kSpan0.size() + 2);
  };
  EXPECT_EQ(reason(span(zeros16, SpanIdBytes())), "trace_id must not be all zero");
  EXPECT_EQ(reason(span(TraceIdBytes(), "")), "span_id must be 8 bytes, got 0");
  EXPECT_EQ(reason(span(TraceIdBytes(), zeros8)), "span_id must not be all zero");
  EXPECT_EQ(reason(ValidSpan().Len(4, "1234")), "parent_span_id must be empty or 8 bytes, got 4");
  EXPECT_EQ(reason(ValidSpan().Len(13, ProtoBytes()).Len(13, ProtoBytes().Len(1, "abc"))),
            "links[1].trace_id must be empty or 16 bytes, got 3");
  EXPECT_EQ(reason(ValidSpan().Len(13, ProtoBytes().Len(2, "12"))),
            "links[0].span_id must be empty or 8 bytes, got 2");
  // The span's own ids are reported before its links'.
  EXPECT_EQ(reason(span(zeros16, SpanIdBytes()).Len(13, ProtoBytes().Len(2, "12"))),
            "trace_id must not be all zero");
}

TEST(ProtoDecoderTest, IndexesPointAtEachSpansResourceAndScope) {
  auto resource_spans = [](std::string_view service, std::initializer_list<ProtoBytes> scopes) {
    ProtoBytes rs;
    rs.Len(1, ProtoBytes().Len(
                  1, ProtoBytes().Len(1, "service.name").Len(2, ProtoBytes().Len(1, service))));
    for (const ProtoBytes& ss : scopes) rs.Len(2, ss);
    return rs;
  };
  ProtoBytes invalid = ProtoBytes().Len(1, TraceIdBytes());  // no span_id
  std::string body =
      ProtoBytes()
          .Len(1, resource_spans(
                      "a", {ScopeSpansOf({ValidSpan(1), invalid}), ScopeSpansOf({ValidSpan(2)})}))
          .Len(1, resource_spans("b", {ScopeSpansOf({invalid}), ScopeSpansOf({ValidSpan(3)})}))
          .str();

  model::SpanBatch batch;
  DecodeResult result;
  // A batch that already holds data: indexes continue after it, results accumulate.
  ASSERT_TRUE(DecodeTraceRequestProto(body, &batch, &result).ok());
  ASSERT_TRUE(DecodeTraceRequestProto(body, &batch, &result).ok());
  EXPECT_EQ(result.accepted_spans, 6u);
  EXPECT_EQ(result.rejected_spans, 4u);
  EXPECT_EQ(result.rejection_message,
            "resource_spans[0].scope_spans[0].spans[1]: span_id must be 8 bytes, got 0");
  ASSERT_EQ(batch.resources.size(), 4u);
  ASSERT_EQ(batch.scopes.size(), 8u);
  ASSERT_EQ(batch.spans.size(), 6u);
  const std::pair<uint32_t, uint32_t> expected[] = {{0, 0}, {0, 1}, {1, 3}, {2, 4}, {2, 5}, {3, 7}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(batch.spans[i].resource_index, expected[i].first) << i;
    EXPECT_EQ(batch.spans[i].scope_index, expected[i].second) << i;
  }
  EXPECT_EQ(model::ServiceName(batch.ResourceOf(batch.spans[2])), "b");
  EXPECT_EQ(model::ServiceName(batch.ResourceOf(batch.spans[4])), "a");
}

TEST(ProtoDecoderTest, MalformedRequestLeavesBatchAndResultUntouched) {
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(RequestWith({ValidSpan(1)}), &batch, &result).ok());
  // Valid spans first, then garbage in a later resource_spans.
  std::string body = RequestWith({ValidSpan(2), ProtoBytes().Len(1, "x")}) +
                     RequestWith({ValidSpan(3)}) + Bytes({0x0A, 0x05, 0x12});
  Status status = DecodeTraceRequestProto(body, &batch, &result);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "resource_spans[2]: length past the end of the message");
  EXPECT_EQ(batch.spans.size(), 1u);
  EXPECT_EQ(batch.resources.size(), 1u);
  EXPECT_EQ(batch.scopes.size(), 1u);
  EXPECT_EQ(result.accepted_spans, 1u);
  EXPECT_EQ(result.rejected_spans, 0u);
  EXPECT_EQ(result.rejection_message, "");
}

TEST(ProtoDecoderTest, NullResultIsAllowed) {
  model::SpanBatch batch;
  EXPECT_TRUE(DecodeTraceRequestProto(RequestWith({ValidSpan()}), &batch, nullptr).ok());
  EXPECT_EQ(batch.spans.size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Single messages

TEST(ProtoDecoderTest, DecodeSpanProtoValidatesAndLeavesOutputOnError) {
  model::Span span;
  span.name = "untouched";
  Status status = DecodeSpanProto(ProtoBytes().Len(1, TraceIdBytes()).str(), &span);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "span_id must be 8 bytes, got 0");
  EXPECT_EQ(span.name, "untouched");

  status = DecodeSpanProto(ValidSpan().Len(5, "\xFF").str(), &span);
  EXPECT_EQ(status.message(), "name: invalid UTF-8");
  EXPECT_EQ(span.name, "untouched");

  const std::string bytes = ValidSpan(7).Len(5, "new").str();  // outlives the span's views
  ASSERT_TRUE(DecodeSpanProto(bytes, &span).ok());
  EXPECT_EQ(span.name, "new");
  EXPECT_EQ(span.trace_id, testing::MakeTraceId(7));
}

TEST(ProtoDecoderTest, DecodeResourceAndScopeProto) {
  model::Resource resource;
  ASSERT_TRUE(DecodeResourceProto(ProtoBytes().Varint(2, 3).str(), &resource).ok());
  EXPECT_EQ(resource.dropped_attributes_count, 3u);
  EXPECT_EQ(DecodeResourceProto(Bytes({0x0A, 0x01}), &resource).message(),
            "attributes[0]: length past the end of the message");
  EXPECT_EQ(resource.dropped_attributes_count, 3u);

  model::Scope scope;
  const std::string scope_bytes = ProtoBytes().Len(1, "n").Len(2, "v").str();
  ASSERT_TRUE(DecodeScopeProto(scope_bytes, &scope).ok());
  EXPECT_EQ(scope.name, "n");
  EXPECT_EQ(scope.version, "v");
  DecodeLimits limits;
  limits.max_value_depth = 1;
  std::string nested =
      ProtoBytes()
          .Len(3, ProtoBytes().Len(1, "k").Len(
                      2, ProtoBytes().Len(5, ProtoBytes().Len(1, ProtoBytes().Varint(3, 1)))))
          .str();
  EXPECT_EQ(DecodeScopeProto(nested, &scope, limits).message(),
            "attributes[0].value.array_value.values[0]: AnyValue nesting deeper than 1");
  EXPECT_TRUE(DecodeScopeProto(nested, &scope).ok());
}

// ---------------------------------------------------------------------------------------
// Sizes

TEST(ProtoDecoderTest, BigBatchRoundTrips) {
  model::SpanBatch batch;
  batch.resources.resize(10);
  batch.scopes.resize(20);
  for (size_t r = 0; r < batch.resources.size(); ++r) {
    batch.resources[r].attributes = {
        {"service.name", model::AnyValue::String(r % 2 == 0 ? "even" : "odd")}};
  }
  std::vector<std::string> names;
  names.reserve(10000);
  for (uint32_t i = 0; i < 10000; ++i) names.push_back("span-" + std::to_string(i));
  for (uint32_t i = 0; i < 10000; ++i) {
    model::Span& span = batch.spans.emplace_back();
    span.trace_id = testing::MakeTraceId(static_cast<uint8_t>(i % 250 + 1));
    span.span_id = testing::MakeSpanId(static_cast<uint8_t>(i % 200 + 1));
    span.span_id[7] = static_cast<uint8_t>(i >> 8);
    span.name = names[i];
    span.start_time_unix_nano = 1'700'000'000'000'000'000ULL + i;
    span.end_time_unix_nano = span.start_time_unix_nano + 1000;
    span.attributes = {{"i", model::AnyValue::Int(i)},
                       {"gen_ai.request.model", model::AnyValue::String("gpt-4o")}};
    span.resource_index = i / 1000;
    span.scope_index = i / 500;
  }
  std::string body = EncodeTraceRequestProto(batch);
  Decoded d = Decode(body);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.result.accepted_spans, 10000u);
  EXPECT_EQ(d.batch.resources.size(), 10u);
  EXPECT_EQ(d.batch.scopes.size(), 20u);
  testing::ExpectSameBatch(batch, d.batch);
  for (size_t i = 0; i < d.batch.spans.size(); ++i) {
    ASSERT_EQ(d.batch.spans[i].resource_index, batch.spans[i].resource_index);
    ASSERT_EQ(d.batch.spans[i].scope_index, batch.spans[i].scope_index);
  }
}

TEST(ProtoDecoderTest, FloodOfEmptySpansReservesLittle) {
  std::string empty_spans;
  for (int i = 0; i < 100000; ++i) empty_spans += Bytes({0x12, 0x00});
  const std::string body = ProtoBytes().Len(1, ProtoBytes().Len(2, empty_spans)).str();
  model::SpanBatch batch;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(body, &batch, &result).ok());
  EXPECT_EQ(result.rejected_spans, 100000u);
  EXPECT_TRUE(batch.spans.empty());
  // No more room than the body could fill with valid spans (30 bytes each at least).
  EXPECT_LE(batch.spans.capacity(), body.size() / 30);
}

TEST(ProtoDecoderTest, TinyRequests) {
  // One span, one field at a time besides the ids.
  const std::vector<ProtoBytes> spans = {
      ValidSpan(),
      ValidSpan().Len(5, ""),
      ValidSpan().Varint(6, 0),
      ValidSpan().Fixed64(8, ~uint64_t{0}),
      ValidSpan().Len(11, ""),
      ValidSpan().Len(15, ""),
      ValidSpan().Len(9, ""),
  };
  for (const ProtoBytes& span : spans) {
    Decoded d = Decode(RequestWith({span}));
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    EXPECT_EQ(d.batch.spans.size(), 1u);
  }
  Decoded d = Decode(RequestWith({ValidSpan().Fixed64(8, ~uint64_t{0})}));
  EXPECT_EQ(d.batch.spans[0].end_time_unix_nano, ~uint64_t{0});
  d = Decode(RequestWith({ValidSpan().Len(9, "")}));
  ASSERT_EQ(d.batch.spans[0].attributes.size(), 1u);
  EXPECT_EQ(d.batch.spans[0].attributes[0].key, "");
  EXPECT_EQ(d.batch.spans[0].attributes[0].value.type, model::ValueType::kEmpty);
}

}  // namespace
}  // namespace tokenscope::otlp
