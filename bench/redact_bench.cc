// Redaction cost (src/redact/redactor.h), with the default rules (every built-in detector):
// per KB of message text without and with secrets, and per LLM span of a typical shape.
//
//   build/bench/redact_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <string>

#include "model/span.h"
#include "redact/redactor.h"

namespace {

namespace model = tokenscope::model;
namespace redact = tokenscope::redact;

const redact::Redactor& DefaultRedactor() {
  static const auto redactor = std::move(redact::Redactor::Create({})).value();
  return *redactor;
}

// About 1 KB of chat prose with numbers, dates and ids but nothing to redact.
std::string CleanKilobyte() {
  std::string text;
  while (text.size() < 1024) {
    text +=
        "The quarterly report for 2024-03-31 shows revenue of 1,234,567 across 42 regions; "
        "trace 5b8efff798038103d269b633813fc60c covered 1763000000 requests at p95 250ms. "
        "Summarize the retrieved documents and answer the question in two sentences. ";
  }
  return text.substr(0, 1024);
}

// About 1 KB holding five secrets.
std::string LeakyKilobyte() {
  std::string text =
      "Contact jane.doe@example.com or +1 415 555 0123, card 4111 1111 1111 1111, key "
      "sk-proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh, from 203.0.113.42. ";
  return text + CleanKilobyte().substr(0, 1024 - text.size());
}

void RedactText(benchmark::State& state, const std::string& text) {
  const redact::Redactor& redactor = DefaultRedactor();
  for (auto _ : state) {
    auto out = redactor.RedactText("p", text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(text.size() * state.iterations()));
}

void BM_CleanKilobyte(benchmark::State& state) {
  RedactText(state, CleanKilobyte());
}
void BM_LeakyKilobyte(benchmark::State& state) {
  RedactText(state, LeakyKilobyte());
}

// An OTel GenAI chat span: ~2 KB of input messages as JSON, ~0.5 KB of output, and the usual
// dozen scalar attributes that are not content (and therefore not scanned).
void BM_LlmSpan(benchmark::State& state) {
  const bool leaky = state.range(0) != 0;
  const std::string prose = leaky ? LeakyKilobyte() : CleanKilobyte();
  const std::string input = R"([{"role":"system","parts":[{"type":"text","content":")" + prose +
                            R"("}]},{"role":"user","parts":[{"type":"text","content":")" + prose +
                            R"("}]}])";
  const std::string output = R"([{"role":"assistant","parts":[{"type":"text","content":")" +
                             prose.substr(0, 512) + R"("}],"finish_reason":"stop"}])";
  const redact::Redactor& redactor = DefaultRedactor();
  constexpr int kSpans = 100;
  for (auto _ : state) {
    state.PauseTiming();
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    for (int i = 0; i < kSpans; ++i) {
      model::Span& span = batch.spans.emplace_back();
      span.attributes = {
          {"gen_ai.operation.name", model::AnyValue::String("chat")},
          {"gen_ai.provider.name", model::AnyValue::String("openai")},
          {"gen_ai.request.model", model::AnyValue::String("gpt-4o")},
          {"gen_ai.response.model", model::AnyValue::String("gpt-4o-2024-08-06")},
          {"gen_ai.response.id", model::AnyValue::String("chatcmpl-AbCdEf0123456789")},
          {"gen_ai.usage.input_tokens", model::AnyValue::Int(1000)},
          {"gen_ai.usage.output_tokens", model::AnyValue::Int(200)},
          {"gen_ai.request.temperature", model::AnyValue::Double(0.2)},
          {"server.address", model::AnyValue::String("api.openai.com")},
          {"server.port", model::AnyValue::Int(443)},
          {"gen_ai.input.messages", model::AnyValue::String(input)},
          {"gen_ai.output.messages", model::AnyValue::String(output)},
      };
    }
    state.ResumeTiming();
    redactor.Redact(&batch);
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kSpans);
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kSpans * (input.size() + output.size())));
}

BENCHMARK(BM_CleanKilobyte);
BENCHMARK(BM_LeakyKilobyte);
BENCHMARK(BM_LlmSpan)->Arg(0)->Arg(1)->ArgName("secrets");

}  // namespace

BENCHMARK_MAIN();
