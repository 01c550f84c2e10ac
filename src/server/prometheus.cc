#include "server/prometheus.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tokenscope::server {
namespace {

void AppendEscaped(std::string_view value, std::string* out) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

}  // namespace

void PrometheusWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusWriter::Name(std::string_view name, const Labels& labels, std::string_view extra_key,
                            std::string_view extra_value) {
  out_.append(name);
  if (labels.empty() && extra_key.empty()) return;
  out_.push_back('{');
  bool first = true;
  auto label = [&](std::string_view key, std::string_view value) {
    if (!first) out_.push_back(',');
    first = false;
    out_.append(key);
    out_.append("=\"");
    AppendEscaped(value, &out_);
    out_.push_back('"');
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!extra_key.empty()) label(extra_key, extra_value);
  out_.push_back('}');
}

void PrometheusWriter::Sample(std::string_view name, const Labels& labels, double value) {
  Name(name, labels);
  out_ += " " + FormatDouble(value) + "\n";
}

void PrometheusWriter::Sample(std::string_view name, const Labels& labels, uint64_t value) {
  Name(name, labels);
  out_ += " " + std::to_string(value) + "\n";
}

void PrometheusWriter::Histogram(std::string_view name, const Labels& labels,
                                 const std::vector<double>& bounds,
                                 const std::vector<uint64_t>& counts, double sum) {
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    Name(bucket, labels, "le", FormatDouble(bounds[i]));
    out_ += " " + std::to_string(cumulative) + "\n";
  }
  cumulative += counts.size() > bounds.size() ? counts[bounds.size()] : 0;
  Name(bucket, labels, "le", "+Inf");
  out_ += " " + std::to_string(cumulative) + "\n";
  Sample(std::string(name) + "_sum", labels, sum);
  Sample(std::string(name) + "_count", labels, cumulative);
}

AtomicHistogram::AtomicHistogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}

void AtomicHistogram::Observe(double value) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, value) * 1e6)),
                        std::memory_order_relaxed);
}

