#include "store/embedded/embedded_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstdarg>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "rollup/aggregator.h"
#include "store/embedded/hash_positions.h"
#include "store/embedded/keys.h"
#include "store/embedded/records.h"
#include "store/embedded/rocks_util.h"
#include "store/embedded/rollup_merge.h"
#include "store/embedded/summary_merge.h"

namespace tokenscope::store::embedded {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormatVersionKey = "format_version";

// How each column family is tuned. Listed in ColumnFamilyIndex order.
struct CfSpec {
  ColumnFamilyIndex index;
  const char* name;
  bool point_lookups;     // gets a bloom filter
  size_t memtable_share;  // one memtable is this many 32nds of the memtable budget
};
constexpr CfSpec kCfSpecs[] = {
    {kMetaCf, "default", false, 1},
    {kSpansCf, "spans", true, 6},
    {kResourcesCf, "resources", true, 1},
    {kScopesCf, "scopes", true, 1},
    {kSpanTimeCf, "span_time", false, 3},
    {kSpanIndexCf, "span_index", false, 3},
    {kTraceSummaryCf, "trace_summary", true, 2},
    {kServicesCf, "services", false, 1},
    {kLogsCf, "logs", false, 2},
    {kLogTraceCf, "log_trace", false, 1},
    {kRollupsCf, "rollups", false, 1},
    {kMetricsCf, "metrics", false, 2},
};
static_assert(std::size(kCfSpecs) == kColumnFamilyCount);

// Recent-record cache keys: one tag byte keeps the three kinds apart.
std::string RecentResourceKey(uint64_t hash) {
  return "r" + HashKey(hash);
}
std::string RecentScopeKey(uint64_t hash) {
  return "s" + HashKey(hash);
}
std::string RecentServiceKey(const std::string& service_key) {
  return "v" + service_key;
}

// Discards RocksDB's informational log. Used for the short read-only open that checks the
// format version, so that it does not rotate the database's LOG file.
class SilentLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

bool Supports(rocksdb::CompressionType type) {
  static const auto* supported =
      new std::vector<rocksdb::CompressionType>(rocksdb::GetSupportedCompressions());
  return std::find(supported->begin(), supported->end(), type) != supported->end();
}

// Fast compression for the levels that are rewritten often.
rocksdb::CompressionType FastCompression() {
  if (Supports(rocksdb::kLZ4Compression)) return rocksdb::kLZ4Compression;
  if (Supports(rocksdb::kSnappyCompression)) return rocksdb::kSnappyCompression;
  return rocksdb::kNoCompression;
}

// The last level holds most of the data and is rewritten least: worth ZSTD's better ratio.
rocksdb::CompressionType DenseCompression() {
  if (Supports(rocksdb::kZSTD)) return rocksdb::kZSTD;
  return FastCompression();
}

rocksdb::ColumnFamilyOptions CfOptions(const CfSpec& spec,
                                       const std::shared_ptr<rocksdb::Cache>& cache,
                                       size_t memtable_budget) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 * 1024;
  table.format_version = 5;
  // Index and filter blocks live in the block cache (the ones of L0 pinned there), so memory
  // stays within the configured budget however large the store grows.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.optimize_filters_for_memory = true;
  if (spec.point_lookups) {
    // Whole-key bloom filters make lookups of absent keys (the rewrite check of every new
    // span, unknown trace ids) cost no disk reads.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compaction_style = rocksdb::kCompactionStyleLevel;
  cf.level_compaction_dynamic_level_bytes = true;
  cf.compression = FastCompression();
  cf.bottommost_compression = DenseCompression();
  // The shares add up to about half the budget, leaving room for memtables being flushed;
  // the write buffer manager enforces the budget as a whole.
  cf.write_buffer_size = std::max<size_t>(memtable_budget * spec.memtable_share / 32, 1 << 20);
  cf.max_write_buffer_number = 3;
  cf.target_file_size_base = 64 << 20;
  cf.max_bytes_for_level_base = 256 << 20;
  if (spec.point_lookups) {
    // A memtable bloom filter spares the rewrite check a skiplist search per new span.
    cf.memtable_whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.02;
  }
  if (spec.index == kTraceSummaryCf) cf.merge_operator = NewTraceSummaryMergeOperator();
  if (spec.index == kRollupsCf) cf.merge_operator = NewRollupMergeOperator();
  return cf;
}

struct DbConfig {
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> column_families;
};

DbConfig MakeConfig(const EmbeddedStoreOptions& options) {
  DbConfig config;
  rocksdb::DBOptions& db = config.db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_background_jobs = options.max_background_jobs;
  // Writers queue for the WAL and for the memtables separately, so one group's memtable
  // inserts overlap the next group's fsync.
  db.enable_pipelined_write = true;
  db.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget_bytes);
  // Small column families (services, resources) rarely fill a memtable; bounding the WAL
  // makes RocksDB flush them so that old WAL files can be deleted.
  db.max_total_wal_size = 256 << 20;
  db.bytes_per_sync = 1 << 20;
  db.keep_log_file_num = 4;
  db.max_log_file_size = 16 << 20;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  for (const CfSpec& spec : kCfSpecs) {
    config.column_families.emplace_back(spec.name,
                                        CfOptions(spec, cache, options.memtable_budget_bytes));
  }
  return config;
}

