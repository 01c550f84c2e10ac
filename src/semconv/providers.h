// Provider name normalization: every spelling a convention uses for an LLM provider, mapped to
// the OTel GenAI `gen_ai.provider.name` well-known values (openai, anthropic, aws.bedrock,
// azure.ai.openai, gcp.gemini, gcp.vertex_ai, mistral_ai, x_ai, ...).
//
// Inputs seen in the wild: OTel's deprecated `gen_ai.system` values (az.ai.openai, vertex_ai,
// gemini, xai), OpenLLMetry's capitalised names (OpenAI, Anthropic), OpenInference's
// llm.provider / llm.system values (azure, google, aws, mistralai, vertexai), and the Vercel
// AI SDK's provider ids (openai.chat, anthropic.messages, google.generative-ai, amazon-bedrock,
// google.vertex.chat). Unknown names are returned lower-cased and trimmed.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tokenscope::semconv {

std::string NormalizeProvider(std::string_view raw);

// The provider a well-known model name implies (gpt-4o -> openai, claude-3-5-sonnet ->
// anthropic, gemini-1.5-pro -> gcp.gemini, Bedrock model ids -> aws.bedrock, ...), or empty.
// Used only when no convention reports the provider, so a reported azure.ai.openai or
// aws.bedrock always wins over the guess.
std::string ProviderForModel(std::string_view model);

}  // namespace tokenscope::semconv
