#include "store/embedded/summary_merge.h"

#include <rocksdb/env.h>
#include <rocksdb/merge_operator.h>

#include <deque>

#include "model/trace_summary.h"
#include "store/embedded/records.h"

namespace tokenscope::store::embedded {
namespace {

std::string_view View(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

class TraceSummaryMergeOperator : public rocksdb::MergeOperator {
 public:
  // The name is persisted in the store's OPTIONS file; renaming it makes old data unreadable.
  const char* Name() const override { return "tokenscope.TraceSummaryMerge"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::vector<std::string_view> encoded;
    encoded.reserve(in.operand_list.size() + 1);
    if (in.existing_value != nullptr) encoded.push_back(View(*in.existing_value));
    for (const auto& operand : in.operand_list) encoded.push_back(View(operand));
    out->new_value = Fold(encoded, in.logger);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    std::vector<std::string_view> encoded;
    encoded.reserve(operands.size());
    for (const auto& operand : operands) encoded.push_back(View(operand));
    *new_value = Fold(encoded, logger);
    return true;
  }

 private:
  static std::string Fold(const std::vector<std::string_view>& encoded, rocksdb::Logger* logger) {
    size_t skipped = 0;
    std::string result = FoldTraceSummaries(encoded, &skipped);
    if (skipped > 0 && logger != nullptr) {
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger,
                   "tokenscope: skipped %zu corrupt trace summary operand(s)", skipped);
    }
    return result;
  }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewTraceSummaryMergeOperator() {
  return std::make_shared<TraceSummaryMergeOperator>();
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
