// DiskGuard: keeps the embedded store's writes away from a full disk and brings the database
// back once there is room again.
//
// RocksDB does not take a full disk well: a write that fails in the middle of appending to the
// write-ahead log leaves the log writer in an error state, and further writes can trip internal
// assertions or keep failing until the database is resumed. So the store checks the free space
// of its directory before each write (statvfs, refreshed at most every 100 ms) and refuses —
// Unavailable, which ingest answers as "retry later" — while it is below a reserve, long before
// RocksDB itself would hit ENOSPC (flushes and compactions need room too). Should a write fail
// anyway (another process filled the disk at once, an I/O error), writes are refused until a
// DB::Resume(), tried at most once a second and only with the reserve free again, succeeds.
// Data already stored is never touched by any of this.
//
// Holds the database it is given, not owning it. Thread-safe.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "base/status.h"

namespace tokenscope::store::embedded {

class DiskGuard {
 public:
  DiskGuard(std::string dir, uint64_t min_free_bytes)
      : dir_(std::move(dir)), reserve_(min_free_bytes) {}
  DiskGuard(const DiskGuard&) = delete;
  DiskGuard& operator=(const DiskGuard&) = delete;

  // OK when a write may go ahead. `frees_space` writes (deletions) skip the reserve check, since
  // they are how space comes back, but not the failed state.
  Status BeforeWrite(rocksdb::DB* db, bool frees_space);
  // Records the outcome of a write that went ahead.
  void AfterWrite(const rocksdb::Status& status);

  // Free bytes of the store's file system, as last measured.
  uint64_t free_bytes();

 private:
  Status TryResume(rocksdb::DB* db);

  const std::string dir_;
  const uint64_t reserve_;
  std::atomic<uint64_t> free_bytes_{UINT64_MAX};
  std::atomic<int64_t> next_measure_ns_{0};
  std::atomic<bool> failed_{false};
  std::mutex resume_mu_;  // one resume at a time
  std::chrono::steady_clock::time_point next_resume_{};
  std::string failure_;  // why writes stopped; guarded by resume_mu_
};

}  // namespace tokenscope::store::embedded
