// Tests for the OTLP metrics codec: every point type in protobuf (hand-built bytes) and
// OTLP/JSON, the GenAI client metrics, round trips through the encoder, points rejected one
// by one, and malformed input (truncation, wrong wire types, lengths past the end, invalid
// UTF-8, deep nesting).

#include "otlp/metrics_decoder.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/metric.h"
#include "otlp/metrics_encoder.h"
#include "otlp/proto_test_util.h"

namespace tokenscope::otlp {
namespace {

using model::AggregationTemporality;
using model::AnyValue;
using model::MetricBatch;
using model::MetricPoint;
using model::MetricType;
using model::NumberKind;
using testing::ProtoBytes;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Building protobuf requests ------------------------------------------------------------

std::string PackedFixed64(const std::vector<uint64_t>& values) {
  std::string out;
  for (uint64_t v : values) wire::PutFixed64(v, &out);
  return out;
}

std::string PackedDoubles(const std::vector<double>& values) {
  std::string out;
  for (double d : values) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    wire::PutFixed64(bits, &out);
  }
  return out;
}

std::string PackedVarints(const std::vector<uint64_t>& values) {
  std::string out;
  for (uint64_t v : values) wire::PutVarint(v, &out);
  return out;
}

uint64_t ZigZag(int32_t v) {
  const auto n = static_cast<uint32_t>(v);
  return (n << 1) ^ (0u - (n >> 31));
}

ProtoBytes StringAttribute(std::string_view key, std::string_view value) {
  return ProtoBytes().Len(1, key).Len(2, ProtoBytes().Len(1, value));
}

ProtoBytes IntAttribute(std::string_view key, int64_t value) {
  return ProtoBytes().Len(1, key).Len(2, ProtoBytes().Varint(3, static_cast<uint64_t>(value)));
}

// An ExportMetricsServiceRequest with one resource and one scope holding `metrics`.
std::string RequestOf(const std::vector<ProtoBytes>& metrics) {
  ProtoBytes scope_metrics;
  scope_metrics.Len(1, ProtoBytes().Len(1, "test-scope").Len(2, "1.0"));
  for (const ProtoBytes& m : metrics) scope_metrics.Len(2, m);
  ProtoBytes resource = ProtoBytes().Len(1, StringAttribute("service.name", "chat"));
  return ProtoBytes().Len(1, ProtoBytes().Len(1, resource).Len(2, scope_metrics)).str();
}

struct Decoded {
  Status status;
  MetricBatch batch;
  DecodeResult result;
};

Decoded DecodeProto(std::string bytes, const DecodeLimits& limits = {}) {
  Decoded d;
  std::string_view body = d.batch.Adopt(std::move(bytes));
  d.status = DecodeMetricsRequestProto(body, &d.batch, &d.result, limits);
  return d;
}

Decoded DecodeJson(std::string_view json, const DecodeLimits& limits = {}) {
  Decoded d;
  d.status = DecodeMetricsRequestJson(json, &d.batch, &d.result, limits);
  return d;
}

// ---- Comparing points; doubles by bit pattern so NaN equals itself -------------------------

uint64_t Bits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return bits;
}

void ExpectSameDouble(double a, double b, const char* what) {
  EXPECT_EQ(Bits(a), Bits(b)) << what << ": " << a << " vs " << b;
}

void ExpectSameOptional(const std::optional<double>& a, const std::optional<double>& b,
                        const char* what) {
  ASSERT_EQ(a.has_value(), b.has_value()) << what;
  if (a) ExpectSameDouble(*a, *b, what);
}

// Compares everything but resource_index/scope_index (batch-relative).
void ExpectSamePoint(const MetricPoint& a, const MetricPoint& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.unit, b.unit);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.temporality, b.temporality);
  EXPECT_EQ(a.monotonic, b.monotonic);
  testing::ExpectSameAttributes(a.attributes, b.attributes, "attributes");
  EXPECT_EQ(a.start_time_unix_nano, b.start_time_unix_nano);
  EXPECT_EQ(a.time_unix_nano, b.time_unix_nano);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.number_kind, b.number_kind);
  ExpectSameDouble(a.as_double, b.as_double, "as_double");
  EXPECT_EQ(a.as_int, b.as_int);
  EXPECT_EQ(a.count, b.count);
  ExpectSameOptional(a.sum, b.sum, "sum");
  ExpectSameOptional(a.min, b.min, "min");
  ExpectSameOptional(a.max, b.max, "max");
  ASSERT_EQ(a.explicit_bounds.size(), b.explicit_bounds.size());
  for (size_t i = 0; i < a.explicit_bounds.size(); ++i) {
    ExpectSameDouble(a.explicit_bounds[i], b.explicit_bounds[i], "explicit_bounds");
  }
  EXPECT_EQ(a.bucket_counts, b.bucket_counts);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_EQ(a.zero_count, b.zero_count);
  ExpectSameDouble(a.zero_threshold, b.zero_threshold, "zero_threshold");
  EXPECT_EQ(a.positive.offset, b.positive.offset);
  EXPECT_EQ(a.positive.bucket_counts, b.positive.bucket_counts);
  EXPECT_EQ(a.negative.offset, b.negative.offset);
  EXPECT_EQ(a.negative.bucket_counts, b.negative.bucket_counts);
  ASSERT_EQ(a.quantile_values.size(), b.quantile_values.size());
  for (size_t i = 0; i < a.quantile_values.size(); ++i) {
    ExpectSameDouble(a.quantile_values[i].quantile, b.quantile_values[i].quantile, "quantile");
    ExpectSameDouble(a.quantile_values[i].value, b.quantile_values[i].value, "value");
  }
}

void ExpectSameMetricBatch(const MetricBatch& a, const MetricBatch& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t i = 0; i < a.points.size(); ++i) {
    SCOPED_TRACE("point " + std::to_string(i));
    ExpectSamePoint(a.points[i], b.points[i]);
    ASSERT_LT(b.points[i].resource_index, b.resources.size());
    ASSERT_LT(b.points[i].scope_index, b.scopes.size());
    testing::ExpectSameResource(a.ResourceOf(a.points[i]), b.ResourceOf(b.points[i]));
    testing::ExpectSameScope(a.ScopeOf(a.points[i]), b.ScopeOf(b.points[i]));
  }
}

// ---- Protobuf: every point type -------------------------------------------------------------