Status CheckFormatVersionValue(const std::string& value, const std::string& dir) {
  if (value == std::to_string(kFormatVersion)) return Status::Ok();
  return FailedPrecondition("the data directory " + dir + " holds an embedded store of format " +
                            "version '" + value + "'; this build of Tokenscope reads version " +
                            std::to_string(kFormatVersion) +
                            " only. Use the matching Tokenscope release or a fresh directory.");
}

// Reads the format version of an existing store without opening it for writing (a store of
// an unknown version may need merge operators or column families this build lacks).
// Returns OK for a directory that holds no store yet, or one of this build's version.
Status CheckExistingFormatVersion(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "CURRENT", ec)) return Status::Ok();

  rocksdb::DBOptions db_options;
  db_options.info_log = std::make_shared<SilentLogger>();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  TS_RETURN_IF_ERROR(FromRocks(rocksdb::DB::OpenForReadOnly(db_options, dir, cfs, &handles, &raw),
                               "open " + dir + " to check its format version"));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), handles[0], ToSlice(kFormatVersionKey), &value);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close().PermitUncheckedError();
  if (s.IsNotFound()) return Status::Ok();  // created but never versioned: adopt it
  TS_RETURN_IF_ERROR(FromRocks(s, "read the format version"));
  return CheckFormatVersionValue(value, dir);
}

Status OpenDb(const EmbeddedStoreOptions& options, std::unique_ptr<rocksdb::DB>* db,
              std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  DbConfig config = MakeConfig(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(config.db, options.data_dir, config.column_families, handles, &raw);
  if (!s.ok()) return FromRocks(s, "open " + options.data_dir);
  db->reset(raw);
  return Status::Ok();
}

void CloseDb(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles) {
  if (db == nullptr) return;
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();
}

// Records the format version on first open; refuses a store stamped with another one.
Status EnsureFormatVersion(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                           const std::string& dir) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, ToSlice(kFormatVersionKey), &value);
  if (s.ok()) return CheckFormatVersionValue(value, dir);
  if (!s.IsNotFound()) return FromRocks(s, "read the format version");
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db->Put(sync, meta, ToSlice(kFormatVersionKey), std::to_string(kFormatVersion)),
                   "record the format version");
}

// Whether span_index holds entries for `term`; other terms are served by span_time.
bool IsIndexed(const IndexTerm& term) {
  return term.field != IndexedField::kStatus ||
         term.value == model::StatusCodeName(model::StatusCode::kError);
}

