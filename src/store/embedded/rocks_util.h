// Small RocksDB helpers shared by the embedded store's translation units: slices to views and
// back, RocksDB status to Tokenscope Status, multi-get, and read options bounded to a key
// prefix. Stateless; thread-safe.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tokenscope::store::embedded {

inline rocksdb::Slice ToSlice(std::string_view s) {
  return {s.data(), s.size()};
}
inline std::string_view View(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// Maps a RocksDB status to a Status whose message names the operation (`what`): NotFound,
// DataLoss for corruption, Unavailable for I/O and transient trouble, Internal otherwise.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

// Reads many keys of one column family. `statuses` come back OK or NotFound per key, or the
// call fails with the first other error.
Status MultiGetValues(rocksdb::DB* db, const rocksdb::ReadOptions& read_options,
                      rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& keys,
                      std::vector<rocksdb::PinnableSlice>* values,
                      std::vector<rocksdb::Status>* statuses);

// Read options whose iterators stop at the end of the keys starting with `prefix`. Holds the
// bound it points to, so it must outlive the iterator; not copyable for that reason.
class PrefixBoundedRead {
 public:
  explicit PrefixBoundedRead(std::string_view prefix);
  PrefixBoundedRead(const PrefixBoundedRead&) = delete;
  PrefixBoundedRead& operator=(const PrefixBoundedRead&) = delete;

  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  std::string upper_;
  rocksdb::Slice upper_slice_;
  rocksdb::ReadOptions options_;
};

}  // namespace tokenscope::store::embedded