TEST(MetricsProtoTest, GaugeAndSumPoints) {
  // The gauge's name comes after its data, as protobuf allows.
  ProtoBytes gauge = ProtoBytes()
                         .Len(5, ProtoBytes()
                                     .Len(1, ProtoBytes()
                                                 .Fixed64(3, 1'700'000'000'000'000'001ULL)
                                                 .Double(4, 0.75)
                                                 .Len(7, StringAttribute("gpu", "0"))
                                                 .Varint(8, 0))
                                     .Len(1, ProtoBytes().Fixed64(6, static_cast<uint64_t>(-42)))
                                     .Len(1, ProtoBytes().Varint(8, 1)))  // no recorded value
                         .Len(1, "gpu.utilization")
                         .Len(2, "GPU busy fraction")
                         .Len(3, "1");
  ProtoBytes sum = ProtoBytes()
                       .Len(1, "requests")
                       .Len(3, "{request}")
                       .Len(7, ProtoBytes()
                                   .Len(1, ProtoBytes()
                                               .Fixed64(2, 1'700'000'000'000'000'000ULL)
                                               .Fixed64(3, 1'700'000'060'000'000'000ULL)
                                               .Fixed64(6, 12345)
                                               .Len(7, IntAttribute("http.status", 200)))
                                   .Varint(2, 2)    // cumulative
                                   .Varint(3, 1));  // monotonic
  Decoded d = DecodeProto(RequestOf({gauge, sum}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 4u);
  EXPECT_EQ(d.result.rejected_data_points, 0u);
  EXPECT_EQ(d.result.rejection_message, "");
  ASSERT_EQ(d.batch.points.size(), 4u);
  ASSERT_EQ(d.batch.resources.size(), 1u);
  ASSERT_EQ(d.batch.scopes.size(), 1u);

  const MetricPoint& g0 = d.batch.points[0];
  EXPECT_EQ(g0.name, "gpu.utilization");
  EXPECT_EQ(g0.description, "GPU busy fraction");
  EXPECT_EQ(g0.unit, "1");
  EXPECT_EQ(g0.type, MetricType::kGauge);
  EXPECT_EQ(g0.temporality, AggregationTemporality::kUnspecified);
  EXPECT_EQ(g0.time_unix_nano, 1'700'000'000'000'000'001ULL);
  EXPECT_EQ(g0.number_kind, NumberKind::kDouble);
  EXPECT_EQ(g0.as_double, 0.75);
  EXPECT_EQ(g0.NumberValue(), 0.75);
  ASSERT_EQ(g0.attributes.size(), 1u);
  EXPECT_EQ(g0.attributes[0].key, "gpu");
  EXPECT_EQ(g0.attributes[0].value.string_value, "0");
  EXPECT_EQ(d.batch.points[1].number_kind, NumberKind::kInt);
  EXPECT_EQ(d.batch.points[1].as_int, -42);
  EXPECT_EQ(d.batch.points[1].NumberValue(), -42.0);
  EXPECT_EQ(d.batch.points[2].number_kind, NumberKind::kNone);
  EXPECT_TRUE(d.batch.points[2].no_recorded_value());
  EXPECT_EQ(d.batch.points[2].name, "gpu.utilization");

  const MetricPoint& s = d.batch.points[3];
  EXPECT_EQ(s.name, "requests");
  EXPECT_EQ(s.unit, "{request}");
  EXPECT_EQ(s.type, MetricType::kSum);
  EXPECT_EQ(s.temporality, AggregationTemporality::kCumulative);
  EXPECT_TRUE(s.monotonic);
  EXPECT_EQ(s.start_time_unix_nano, 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(s.time_unix_nano, 1'700'000'060'000'000'000ULL);
  EXPECT_EQ(s.as_int, 12345);
  EXPECT_EQ(s.attributes[0].value.int_value, 200);
  EXPECT_EQ(model::ServiceName(d.batch.ResourceOf(s)), "chat");
  EXPECT_EQ(d.batch.ScopeOf(s).name, "test-scope");
  EXPECT_EQ(d.batch.ScopeOf(s).version, "1.0");
}

TEST(MetricsProtoTest, StringsPointIntoTheAdoptedBody) {
  ProtoBytes sum = ProtoBytes()
                       .Len(1, "zero.copy")
                       .Len(3, "ms")
                       .Len(7, ProtoBytes().Len(1, ProtoBytes().Len(7, StringAttribute("k", "v"))));
  MetricBatch batch;
  std::string_view body = batch.Adopt(RequestOf({sum}));
  ASSERT_TRUE(DecodeMetricsRequestProto(body, &batch, nullptr).ok());
  ASSERT_EQ(batch.points.size(), 1u);
  const MetricPoint& p = batch.points[0];
  for (std::string_view view :
       {p.name, p.unit, p.attributes[0].key, p.attributes[0].value.string_value}) {
    EXPECT_GE(view.data(), body.data()) << view;
    EXPECT_LE(view.data() + view.size(), body.data() + body.size()) << view;
  }
  EXPECT_EQ(p.name, "zero.copy");
  // Moving the batch keeps the views valid.
  MetricBatch moved = std::move(batch);
  EXPECT_EQ(moved.points[0].unit, "ms");
}

TEST(MetricsProtoTest, HistogramPoint) {
  ProtoBytes point = ProtoBytes()
                         .Fixed64(2, 100)
                         .Fixed64(3, 200)
                         .Fixed64(4, 6)
                         .Double(5, 12.5)
                         .Len(6, PackedFixed64({1, 2, 3}))
                         .Len(7, PackedDoubles({1.0, 5.0}))
                         .Len(8, ProtoBytes().Double(3, 4.0).Len(5, std::string(16, '\x01')))
                         .Len(9, StringAttribute("route", "/chat"))
                         .Varint(10, 0)
                         .Double(11, 0.5)
                         .Double(12, 9.0);
  ProtoBytes metric = ProtoBytes()
                          .Len(1, "latency")
                          .Len(3, "s")
                          .Len(9, ProtoBytes().Len(1, point).Varint(2, 1));  // delta
  Decoded d = DecodeProto(RequestOf({metric}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 1u);
  const MetricPoint& p = d.batch.points[0];
  EXPECT_EQ(p.type, MetricType::kHistogram);
  EXPECT_EQ(p.temporality, AggregationTemporality::kDelta);
  EXPECT_FALSE(p.monotonic);
  EXPECT_EQ(p.start_time_unix_nano, 100u);
  EXPECT_EQ(p.time_unix_nano, 200u);
  EXPECT_EQ(p.count, 6u);
  EXPECT_EQ(p.sum, 12.5);
  EXPECT_EQ(p.min, 0.5);
  EXPECT_EQ(p.max, 9.0);
  EXPECT_EQ(p.bucket_counts, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(p.explicit_bounds, (std::vector<double>{1.0, 5.0}));
  EXPECT_EQ(p.attributes[0].value.string_value, "/chat");

  // Without sum, min and max they stay unset; without buckets a bare count is fine.
  ProtoBytes bare =
      ProtoBytes().Len(1, "bare").Len(9, ProtoBytes().Len(1, ProtoBytes().Fixed64(4, 3)));
  d = DecodeProto(RequestOf({bare}));
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.batch.points.size(), 1u);
  EXPECT_FALSE(d.batch.points[0].sum.has_value());
  EXPECT_FALSE(d.batch.points[0].min.has_value());
  EXPECT_FALSE(d.batch.points[0].max.has_value());
  EXPECT_EQ(d.batch.points[0].count, 3u);
  // A sum present as 0.0 is kept as present.
  ProtoBytes zero_sum =
      ProtoBytes().Len(1, "z").Len(9, ProtoBytes().Len(1, ProtoBytes().Double(5, 0.0)));
  d = DecodeProto(RequestOf({zero_sum}));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.points[0].sum, 0.0);
}

TEST(MetricsProtoTest, UnpackedRepeatedFieldsAreAccepted) {
  ProtoBytes point = ProtoBytes()
                         .Fixed64(4, 3)
                         .Fixed64(6, 1)  // bucket_counts one per key
                         .Double(7, 10.0)
                         .Len(6, PackedFixed64({1}))  // then packed, appending
                         .Double(7, 20.0)
                         .Fixed64(6, 1);
  ProtoBytes histogram = ProtoBytes().Len(1, "h").Len(9, ProtoBytes().Len(1, point));
  ProtoBytes buckets = ProtoBytes().Varint(2, 4).Len(2, PackedVarints({5, 6})).Varint(2, 7);
  ProtoBytes exponential = ProtoBytes().Len(1, "e").Len(
      10, ProtoBytes().Len(1, ProtoBytes().Fixed64(4, 22).Len(8, buckets)));
  Decoded d = DecodeProto(RequestOf({histogram, exponential}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 2u);
  EXPECT_EQ(d.batch.points[0].bucket_counts, (std::vector<uint64_t>{1, 1, 1}));
  EXPECT_EQ(d.batch.points[0].explicit_bounds, (std::vector<double>{10.0, 20.0}));
  EXPECT_EQ(d.batch.points[1].positive.bucket_counts, (std::vector<uint64_t>{4, 5, 6, 7}));
}

TEST(MetricsProtoTest, ExponentialHistogramPoint) {
  ProtoBytes point =
      ProtoBytes()
          .Len(1, StringAttribute("model", "gpt-4o"))
          .Fixed64(2, 10)
          .Fixed64(3, 20)
          .Fixed64(4, 12)
          .Double(5, 3.25)
          .Varint(6, ZigZag(-3))
          .Fixed64(7, 2)
          .Len(8, ProtoBytes().Varint(1, ZigZag(-2)).Len(2, PackedVarints({1, 2, 3})))
          .Len(9, ProtoBytes().Varint(1, ZigZag(1)).Len(2, PackedVarints({4})))
          .Varint(10, 1)
          .Len(11, ProtoBytes().Double(3, 1.0))
          .Double(12, -2.0)
          .Double(13, 8.0)
          .Double(14, 1e-9);
  ProtoBytes metric = ProtoBytes().Len(1, "exp").Len(
      10, ProtoBytes().Len(1, point).Varint(2, 2).Varint(3, 1));  // 3 is not a field here
  Decoded d = DecodeProto(RequestOf({metric}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 1u);
  const MetricPoint& p = d.batch.points[0];
  EXPECT_EQ(p.type, MetricType::kExponentialHistogram);
  EXPECT_EQ(p.temporality, AggregationTemporality::kCumulative);
  EXPECT_FALSE(p.monotonic);
  EXPECT_EQ(p.attributes[0].value.string_value, "gpt-4o");
  EXPECT_EQ(p.start_time_unix_nano, 10u);
  EXPECT_EQ(p.time_unix_nano, 20u);
  EXPECT_EQ(p.count, 12u);
  EXPECT_EQ(p.sum, 3.25);
  EXPECT_EQ(p.scale, -3);
  EXPECT_EQ(p.zero_count, 2u);
  EXPECT_EQ(p.positive.offset, -2);
  EXPECT_EQ(p.positive.bucket_counts, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(p.negative.offset, 1);
  EXPECT_EQ(p.negative.bucket_counts, (std::vector<uint64_t>{4}));
  EXPECT_EQ(p.flags, 1u);
  EXPECT_EQ(p.min, -2.0);
  EXPECT_EQ(p.max, 8.0);
  EXPECT_EQ(p.zero_threshold, 1e-9);
}

TEST(MetricsProtoTest, SummaryPoint) {
  ProtoBytes point = ProtoBytes()
                         .Fixed64(2, 5)
                         .Fixed64(3, 6)
                         .Fixed64(4, 100)
                         .Double(5, 250.5)
                         .Len(6, ProtoBytes().Double(1, 0.5).Double(2, 2.0))
                         .Len(6, ProtoBytes().Double(1, 0.99).Double(2, kNaN))
                         .Len(6, "")  // quantile 0, value 0
                         .Len(7, StringAttribute("k", "v"))
                         .Varint(8, 0);
  ProtoBytes metric = ProtoBytes().Len(1, "rpc.duration").Len(11, ProtoBytes().Len(1, point));
  // A summary without sum reads as sum 0: the field has no presence in SummaryDataPoint.
  ProtoBytes no_sum =
      ProtoBytes().Len(1, "s2").Len(11, ProtoBytes().Len(1, ProtoBytes().Fixed64(4, 1)));
  Decoded d = DecodeProto(RequestOf({metric, no_sum}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 2u);
  const MetricPoint& p = d.batch.points[0];
  EXPECT_EQ(p.type, MetricType::kSummary);
  EXPECT_EQ(p.count, 100u);
  EXPECT_EQ(p.sum, 250.5);
  ASSERT_EQ(p.quantile_values.size(), 3u);
  EXPECT_EQ(p.quantile_values[0].quantile, 0.5);
  EXPECT_EQ(p.quantile_values[0].value, 2.0);
  EXPECT_TRUE(std::isnan(p.quantile_values[1].value));
  EXPECT_EQ(p.quantile_values[2].quantile, 0.0);
  EXPECT_EQ(p.attributes.size(), 1u);
  EXPECT_EQ(d.batch.points[1].sum, 0.0);
}

// ---- GenAI client metrics ---------------------------------------------------------------------

// The bucket boundaries the GenAI semantic conventions advise for these two histograms.
const std::vector<double> kTokenBounds = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
const std::vector<double> kDurationBounds = {0.01, 0.02, 0.04, 0.08,  0.16,  0.32,  0.64,
                                             1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};

// One observation in bucket `index` of `bounds`.
std::vector<uint64_t> OneIn(size_t index, const std::vector<double>& bounds) {
  std::vector<uint64_t> counts(bounds.size() + 1, 0);
  counts[index] = 1;
  return counts;
}

ProtoBytes GenAiAttributes(ProtoBytes point, uint32_t field, std::string_view token_type) {
  point.Len(field, StringAttribute("gen_ai.operation.name", "chat"))
      .Len(field, StringAttribute("gen_ai.provider.name", "openai"))
      .Len(field, StringAttribute("gen_ai.request.model", "gpt-4o-mini"))
      .Len(field, StringAttribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18"));
  if (!token_type.empty()) point.Len(field, StringAttribute("gen_ai.token.type", token_type));
  return point;
}

// gen_ai.client.token.usage (input 120 and output 42 tokens) and
// gen_ai.client.operation.duration (1.7 s) as the OpenTelemetry GenAI instrumentations record
// one chat call, with cumulative temporality as the SDKs default to.
std::string GenAiMetricsProto() {
  auto token_point = [](std::string_view type, uint64_t tokens, size_t bucket) {
    return GenAiAttributes(ProtoBytes()
                               .Fixed64(2, 1'763'000'000'000'000'000ULL)
                               .Fixed64(3, 1'763'000'060'000'000'000ULL)
                               .Fixed64(4, 1)
                               .Double(5, static_cast<double>(tokens))
                               .Len(6, PackedFixed64(OneIn(bucket, kTokenBounds)))
                               .Len(7, PackedDoubles(kTokenBounds))
                               .Double(11, static_cast<double>(tokens))
                               .Double(12, static_cast<double>(tokens)),
                           9, type);
  };
  ProtoBytes tokens = ProtoBytes()
                          .Len(1, "gen_ai.client.token.usage")
                          .Len(2, "Measures number of input and output tokens used")
                          .Len(3, "{token}")
                          .Len(9, ProtoBytes()
                                      .Len(1, token_point("input", 120, 4))
                                      .Len(1, token_point("output", 42, 3))
                                      .Varint(2, 2));
  ProtoBytes duration_point = GenAiAttributes(ProtoBytes()
                                                  .Fixed64(2, 1'763'000'000'000'000'000ULL)
                                                  .Fixed64(3, 1'763'000'060'000'000'000ULL)
                                                  .Fixed64(4, 1)
                                                  .Double(5, 1.7)
                                                  .Len(6, PackedFixed64(OneIn(8, kDurationBounds)))
                                                  .Len(7, PackedDoubles(kDurationBounds))
                                                  .Double(11, 1.7)
                                                  .Double(12, 1.7),
                                              9, "");
  ProtoBytes duration = ProtoBytes()
                            .Len(1, "gen_ai.client.operation.duration")
                            .Len(2, "GenAI operation duration")
                            .Len(3, "s")
                            .Len(9, ProtoBytes().Len(1, duration_point).Varint(2, 2));
  ProtoBytes scope = ProtoBytes().Len(1, "opentelemetry.instrumentation.openai_v2").Len(2, "2.1b0");
  ProtoBytes scope_metrics = ProtoBytes().Len(1, scope).Len(2, tokens).Len(2, duration);
  ProtoBytes resource = ProtoBytes().Len(1, StringAttribute("service.name", "rag-api"));
  return ProtoBytes()
      .Len(1, ProtoBytes().Len(1, resource).Len(2, scope_metrics).Len(3, "https://s"))
      .str();
}

std::string JsonArray(const std::vector<double>& values) {
  std::string out = "[";
  for (double v : values) {
    if (out.size() > 1) out += ',';
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
  return out + "]";
}

// Counts as decimal strings, as OTLP/JSON encodes uint64.
std::string JsonCounts(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (uint64_t v : values) {
    if (out.size() > 1) out += ',';
    out += "\"" + std::to_string(v) + "\"";
  }
  return out + "]";
}

std::string GenAiAttributesJson(std::string_view token_type) {
  std::string out =
      R"([{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},)"
      R"({"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},)"
      R"({"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},)"
      R"({"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-mini-2024-07-18"}})";
  if (!token_type.empty()) {
    out += R"(,{"key":"gen_ai.token.type","value":{"stringValue":")" + std::string(token_type) +
           R"("}})";
  }
  return out + "]";
}

