#include "enrich/span_analysis.h"

#include <gtest/gtest.h>

#include <string_view>

#include "enrich/pricing.h"
#include "semconv/test_span.h"
#include "tokenize/encoding.h"

namespace tokenscope::enrich {
namespace {

using semconv::testing::TestSpan;

constexpr std::string_view kSystem = R"([{"type":"text","content":"You are terse."}])";
constexpr std::string_view kInput =
    R"([{"role":"user","parts":[{"type":"text","content":"What is the capital of France?"}]}])";
constexpr std::string_view kOutput =
    R"([{"role":"assistant","parts":[{"type":"text","content":"Paris."}],"finish_reason":"stop"}])";

// An OTel GenAI (>= 1.37) chat span with content but, unless added, no usage.
void ChatSpan(TestSpan& t, std::string_view provider, std::string_view model) {
  t.span.name = "chat";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", provider)
      .Str("gen_ai.request.model", model)
      .Str("gen_ai.system_instructions", kSystem)
      .Str("gen_ai.input.messages", kInput)
      .Str("gen_ai.output.messages", kOutput);
}

const PriceTable& Prices() {
  static const PriceTable* const table = [] {
    auto builtin = PriceTable::Builtin();
    EXPECT_TRUE(builtin.ok()) << builtin.status().ToString();
    return new PriceTable(builtin.ok() ? *builtin : PriceTable());
  }();
  return *table;
}

model::LlmInfo Analyze(const TestSpan& t) {
  auto llm = PricedLlmInfo(t.span, t.resource, t.scope, &Prices());
  EXPECT_TRUE(llm.has_value());
  return llm ? *llm : model::LlmInfo{};
}

int64_t Tokens(std::string_view encoding_name, std::string_view text) {
  auto encoding = tokenize::Encoding::Get(encoding_name);
  EXPECT_TRUE(encoding.ok());
  return static_cast<int64_t>((*encoding)->CountTokens(text));
}

// The OpenAI Cookbook's count for the messages of `llm`: 3 per message plus its role and parts,
// 1 more per name plus the name, 3 for the reply priming.
int64_t FramedInputTokens(std::string_view encoding, const model::LlmInfo& llm) {
  int64_t tokens = 3;
  for (const auto* messages : {&llm.system_instructions, &llm.input_messages}) {
    for (const model::Message& message : *messages) {
      tokens += 3 + Tokens(encoding, message.role);
      if (!message.name.empty()) tokens += 1 + Tokens(encoding, message.name);
      for (const model::MessagePart& part : message.parts) {
        tokens += Tokens(encoding, part.text) + Tokens(encoding, part.tool_name) +
                  Tokens(encoding, part.arguments);
      }
    }
  }
  return tokens;
}

TEST(SpanAnalysisTest, MissingUsageIsEstimatedFramedAndPriced) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  const model::LlmInfo llm = Analyze(t);
  // system: 3 + "system" (1) + "You are terse." (4); user: 3 + "user" (1) + the question (7);
  // reply priming: 3.
  EXPECT_EQ(llm.usage.input_tokens, 22);
  EXPECT_EQ(llm.usage.input_tokens, FramedInputTokens("o200k_base", llm));
  EXPECT_EQ(llm.usage.output_tokens, 2);  // "Paris."
  EXPECT_EQ(llm.usage.total_tokens, 24);
  EXPECT_TRUE(llm.usage.input_estimated);
  EXPECT_TRUE(llm.usage.output_estimated);

  ASSERT_TRUE(llm.cost.has_value());
  EXPECT_GT(llm.cost->input_nanos, 0);
  EXPECT_GT(llm.cost->output_nanos, 0);
  const auto expected =
      Prices().ComputeCost(llm.usage, "openai", "gpt-4o", t.span.start_time_unix_nano);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(llm.cost->total_nanos, expected->total_nanos);
  EXPECT_EQ(llm.cost->price_id, expected->price_id);
}

// A refused call (429, context length exceeded) is not billed: no usage is invented for it.
TEST(SpanAnalysisTest, FailedCallsAreNotEstimated) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  t.span.status.code = model::StatusCode::kError;
  t.span.status.message = "429 Rate limit reached";
  const model::LlmInfo llm = Analyze(t);
  EXPECT_EQ(llm.usage.input_tokens, std::nullopt);
  EXPECT_EQ(llm.usage.output_tokens, std::nullopt);
  EXPECT_FALSE(llm.usage.input_estimated);
  EXPECT_FALSE(llm.cost.has_value());  // nothing to price
}

TEST(SpanAnalysisTest, ReportedUsageIsKept) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  t.Int("gen_ai.usage.input_tokens", 20).Int("gen_ai.usage.output_tokens", 3);
  const model::LlmInfo llm = Analyze(t);
  EXPECT_EQ(llm.usage.input_tokens, 20);
  EXPECT_EQ(llm.usage.output_tokens, 3);
  EXPECT_EQ(llm.usage.total_tokens, 23);
  EXPECT_FALSE(llm.usage.input_estimated);
  EXPECT_FALSE(llm.usage.output_estimated);
}

TEST(SpanAnalysisTest, OnlyTheMissingSideIsEstimated) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  t.Int("gen_ai.usage.input_tokens", 20);
  const model::LlmInfo llm = Analyze(t);
  EXPECT_EQ(llm.usage.input_tokens, 20);
  EXPECT_FALSE(llm.usage.input_estimated);
  EXPECT_EQ(llm.usage.output_tokens, 2);
  EXPECT_TRUE(llm.usage.output_estimated);
  EXPECT_EQ(llm.usage.total_tokens, 22);
  ASSERT_TRUE(llm.cost.has_value());
  EXPECT_GT(llm.cost->output_nanos, 0);
}