// Sum of the sizes of the files under `dir`: SST files, WAL, manifest.
uint64_t DirectorySize(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace

// Everything one Write() will commit, worked out before the WriteBatch is written.
struct EmbeddedStore::WritePlan {
  std::vector<std::string> span_keys;  // per span of the batch
  // Per span: a later span of the same batch has the same id and replaces it.
  std::vector<bool> superseded;
  // Per span: the span is already stored, so its trace summary has counted it.
  std::vector<bool> rewrite;
  // Deletes go straight into the batch (before any put, so puts win where keys coincide).
  rocksdb::WriteBatch batch;
  // Puts per column family, added to `batch` in key order by SortedPutsIntoBatch(): a
  // memtable inserts a run of nearby keys much faster than keys in random order (the skip
  // list search resumes from the previous insert's position).
  std::vector<std::pair<std::string, std::string>> puts[kColumnFamilyCount];
  // Keys to add to recent_records_ once the batch is durable.
  std::vector<std::string> remember;

  void Put(ColumnFamilyIndex which, std::string key, std::string value) {
    puts[which].emplace_back(std::move(key), std::move(value));
  }

  void SortedPutsIntoBatch(const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
    for (size_t which = 0; which < kColumnFamilyCount; ++which) {
      auto& list = puts[which];
      std::sort(list.begin(), list.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [key, value] : list) batch.Put(handles[which], key, value);
      list.clear();
    }
  }
};

EmbeddedStore::EmbeddedStore(const EmbeddedStoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options),
      db_(std::move(db)),
      handles_(std::move(handles)),
      recent_records_(options.recent_records_cache_entries),
      disk_guard_(options.data_dir, options.min_free_disk_bytes) {}

EmbeddedStore::~EmbeddedStore() {
  CloseDb(std::move(db_), std::move(handles_));
}

StatusOr<std::unique_ptr<EmbeddedStore>> EmbeddedStore::Open(const EmbeddedStoreOptions& options) {
  if (options.data_dir.empty()) return InvalidArgument("embedded store: data_dir is empty");
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) {
    return Unavailable("embedded store: cannot create " + options.data_dir + ": " + ec.message());
  }
  TS_RETURN_IF_ERROR(CheckExistingFormatVersion(options.data_dir));

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  TS_RETURN_IF_ERROR(OpenDb(options, &db, &handles));
  if (handles.size() != kColumnFamilyCount) {
    CloseDb(std::move(db), std::move(handles));
    return Internal("embedded store: unexpected number of column families");
  }
  Status version = EnsureFormatVersion(db.get(), handles[kMetaCf], options.data_dir);
  if (!version.ok()) {
    CloseDb(std::move(db), std::move(handles));
    return version;
  }
  return std::unique_ptr<EmbeddedStore>(
      new EmbeddedStore(options, std::move(db), std::move(handles)));
}

// ---------------------------------------------------------------------------------------------
// Writing

