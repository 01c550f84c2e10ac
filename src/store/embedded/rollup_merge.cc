#include "store/embedded/rollup_merge.h"

#include <rocksdb/env.h>
#include <rocksdb/merge_operator.h>

#include <deque>

#include "store/embedded/coding.h"
#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {
namespace {

std::string_view AsView(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

class RollupMergeOperator : public rocksdb::MergeOperator {
 public:
  // The name is persisted in the store's OPTIONS file; renaming it makes old data unreadable.
  const char* Name() const override { return "tokenscope.RollupCellMerge"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::vector<std::string_view> encoded;
    encoded.reserve(in.operand_list.size() + 1);
    if (in.existing_value != nullptr) encoded.push_back(AsView(*in.existing_value));
    for (const auto& operand : in.operand_list) encoded.push_back(AsView(operand));
    out->new_value = Fold(encoded, in.logger);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    std::vector<std::string_view> encoded;
    encoded.reserve(operands.size());
    for (const auto& operand : operands) encoded.push_back(AsView(operand));
    *new_value = Fold(encoded, logger);
    return true;
  }

 private:
  static std::string Fold(const std::vector<std::string_view>& encoded, rocksdb::Logger* logger) {
    size_t skipped = 0;
    std::string result = FoldRollupCells(encoded, &skipped);
    if (skipped > 0 && logger != nullptr) {
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger,
                   "tokenscope: skipped %zu corrupt rollup cell operand(s)", skipped);
    }
    return result;
  }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewRollupMergeOperator() {
  return std::make_shared<RollupMergeOperator>();
}

std::string FoldRollupCells(const std::vector<std::string_view>& encoded, size_t* skipped) {
  rollup::RollupCell folded;
  size_t bad = 0;
  for (std::string_view value : encoded) {
    StatusOr<rollup::RollupCell> one = rollup::DecodeCell(value);
    if (!one.ok()) {
      ++bad;
      continue;
    }
    folded.Merge(*one);
  }
  if (skipped != nullptr) *skipped = bad;
  std::string out;
  rollup::EncodeCell(folded, &out);
  return out;
}

std::string RollupMinuteKey(std::string_view project, uint64_t minute) {
  std::string key = ProjectPrefix(project);
  PutFixed64BigEndian(minute, &key);
  return key;
}

std::string RollupStoreKey(std::string_view project, const rollup::RollupKey& key) {
  std::string out = RollupMinuteKey(project, key.minute);
  rollup::EncodeKeyDimensions(key, &out);
  return out;
}

Status ParseRollupKeySuffix(std::string_view suffix, rollup::RollupKey* key) {
  if (!GetFixed64BigEndian(&suffix, &key->minute)) {
    return InvalidArgument("malformed rollup key: no minute");
  }
  return rollup::DecodeKeyDimensions(suffix, key);
}

}  // namespace tokenscope::store::embedded
