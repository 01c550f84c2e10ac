// EmbeddedStore: the rollups column family (rollup_merge.h has the key and value formats).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <string_view>
#include <unordered_map>

#include "store/embedded/coding.h"
#include "store/embedded/embedded_store.h"
#include "store/embedded/keys.h"
#include "store/embedded/rocks_util.h"
#include "store/embedded/rollup_merge.h"

namespace tokenscope::store::embedded {
namespace {

// Lets an unordered_map keyed by std::string be searched with a string_view, without a copy.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

Status EmbeddedStore::MergeRollups(const std::string& project,
                                   const std::vector<rollup::RollupEntry>& entries) {
  if (entries.empty()) return Status::Ok();
  rocksdb::WriteBatch batch;
  std::string value;
  for (const rollup::RollupEntry& entry : entries) {
    value.clear();
    rollup::EncodeCell(entry.cell, &value);
    TS_RETURN_IF_ERROR(FromRocks(
        batch.Merge(cf(kRollupsCf), RollupStoreKey(project, entry.key), value), "merge rollups"));
  }
  return Commit(&batch, options_.sync_writes, /*frees_space=*/false, "merge rollups");
}

Status EmbeddedStore::ReplaceRollups(const std::string& project, uint64_t start_minute,
                                     uint64_t end_minute,
                                     const std::vector<rollup::RollupEntry>& entries) {
  if (start_minute >= end_minute) return InvalidArgument("rollups: empty minute range");
  rocksdb::WriteBatch batch;
  // end_minute == UINT64_MAX has no minute key: bound by the project instead.
  const std::string begin = RollupMinuteKey(project, start_minute);
  const std::string end = end_minute == UINT64_MAX ? PrefixSuccessor(ProjectPrefix(project))
                                                   : RollupMinuteKey(project, end_minute);
  TS_RETURN_IF_ERROR(FromRocks(batch.DeleteRange(cf(kRollupsCf), ToSlice(begin), ToSlice(end)),
                               "replace rollups"));
  std::string value;
  for (const rollup::RollupEntry& entry : entries) {
    if (entry.key.minute < start_minute || entry.key.minute >= end_minute) {
      return InvalidArgument("rollups: a replacement cell lies outside the replaced range");
    }
    value.clear();
    rollup::EncodeCell(entry.cell, &value);
    // A Put after the range delete in one batch: the cell is exactly this value.
    TS_RETURN_IF_ERROR(FromRocks(
        batch.Put(cf(kRollupsCf), RollupStoreKey(project, entry.key), value), "replace rollups"));
  }
  return Commit(&batch, options_.sync_writes, /*frees_space=*/false, "replace rollups");
}

Status EmbeddedStore::ScanRollups(const RollupScan& scan, const RollupVisitor& visit) {
  rollup::RollupEntry entry;
  Status failed;
  TS_RETURN_IF_ERROR(ScanRollupBytes(scan, [&](const rollup::RollupKey& key,
                                               std::string_view bytes) {
    failed = rollup::DecodeCellInto(bytes, scan.latency_sketches, scan.ttft_sketches, &entry.cell);
    if (!failed.ok()) {
      failed = DataLoss("rollups: " + failed.message());
      return false;
    }
    entry.key = key;
    return visit(entry);
  }));
  return failed;
}

Status EmbeddedStore::ScanRollupBytes(const RollupScan& scan, const RollupBytesVisitor& visit) {
  if (scan.start_minute >= scan.end_minute) return Status::Ok();
  const std::string prefix = ProjectPrefix(scan.project);
  const std::string start = RollupMinuteKey(scan.project, scan.start_minute);
  // end_minute == UINT64_MAX has no minute key above it: bound by the project instead.
  const std::string end = scan.end_minute == UINT64_MAX
                              ? PrefixSuccessor(prefix)
                              : RollupMinuteKey(scan.project, scan.end_minute);
  rocksdb::Slice upper = ToSlice(end);
  rocksdb::ReadOptions read_options;
  if (!end.empty()) read_options.iterate_upper_bound = &upper;

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, cf(kRollupsCf)));
  // The same dimensions recur in every minute: each distinct key suffix (after the minute) is
  // parsed once per scan.
  std::unordered_map<std::string, rollup::RollupKey, TransparentStringHash, std::equal_to<>> keys;
  constexpr size_t kMinuteBytes = 8;
  for (it->Seek(ToSlice(start)); it->Valid(); it->Next()) {
    const std::string_view suffix = View(it->key()).substr(prefix.size());
    if (suffix.size() < kMinuteBytes) return DataLoss("rollups: key too short");
    auto found = keys.find(suffix.substr(kMinuteBytes));
    if (found == keys.end()) {
      rollup::RollupKey parsed;
      Status status = ParseRollupKeySuffix(suffix, &parsed);
      if (!status.ok()) return DataLoss("rollups: " + status.message());
      found = keys.emplace(std::string(suffix.substr(kMinuteBytes)), std::move(parsed)).first;
    }
    rollup::RollupKey& key = found->second;
    std::string_view minute = suffix;
    GetFixed64BigEndian(&minute, &key.minute);  // cannot fail: the size was checked
    if (!visit(key, View(it->value()))) return Status::Ok();
  }
  return FromRocks(it->status(), "scan rollups");
}

}  // namespace tokenscope::store::embedded
