#include "enrich/span_analysis.h"

#include "semconv/normalizer.h"
#include "tokenize/encoding.h"

namespace tokenscope::enrich {

namespace {

// OpenAI's chat framing, as counted by the OpenAI Cookbook's "How to count tokens with
// tiktoken" (num_tokens_from_messages): every message costs 3 tokens around its values, whose
// tokens (role, content, name) are counted too; a name costs 1 more; and every reply is primed
// with <|start|>assistant<|message|>, 3 tokens.
constexpr int64_t kTokensPerMessage = 3;
constexpr int64_t kTokensPerName = 1;
constexpr int64_t kTokensPerReplyPriming = 3;

int64_t Count(const tokenize::Encoding& encoding, std::string_view text) {
  return static_cast<int64_t>(encoding.CountTokens(text));
}

// The tokens of one part's text. Images and parts Tokenscope does not understand are not
// counted (their cost depends on sizes and modalities that the text does not tell), so an
// estimate for multimodal input is a lower bound.
std::optional<int64_t> PartTokens(const tokenize::Encoding& encoding,
                                  const model::MessagePart& part) {
  switch (part.type) {
    case model::PartType::kText:
    case model::PartType::kReasoning:
    case model::PartType::kToolResult:
      return Count(encoding, part.text);
    case model::PartType::kToolCall:
      return Count(encoding, part.tool_name) + Count(encoding, part.arguments);
    case model::PartType::kImage:
    case model::PartType::kOther:
      return std::nullopt;
  }
  return std::nullopt;
}

// The prompt's tokens: every system instruction and input message with its framing, plus the
// reply priming. nullopt when there is no message to count.
std::optional<int64_t> EstimateInputTokens(const model::LlmInfo& llm,
                                           const tokenize::Encoding& encoding) {
  if (llm.system_instructions.empty() && llm.input_messages.empty()) return std::nullopt;
  int64_t tokens = kTokensPerReplyPriming;
  for (const auto* messages : {&llm.system_instructions, &llm.input_messages}) {
    for (const model::Message& message : *messages) {
      tokens += kTokensPerMessage + Count(encoding, message.role);
      if (!message.name.empty()) tokens += kTokensPerName + Count(encoding, message.name);
      for (const model::MessagePart& part : message.parts) {
        tokens += PartTokens(encoding, part).value_or(0);
      }
    }
  }
  return tokens;
}

// The completion's tokens: text, reasoning and tool calls of the output messages, without
// framing (the provider counts only what the model generated). nullopt when no part of the
// output can be counted.
std::optional<int64_t> EstimateOutputTokens(const model::LlmInfo& llm,
                                            const tokenize::Encoding& encoding) {
  std::optional<int64_t> tokens;
  for (const model::Message& message : llm.output_messages) {
    for (const model::MessagePart& part : message.parts) {
      if (part.type != model::PartType::kText && part.type != model::PartType::kReasoning &&
          part.type != model::PartType::kToolCall) {
        continue;
      }
      tokens = tokens.value_or(0) + PartTokens(encoding, part).value_or(0);
    }
  }
  return tokens;
}

// Fills the input or output count of an LLM call that did not report it (a stream without its
// usage chunk, an instrumentation that omits usage) by tokenizing the messages with the model's
// encoding, and flags it as estimated. Reported counts are never replaced.
void EstimateMissingUsage(model::LlmInfo* llm) {
  model::TokenUsage& usage = llm->usage;
  if (llm->kind != model::LlmSpanKind::kLlm || (usage.input_tokens && usage.output_tokens)) {
    return;
  }
  const tokenize::EncodingChoice choice = tokenize::EncodingForModel(llm->model());
  auto encoding = tokenize::Encoding::Get(choice.encoding);
  if (!encoding.ok()) return;  // the built-in encodings always load; leave usage as reported
  if (!usage.input_tokens) {
    usage.input_tokens = EstimateInputTokens(*llm, **encoding);
    usage.input_estimated = usage.input_tokens.has_value();
  }
  if (!usage.output_tokens) {
    usage.output_tokens = EstimateOutputTokens(*llm, **encoding);
    usage.output_estimated = usage.output_tokens.has_value();
  }
  // The normalizer derives the total only from two reported counts, so a total present here
  // was reported and stays; a missing one is derived as usual.
  if (!usage.total_tokens && usage.input_tokens && usage.output_tokens) {
    usage.total_tokens = *usage.input_tokens + *usage.output_tokens;
  }
}

}  // namespace

std::optional<model::LlmInfo> PricedLlmInfo(const model::Span& span,
                                            const model::Resource& resource,
                                            const model::Scope& scope, const PriceTable* prices) {
  auto llm = semconv::Normalize({span, resource, scope});
  if (!llm) return llm;
  // Before pricing, so that estimated usage is priced too. Not for failed calls: a provider
  // does not bill a request it refused (429, a prompt over the context length), so guessing
  // their usage would invent cost that was never incurred.
  if (span.status.code != model::StatusCode::kError) EstimateMissingUsage(&*llm);
  // Only the calls themselves are priced: agent and chain spans often repeat the usage of
  // their children, and pricing them too would count money twice in any total.
  if (prices != nullptr &&
      (llm->kind == model::LlmSpanKind::kLlm || llm->kind == model::LlmSpanKind::kEmbedding)) {
    llm->cost =
        prices->ComputeCost(llm->usage, llm->provider, llm->model(), span.start_time_unix_nano);
  }
  return llm;
}

SpanAnalysis AnalyzeSpan(const model::Span& span, const model::Resource& resource,
                         const model::Scope& scope, const PriceTable* prices) {
  SpanAnalysis out;
  out.llm = PricedLlmInfo(span, resource, scope, prices);
  out.error = ClassifyError(span, out.llm ? &*out.llm : nullptr);
  return out;
}

}  // namespace tokenscope::enrich