// The same data as GenAiMetricsProto(), as the OTLP/JSON exporters write it.
std::string GenAiMetricsJson() {
  auto token_point = [](std::string_view type, int tokens, size_t bucket) {
    return R"({"attributes":)" + GenAiAttributesJson(type) +
           R"(,"startTimeUnixNano":"1763000000000000000","timeUnixNano":"1763000060000000000",)"
           R"("count":"1","sum":)" +
           std::to_string(tokens) + R"(,"bucketCounts":)" +
           JsonCounts(OneIn(bucket, kTokenBounds)) + R"(,"explicitBounds":)" +
           JsonArray(kTokenBounds) + R"(,"min":)" + std::to_string(tokens) + R"(,"max":)" +
           std::to_string(tokens) + "}";
  };
  return R"({"resourceMetrics":[{"resource":{"attributes":[)"
         R"({"key":"service.name","value":{"stringValue":"rag-api"}}]},)"
         R"("scopeMetrics":[{"scope":{"name":"opentelemetry.instrumentation.openai_v2",)"
         R"("version":"2.1b0"},"metrics":[{"name":"gen_ai.client.token.usage",)"
         R"("description":"Measures number of input and output tokens used","unit":"{token}",)"
         R"("histogram":{"dataPoints":[)" +
         token_point("input", 120, 4) + "," + token_point("output", 42, 3) +
         R"(],"aggregationTemporality":2}},{"name":"gen_ai.client.operation.duration",)"
         R"("description":"GenAI operation duration","unit":"s","histogram":{"dataPoints":[)"
         R"({"attributes":)" +
         GenAiAttributesJson("") +
         R"(,"startTimeUnixNano":"1763000000000000000","timeUnixNano":1763000060000000000,)"
         R"("count":1,"sum":1.7,"bucketCounts":)" +
         JsonCounts(OneIn(8, kDurationBounds)) + R"(,"explicitBounds":)" +
         JsonArray(kDurationBounds) +
         R"(,"min":1.7,"max":1.7}],"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE"}}]}],)"
         R"("schemaUrl":"https://s"}]})";
}

