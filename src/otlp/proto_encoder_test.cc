#include "otlp/proto_encoder.h"

#include <gtest/gtest.h>

#include <string>

#include "otlp/proto_decoder.h"
#include "otlp/proto_test_util.h"

namespace tokenscope::otlp {
namespace {

using testing::Hex;
using testing::MakeSpanId;
using testing::MakeTraceId;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// A minimal span: ids 01..10 and 11..18, name "s", kind SERVER, start 1, end 2.
model::SpanBatch MinimalBatch() {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span& span = batch.spans.emplace_back();
  span.trace_id = MakeTraceId(0x01);
  span.span_id = MakeSpanId(0x11);
  span.name = "s";
  span.kind = model::SpanKind::kServer;
  span.start_time_unix_nano = 1;
  span.end_time_unix_nano = 2;
  return batch;
}

// Computed by hand from the OTLP field table (conventions.md E.4), not by any library.
const std::string kMinimalSpan = Bytes({
    0x0A, 0x10, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // trace_id, 16 bytes
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10,              //
    0x12, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,  // span_id, 8 bytes
    0x2A, 0x01, 's',                                             // name
    0x30, 0x02,                                                  // kind = SERVER
    0x39, 0x01, 0,    0,    0,    0,    0,    0,    0,           // start_time_unix_nano = 1
    0x41, 0x02, 0,    0,    0,    0,    0,    0,    0,           // end_time_unix_nano = 2
});                                                              // 51 = 0x33 bytes

TEST(ProtoEncoderTest, MinimalSpanMatchesHandComputedBytes) {
  model::SpanBatch batch = MinimalBatch();
  std::string span;
  EncodeSpanProto(batch.spans[0], &span);
  EXPECT_EQ(Hex(span), Hex(kMinimalSpan));

  // request{resource_spans{scope_spans{spans{...}}}}; the empty resource and scope are left
  // out as unset messages.
  std::string expected = Bytes({0x0A, 0x37, 0x12, 0x35, 0x12, 0x33}) + kMinimalSpan;
  EXPECT_EQ(Hex(EncodeTraceRequestProto(batch)), Hex(expected));
}

TEST(ProtoEncoderTest, EmptyBatchIsEmptyRequest) {
  model::SpanBatch batch;
  EXPECT_EQ(EncodeTraceRequestProto(batch), "");
}

TEST(ProtoEncoderTest, DefaultsAreOmitted) {
  model::Span span;
  span.trace_id = MakeTraceId(1);
  span.span_id = MakeSpanId(1);
  std::string out;
  EncodeSpanProto(span, &out);
  // Only the required ids: no parent (root), no name, kind, times, status or flags.
  EXPECT_EQ(out.size(), 2 + 16 + 2 + 8u);

  model::Resource resource;
  out.clear();
  EncodeResourceProto(resource, &out);
  EXPECT_EQ(out, "");
  model::Scope scope;
  EncodeScopeProto(scope, &out);
  EXPECT_EQ(out, "");
}

TEST(ProtoEncoderTest, FieldsInNumberOrder) {
  model::SpanBatch batch;
  testing::FillEveryField(&batch);
  std::string out;
  EncodeSpanProto(batch.spans[0], &out);
  wire::Reader r(out);
  uint32_t previous = 0;
  while (!r.done()) {
    uint32_t field;
    wire::WireType wt;
    ASSERT_TRUE(r.ReadTag(&field, &wt));
    EXPECT_GE(field, previous);
    previous = field;
    ASSERT_TRUE(r.SkipValue(wt));
  }
  EXPECT_EQ(previous, 16u);  // flags is set and last
}

TEST(ProtoEncoderTest, StatusAndFlags) {
  model::Span span;
  span.trace_id = MakeTraceId(1);
  span.span_id = MakeSpanId(1);
  span.status = {model::StatusCode::kError, "boom"};
  span.flags = 0x301;
  std::string out;
  EncodeSpanProto(span, &out);
  std::string tail = out.substr(28);
  // status{message "boom", code 2}, then flags as fixed32 with a two-byte key.
  EXPECT_EQ(Hex(tail), Hex(Bytes({0x7A, 0x08, 0x12, 0x04, 'b', 'o', 'o', 'm', 0x18, 0x02, 0x85,
                                  0x01, 0x01, 0x03, 0x00, 0x00})));
}

TEST(ProtoEncoderTest, AnyValueOneofMembersAreWrittenEvenWhenDefault) {
  model::Scope scope;
  scope.attributes = {{"f", model::AnyValue::Bool(false)},
                      {"z", model::AnyValue::Int(0)},
                      {"s", model::AnyValue::String("")},
                      {"e", model::AnyValue()}};
  std::string out;
  EncodeScopeProto(scope, &out);
  EXPECT_EQ(Hex(out), Hex(Bytes({0x1A, 0x07, 0x0A, 0x01, 'f', 0x12, 0x02, 0x10, 0x00,  // bool
                                 0x1A, 0x07, 0x0A, 0x01, 'z', 0x12, 0x02, 0x18, 0x00,  // int
                                 0x1A, 0x07, 0x0A, 0x01, 's', 0x12, 0x02, 0x0A, 0x00,  // string
                                 0x1A, 0x03, 0x0A, 0x01, 'e'})));  // empty: no value at all
}

TEST(ProtoEncoderTest, NegativeIntIsTenByteVarint) {
  model::Resource resource;
  resource.attributes = {{"n", model::AnyValue::Int(-1)}};
  std::string out;
  EncodeResourceProto(resource, &out);
  EXPECT_EQ(Hex(out), Hex(Bytes({0x0A, 0x10, 0x0A, 0x01, 'n', 0x12, 0x0B, 0x18, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})));
}

TEST(ProtoEncoderTest, DoubleIsLittleEndianFixed64) {
  model::Resource resource;
  resource.attributes = {{"d", model::AnyValue::Double(1.0)}};  // 0x3FF0000000000000
  std::string out;
  EncodeResourceProto(resource, &out);
  EXPECT_EQ(
      Hex(out),
      Hex(Bytes({0x0A, 0x0E, 0x0A, 0x01, 'd', 0x12, 0x09, 0x21, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F})));
}

TEST(ProtoEncoderTest, NestedArrayAndKvList) {
  model::Resource resource;
  resource.attributes = {
      {"a", testing::ArrayOf({model::AnyValue::Int(1), model::AnyValue()})},
      {"k", testing::KvListOf({{"x", model::AnyValue::Bool(true)}})},
  };
  std::string out;
  EncodeResourceProto(resource, &out);
  EXPECT_EQ(Hex(out),
            Hex(Bytes({0x0A, 0x0D, 0x0A, 0x01, 'a',  0x12, 0x08,      // KeyValue a, AnyValue
                       0x2A, 0x06, 0x0A, 0x02, 0x18, 0x01,            // array_value{values{int 1}
                       0x0A, 0x00,                                    //   values{}}
                       0x0A, 0x10, 0x0A, 0x01, 'k',  0x12, 0x0B,      // KeyValue k, AnyValue
                       0x32, 0x09, 0x0A, 0x07,                        // kvlist_value{values{
                       0x0A, 0x01, 'x',  0x12, 0x02, 0x10, 0x01})));  // key x, bool true}}
}

TEST(ProtoEncoderTest, LongMessagesGetMultiByteLengths) {
  model::SpanBatch batch = MinimalBatch();
  std::string long_name(300, 'n');
  batch.spans[0].name = long_name;
  std::string out;
  EncodeSpanProto(batch.spans[0], &out);
  // name: key 2A, length 300 = AC 02.
  EXPECT_EQ(Hex(out.substr(28, 3)), "2a ac 02");

  std::string request = EncodeTraceRequestProto(batch);
  const size_t span_size = out.size();  // 28 + 3 + 300 + 2 + 18 = 351 = DF 02
  ASSERT_EQ(span_size, 351u);
  // spans{351} -> 354 = E2 02, scope_spans{354} -> 357 = E5 02.
  EXPECT_EQ(Hex(request.substr(0, 9)), "0a e5 02 12 e2 02 12 df 02");
  EXPECT_EQ(request.size(), 360u);

  model::SpanBatch decoded;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(request, &decoded, &result).ok());
  testing::ExpectSameBatch(batch, decoded);
}

TEST(ProtoEncoderTest, GroupsConsecutiveSpansByResourceAndScope) {
  model::SpanBatch batch;
  batch.resources.resize(2);
  batch.resources[0].schema_url = "r0";
  batch.resources[1].schema_url = "r1";
  batch.scopes.resize(3);
  batch.scopes[0].name = "s0";
  batch.scopes[1].name = "s1";
  batch.scopes[2].name = "s2";
  // (resource, scope): (0,0) (0,0) (0,1) (1,2) (0,0)
  const std::pair<uint32_t, uint32_t> placement[] = {{0, 0}, {0, 0}, {0, 1}, {1, 2}, {0, 0}};
  uint8_t seed = 1;
  for (auto [r, s] : placement) {
    model::Span& span = batch.spans.emplace_back();
    span.trace_id = MakeTraceId(seed);
    span.span_id = MakeSpanId(seed++);
    span.resource_index = r;
    span.scope_index = s;
  }
  std::string request = EncodeTraceRequestProto(batch);

  model::SpanBatch decoded;
  DecodeResult result;
  ASSERT_TRUE(DecodeTraceRequestProto(request, &decoded, &result).ok());
  // Three ResourceSpans (r0, r1, r0 again) holding four ScopeSpans (s0+s1, s2, s0).
  ASSERT_EQ(decoded.resources.size(), 3u);
  ASSERT_EQ(decoded.scopes.size(), 4u);
  EXPECT_EQ(decoded.resources[2].schema_url, "r0");
  const std::pair<uint32_t, uint32_t> expected[] = {{0, 0}, {0, 0}, {0, 1}, {1, 2}, {2, 3}};
  ASSERT_EQ(decoded.spans.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(decoded.spans[i].resource_index, expected[i].first) << i;
    EXPECT_EQ(decoded.spans[i].scope_index, expected[i].second) << i;
  }
  testing::ExpectSameBatch(batch, decoded);
}

TEST(ProtoEncoderTest, RoundTripsEveryField) {
  model::SpanBatch batch;
  testing::FillEveryField(&batch);
  std::string request = EncodeTraceRequestProto(batch);

  model::SpanBatch decoded;
  DecodeResult result;
  Status status = DecodeTraceRequestProto(request, &decoded, &result);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(result.accepted_spans, 3u);
  EXPECT_EQ(result.rejected_spans, 0u);
  testing::ExpectSameBatch(batch, decoded);
  // Canonical output is a fixed point.
  EXPECT_EQ(EncodeTraceRequestProto(decoded), request);
}

TEST(ProtoEncoderTest, SingleMessagesRoundTrip) {
  model::SpanBatch batch;
  testing::FillEveryField(&batch);
  for (const model::Span& span : batch.spans) {
    std::string bytes;
    EncodeSpanProto(span, &bytes);
    model::Span decoded;
    ASSERT_TRUE(DecodeSpanProto(bytes, &decoded).ok());
    testing::ExpectSameSpan(span, decoded);
  }
  for (const model::Resource& resource : batch.resources) {
    std::string bytes;
    EncodeResourceProto(resource, &bytes);
    model::Resource decoded;
    ASSERT_TRUE(DecodeResourceProto(bytes, &decoded).ok());
    // schema_url lives in ResourceSpans, not in Resource.
    EXPECT_EQ(decoded.schema_url, "");
    decoded.schema_url = resource.schema_url;
    testing::ExpectSameResource(resource, decoded);
  }
  for (const model::Scope& scope : batch.scopes) {
    std::string bytes;
    EncodeScopeProto(scope, &bytes);
    model::Scope decoded;
    ASSERT_TRUE(DecodeScopeProto(bytes, &decoded).ok());
    EXPECT_EQ(decoded.schema_url, "");
    decoded.schema_url = scope.schema_url;
    testing::ExpectSameScope(scope, decoded);
  }
}

TEST(ProtoEncoderTest, EncodeAppendsToOutput) {
  model::SpanBatch batch = MinimalBatch();
  std::string out = "prefix";
  EncodeSpanProto(batch.spans[0], &out);
  EXPECT_EQ(out, "prefix" + kMinimalSpan);
}

TEST(ProtoEncoderTest, TraceResponse) {
  EXPECT_EQ(EncodeTraceResponseProto(0, ""), "");
  EXPECT_EQ(Hex(EncodeTraceResponseProto(3, "bad")),
            Hex(Bytes({0x0A, 0x07, 0x08, 0x03, 0x12, 0x03, 'b', 'a', 'd'})));
  // Warning only: rejected_spans 0 is left out, partial_success still present.
  EXPECT_EQ(Hex(EncodeTraceResponseProto(0, "w")), Hex(Bytes({0x0A, 0x03, 0x12, 0x01, 'w'})));
  EXPECT_EQ(Hex(EncodeTraceResponseProto(300, "")), Hex(Bytes({0x0A, 0x03, 0x08, 0xAC, 0x02})));
}

TEST(ProtoEncoderTest, RpcStatus) {
  EXPECT_EQ(Hex(EncodeRpcStatusProto(3, "bad request")),
            Hex(Bytes({0x08, 0x03, 0x12, 0x0B}) + "bad request"));
  EXPECT_EQ(EncodeRpcStatusProto(0, ""), "");
  EXPECT_EQ(Hex(EncodeRpcStatusProto(-1, "")),
            Hex(Bytes({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})));
}

}  // namespace
}  // namespace tokenscope::otlp
