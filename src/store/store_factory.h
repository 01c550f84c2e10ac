// Opening a Store. Callers outside src/store/ use this header and store.h only; which
// backend serves them (and its library types) stays behind these functions.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace tokenscope::store {

struct EmbeddedStoreOptions {
  // Directory of the store; created (with parents) on first open.
  std::string data_dir;
  // Sync the write-ahead log before Write() returns. Off only for tests and benchmarks that
  // accept losing the last writes on a crash (never a process crash: the OS still has them).
  bool sync_writes = true;
  // Block cache shared by every column family; holds index and filter blocks too. With the
  // memtable budget this bounds the store's memory (about 256 MiB by default).
  size_t block_cache_bytes = size_t{96} << 20;
  // Total memory of all memtables; reaching it flushes the largest.
  size_t memtable_budget_bytes = size_t{128} << 20;
  // Free space kept on the store's file system: below it, writes are refused as Unavailable
  // (ingest answers "retry later") before RocksDB can run into a full disk. 0 disables the check.
  uint64_t min_free_disk_bytes = uint64_t{128} << 20;
  // Threads for flushes and compactions.
  int max_background_jobs = 2;
  // How many resource/scope hashes and service names Write() remembers as already stored,
  // so repeated ones are not rewritten with every batch.
  size_t recent_records_cache_entries = 8192;
};

// Opens (creating if needed) the embedded RocksDB store in options.data_dir. Fails with
// FailedPrecondition when the directory holds a store of another format version, and with
// Unavailable when another process holds it open.
StatusOr<std::unique_ptr<Store>> OpenEmbeddedStore(const EmbeddedStoreOptions& options);

}  // namespace tokenscope::store