void ExpectGenAiMetrics(const Decoded& d) {
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 3u);
  EXPECT_EQ(d.result.rejected_data_points, 0u);
  ASSERT_EQ(d.batch.points.size(), 3u);
  for (const MetricPoint& p : d.batch.points) {
    EXPECT_EQ(p.type, MetricType::kHistogram);
    EXPECT_EQ(p.temporality, AggregationTemporality::kCumulative);
    EXPECT_EQ(p.count, 1u);
    EXPECT_EQ(p.start_time_unix_nano, 1'763'000'000'000'000'000ULL);
    EXPECT_EQ(p.time_unix_nano, 1'763'000'060'000'000'000ULL);
    EXPECT_EQ(model::ServiceName(d.batch.ResourceOf(p)), "rag-api");
    EXPECT_EQ(d.batch.ResourceOf(p).schema_url, "https://s");
    EXPECT_EQ(d.batch.ScopeOf(p).name, "opentelemetry.instrumentation.openai_v2");
    const AnyValue* model = model::FindAttribute(p.attributes, "gen_ai.request.model");
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->string_value, "gpt-4o-mini");
  }
  const MetricPoint& input = d.batch.points[0];
  const MetricPoint& output = d.batch.points[1];
  EXPECT_EQ(input.name, "gen_ai.client.token.usage");
  EXPECT_EQ(input.unit, "{token}");
  EXPECT_EQ(model::FindAttribute(input.attributes, "gen_ai.token.type")->string_value, "input");
  EXPECT_EQ(input.sum, 120.0);
  EXPECT_EQ(input.explicit_bounds, kTokenBounds);
  EXPECT_EQ(input.bucket_counts, OneIn(4, kTokenBounds));  // (64, 256]
  EXPECT_EQ(model::FindAttribute(output.attributes, "gen_ai.token.type")->string_value, "output");
  EXPECT_EQ(output.sum, 42.0);
  EXPECT_EQ(output.min, 42.0);
  EXPECT_EQ(output.max, 42.0);
  const MetricPoint& duration = d.batch.points[2];
  EXPECT_EQ(duration.name, "gen_ai.client.operation.duration");
  EXPECT_EQ(duration.unit, "s");
  EXPECT_EQ(duration.sum, 1.7);
  EXPECT_EQ(duration.explicit_bounds, kDurationBounds);
  EXPECT_EQ(duration.bucket_counts, OneIn(8, kDurationBounds));
  EXPECT_EQ(model::FindAttribute(duration.attributes, "gen_ai.token.type"), nullptr);
}

TEST(MetricsGenAiTest, ProtoAndJsonDecodeTheSamePoints) {
  Decoded proto = DecodeProto(GenAiMetricsProto());
  Decoded json = DecodeJson(GenAiMetricsJson());
  {
    SCOPED_TRACE("protobuf");
    ExpectGenAiMetrics(proto);
  }
  {
    SCOPED_TRACE("json");
    ExpectGenAiMetrics(json);
  }
  ExpectSameMetricBatch(proto.batch, json.batch);
}

// ---- Round trips through the encoder ---------------------------------------------------------

// Two resources, three scopes, points of every type with every field set.
void FillEveryMetricField(MetricBatch* batch) {
  model::Resource r0;
  r0.attributes = {{"service.name", AnyValue::String("chat")}};
  r0.dropped_attributes_count = 2;
  r0.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  model::Resource r1;
  r1.attributes = testing::EveryValueType();
  batch->resources = {r0, r1};
  model::Scope s0;
  s0.name = "opentelemetry.instrumentation.openai_v2";
  s0.version = "2.1b0";
  s0.attributes = {{"a", AnyValue::Int(1)}};
  s0.schema_url = "https://opentelemetry.io/schemas/1.27.0";
  model::Scope s1;
  s1.name = "second";
  model::Scope s2;
  batch->scopes = {s0, s1, s2};

  MetricPoint gauge;
  gauge.name = "gauge";
  gauge.description = "every value type";
  gauge.unit = "1";
  gauge.type = MetricType::kGauge;
  gauge.attributes = testing::EveryValueType();
  gauge.time_unix_nano = 1'700'000'000'123'456'789ULL;
  gauge.number_kind = NumberKind::kDouble;
  gauge.as_double = -0.0;
  batch->points.push_back(gauge);
  gauge.as_double = kNaN;
  batch->points.push_back(gauge);
  gauge.number_kind = NumberKind::kInt;
  gauge.as_double = 0;
  gauge.as_int = std::numeric_limits<int64_t>::min();
  batch->points.push_back(gauge);
  gauge.number_kind = NumberKind::kNone;
  gauge.as_int = 0;
  gauge.flags = model::kFlagNoRecordedValue;
  batch->points.push_back(gauge);

  MetricPoint sum;
  sum.name = "sum";
  sum.type = MetricType::kSum;
  sum.temporality = AggregationTemporality::kDelta;
  sum.monotonic = true;
  sum.start_time_unix_nano = 1;
  sum.time_unix_nano = 2;
  sum.number_kind = NumberKind::kInt;
  sum.as_int = 0;  // a set oneof member survives even when zero
  sum.scope_index = 1;
  batch->points.push_back(sum);

  MetricPoint histogram;
  histogram.name = "histogram";
  histogram.unit = "s";
  histogram.type = MetricType::kHistogram;
  histogram.temporality = AggregationTemporality::kCumulative;
  histogram.attributes = {{"k", AnyValue::String("v")}};
  histogram.start_time_unix_nano = 3;
  histogram.time_unix_nano = 4;
  histogram.count = 6;
  histogram.sum = 0.0;
  histogram.min = -kInf;
  histogram.max = kInf;
  histogram.explicit_bounds = {-1.5, 0, 2.5};
  histogram.bucket_counts = {1, 2, 0, 3};
  histogram.flags = 0;
  histogram.scope_index = 1;
  batch->points.push_back(histogram);
  histogram.sum.reset();
  histogram.min.reset();
  histogram.max.reset();
  histogram.explicit_bounds.clear();
  histogram.bucket_counts.clear();
  batch->points.push_back(histogram);

  MetricPoint exponential;
  exponential.name = "exponential";
  exponential.type = MetricType::kExponentialHistogram;
  exponential.temporality = AggregationTemporality::kDelta;
  exponential.count = 1 + 6 + 4;
  exponential.sum = 12.25;
  exponential.min = -3;
  exponential.max = 7;
  exponential.scale = -10;
  exponential.zero_count = 1;
  exponential.zero_threshold = 1e-12;
  exponential.positive = {-5, {1, 2, 3}};
  exponential.negative = {7, {4}};
  exponential.resource_index = 1;
  exponential.scope_index = 2;
  batch->points.push_back(exponential);
  exponential.scale = 20;
  exponential.count = 0;
  exponential.zero_count = 0;
  exponential.zero_threshold = 0;
  exponential.positive = {3, {}};  // an offset without counts
  exponential.negative = {};
  batch->points.push_back(exponential);

  MetricPoint summary;
  summary.name = "summary";
  summary.type = MetricType::kSummary;
  summary.count = 10;
  summary.sum = -0.0;
  summary.quantile_values = {{0, 1.5}, {0.5, -0.0}, {1, kNaN}};
  summary.resource_index = 1;
  summary.scope_index = 2;
  batch->points.push_back(summary);
}

TEST(MetricsCodecTest, RoundTripsEveryTypeAndField) {
  MetricBatch original;
  FillEveryMetricField(&original);
  const std::string encoded = EncodeMetricsRequestProto(original);
  Decoded d = DecodeProto(encoded);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, original.points.size());
  EXPECT_EQ(d.result.rejected_data_points, 0u) << d.result.rejection_message;
  EXPECT_EQ(d.batch.resources.size(), 2u);
  EXPECT_EQ(d.batch.scopes.size(), 3u);
  ExpectSameMetricBatch(original, d.batch);
  // Re-encoding gives the same bytes.
  EXPECT_EQ(EncodeMetricsRequestProto(d.batch), encoded);
}

TEST(MetricsCodecTest, EveryTruncationFailsCleanlyOrSucceeds) {
  MetricBatch full;
  FillEveryMetricField(&full);
  const std::string body = EncodeMetricsRequestProto(full);
  size_t failures = 0;
  for (size_t n = 0; n < body.size(); ++n) {
    std::string prefix = body.substr(0, n);  // a copy, so ASan sees reads past its end
    MetricBatch batch;
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    batch.points.emplace_back();
    DecodeResult result;
    Status status = DecodeMetricsRequestProto(prefix, &batch, &result);
    if (status.ok()) {
      EXPECT_EQ(result.accepted_data_points + 1, batch.points.size()) << n;
      for (const MetricPoint& p : batch.points) {
        ASSERT_LT(p.resource_index, batch.resources.size()) << n;
        ASSERT_LT(p.scope_index, batch.scopes.size()) << n;
      }
      continue;
    }
    ++failures;
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << n;
    ASSERT_EQ(batch.resources.size(), 1u) << n;
    ASSERT_EQ(batch.scopes.size(), 1u) << n;
    ASSERT_EQ(batch.points.size(), 1u) << n;
    ASSERT_EQ(result.accepted_data_points + result.rejected_data_points, 0u) << n;
  }
  EXPECT_GT(failures, body.size() / 2);
}

TEST(MetricsCodecTest, ResponseEncoders) {
  EXPECT_EQ(EncodeMetricsResponseProto(0, ""), "");
  EXPECT_EQ(EncodeMetricsResponseProto(2, "bad"),
            ProtoBytes().Len(1, ProtoBytes().Varint(1, 2).Len(2, "bad")).str());
  EXPECT_EQ(EncodeMetricsResponseProto(0, "warning"),
            ProtoBytes().Len(1, ProtoBytes().Len(2, "warning")).str());
  EXPECT_EQ(EncodeMetricsResponseJson(0, ""), "{}");
  EXPECT_EQ(EncodeMetricsResponseJson(3, "bad \"bounds\""),
            R"({"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"bad \"bounds\""}})");
}

// ---- Requests that are valid but carry nothing ------------------------------------------------

