// The demo workload: realistic synthetic LLM traces for `tokenscope demo` and
// `tokenscope serve --demo`, so that a fresh install has something worth looking at.
//
// Each trace is one of:
//   - a RAG answer (rag-api): HTTP request -> rag.pipeline chain -> embeddings ->
//     vector_db.query (retrieved documents with scores) -> reranker.rank (input and output
//     scores) -> chat completion with system instructions, the retrieved context and the answer;
//   - an agent run (agent-worker): invoke_agent -> chat turns that call tools (tool calls with
//     arguments, execute_tool spans with results) -> a final answer;
//   - a streamed chat (chat-frontend): a chat completion recorded token by token as
//     `gen_ai.token` events with logprobs, top alternatives and arrival offsets;
//   - now and then an evaluation batch (eval-runner) with a few hundred spans.
// Several providers, models and users; conversations (sessions) of several traces by one user
// each; a few percent of traces fail with an error of each class (prompt: context length;
// model: truncated or refused output; infrastructure: rate limits and timeouts; unknown). OTel
// GenAI attributes, OpenInference for retrieval and rerank.
//
// Deterministic for a seed. Not thread-safe: one generator per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "base/json_escape.h"
#include "model/span.h"

namespace tokenscope::demo {

struct DemoWorkloadOptions {
  uint64_t seed = 42;
  // One trace in `eval_batch_every` is a large evaluation batch (0: never).
  uint64_t eval_batch_every = 60;
};

// Owns its random state and nothing else; the spans it writes live in the caller's batch.
class DemoWorkload {
 public:
  explicit DemoWorkload(DemoWorkloadOptions options = {});

  // Appends one whole trace starting at `start_unix_nano` (its own resource) to `batch` and
  // returns the number of spans added.
  size_t AddTrace(model::SpanBatch* batch, uint64_t start_unix_nano);

  // Appends a large evaluation-batch trace (hundreds of spans), whatever the schedule says.
  size_t AddEvalBatch(model::SpanBatch* batch, uint64_t start_unix_nano);

  uint64_t traces_generated() const { return traces_; }

 private:
  std::mt19937_64 rng_;
  DemoWorkloadOptions options_;
  uint64_t traces_ = 0;
};

}  // namespace tokenscope::demo
