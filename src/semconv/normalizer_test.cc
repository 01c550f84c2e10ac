// Normalizer tests. Fixtures reproduce what instrumentation libraries emit, key for key and
// type for type; each names the library and version whose shape it follows.
#include "semconv/normalizer.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "semconv/test_span.h"

namespace tokenscope::semconv {
namespace {

using model::LlmInfo;
using model::LlmSpanKind;
using model::Message;
using model::PartType;
using testing::TestSpan;

// The text parts of a message, concatenated.
std::string TextOf(const Message& message) {
  std::string text;
  for (const model::MessagePart& part : message.parts) {
    if (part.type == PartType::kText) text += part.text;
  }
  return text;
}

LlmInfo MustNormalize(const TestSpan& t) {
  std::optional<LlmInfo> info = t.Normalize();
  EXPECT_TRUE(info.has_value());
  return info.value_or(LlmInfo{});
}

// ---------------------------------------------------------------------------------------------
// One chat call ("You are terse." / "What is the capital of France?" -> "Paris.", gpt-4o,
// 20 input and 3 output tokens) as each library reports it.

constexpr std::string_view kSystem = "You are terse.";
constexpr std::string_view kQuestion = "What is the capital of France?";
constexpr std::string_view kAnswer = "Paris.";

// OTel semconv v1.26 (docs/gen-ai/llm-spans.md): content as span events gen_ai.content.prompt /
// gen_ai.content.completion holding JSON text, old token names.
void OtelV126(TestSpan& t) {
  t.span.name = "chat gpt-4o";
  t.Str("gen_ai.system", "openai")
      .Str("gen_ai.request.model", "gpt-4o")
      .Int("gen_ai.request.max_tokens", 100)
      .Dbl("gen_ai.request.temperature", 0.2)
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Strs("gen_ai.response.finish_reasons", {"stop"})
      .Int("gen_ai.usage.prompt_tokens", 20)
      .Int("gen_ai.usage.completion_tokens", 3);
  t.Event("gen_ai.content.prompt", 1000,
          {{"gen_ai.prompt",
            t.S(R"([{"role": "system", "content": "You are terse."},)"
                R"( {"role": "user", "content": "What is the capital of France?"}])")}});
  t.Event("gen_ai.content.completion", 2000,
          {{"gen_ai.completion", t.S(R"([{"role": "assistant", "content": "Paris."}])")}});
}

// OTel semconv v1.28 per-message events, recorded as span events with the body fields as
// event attributes (opentelemetry-instrumentation-openai-v2 2.0b0 event bodies: the role is
// implied by the event name; gen_ai.choice carries index, finish_reason and message).
void OtelV128(TestSpan& t) {
  t.span.name = "chat gpt-4o";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.system", "openai")
      .Str("gen_ai.request.model", "gpt-4o")
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Str("gen_ai.response.id", "chatcmpl-123")
      .Strs("gen_ai.response.finish_reasons", {"stop"})
      .Int("gen_ai.usage.input_tokens", 20)
      .Int("gen_ai.usage.output_tokens", 3);
  t.Event("gen_ai.system.message", 10,
          {{"gen_ai.system", t.S("openai")}, {"content", t.S(kSystem)}});
  t.Event("gen_ai.user.message", 11,
          {{"gen_ai.system", t.S("openai")}, {"content", t.S(kQuestion)}});
  t.Event("gen_ai.choice", 20,
          {{"gen_ai.system", t.S("openai")},
           {"index", TestSpan::I(0)},
           {"finish_reason", t.S("stop")},
           {"message", t.Map({{"role", t.S("assistant")}, {"content", t.S(kAnswer)}})}});
}

// OTel semconv >= v1.37 (gen-ai-input-messages.json / gen-ai-output-messages.json) as JSON text
// on the span, the way opentelemetry-instrumentation-openai-v2 writes it under
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental.
void OtelV137(TestSpan& t) {
  t.span.name = "chat gpt-4o";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o")
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Strs("gen_ai.response.finish_reasons", {"stop"})
      .Int("gen_ai.usage.input_tokens", 20)
      .Int("gen_ai.usage.output_tokens", 3)
      .Str("gen_ai.system_instructions", R"([{"type":"text","content":"You are terse."}])")
      .Str(
          "gen_ai.input.messages",
          R"([{"role":"user","parts":[{"type":"text","content":"What is the capital of France?"}]}])")
      .Str(
          "gen_ai.output.messages",
          R"([{"role":"assistant","parts":[{"type":"text","content":"Paris."}],"finish_reason":"stop"}])");
}

// OTel semconv >= v1.37 with content only on the gen_ai.client.inference.operation.details
// event, as structured AnyValues (the event repeats the usage attributes).
void OtelOperationDetails(TestSpan& t) {
  t.span.name = "chat gpt-4o";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o");
  auto text_part = [&t](std::string_view text) {
    return t.Map({{"type", t.S("text")}, {"content", t.S(text)}});
  };
  t.Event(
      "gen_ai.client.inference.operation.details", 2000,
      {{"gen_ai.response.model", t.S("gpt-4o-2024-08-06")},
       {"gen_ai.usage.input_tokens", TestSpan::I(20)},
       {"gen_ai.usage.output_tokens", TestSpan::I(3)},
       {"gen_ai.input.messages",
        TestSpan::Array(
            {t.Map({{"role", t.S("system")}, {"parts", TestSpan::Array({text_part(kSystem)})}}),
             t.Map({{"role", t.S("user")}, {"parts", TestSpan::Array({text_part(kQuestion)})}})})},
       {"gen_ai.output.messages",
        TestSpan::Array({t.Map({{"role", t.S("assistant")},
                                {"parts", TestSpan::Array({text_part(kAnswer)})},
                                {"finish_reason", t.S("stop")}})})}});
}

// openinference-instrumentation-openai 0.1.x: flattened messages, JSON invocation parameters,
// request/response JSON in input.value / output.value.
void OpenInferenceOpenAi(TestSpan& t) {
  t.span.name = "ChatCompletion";
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.system", "openai")
      .Str("llm.provider", "openai")
      .Str("llm.model_name", "gpt-4o-2024-08-06")
      .Str("llm.invocation_parameters",
           R"({"model": "gpt-4o", "temperature": 0.2, "max_tokens": 100})")
      .Str(
          "input.value",
          R"({"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", )"
          R"("content": "What is the capital of France?"}], "model": "gpt-4o", "temperature": 0.2})")
      .Str("input.mime_type", "application/json")
      .Str("llm.input_messages.0.message.role", "system")
      .Str("llm.input_messages.0.message.content", kSystem)
      .Str("llm.input_messages.1.message.role", "user")
      .Str("llm.input_messages.1.message.content", kQuestion)
      .Str(
          "output.value",
          R"({"id":"chatcmpl-123","choices":[{"finish_reason":"stop","index":0,"logprobs":null,)"
          R"("message":{"content":"Paris.","role":"assistant"}}],"model":"gpt-4o-2024-08-06",)"
          R"("object":"chat.completion","usage":{"completion_tokens":3,"prompt_tokens":20,"total_tokens":23}})")
      .Str("output.mime_type", "application/json")
      .Str("llm.output_messages.0.message.role", "assistant")
      .Str("llm.output_messages.0.message.content", kAnswer)
      .Int("llm.token_count.prompt", 20)
      .Int("llm.token_count.completion", 3)
      .Int("llm.token_count.total", 23);
}

// opentelemetry-instrumentation-openai 0.33 (semconv-ai 0.4.x, "classic" OpenLLMetry).
void OpenLlmetryClassic(TestSpan& t) {
  t.span.name = "openai.chat";
  t.Str("llm.request.type", "chat")
      .Str("gen_ai.system", "OpenAI")
      .Str("gen_ai.request.model", "gpt-4o")
      .Int("gen_ai.request.max_tokens", 100)
      .Dbl("gen_ai.request.temperature", 0.2)
      .Str("llm.headers", "None")
      .Bool("llm.is_streaming", false)
      .Str("gen_ai.openai.api_base", "https://api.openai.com/v1/")
      .Str("gen_ai.prompt.0.role", "system")
      .Str("gen_ai.prompt.0.content", kSystem)
      .Str("gen_ai.prompt.1.role", "user")
      .Str("gen_ai.prompt.1.content", kQuestion)
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Int("llm.usage.total_tokens", 23)
      .Int("gen_ai.usage.completion_tokens", 3)
      .Int("gen_ai.usage.prompt_tokens", 20)
      .Int("gen_ai.usage.cache_read_input_tokens", 0)
      .Str("gen_ai.openai.system_fingerprint", "fp_123")
      .Str("gen_ai.completion.0.finish_reason", "stop")
      .Str("gen_ai.completion.0.role", "assistant")
      .Str("gen_ai.completion.0.content", kAnswer);
}

// opentelemetry-instrumentation-openai 0.5x (semconv-ai 0.5.x): OTel names, messages as JSON
// text, OpenLLMetry extras (gen_ai.usage.total_tokens, gen_ai.is_streaming).
void OpenLlmetryCurrent(TestSpan& t) {
  t.span.name = "openai.chat";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Str("gen_ai.request.model", "gpt-4o")
      .Bool("gen_ai.is_streaming", false)
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Int("gen_ai.usage.input_tokens", 20)
      .Int("gen_ai.usage.output_tokens", 3)
      .Int("gen_ai.usage.total_tokens", 23)
      .Str(
          "gen_ai.input.messages",
          R"([{"role":"system","parts":[{"type":"text","content":"You are terse."}]},)"
          R"({"role":"user","parts":[{"type":"text","content":"What is the capital of France?"}]}])")
      .Str(
          "gen_ai.output.messages",
          R"([{"role":"assistant","parts":[{"type":"text","content":"Paris."}],"finish_reason":"stop"}])");
}

// Langfuse Python SDK 3.x (start_as_current_generation + update): every value JSON-serialized.
void LangfuseGeneration(TestSpan& t) {
  t.span.name = "chat";
  t.Str("langfuse.observation.type", "generation")
      .Str("langfuse.observation.model.name", "gpt-4o-2024-08-06")
      .Str("langfuse.observation.model.parameters", R"({"temperature": 0.2, "max_tokens": 100})")
      .Str("langfuse.observation.input",
           R"([{"role": "system", "content": "You are terse."}, {"role": "user", "content": )"
           R"("What is the capital of France?"}])")
      .Str("langfuse.observation.output", R"({"role": "assistant", "content": "Paris."})")
      .Str("langfuse.observation.usage_details", R"({"input": 20, "output": 3, "total": 23})");
}

// Vercel AI SDK 4.x generateText, the provider-call span ai.generateText.doGenerate.
void VercelV4(TestSpan& t) {
  t.span.name = "ai.generateText.doGenerate";
  t.Str("operation.name", "ai.generateText.doGenerate")
      .Str("ai.operationId", "ai.generateText.doGenerate")
      .Str("ai.model.provider", "openai.chat")
      .Str("ai.model.id", "gpt-4o")
      .Int("ai.settings.maxRetries", 2)
      .Dbl("ai.settings.temperature", 0.2)
      .Int("ai.settings.maxTokens", 100)
      .Str("ai.prompt.format", "messages")
      .Str("ai.prompt.messages",
           R"([{"role":"system","content":"You are terse."},{"role":"user","content":)"
           R"([{"type":"text","text":"What is the capital of France?"}]}])")
      .Str("gen_ai.system", "openai.chat")
      .Str("gen_ai.request.model", "gpt-4o")
      .Dbl("gen_ai.request.temperature", 0.2)
      .Int("gen_ai.request.max_tokens", 100)
      .Str("ai.response.finishReason", "stop")
      .Str("ai.response.text", kAnswer)
      .Str("ai.response.id", "chatcmpl-123")
      .Str("ai.response.model", "gpt-4o-2024-08-06")
      .Str("ai.response.timestamp", "2025-01-02T03:04:06.000Z")
      .Int("ai.usage.promptTokens", 20)
      .Int("ai.usage.completionTokens", 3)
      .Strs("gen_ai.response.finish_reasons", {"stop"})
      .Str("gen_ai.response.id", "chatcmpl-123")
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Int("gen_ai.usage.input_tokens", 20)
      .Int("gen_ai.usage.output_tokens", 3);
}

// Vercel AI SDK 6 streamText, the provider-call span ai.streamText.doStream (JavaScript numbers
// exported as doubles by some exporters).
void VercelV6(TestSpan& t) {
  t.span.name = "ai.streamText.doStream";
  t.Str("ai.operationId", "ai.streamText.doStream")
      .Str("ai.model.provider", "openai.responses")
      .Str("ai.model.id", "gpt-4o")
      .Str("ai.prompt.messages",
           R"([{"role":"system","content":"You are terse."},{"role":"user","content":)"
           R"([{"type":"text","text":"What is the capital of France?"}]}])")
      .Str("ai.response.finishReason", "stop")
      .Str("ai.response.text", kAnswer)
      .Str("ai.response.model", "gpt-4o-2024-08-06")
      .Dbl("ai.usage.inputTokens", 20.0)
      .Dbl("ai.usage.inputTokenDetails.noCacheTokens", 20.0)
      .Dbl("ai.usage.inputTokenDetails.cacheReadTokens", 0.0)
      .Dbl("ai.usage.outputTokens", 3.0)
      .Dbl("ai.usage.outputTokenDetails.textTokens", 3.0)
      .Dbl("ai.usage.totalTokens", 23.0)
      .Dbl("ai.response.msToFirstChunk", 180.5)
      .Str("gen_ai.system", "openai.responses")
      .Str("gen_ai.request.model", "gpt-4o")
      .Strs("gen_ai.response.finish_reasons", {"stop"})
      .Dbl("gen_ai.usage.input_tokens", 20.0)
      .Dbl("gen_ai.usage.output_tokens", 3.0);
}

struct Rendition {
  std::string_view name;
  std::function<void(TestSpan&)> build;
  std::string_view convention;
};

class SameCallTest : public ::testing::TestWithParam<Rendition> {};

TEST_P(SameCallTest, NormalizesToTheSameCanonicalCall) {
  TestSpan t;
  GetParam().build(t);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, GetParam().convention);
  EXPECT_EQ(info.kind, LlmSpanKind::kLlm);
  EXPECT_EQ(info.provider, "openai");
  EXPECT_EQ(info.model(), "gpt-4o-2024-08-06");
  EXPECT_EQ(info.usage.input_tokens, 20);
  EXPECT_EQ(info.usage.output_tokens, 3);
  EXPECT_EQ(info.usage.total_tokens, 23);
  EXPECT_EQ(info.usage.cache_read_input_tokens.value_or(0), 0);
  EXPECT_FALSE(info.usage.input_estimated);
  EXPECT_FALSE(info.usage.output_estimated);
  ASSERT_EQ(info.system_instructions.size(), 1u);
  EXPECT_EQ(info.system_instructions[0].role, "system");
  EXPECT_EQ(TextOf(info.system_instructions[0]), kSystem);
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(info.input_messages[0].role, "user");
  EXPECT_EQ(TextOf(info.input_messages[0]), kQuestion);
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(info.output_messages[0].role, "assistant");
  EXPECT_EQ(TextOf(info.output_messages[0]), kAnswer);
  if (GetParam().convention != "langfuse") {  // Langfuse's output carries no finish reason
    EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"stop"});
    EXPECT_EQ(info.output_messages[0].finish_reason, "stop");
  }
  EXPECT_EQ(info.normalizer_version, kNormalizerVersion);
}