Status EmbeddedStore::Write(const model::SpanBatch& batch, const SpanContributions& rollups) {
  if (batch.spans.empty()) return Status::Ok();
  if (!rollups.empty() && rollups.size() != batch.spans.size()) {
    return InvalidArgument("embedded store: rollup contributions are not parallel to the spans");
  }
  WritePlan plan;
  TS_RETURN_IF_ERROR(PlanWrite(batch, rollups, &plan));

  TS_RETURN_IF_ERROR(Commit(&plan.batch, options_.sync_writes, /*frees_space=*/false, "write"));

  for (auto& key : plan.remember) recent_records_.Insert(std::move(key));
  spans_written_.fetch_add(batch.spans.size(), std::memory_order_relaxed);
  batches_written_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status EmbeddedStore::Commit(rocksdb::WriteBatch* batch, bool sync, bool frees_space,
                             std::string_view what) {
  TS_RETURN_IF_ERROR(disk_guard_.BeforeWrite(db_.get(), frees_space));
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  const rocksdb::Status status = db_->Write(write_options, batch);
  disk_guard_.AfterWrite(status);
  return FromRocks(status, what);
}

Status EmbeddedStore::PlanWrite(const model::SpanBatch& batch, const SpanContributions& rollups,
                                WritePlan* plan) {
  const std::string& project = batch.project;
  const size_t n = batch.spans.size();
  for (size_t i = 0; i < n; ++i) {
    const model::Span& span = batch.spans[i];
    if (span.resource_index >= batch.resources.size() || span.scope_index >= batch.scopes.size()) {
      return InvalidArgument("embedded store: span " + std::to_string(i) +
                             " refers to a resource or scope the batch does not hold");
    }
  }

  // Keys, and which spans a later one of the same batch replaces.
  plan->span_keys.reserve(n);
  plan->superseded.assign(n, false);
  plan->rewrite.assign(n, false);
  std::unordered_map<std::string_view, size_t> last_with_key;
  for (size_t i = 0; i < n; ++i) {
    plan->span_keys.push_back(SpanKey(project, batch.spans[i].trace_id, batch.spans[i].span_id));
  }
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = last_with_key.emplace(plan->span_keys[i], i);
    if (!inserted) {
      plan->superseded[it->second] = true;
      it->second = i;
    }
  }

  // Deletes of stale index entries go first, so the puts below win where keys coincide.
  TS_RETURN_IF_ERROR(MarkExistingSpans(batch, plan));

  // Resources and scopes, content-addressed; only the ones not recently stored.
  std::vector<uint64_t> resource_hashes(batch.resources.size());
  std::vector<uint64_t> scope_hashes(batch.scopes.size());
  std::vector<bool> resource_used(batch.resources.size(), false);
  std::vector<bool> scope_used(batch.scopes.size(), false);
  for (size_t i = 0; i < n; ++i) {
    if (plan->superseded[i]) continue;
    resource_used[batch.spans[i].resource_index] = true;
    scope_used[batch.spans[i].scope_index] = true;
  }
  std::string record;
  for (size_t r = 0; r < batch.resources.size(); ++r) {
    if (!resource_used[r]) continue;
    record.clear();
    EncodeResourceRecord(batch.resources[r], &record);
    resource_hashes[r] =
        PlanContentRecord(kResourcesCf, record, &plan->puts[kResourcesCf], &plan->remember);
  }
  for (size_t s = 0; s < batch.scopes.size(); ++s) {
    if (!scope_used[s]) continue;
    record.clear();
    EncodeScopeRecord(batch.scopes[s], &record);
    scope_hashes[s] = PlanContentRecord(kScopesCf, record, &plan->puts[kScopesCf], &plan->remember);
  }

  // Spans, their time-index and equality-index entries, and per-trace summary operands.
  std::map<model::TraceId, model::TraceSummary> summaries;
  std::set<std::string_view> services;
  std::string summary_value;
  for (size_t i = 0; i < n; ++i) {
    if (plan->superseded[i]) continue;
    const model::Span& span = batch.spans[i];
    const std::string_view service = model::ServiceName(batch.ResourceOf(span));
    services.insert(service);

    record.clear();
    EncodeSpanRecord(span, resource_hashes[span.resource_index], scope_hashes[span.scope_index],
                     &record);
    plan->Put(kSpansCf, std::move(plan->span_keys[i]), std::exchange(record, {}));

    SpanSummary summary;
    summary.parent_span_id = span.parent_span_id;
    summary.duration_ns = span.duration_ns();
    summary.status = span.status.code;
    summary.kind = span.kind;
    summary.service.assign(service);
    summary.name.assign(span.name);
    summary_value.clear();
    EncodeSpanSummaryValue(summary, &summary_value);
    const uint64_t start = span.start_time_unix_nano;
    plan->Put(kSpanTimeCf, SpanTimeKey(project, start, span.trace_id, span.span_id), summary_value);
    ForEachIndexTerm(
        service, span.name, span.status.code, [&](IndexedField field, std::string_view value) {
          plan->Put(kSpanIndexCf,
                    IndexKey(project, field, value, start, span.trace_id, span.span_id),
                    summary_value);
        });

    if (!plan->rewrite[i]) {
      const model::LlmTotals* llm = batch.llm_totals.size() == n ? &batch.llm_totals[i] : nullptr;
      summaries[span.trace_id].AddSpan(span, service, llm);
    }
  }

  for (const auto& [trace_id, summary] : summaries) {
    summary_value.clear();
    EncodeTraceSummary(summary, &summary_value);
    plan->batch.Merge(cf(kTraceSummaryCf), TraceSummaryKey(project, trace_id), summary_value);
  }
  PlanRollups(project, rollups, plan);
  for (std::string_view service : services) {
    std::string key = ServiceKey(project, service);
    std::string recent = RecentServiceKey(key);
    if (recent_records_.Contains(recent)) continue;
    plan->Put(kServicesCf, std::move(key), std::string());
    plan->remember.push_back(std::move(recent));
  }
  plan->SortedPutsIntoBatch(handles_);
  return Status::Ok();
}

