// EmbeddedStore: the default Store, a RocksDB database in a local data directory.
//
// Layout (see keys.h and records.h for the byte formats): one column family per kind of
// record — spans, resources, scopes, span_time (newest-first span summaries), span_index
// (equality indexes), trace_summary (kept by a merge operator), services, logs (log records,
// newest first), log_trace (the records of each trace, oldest first), rollups (per-minute
// cells, kept by a merge operator; embedded_rollups.cc) and metrics (OTLP metric data points by
// name, time and series; embedded_metrics.cc) — plus the
// default column family, which holds metadata such as the format version checked at open.
// span_index holds service and name for every span, and status for errored spans only:
// unset and ok cover most spans, so scans for them read span_time and filter, which costs
// about the same and saves an index entry per span.
//
// Write() commits one RocksDB WriteBatch per call with the WAL synced (when
// EmbeddedStoreOptions::sync_writes), so an OK return means the batch is durable; RocksDB
// groups concurrent synced writers into one fsync.
//
// Rewrites: a span that already exists (same project, trace id, span id) replaces the stored
// one, its old span_time and span_index entries are removed, and it does not contribute to
// its trace's summary a second time. The existence check reads before the batch commits, so
// two writers committing the same span at the same moment race: both may count it in the
// trace summary, and if they carry different start times or names an index entry of the
// loser may remain (the span record itself is stored once). Retries of an acknowledged
// write, the case that matters, are recognised. A rewrite that changes a span's status,
// times or root-ness leaves the trace summary as the first write made it.
//
// Owns the database and its column family handles; closes them in the destructor (the WAL
// covers anything not yet flushed). Thread-safe: any number of threads may call any method.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "store/embedded/disk_guard.h"
#include "store/embedded/recent_keys.h"
#include "store/store.h"
#include "store/store_factory.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace tokenscope::store::embedded {

// The column families, in the order EmbeddedStore keeps their handles.
enum ColumnFamilyIndex : size_t {
  kMetaCf = 0,  // the default column family: format version and other metadata
  kSpansCf,
  kResourcesCf,
  kScopesCf,
  kSpanTimeCf,
  kSpanIndexCf,
  kTraceSummaryCf,
  kServicesCf,
  kLogsCf,
  kLogTraceCf,
  kRollupsCf,
  kMetricsCf,
  kColumnFamilyCount,
};

// The on-disk format this build reads and writes. Bump it whenever a key or value encoding
// changes incompatibly.
inline constexpr int kFormatVersion = 1;

class EmbeddedStore final : public Store {
 public:
  static StatusOr<std::unique_ptr<EmbeddedStore>> Open(const EmbeddedStoreOptions& options);
  ~EmbeddedStore() override;

  EmbeddedStore(const EmbeddedStore&) = delete;
  EmbeddedStore& operator=(const EmbeddedStore&) = delete;

  using Store::Write;
  Status Write(const model::SpanBatch& batch, const SpanContributions& rollups) override;
  StatusOr<model::TraceSummary> GetTraceSummary(const std::string& project,
                                                const model::TraceId& trace_id) override;
  StatusOr<std::vector<model::TraceSummary>> GetTraceSummaries(
      const std::string& project, const std::vector<model::TraceId>& trace_ids) override;
  StatusOr<model::SpanBatch> GetTraceSpans(const TraceSpansRequest& request) override;
  StatusOr<model::SpanBatch> GetSpan(const std::string& project, const model::TraceId& trace_id,
                                     const model::SpanId& span_id) override;
  Status ScanSpans(const SpanScan& scan, const SpanVisitor& visit) override;
  Status ReplaceTraceSummary(const std::string& project,
                             const model::TraceSummary& summary) override;
  Status WriteLogs(const model::LogBatch& batch) override;
  StatusOr<model::LogBatch> GetTraceLogs(const std::string& project,
                                         const model::TraceId& trace_id) override;
  Status ScanLogs(const LogScan& scan, const LogVisitor& visit) override;
  Status WriteMetrics(const model::MetricBatch& batch) override;
  Status ScanMetricPoints(const MetricScan& scan, const MetricPointVisitor& visit) override;
  StatusOr<std::vector<MetricInfo>> ListMetricNames(const std::string& project) override;
  StatusOr<RetentionStep> DeleteOlderThan(const std::string& project, uint64_t cutoff_unix_nano,
                                          size_t max_items) override;
  StatusOr<std::vector<std::string>> ListProjects() override;
  StatusOr<std::vector<std::string>> ListServices(const std::string& project) override;
  StoreStats Stats() override;
  Status MergeRollups(const std::string& project,
                      const std::vector<rollup::RollupEntry>& entries) override;
  Status ScanRollups(const RollupScan& scan, const RollupVisitor& visit) override;
  Status ScanRollupBytes(const RollupScan& scan, const RollupBytesVisitor& visit) override;
  Status ReplaceRollups(const std::string& project, uint64_t start_minute, uint64_t end_minute,
                        const std::vector<rollup::RollupEntry>& entries) override;