INSTANTIATE_TEST_SUITE_P(
    EveryConvention, SameCallTest,
    ::testing::Values(Rendition{"OtelV126", OtelV126, "otel_genai"},
                      Rendition{"OtelV128", OtelV128, "otel_genai"},
                      Rendition{"OtelV137", OtelV137, "otel_genai"},
                      Rendition{"OtelOperationDetails", OtelOperationDetails, "otel_genai"},
                      Rendition{"OpenInference", OpenInferenceOpenAi, "openinference"},
                      Rendition{"OpenLlmetryClassic", OpenLlmetryClassic, "openllmetry"},
                      Rendition{"OpenLlmetryCurrent", OpenLlmetryCurrent, "openllmetry"},
                      Rendition{"Langfuse", LangfuseGeneration, "langfuse"},
                      Rendition{"VercelV4", VercelV4, "vercel_ai"},
                      Rendition{"VercelV6", VercelV6, "vercel_ai"}),
    [](const ::testing::TestParamInfo<Rendition>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// Every field, per convention.

TEST(OtelGenAiTest, V137EveryField) {
  TestSpan t;
  t.span.name = "chat claude-sonnet-4";
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "anthropic")
      .Str("gen_ai.request.model", "claude-sonnet-4")
      .Str("gen_ai.response.model", "claude-sonnet-4-20250514")
      .Dbl("gen_ai.request.temperature", 0.5)
      .Dbl("gen_ai.request.top_p", 0.9)
      .Int("gen_ai.request.top_k", 40)
      .Int("gen_ai.request.max_tokens", 1024)
      .Dbl("gen_ai.request.frequency_penalty", 0.1)
      .Dbl("gen_ai.request.presence_penalty", 0.2)
      .Int("gen_ai.request.seed", 7)
      .Bool("gen_ai.request.stream", true)
      .Strs("gen_ai.request.stop_sequences", {"END", "STOP"})
      .Strs("gen_ai.response.finish_reasons", {"tool_call"})
      .Int("gen_ai.usage.input_tokens", 1500)
      .Int("gen_ai.usage.output_tokens", 300)
      .Int("gen_ai.usage.cache_read.input_tokens", 1000)
      .Int("gen_ai.usage.cache_creation.input_tokens", 200)
      .Int("gen_ai.usage.reasoning.output_tokens", 120)
      .Dbl("gen_ai.response.time_to_first_chunk", 0.25)
      .Str("gen_ai.conversation.id", "conv-1")
      .Str("gen_ai.prompt.name", "weather-prompt")
      .Str("gen_ai.system_instructions", R"([{"type":"text","content":"Be brief."}])")
      .Str(
          "gen_ai.input.messages",
          R"([{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"},)"
          R"({"type":"uri","modality":"image","mime_type":"image/png","uri":"https://x/y.png"}]},)"
          R"({"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather",)"
          R"("arguments":{"city":"Paris"}}]},)"
          R"({"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"rain"}]}])")
      .Str("gen_ai.output.messages",
           R"([{"role":"assistant","parts":[{"type":"reasoning","content":"Check units."},)"
           R"({"type":"text","content":"It rains."}],"finish_reason":"stop"}])");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "otel_genai");
  EXPECT_EQ(info.kind, LlmSpanKind::kLlm);
  EXPECT_EQ(info.operation, "chat");
  EXPECT_EQ(info.provider, "anthropic");
  EXPECT_EQ(info.request_model, "claude-sonnet-4");
  EXPECT_EQ(info.response_model, "claude-sonnet-4-20250514");
  EXPECT_EQ(info.params.temperature, 0.5);
  EXPECT_EQ(info.params.top_p, 0.9);
  EXPECT_EQ(info.params.top_k, 40);
  EXPECT_EQ(info.params.max_tokens, 1024);
  EXPECT_EQ(info.params.frequency_penalty, 0.1);
  EXPECT_EQ(info.params.presence_penalty, 0.2);
  EXPECT_EQ(info.params.seed, 7);
  EXPECT_EQ(info.params.stream, true);
  EXPECT_EQ(info.params.stop_sequences, (std::vector<std::string>{"END", "STOP"}));
  // Input already includes the cache (>= 1.40): nothing is added.
  EXPECT_EQ(info.usage.input_tokens, 1500);
  EXPECT_EQ(info.usage.output_tokens, 300);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 1000);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 200);
  EXPECT_EQ(info.usage.reasoning_tokens, 120);
  EXPECT_EQ(info.usage.total_tokens, 1800);
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"tool_call"});
  EXPECT_EQ(info.timing.time_to_first_token_ns, 250'000'000u);
  EXPECT_EQ(info.conversation_id, "conv-1");
  EXPECT_EQ(info.prompt_name, "weather-prompt");
  ASSERT_EQ(info.system_instructions.size(), 1u);
  EXPECT_EQ(TextOf(info.system_instructions[0]), "Be brief.");
  ASSERT_EQ(info.input_messages.size(), 3u);
  ASSERT_EQ(info.input_messages[0].parts.size(), 2u);
  EXPECT_EQ(info.input_messages[0].parts[1].type, PartType::kImage);
  EXPECT_EQ(info.input_messages[0].parts[1].uri, "https://x/y.png");
  const model::MessagePart& call = info.input_messages[1].parts.at(0);
  EXPECT_EQ(call.type, PartType::kToolCall);
  EXPECT_EQ(call.tool_call_id, "call_1");
  EXPECT_EQ(call.tool_name, "get_weather");
  EXPECT_EQ(call.arguments, R"({"city":"Paris"})");
  const model::MessagePart& result = info.input_messages[2].parts.at(0);
  EXPECT_EQ(result.type, PartType::kToolResult);
  EXPECT_EQ(result.tool_call_id, "call_1");
  EXPECT_EQ(result.text, "rain");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(info.output_messages[0].parts.at(0).type, PartType::kReasoning);
  EXPECT_EQ(info.output_messages[0].parts.at(0).text, "Check units.");
  EXPECT_EQ(info.output_messages[0].finish_reason, "stop");
}

