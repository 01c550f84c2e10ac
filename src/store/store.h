// Store: the backend-neutral storage interface of Tokenscope.
//
// The embedded RocksDB store (store/embedded/) is the default; a ClickHouse backend will
// implement the same interface and pass the same conformance suite (store_conformance_test).
// Nothing outside src/store/ knows which backend is in use, and no backend type (RocksDB,
// SQL) appears in this header. Implementations are thread-safe: any number of threads may
// write and read concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/log_record.h"
#include "model/metric.h"
#include "model/span.h"
#include "model/trace_summary.h"
#include "rollup/rollup.h"

namespace tokenscope::store {

// A compact description of one span, held in the time index so that searches can filter
// and list without reading whole span records.
struct SpanSummary {
  model::TraceId trace_id{};
  model::SpanId span_id{};
  model::SpanId parent_span_id{};
  uint64_t start_time_unix_nano = 0;
  uint64_t duration_ns = 0;
  model::StatusCode status = model::StatusCode::kUnset;
  model::SpanKind kind = model::SpanKind::kUnspecified;
  std::string service;
  std::string name;
};

// Fields that have an equality index. A scan with an IndexTerm visits only spans whose
// field equals the value, newest first, without touching the others.
enum class IndexedField : uint8_t {
  kService = 1,
  kName = 2,
  kStatus = 3,  // value is "unset", "ok" or "error"
};

struct IndexTerm {
  IndexedField field;
  std::string value;
};

// A newest-first scan of span summaries in [start, end) of one project.
struct SpanScan {
  std::string project;
  uint64_t start_unix_nano = 0;         // inclusive
  uint64_t end_unix_nano = UINT64_MAX;  // exclusive
  std::optional<IndexTerm> index;       // restrict to one equality index
  // Resume strictly after this position (an opaque token from ScanPosition); empty = start.
  std::string resume_after;
};

// The position of a visited summary in the scan order, for resuming a later scan.
struct ScanPosition {
  std::string token;  // opaque, pass back as SpanScan::resume_after
};

// Return false to stop the scan.
using SpanVisitor = std::function<bool(const SpanSummary&, const ScanPosition&)>;

// A newest-first scan of the log records of one project whose time (time_unix_nano, or
// observed_time_unix_nano when that is unset) lies in [start, end).
struct LogScan {
  std::string project;
  uint64_t start_unix_nano = 0;         // inclusive
  uint64_t end_unix_nano = UINT64_MAX;  // exclusive
  // Resume strictly after this position (an opaque token from ScanPosition); empty = start.
  std::string resume_after;
};

// One visited log record with its resource and scope. The references are valid only during
// the call. Return false to stop the scan.
using LogVisitor = std::function<bool(const model::LogRecord&, const model::Resource&,
                                      const model::Scope&, const ScanPosition&)>;

// The time a log record is filed under: when it happened, else when it was observed.
inline uint64_t LogTime(const model::LogRecord& record) {
  return record.time_unix_nano != 0 ? record.time_unix_nano : record.observed_time_unix_nano;
}

// A time-ordered scan of the stored data points of one OTLP metric of one project whose time
// (time_unix_nano) lies in [start, end).
struct MetricScan {
  std::string project;
  std::string name;                     // the metric name, exactly
  uint64_t start_unix_nano = 0;         // inclusive
  uint64_t end_unix_nano = UINT64_MAX;  // exclusive
};

// One visited data point with its resource, scope and series: a hash of the resource, the
// scope and the point's attributes (each in a canonical order), equal for every point of one
// time series. The point's name is the scan's. The references are valid only during the call.
// Return false to stop the scan.
using MetricPointVisitor = std::function<bool(const model::MetricPoint&, const model::Resource&,
                                              const model::Scope&, uint64_t series)>;

// A stored metric, as its newest point describes it.
struct MetricInfo {
  std::string name;
  model::MetricType type = model::MetricType::kGauge;
  model::AggregationTemporality temporality = model::AggregationTemporality::kUnspecified;
  bool monotonic = false;
  std::string unit;
  std::string description;
  uint64_t first_time_unix_nano = 0;  // of its oldest stored point
  uint64_t last_time_unix_nano = 0;   // of its newest stored point
};

struct TraceSpansRequest {
  std::string project;
  model::TraceId trace_id{};
  size_t offset = 0;  // spans are ordered by start time, then span id
  size_t limit = SIZE_MAX;
};

// What one step of retention removed.
struct RetentionStep {
  uint64_t spans_deleted = 0;
  uint64_t traces_deleted = 0;  // trace summaries whose every span is older than the cutoff
  uint64_t logs_deleted = 0;
  uint64_t metric_points_deleted = 0;
  bool more = false;  // the step stopped at its budget; older data remains
};

// A scan of the rollup cells (rollup/rollup.h) of one project whose minute lies in
// [start_minute, end_minute), in unix minutes (rollup::MinuteOf).
struct RollupScan {
  std::string project;
  uint64_t start_minute = 0;         // inclusive
  uint64_t end_minute = UINT64_MAX;  // exclusive
  // Which sketches the visitor needs; the others come back empty (decoding sketches is most of
  // the cost of a scan).
  bool latency_sketches = true;
  bool ttft_sketches = true;
};

// One stored cell with its key (minute included). Valid only during the call: a backend may
// reuse the entry for the next cell. Return false to stop the scan.
using RollupVisitor = std::function<bool(const rollup::RollupEntry&)>;

// Per span of a batch, its rollup contribution (rollup::ContributionOf, after the
// cardinality bound of rollup::Aggregator::Admit), or nullopt for spans that are not LLM
// calls. Parallel to SpanBatch::spans.
using SpanContributions = std::vector<std::optional<rollup::RollupEntry>>;

// One stored cell as its key (minute included) and its encoding (rollup::EncodeCell), for
// readers that merge encoded cells directly (rollup::MergeEncodedCell). Both valid only
// during the call. Return false to stop the scan.
using RollupBytesVisitor = std::function<bool(const rollup::RollupKey&, std::string_view)>;

struct StoreStats {
  uint64_t spans_written = 0;
  uint64_t batches_written = 0;
  uint64_t logs_written = 0;
  uint64_t metric_points_written = 0;
  uint64_t bytes_on_disk = 0;
  // Memory the store holds now, by what holds it (0 where a backend does not know): memtables
  // (the active ones and those waiting to be flushed), the block cache (its pinned part
  // included) and table readers outside the cache (index and filter blocks not charged to it).
  uint64_t memtable_bytes = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
  uint64_t table_reader_bytes = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes every span of the batch (into batch.project). Returns only once the batch is
  // durable: an OK return means the spans survive a crash. A span written twice (same
  // project, trace id and span id) is stored once; the later write wins.
  //
  // `rollups` is empty or parallel to batch.spans: the contributions of the spans that are
  // new — not already stored, not replaced by a later span of the same batch — are merged into
  // the rollup cells in the same atomic, durable write, exactly as they count toward their
  // trace summaries. A retried request therefore never counts twice, and a crash never keeps
  // spans without their rollups or the reverse.
  virtual Status Write(const model::SpanBatch& batch, const SpanContributions& rollups) = 0;
  Status Write(const model::SpanBatch& batch) { return Write(batch, SpanContributions()); }