  // Flushes every memtable and compacts every column family fully (merging trace summary
  // operands into single values). For maintenance and tests; ingest never needs it.
  Status CompactAll();

 private:
  struct WritePlan;

  EmbeddedStore(const EmbeddedStoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> handles);

  rocksdb::ColumnFamilyHandle* cf(ColumnFamilyIndex which) const { return handles_[which]; }

  // Works out everything one Write() commits, into plan->batch.
  Status PlanWrite(const model::SpanBatch& batch, const SpanContributions& rollups,
                   WritePlan* plan);
  // Merge operands for the rollup cells of the batch's new spans, into plan->batch.
  void PlanRollups(const std::string& project, const SpanContributions& rollups, WritePlan* plan);
  // Finds the spans of the batch that are already stored (rewrites) and plans the deletion
  // of their old time-index and equality-index entries.
  Status MarkExistingSpans(const model::SpanBatch& batch, WritePlan* plan);
  Status PlanOldIndexDeletes(const std::string& project, std::string_view old_record,
                             WritePlan* plan);
  // Adopts stored span records into `batch` and decodes them, with their resources and
  // scopes (each distinct one read and decoded once).
  Status AssembleBatch(std::vector<std::string> records, model::SpanBatch* batch);
  // Commits `batch` through the disk guard (disk_guard.h). `sync` waits for the WAL fsync;
  // `frees_space` is for deletions, which may run while the disk is short of space.
  Status Commit(rocksdb::WriteBatch* batch, bool sync, bool frees_space, std::string_view what);
  // Plans the put of a content-addressed resource or scope record unless it was stored
  // recently; returns its hash. `remember` collects the cache keys to note once durable.
  uint64_t PlanContentRecord(ColumnFamilyIndex which, const std::string& record,
                             std::vector<std::pair<std::string, std::string>>* puts,
                             std::vector<std::string>* remember);
  // Retention: deletes the oldest spans (then logs) before the cutoff into `batch`.
  Status PlanSpanDeletes(const std::string& project, uint64_t cutoff, size_t max_items,
                         rocksdb::WriteBatch* batch, RetentionStep* step);
  Status PlanLogDeletes(const std::string& project, uint64_t cutoff, size_t max_items,
                        rocksdb::WriteBatch* batch, RetentionStep* step);
  Status PlanMetricDeletes(const std::string& project, uint64_t cutoff, size_t max_items,
                           rocksdb::WriteBatch* batch, RetentionStep* step);
  // Decodes stored log values into `batch`, oldest first as given, with their resources and
  // scopes.
  Status AssembleLogBatch(std::vector<std::string> values, model::LogBatch* batch);
  // Reads and decodes the resources and scopes with the given hashes, appending them in order;
  // `adopt` keeps each stored value alive as long as the batch (its Adopt()).
  Status AppendResourcesAndScopes(const std::vector<uint64_t>& resource_hashes,
                                  const std::vector<uint64_t>& scope_hashes,
                                  const std::function<std::string_view(std::string)>& adopt,
                                  std::vector<model::Resource>* resources,
                                  std::vector<model::Scope>* scopes);
  // The resource or scope records with the given hashes, in order; DataLoss if one is missing.
  Status ReadRecords(ColumnFamilyIndex which, const std::vector<uint64_t>& hashes,
                     std::vector<std::string>* values);

  const EmbeddedStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  RecentKeys recent_records_;
  DiskGuard disk_guard_;
  std::atomic<uint64_t> spans_written_{0};
  std::atomic<uint64_t> batches_written_{0};
  std::atomic<uint64_t> logs_written_{0};
  std::atomic<uint64_t> metric_points_written_{0};
};

// Overwrites the format version recorded in the store at options.data_dir. For tests of the
// version check only.
Status SetFormatVersionForTesting(const EmbeddedStoreOptions& options, const std::string& version);

}  // namespace tokenscope::store::embedded