// azure-ai-inference 1.0.0b9 tracing: per-message span events whose whole body is JSON text in
// "gen_ai.event.content", gen_ai.system "az.ai.inference".
TEST(OtelGenAiTest, V128AzureEventContent) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.system", "az.ai.inference")
      .Str("gen_ai.request.model", "gpt-4o")
      .Int("gen_ai.usage.input_tokens", 50)
      .Int("gen_ai.usage.output_tokens", 12);
  t.Event("gen_ai.user.message", 5,
          {{"gen_ai.system", t.S("az.ai.inference")},
           {"gen_ai.event.content", t.S(R"({"role": "user", "content": "Weather in Paris?"})")}});
  t.Event(
      "gen_ai.assistant.message", 6,
      {{"gen_ai.system", t.S("az.ai.inference")},
       {"gen_ai.event.content",
        t.S(R"({"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", )"
            R"("function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]})")}});
  t.Event(
      "gen_ai.tool.message", 7,
      {{"gen_ai.system", t.S("az.ai.inference")},
       {"gen_ai.event.content", t.S(R"({"role": "tool", "content": "rain", "id": "call_1"})")}});
  t.Event("gen_ai.choice", 9,
          {{"gen_ai.system", t.S("az.ai.inference")},
           {"gen_ai.event.content",
            t.S(R"({"message": {"content": "It rains."}, "finish_reason": "stop", "index": 0})")}});
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.provider, "azure.ai.inference");
  ASSERT_EQ(info.input_messages.size(), 3u);
  EXPECT_EQ(info.input_messages[1].role, "assistant");
  EXPECT_EQ(info.input_messages[1].parts.at(0).type, PartType::kToolCall);
  EXPECT_EQ(info.input_messages[1].parts.at(0).arguments, R"({"city": "Paris"})");
  EXPECT_EQ(info.input_messages[2].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(info.input_messages[2].parts.at(0).tool_call_id, "call_1");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(info.output_messages[0].role, "assistant");
  EXPECT_EQ(TextOf(info.output_messages[0]), "It rains.");
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"stop"});
  EXPECT_EQ(info.usage.total_tokens, 62);
}

TEST(OtelGenAiTest, ChoicesAreOrderedByIndex) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat").Str("gen_ai.system", "openai");
  t.Event("gen_ai.choice", 2,
          {{"index", TestSpan::I(1)},
           {"finish_reason", t.S("length")},
           {"message", t.Map({{"content", t.S("second")}})}});
  t.Event("gen_ai.choice", 1,
          {{"index", TestSpan::I(0)},
           {"finish_reason", t.S("stop")},
           {"message", t.Map({{"content", t.S("first")}})}});
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.output_messages.size(), 2u);
  EXPECT_EQ(TextOf(info.output_messages[0]), "first");
  EXPECT_EQ(TextOf(info.output_messages[1]), "second");
  EXPECT_EQ(info.finish_reasons, (std::vector<std::string>{"stop", "length"}));
}

// semconv v1.41 gen-ai-spans.md execute_tool span; arguments as a structured value.
TEST(OtelGenAiTest, ToolSpan) {
  TestSpan t;
  t.span.name = "execute_tool get_weather";
  t.Str("gen_ai.operation.name", "execute_tool")
      .Str("gen_ai.tool.name", "get_weather")
      .Str("gen_ai.tool.call.id", "call_1")
      .Str("gen_ai.tool.type", "function")
      .Attr("gen_ai.tool.call.arguments", t.Map({{"city", t.S("Paris")}}))
      .Str("gen_ai.tool.call.result", R"({"forecast":"rain"})");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kTool);
  EXPECT_EQ(info.operation, "execute_tool");
  ASSERT_TRUE(info.tool.has_value());
  EXPECT_EQ(info.tool->name, "get_weather");
  EXPECT_EQ(info.tool->call_id, "call_1");
  EXPECT_EQ(info.tool->arguments, R"({"city":"Paris"})");
  EXPECT_EQ(info.tool->result, R"({"forecast":"rain"})");
  EXPECT_EQ(info.usage.total_tokens, std::nullopt);
}

TEST(OtelGenAiTest, ToolSpanWithoutOperationIsATool) {
  TestSpan t;
  t.Str("gen_ai.tool.name", "search").Str("gen_ai.tool.call.id", "call_9");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kTool);
  EXPECT_EQ(info.tool->name, "search");
}

// semconv v1.41 gen-ai-agent-spans.md.
TEST(OtelGenAiTest, AgentSpans) {
  for (std::string_view operation : {"invoke_agent", "create_agent"}) {
    TestSpan t;
    t.Str("gen_ai.operation.name", operation)
        .Str("gen_ai.provider.name", "gcp.vertex_ai")
        .Str("gen_ai.agent.name", "Planner")
        .Str("gen_ai.agent.id", "agent-1")
        .Str("gen_ai.conversation.id", "thread-7")
        .Int("gen_ai.usage.input_tokens", 900)
        .Int("gen_ai.usage.output_tokens", 100);
    const LlmInfo info = MustNormalize(t);
    EXPECT_EQ(info.kind, LlmSpanKind::kAgent) << operation;
    EXPECT_EQ(info.operation, operation);
    EXPECT_EQ(info.provider, "gcp.vertex_ai");
    EXPECT_EQ(info.conversation_id, "thread-7");
    EXPECT_EQ(info.usage.total_tokens, 1000);
  }
}

TEST(OtelGenAiTest, RetrievalSpan) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "retrieval")
      .Str("gen_ai.data_source.id", "kb-1")
      .Str("gen_ai.retrieval.query.text", "capital of France")
      .Str("gen_ai.retrieval.documents",
           R"([{"id":"doc-1","score":0.92},{"id":"doc-2","score":0.5}])");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kRetrieval);
  ASSERT_EQ(info.documents.size(), 2u);
  EXPECT_EQ(info.documents[0].id, "doc-1");
  EXPECT_EQ(info.documents[0].score, 0.92);
  EXPECT_EQ(info.documents[1].score, 0.5);
}

TEST(OtelGenAiTest, ProvidersAreNormalized) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"az.ai.openai", "azure.ai.openai"},
      {"azure.ai.openai", "azure.ai.openai"},
      {"vertex_ai", "gcp.vertex_ai"},
      {"gcp.vertex_ai", "gcp.vertex_ai"},
      {"aws.bedrock", "aws.bedrock"},
      {"mistral_ai", "mistral_ai"},
      {"gcp.gemini", "gcp.gemini"},
      {"gemini", "gcp.gemini"},
      {"xai", "x_ai"},
  };
  for (const auto& [raw, canonical] : cases) {
    TestSpan t;
    t.Str("gen_ai.operation.name", "chat").Str("gen_ai.system", raw);
    EXPECT_EQ(MustNormalize(t).provider, canonical) << raw;
  }
  TestSpan both;  // the new attribute wins over the deprecated one
  both.Str("gen_ai.system", "az.ai.openai").Str("gen_ai.provider.name", "openai");
  EXPECT_EQ(MustNormalize(both).provider, "openai");
}

TEST(OtelGenAiTest, OldCacheAndReasoningNames) {
  TestSpan t;
  t.Str("gen_ai.system", "openai")
      .Int("gen_ai.usage.prompt_tokens", 2000)
      .Int("gen_ai.usage.completion_tokens", 500)
      .Int("gen_ai.usage.cache_read_input_tokens", 1500)
      .Int("gen_ai.usage.cache_creation_input_tokens", 0)
      .Int("gen_ai.usage.reasoning_tokens", 400);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 2000);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 1500);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 0);
  EXPECT_EQ(info.usage.reasoning_tokens, 400);
  EXPECT_EQ(info.usage.total_tokens, 2500);
}

TEST(OtelGenAiTest, TypeCoercion) {
  TestSpan t;
  t.Str("gen_ai.system", "openai")
      .Str("gen_ai.usage.input_tokens", "120")  // int as a string
      .Dbl("gen_ai.usage.output_tokens", 30.0)  // int as a double
      .Int("gen_ai.request.temperature", 1)     // double as an int
      .Str("gen_ai.request.top_p", "0.95")      // double as a string
      .Str("gen_ai.request.max_tokens", "256.0")
      .Str("gen_ai.request.stream", "true")
      .Str("gen_ai.response.finish_reasons", R"(["stop"])");  // list as JSON text
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 120);
  EXPECT_EQ(info.usage.output_tokens, 30);
  EXPECT_EQ(info.params.temperature, 1.0);
  EXPECT_EQ(info.params.top_p, 0.95);
  EXPECT_EQ(info.params.max_tokens, 256);
  EXPECT_EQ(info.params.stream, true);
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"stop"});
}

