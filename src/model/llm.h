// The canonical LLM section of a span (DESIGN.md §4): what normalization (src/semconv/)
// understood from whichever convention the instrumentation spoke, plus what enrichment
// (src/enrich/) computed — cost, error class. Unlike Span, every field here owns its memory
// (std::string), because it is built from several sources, outlives the request buffer and is
// stored on its own. Plain data; not synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tokenscope::model {

enum class LlmSpanKind : uint8_t {
  kOther = 0,
  kLlm,
  kEmbedding,
  kRetrieval,
  kRerank,
  kTool,
  kAgent,
  kChain,
  kWorkflow,
  kGuardrail,
  kEvaluator,
};
std::string_view LlmSpanKindName(LlmSpanKind kind);  // "llm", "retrieval", ...

struct LlmParams {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<int64_t> max_tokens;
  std::optional<double> frequency_penalty;
  std::optional<double> presence_penalty;
  std::optional<int64_t> seed;
  std::optional<bool> stream;
  std::vector<std::string> stop_sequences;
};

// Token usage in the canonical accounting: input includes cached input, output includes
// reasoning; the cache and reasoning counts are subsets, never added on top.
struct TokenUsage {
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> cache_read_input_tokens;
  std::optional<int64_t> cache_creation_input_tokens;
  std::optional<int64_t> reasoning_tokens;
  std::optional<int64_t> total_tokens;
  bool input_estimated = false;  // counted by Tokenscope's tokenizer, not reported
  bool output_estimated = false;
};

// Money as exact integers: nano-USD (1e-9 USD). Never floats.
struct Cost {
  int64_t input_nanos = 0;  // uncached input
  int64_t cache_read_nanos = 0;
  int64_t cache_creation_nanos = 0;
  int64_t output_nanos = 0;  // including reasoning
  int64_t total_nanos = 0;
  std::string price_id;  // the price entry used, e.g. "openai/gpt-4o@2024-08-06"
};

enum class PartType : uint8_t { kText, kReasoning, kToolCall, kToolResult, kImage, kOther };

struct MessagePart {
  PartType type = PartType::kText;
  std::string text;  // text, reasoning, tool result content, or the raw JSON of kOther
  std::string tool_call_id;
  std::string tool_name;
  std::string arguments;  // tool call arguments, JSON text
  std::string uri;        // image reference (uri, file id, or a mime type for inline data)
};

struct Message {
  std::string role;  // system, user, assistant, tool, ...
  std::string name;
  std::vector<MessagePart> parts;
  std::string finish_reason;  // output messages only
};

struct Document {
  std::string id;
  std::string content;
  std::optional<double> score;         // retrieval score, or a reranker's input score
  std::optional<double> output_score;  // a reranker's output score
};

struct ToolCall {
  std::string name;
  std::string call_id;
  std::string arguments;  // JSON text
  std::string result;
};

struct TokenAlternative {
  std::string token;
  double logprob = 0;
};

struct TokenLogprob {
  std::string token;
  std::string bytes;  // raw bytes of the token when given
  double logprob = 0;
  std::vector<TokenAlternative> top;
};

struct StreamTiming {
  std::optional<uint64_t> time_to_first_token_ns;
  std::vector<uint64_t> token_offsets_ns;  // arrival of each output token, from span start
};

struct LlmInfo {
  LlmSpanKind kind = LlmSpanKind::kOther;
  std::string operation;  // chat, text_completion, embeddings, execute_tool, invoke_agent, ...
  std::string provider;   // normalized: openai, anthropic, gcp.gemini, aws.bedrock, ...
  std::string request_model;
  std::string response_model;
  LlmParams params;
  TokenUsage usage;
  std::optional<Cost> cost;
  std::vector<Message> system_instructions;
  std::vector<Message> input_messages;
  std::vector<Message> output_messages;
  std::vector<std::string> finish_reasons;
  std::vector<Document> documents;         // retrieval/rerank input documents
  std::vector<Document> output_documents;  // rerank output documents
  std::optional<ToolCall> tool;
  std::vector<TokenLogprob> logprobs;
  StreamTiming timing;
  std::string session_id;
  std::string user_id;
  std::string conversation_id;
  std::string prompt_name;
  std::string prompt_version;
  std::vector<std::string> tags;
  std::string convention;  // which convention it came from: otel_genai, openinference, ...
  uint32_t normalizer_version = 0;

  // The model name to report: the response model when known, else the requested one.
  const std::string& model() const {
    return response_model.empty() ? request_model : response_model;
  }
};

// What one span adds to its trace's LLM totals, and the totals themselves: calls, tokens by
// type, cost, models, session and user. Merging is associative and commutative (the store
// folds it with a merge operator as spans arrive in any order). Only LLM and embedding calls
// count tokens and cost: agent and chain spans often repeat their children's usage.
struct LlmTotals {
  static constexpr size_t kMaxModels = 16;

  uint32_t llm_calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t cache_creation_input_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t total_tokens = 0;
  int64_t cost_nanos = 0;
  std::vector<std::string> models;  // sorted, distinct, at most kMaxModels
  std::string session_id;           // the smallest non-empty one seen (deterministic)
  std::string user_id;

  void AddCall(const LlmInfo& llm);
  void Merge(const LlmTotals& other);
  bool empty() const { return llm_calls == 0 && session_id.empty() && user_id.empty(); }
};

// Error classification of an errored or degraded span (LLM or not).
enum class ErrorClass : uint8_t { kNone = 0, kPrompt, kModel, kInfrastructure, kUnknown };
std::string_view ErrorClassName(
    ErrorClass c);  // "", "prompt", "model", "infrastructure", "unknown"

}  // namespace tokenscope::model