  // The summary of a trace, or NotFound.
  virtual StatusOr<model::TraceSummary> GetTraceSummary(const std::string& project,
                                                        const model::TraceId& trace_id) = 0;

  // Summaries for many traces at once; missing traces are left out of the result.
  virtual StatusOr<std::vector<model::TraceSummary>> GetTraceSummaries(
      const std::string& project, const std::vector<model::TraceId>& trace_ids) = 0;

  // The spans of a trace (a page of them), with their resources and scopes, in a batch that
  // owns its memory. An unknown trace gives NotFound.
  virtual StatusOr<model::SpanBatch> GetTraceSpans(const TraceSpansRequest& request) = 0;

  // One span by id, or NotFound.
  virtual StatusOr<model::SpanBatch> GetSpan(const std::string& project,
                                             const model::TraceId& trace_id,
                                             const model::SpanId& span_id) = 0;

  // Visits span summaries newest first; spans with equal start times in ascending order of
  // (trace id, span id) — the natural order of a key (UINT64_MAX - start, trace, span).
  virtual Status ScanSpans(const SpanScan& scan, const SpanVisitor& visit) = 0;

  // Replaces a trace's summary with one recomputed from its spans (after a reprice or a better
  // normalizer). Durable on return. Merge contributions of spans written concurrently with the
  // recomputation may be lost, so callers recompute from a fresh read and accept that race.
  virtual Status ReplaceTraceSummary(const std::string& project,
                                     const model::TraceSummary& summary) = 0;