TEST(OtelGenAiTest, BadValuesAreIgnored) {
  TestSpan t;
  t.Str("gen_ai.system", "openai")
      .Int("gen_ai.usage.input_tokens", -5)
      .Str("gen_ai.usage.output_tokens", "many")
      .Dbl("gen_ai.request.temperature", std::numeric_limits<double>::quiet_NaN())
      .Dbl("gen_ai.response.time_to_first_chunk", -1.0);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, std::nullopt);
  EXPECT_EQ(info.usage.output_tokens, std::nullopt);
  EXPECT_EQ(info.params.temperature, std::nullopt);
  EXPECT_EQ(info.timing.time_to_first_token_ns, std::nullopt);
}

// openinference-instrumentation-openai 0.1.x with a tool call, multimodal contents, cache
// details, logprobs in output.value, and context attributes (using_session / using_user /
// using_metadata / using_tags / using_prompt_template).
TEST(OpenInferenceTest, LlmEveryField) {
  TestSpan t;
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.system", "openai")
      .Str("llm.provider", "azure")
      .Str("llm.model_name", "gpt-4o-2024-08-06")
      .Str("llm.invocation_parameters",
           R"({"model": "gpt-4o", "temperature": 0.7, "top_p": 0.9, "max_completion_tokens": 300, )"
           R"("frequency_penalty": 0.5, "presence_penalty": 0.25, "seed": 42, "stream": false, )"
           R"("stop": ["\n\n"], "logprobs": true, "top_logprobs": 2})")
      .Str("llm.input_messages.0.message.role", "system")
      .Str("llm.input_messages.0.message.content", "Be brief.")
      .Str("llm.input_messages.1.message.role", "user")
      .Str("llm.input_messages.1.message.contents.0.message_content.type", "text")
      .Str("llm.input_messages.1.message.contents.0.message_content.text", "What is this?")
      .Str("llm.input_messages.1.message.contents.1.message_content.type", "image")
      .Str("llm.input_messages.1.message.contents.1.message_content.image.image.url",
           "https://img/x.png")
      .Str("llm.output_messages.0.message.role", "assistant")
      .Str("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_1")
      .Str("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "describe")
      .Str("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
           R"({"detail": "high"})")
      .Str(
          "output.value",
          R"({"choices":[{"finish_reason":"tool_calls","index":0,"logprobs":{"content":[)"
          R"({"token":"Hi","bytes":[72,105],"logprob":-0.01,"top_logprobs":[{"token":"Hi","logprob":-0.01},)"
          R"({"token":"Hello","logprob":-4.6}]}]},"message":{"role":"assistant"}}]})")
      .Str("output.mime_type", "application/json")
      .Int("llm.token_count.prompt", 1200)
      .Int("llm.token_count.completion", 40)
      .Int("llm.token_count.total", 1240)
      .Int("llm.token_count.prompt_details.cache_read", 1024)
      .Int("llm.token_count.completion_details.reasoning", 0)
      .Str("session.id", "sess-1")
      .Str("user.id", "user-1")
      .Str("metadata", R"({"team": "search"})")
      .Strs("tag.tags", {"beta", "vision"})
      .Str("llm.prompt_template.template", "What is {x}?")
      .Str("llm.prompt_template.version", "v3");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "openinference");
  EXPECT_EQ(info.kind, LlmSpanKind::kLlm);
  EXPECT_EQ(info.operation, "chat");
  EXPECT_EQ(info.provider, "azure.ai.openai");  // llm.provider wins over llm.system
  EXPECT_EQ(info.model(), "gpt-4o-2024-08-06");
  EXPECT_EQ(info.params.temperature, 0.7);
  EXPECT_EQ(info.params.top_p, 0.9);
  EXPECT_EQ(info.params.max_tokens, 300);
  EXPECT_EQ(info.params.frequency_penalty, 0.5);
  EXPECT_EQ(info.params.presence_penalty, 0.25);
  EXPECT_EQ(info.params.seed, 42);
  EXPECT_EQ(info.params.stream, false);
  EXPECT_EQ(info.params.stop_sequences, std::vector<std::string>{"\n\n"});
  EXPECT_EQ(info.usage.input_tokens, 1200);
  EXPECT_EQ(info.usage.output_tokens, 40);
  EXPECT_EQ(info.usage.total_tokens, 1240);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 1024);
  EXPECT_EQ(info.usage.reasoning_tokens, 0);
  ASSERT_EQ(info.system_instructions.size(), 1u);
  ASSERT_EQ(info.input_messages.size(), 1u);
  ASSERT_EQ(info.input_messages[0].parts.size(), 2u);
  EXPECT_EQ(info.input_messages[0].parts[0].text, "What is this?");
  EXPECT_EQ(info.input_messages[0].parts[1].type, PartType::kImage);
  EXPECT_EQ(info.input_messages[0].parts[1].uri, "https://img/x.png");
  ASSERT_EQ(info.output_messages.size(), 1u);
  const model::MessagePart& call = info.output_messages[0].parts.at(0);
  EXPECT_EQ(call.type, PartType::kToolCall);
  EXPECT_EQ(call.tool_call_id, "call_1");
  EXPECT_EQ(call.tool_name, "describe");
  EXPECT_EQ(call.arguments, R"({"detail": "high"})");
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"tool_calls"});
  EXPECT_EQ(info.output_messages[0].finish_reason, "tool_calls");
  ASSERT_EQ(info.logprobs.size(), 1u);
  EXPECT_EQ(info.logprobs[0].token, "Hi");
  EXPECT_EQ(info.logprobs[0].bytes, "Hi");
  EXPECT_EQ(info.logprobs[0].logprob, -0.01);
  ASSERT_EQ(info.logprobs[0].top.size(), 2u);
  EXPECT_EQ(info.logprobs[0].top[1].token, "Hello");
  EXPECT_EQ(info.logprobs[0].top[1].logprob, -4.6);
  EXPECT_EQ(info.session_id, "sess-1");
  EXPECT_EQ(info.user_id, "user-1");
  EXPECT_EQ(info.tags, (std::vector<std::string>{"beta", "vision"}));
  EXPECT_EQ(info.prompt_version, "v3");
}

TEST(OpenInferenceTest, ToolMessagesAndLegacyFunctionCalls) {
  TestSpan t;
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.input_messages.0.message.role", "assistant")
      .Str("llm.input_messages.0.message.function_call_name", "lookup")
      .Str("llm.input_messages.0.message.function_call_arguments_json", R"({"q":1})")
      .Str("llm.input_messages.1.message.role", "tool")
      .Str("llm.input_messages.1.message.tool_call_id", "call_1")
      .Str("llm.input_messages.1.message.content", "42");
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.input_messages.size(), 2u);
  EXPECT_EQ(info.input_messages[0].parts.at(0).type, PartType::kToolCall);
  EXPECT_EQ(info.input_messages[0].parts.at(0).tool_name, "lookup");
  EXPECT_EQ(info.input_messages[1].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(info.input_messages[1].parts.at(0).tool_call_id, "call_1");
  EXPECT_EQ(info.input_messages[1].parts.at(0).text, "42");
}

// openinference-instrumentation-langchain retriever and reranker spans.
TEST(OpenInferenceTest, RetrieverDocuments) {
  TestSpan t;
  t.Str("openinference.span.kind", "RETRIEVER")
      .Str("input.value", "capital of France")
      .Str("retrieval.documents.0.document.id", "d1")
      .Str("retrieval.documents.0.document.content", "Paris is the capital.")
      .Dbl("retrieval.documents.0.document.score", 0.91)
      .Str("retrieval.documents.0.document.metadata", R"({"source": "wiki"})")
      .Str("retrieval.documents.1.document.id", "d2")
      .Str("retrieval.documents.1.document.content", "Lyon is a city.")
      .Dbl("retrieval.documents.1.document.score", 0.42);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kRetrieval);
  EXPECT_EQ(info.operation, "retrieval");
  ASSERT_EQ(info.documents.size(), 2u);
  EXPECT_EQ(info.documents[0].id, "d1");
  EXPECT_EQ(info.documents[0].content, "Paris is the capital.");
  EXPECT_EQ(info.documents[0].score, 0.91);
  EXPECT_EQ(info.documents[1].score, 0.42);
  EXPECT_TRUE(info.output_documents.empty());
}

TEST(OpenInferenceTest, RerankerScoresBeforeAndAfter) {
  TestSpan t;
  t.Str("openinference.span.kind", "RERANKER")
      .Str("reranker.query", "capital of France")
      .Str("reranker.model_name", "cross-encoder/ms-marco-MiniLM-L-6-v2")
      .Int("reranker.top_k", 1)
      .Str("reranker.input_documents.0.document.id", "d2")
      .Str("reranker.input_documents.0.document.content", "Lyon is a city.")
      .Dbl("reranker.input_documents.0.document.score", 0.8)
      .Str("reranker.input_documents.1.document.id", "d1")
      .Str("reranker.input_documents.1.document.content", "Paris is the capital.")
      .Dbl("reranker.input_documents.1.document.score", 0.6)
      .Str("reranker.output_documents.0.document.id", "d1")
      .Str("reranker.output_documents.0.document.content", "Paris is the capital.")
      .Dbl("reranker.output_documents.0.document.score", 0.97);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kRerank);
  EXPECT_EQ(info.request_model, "cross-encoder/ms-marco-MiniLM-L-6-v2");
  ASSERT_EQ(info.documents.size(), 2u);
  EXPECT_EQ(info.documents[0].score, 0.8);
  EXPECT_EQ(info.documents[0].output_score, std::nullopt);  // d2 was dropped
  EXPECT_EQ(info.documents[1].score, 0.6);
  EXPECT_EQ(info.documents[1].output_score, 0.97);
  ASSERT_EQ(info.output_documents.size(), 1u);
  EXPECT_EQ(info.output_documents[0].id, "d1");
  EXPECT_EQ(info.output_documents[0].score, 0.6);
  EXPECT_EQ(info.output_documents[0].output_score, 0.97);
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "capital of France");
}

