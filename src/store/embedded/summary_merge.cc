#include "store/embedded/summary_merge.h"

#include "model/trace_summary.h"
#include "store/embedded/folding_merge.h"
#include "store/embedded/records.h"

namespace tokenscope::store::embedded {

std::shared_ptr<rocksdb::MergeOperator> NewTraceSummaryMergeOperator() {
  // The name is persisted in the store's OPTIONS file.
  return NewFoldingMergeOperator("tokenscope.TraceSummaryMerge", "trace summary",
                                 &FoldTraceSummaries);
}

std::string FoldTraceSummaries(const std::vector<std::string_view>& encoded, size_t* skipped) {
  model::TraceSummary folded;
  size_t bad = 0;
  for (std::string_view value : encoded) {
    model::TraceSummary one;
    if (!DecodeTraceSummary(value, &one).ok()) {
      ++bad;
      continue;
    }
    folded.Merge(one);
  }
  if (skipped != nullptr) *skipped = bad;
  std::string out;
  EncodeTraceSummary(folded, &out);
  return out;
}

}  // namespace tokenscope::store::embedded