  // Writes every log record of the batch (into batch.project); durable on an OK return, like
  // Write(). Records are kept whether or not they belong to a trace or span, and whether that
  // span has arrived, arrives later or never does. Writing the same batch again (a retried
  // request) stores each record once.
  virtual Status WriteLogs(const model::LogBatch& batch) = 0;

  // Every log record correlated with a trace, oldest first (records of one instant in the
  // order they were sent), in a batch that owns its memory. Empty when there are none.
  virtual StatusOr<model::LogBatch> GetTraceLogs(const std::string& project,
                                                 const model::TraceId& trace_id) = 0;

  // Visits log records newest first.
  virtual Status ScanLogs(const LogScan& scan, const LogVisitor& visit) = 0;

  // Writes every data point of the batch (into batch.project); durable on an OK return, like
  // Write(). A point is keyed by (metric name, series, time, start time), series as in
  // MetricPointVisitor: writing the same batch again (a retried request) stores each point once,
  // and a later point with the same key replaces the earlier.
  virtual Status WriteMetrics(const model::MetricBatch& batch) = 0;

  // Visits the data points of one metric in ascending time order (points of one instant in a
  // fixed order of their series, then start time).
  virtual Status ScanMetricPoints(const MetricScan& scan, const MetricPointVisitor& visit) = 0;

  // The metrics a project has points of, sorted by name.
  virtual StatusOr<std::vector<MetricInfo>> ListMetricNames(const std::string& project) = 0;

  // Deletes up to `max_items` spans, up to `max_items` log records and up to `max_items` metric
  // data points of `project` that are older than `cutoff_unix_nano` (spans by start time, records
  // and points by their time), oldest first, with their index entries, and the summaries of
  // traces whose every span starts before it. Meant to be called repeatedly in small steps so
  // that ingest and queries never wait long; a trace that straddles the cutoff keeps its summary
  // (and newer spans) until its last span is old enough.
  virtual StatusOr<RetentionStep> DeleteOlderThan(const std::string& project,
                                                  uint64_t cutoff_unix_nano, size_t max_items) = 0;

  // Every project that has stored spans, log records or metric points, sorted.
  virtual StatusOr<std::vector<std::string>> ListProjects() = 0;

  // The distinct service names seen in a project, sorted.
  virtual StatusOr<std::vector<std::string>> ListServices(const std::string& project) = 0;

  // Adds each entry's cell to the project's stored cell of the same key (minute and
  // dimensions), creating it when absent. Durable on an OK return, like Write(). Cells merge
  // associatively and commutatively, so concurrent calls and any order of calls give the same
  // cells. Not idempotent: merging the same entries twice counts them twice.
  virtual Status MergeRollups(const std::string& project,
                              const std::vector<rollup::RollupEntry>& entries) = 0;

  // Visits the project's rollup cells in ascending minute order (the cells of one minute in
  // a fixed order of their dimensions). A stored cell that does not decode fails the scan
  // with DataLoss.
  virtual Status ScanRollups(const RollupScan& scan, const RollupVisitor& visit) = 0;
  // ScanRollups without decoding the cells (the sketch flags of `scan` are ignored).
  virtual Status ScanRollupBytes(const RollupScan& scan, const RollupBytesVisitor& visit) = 0;

  // Atomically replaces every cell of `project` whose minute lies in [start_minute,
  // end_minute) by `entries` (whose minutes must lie in that range) — what a rollup rebuild
  // writes after recomputing the cells from stored spans. Durable on return. Contributions of
  // spans written into the range while the rebuild ran may be lost, as with
  // ReplaceTraceSummary.
  virtual Status ReplaceRollups(const std::string& project, uint64_t start_minute,
                                uint64_t end_minute,
                                const std::vector<rollup::RollupEntry>& entries) = 0;

  virtual StoreStats Stats() = 0;
};

}  // namespace tokenscope::store