TEST(SpanAnalysisTest, AReportedTotalStays) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  t.Int("gen_ai.usage.output_tokens", 3).Int("llm.usage.total_tokens", 30);
  const model::LlmInfo llm = Analyze(t);
  EXPECT_EQ(llm.usage.output_tokens, 3);
  EXPECT_FALSE(llm.usage.output_estimated);
  EXPECT_TRUE(llm.usage.input_estimated);
  EXPECT_EQ(llm.usage.total_tokens, 30);
}

TEST(SpanAnalysisTest, NamesAndToolCallsAreCounted) {
  TestSpan t;
  t.span.name = "chat";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o-mini")
      .Str(
          "gen_ai.input.messages",
          R"([{"role":"user","name":"alice","parts":[{"type":"text","content":"Weather in Paris?"}]},)"
          R"({"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}]},)"
          R"({"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"18C, sunny"}]}])")
      .Str(
          "gen_ai.output.messages",
          R"([{"role":"assistant","parts":[{"type":"reasoning","content":"The tool said 18C."},)"
          R"({"type":"text","content":"It is 18C and sunny."},)"
          R"({"type":"tool_call","id":"c2","name":"notify","arguments":"{\"to\":\"alice\"}"}],"finish_reason":"stop"}])");
  const model::LlmInfo llm = Analyze(t);
  ASSERT_EQ(llm.input_messages.size(), 3u);
  EXPECT_EQ(llm.input_messages[0].name, "alice");
  EXPECT_EQ(llm.usage.input_tokens, FramedInputTokens("o200k_base", llm));
  int64_t output = 0;
  for (const model::MessagePart& part : llm.output_messages.at(0).parts) {
    output += Tokens("o200k_base", part.text) + Tokens("o200k_base", part.tool_name) +
              Tokens("o200k_base", part.arguments);
  }
  EXPECT_GT(output, 10);
  EXPECT_EQ(llm.usage.output_tokens, output);
  EXPECT_TRUE(llm.usage.input_estimated && llm.usage.output_estimated);
}

TEST(SpanAnalysisTest, ModelPicksTheEncoding) {
  // gpt-4 uses cl100k_base, where this text tokenizes differently from o200k_base.
  constexpr std::string_view kText = "Schadenfreude über Übermorgen – 今日は";
  ASSERT_NE(Tokens("cl100k_base", kText), Tokens("o200k_base", kText));
  const std::string output =
      std::string(R"([{"role":"assistant","parts":[{"type":"text","content":")") +
      std::string(kText) + R"("}]}])";
  TestSpan t;
  t.span.name = "chat";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4-0613")
      .Str("gen_ai.output.messages", output);
  EXPECT_EQ(Analyze(t).usage.output_tokens, Tokens("cl100k_base", kText));
}

TEST(SpanAnalysisTest, OtherProvidersAreApproximatedWithO200k) {
  TestSpan t;
  ChatSpan(t, "anthropic", "claude-sonnet-4-5-20250929");
  const model::LlmInfo llm = Analyze(t);
  EXPECT_EQ(llm.usage.input_tokens, 22);
  EXPECT_EQ(llm.usage.output_tokens, 2);
  EXPECT_TRUE(llm.usage.input_estimated);
  EXPECT_TRUE(llm.usage.output_estimated);
}

TEST(SpanAnalysisTest, NothingToCountLeavesUsageMissing) {
  TestSpan t;
  t.span.name = "chat";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o");
  const model::LlmInfo llm = Analyze(t);
  EXPECT_FALSE(llm.usage.input_tokens.has_value());
  EXPECT_FALSE(llm.usage.output_tokens.has_value());
  EXPECT_FALSE(llm.usage.total_tokens.has_value());
  EXPECT_FALSE(llm.usage.input_estimated);
  EXPECT_FALSE(llm.usage.output_estimated);
  EXPECT_FALSE(llm.cost.has_value() && llm.cost->total_nanos != 0);
}

TEST(SpanAnalysisTest, OnlyLlmCallsAreEstimated) {
  TestSpan t;
  t.span.name = "invoke_agent";
  t.Str("gen_ai.operation.name", "invoke_agent")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o")
      .Str("gen_ai.input.messages", kInput)
      .Str("gen_ai.output.messages", kOutput);
  const model::LlmInfo llm = Analyze(t);
  ASSERT_NE(llm.kind, model::LlmSpanKind::kLlm);
  EXPECT_FALSE(llm.usage.input_tokens.has_value());
  EXPECT_FALSE(llm.usage.output_tokens.has_value());
  EXPECT_FALSE(llm.usage.input_estimated);
}

TEST(SpanAnalysisTest, EstimatesDoNotDependOnPrices) {
  TestSpan t;
  ChatSpan(t, "openai", "gpt-4o");
  auto llm = PricedLlmInfo(t.span, t.resource, t.scope, nullptr);
  ASSERT_TRUE(llm.has_value());
  EXPECT_EQ(llm->usage.input_tokens, 22);
  EXPECT_TRUE(llm->usage.input_estimated);
  EXPECT_FALSE(llm->cost.has_value());
}

}  // namespace
}  // namespace tokenscope::enrich
