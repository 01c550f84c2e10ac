#include "rollup/rollup.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::rollup {
namespace {

constexpr uint64_t kStart = 1763000000000000000ULL;

struct Fixture {
  model::Span span;
  model::Resource resource;
  model::LlmInfo llm;

  Fixture() {
    span.name = "chat gpt-4o";
    span.start_time_unix_nano = kStart;
    span.end_time_unix_nano = kStart + 1'500'000'000;
    span.attributes.push_back({"team", model::AnyValue::String("search")});
    span.attributes.push_back({"tier", model::AnyValue::Int(3)});
    span.attributes.push_back({"beta", model::AnyValue::Bool(true)});
    span.attributes.push_back({"ratio", model::AnyValue::Double(0.25)});
    resource.attributes.push_back({"service.name", model::AnyValue::String("rag-api")});
    resource.attributes.push_back({"deployment.environment", model::AnyValue::String("prod")});
    llm.kind = model::LlmSpanKind::kLlm;
    llm.operation = "chat";
    llm.provider = "openai";
    llm.request_model = "gpt-4o";
    llm.response_model = "gpt-4o-2024-08-06";
    llm.usage.input_tokens = 1200;
    llm.usage.output_tokens = 300;
    llm.usage.cache_read_input_tokens = 1000;
    llm.usage.reasoning_tokens = 100;
    model::Cost cost;
    cost.input_nanos = 500'000;
    cost.cache_read_nanos = 1'250'000;
    cost.output_nanos = 3'000'000;
    cost.total_nanos = 4'750'000;
    llm.cost = cost;
    llm.timing.time_to_first_token_ns = 400'000'000;
  }
};

std::vector<AllocationDimension> Dimensions() {
  return {{"team", DimensionSource::kSpanAttribute, "team"},
          {"env", DimensionSource::kResourceAttribute, "deployment.environment"},
          {"feature", DimensionSource::kBaggage, "feature"}};
}

TEST(RollupTest, ContributionOfAnLlmCall) {
  Fixture f;
  auto entry = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kNone, Dimensions());
  ASSERT_TRUE(entry.has_value());
  const RollupKey& key = entry->key;
  EXPECT_EQ(key.minute, kStart / 60'000'000'000ULL);
  EXPECT_EQ(key.service, "rag-api");
  EXPECT_EQ(key.model, "gpt-4o-2024-08-06");  // the response model when known
  EXPECT_EQ(key.provider, "openai");
  EXPECT_EQ(key.operation, "chat");
  EXPECT_EQ(key.error_class, "");
  ASSERT_EQ(key.dimensions.size(), 3u);
  EXPECT_EQ(key.dimensions[0], (std::pair<std::string, std::string>("team", "search")));
  EXPECT_EQ(key.dimensions[1], (std::pair<std::string, std::string>("env", "prod")));
  EXPECT_EQ(key.dimensions[2], (std::pair<std::string, std::string>("feature", "")));

  const RollupCell& cell = entry->cell;
  EXPECT_EQ(cell.requests, 1u);
  EXPECT_EQ(cell.errors, 0u);
  EXPECT_EQ(cell.input_tokens, 1200);
  EXPECT_EQ(cell.output_tokens, 300);
  EXPECT_EQ(cell.cache_read_input_tokens, 1000);
  EXPECT_EQ(cell.cache_creation_input_tokens, 0);
  EXPECT_EQ(cell.reasoning_tokens, 100);
  EXPECT_EQ(cell.total_tokens, 1500);  // missing total: input + output
  EXPECT_EQ(cell.input_cost_nanos, 500'000);
  EXPECT_EQ(cell.cache_read_cost_nanos, 1'250'000);
  EXPECT_EQ(cell.output_cost_nanos, 3'000'000);
  EXPECT_EQ(cell.total_cost_nanos, 4'750'000);
  EXPECT_EQ(cell.latency_ns.Count(), 1u);
  EXPECT_EQ(cell.latency_ns.Max(), 1.5e9);
  EXPECT_EQ(cell.ttft_ns.Count(), 1u);
  EXPECT_EQ(cell.ttft_ns.Max(), 4e8);
}

TEST(RollupTest, ErroredCallCountsAnErrorAndItsClass) {
  Fixture f;
  f.llm.cost.reset();
  f.llm.timing.time_to_first_token_ns.reset();
  auto entry = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kInfrastructure, {});
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->key.error_class, "infrastructure");
  EXPECT_EQ(entry->cell.errors, 1u);
  EXPECT_EQ(entry->cell.total_cost_nanos, 0);
  EXPECT_TRUE(entry->cell.ttft_ns.empty());
  EXPECT_TRUE(entry->key.dimensions.empty());
}

TEST(RollupTest, OnlyLlmAndEmbeddingCallsContribute) {
  Fixture f;
  f.llm.kind = model::LlmSpanKind::kEmbedding;
  EXPECT_TRUE(ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kNone, {}));
  for (auto kind :
       {model::LlmSpanKind::kAgent, model::LlmSpanKind::kChain, model::LlmSpanKind::kTool,
        model::LlmSpanKind::kRetrieval, model::LlmSpanKind::kOther}) {
    f.llm.kind = kind;
    EXPECT_FALSE(ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kNone, {}))
        << model::LlmSpanKindName(kind);
  }
  EXPECT_FALSE(ContributionOf(f.span, f.resource, std::nullopt, model::ErrorClass::kNone, {}));
}