// openinference-instrumentation-openai-agents / smolagents TOOL spans.
TEST(OpenInferenceTest, ToolSpan) {
  TestSpan t;
  t.Str("openinference.span.kind", "TOOL")
      .Str("tool.name", "get_weather")
      .Str("tool.description", "Weather lookup")
      .Str("tool.parameters", R"({"type": "object", "properties": {"city": {"type": "string"}}})")
      .Str("tool_call.id", "call_1")
      .Str("input.value", R"({"city": "Paris"})")
      .Str("input.mime_type", "application/json")
      .Str("output.value", "rain");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kTool);
  ASSERT_TRUE(info.tool.has_value());
  EXPECT_EQ(info.tool->name, "get_weather");
  EXPECT_EQ(info.tool->call_id, "call_1");
  EXPECT_EQ(info.tool->arguments, R"({"city": "Paris"})");
  EXPECT_EQ(info.tool->result, "rain");
}

TEST(OpenInferenceTest, SpanKinds) {
  const std::pair<std::string_view, LlmSpanKind> cases[] = {
      {"LLM", LlmSpanKind::kLlm},
      {"EMBEDDING", LlmSpanKind::kEmbedding},
      {"RETRIEVER", LlmSpanKind::kRetrieval},
      {"RERANKER", LlmSpanKind::kRerank},
      {"TOOL", LlmSpanKind::kTool},
      {"AGENT", LlmSpanKind::kAgent},
      {"CHAIN", LlmSpanKind::kChain},
      {"GUARDRAIL", LlmSpanKind::kGuardrail},
      {"EVALUATOR", LlmSpanKind::kEvaluator},
      {"chain", LlmSpanKind::kChain},
  };
  for (const auto& [value, kind] : cases) {
    TestSpan t;
    t.Str("openinference.span.kind", value);
    EXPECT_EQ(MustNormalize(t).kind, kind) << value;
  }
}

TEST(OpenInferenceTest, AgentTextInputAndOutput) {
  TestSpan t;
  t.Str("openinference.span.kind", "AGENT")
      .Str("input.value", "Plan my trip")
      .Str("input.mime_type", "text/plain")
      .Str("output.value", "Done: 3 stops")
      .Str("output.mime_type", "text/plain");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kAgent);
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "Plan my trip");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.output_messages[0]), "Done: 3 stops");
}

TEST(OpenInferenceTest, EmbeddingSpan) {
  TestSpan t;
  t.Str("openinference.span.kind", "EMBEDDING")
      .Str("embedding.model_name", "text-embedding-3-small")
      .Str("embedding.embeddings.0.embedding.text", "hello")
      .Int("llm.token_count.prompt", 1)
      .Int("llm.token_count.total", 1);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kEmbedding);
  EXPECT_EQ(info.operation, "embeddings");
  EXPECT_EQ(info.request_model, "text-embedding-3-small");
  EXPECT_EQ(info.provider, "openai");  // inferred from the model name
  EXPECT_EQ(info.usage.input_tokens, 1);
  EXPECT_EQ(info.usage.total_tokens, 1);
}

// opentelemetry-instrumentation-openai 0.33: tool calls in completions, a tool message in the
// prompt.
TEST(OpenLlmetryTest, ClassicToolCalls) {
  TestSpan t;
  t.Str("llm.request.type", "chat")
      .Str("gen_ai.system", "OpenAI")
      .Str("gen_ai.request.model", "gpt-4o")
      .Dbl("llm.frequency_penalty", 0.3)
      .Dbl("llm.presence_penalty", 0.4)
      .Int("llm.top_k", 5)
      .Strs("llm.chat.stop_sequences", {"###"})
      .Bool("llm.is_streaming", true)
      .Str("llm.user", "end-user-9")
      .Str("gen_ai.prompt.0.role", "user")
      .Str("gen_ai.prompt.0.content", "Weather?")
      .Str("gen_ai.prompt.1.role", "assistant")
      .Str("gen_ai.prompt.1.tool_calls.0.id", "call_0")
      .Str("gen_ai.prompt.1.tool_calls.0.name", "get_weather")
      .Str("gen_ai.prompt.1.tool_calls.0.arguments", R"({"city":"Paris"})")
      .Str("gen_ai.prompt.2.role", "tool")
      .Str("gen_ai.prompt.2.content", "rain")
      .Str("gen_ai.prompt.2.tool_call_id", "call_0")
      .Str("gen_ai.completion.0.role", "assistant")
      .Str("gen_ai.completion.0.finish_reason", "tool_calls")
      .Str("gen_ai.completion.0.tool_calls.0.id", "call_1")
      .Str("gen_ai.completion.0.tool_calls.0.name", "get_time")
      .Str("gen_ai.completion.0.tool_calls.0.arguments", "{}")
      .Int("gen_ai.usage.prompt_tokens", 80)
      .Int("gen_ai.usage.completion_tokens", 12)
      .Int("llm.usage.total_tokens", 92);
  t.Event("llm.content.completion.chunk", 300'000'000);
  t.Event("llm.content.completion.chunk", 400'000'000);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "openllmetry");
  EXPECT_EQ(info.operation, "chat");
  EXPECT_EQ(info.params.frequency_penalty, 0.3);
  EXPECT_EQ(info.params.presence_penalty, 0.4);
  EXPECT_EQ(info.params.top_k, 5);
  EXPECT_EQ(info.params.stop_sequences, std::vector<std::string>{"###"});
  EXPECT_EQ(info.params.stream, true);
  EXPECT_EQ(info.user_id, "end-user-9");
  ASSERT_EQ(info.input_messages.size(), 3u);
  EXPECT_EQ(info.input_messages[1].parts.at(0).type, PartType::kToolCall);
  EXPECT_EQ(info.input_messages[1].parts.at(0).tool_name, "get_weather");
  EXPECT_EQ(info.input_messages[2].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(info.input_messages[2].parts.at(0).tool_call_id, "call_0");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(info.output_messages[0].parts.at(0).tool_name, "get_time");
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"tool_calls"});
  EXPECT_EQ(info.usage.total_tokens, 92);
  EXPECT_EQ(info.timing.time_to_first_token_ns, 300'000'000u);  // first chunk event
}

// opentelemetry-instrumentation-anthropic 0.4x: content blocks serialized as JSON text, the
// system prompt as prompt 0, cache reads and writes already added to the prompt count.
TEST(OpenLlmetryTest, ClassicAnthropicCacheIsNotCountedTwice) {
  TestSpan t;
  t.span.name = "anthropic.chat";
  t.Str("llm.request.type", "chat")
      .Str("gen_ai.system", "Anthropic")
      .Str("gen_ai.request.model", "claude-3-5-sonnet-20241022")
      .Str("gen_ai.prompt.0.role", "system")
      .Str("gen_ai.prompt.0.content", "You are terse.")
      .Str("gen_ai.prompt.1.role", "user")
      .Str("gen_ai.prompt.1.content",
           R"([{"type": "text", "text": "Describe"}, {"type": "image", "source": )"
           R"({"type": "base64", "media_type": "image/jpeg", "data": "AAAA"}}])")
      .Str("gen_ai.completion.0.role", "assistant")
      .Str("gen_ai.completion.0.content", "A cat.")
      .Str("gen_ai.completion.0.finish_reason", "end_turn")
      .Str("gen_ai.response.model", "claude-3-5-sonnet-20241022")
      .Int("gen_ai.usage.prompt_tokens", 2510)  // 10 + 2000 read + 500 written
      .Int("gen_ai.usage.completion_tokens", 5)
      .Int("llm.usage.total_tokens", 2515)
      .Int("gen_ai.usage.cache_read_input_tokens", 2000)
      .Int("gen_ai.usage.cache_creation_input_tokens", 500);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.provider, "anthropic");
  EXPECT_EQ(info.usage.input_tokens, 2510);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 2000);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 500);
  EXPECT_EQ(info.usage.total_tokens, 2515);
  ASSERT_EQ(info.system_instructions.size(), 1u);
  ASSERT_EQ(info.input_messages.size(), 1u);
  ASSERT_EQ(info.input_messages[0].parts.size(), 2u);
  EXPECT_EQ(info.input_messages[0].parts[0].text, "Describe");
  EXPECT_EQ(info.input_messages[0].parts[1].type, PartType::kImage);
  EXPECT_EQ(info.input_messages[0].parts[1].uri, "image/jpeg");
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"end_turn"});
}

// traceloop-sdk decorators (@workflow, @task, @agent, @tool) with association properties.
TEST(OpenLlmetryTest, TraceloopWorkflowLayer) {
  const std::pair<std::string_view, LlmSpanKind> kinds[] = {
      {"workflow", LlmSpanKind::kWorkflow},
      {"task", LlmSpanKind::kChain},
      {"agent", LlmSpanKind::kAgent},
      {"tool", LlmSpanKind::kTool},
  };
  for (const auto& [value, kind] : kinds) {
    TestSpan t;
    t.span.name = "lookup.tool";
    t.Str("traceloop.span.kind", value)
        .Str("traceloop.entity.name", "lookup")
        .Str("traceloop.entity.path", "plan")
        .Str("traceloop.workflow.name", "trip_planner")
        .Str("traceloop.entity.input", R"({"args": ["Paris"], "kwargs": {}})")
        .Str("traceloop.entity.output", R"("sunny")")
        .Str("traceloop.association.properties.session_id", "s-1")
        .Str("traceloop.association.properties.user_id", "u-1");
    const LlmInfo info = MustNormalize(t);
    EXPECT_EQ(info.convention, "openllmetry");
    EXPECT_EQ(info.kind, kind) << value;
    EXPECT_EQ(info.session_id, "s-1");
    EXPECT_EQ(info.user_id, "u-1");
    if (kind == LlmSpanKind::kTool) {
      ASSERT_TRUE(info.tool.has_value());
      EXPECT_EQ(info.tool->name, "lookup");
      EXPECT_EQ(info.tool->arguments, R"({"args": ["Paris"], "kwargs": {}})");
      EXPECT_EQ(info.tool->result, R"("sunny")");
    } else {
      EXPECT_FALSE(info.tool.has_value());
    }
  }
}

