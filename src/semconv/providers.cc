#include "semconv/providers.h"

#include <utility>

#include "semconv/coerce.h"

namespace tokenscope::semconv {
namespace {

// Lower-cased alias -> canonical name. Entries with dots are matched whole; the Vercel AI
// SDK's "<provider>.<api>" ids are matched by their leading segments (see below).
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"openai", "openai"},
    {"openai-compatible", "openai"},
    {"anthropic", "anthropic"},
    {"azure", "azure.ai.openai"},
    {"azure-openai", "azure.ai.openai"},
    {"azure_openai", "azure.ai.openai"},
    {"azureopenai", "azure.ai.openai"},
    {"az.ai.openai", "azure.ai.openai"},
    {"azure.ai.openai", "azure.ai.openai"},
    {"az.ai.inference", "azure.ai.inference"},
    {"azure.ai.inference", "azure.ai.inference"},
    {"azure_ai_inference", "azure.ai.inference"},
    {"gemini", "gcp.gemini"},
    {"gcp.gemini", "gcp.gemini"},
    {"google", "gcp.gemini"},
    {"google.generative-ai", "gcp.gemini"},
    {"google_genai", "gcp.gemini"},
    {"google-genai", "gcp.gemini"},
    {"google_generativeai", "gcp.gemini"},
    {"googleai", "gcp.gemini"},
    {"vertex_ai", "gcp.vertex_ai"},
    {"vertexai", "gcp.vertex_ai"},
    {"vertex", "gcp.vertex_ai"},
    {"gcp.vertex_ai", "gcp.vertex_ai"},
    {"google.vertex", "gcp.vertex_ai"},
    {"google-vertex", "gcp.vertex_ai"},
    {"gcp.gen_ai", "gcp.gen_ai"},
    {"aws.bedrock", "aws.bedrock"},
    {"aws", "aws.bedrock"},
    {"bedrock", "aws.bedrock"},
    {"aws_bedrock", "aws.bedrock"},
    {"aws bedrock", "aws.bedrock"},
    {"amazon-bedrock", "aws.bedrock"},
    {"amazon_bedrock", "aws.bedrock"},
    {"amazon", "aws.bedrock"},
    {"mistral_ai", "mistral_ai"},
    {"mistralai", "mistral_ai"},
    {"mistral", "mistral_ai"},
    {"cohere", "cohere"},
    {"xai", "x_ai"},
    {"x_ai", "x_ai"},
    {"x-ai", "x_ai"},
    {"deepseek", "deepseek"},
    {"groq", "groq"},
    {"perplexity", "perplexity"},
    {"ibm.watsonx.ai", "ibm.watsonx.ai"},
    {"watsonx", "ibm.watsonx.ai"},
    {"ibm", "ibm.watsonx.ai"},
    {"moonshot", "moonshot_ai"},
    {"moonshot_ai", "moonshot_ai"},
    {"moonshotai", "moonshot_ai"},
    {"together", "together"},
    {"togetherai", "together"},
    {"together_ai", "together"},
    {"fireworks", "fireworks"},
    {"fireworks_ai", "fireworks"},
    {"ollama", "ollama"},
    {"cerebras", "cerebras"},
    {"huggingface", "huggingface"},
    {"hugging_face", "huggingface"},
    {"replicate", "replicate"},
    {"ai21", "ai21"},
};

std::string_view Lookup(std::string_view name) {
  for (const auto& [alias, canonical] : kAliases) {
    if (alias == name) return canonical;
  }
  return {};
}

struct ModelPrefix {
  std::string_view prefix;
  std::string_view provider;
};

constexpr ModelPrefix kModelPrefixes[] = {
    {"gpt-", "openai"},
    {"gpt4", "openai"},
    {"chatgpt", "openai"},
    {"o1-", "openai"},
    {"o3-", "openai"},
    {"o4-", "openai"},
    {"text-embedding-3", "openai"},
    {"text-embedding-ada", "openai"},
    {"davinci", "openai"},
    {"claude", "anthropic"},
    {"gemini", "gcp.gemini"},
    {"mistral", "mistral_ai"},
    {"mixtral", "mistral_ai"},
    {"codestral", "mistral_ai"},
    {"ministral", "mistral_ai"},
    {"pixtral", "mistral_ai"},
    {"magistral", "mistral_ai"},
    {"command-", "cohere"},
    {"embed-english", "cohere"},
    {"embed-multilingual", "cohere"},
    {"grok", "x_ai"},
    {"deepseek", "deepseek"},
};

// Bedrock model ids are "<vendor>.<model>", optionally behind a region prefix ("us.").
constexpr std::string_view kBedrockVendors[] = {
    "anthropic.", "amazon.", "meta.", "cohere.", "ai21.", "mistral.", "deepseek.", "writer.",
};

}  // namespace

std::string ProviderForModel(std::string_view model) {
  const std::string name = ToLower(Trim(model));
  if (name == "o1" || name == "o3" || name == "o4") return "openai";
  for (std::string_view region : {"", "us.", "eu.", "apac.", "global."}) {
    if (name.rfind(region, 0) != 0) continue;
    const std::string_view rest = std::string_view(name).substr(region.size());
    for (std::string_view vendor : kBedrockVendors) {
      if (rest.rfind(vendor, 0) == 0) return "aws.bedrock";
    }
  }
  for (const ModelPrefix& entry : kModelPrefixes) {
    if (name.rfind(entry.prefix, 0) == 0) return std::string(entry.provider);
  }
  return {};
}

std::string NormalizeProvider(std::string_view raw) {
  const std::string name = ToLower(Trim(raw));
  if (name.empty()) return {};
  if (std::string_view hit = Lookup(name); !hit.empty()) return std::string(hit);
  // "<provider>.<api>" (Vercel AI SDK: openai.chat, google.vertex.chat, ...): try the
  // longest leading run of segments that names a provider.
  for (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0;
       dot = name.rfind('.', dot - 1)) {
    if (std::string_view hit = Lookup(std::string_view(name).substr(0, dot)); !hit.empty()) {
      return std::string(hit);
    }
  }
  return name;
}

}  // namespace tokenscope::semconv
