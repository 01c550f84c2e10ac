#include "store/embedded/folding_merge.h"

#include <rocksdb/env.h>
#include <rocksdb/merge_operator.h>

#include <deque>

#include "store/embedded/rocks_util.h"

namespace tokenscope::store::embedded {
namespace {

class FoldingMergeOperator : public rocksdb::MergeOperator {
 public:
  FoldingMergeOperator(const char* name, const char* what, FoldFn fold)
      : name_(name), what_(what), fold_(fold) {}

  const char* Name() const override { return name_; }

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
  std::string Fold(const std::vector<std::string_view>& encoded, rocksdb::Logger* logger) const {
    size_t skipped = 0;
    std::string result = fold_(encoded, &skipped);
    if (skipped > 0 && logger != nullptr) {
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger,
                   "tokenscope: skipped %zu corrupt %s operand(s)", skipped, what_);
    }
    return result;
  }

  const char* const name_;
  const char* const what_;
  const FoldFn fold_;
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewFoldingMergeOperator(const char* name, const char* what,
                                                                FoldFn fold) {
  return std::make_shared<FoldingMergeOperator>(name, what, fold);
}

}  // namespace tokenscope::store::embedded
