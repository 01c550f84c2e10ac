#include "model/llm.h"

namespace tokenscope::model {

std::string_view LlmSpanKindName(LlmSpanKind kind) {
  switch (kind) {
    case LlmSpanKind::kOther: return "other";
    case LlmSpanKind::kLlm: return "llm";
    case LlmSpanKind::kEmbedding: return "embedding";
    case LlmSpanKind::kRetrieval: return "retrieval";
    case LlmSpanKind::kRerank: return "rerank";
    case LlmSpanKind::kTool: return "tool";
    case LlmSpanKind::kAgent: return "agent";
    case LlmSpanKind::kChain: return "chain";
    case LlmSpanKind::kWorkflow: return "workflow";
    case LlmSpanKind::kGuardrail: return "guardrail";
    case LlmSpanKind::kEvaluator: return "evaluator";
  }
  return "other";
}

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone: return "";
    case ErrorClass::kPrompt: return "prompt";
    case ErrorClass::kModel: return "model";
    case ErrorClass::kInfrastructure: return "infrastructure";
    case ErrorClass::kUnknown: return "unknown";
  }
  return "";
}

}  // namespace tokenscope::model
