#include "server/api_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tokenscope::server {
namespace {

std::string Render(const model::AnyValue& v) {
  JsonOut out;
  WriteAnyValue(out, v);
  return out.Take();
}

TEST(ApiJsonTest, EveryValueType) {
  EXPECT_EQ(Render(model::AnyValue()), "null");
  EXPECT_EQ(Render(model::AnyValue::String("a\"b\n")), R"("a\"b\n")");
  EXPECT_EQ(Render(model::AnyValue::Bool(true)), "true");
  EXPECT_EQ(Render(model::AnyValue::Int(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(Render(model::AnyValue::Double(1.0)), "1.0");
  EXPECT_EQ(Render(model::AnyValue::Double(0.25)), "0.25");
  EXPECT_EQ(Render(model::AnyValue::Double(std::nan(""))), R"("NaN")");
  EXPECT_EQ(Render(model::AnyValue::Double(-INFINITY)), R"("-Infinity")");
  EXPECT_EQ(Render(model::AnyValue::Bytes(std::string_view("\x00\xff", 2))), R"("AP8=")");

  model::AnyValue arr;
  arr.type = model::ValueType::kArray;
  arr.array_value.push_back(model::AnyValue::Int(1));
  arr.array_value.push_back(model::AnyValue::String("x"));
  model::AnyValue kv;
  kv.type = model::ValueType::kKvList;
  kv.kvlist_value.push_back({"inner", arr});
  EXPECT_EQ(Render(kv), R"({"inner":[1,"x"]})");
}

TEST(ApiJsonTest, SpanHasEveryDocumentedField) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.resources[0].attributes.push_back({"service.name", model::AnyValue::String("svc")});
  batch.scopes.emplace_back();
  batch.scopes[0].name = "lib";
  model::Span span;
  span.trace_id[0] = 0xab;
  span.span_id[7] = 0x01;
  span.name = "op";
  span.kind = model::SpanKind::kClient;
  span.start_time_unix_nano = 1763000000000000001ull;
  span.end_time_unix_nano = 1763000000000000101ull;
  span.status.code = model::StatusCode::kError;
  span.status.message = "boom";
  batch.spans.push_back(span);
  JsonOut out;
  WriteSpan(out, batch, batch.spans[0], nullptr);
  std::string json = out.Take();
  for (const char* needle :
       {R"("trace_id":"ab000000000000000000000000000000")", R"("span_id":"0000000000000001")",
        R"("parent_span_id":"")", R"("kind":"client")", R"("service":"svc")",
        R"("start_time_unix_nano":"1763000000000000001")", R"("duration_ns":100)",
        R"("status":{"code":"error","message":"boom"})", R"("scope":{"name":"lib")",
        R"("events":[])", R"("links":[])", R"("dropped_links_count":0)",
        R"("error_class":"unknown")", R"("error_fingerprint":"unknown:)"}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle << " in " << json;
  }
}

TEST(ApiJsonTest, RateLimitedSpanIsInfrastructure) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::Span span;
  span.status.code = model::StatusCode::kError;
  span.status.message = "429 Rate limit reached for requests";
  batch.spans.push_back(span);
  JsonOut out;
  WriteSpan(out, batch, batch.spans[0], nullptr);
  std::string json = out.Take();
  EXPECT_NE(json.find(R"("error_class":"infrastructure")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("error_reason":"rate_limited")"), std::string::npos) << json;
}

TEST(ApiJsonTest, HealthySpanHasNoErrorFields) {
  model::SpanBatch batch;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  batch.spans.emplace_back();
  JsonOut out;
  WriteSpan(out, batch, batch.spans[0], nullptr);
  EXPECT_EQ(out.Take().find("error_class"), std::string::npos);
}

}  // namespace
}  // namespace tokenscope::server