TEST(RollupTest, DimensionValuesAsStrings) {
  Fixture f;
  auto value = [&](DimensionSource source, const char* key) {
    return DimensionValue(f.span, f.resource, {"d", source, key});
  };
  EXPECT_EQ(value(DimensionSource::kSpanAttribute, "tier"), "3");
  EXPECT_EQ(value(DimensionSource::kSpanAttribute, "beta"), "true");
  EXPECT_EQ(value(DimensionSource::kSpanAttribute, "ratio"), "0.25");
  EXPECT_EQ(value(DimensionSource::kSpanAttribute, "missing"), "");
  EXPECT_EQ(value(DimensionSource::kResourceAttribute, "team"), "");
  EXPECT_EQ(value(DimensionSource::kBaggage, "team"), "search");

  std::string long_value(300, 'a');
  long_value.replace(255, 2, "\xc3\xa9");  // é across the cut
  f.span.attributes.push_back({"long", model::AnyValue::String(long_value)});
  EXPECT_EQ(value(DimensionSource::kSpanAttribute, "long"), std::string(255, 'a'));
}

TEST(RollupTest, KeyEncodingRoundTripAndStrictness) {
  RollupKey key;
  key.minute = 99;
  key.service = "svc";
  key.model = "m";
  key.provider = "p";
  key.operation = "chat";
  key.error_class = "model";
  key.dimensions = {{"team", "a"}, {"env", ""}};
  std::string bytes;
  EncodeKeyDimensions(key, &bytes);
  RollupKey back;
  back.minute = 99;
  ASSERT_TRUE(DecodeKeyDimensions(bytes, &back).ok());
  EXPECT_EQ(back, key);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeKeyDimensions(bytes.substr(0, n), &back).ok()) << n;
  }
  EXPECT_FALSE(DecodeKeyDimensions(bytes + "x", &back).ok());
  std::string bad_version = bytes;
  bad_version[0] = 9;
  EXPECT_FALSE(DecodeKeyDimensions(bad_version, &back).ok());
}

TEST(RollupTest, CellEncodingRoundTripAndStrictness) {
  Fixture f;
  RollupCell cell = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kModel, {})->cell;
  cell.input_tokens = -7;  // signed fields survive, whatever the data
  std::string bytes;
  EncodeCell(cell, &bytes);
  StatusOr<RollupCell> back = DecodeCell(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, cell);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeCell(bytes.substr(0, n)).ok()) << n;
  EXPECT_FALSE(DecodeCell(bytes + '\0').ok());
  StatusOr<RollupCell> empty = DecodeCell("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("malformed rollup cell"), std::string::npos);

  RollupCell more_errors;
  more_errors.errors = 2;
  std::string bad;
  EncodeCell(more_errors, &bad);
  EXPECT_FALSE(DecodeCell(bad).ok());
}

TEST(RollupTest, CellMergeIsAssociativeAndCommutative) {
  Fixture f;
  RollupCell a = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kNone, {})->cell;
  f.span.end_time_unix_nano += 700'000'000;
  f.llm.usage.total_tokens = 9;
  RollupCell b = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kPrompt, {})->cell;
  f.llm.kind = model::LlmSpanKind::kEmbedding;
  f.llm.cost.reset();
  RollupCell c = ContributionOf(f.span, f.resource, f.llm, model::ErrorClass::kNone, {})->cell;

  RollupCell ab_c = a;
  ab_c.Merge(b);
  ab_c.Merge(c);
  RollupCell bc = b;
  bc.Merge(c);
  RollupCell a_bc = a;
  a_bc.Merge(bc);
  RollupCell cba = c;
  cba.Merge(b);
  cba.Merge(a);
  EXPECT_EQ(ab_c, a_bc);
  EXPECT_EQ(ab_c, cba);
  EXPECT_EQ(ab_c.requests, 3u);
  EXPECT_EQ(ab_c.errors, 1u);
  EXPECT_EQ(ab_c.total_tokens, 1500 + 9 + 9);
  EXPECT_EQ(ab_c.total_cost_nanos, 2 * 4'750'000);
}

}  // namespace
}  // namespace tokenscope::rollup

namespace tokenscope::rollup {
namespace {

TEST(ParseAllocationDimensionsTest, ReadsEverySource) {
  auto parsed = ParseAllocationDimensions(
      "team=resource:team.name, feature ,tier=baggage:user.tier,pv=attr:langfuse.prompt.version");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].name, "team");
  EXPECT_EQ((*parsed)[0].source, DimensionSource::kResourceAttribute);
  EXPECT_EQ((*parsed)[0].key, "team.name");
  EXPECT_EQ((*parsed)[1].name, "feature");
  EXPECT_EQ((*parsed)[1].source, DimensionSource::kSpanAttribute);
  EXPECT_EQ((*parsed)[1].key, "feature");
  EXPECT_EQ((*parsed)[2].source, DimensionSource::kBaggage);
  EXPECT_EQ((*parsed)[3].key, "langfuse.prompt.version");
  EXPECT_TRUE(ParseAllocationDimensions("")->empty());
}

TEST(ParseAllocationDimensionsTest, RefusesWhatCannotBeMeant) {
  for (const char* bad : {"team,", ",team", "team,team", "model", "session", "a b", "t=x:y",
                          "t=resource", "t=resource:", "=attr:x"}) {
    auto parsed = ParseAllocationDimensions(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace tokenscope::rollup
