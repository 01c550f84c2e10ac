#include "semconv/providers.h"

#include <gtest/gtest.h>

namespace tokenscope::semconv {
namespace {

TEST(NormalizeProviderTest, KnownSpellings) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      // OTel, current and deprecated.
      {"openai", "openai"},
      {"az.ai.openai", "azure.ai.openai"},
      {"azure.ai.openai", "azure.ai.openai"},
      {"az.ai.inference", "azure.ai.inference"},
      {"vertex_ai", "gcp.vertex_ai"},
      {"gcp.vertex_ai", "gcp.vertex_ai"},
      {"gemini", "gcp.gemini"},
      {"gcp.gemini", "gcp.gemini"},
      {"gcp.gen_ai", "gcp.gen_ai"},
      {"aws.bedrock", "aws.bedrock"},
      {"mistral_ai", "mistral_ai"},
      {"xai", "x_ai"},
      {"ibm.watsonx.ai", "ibm.watsonx.ai"},
      // OpenLLMetry 0.4.x capitalisation.
      {"OpenAI", "openai"},
      {"Anthropic", "anthropic"},
      {"Cohere", "cohere"},
      {" MistralAI ", "mistral_ai"},
      // OpenInference llm.provider / llm.system.
      {"azure", "azure.ai.openai"},
      {"google", "gcp.gemini"},
      {"vertexai", "gcp.vertex_ai"},
      {"aws", "aws.bedrock"},
      {"mistralai", "mistral_ai"},
      {"moonshot", "moonshot_ai"},
      // Vercel AI SDK provider ids.
      {"openai.chat", "openai"},
      {"openai.responses", "openai"},
      {"anthropic.messages", "anthropic"},
      {"google.generative-ai", "gcp.gemini"},
      {"google.vertex.chat", "gcp.vertex_ai"},
      {"amazon-bedrock", "aws.bedrock"},
      {"mistral.chat", "mistral_ai"},
      {"azure-openai.chat", "azure.ai.openai"},
      {"xai.chat", "x_ai"},
      // Unknown names pass through, lower-cased.
      {"MyGateway", "mygateway"},
      {"acme.chat", "acme.chat"},
      {"", ""},
  };
  for (const auto& [raw, canonical] : cases) {
    EXPECT_EQ(NormalizeProvider(raw), canonical) << raw;
  }
}

TEST(ProviderForModelTest, WellKnownModels) {
  EXPECT_EQ(ProviderForModel("gpt-4o-2024-08-06"), "openai");
  EXPECT_EQ(ProviderForModel("o3-mini"), "openai");
  EXPECT_EQ(ProviderForModel("o1"), "openai");
  EXPECT_EQ(ProviderForModel("claude-3-5-sonnet-20241022"), "anthropic");
  EXPECT_EQ(ProviderForModel("gemini-1.5-pro"), "gcp.gemini");
  EXPECT_EQ(ProviderForModel("anthropic.claude-3-haiku-20240307-v1:0"), "aws.bedrock");
  EXPECT_EQ(ProviderForModel("us.anthropic.claude-3-5-sonnet-20241022-v2:0"), "aws.bedrock");
  EXPECT_EQ(ProviderForModel("mistral-large-latest"), "mistral_ai");
  EXPECT_EQ(ProviderForModel("grok-2"), "x_ai");
  EXPECT_EQ(ProviderForModel("llama3:8b"), "");
  EXPECT_EQ(ProviderForModel("o1x"), "");
  EXPECT_EQ(ProviderForModel(""), "");
}

}  // namespace
}  // namespace tokenscope::semconv
