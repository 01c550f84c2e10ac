// tokenizer_bench: throughput of the tokenizer (src/tokenize) on prompt-like text, in tokens/s
// and bytes/s, for both encodings; plus the one-time cost of building an encoding's rank table.
//
//   build/bench/tokenizer_bench --benchmark_min_time=2
//
// The text is a deterministic mix of what prompts contain: English instructions, retrieved
// documents, code, JSON, markdown and some non-English text, about 64 KiB.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/bpe.h"
#include "tokenize/encoding.h"
#include "tokenize/rank_data.h"

namespace {

namespace tokenize = tokenscope::tokenize;

std::string PromptLikeText() {
  static constexpr std::string_view kParts[] = {
      "You are a helpful assistant for Acme Corp. Answer the user's question using only the "
      "context below. If the answer is not in the context, say you don't know. Cite sources "
      "as [doc-N].\n\n",
      "## Context\n\n[doc-1] The Q3 2025 revenue was $12.4M, up 18% year over year, driven by "
      "enterprise subscriptions in EMEA and APAC. Churn fell to 2.1%.\n\n",
      "```python\ndef retrieve(query: str, k: int = 5) -> list[Document]:\n    vec = embed(query)\n"
      "    return index.search(vec, top_k=k, filter={\"tenant\": TENANT_ID})\n```\n\n",
      R"({"role": "tool", "tool_call_id": "call_8f2a", "content": {"temperature": 18.5, )"
      R"("unit": "celsius", "conditions": ["sunny", "windy"], "city": "Paris"}})"
      "\n\n",
      "| metric | value |\n|---|---|\n| p50 latency | 412 ms |\n| p99 latency | 2,310 ms |\n\n",
      "Le client a demandé une remise de 15 % sur le contrat annuel ; merci de vérifier.\n",
      "お問い合わせありがとうございます。担当者より折り返しご連絡いたします。\n",
      "User: Can you summarize the attached report in three bullet points? Thanks!\n\n",
  };
  std::string text;
  while (text.size() < 64 * 1024) {
    for (std::string_view part : kParts) text += part;
  }
  return text;
}

const tokenize::Encoding& Load(const char* name) {
  auto encoding = tokenize::Encoding::Get(name);
  if (!encoding.ok()) std::abort();
  return **encoding;
}

void BM_CountTokens(benchmark::State& state, const char* encoding_name) {
  const tokenize::Encoding& encoding = Load(encoding_name);
  const std::string text = PromptLikeText();
  size_t tokens = 0;
  for (auto _ : state) {
    tokens = encoding.CountTokens(text);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                  benchmark::Counter::kIsRate);
  state.counters["bytes/token"] = static_cast<double>(text.size()) / static_cast<double>(tokens);
}
BENCHMARK_CAPTURE(BM_CountTokens, o200k_base, "o200k_base");
BENCHMARK_CAPTURE(BM_CountTokens, cl100k_base, "cl100k_base");

void BM_Encode(benchmark::State& state, const char* encoding_name) {
  const tokenize::Encoding& encoding = Load(encoding_name);
  const std::string text = PromptLikeText();
  size_t tokens = 0;
  for (auto _ : state) {
    const std::vector<uint32_t> ids = encoding.Encode(text);
    tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Encode, o200k_base, "o200k_base");
BENCHMARK_CAPTURE(BM_Encode, cl100k_base, "cl100k_base");

// A 64 KiB piece with no split point (an inline base64 blob): the O(n log n) merge.
void BM_CountTokensLongPiece(benchmark::State& state) {
  const tokenize::Encoding& encoding = Load("o200k_base");
  std::string text;
  uint32_t x = 12345;
  static constexpr char kBase64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (text.size() < 64 * 1024) {
    x = x * 1103515245 + 12345;
    text.push_back(kBase64[(x >> 16) % 64]);
  }
  for (auto _ : state) benchmark::DoNotOptimize(encoding.CountTokens(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_CountTokensLongPiece);

// What the first Encoding::Get() of o200k_base costs: indexing the embedded ranks.
void BM_BuildO200kRankTable(benchmark::State& state) {
  for (auto _ : state) {
    auto table = tokenize::RankTable::Build(tokenize::internal::O200kBaseRankData());
    benchmark::DoNotOptimize(table.ok());
  }
}
BENCHMARK(BM_BuildO200kRankTable)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
