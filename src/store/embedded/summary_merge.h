// The merge operator of the trace_summary column family.
//
// Every Write() merges, per trace, the TraceSummary of the spans it brings. RocksDB folds
// those operands (in Get, and in compactions) with model::TraceSummary::Merge, so a trace's
// summary is right whatever order and batches its spans arrive in, without a
// read-modify-write on the ingest path. Operands and values use the trace_summary encoding
// of records.h. The operator is stateless and thread-safe, as RocksDB requires.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class MergeOperator;
}

namespace tokenscope::store::embedded {

std::shared_ptr<rocksdb::MergeOperator> NewTraceSummaryMergeOperator();

// Folds encoded summaries, oldest first, into one encoded summary. Values that do not
// decode are skipped (and counted in *skipped when given): a corrupt operand must not wedge
// compaction of the whole column family.
std::string FoldTraceSummaries(const std::vector<std::string_view>& encoded,
                               size_t* skipped = nullptr);

}  // namespace tokenscope::store::embedded
