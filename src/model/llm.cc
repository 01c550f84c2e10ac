#include "model/llm.h"

#include <algorithm>

namespace tokenscope::model {

std::string_view LlmSpanKindName(LlmSpanKind kind) {
  switch (kind) {
    case LlmSpanKind::kOther:
      return "other";
    case LlmSpanKind::kLlm:
      return "llm";
    case LlmSpanKind::kEmbedding:
      return "embedding";
    case LlmSpanKind::kRetrieval:
      return "retrieval";
    case LlmSpanKind::kRerank:
      return "rerank";
    case LlmSpanKind::kTool:
      return "tool";
    case LlmSpanKind::kAgent:
      return "agent";
    case LlmSpanKind::kChain:
      return "chain";
    case LlmSpanKind::kWorkflow:
      return "workflow";
    case LlmSpanKind::kGuardrail:
      return "guardrail";
    case LlmSpanKind::kEvaluator:
      return "evaluator";
  }
  return "other";
}

namespace {

void KeepSmallest(std::string* mine, const std::string& theirs) {
  if (!theirs.empty() && (mine->empty() || theirs < *mine)) *mine = theirs;
}

void AddModel(std::vector<std::string>* models, const std::string& model) {
  if (model.empty()) return;
  auto it = std::lower_bound(models->begin(), models->end(), model);
  if (it != models->end() && *it == model) return;
  models->insert(it, model);
  // Keep the smallest names when over the cap, so the result does not depend on merge order.
  if (models->size() > LlmTotals::kMaxModels) models->pop_back();
}

}  // namespace

void LlmTotals::AddCall(const LlmInfo& llm) {
  KeepSmallest(&session_id, llm.session_id);
  KeepSmallest(&user_id, llm.user_id);
  if (llm.kind != LlmSpanKind::kLlm && llm.kind != LlmSpanKind::kEmbedding) return;
  ++llm_calls;
  const TokenUsage& u = llm.usage;
  input_tokens += u.input_tokens.value_or(0);
  output_tokens += u.output_tokens.value_or(0);
  cache_read_input_tokens += u.cache_read_input_tokens.value_or(0);
  cache_creation_input_tokens += u.cache_creation_input_tokens.value_or(0);
  reasoning_tokens += u.reasoning_tokens.value_or(0);
  total_tokens += u.total_tokens.value_or(u.input_tokens.value_or(0) + u.output_tokens.value_or(0));
  if (llm.cost) cost_nanos += llm.cost->total_nanos;
  AddModel(&models, llm.model());
}

void LlmTotals::Merge(const LlmTotals& o) {
  llm_calls += o.llm_calls;
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  cache_read_input_tokens += o.cache_read_input_tokens;
  cache_creation_input_tokens += o.cache_creation_input_tokens;
  reasoning_tokens += o.reasoning_tokens;
  total_tokens += o.total_tokens;
  cost_nanos += o.cost_nanos;
  for (const auto& m : o.models) AddModel(&models, m);
  KeepSmallest(&session_id, o.session_id);
  KeepSmallest(&user_id, o.user_id);
}

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone:
      return "";
    case ErrorClass::kPrompt:
      return "prompt";
    case ErrorClass::kModel:
      return "model";
    case ErrorClass::kInfrastructure:
      return "infrastructure";
    case ErrorClass::kUnknown:
      return "unknown";
  }
  return "";
}

}  // namespace tokenscope::model
