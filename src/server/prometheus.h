// Prometheus exposition for GET /metrics: a writer of the text format (version 0.0.4) and
// GenAiMetrics, the GenAI client metrics Tokenscope derives from the LLM and embedding calls it
// stores — `gen_ai_client_token_usage` and `gen_ai_client_operation_duration` histograms with the
// bucket boundaries the OTel GenAI metrics conventions recommend, and call, error and cost
// counters — labelled by project, service, provider, model and operation, so that an existing
// Prometheus and Grafana can chart LLM traffic without talking to the instrumented services.
//
// Values are cumulative since the server started (Prometheus counters and histograms). Label
// sets are capped: past the cap, new combinations are counted under model="__other__".
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "model/llm.h"

namespace tokenscope::server {

// Writes the text exposition format. Not thread-safe (one per response).
class PrometheusWriter {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

  // # HELP and # TYPE lines; `type` is counter, gauge or histogram.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const Labels& labels, double value);
  void Sample(std::string_view name, const Labels& labels, uint64_t value);
  // _bucket lines for every bound (cumulative counts, then le="+Inf"), _sum and _count.
  void Histogram(std::string_view name, const Labels& labels, const std::vector<double>& bounds,
                 const std::vector<uint64_t>& counts, double sum);

  std::string Take() { return std::move(out_); }

 private:
  void Name(std::string_view name, const Labels& labels, std::string_view extra_key = {},
            std::string_view extra_value = {});
  std::string out_;
};

// A histogram updated with atomics (no lock on the hot path), for Tokenscope's own latencies.
// Thread-safe.
class AtomicHistogram {
 public:
  explicit AtomicHistogram(std::vector<double> bounds);
  void Observe(double value);
  void Write(PrometheusWriter& out, std::string_view name) const;

 private:
  const std::vector<double> bounds_;
  std::vector<std::atomic<uint64_t>> counts_;  // per bound, then +Inf
  std::atomic<uint64_t> sum_micros_{0};        // the sum, in millionths, to stay integral
};

// One stored LLM or embedding call, as the metrics see it.
struct GenAiObservation {
  std::string service;
  std::string provider;
  std::string model;
  std::string operation;
  uint64_t duration_ns = 0;
  bool error = false;
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  int64_t cost_nanos = 0;
  // The values of the configured allocation dimensions (GenAiMetrics::SetDimensions), in order,
  // as the rollups keep them (over-limit values already folded into __other__).
  std::vector<std::string> dimensions;
};

// Thread-safe: ingest threads Record, the /metrics handler Write.
class GenAiMetrics {
 public:
  explicit GenAiMetrics(size_t max_series = 10'000) : max_series_(max_series) {}

  // Names the allocation dimensions every series is also labelled by (call before the first
  // Record). A name is made a valid Prometheus label name ('.' and '-' become '_'), and gets a
  // `dim_` prefix where it would collide with a built-in label.
  void SetDimensions(const std::vector<std::string>& names);

  // Adds a stored batch's calls (call once the batch is durable, so retries count once).
  void Record(const std::string& project, const std::vector<GenAiObservation>& calls);

  // The families for one project, or for every project when `project` is null.
  void Write(PrometheusWriter& out, const std::string* project) const;

  // The OTel-recommended boundaries: token counts 1, 4, 16, ... 67108864; durations in seconds
  // 0.01, 0.02, ... 81.92.
  static const std::vector<double>& TokenBounds();
  static const std::vector<double>& DurationBounds();

 private:
  // project, service, provider, model, operation, then the dimension values
  using Key = std::vector<std::string>;
  static constexpr size_t kModel = 3;
  struct Histogram {
    std::vector<uint64_t> counts;  // per bound, not cumulative; one more for +Inf
    double sum = 0;
    void Add(const std::vector<double>& bounds, double value);
  };
  struct Series {
    uint64_t calls = 0;
    uint64_t errors = 0;
    int64_t cost_nanos = 0;
    Histogram input_tokens;
    Histogram output_tokens;
    Histogram duration;
  };

  Series& SeriesFor(Key key);  // caller holds mu_

  const size_t max_series_;
  std::vector<std::string> dimension_labels_;  // set before any Record, then read-only
  mutable std::mutex mu_;
  std::map<Key, Series> series_;
};

}  // namespace tokenscope::server
