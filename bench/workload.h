// Workload: deterministic, LLM-shaped OTLP traces for load tests and benchmarks.
//
// Each trace is a RAG pipeline (request -> embed -> vector_db.query -> reranker.rank ->
// llm.generate, with tool calls and retries sprinkled in) or an agent loop (invoke_agent ->
// alternating chat and execute_tool turns), 5 to 50 spans, with GenAI attributes of the OTel
// conventions and OpenInference, chat messages of 0.5-8 KB whose system prompts and retrieved
// contexts repeat across requests as they do in production, and a few errors. The same seed
// gives the same bytes. Not thread-safe: one generator per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "model/span.h"

namespace tokenscope::bench {

struct WorkloadOptions {
  uint64_t seed = 1;
  uint64_t start_unix_nano = 1'763'000'000'000'000'000ull;
  uint64_t trace_spacing_ns = 50'000'000;  // start times of consecutive traces
  double error_rate = 0.02;
  int distinct_system_prompts = 8;  // repeated content, stored once by a good store
  int distinct_documents = 200;
};

class WorkloadGenerator {
 public:
  explicit WorkloadGenerator(WorkloadOptions options);

  // Appends whole traces to `batch` until it holds at least `min_spans` spans.
  void FillBatch(model::SpanBatch* batch, size_t min_spans);

  uint64_t traces_generated() const { return traces_; }

 private:
  void AddTrace(model::SpanBatch* batch);
  std::string_view Text(model::SpanBatch* batch, size_t min_len, size_t max_len);

  WorkloadOptions options_;
  std::mt19937_64 rng_;
  uint64_t traces_ = 0;
  std::vector<std::string> system_prompts_;
  std::vector<std::string> documents_;
};

}  // namespace tokenscope::bench
