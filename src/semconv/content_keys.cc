#include "semconv/content_keys.h"

#include <algorithm>

namespace tokenscope::semconv {
namespace {

constexpr std::string_view kKeys[] = {
    // OTel GenAI >= 1.37 (on the span or the operation-details event), tools, retrieval.
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.retrieval.documents",
    "gen_ai.retrieval.query.text",
    // OTel GenAI <= 1.27 event attributes, and the Azure AI Inference event body.
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.event.content",
    // OpenInference.
    "input.value",
    "output.value",
    "llm.prompts",
    "llm.prompt_template.template",
    "llm.prompt_template.variables",
    "reranker.query",
    "tool.parameters",
    "tool_call.function.arguments",
    // OpenLLMetry / Traceloop workflow layer.
    "traceloop.entity.input",
    "traceloop.entity.output",
    // Langfuse.
    "langfuse.observation.input",
    "langfuse.observation.output",
    "langfuse.trace.input",
    "langfuse.trace.output",
    // Vercel AI SDK.
    "ai.prompt",
    "ai.prompt.messages",
    "ai.value",
    "ai.values",
    "ai.response.text",
    "ai.response.object",
    "ai.response.toolCalls",
    "ai.response.reasoning",
    "ai.toolCall.args",
    "ai.toolCall.result",
    // Error text (OTel exception semconv), which often quotes the request.
    "exception.message",
    "exception.stacktrace",
};

constexpr std::string_view kPrefixes[] = {
    "gen_ai.prompt.",              // OpenLLMetry gen_ai.prompt.N.content / .role / tool calls
    "gen_ai.completion.",          // OpenLLMetry gen_ai.completion.N.*
    "llm.prompts.",                // OpenInference / OpenLLMetry legacy prompt lists
    "llm.completions.",            // OpenLLMetry legacy completions
    "llm.choices.",                // OpenInference legacy completions
    "llm.input_messages.",         // OpenInference flattened messages
    "llm.output_messages.",        //
    "retrieval.documents.",        // OpenInference retriever documents
    "reranker.input_documents.",   // OpenInference reranker documents
    "reranker.output_documents.",  //
    "embedding.embeddings.",       // OpenInference embedded texts
};

constexpr std::string_view kEvents[] = {
    "gen_ai.content.prompt",
    "gen_ai.content.completion",
    "gen_ai.system.message",
    "gen_ai.user.message",
    "gen_ai.assistant.message",
    "gen_ai.tool.message",
    "gen_ai.choice",
    "gen_ai.client.inference.operation.details",
    "llm.content.completion.chunk",
};

}  // namespace

bool IsContentAttributeKey(std::string_view key) {
  if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys)) return true;
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [key](std::string_view prefix) { return key.starts_with(prefix); });
}

bool IsContentEventName(std::string_view name) {
  return std::find(std::begin(kEvents), std::end(kEvents), name) != std::end(kEvents);
}

std::span<const std::string_view> ContentAttributeKeys() {
  return kKeys;
}
std::span<const std::string_view> ContentAttributePrefixes() {
  return kPrefixes;
}
std::span<const std::string_view> ContentEventNames() {
  return kEvents;
}

}  // namespace tokenscope::semconv
