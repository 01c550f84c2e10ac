// FoldingMergeOperator: a RocksDB merge operator for values that merge by folding — trace
// summaries and rollup cells. Full and partial merges both hand every encoded value (the
// existing one first, then the operands, oldest first) to a fold function that decodes, merges
// and re-encodes them, skipping values that do not decode so that one corrupt operand cannot
// wedge compaction of a whole column family; skips are logged to RocksDB's info log.
// Stateless apart from its name and fold; thread-safe, as RocksDB requires.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class MergeOperator;
}

namespace tokenscope::store::embedded {

// Folds encoded values into one encoded value, counting those that do not decode in *skipped.
using FoldFn = std::string (*)(const std::vector<std::string_view>& encoded, size_t* skipped);

// `name` is persisted in the store's OPTIONS file: renaming it makes old data unreadable.
// `what` names the values in log lines ("trace summary").
std::shared_ptr<rocksdb::MergeOperator> NewFoldingMergeOperator(const char* name, const char* what,
                                                                FoldFn fold);

}  // namespace tokenscope::store::embedded