void EmbeddedStore::PlanRollups(const std::string& project, const SpanContributions& rollups,
                                WritePlan* plan) {
  rollup::CellFolder folder;
  for (size_t i = 0; i < rollups.size(); ++i) {
    if (!rollups[i] || plan->superseded[i] || plan->rewrite[i]) continue;
    folder.AddCopy(*rollups[i]);
  }
  std::string value;
  for (const rollup::RollupEntry& entry : folder.Take()) {
    value.clear();
    rollup::EncodeCell(entry.cell, &value);
    plan->batch.Merge(cf(kRollupsCf), RollupStoreKey(project, entry.key), value);
  }
}

Status EmbeddedStore::MarkExistingSpans(const model::SpanBatch& batch, WritePlan* plan) {
  std::vector<size_t> candidates;
  std::vector<std::string> keys;
  for (size_t i = 0; i < batch.spans.size(); ++i) {
    if (plan->superseded[i]) continue;
    candidates.push_back(i);
    keys.push_back(plan->span_keys[i]);
  }

  // Whole-key bloom filters (on SST files and memtables) answer "absent" for new spans, the
  // common case, without reading data blocks. A memory-only read tier is not used: RocksDB
  // 7.8's MultiGet under kBlockCacheTier was seen to report absent keys as found (OK, empty
  // value) while other writers were active.
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  TS_RETURN_IF_ERROR(
      MultiGetValues(db_.get(), rocksdb::ReadOptions(), cf(kSpansCf), keys, &values, &statuses));
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (!statuses[k].ok()) continue;
    plan->rewrite[candidates[k]] = true;
    TS_RETURN_IF_ERROR(PlanOldIndexDeletes(batch.project, View(values[k]), plan));
  }
  return Status::Ok();
}

Status EmbeddedStore::PlanOldIndexDeletes(const std::string& project, std::string_view old_record,
                                          WritePlan* plan) {
  model::Span old;
  SpanRecordView view;
  TS_RETURN_IF_ERROR(DecodeSpanRecord(old_record, &old, &view));
  const std::string time_key =
      SpanTimeKey(project, old.start_time_unix_nano, old.trace_id, old.span_id);
  plan->batch.Delete(cf(kSpanTimeCf), time_key);

  // The old summary says which equality-index entries the old span has.
  std::string old_summary_value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kSpanTimeCf), time_key, &old_summary_value);
  if (s.IsNotFound()) return Status::Ok();
  TS_RETURN_IF_ERROR(FromRocks(s, "read a span summary"));
  SpanSummary old_summary;
  TS_RETURN_IF_ERROR(DecodeSpanSummaryValue(old_summary_value, &old_summary));
  ForEachIndexTerm(old_summary.service, old_summary.name, old_summary.status,
                   [&](IndexedField field, std::string_view value) {
                     plan->batch.Delete(cf(kSpanIndexCf),
                                        IndexKey(project, field, value, old.start_time_unix_nano,
                                                 old.trace_id, old.span_id));
                   });
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Reading

uint64_t EmbeddedStore::PlanContentRecord(ColumnFamilyIndex which, const std::string& record,
                                          std::vector<std::pair<std::string, std::string>>* puts,
                                          std::vector<std::string>* remember) {
  const uint64_t hash = RecordHash(record);
  std::string recent = which == kResourcesCf ? RecentResourceKey(hash) : RecentScopeKey(hash);
  if (!recent_records_.Contains(recent)) {
    puts->emplace_back(HashKey(hash), record);
    remember->push_back(std::move(recent));
  }
  return hash;
}