void AtomicHistogram::Write(PrometheusWriter& out, std::string_view name) const {
  std::vector<uint64_t> counts;
  for (const auto& c : counts_) counts.push_back(c.load(std::memory_order_relaxed));
  out.Histogram(name, {}, bounds_, counts,
                static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
}

const std::vector<double>& GenAiMetrics::TokenBounds() {
  static const std::vector<double> bounds = {
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
  return bounds;
}

const std::vector<double>& GenAiMetrics::DurationBounds() {
  static const std::vector<double> bounds = {0.01, 0.02, 0.04, 0.08,  0.16,  0.32,  0.64,
                                             1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
  return bounds;
}

void GenAiMetrics::Histogram::Add(const std::vector<double>& bounds, double value) {
  if (counts.empty()) counts.assign(bounds.size() + 1, 0);
  // Prometheus buckets are "less than or equal": the first bound not below the value.
  const size_t i = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  ++counts[i];
  sum += value;
}

void GenAiMetrics::SetDimensions(const std::vector<std::string>& names) {
  dimension_labels_.clear();
  for (const std::string& name : names) {
    std::string label;
    for (char c : name) label += (c == '.' || c == '-') ? '_' : c;
    if (!label.empty() && label[0] >= '0' && label[0] <= '9') label.insert(0, "_");
    for (std::string_view builtin :
         {"project", "service_name", "gen_ai_provider_name", "gen_ai_response_model",
          "gen_ai_operation_name", "gen_ai_token_type", "le"}) {
      if (label == builtin || label.starts_with("__")) {
        label = "dim_" + label;
        break;
      }
    }
    dimension_labels_.push_back(std::move(label));
  }
}

GenAiMetrics::Series& GenAiMetrics::SeriesFor(Key key) {
  if (auto it = series_.find(key); it != series_.end()) return it->second;
  if (series_.size() >= max_series_) {
    // Past the bound, new series fold into one per project: model and dimensions __other__.
    for (size_t i = kModel; i < key.size(); ++i) {
      if (i != kModel + 1) key[i] = "__other__";
    }
  }
  return series_[std::move(key)];
}

void GenAiMetrics::Record(const std::string& project, const std::vector<GenAiObservation>& calls) {
  if (calls.empty()) return;
  std::lock_guard lock(mu_);
  for (const GenAiObservation& call : calls) {
    Key key = {project, call.service, call.provider, call.model, call.operation};
    for (size_t i = 0; i < dimension_labels_.size(); ++i) {
      key.push_back(i < call.dimensions.size() ? call.dimensions[i] : std::string());
    }
    Series& s = SeriesFor(std::move(key));
    ++s.calls;
    if (call.error) ++s.errors;
    s.cost_nanos += call.cost_nanos;
    if (call.input_tokens)
      s.input_tokens.Add(TokenBounds(), static_cast<double>(*call.input_tokens));
    if (call.output_tokens) {
      s.output_tokens.Add(TokenBounds(), static_cast<double>(*call.output_tokens));
    }
    s.duration.Add(DurationBounds(), static_cast<double>(call.duration_ns) / 1e9);
  }
}

void GenAiMetrics::Write(PrometheusWriter& out, const std::string* project) const {
  std::lock_guard lock(mu_);
  auto labels_of = [&](const Key& key) {
    PrometheusWriter::Labels labels{{"project", key[0]},
                                    {"service_name", key[1]},
                                    {"gen_ai_provider_name", key[2]},
                                    {"gen_ai_response_model", key[3]},
                                    {"gen_ai_operation_name", key[4]}};
    for (size_t i = 0; i < dimension_labels_.size() && 5 + i < key.size(); ++i) {
      labels.emplace_back(dimension_labels_[i], key[5 + i]);
    }
    return labels;
  };
  auto each = [&](auto fn) {
    for (const auto& [key, series] : series_) {
      if (project == nullptr || key[0] == *project) fn(key, series);
    }
  };
  out.Family("gen_ai_client_token_usage", "histogram",
             "Input and output tokens per LLM call, as stored by Tokenscope.");
  each([&](const Key& key, const Series& s) {
    for (const auto& [type, histogram] :
         {std::pair<std::string_view, const Histogram*>{"input", &s.input_tokens},
          std::pair<std::string_view, const Histogram*>{"output", &s.output_tokens}}) {
      if (histogram->counts.empty()) continue;
      auto labels = labels_of(key);
      labels.emplace_back("gen_ai_token_type", type);
      out.Histogram("gen_ai_client_token_usage", labels, TokenBounds(), histogram->counts,
                    histogram->sum);
    }
  });
  out.Family("gen_ai_client_operation_duration_seconds", "histogram",
             "Duration of LLM and embedding calls.");
  each([&](const Key& key, const Series& s) {
    out.Histogram("gen_ai_client_operation_duration_seconds", labels_of(key), DurationBounds(),
                  s.duration.counts, s.duration.sum);
  });
  out.Family("tokenscope_llm_calls_total", "counter", "LLM and embedding calls stored.");
  each([&](const Key& key, const Series& s) {
    out.Sample("tokenscope_llm_calls_total", labels_of(key), s.calls);
  });
  out.Family("tokenscope_llm_errors_total", "counter", "LLM and embedding calls that failed.");
  each([&](const Key& key, const Series& s) {
    out.Sample("tokenscope_llm_errors_total", labels_of(key), s.errors);
  });
  out.Family("tokenscope_llm_cost_usd_total", "counter",
             "Cost of the stored calls at the price table's list prices, in USD.");
  each([&](const Key& key, const Series& s) {
    out.Sample("tokenscope_llm_cost_usd_total", labels_of(key),
               static_cast<double>(s.cost_nanos) / 1e9);
  });
}

}  // namespace tokenscope::server