TEST(MetricsProtoTest, EmptyRequestsAndMetricsWithoutData) {
  Decoded d = DecodeProto("");
  ASSERT_TRUE(d.status.ok());
  EXPECT_TRUE(d.batch.points.empty());
  EXPECT_EQ(d.result.accepted_data_points + d.result.rejected_data_points, 0u);
  // A metric without data, one with an empty gauge, and a nameless one with no points: all
  // valid, none with points.
  ProtoBytes no_data = ProtoBytes().Len(1, "no.data");
  ProtoBytes empty_gauge = ProtoBytes().Len(1, "empty").Len(5, "");
  ProtoBytes nameless = ProtoBytes().Len(7, ProtoBytes().Varint(2, 1));
  d = DecodeProto(RequestOf({no_data, empty_gauge, nameless}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_TRUE(d.batch.points.empty());
  EXPECT_EQ(d.result.rejected_data_points, 0u);
  EXPECT_EQ(d.batch.resources.size(), 1u);
}

// ---- Points rejected one by one ------------------------------------------------------------

ProtoBytes HistogramMetric(std::string_view name, const ProtoBytes& point) {
  return ProtoBytes().Len(1, name).Len(9, ProtoBytes().Len(1, point));
}

ProtoBytes ExponentialMetric(const ProtoBytes& point) {
  return ProtoBytes().Len(1, "e").Len(10, ProtoBytes().Len(1, point));
}

TEST(MetricsProtoTest, BucketMismatchRejectsThePointWithItsPath) {
  ProtoBytes good =
      ProtoBytes().Fixed64(4, 3).Len(6, PackedFixed64({1, 1, 1})).Len(7, PackedDoubles({1, 2}));
  ProtoBytes bad =
      ProtoBytes().Fixed64(4, 3).Len(6, PackedFixed64({1, 1, 1})).Len(7, PackedDoubles({1, 2, 3}));
  ProtoBytes scope_metrics =
      ProtoBytes()
          .Len(2, HistogramMetric("a", good))
          .Len(2, HistogramMetric("b", good))
          .Len(2, ProtoBytes().Len(1, "c").Len(9, ProtoBytes().Len(1, bad).Len(1, good)));
  std::string request = ProtoBytes().Len(1, ProtoBytes().Len(2, "").Len(2, scope_metrics)).str();
  Decoded d = DecodeProto(request);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 3u);
  EXPECT_EQ(d.result.rejected_data_points, 1u);
  EXPECT_EQ(d.result.rejection_message,
            "resource_metrics[0].scope_metrics[1].metrics[2].histogram.data_points[0]: "
            "bucket_counts has 3 entries but explicit_bounds has 3 (need 4)");
  ASSERT_EQ(d.batch.points.size(), 3u);
  EXPECT_EQ(d.batch.points[2].name, "c");
  EXPECT_EQ(d.batch.points[2].scope_index, 1u);
}

TEST(MetricsProtoTest, InvalidPointsAreRejectedIndividually) {
  struct Case {
    ProtoBytes metric;
    std::string reason;
  };
  const Case cases[] = {
      {HistogramMetric("h", ProtoBytes().Len(7, PackedDoubles({1}))),
       "histogram.data_points[0]: bucket_counts has 0 entries but explicit_bounds has 1 (need 2)"},
      {HistogramMetric("h", ProtoBytes()
                                .Fixed64(4, 3)
                                .Len(6, PackedFixed64({1, 1, 1}))
                                .Len(7, PackedDoubles({2, 2}))),
       "histogram.data_points[0]: explicit_bounds must be strictly increasing, but [1] = 2 "
       "follows 2"},
      {HistogramMetric(
           "h",
           ProtoBytes().Fixed64(4, 1).Len(6, PackedFixed64({0, 1})).Len(7, PackedDoubles({kNaN}))),
       "histogram.data_points[0]: explicit_bounds[0] is NaN"},
      {HistogramMetric(
           "h",
           ProtoBytes().Fixed64(4, 5).Len(6, PackedFixed64({1, 3})).Len(7, PackedDoubles({1}))),
       "histogram.data_points[0]: count is 5 but bucket_counts add up to 4"},
      {HistogramMetric("h", ProtoBytes()
                                .Fixed64(4, 0)
                                .Len(6, PackedFixed64({UINT64_MAX, 1}))
                                .Len(7, PackedDoubles({1}))),
       "histogram.data_points[0]: bucket_counts add up to more than 2^64-1"},
      {HistogramMetric("h", ProtoBytes().Fixed64(4, 1).Double(5, kNaN)),
       "histogram.data_points[0]: sum is NaN"},
      {HistogramMetric("h", ProtoBytes().Double(11, kNaN)), "histogram.data_points[0]: min is NaN"},
      {HistogramMetric("h", ProtoBytes().Double(11, 3).Double(12, 1)),
       "histogram.data_points[0]: min 3 is greater than max 1"},
      {ExponentialMetric(ProtoBytes().Varint(6, ZigZag(21))),
       "exponential_histogram.data_points[0]: scale 21 is outside [-10, 20]"},
      {ExponentialMetric(ProtoBytes().Varint(6, ZigZag(-11))),
       "exponential_histogram.data_points[0]: scale -11 is outside [-10, 20]"},
      {ExponentialMetric(ProtoBytes().Double(14, -1)),
       "exponential_histogram.data_points[0]: zero_threshold must be a non-negative number, "
       "got -1"},
      {ExponentialMetric(ProtoBytes().Double(14, kNaN)),
       "exponential_histogram.data_points[0]: zero_threshold must be a non-negative number, "
       "got nan"},
      {ExponentialMetric(ProtoBytes().Fixed64(4, 4).Fixed64(7, 1).Len(
           8, ProtoBytes().Len(2, PackedVarints({1, 1})))),
       "exponential_histogram.data_points[0]: count is 4 but zero_count and bucket_counts add "
       "up to 3"},
      {ExponentialMetric(ProtoBytes().Fixed64(4, 2).Len(
           9, ProtoBytes().Varint(1, ZigZag(INT32_MAX)).Len(2, PackedVarints({1, 1})))),
       "exponential_histogram.data_points[0]: negative: offset 2147483647 with 2 buckets "
       "overflows the bucket index"},
      {ExponentialMetric(ProtoBytes().Fixed64(4, 1).Fixed64(7, 1).Double(13, kNaN)),
       "exponential_histogram.data_points[0]: max is NaN"},
      {ProtoBytes().Len(1, "s").Len(
           11, ProtoBytes().Len(1, ProtoBytes().Len(6, ProtoBytes().Double(1, 1.5)))),
       "summary.data_points[0]: quantile_values[0].quantile is 1.5, outside [0, 1]"},
      {ProtoBytes().Len(1, "s").Len(
           11, ProtoBytes().Len(1, ProtoBytes().Len(6, ProtoBytes().Double(1, kNaN)))),
       "summary.data_points[0]: quantile_values[0].quantile is nan, outside [0, 1]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    // The invalid point sits between two valid ones of a gauge.
    ProtoBytes gauge = ProtoBytes().Len(1, "g").Len(5, ProtoBytes().Len(1, "").Len(1, ""));
    Decoded d = DecodeProto(RequestOf({gauge, c.metric}));
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_EQ(d.result.accepted_data_points, 2u);
    EXPECT_EQ(d.result.rejected_data_points, 1u);
    EXPECT_EQ(d.result.rejection_message,
              "resource_metrics[0].scope_metrics[0].metrics[1]." + c.reason);
    EXPECT_EQ(d.batch.points.size(), 2u);
  }
}

TEST(MetricsProtoTest, NonFiniteValuesThatAreAllowed) {
  // Gauges and sums may carry any double; histograms may have infinite bounds and extremes;
  // summaries may have NaN values (Prometheus reports them when nothing was observed).
  ProtoBytes gauge = ProtoBytes().Len(1, "g").Len(
      5, ProtoBytes().Len(1, ProtoBytes().Double(4, kNaN)).Len(1, ProtoBytes().Double(4, -kInf)));
  ProtoBytes histogram = HistogramMetric("h", ProtoBytes()
                                                  .Fixed64(4, 2)
                                                  .Len(6, PackedFixed64({1, 1}))
                                                  .Len(7, PackedDoubles({-kInf}))
                                                  .Double(5, kInf)
                                                  .Double(11, -kInf)
                                                  .Double(12, kInf));
  Decoded d = DecodeProto(RequestOf({gauge, histogram}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 3u);
  EXPECT_EQ(d.result.rejected_data_points, 0u) << d.result.rejection_message;
}

TEST(MetricsProtoTest, MetricWithoutNameRejectsEveryPoint) {
  ProtoBytes nameless = ProtoBytes().Len(3, "s").Len(
      9, ProtoBytes()
             .Len(1, ProtoBytes().Fixed64(4, 1))
             .Len(1, ProtoBytes().Len(7, PackedDoubles({1})))  // also invalid by itself
             .Len(1, ""));
  ProtoBytes named = ProtoBytes().Len(1, "ok").Len(5, ProtoBytes().Len(1, ""));
  Decoded d = DecodeProto(RequestOf({named, nameless, named}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 2u);
  EXPECT_EQ(d.result.rejected_data_points, 3u);
  EXPECT_EQ(d.result.rejection_message,
            "resource_metrics[0].scope_metrics[0].metrics[1]: metric name is empty");
  ASSERT_EQ(d.batch.points.size(), 2u);
  EXPECT_EQ(d.batch.points[0].name, "ok");
  EXPECT_EQ(d.batch.points[1].name, "ok");
}

TEST(MetricsProtoTest, DataIsAOneofTheLastMemberWins) {
  // A gauge, then a sum: the sum replaces the gauge (and its rejected point); then the sum
  // again, which merges.
  ProtoBytes metric =
      ProtoBytes()
          .Len(1, "m")
          .Len(5, ProtoBytes().Len(1, ProtoBytes().Double(4, 1)))
          .Len(9, ProtoBytes().Len(1, ProtoBytes().Len(7, PackedDoubles({1}))))
          .Len(7, ProtoBytes().Len(1, ProtoBytes().Double(4, 2)).Varint(2, 1).Varint(3, 1))
          .Len(7, ProtoBytes().Len(1, ProtoBytes().Double(4, 3)).Varint(2, 2));
  Decoded d = DecodeProto(RequestOf({metric}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 2u);
  EXPECT_EQ(d.result.rejected_data_points, 0u);
  ASSERT_EQ(d.batch.points.size(), 2u);
  for (const MetricPoint& p : d.batch.points) {
    EXPECT_EQ(p.type, MetricType::kSum);
    EXPECT_EQ(p.temporality, AggregationTemporality::kCumulative);  // the last one read
    EXPECT_TRUE(p.monotonic);
  }
  EXPECT_EQ(d.batch.points[0].as_double, 2.0);
  EXPECT_EQ(d.batch.points[1].as_double, 3.0);
  // In a number point, as_int after as_double wins.
  ProtoBytes both = ProtoBytes().Len(1, "n").Len(
      5, ProtoBytes().Len(1, ProtoBytes().Double(4, 1.5).Fixed64(6, 7)));
  d = DecodeProto(RequestOf({both}));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.batch.points[0].number_kind, NumberKind::kInt);
  EXPECT_EQ(d.batch.points[0].as_int, 7);
  EXPECT_EQ(d.batch.points[0].as_double, 0.0);
}

TEST(MetricsProtoTest, UnknownFieldsAreIgnored) {
  ProtoBytes point = ProtoBytes()
                         .Varint(1, 5)  // reserved in NumberDataPoint
                         .Fixed32(99, 7)
                         .Len(100, "x")
                         .Fixed64(101, 8)
                         .Double(4, 2.5);
  ProtoBytes metric = ProtoBytes()
                          .Len(1, "m")
                          .Len(12, StringAttribute("metadata", "skipped"))  // Metric.metadata
                          .Varint(4, 1)                                     // reserved
                          .Len(5, ProtoBytes()
                                      .Len(1, point)
                                      .Varint(2, 1)  // no temporality in a gauge: unknown
                                      .Fixed32(3, 9)
                                      .Len(50, "?"));
  ProtoBytes scope_metrics = ProtoBytes().Len(2, metric).Varint(40, 1);
  ProtoBytes resource_metrics = ProtoBytes().Len(2, scope_metrics).Varint(1000, 1);
  std::string request = ProtoBytes().Len(1, resource_metrics).Len(9, "ignored").str();
  Decoded d = DecodeProto(request);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 1u);
  EXPECT_EQ(d.batch.points[0].as_double, 2.5);
  EXPECT_EQ(d.batch.points[0].temporality, AggregationTemporality::kUnspecified);
  // Exemplars are skipped whatever they hold.
  ProtoBytes with_exemplars = HistogramMetric(
      "h", ProtoBytes().Len(8, "\xff\xff garbage").Len(8, ProtoBytes().Len(5, "not 16 bytes")));
  d = DecodeProto(RequestOf({with_exemplars}));
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.batch.points.size(), 1u);
}

// ---- Malformed protobuf ---------------------------------------------------------------------

std::string InOneMetric(const ProtoBytes& metric) {
  return RequestOf({metric});
}

TEST(MetricsProtoTest, MalformedInputNamesThePathAndAppendsNothing) {
  const std::string prefix = "resource_metrics[0].scope_metrics[0].metrics[0].";
  struct Case {
    std::string request;
    std::string message;
  };
  const Case cases[] = {
      // A truncated varint: the flags of a point, cut short.
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           5, ProtoBytes().Len(1, ProtoBytes().Key(8, 0).Raw("\x80")))),
       prefix + "gauge.data_points[0].flags: truncated varint"},
      // A truncated fixed64.
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           9, ProtoBytes().Len(1, ProtoBytes().Key(4, 1).Raw("\x01\x02")))),
       prefix + "histogram.data_points[0].count: truncated fixed64"},
      // Wrong wire types.
      {InOneMetric(ProtoBytes().Len(1, "m").Len(9, ProtoBytes().Len(1, ProtoBytes().Varint(4, 3)))),
       prefix + "histogram.data_points[0].count: wrong wire type 0 (expected 1)"},
      {InOneMetric(
           ProtoBytes().Len(1, "m").Len(9, ProtoBytes().Len(1, ProtoBytes().Fixed32(6, 3)))),
       prefix + "histogram.data_points[0].bucket_counts: wrong wire type 5 (expected 2)"},
      {InOneMetric(ProtoBytes().Varint(1, 3)), prefix + "name: wrong wire type 0 (expected 2)"},
      {InOneMetric(ProtoBytes().Len(1, "m").Varint(9, 3)),
       prefix + "histogram: wrong wire type 0 (expected 2)"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(7, ProtoBytes().Len(1, "").Fixed64(2, 1))),
       prefix + "sum.aggregation_temporality: wrong wire type 1 (expected 0)"},
      {InOneMetric(
           ProtoBytes().Len(1, "m").Len(10, ProtoBytes().Len(1, ProtoBytes().Fixed64(6, 1)))),
       prefix + "exponential_histogram.data_points[0].scale: wrong wire type 1 (expected 0)"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           11, ProtoBytes().Len(1, ProtoBytes().Len(6, ProtoBytes().Varint(2, 1))))),
       prefix + "summary.data_points[0].quantile_values[0].value: wrong wire type 0 (expected 1)"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(5, ProtoBytes().Len(1, ProtoBytes().Varint(5, 1)))),
       prefix + "gauge.data_points[0].exemplars[0]: wrong wire type 0 (expected 2)"},
      // Packed data that is not a whole number of values.
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           9, ProtoBytes().Len(1, ProtoBytes().Len(7, std::string(12, '\0'))))),
       prefix + "histogram.data_points[0].explicit_bounds: packed length 12 is not a multiple "
                "of 8"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           10, ProtoBytes().Len(1, ProtoBytes().Len(8, ProtoBytes().Len(2, "\x01\x80"))))),
       prefix + "exponential_histogram.data_points[0].positive.bucket_counts: truncated varint"},
      // Invalid UTF-8 in the name, the unit and an attribute.
      {InOneMetric(ProtoBytes().Len(1, "bad\xff")), prefix + "name: invalid UTF-8"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(3, "\xc3")), prefix + "unit: invalid UTF-8"},
      {InOneMetric(ProtoBytes().Len(1, "m").Len(
           10, ProtoBytes().Len(1, ProtoBytes().Len(1, StringAttribute("k", "\xed\xa0\x80"))))),
       prefix + "exponential_histogram.data_points[0].attributes[0].value.string_value: invalid "
                "UTF-8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    Decoded d;
    d.batch.points.emplace_back();
    std::string_view body = d.batch.Adopt(c.request);
    Status status = DecodeMetricsRequestProto(body, &d.batch, &d.result);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), c.message);
    EXPECT_EQ(d.batch.points.size(), 1u);
    EXPECT_TRUE(d.batch.resources.empty());
    EXPECT_TRUE(d.batch.scopes.empty());
    EXPECT_EQ(d.result.accepted_data_points + d.result.rejected_data_points, 0u);
    EXPECT_EQ(d.result.rejection_message, "");
  }
}