Status EmbeddedStore::ReplaceTraceSummary(const std::string& project,
                                          const model::TraceSummary& summary) {
  std::string value;
  EncodeTraceSummary(summary, &value);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  return FromRocks(db_->Put(write_options, cf(kTraceSummaryCf),
                            ToSlice(TraceSummaryKey(project, summary.trace_id)), value),
                   "replace trace summary");
}

StatusOr<model::TraceSummary> EmbeddedStore::GetTraceSummary(const std::string& project,
                                                             const model::TraceId& trace_id) {
  TS_ASSIGN_OR_RETURN(auto summaries, GetTraceSummaries(project, {trace_id}));
  if (summaries.empty()) return NotFound("trace not found");
  return std::move(summaries.front());
}

StatusOr<std::vector<model::TraceSummary>> EmbeddedStore::GetTraceSummaries(
    const std::string& project, const std::vector<model::TraceId>& trace_ids) {
  std::vector<std::string> keys;
  keys.reserve(trace_ids.size());
  for (const auto& id : trace_ids) keys.push_back(TraceSummaryKey(project, id));
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  TS_RETURN_IF_ERROR(MultiGetValues(db_.get(), rocksdb::ReadOptions(), cf(kTraceSummaryCf), keys,
                                    &values, &statuses));
  std::vector<model::TraceSummary> summaries;
  for (size_t i = 0; i < trace_ids.size(); ++i) {
    if (!statuses[i].ok()) continue;
    model::TraceSummary summary;
    TS_RETURN_IF_ERROR(DecodeTraceSummary(View(values[i]), &summary));
    if (summary.span_count == 0) continue;  // only corrupt operands were folded
    summary.trace_id = trace_ids[i];
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

StatusOr<model::SpanBatch> EmbeddedStore::GetTraceSpans(const TraceSpansRequest& request) {
  const std::string prefix = TraceSpansPrefix(request.project, request.trace_id);
  PrefixBoundedRead bounded(prefix);

  std::vector<std::string> records;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kSpansCf)));
  for (it->Seek(prefix); it->Valid() && View(it->key()).starts_with(prefix); it->Next()) {
    records.emplace_back(it->value().data(), it->value().size());
  }
  TS_RETURN_IF_ERROR(FromRocks(it->status(), "scan the spans of a trace"));
  it.reset();
  if (records.empty()) return NotFound("trace not found");

  model::SpanBatch batch;
  batch.project = request.project;
  const size_t total = records.size();
  const size_t begin = std::min(request.offset, total);
  const size_t count = std::min(request.limit, total - begin);
  if (begin == 0 && count == total) {
    // The whole trace: decode once, then order.
    TS_RETURN_IF_ERROR(AssembleBatch(std::move(records), &batch));
    std::sort(batch.spans.begin(), batch.spans.end(),
              [](const model::Span& a, const model::Span& b) {
                return std::tie(a.start_time_unix_nano, a.span_id) <
                       std::tie(b.start_time_unix_nano, b.span_id);
              });
    return batch;
  }

  // A page: order all spans by their start (read from each record without decoding it), then
  // decode into the batch only the page.
  struct Position {
    uint64_t start;
    model::SpanId span_id;
    size_t record;
  };
  std::vector<Position> order;
  order.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    Position& position = order.emplace_back();
    position.record = i;
    TS_RETURN_IF_ERROR(ReadSpanOrder(records[i], &position.start, &position.span_id));
  }
  std::sort(order.begin(), order.end(), [](const Position& a, const Position& b) {
    return std::tie(a.start, a.span_id) < std::tie(b.start, b.span_id);
  });
  std::vector<std::string> page;
  page.reserve(count);
  for (size_t i = begin; i < begin + count; ++i)
    page.push_back(std::move(records[order[i].record]));
  TS_RETURN_IF_ERROR(AssembleBatch(std::move(page), &batch));
  return batch;
}

