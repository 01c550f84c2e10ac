#include "server/metrics_endpoint.h"

#include "redact/redactor.h"

namespace tokenscope::server {
namespace {

void Counter(PrometheusWriter& out, std::string_view name, std::string_view help, uint64_t value) {
  out.Family(name, "counter", help);
  out.Sample(name, {}, value);
}

void Gauge(PrometheusWriter& out, std::string_view name, std::string_view help, double value) {
  out.Family(name, "gauge", help);
  out.Sample(name, {}, value);
}

// The rollups' cardinality: distinct values kept per dimension, and values folded into
// __other__ past the bound (rollup.max_values_per_dimension).
void WriteRollups(PrometheusWriter& out, const rollup::Aggregator& rollups,
                  const std::string* project) {
  Counter(out, "tokenscope_rollup_folded_values_total",
          "Dimension values counted under __other__ because their dimension reached "
          "rollup.max_values_per_dimension (all projects).",
          rollups.folded_values());
  out.Family("tokenscope_rollup_dimension_values", "gauge",
             "Distinct values the rollups keep per project and dimension since the start.");
  for (const auto& [name, dimension, values] : rollups.AdmittedValues()) {
    if (project != nullptr && name != *project) continue;
    out.Sample("tokenscope_rollup_dimension_values", {{"project", name}, {"dimension", dimension}},
               static_cast<uint64_t>(values));
  }
}

void WriteIngest(PrometheusWriter& out, const IngestService& ingest) {
  const IngestCounters& c = ingest.counters();
  auto load = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  Counter(out, "tokenscope_ingest_requests_total", "OTLP export requests received.",
          load(c.requests));
  Counter(out, "tokenscope_ingest_requests_refused_total",
          "Requests refused before storing: undecodable, wrong type, too large, unauthorized.",
          load(c.requests_rejected));
  Counter(out, "tokenscope_ingest_spans_accepted_total", "Spans stored.", load(c.spans_accepted));
  Counter(out, "tokenscope_ingest_spans_rejected_total",
          "Spans rejected as a partial success (invalid ids, limits).", load(c.spans_rejected));
  Counter(out, "tokenscope_ingest_logs_accepted_total", "Log records stored.",
          load(c.logs_accepted));
  Counter(out, "tokenscope_ingest_logs_rejected_total", "Log records rejected.",
          load(c.logs_rejected));
  Counter(out, "tokenscope_ingest_data_points_accepted_total", "OTLP metric data points stored.",
          load(c.data_points_accepted));
  Counter(out, "tokenscope_ingest_data_points_rejected_total",
          "OTLP metric data points rejected (invalid, past the per-request limit).",
          load(c.data_points_rejected));
  Counter(out, "tokenscope_store_write_failures_total",
          "Batches the store could not take (answered as retryable).", load(c.write_failures));
  Counter(out, "tokenscope_limits_attributes_dropped_total",
          "Attributes dropped by the ingest limits.", load(c.attributes_dropped));
  Counter(out, "tokenscope_limits_values_truncated_total", "Attribute values cut to the limit.",
          load(c.values_truncated));
  Counter(out, "tokenscope_limits_events_dropped_total", "Span events dropped by the limits.",
          load(c.events_dropped));
  Counter(out, "tokenscope_limits_links_dropped_total", "Span links dropped by the limits.",
          load(c.links_dropped));
  out.Family("tokenscope_store_commit_seconds", "histogram",
             "Time from handing a batch to the store until it is durable.");
  ingest.commit_latency().Write(out, "tokenscope_store_commit_seconds");
}

void WriteRedactions(PrometheusWriter& out, const redact::Redactor& redactor) {
  out.Family("tokenscope_redactions_total", "counter",
             "Values replaced by a placeholder before storing, by type.");
  for (const redact::RedactionCount& count : redactor.Counts()) {
    out.Sample("tokenscope_redactions_total", {{"type", count.type}}, count.count);
  }
}

void WriteStore(PrometheusWriter& out, const store::StoreStats& stats) {
  Gauge(out, "tokenscope_store_bytes_on_disk", "Size of the store's files.",
        static_cast<double>(stats.bytes_on_disk));
  out.Family("tokenscope_store_memory_bytes", "gauge",
             "Memory the store holds, by what holds it: memtables (active and being flushed), "
             "the block cache (pinned part included), table readers outside the cache.");
  out.Sample("tokenscope_store_memory_bytes", {{"kind", "memtables"}}, stats.memtable_bytes);
  out.Sample("tokenscope_store_memory_bytes", {{"kind", "block_cache"}}, stats.block_cache_bytes);
  out.Sample("tokenscope_store_memory_bytes", {{"kind", "block_cache_pinned"}},
             stats.block_cache_pinned_bytes);
  out.Sample("tokenscope_store_memory_bytes", {{"kind", "table_readers"}},
             stats.table_reader_bytes);
}

}  // namespace

HttpResponse RenderMetrics(const HttpRequest& req, const MetricsSources& sources,
                           const std::string* project) {
  PrometheusWriter out;
  out.Family("tokenscope_build_info", "gauge", "The running version.");
  out.Sample("tokenscope_build_info", {{"version", TOKENSCOPE_VERSION}}, uint64_t{1});
  if (sources.ingest != nullptr) WriteIngest(out, *sources.ingest);
  if (sources.budget != nullptr) {
    Gauge(out, "tokenscope_inflight_bytes", "Request bytes held in memory now.",
          static_cast<double>(sources.budget->in_flight()));
    Gauge(out, "tokenscope_inflight_budget_bytes", "The in-flight byte budget.",
          static_cast<double>(sources.budget->limit()));
    Counter(out, "tokenscope_overload_refusals_total",
            "Requests answered 429 / UNAVAILABLE because the budget was spent.",
            sources.budget->refused());
  }
  if (sources.http != nullptr) {
    Gauge(out, "tokenscope_http_requests_in_flight",
          "HTTP requests read and not yet answered (the worker queue).",
          static_cast<double>(sources.http->in_flight()));
  }
  if (sources.store != nullptr) WriteStore(out, sources.store->Stats());
  if (sources.redactor != nullptr) WriteRedactions(out, *sources.redactor);
  if (sources.rollups != nullptr) WriteRollups(out, *sources.rollups, project);
  if (sources.genai != nullptr) sources.genai->Write(out, project);
  return MakeResponse(req, http::status::ok, out.Take(), "text/plain; version=0.0.4");
}

}  // namespace tokenscope::server