TEST(MetricsProtoTest, LengthsPastTheEnd) {
  // The request's first field claims 100 bytes and has 3.
  Decoded d = DecodeProto(std::string("\x0a\x64\x12\x01\x00", 5));
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.message(), "resource_metrics[0]: length past the end of the message");
  // The same deep inside a point.
  std::string point = ProtoBytes().Key(9, 2).Raw("\x05").str();
  d = DecodeProto(
      InOneMetric(ProtoBytes().Len(1, "m").Len(9, ProtoBytes().Len(1, ProtoBytes().Raw(point)))));
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.message(),
            "resource_metrics[0].scope_metrics[0].metrics[0].histogram.data_points[0]."
            "attributes[0]: length past the end of the message");
  EXPECT_TRUE(d.batch.points.empty());
  // A length varint that never ends, and a bad tag.
  d = DecodeProto(std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12));
  EXPECT_EQ(d.status.message(), "resource_metrics[0]: varint longer than 10 bytes");
  d = DecodeProto(std::string("\x0f", 1));  // wire type 7
  EXPECT_EQ(d.status.message(), "invalid wire type");
  d = DecodeProto(std::string("\x0b", 1));  // a group
  EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
}

TEST(MetricsProtoTest, AttributeNestingIsBounded) {
  auto nested = [](int depth) {
    ProtoBytes value = ProtoBytes().Varint(3, 1);
    for (int i = 1; i < depth; ++i) value = ProtoBytes().Len(5, ProtoBytes().Len(1, value));
    return ProtoBytes().Len(1, "deep").Len(2, value);
  };
  auto request = [](const ProtoBytes& attribute) {
    return InOneMetric(
        ProtoBytes().Len(1, "m").Len(7, ProtoBytes().Len(1, ProtoBytes().Len(7, attribute))));
  };
  EXPECT_TRUE(DecodeProto(request(nested(32))).status.ok());
  Decoded d = DecodeProto(request(nested(33)));
  ASSERT_FALSE(d.status.ok());
  EXPECT_NE(d.status.message().find("nesting deeper than 32"), std::string::npos)
      << d.status.message();
  EXPECT_EQ(d.status.message().rfind(
                "resource_metrics[0].scope_metrics[0].metrics[0].sum.data_points[0].attributes[0]"
                ".value.array_value.values[0]",
                0),
            0u)
      << d.status.message();
  // Absurd nesting, far past any limit, fails the same way without exhausting the stack.
  d = DecodeProto(request(nested(2000)));
  EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
}