TEST(OpenLlmetryTest, RequestTypes) {
  const std::tuple<std::string_view, std::string_view, LlmSpanKind> cases[] = {
      {"chat", "chat", LlmSpanKind::kLlm},
      {"completion", "text_completion", LlmSpanKind::kLlm},
      {"embedding", "embeddings", LlmSpanKind::kEmbedding},
      {"rerank", "rerank", LlmSpanKind::kRerank},
  };
  for (const auto& [type, operation, kind] : cases) {
    TestSpan t;
    t.Str("llm.request.type", type);
    const LlmInfo info = MustNormalize(t);
    EXPECT_EQ(info.operation, operation);
    EXPECT_EQ(info.kind, kind);
  }
}

// Langfuse Python SDK 3.x generation with every Langfuse attribute it writes.
TEST(LangfuseTest, GenerationEveryField) {
  TestSpan t;
  t.Str("langfuse.observation.type", "generation")
      .Str("langfuse.observation.model.name", "claude-3-5-haiku-20241022")
      .Str("langfuse.observation.model.parameters",
           R"({"temperature": "0.3", "max_tokens": 512, "top_p": 1, "stop": "END"})")
      .Str("langfuse.observation.input",
           R"({"messages": [{"role": "user", "content": "Hi"}], "system": "Be kind."})")
      .Str(
          "langfuse.observation.output",
          R"({"type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hello!"}], )"
          R"("stop_reason": "end_turn"})")
      .Str("langfuse.observation.usage_details",
           R"({"input": 10, "input_cached_tokens": 2000, "input_cache_creation": 300, )"
           R"("output": 20, "output_reasoning_tokens": 15, "total": 2345})")
      .Str("langfuse.observation.completion_start_time", R"("2025-01-02T03:04:05.750000Z")")
      .Str("langfuse.observation.prompt.name", "greeter")
      .Int("langfuse.observation.prompt.version", 4)
      .Str("langfuse.observation.metadata.team", "growth")
      .Str("langfuse.trace.name", "greet")
      .Strs("langfuse.trace.tags", {"prod", "greeting"})
      .Str("user.id", "u-7")
      .Str("session.id", "s-7")
      .Str("langfuse.environment", "production");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "langfuse");
  EXPECT_EQ(info.kind, LlmSpanKind::kLlm);
  EXPECT_EQ(info.model(), "claude-3-5-haiku-20241022");
  EXPECT_EQ(info.provider, "anthropic");
  EXPECT_EQ(info.params.temperature, 0.3);
  EXPECT_EQ(info.params.max_tokens, 512);
  EXPECT_EQ(info.params.top_p, 1.0);
  EXPECT_EQ(info.params.stop_sequences, std::vector<std::string>{"END"});
  // Langfuse's keys are disjoint shares: input = 10 + 2000 + 300, output = 20 + 15.
  EXPECT_EQ(info.usage.input_tokens, 2310);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 2000);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 300);
  EXPECT_EQ(info.usage.output_tokens, 35);
  EXPECT_EQ(info.usage.reasoning_tokens, 15);
  EXPECT_EQ(info.usage.total_tokens, 2345);
  ASSERT_EQ(info.system_instructions.size(), 1u);
  EXPECT_EQ(TextOf(info.system_instructions[0]), "Be kind.");
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "Hi");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.output_messages[0]), "Hello!");
  EXPECT_EQ(info.finish_reasons, std::vector<std::string>{"end_turn"});
  EXPECT_EQ(info.timing.time_to_first_token_ns, 750'000'000u);
  EXPECT_EQ(info.prompt_name, "greeter");
  EXPECT_EQ(info.prompt_version, "4");
  EXPECT_EQ(info.tags, (std::vector<std::string>{"prod", "greeting"}));
  EXPECT_EQ(info.user_id, "u-7");
  EXPECT_EQ(info.session_id, "s-7");
}

// Langfuse's OpenAI integration (langfuse.openai) passes OpenAI's usage object through.
TEST(LangfuseTest, OpenAiUsageObjectAndCompatIds) {
  TestSpan t;
  t.Str("langfuse.observation.type", "generation")
      .Str("langfuse.observation.model.name", "gpt-4o-mini")
      .Str("langfuse.observation.usage_details",
           R"({"prompt_tokens": 1200, "completion_tokens": 50, "total_tokens": 1250, )"
           R"("prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0}, )"
           R"("completion_tokens_details": {"reasoning_tokens": 10}})")
      .Str("langfuse.user.id", "compat-user")
      .Str("langfuse.session.id", "compat-session");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 1200);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 1024);
  EXPECT_EQ(info.usage.output_tokens, 50);
  EXPECT_EQ(info.usage.reasoning_tokens, 10);
  EXPECT_EQ(info.usage.total_tokens, 1250);
  EXPECT_EQ(info.user_id, "compat-user");
  EXPECT_EQ(info.session_id, "compat-session");
}

TEST(LangfuseTest, ToolAndRetrieverObservations) {
  TestSpan tool;
  tool.Str("langfuse.observation.type", "tool")
      .Str("langfuse.observation.input", R"({"city": "Paris"})")
      .Str("langfuse.observation.output", R"("rain")");
  const LlmInfo t = MustNormalize(tool);
  EXPECT_EQ(t.kind, LlmSpanKind::kTool);
  ASSERT_TRUE(t.tool.has_value());
  EXPECT_EQ(t.tool->arguments, R"({"city": "Paris"})");
  EXPECT_EQ(t.tool->result, R"("rain")");

  TestSpan retriever;
  retriever.Str("langfuse.observation.type", "retriever")
      .Str("langfuse.observation.input", R"("capital of France")")
      .Str("langfuse.observation.output",
           R"([{"id": "d1", "page_content": "Paris.", "score": 0.9}])");
  const LlmInfo r = MustNormalize(retriever);
  EXPECT_EQ(r.kind, LlmSpanKind::kRetrieval);
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].content, "Paris.");
  ASSERT_EQ(r.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(r.input_messages[0]), "capital of France");
}

// Vercel AI SDK 4.x with tool calls and telemetry metadata.
TEST(VercelAiTest, V4ToolCallsAndMetadata) {
  TestSpan t;
  t.Str("ai.operationId", "ai.generateText.doGenerate")
      .Str("ai.model.provider", "mistral.chat")
      .Str("ai.model.id", "mistral-large-latest")
      .Dbl("ai.settings.topP", 0.8)
      .Int("ai.settings.topK", 3)
      .Int("ai.settings.seed", 11)
      .Dbl("ai.settings.frequencyPenalty", 0.1)
      .Dbl("ai.settings.presencePenalty", 0.2)
      .Strs("ai.settings.stopSequences", {"Z"})
      .Str("ai.telemetry.functionId", "weather-bot")
      .Str("ai.telemetry.metadata.sessionId", "s-3")
      .Str("ai.telemetry.metadata.userId", "u-3")
      .Strs("ai.telemetry.metadata.tags", {"a", "b"})
      .Str(
          "ai.prompt.messages",
          R"([{"role":"user","content":[{"type":"text","text":"Weather?"}]},)"
          R"({"role":"assistant","content":[{"type":"tool-call","toolCallId":"c1","toolName":"weather",)"
          R"("args":{"city":"Paris"}}]},{"role":"tool","content":[{"type":"tool-result",)"
          R"("toolCallId":"c1","toolName":"weather","result":{"temp":12}}]}])")
      .Str("ai.response.finishReason", "tool-calls")
      .Str("ai.response.toolCalls",
           R"([{"toolCallType":"function","toolCallId":"c2","toolName":"clock","args":"{}"}])")
      .Int("ai.usage.promptTokens", 100)
      .Int("ai.usage.completionTokens", 10);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.provider, "mistral_ai");
  EXPECT_EQ(info.params.top_p, 0.8);
  EXPECT_EQ(info.params.top_k, 3);
  EXPECT_EQ(info.params.seed, 11);
  EXPECT_EQ(info.params.frequency_penalty, 0.1);
  EXPECT_EQ(info.params.presence_penalty, 0.2);
  EXPECT_EQ(info.params.stop_sequences, std::vector<std::string>{"Z"});
  EXPECT_EQ(info.params.stream, std::nullopt);
  EXPECT_EQ(info.session_id, "s-3");
  EXPECT_EQ(info.user_id, "u-3");
  EXPECT_EQ(info.tags, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(info.input_messages.size(), 3u);
  EXPECT_EQ(info.input_messages[1].parts.at(0).type, PartType::kToolCall);
  EXPECT_EQ(info.input_messages[1].parts.at(0).tool_call_id, "c1");
  EXPECT_EQ(info.input_messages[1].parts.at(0).arguments, R"({"city":"Paris"})");
  EXPECT_EQ(info.input_messages[2].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(info.input_messages[2].parts.at(0).text, R"({"temp":12})");
  ASSERT_EQ(info.output_messages.size(), 1u);
  EXPECT_EQ(info.output_messages[0].parts.at(0).type, PartType::kToolCall);
  EXPECT_EQ(info.output_messages[0].parts.at(0).tool_name, "clock");
  EXPECT_EQ(info.output_messages[0].finish_reason, "tool-calls");
  EXPECT_EQ(info.usage.total_tokens, 110);
}

TEST(VercelAiTest, V6StreamTiming) {
  TestSpan t;
  VercelV6(t);
  t.Event("ai.stream.firstChunk", 200'000'000,
          {{"ai.response.msToFirstChunk", TestSpan::D(180.5)}});
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.params.stream, true);
  EXPECT_EQ(info.timing.time_to_first_token_ns, 180'500'000u);  // the attribute wins
}

TEST(VercelAiTest, ToolCallSpan) {
  TestSpan t;
  t.span.name = "ai.toolCall";
  t.Str("ai.operationId", "ai.toolCall")
      .Str("ai.toolCall.name", "weather")
      .Str("ai.toolCall.id", "c1")
      .Str("ai.toolCall.args", R"({"city":"Paris"})")
      .Str("ai.toolCall.result", R"({"temp":12})");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kTool);
  EXPECT_EQ(info.operation, "execute_tool");
  ASSERT_TRUE(info.tool.has_value());
  EXPECT_EQ(info.tool->name, "weather");
  EXPECT_EQ(info.tool->call_id, "c1");
  EXPECT_EQ(info.tool->arguments, R"({"city":"Paris"})");
  EXPECT_EQ(info.tool->result, R"({"temp":12})");
}

