#include "store/embedded/rollup_merge.h"

#include "store/embedded/coding.h"
#include "store/embedded/folding_merge.h"
#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {

std::shared_ptr<rocksdb::MergeOperator> NewRollupMergeOperator() {
  // The name is persisted in the store's OPTIONS file.
  return NewFoldingMergeOperator("tokenscope.RollupCellMerge", "rollup cell", &FoldRollupCells);
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