StatusOr<model::SpanBatch> EmbeddedStore::GetSpan(const std::string& project,
                                                  const model::TraceId& trace_id,
                                                  const model::SpanId& span_id) {
  std::string record;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kSpansCf), SpanKey(project, trace_id, span_id), &record);
  if (s.IsNotFound()) return NotFound("span not found");
  TS_RETURN_IF_ERROR(FromRocks(s, "read a span"));
  model::SpanBatch batch;
  batch.project = project;
  std::vector<std::string> records;
  records.push_back(std::move(record));
  TS_RETURN_IF_ERROR(AssembleBatch(std::move(records), &batch));
  return batch;
}

Status EmbeddedStore::AssembleBatch(std::vector<std::string> records, model::SpanBatch* batch) {
  // Distinct resources and scopes, in order of first use; spans point at their positions.
  HashPositions resources;
  HashPositions scopes;
  const auto resource_base = static_cast<uint32_t>(batch->resources.size());
  const auto scope_base = static_cast<uint32_t>(batch->scopes.size());
  batch->spans.reserve(batch->spans.size() + records.size());
  for (auto& record : records) {
    const std::string_view bytes = batch->Adopt(std::move(record));
    model::Span span;
    SpanRecordView view;
    TS_RETURN_IF_ERROR(DecodeSpanRecord(bytes, &span, &view));
    span.resource_index = resource_base + resources.PositionOf(view.resource_hash);
    span.scope_index = scope_base + scopes.PositionOf(view.scope_hash);
    batch->spans.push_back(std::move(span));
  }
  return AppendResourcesAndScopes(
      resources.hashes(), scopes.hashes(),
      [batch](std::string value) { return batch->Adopt(std::move(value)); }, &batch->resources,
      &batch->scopes);
}

Status EmbeddedStore::AppendResourcesAndScopes(
    const std::vector<uint64_t>& resource_hashes, const std::vector<uint64_t>& scope_hashes,
    const std::function<std::string_view(std::string)>& adopt,
    std::vector<model::Resource>* resources, std::vector<model::Scope>* scopes) {
  std::vector<std::string> values;
  TS_RETURN_IF_ERROR(ReadRecords(kResourcesCf, resource_hashes, &values));
  for (auto& value : values) {
    model::Resource resource;
    TS_RETURN_IF_ERROR(DecodeResourceRecord(adopt(std::move(value)), &resource));
    resources->push_back(std::move(resource));
  }
  TS_RETURN_IF_ERROR(ReadRecords(kScopesCf, scope_hashes, &values));
  for (auto& value : values) {
    model::Scope scope;
    TS_RETURN_IF_ERROR(DecodeScopeRecord(adopt(std::move(value)), &scope));
    scopes->push_back(std::move(scope));
  }
  return Status::Ok();
}

Status EmbeddedStore::ReadRecords(ColumnFamilyIndex which, const std::vector<uint64_t>& hashes,
                                  std::vector<std::string>* values) {
  std::vector<std::string> keys;
  keys.reserve(hashes.size());
  for (uint64_t h : hashes) keys.push_back(HashKey(h));
  std::vector<rocksdb::PinnableSlice> found;
  std::vector<rocksdb::Status> statuses;
  TS_RETURN_IF_ERROR(
      MultiGetValues(db_.get(), rocksdb::ReadOptions(), cf(which), keys, &found, &statuses));
  values->clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok()) {
      return DataLoss(std::string("embedded store: a span refers to a missing ") +
                      (which == kResourcesCf ? "resource" : "scope"));
    }
    values->emplace_back(found[i].data(), found[i].size());
  }
  return Status::Ok();
}