// ---- OTLP/JSON ------------------------------------------------------------------------------

TEST(MetricsJsonTest, DecodesEveryPointType) {
  const std::string json = R"({"resourceMetrics":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"chat"}}]},
    "schemaUrl":"https://r",
    "scopeMetrics":[{
      "scope":{"name":"meter","version":"1.0"},
      "schemaUrl":"https://s",
      "metrics":[
        {"gauge":{"dataPoints":[
           {"asDouble":0.5,"timeUnixNano":"1700000000000000001","flags":0,
            "attributes":[{"key":"gpu","value":{"intValue":"3"}}],
            "exemplars":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
                          "asDouble":1}]},
           {"asInt":"-9223372036854775808"},
           {"asDouble":"NaN"},
           {"flags":1}]},
         "name":"g","description":"a gauge","unit":"1","metadata":[{"key":"x","value":{}}]},
        {"name":"s","sum":{"dataPoints":[{"asInt":7,"startTimeUnixNano":1,"timeUnixNano":2}],
                           "aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA",
                           "isMonotonic":true}},
        {"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[
           {"count":"3","sum":4.5,"bucketCounts":["1",2],"explicitBounds":[1.5],
            "min":0.5,"max":3,"flags":0}]}},
        {"name":"e","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[
           {"count":6,"sum":1,"scale":-2,"zeroCount":"1","zeroThreshold":0.001,
            "positive":{"offset":-1,"bucketCounts":["2","3"]},
            "negative":{"bucketCounts":[0]},"min":-1,"max":"Infinity"}]}},
        {"name":"q","summary":{"dataPoints":[
           {"count":"10","sum":20,"quantileValues":[{"quantile":0.5,"value":2},{"value":1},
                                                    {"quantile":1,"value":"NaN"}]},
           {"count":0}]}},
        {"name":"unknown.type","newKindOfMetric":{"dataPoints":[{}]}}
      ]}]}]})";
  Decoded d = DecodeJson(json);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 9u);
  EXPECT_EQ(d.result.rejected_data_points, 0u) << d.result.rejection_message;
  ASSERT_EQ(d.batch.points.size(), 9u);
  const std::vector<MetricPoint>& p = d.batch.points;

  EXPECT_EQ(p[0].name, "g");
  EXPECT_EQ(p[0].description, "a gauge");
  EXPECT_EQ(p[0].unit, "1");
  EXPECT_EQ(p[0].type, MetricType::kGauge);
  EXPECT_EQ(p[0].number_kind, NumberKind::kDouble);
  EXPECT_EQ(p[0].as_double, 0.5);
  EXPECT_EQ(p[0].time_unix_nano, 1700000000000000001ULL);
  EXPECT_EQ(p[0].attributes[0].value.int_value, 3);
  EXPECT_EQ(p[1].as_int, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(std::isnan(p[2].as_double));
  EXPECT_EQ(p[3].number_kind, NumberKind::kNone);
  EXPECT_TRUE(p[3].no_recorded_value());

  EXPECT_EQ(p[4].type, MetricType::kSum);
  EXPECT_EQ(p[4].temporality, AggregationTemporality::kDelta);
  EXPECT_TRUE(p[4].monotonic);
  EXPECT_EQ(p[4].as_int, 7);
  EXPECT_EQ(p[4].start_time_unix_nano, 1u);

  EXPECT_EQ(p[5].type, MetricType::kHistogram);
  EXPECT_EQ(p[5].temporality, AggregationTemporality::kCumulative);
  EXPECT_EQ(p[5].count, 3u);
  EXPECT_EQ(p[5].sum, 4.5);
  EXPECT_EQ(p[5].bucket_counts, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(p[5].explicit_bounds, (std::vector<double>{1.5}));
  EXPECT_EQ(p[5].min, 0.5);
  EXPECT_EQ(p[5].max, 3.0);

  EXPECT_EQ(p[6].type, MetricType::kExponentialHistogram);
  EXPECT_EQ(p[6].temporality, AggregationTemporality::kDelta);
  EXPECT_EQ(p[6].count, 6u);
  EXPECT_EQ(p[6].scale, -2);
  EXPECT_EQ(p[6].zero_count, 1u);
  EXPECT_EQ(p[6].zero_threshold, 0.001);
  EXPECT_EQ(p[6].positive.offset, -1);
  EXPECT_EQ(p[6].positive.bucket_counts, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(p[6].negative.bucket_counts, (std::vector<uint64_t>{0}));
  EXPECT_EQ(p[6].min, -1.0);
  EXPECT_EQ(p[6].max, kInf);

  EXPECT_EQ(p[7].type, MetricType::kSummary);
  EXPECT_EQ(p[7].count, 10u);
  EXPECT_EQ(p[7].sum, 20.0);
  ASSERT_EQ(p[7].quantile_values.size(), 3u);
  EXPECT_EQ(p[7].quantile_values[1].quantile, 0.0);
  EXPECT_TRUE(std::isnan(p[7].quantile_values[2].value));
  EXPECT_EQ(p[8].sum, 0.0);  // absent summary sum reads as 0, as in protobuf

  EXPECT_EQ(d.batch.ResourceOf(p[0]).schema_url, "https://r");
  EXPECT_EQ(d.batch.ScopeOf(p[8]).schema_url, "https://s");
  EXPECT_EQ(d.batch.ScopeOf(p[8]).version, "1.0");

  // What decodes from JSON survives a protobuf round trip unchanged.
  Decoded again = DecodeProto(EncodeMetricsRequestProto(d.batch));
  ASSERT_TRUE(again.status.ok()) << again.status.message();
  ExpectSameMetricBatch(d.batch, again.batch);
}

TEST(MetricsJsonTest, EnumValuesAndNulls) {
  const std::string json = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
    {"name":"a","sum":{"aggregationTemporality":"2","dataPoints":[{}]}},
    {"name":"b","sum":{"aggregationTemporality":9,"dataPoints":[{}]}},
    {"name":"c","sum":{"aggregationTemporality":"SOMETHING_NEW","dataPoints":[{}]}},
    {"name":"d","histogram":{"aggregationTemporality":null,"dataPoints":[{"sum":null}]}},
    {"name":"e","gauge":{"aggregationTemporality":1,"dataPoints":[{}]}}]}]}]})";
  Decoded d = DecodeJson(json);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.batch.points.size(), 5u);
  EXPECT_EQ(d.batch.points[0].temporality, AggregationTemporality::kCumulative);
  EXPECT_EQ(d.batch.points[1].temporality, AggregationTemporality::kUnspecified);
  EXPECT_EQ(d.batch.points[2].temporality, AggregationTemporality::kUnspecified);
  EXPECT_EQ(d.batch.points[3].temporality, AggregationTemporality::kUnspecified);
  EXPECT_FALSE(d.batch.points[3].sum.has_value());
  EXPECT_EQ(d.batch.points[4].temporality, AggregationTemporality::kUnspecified);
}