TEST(VercelAiTest, OuterSpanIsAChain) {
  TestSpan t;
  t.span.name = "ai.generateText";
  t.Str("ai.operationId", "ai.generateText")
      .Str("ai.model.provider", "openai.chat")
      .Str("ai.model.id", "gpt-4o")
      .Str("ai.prompt", R"({"system":"Be brief.","prompt":"Hi"})")
      .Str("ai.response.text", "Hello")
      .Int("ai.usage.promptTokens", 9)
      .Int("ai.usage.completionTokens", 2);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kChain);
  EXPECT_EQ(info.operation, "generateText");
  ASSERT_EQ(info.system_instructions.size(), 1u);
  EXPECT_EQ(TextOf(info.system_instructions[0]), "Be brief.");
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "Hi");
}

TEST(VercelAiTest, EmbedSpan) {
  TestSpan t;
  t.Str("ai.operationId", "ai.embed.doEmbed")
      .Str("ai.model.provider", "openai.embedding")
      .Str("ai.model.id", "text-embedding-3-small")
      .Attr("ai.values", t.Strings({R"("sunny day")"}))
      .Int("ai.usage.tokens", 3);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.kind, LlmSpanKind::kEmbedding);
  EXPECT_EQ(info.operation, "embeddings");
  EXPECT_EQ(info.usage.input_tokens, 3);
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "sunny day");
}

// ---------------------------------------------------------------------------------------------
// Anthropic's cache-exclusive input count.

// Vercel AI SDK 4/5 pass Anthropic's raw input_tokens through; cache reads arrive as
// ai.usage.cachedInputTokens and cache writes only in the provider metadata.
TEST(AnthropicCacheTest, VercelV5RawInputIsMadeInclusive) {
  TestSpan t;
  t.Str("ai.operationId", "ai.generateText.doGenerate")
      .Str("ai.model.provider", "anthropic.messages")
      .Str("ai.model.id", "claude-sonnet-4-20250514")
      .Int("ai.usage.promptTokens", 3000)  // uncached input, larger than the cache read
      .Int("ai.usage.completionTokens", 100)
      .Int("ai.usage.cachedInputTokens", 2000)
      .Str(
          "ai.response.providerMetadata",
          R"({"anthropic":{"cacheCreationInputTokens":500,"usage":{"input_tokens":3000,)"
          R"("cache_read_input_tokens":2000,"cache_creation_input_tokens":500,"output_tokens":100}}})")
      .Str("gen_ai.system", "anthropic.messages")
      .Int("gen_ai.usage.input_tokens", 3000)
      .Int("gen_ai.usage.output_tokens", 100);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.provider, "anthropic");
  EXPECT_EQ(info.usage.input_tokens, 5500);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 2000);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 500);
  EXPECT_EQ(info.usage.total_tokens, 5600);
}

// The same raw count through the SDK's OpenAI provider is already inclusive.
TEST(AnthropicCacheTest, VercelV5OpenAiInputStaysAsIs) {
  TestSpan t;
  t.Str("ai.operationId", "ai.generateText.doGenerate")
      .Str("ai.model.provider", "openai.chat")
      .Int("ai.usage.promptTokens", 3000)
      .Int("ai.usage.completionTokens", 100)
      .Int("ai.usage.cachedInputTokens", 2000);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 3000);
  EXPECT_EQ(info.usage.total_tokens, 3100);
}

// AI SDK 6 with @ai-sdk/openai and logprobs requested: the per-token logprobs travel in the
// provider metadata, in OpenAI's token-entry form (captured from ai 6.0 streamText).
TEST(VercelAiTest, OpenAiLogprobsFromProviderMetadata) {
  TestSpan t;
  t.Str("ai.operationId", "ai.streamText.doStream")
      .Str("ai.model.provider", "openai.chat")
      .Str("ai.model.id", "gpt-4o")
      .Str("ai.response.providerMetadata",
           R"({"openai":{"acceptedPredictionTokens":0,"rejectedPredictionTokens":0,"logprobs":[)"
           R"({"token":"Paris","logprob":-0.1,"top_logprobs":[{"token":"Paris","logprob":-0.1},)"
           R"({"token":"The","logprob":-2.3025850929940455}]},)"
           R"({"token":".","logprob":0,"top_logprobs":[]}]}})");
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.logprobs.size(), 2u);
  EXPECT_EQ(info.logprobs[0].token, "Paris");
  EXPECT_EQ(info.logprobs[0].logprob, -0.1);
  ASSERT_EQ(info.logprobs[0].top.size(), 2u);
  EXPECT_EQ(info.logprobs[0].top[1].token, "The");
  EXPECT_EQ(info.logprobs[0].top[1].logprob, -2.3025850929940455);
  EXPECT_EQ(info.logprobs[1].token, ".");
  EXPECT_TRUE(info.logprobs[1].top.empty());
}

// AI SDK 6: inputTokens is the total; the breakdown must not be added again.
TEST(AnthropicCacheTest, VercelV6InclusiveInputIsNotCountedTwice) {
  TestSpan t;
  t.Str("ai.operationId", "ai.streamText.doStream")
      .Str("ai.model.provider", "anthropic.messages")
      .Int("ai.usage.inputTokens", 9500)
      .Int("ai.usage.inputTokenDetails.noCacheTokens", 1000)
      .Int("ai.usage.inputTokenDetails.cacheReadTokens", 8000)
      .Int("ai.usage.inputTokenDetails.cacheWriteTokens", 500)
      .Int("ai.usage.outputTokens", 300)
      .Int("ai.usage.cachedInputTokens", 8000);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 9500);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 8000);
  EXPECT_EQ(info.usage.cache_creation_input_tokens, 500);
  EXPECT_EQ(info.usage.total_tokens, 9800);
}

// Instrumentations that copy Anthropic's usage.input_tokens into gen_ai.usage.input_tokens
// (or, like openinference-instrumentation-bedrock, into llm.token_count.prompt) report less
// input than was read from cache: impossible for an inclusive count.
TEST(AnthropicCacheTest, InputSmallerThanCacheIsExclusive) {
  TestSpan otel;
  otel.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "anthropic")
      .Int("gen_ai.usage.input_tokens", 12)
      .Int("gen_ai.usage.output_tokens", 40)
      .Int("gen_ai.usage.cache_read.input_tokens", 4000)
      .Int("gen_ai.usage.cache_creation.input_tokens", 100);
  LlmInfo info = MustNormalize(otel);
  EXPECT_EQ(info.usage.input_tokens, 4112);
  EXPECT_EQ(info.usage.total_tokens, 4152);

  TestSpan oi;
  oi.Str("openinference.span.kind", "LLM")
      .Str("llm.provider", "aws")
      .Str("llm.model_name", "anthropic.claude-3-5-sonnet-20241022-v2:0")
      .Int("llm.token_count.prompt", 12)
      .Int("llm.token_count.completion", 40)
      .Int("llm.token_count.total", 52)
      .Int("llm.token_count.prompt_details.cache_read", 4000);
  info = MustNormalize(oi);
  EXPECT_EQ(info.provider, "aws.bedrock");
  EXPECT_EQ(info.usage.input_tokens, 4012);
  EXPECT_EQ(info.usage.total_tokens, 4052);  // the reported total came from the raw count
}

// openinference-instrumentation-anthropic (current) adds cache reads and writes itself.
TEST(AnthropicCacheTest, OpenInferenceInclusiveInputStaysAsIs) {
  TestSpan t;
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.provider", "anthropic")
      .Str("llm.system", "anthropic")
      .Str("llm.model_name", "claude-3-5-sonnet-20241022")
      .Int("llm.token_count.prompt", 4112)
      .Int("llm.token_count.completion", 40)
      .Int("llm.token_count.prompt_details.cache_read", 4000)
      .Int("llm.token_count.prompt_details.cache_write", 100);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.usage.input_tokens, 4112);
  EXPECT_EQ(info.usage.total_tokens, 4152);
}

// ---------------------------------------------------------------------------------------------
// Several conventions on one span.

// OpenLLMetry emits gen_ai.* and llm.* together; Traceloop context rides along.
TEST(MixedTest, OpenLlmetryAndOtelOnOneSpan) {
  TestSpan t;
  OpenLlmetryClassic(t);
  t.Str("traceloop.workflow.name", "qa").Str("traceloop.association.properties.session_id", "s");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "openllmetry");
  EXPECT_EQ(info.usage.input_tokens, 20);  // from gen_ai.usage.prompt_tokens, once
  EXPECT_EQ(info.usage.total_tokens, 23);  // from llm.usage.total_tokens
  EXPECT_EQ(info.session_id, "s");
}

// An OpenInference span that also carries gen_ai.* (for example from a span processor that
// copies attributes): OpenInference's values win, the gen_ai.* ones fill gaps, nothing adds up.
TEST(MixedTest, OpenInferenceWinsOverOtel) {
  TestSpan t;
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.model_name", "gpt-4o")
      .Int("llm.token_count.prompt", 100)
      .Int("llm.token_count.completion", 10)
      .Str("gen_ai.system", "openai")
      .Str("gen_ai.response.model", "gpt-4o-2024-08-06")
      .Int("gen_ai.usage.input_tokens", 100)
      .Int("gen_ai.usage.output_tokens", 10)
      .Int("gen_ai.usage.cache_read.input_tokens", 64)
      .Dbl("gen_ai.request.temperature", 0.1);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "openinference");
  EXPECT_EQ(info.provider, "openai");
  EXPECT_EQ(info.request_model, "gpt-4o");
  EXPECT_EQ(info.response_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(info.usage.input_tokens, 100);
  EXPECT_EQ(info.usage.output_tokens, 10);
  EXPECT_EQ(info.usage.cache_read_input_tokens, 64);
  EXPECT_EQ(info.usage.total_tokens, 110);
  EXPECT_EQ(info.params.temperature, 0.1);
}

// Langfuse attributes set by the user on an instrumented span override the library's.
TEST(MixedTest, GeneralIdentityAttributesOnAnyLlmSpan) {
  TestSpan t;
  OtelV137(t);
  t.Str("session.id", "s-9").Str("enduser.id", "u-9");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "otel_genai");
  EXPECT_EQ(info.session_id, "s-9");
  EXPECT_EQ(info.user_id, "u-9");
}

