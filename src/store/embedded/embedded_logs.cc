// EmbeddedStore's log records: WriteLogs, GetTraceLogs and ScanLogs (see keys.h and records.h
// for the layout of the logs and log_trace column families).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "store/embedded/context_cache.h"
#include "store/embedded/embedded_store.h"
#include "store/embedded/hash_positions.h"
#include "store/embedded/keys.h"
#include "store/embedded/records.h"
#include "store/embedded/rocks_util.h"

namespace tokenscope::store::embedded {

Status EmbeddedStore::WriteLogs(const model::LogBatch& batch) {
  if (batch.logs.empty()) return Status::Ok();
  for (size_t i = 0; i < batch.logs.size(); ++i) {
    const model::LogRecord& record = batch.logs[i];
    if (record.resource_index >= batch.resources.size() ||
        record.scope_index >= batch.scopes.size()) {
      return InvalidArgument("embedded store: log record " + std::to_string(i) +
                             " refers to a resource or scope the batch does not hold");
    }
  }

  // Resources and scopes, content-addressed like those of spans; hashed once each.
  std::vector<std::pair<std::string, std::string>> context_puts[2];
  std::vector<std::string> remember;
  std::vector<std::optional<uint64_t>> resource_hashes(batch.resources.size());
  std::vector<std::optional<uint64_t>> scope_hashes(batch.scopes.size());
  std::string value;
  auto resource_hash = [&](uint32_t index) {
    if (!resource_hashes[index]) {
      value.clear();
      EncodeResourceRecord(batch.resources[index], &value);
      resource_hashes[index] = PlanContentRecord(kResourcesCf, value, &context_puts[0], &remember);
    }
    return *resource_hashes[index];
  };
  auto scope_hash = [&](uint32_t index) {
    if (!scope_hashes[index]) {
      value.clear();
      EncodeScopeRecord(batch.scopes[index], &value);
      scope_hashes[index] = PlanContentRecord(kScopesCf, value, &context_puts[1], &remember);
    }
    return *scope_hashes[index];
  };

  rocksdb::WriteBatch write_batch;
  for (size_t i = 0; i < batch.logs.size(); ++i) {
    const model::LogRecord& record = batch.logs[i];
    const uint64_t r = resource_hash(record.resource_index);
    const uint64_t s = scope_hash(record.scope_index);
    value.clear();
    EncodeLogRecordValue(record, r, s, &value);
    const LogPosition position{LogTime(record), static_cast<uint32_t>(i), RecordHash(value)};
    write_batch.Put(cf(kLogsCf), LogKey(batch.project, position), value);
    if (record.has_trace_id()) {
      write_batch.Put(cf(kLogTraceCf), LogTraceKey(batch.project, record.trace_id, position),
                      rocksdb::Slice());
    }
  }
  for (const auto& [key, record] : context_puts[0]) {
    write_batch.Put(cf(kResourcesCf), key, record);
  }
  for (const auto& [key, record] : context_puts[1]) write_batch.Put(cf(kScopesCf), key, record);

  TS_RETURN_IF_ERROR(
      Commit(&write_batch, options_.sync_writes, /*frees_space=*/false, "write log records"));
  for (auto& key : remember) recent_records_.Insert(std::move(key));
  logs_written_.fetch_add(batch.logs.size(), std::memory_order_relaxed);
  return Status::Ok();
}

StatusOr<model::LogBatch> EmbeddedStore::GetTraceLogs(const std::string& project,
                                                      const model::TraceId& trace_id) {
  const std::string prefix = LogTracePrefix(project, trace_id);
  PrefixBoundedRead bounded(prefix);
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kLogTraceCf)));
  for (it->Seek(ToSlice(prefix)); it->Valid() && View(it->key()).starts_with(prefix); it->Next()) {
    LogPosition position;
    if (!ParseLogTraceSuffix(View(it->key()).substr(prefix.size()), &position)) {
      return DataLoss("embedded store: malformed log_trace key");
    }
    keys.push_back(LogKey(project, position));
  }
  TS_RETURN_IF_ERROR(FromRocks(it->status(), "scan the log records of a trace"));
  it.reset();

  std::vector<rocksdb::PinnableSlice> found;
  std::vector<rocksdb::Status> statuses;
  TS_RETURN_IF_ERROR(
      MultiGetValues(db_.get(), rocksdb::ReadOptions(), cf(kLogsCf), keys, &found, &statuses));
  std::vector<std::string> values;
  values.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    // A record removed since its trace entry was read (retention) is simply gone.
    if (statuses[i].ok()) values.emplace_back(found[i].data(), found[i].size());
  }
  model::LogBatch batch;
  batch.project = project;
  TS_RETURN_IF_ERROR(AssembleLogBatch(std::move(values), &batch));
  return batch;
}