TEST(MetricsJsonTest, InvalidPointsAreRejectedIndividually) {
  const std::string json = R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
    {"name":"ok","gauge":{"dataPoints":[{"asInt":1}]}},
    {"name":"h","histogram":{"dataPoints":[
      {"count":2,"bucketCounts":[1,1],"explicitBounds":[1]},
      {"count":2,"bucketCounts":[1,1,0],"explicitBounds":[1]},
      {"count":1,"sum":"NaN"}]}},
    {"histogram":{"dataPoints":[{}, {}]}},
    {"name":"q","summary":{"dataPoints":[{"quantileValues":[{"quantile":-0.5}]}]}}]}]}]})";
  Decoded d = DecodeJson(json);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.result.accepted_data_points, 2u);
  EXPECT_EQ(d.result.rejected_data_points, 5u);
  EXPECT_EQ(d.result.rejection_message,
            "resourceMetrics[0].scopeMetrics[0].metrics[1].histogram.dataPoints[1]: bucket_counts "
            "has 3 entries but explicit_bounds has 1 (need 2)");
  ASSERT_EQ(d.batch.points.size(), 2u);
  EXPECT_EQ(d.batch.points[0].name, "ok");
  EXPECT_EQ(d.batch.points[1].name, "h");

  // The first reason of each kind, one request at a time.
  auto first_reason = [](std::string_view metrics) {
    Decoded one = DecodeJson(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[)" +
                             std::string(metrics) + "]}]}]}");
    EXPECT_TRUE(one.status.ok()) << one.status.message();
    return one.result.rejection_message;
  };
  EXPECT_EQ(first_reason(R"({"name":"h","histogram":{"dataPoints":[{"count":1,"sum":"NaN"}]}})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0]: sum is NaN");
  EXPECT_EQ(first_reason(R"({"histogram":{"dataPoints":[{}]}})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0]: metric name is empty");
  EXPECT_EQ(first_reason(R"({"name":"","gauge":{"dataPoints":[{}]}})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0]: metric name is empty");
  EXPECT_EQ(
      first_reason(R"({"name":"e","exponentialHistogram":{"dataPoints":[{"scale":100}]}})"),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0]: scale "
      "100 is outside [-10, 20]");
}

TEST(MetricsJsonTest, EmptyRequests) {
  for (const char* json :
       {"{}", R"({"resourceMetrics":[]})", R"({"resourceMetrics":null})",
        R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[]}]}]})",
        R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x"}]}]}]})"}) {
    SCOPED_TRACE(json);
    Decoded d = DecodeJson(json);
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_TRUE(d.batch.points.empty());
    EXPECT_EQ(d.result.accepted_data_points + d.result.rejected_data_points, 0u);
  }
}

TEST(MetricsJsonTest, ErrorsNameThePathAndAppendNothing) {
  const std::string prefix = "resourceMetrics[0].scopeMetrics[0].metrics[0].";
  struct Case {
    std::string metric;
    std::string message;
  };
  const Case cases[] = {
      // count is an integer: "NaN" there is a type error, not a point to reject.
      {R"({"name":"h","histogram":{"dataPoints":[{"count":"NaN"}]}})",
       prefix + "histogram.dataPoints[0].count: expected unsigned 64-bit integer"},
      {R"({"name":"h","histogram":{"dataPoints":[{"count":-1}]}})",
       prefix + "histogram.dataPoints[0].count: expected unsigned 64-bit integer"},
      {R"({"name":"h","histogram":{"dataPoints":[{"bucketCounts":[1,"x"]}]}})",
       prefix + "histogram.dataPoints[0].bucketCounts[1]: expected unsigned 64-bit integer"},
      {R"({"name":"h","histogram":{"dataPoints":[{"explicitBounds":[true]}]}})",
       prefix + "histogram.dataPoints[0].explicitBounds[0]: expected number"},
      {R"({"name":"h","histogram":{"dataPoints":[{"explicitBounds":1}]}})",
       prefix + "histogram.dataPoints[0].explicitBounds: expected array"},
      {R"({"name":"e","exponentialHistogram":{"dataPoints":[{"scale":2147483648}]}})",
       prefix + "exponentialHistogram.dataPoints[0].scale: expected integer"},
      {R"({"name":"e","exponentialHistogram":{"dataPoints":[{"positive":[]}]}})",
       prefix + "exponentialHistogram.dataPoints[0].positive: expected object"},
      {R"({"name":"s","sum":{"isMonotonic":"true","dataPoints":[]}})",
       prefix + "sum.isMonotonic: expected boolean"},
      {R"({"name":"s","sum":{"aggregationTemporality":1.5}})",
       prefix + "sum.aggregationTemporality: expected integer"},
      {R"({"name":"g","gauge":{"dataPoints":[{"asInt":1.5}]}})",
       prefix + "gauge.dataPoints[0].asInt: expected integer"},
      {R"({"name":"g","gauge":{"dataPoints":{}}})", prefix + "gauge.dataPoints: expected array"},
      {R"({"name":"g","gauge":[]})", prefix + "gauge: expected object"},
      {R"({"name":7})", prefix + "name: expected string"},
      {R"({"name":"q","summary":{"dataPoints":[{"quantileValues":[{"quantile":"x"}]}]}})",
       prefix + "summary.dataPoints[0].quantileValues[0].quantile: expected number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.metric);
    Decoded d;
    d.batch.points.emplace_back();
    d.status = DecodeMetricsRequestJson(
        R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[)" + c.metric + "]}]}]}", &d.batch,
        &d.result);
    ASSERT_FALSE(d.status.ok());
    EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status.message(), c.message);
    EXPECT_EQ(d.batch.points.size(), 1u);
    EXPECT_TRUE(d.batch.resources.empty());
    EXPECT_EQ(d.result.accepted_data_points + d.result.rejected_data_points, 0u);
  }
  EXPECT_FALSE(DecodeJson("[").status.ok());
  EXPECT_EQ(DecodeJson("[]").status.message(), "request body: expected a JSON object");
  EXPECT_EQ(DecodeJson(R"({"resourceMetrics":{}})").status.message(),
            "resourceMetrics: expected array");
}

TEST(MetricsJsonTest, InvalidUtf8AndDeepNesting) {
  EXPECT_EQ(
      DecodeJson("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"\xff\"}]}]}]}")
          .status.code(),
      StatusCode::kInvalidArgument);
  // Attribute values nested past the limit.
  std::string value = R"({"intValue":"1"})";
  for (int i = 1; i < 33; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  const std::string request =
      R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[)"
      R"({"attributes":[{"key":"k","value":)" +
      value + "}]}]}}]}]}]}";
  Decoded d = DecodeJson(request);
  ASSERT_FALSE(d.status.ok());
  EXPECT_NE(d.status.message().find("values nested deeper than 32"), std::string::npos)
      << d.status.message();
  // JSON nesting far beyond anything simdjson accepts.
  d = DecodeJson(R"({"resourceMetrics":)" + std::string(100000, '[') + std::string(100000, ']') +
                 "}");
  EXPECT_EQ(d.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(d.batch.points.empty());
}

TEST(MetricsJsonTest, EveryTruncationFailsCleanly) {
  const std::string json = GenAiMetricsJson();
  for (size_t n = 0; n < json.size(); ++n) {
    MetricBatch batch;
    Status status = DecodeMetricsRequestJson(json.substr(0, n), &batch, nullptr);
    ASSERT_FALSE(status.ok()) << n;
    ASSERT_TRUE(batch.points.empty()) << n;
  }
}

TEST(MetricsJsonTest, AppendsToANonEmptyBatchWithOffsetIndexes) {
  Decoded d = DecodeProto(GenAiMetricsProto());
  ASSERT_TRUE(d.status.ok());
  ASSERT_TRUE(DecodeMetricsRequestJson(GenAiMetricsJson(), &d.batch, &d.result).ok());
  ASSERT_EQ(d.batch.points.size(), 6u);
  EXPECT_EQ(d.result.accepted_data_points, 6u);
  EXPECT_EQ(d.batch.resources.size(), 2u);
  EXPECT_EQ(d.batch.scopes.size(), 2u);
  EXPECT_EQ(d.batch.points[3].resource_index, 1u);
  EXPECT_EQ(d.batch.points[3].scope_index, 1u);
  EXPECT_EQ(d.batch.points[5].name, "gen_ai.client.operation.duration");
}

// ---- The data point limit -----------------------------------------------------------------

TEST(MetricsLimitTest, PointsPastTheLimitAreRejectedNotDecoded) {
  DecodeLimits limits;
  limits.max_data_points = 2;
  for (bool json : {false, true}) {
    SCOPED_TRACE(json ? "json" : "proto");
    Decoded d =
        json ? DecodeJson(GenAiMetricsJson(), limits) : DecodeProto(GenAiMetricsProto(), limits);
    ASSERT_TRUE(d.status.ok()) << d.status.message();
    EXPECT_EQ(d.batch.points.size(), 2u);
    EXPECT_EQ(d.result.accepted_data_points, 2u);
    EXPECT_EQ(d.result.rejected_data_points, 1u);
    EXPECT_NE(d.result.rejection_message.find("more than 2 data points"), std::string::npos)
        << d.result.rejection_message;
  }
}

TEST(MetricsLimitTest, MillionsOfEmptyPointsStayCheap) {
  // A histogram of 2,000,000 empty points: 4 MB on the wire, gigabytes as MetricPoints.
  ProtoBytes data;
  for (int i = 0; i < 2'000'000; ++i) data.Len(1, "");
  std::string request = RequestOf({ProtoBytes().Len(1, "h").Len(9, data)});
  DecodeLimits limits;
  limits.max_data_points = 1000;
  Decoded d = DecodeProto(std::move(request), limits);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.batch.points.size(), 1000u);
  EXPECT_LE(d.batch.points.capacity(), 1000u);
  EXPECT_EQ(d.result.accepted_data_points, 1000u);
  EXPECT_EQ(d.result.rejected_data_points, 1'999'000u);
}

}  // namespace
}  // namespace tokenscope::otlp
