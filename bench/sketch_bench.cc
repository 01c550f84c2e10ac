// DDSketch microbenchmarks (google-benchmark): Add, Quantile, Merge and the encoding, on
// lognormal latencies in nanoseconds (median 800 ms, σ = 1), the shape of LLM call latency.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "rollup/ddsketch.h"

namespace {

using tokenscope::rollup::DDSketch;

const std::vector<double>& Latencies() {
  static const std::vector<double>* values = [] {
    auto* v = new std::vector<double>(1 << 20);
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> dist(std::log(800e6), 1.0);
    for (double& x : *v) x = std::round(dist(rng));
    return v;
  }();
  return *values;
}

DDSketch SketchOf(size_t n, size_t offset = 0) {
  DDSketch s;
  const auto& values = Latencies();
  for (size_t i = 0; i < n; ++i) s.Add(values[(offset + i) % values.size()]);
  return s;
}

void BM_Add(benchmark::State& state) {
  const auto& values = Latencies();
  DDSketch sketch;
  size_t i = 0;
  for (auto _ : state) {
    sketch.Add(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(sketch.Count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Add);

void BM_Quantile(benchmark::State& state) {
  const DDSketch sketch = SketchOf(1'000'000);
  const double qs[] = {0.5, 0.9, 0.95, 0.99};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sketch.Quantile(qs[i++ & 3]));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["buckets"] = static_cast<double>(sketch.bucket_span());
}
BENCHMARK(BM_Quantile);

void BM_Merge(benchmark::State& state) {
  const DDSketch a = SketchOf(10'000, 0);
  const DDSketch b = SketchOf(10'000, 500'000);
  for (auto _ : state) {
    DDSketch merged = a;
    merged.Merge(b);
    benchmark::DoNotOptimize(merged.Count());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Merge);

void BM_SerializeParse(benchmark::State& state) {
  const DDSketch sketch = SketchOf(static_cast<size_t>(state.range(0)));
  std::string bytes;
  for (auto _ : state) {
    bytes.clear();
    sketch.Serialize(&bytes);
    auto parsed = DDSketch::Parse(bytes);
    benchmark::DoNotOptimize(parsed.ok());
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeParse)->Arg(100)->Arg(10'000)->Arg(1'000'000);

}  // namespace

BENCHMARK_MAIN();