TEST(MixedTest, LangfuseOverridesOtel) {
  TestSpan t;
  OtelV137(t);
  t.Str("langfuse.observation.model.name", "my-finetune")
      .Str("langfuse.observation.usage_details", R"({"input": 18, "output": 3})")
      .Str("langfuse.session.id", "lf-session")
      .Str("gen_ai.conversation.id", "conv");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "langfuse");
  EXPECT_EQ(info.request_model, "my-finetune");
  EXPECT_EQ(info.response_model, "gpt-4o-2024-08-06");
  EXPECT_EQ(info.usage.input_tokens, 18);
  EXPECT_EQ(info.usage.total_tokens, 21);
  EXPECT_EQ(info.session_id, "lf-session");
  EXPECT_EQ(info.conversation_id, "conv");
  EXPECT_EQ(info.input_messages.size(), 1u);  // from gen_ai.input.messages
}

// ---------------------------------------------------------------------------------------------
// Streaming detail from span events.

TEST(StreamEventsTest, TokenEventsGiveLogprobsAndOffsets) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat").Str("gen_ai.provider.name", "openai");
  // Recorded out of order; the index puts them back.
  t.Event("gen_ai.token", 350'000'000,
          {{"token", t.S(" world")}, {"logprob", TestSpan::D(-0.7)}, {"index", TestSpan::I(1)}});
  t.Event("gen_ai.token", 300'000'000,
          {{"token", t.S("Hello")},
           {"logprob", TestSpan::D(-0.1)},
           {"index", TestSpan::I(0)},
           {"top_logprobs",
            t.S(R"([{"token":"Hello","logprob":-0.1},{"token":"Hi","logprob":-2.5}])")}});
  t.Event("gen_ai.token", 999,
          {{"token", t.S("!")},
           {"logprob", TestSpan::D(-1.5)},
           {"index", TestSpan::I(2)},
           {"offset", TestSpan::I(420'000'000)}});
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.logprobs.size(), 3u);
  EXPECT_EQ(info.logprobs[0].token, "Hello");
  EXPECT_EQ(info.logprobs[0].logprob, -0.1);
  ASSERT_EQ(info.logprobs[0].top.size(), 2u);
  EXPECT_EQ(info.logprobs[0].top[1].token, "Hi");
  EXPECT_EQ(info.logprobs[1].token, " world");
  EXPECT_EQ(info.logprobs[2].token, "!");
  EXPECT_EQ(info.timing.token_offsets_ns,
            (std::vector<uint64_t>{300'000'000, 350'000'000, 420'000'000}));
  EXPECT_EQ(info.timing.time_to_first_token_ns, 300'000'000u);
}

TEST(StreamEventsTest, FirstTokenEventWinsOverTokenEvents) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat");
  t.Event("gen_ai.first_token", 250'000'000);
  t.Event("gen_ai.token", 300'000'000, {{"token", t.S("a")}});
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.timing.time_to_first_token_ns, 250'000'000u);
  EXPECT_TRUE(info.logprobs.empty());  // no logprob on any token event
  EXPECT_EQ(info.timing.token_offsets_ns, std::vector<uint64_t>{300'000'000});
}

TEST(StreamEventsTest, LogprobsEvent) {
  TestSpan t;
  t.Str("llm.request.type", "chat");
  t.Event(
      "logprobs", 10,
      {{"logprobs",
        t.S(R"({"content":[{"token":"Yes","logprob":-0.2,"bytes":[89,101,115],"top_logprobs":[]}],)"
            R"("refusal":null})")}});
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.logprobs.size(), 1u);
  EXPECT_EQ(info.logprobs[0].token, "Yes");
  EXPECT_EQ(info.logprobs[0].bytes, "Yes");
}

// ---------------------------------------------------------------------------------------------
// Untrusted input.

TEST(MalformedTest, BrokenJsonYieldsNoContentButTheRestSurvives) {
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.provider.name", "openai")
      .Int("gen_ai.usage.input_tokens", 5)
      .Str("gen_ai.input.messages", R"([{"role":"user","parts":[{"type":"text","content":"hi"})")
      .Str("gen_ai.output.messages", "not json at all")
      .Str("gen_ai.system_instructions", "{\"a\": \xff}")
      .Str("gen_ai.retrieval.documents", "[[[[")
      .Str("gen_ai.tool.call.arguments", "{oops");
  t.Event("gen_ai.content.prompt", 1, {{"gen_ai.prompt", t.S("[{\"role\":")}});
  t.Event("gen_ai.choice", 2, {{"message", t.S("{broken")}});
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.provider, "openai");
  EXPECT_EQ(info.usage.input_tokens, 5);
  EXPECT_TRUE(info.input_messages.empty());
  EXPECT_TRUE(info.output_messages.empty());
  EXPECT_TRUE(info.system_instructions.empty());
  EXPECT_TRUE(info.documents.empty());
  ASSERT_TRUE(info.tool.has_value());
  EXPECT_EQ(info.tool->arguments, "{oops");  // kept verbatim, never parsed
}

TEST(MalformedTest, EveryJsonAttributeMalformed) {
  TestSpan t;
  for (std::string_view key :
       {"llm.invocation_parameters", "input.value", "output.value", "langfuse.observation.input",
        "langfuse.observation.output", "langfuse.observation.usage_details",
        "langfuse.observation.model.parameters", "ai.prompt.messages", "ai.prompt",
        "ai.response.toolCalls", "ai.response.providerMetadata", "gen_ai.input.messages"}) {
    t.Str(key, "{\"x\": [1, 2, {\"y\": ");
  }
  t.Str("openinference.span.kind", "LLM").Str("langfuse.observation.type", "generation");
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.convention, "langfuse");
  EXPECT_EQ(info.usage.input_tokens, std::nullopt);
}

TEST(MalformedTest, HugeFlattenedIndicesAreNotAllocated) {
  TestSpan t;
  t.Str("openinference.span.kind", "LLM")
      .Str("llm.input_messages.999999999.message.role", "user")
      .Str("llm.input_messages.4294967296.message.content", "x")
      .Str("llm.input_messages.999999.message.content", "kept")
      .Str("llm.input_messages..message.content", "x")
      .Str("llm.input_messages.7", "x")
      .Str("gen_ai.prompt.18446744073709551616.content", "x");
  const LlmInfo info = MustNormalize(t);
  ASSERT_EQ(info.input_messages.size(), 1u);
  EXPECT_EQ(TextOf(info.input_messages[0]), "kept");
}

TEST(MalformedTest, MessageCountIsCapped) {
  std::string json = "[";
  for (int i = 0; i < 10'050; ++i) {
    if (i > 0) json += ',';
    json += R"({"role":"user","parts":[{"type":"text","content":"m"}]})";
  }
  json += "]";
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat").Str("gen_ai.input.messages", json);
  const LlmInfo info = MustNormalize(t);
  EXPECT_EQ(info.input_messages.size(), 10'000u);
}

TEST(MalformedTest, DeepNestingIsRefused) {
  std::string deep(100'000, '[');
  deep += std::string(100'000, ']');
  TestSpan t;
  t.Str("gen_ai.operation.name", "chat")
      .Str("gen_ai.input.messages", deep)
      .Str("gen_ai.output.messages",
           R"([{"role":"assistant","parts":[{"type":"text","content":"ok"}]}])");
  // A deep structured value, too.
  model::AnyValue nested = TestSpan::I(1);
  for (int i = 0; i < 200; ++i) nested = TestSpan::Array({std::move(nested)});
  t.Attr("gen_ai.system_instructions", nested);
  const LlmInfo info = MustNormalize(t);
  EXPECT_TRUE(info.input_messages.empty());
  ASSERT_EQ(info.output_messages.size(), 1u);
}

TEST(MalformedTest, WrongValueTypesEverywhere) {
  TestSpan t;
  const char* keys[] = {"gen_ai.input.messages",
                        "llm.input_messages.0.message.role",
                        "gen_ai.prompt.0.content",
                        "langfuse.observation.input",
                        "ai.prompt.messages",
                        "gen_ai.response.finish_reasons",
                        "gen_ai.request.stop_sequences",
                        "tag.tags",
                        "llm.invocation_parameters",
                        "gen_ai.tool.call.arguments"};
  for (const char* key : keys) t.Attr(key, TestSpan::B(true));
  t.Attr("openinference.span.kind", TestSpan::I(3));
  t.Attr("langfuse.observation.type", t.Map({{"x", TestSpan::I(1)}}));
  t.Event("gen_ai.token", 5, {{"token", TestSpan::Array({})}, {"logprob", t.S("x")}});
  EXPECT_TRUE(t.Normalize().has_value());
}

// ---------------------------------------------------------------------------------------------
// Spans that are not LLM-related.

TEST(NotLlmTest, PlainSpansGiveNothing) {
  TestSpan http;
  http.Str("http.request.method", "GET")
      .Str("url.full", "https://example.com")
      .Int("http.response.status_code", 200);
  EXPECT_FALSE(http.Normalize().has_value());

  TestSpan empty;
  EXPECT_FALSE(empty.Normalize().has_value());

  TestSpan db;
  db.Str("db.system", "postgresql").Str("db.statement", "SELECT 1");
  db.Event("exception", 1, {{"exception.message", db.S("boom")}});
  EXPECT_FALSE(db.Normalize().has_value());
}

// Context the Traceloop SDK, OpenInference and the Vercel AI SDK copy onto every span of a
// workflow does not make an HTTP span an LLM span.
TEST(NotLlmTest, PropagatedContextAloneGivesNothing) {
  TestSpan t;
  t.Str("http.request.method", "POST")
      .Str("traceloop.workflow.name", "qa")
      .Str("traceloop.entity.path", "qa.retrieve")
      .Str("traceloop.association.properties.session_id", "s-1")
      .Str("session.id", "s-1")
      .Str("user.id", "u-1")
      .Str("ai.telemetry.metadata.userId", "u-1")
      .Str("langfuse.environment", "prod");
  EXPECT_FALSE(t.Normalize().has_value());
}

}  // namespace
}  // namespace tokenscope::semconv
