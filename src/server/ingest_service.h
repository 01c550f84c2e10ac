// IngestService: what receiving OTLP means, whatever the transport — decode a request (traces,
// logs or metrics) with the zero-copy protobuf decoder or the JSON decoder, compute each span's
// share of its trace's LLM
// totals and its rollup contribution, apply the ingest limits (pipeline/limits.h), write the batch
// durably through the Store, and say what happened. The OTLP/HTTP and OTLP/gRPC receivers
// (otlp_http.h, otlp_grpc.h) turn the outcome into their own answers. Holds a Store and a
// PriceTable it does not own. Thread-safe: any number of threads may call Export* at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/pricing.h"
#include "pipeline/limits.h"
#include "redact/redactor.h"
#include "rollup/aggregator.h"
#include "rollup/rollup.h"
#include "server/prometheus.h"
#include "store/store.h"

namespace tokenscope::server {

// How an OTLP request body is encoded.
enum class WireFormat { kProtobuf, kJson };

struct IngestCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> spans_accepted{0};
  std::atomic<uint64_t> spans_rejected{0};
  std::atomic<uint64_t> logs_accepted{0};
  std::atomic<uint64_t> logs_rejected{0};
  std::atomic<uint64_t> data_points_accepted{0};  // OTLP metric data points
  std::atomic<uint64_t> data_points_rejected{0};
  std::atomic<uint64_t> requests_rejected{0};  // undecodable, too large, wrong type, overload
  std::atomic<uint64_t> write_failures{0};     // the store could not take the batch
  // What the ingest limits cut (pipeline/limits.h), and spans refused for their trace's size.
  std::atomic<uint64_t> items_over_request_limit{0};
  std::atomic<uint64_t> spans_over_trace_limit{0};
  std::atomic<uint64_t> attributes_dropped{0};
  std::atomic<uint64_t> values_truncated{0};
  std::atomic<uint64_t> events_dropped{0};
  std::atomic<uint64_t> links_dropped{0};
};

struct IngestOptions {
  pipeline::IngestLimits limits;
  // Spans one trace may hold; spans that would pass it are rejected (partial success). 0 = no
  // limit, which spares the store read the check costs per request.
  uint64_t max_spans_per_trace = 0;
  // Applied to every batch right after decoding, before limits, enrichment and the store see
  // it (not owned; null = no redaction).
  const redact::Redactor* redactor = nullptr;
  // Where stored LLM calls are counted for /metrics (not owned; may be null).
  GenAiMetrics* genai_metrics = nullptr;
  // Bounds the cardinality of rollup cells (not owned). Null: no rollups are written.
  rollup::Aggregator* rollups = nullptr;
  // The allocation dimensions of rollup cells (team, feature, ...), from the configuration.
  std::vector<rollup::AllocationDimension> rollup_dimensions;
  // Told, after each durable write, which minutes of a project's rollups it changed (one call
  // per hour touched), so that caches of rollup cells forget them. May be empty.
  std::function<void(const std::string& project, uint64_t start_minute, uint64_t end_minute)>
      rollups_written;
};

struct ExportOutcome {
  enum class Kind {
    kStored,       // durable; `rejected` items were invalid and left out (partial success)
    kInvalid,      // the request does not decode; nothing stored; not worth retrying
    kUnavailable,  // the store failed; nothing acknowledged; the client should retry
  };
  Kind kind = Kind::kStored;
  int64_t rejected = 0;
  std::string message;  // why invalid/unavailable, or the first rejection of a partial success
};

class IngestService {
 public:
  // `prices` (not owned, may be null) prices LLM calls for the trace totals.
  IngestService(store::Store* store, const enrich::PriceTable* prices, IngestOptions options = {})
      : store_(store), prices_(prices), options_(std::move(options)) {}

  // An ExportTraceServiceRequest, already inflated, into `project`.
  ExportOutcome ExportTraces(const std::string& project, std::string body, WireFormat format);
  // An ExportLogsServiceRequest, already inflated, into `project`.
  ExportOutcome ExportLogs(const std::string& project, std::string body, WireFormat format);
  // An ExportMetricsServiceRequest, already inflated, into `project`. Data points past
  // limits.max_items_per_request are not even decoded: they are rejected (partial success).
  ExportOutcome ExportMetrics(const std::string& project, std::string body, WireFormat format);

  // Counts a request refused before it reached Export* (transport-level checks).
  void CountRefused() {
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    counters_.requests_rejected.fetch_add(1, std::memory_order_relaxed);
  }
  const IngestCounters& counters() const { return counters_; }
  // Seconds from handing a batch to the store until it is durable.
  const AtomicHistogram& commit_latency() const { return commit_latency_; }

 private:
  ExportOutcome Invalid(const Status& decoded);
  // Tells options_.rollups_written which hours `contributions` touched.
  void NotifyRollupsWritten(const std::string& project,
                            const store::SpanContributions& contributions);
  ExportOutcome Unavailable(const Status& written, std::string_view what);
  void Count(const pipeline::LimitReport& report);
  static void AddObservation(const model::SpanBatch& batch, const model::Span& span,
                             const model::LlmInfo& llm, std::vector<GenAiObservation>* calls);
  // Rejects the spans of traces that would grow past max_spans_per_trace; adds them to
  // `report`. Unavailable when the store cannot say how large the traces are.
  Status EnforceTraceLimit(model::SpanBatch* batch, pipeline::LimitReport* report);

  store::Store* store_;
  const enrich::PriceTable* prices_;
  const IngestOptions options_;
  IngestCounters counters_;
  AtomicHistogram commit_latency_{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}};
};

}  // namespace tokenscope::server
