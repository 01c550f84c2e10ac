#include "store/embedded/rocks_util.h"

#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = "embedded store: " + std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(std::move(message));
  if (s.IsCorruption()) return DataLoss(std::move(message));
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return Unavailable(std::move(message));
  }
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(message));
  return Internal(std::move(message));
}

Status MultiGetValues(rocksdb::DB* db, const rocksdb::ReadOptions& read_options,
                      rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& keys,
                      std::vector<rocksdb::PinnableSlice>* values,
                      std::vector<rocksdb::Status>* statuses) {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const auto& k : keys) slices.push_back(ToSlice(k));
  *values = std::vector<rocksdb::PinnableSlice>(keys.size());
  *statuses = std::vector<rocksdb::Status>(keys.size());
  if (keys.empty()) return Status::Ok();
  db->MultiGet(read_options, cf, keys.size(), slices.data(), values->data(), statuses->data());
  for (const auto& s : *statuses) {
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "multi-get");
  }
  return Status::Ok();
}

PrefixBoundedRead::PrefixBoundedRead(std::string_view prefix) : upper_(PrefixSuccessor(prefix)) {
  upper_slice_ = rocksdb::Slice(upper_);
  if (!upper_.empty()) options_.iterate_upper_bound = &upper_slice_;
}

}  // namespace tokenscope::store::embedded