Status EmbeddedStore::ScanSpans(const SpanScan& scan, const SpanVisitor& visit) {
  if (scan.end_unix_nano == 0 || scan.end_unix_nano <= scan.start_unix_nano) return Status::Ok();
  if (!scan.resume_after.empty() && scan.resume_after.size() != kTimeOrderSuffixSize) {
    return InvalidArgument("span scan: malformed resume token");
  }

  // An indexed term scans its own entries; other terms scan span_time and filter.
  const bool use_index = scan.index.has_value() && IsIndexed(*scan.index);
  const bool filter_status = scan.index.has_value() && !use_index;
  const std::string prefix = use_index
                                 ? IndexPrefix(scan.project, scan.index->field, scan.index->value)
                                 : ProjectPrefix(scan.project);
  const ColumnFamilyIndex which = use_index ? kSpanIndexCf : kSpanTimeCf;

  // Newest admissible start first; a resume token moves the start further on (never back).
  std::string seek = prefix + TimeOrderSeekSuffix(scan.end_unix_nano - 1);
  const std::string resume = scan.resume_after.empty() ? "" : prefix + scan.resume_after;
  if (!resume.empty() && resume > seek) seek = resume;

  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(which)));
  it->Seek(seek);
  if (!resume.empty() && it->Valid() && View(it->key()) == resume) it->Next();

  SpanSummary summary;
  ScanPosition position;
  for (; it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    const std::string_view suffix = key.substr(prefix.size());
    if (!ParseTimeOrderSuffix(suffix, &summary.start_time_unix_nano, &summary.trace_id,
                              &summary.span_id)) {
      return DataLoss("embedded store: malformed span index key");
    }
    if (summary.start_time_unix_nano < scan.start_unix_nano) break;
    TS_RETURN_IF_ERROR(DecodeSpanSummaryValue(View(it->value()), &summary));
    if (filter_status && model::StatusCodeName(summary.status) != scan.index->value) continue;
    position.token.assign(suffix);
    if (!visit(summary, position)) return Status::Ok();
  }
  return FromRocks(it->status(), "scan span summaries");
}

StatusOr<std::vector<std::string>> EmbeddedStore::ListServices(const std::string& project) {
  const std::string prefix = ProjectPrefix(project);
  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kServicesCf)));
  std::vector<std::string> services;
  for (it->Seek(prefix); it->Valid() && View(it->key()).starts_with(prefix); it->Next()) {
    services.emplace_back(View(it->key()).substr(prefix.size()));
  }
  TS_RETURN_IF_ERROR(FromRocks(it->status(), "list services"));
  return services;
}

StoreStats EmbeddedStore::Stats() {
  StoreStats stats;
  stats.spans_written = spans_written_.load(std::memory_order_relaxed);
  stats.batches_written = batches_written_.load(std::memory_order_relaxed);
  stats.logs_written = logs_written_.load(std::memory_order_relaxed);
  stats.metric_points_written = metric_points_written_.load(std::memory_order_relaxed);
  stats.bytes_on_disk = DirectorySize(options_.data_dir);
  // Aggregated over every column family; the block cache is shared, so one family's figure
  // is the whole cache's.
  db_->GetAggregatedIntProperty("rocksdb.size-all-mem-tables", &stats.memtable_bytes);
  db_->GetAggregatedIntProperty("rocksdb.estimate-table-readers-mem", &stats.table_reader_bytes);
  db_->GetIntProperty(handles_[0], "rocksdb.block-cache-usage", &stats.block_cache_bytes);
  db_->GetIntProperty(handles_[0], "rocksdb.block-cache-pinned-usage",
                      &stats.block_cache_pinned_bytes);
  return stats;
}

Status EmbeddedStore::CompactAll() {
  for (auto* handle : handles_) {
    TS_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handle), "flush"));
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    TS_RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, handle, nullptr, nullptr), "compact"));
  }
  return Status::Ok();
}

Status SetFormatVersionForTesting(const EmbeddedStoreOptions& options, const std::string& version) {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  TS_RETURN_IF_ERROR(OpenDb(options, &db, &handles));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Status s = FromRocks(db->Put(sync, handles[kMetaCf], ToSlice(kFormatVersionKey), version),
                       "write the format version");
  CloseDb(std::move(db), std::move(handles));
  return s;
}

}  // namespace tokenscope::store::embedded