Status EmbeddedStore::AssembleLogBatch(std::vector<std::string> values, model::LogBatch* batch) {
  HashPositions resources;
  HashPositions scopes;
  const auto resource_base = static_cast<uint32_t>(batch->resources.size());
  const auto scope_base = static_cast<uint32_t>(batch->scopes.size());
  batch->logs.reserve(batch->logs.size() + values.size());
  for (auto& value : values) {
    const std::string_view bytes = batch->Adopt(std::move(value));
    model::LogRecord record;
    SpanRecordView view;
    TS_RETURN_IF_ERROR(DecodeLogRecordValue(bytes, &record, &view));
    record.resource_index = resource_base + resources.PositionOf(view.resource_hash);
    record.scope_index = scope_base + scopes.PositionOf(view.scope_hash);
    batch->logs.push_back(std::move(record));
  }
  return AppendResourcesAndScopes(
      resources.hashes(), scopes.hashes(),
      [batch](std::string v) { return batch->Adopt(std::move(v)); }, &batch->resources,
      &batch->scopes);
}

Status EmbeddedStore::ScanLogs(const LogScan& scan, const LogVisitor& visit) {
  if (scan.end_unix_nano == 0 || scan.end_unix_nano <= scan.start_unix_nano) return Status::Ok();
  if (!scan.resume_after.empty() && scan.resume_after.size() != kLogOrderSuffixSize) {
    return InvalidArgument("log scan: malformed resume token");
  }
  const std::string prefix = ProjectPrefix(scan.project);
  std::string seek = prefix + LogOrderSeekSuffix(scan.end_unix_nano - 1);
  const std::string resume = scan.resume_after.empty() ? "" : prefix + scan.resume_after;
  if (!resume.empty() && resume > seek) seek = resume;

  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kLogsCf)));
  it->Seek(ToSlice(seek));
  if (!resume.empty() && it->Valid() && View(it->key()) == resume) it->Next();

  ContextCache context(db_.get(), cf(kResourcesCf), cf(kScopesCf), "a log record");
  ScanPosition position;
  for (; it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    const std::string_view suffix = key.substr(prefix.size());
    LogPosition log_position;
    if (!ParseLogOrderSuffix(suffix, &log_position)) {
      return DataLoss("embedded store: malformed log key");
    }
    if (log_position.time_unix_nano < scan.start_unix_nano) break;
    model::LogRecord record;
    SpanRecordView view;
    TS_RETURN_IF_ERROR(DecodeLogRecordValue(View(it->value()), &record, &view));
    TS_ASSIGN_OR_RETURN(const model::Resource* resource, context.Resource(view.resource_hash));
    TS_ASSIGN_OR_RETURN(const model::Scope* scope, context.Scope(view.scope_hash));
    position.token.assign(suffix);
    if (!visit(record, *resource, *scope, position)) return Status::Ok();
  }
  return FromRocks(it->status(), "scan log records");
}

}  // namespace tokenscope::store::embedded
