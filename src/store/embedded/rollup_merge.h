// The merge operator of the rollups column family, and the keys of that column family.
//
// Every MergeRollups() call merges, per (project, minute, dimensions), the RollupCell its
// batch brings. RocksDB folds those operands (in Get, iterators and compactions) with
// rollup::RollupCell::Merge, so a cell is the sum of everything merged into it whatever the
// order, without a read-modify-write on the ingest path. Values and operands use the cell
// encoding of rollup/rollup.h. The operator is stateless and thread-safe, as RocksDB requires.
//
// Key: project (length-prefixed, keys.h) | minute (8, BE) | rollup::EncodeKeyDimensions.
// Big-endian minutes make a forward scan of one project visit its cells oldest first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rollup/rollup.h"

namespace rocksdb {
class MergeOperator;
}

namespace tokenscope::store::embedded {

std::shared_ptr<rocksdb::MergeOperator> NewRollupMergeOperator();

// Folds encoded cells, in any order, into one encoded cell. Values that do not decode are
// skipped (and counted in *skipped when given): a corrupt operand must not wedge compaction
// of the whole column family.
std::string FoldRollupCells(const std::vector<std::string_view>& encoded,
                            size_t* skipped = nullptr);

// The rollups key of `key` in `project`, and the first key of a minute.
std::string RollupStoreKey(std::string_view project, const rollup::RollupKey& key);
std::string RollupMinuteKey(std::string_view project, uint64_t minute);
// Parses what follows the project prefix of a rollups key into `key`.
Status ParseRollupKeySuffix(std::string_view suffix, rollup::RollupKey* key);

}  // namespace tokenscope::store::embedded
