// Aggregator: bounds the cardinality of the rollup contributions of ingested batches, and
// folds contributions into merge operands — one RollupEntry per (minute, key).
//
// Cardinality: per project and per dimension (service, model, provider, operation and each
// allocation dimension; the error class is a closed set), the first max_values_per_dimension
// distinct values seen are kept; any further value is replaced by kOtherValue ("__other__")
// and counted in folded_values(). Without the bound, one instrumented user id in an
// allocation dimension would create a cell per user per minute. The empty value (dimension
// absent) and kOtherValue itself are always admitted and do not count toward the bound. The
// admitted values live in memory only: after a restart the first values seen are admitted
// afresh, so a value folded before may get a cell of its own later (and the reverse).
//
// Thread-safe: any number of ingest threads may call AggregateBatch() concurrently; the
// admission sets are guarded by one mutex, held once per batch, and the per-batch folding
// runs outside it. The Aggregator owns the admission sets; the entries it returns belong to
// the caller.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "rollup/rollup.h"

namespace tokenscope::rollup {

inline constexpr std::string_view kOtherValue = "__other__";

struct AggregatorOptions {
  size_t max_values_per_dimension = 1000;
};

// Folds contributions, one at a time, into one entry per (minute, key). Not synchronized.
class CellFolder {
 public:
  void Add(RollupEntry entry);
  // Add() without a copy unless the entry starts a new cell.
  void AddCopy(const RollupEntry& entry);
  size_t size() const { return cells_.size(); }
  // The folded entries in ascending (minute, encoded key) order — the order the store keys
  // cells in; leaves the folder empty.
  std::vector<RollupEntry> Take();

 private:
  std::map<std::pair<uint64_t, std::string>, RollupEntry> cells_;
  std::string encoded_;  // scratch
};

// Folds contributions into one entry per (minute, key), in CellFolder::Take() order.
std::vector<RollupEntry> FoldByCell(std::vector<RollupEntry> contributions);

class Aggregator {
 public:
  explicit Aggregator(AggregatorOptions options = {});

  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Replaces, in place, the over-limit dimension values of `project`'s contributions
  // (ContributionOf() results; nullopt entries are skipped) by kOtherValue. Ingest admits the
  // contributions of each batch, one per span, before Store::Write folds those of new spans.
  void Admit(std::string_view project, std::vector<std::optional<RollupEntry>>* contributions);

  // Admit(), then FoldByCell(): the operands for Store::MergeRollups().
  std::vector<RollupEntry> AggregateBatch(std::string_view project,
                                          std::vector<RollupEntry> contributions);

  // How many dimension values were replaced by kOtherValue since construction.
  uint64_t folded_values() const { return folded_values_.load(std::memory_order_relaxed); }
  // How many distinct values `project` has admitted for `dimension` ("service", "model",
  // "provider", "operation" or an allocation dimension's name).
  size_t admitted_values(std::string_view project, std::string_view dimension) const;
  // (project, dimension, admitted values) for every dimension seen, sorted.
  std::vector<std::tuple<std::string, std::string, size_t>> AdmittedValues() const;

 private:
  using ValueSet = std::set<std::string, std::less<>>;
  // Admitted values per dimension name.
  using ProjectValues = std::map<std::string, ValueSet, std::less<>>;

  // Replaces each over-limit value of `key` by kOtherValue. Requires mu_.
  void AdmitKey(ProjectValues* values, RollupKey* key);
  ProjectValues* ValuesOf(std::string_view project);  // requires mu_
  void AdmitValue(ProjectValues* values, std::string_view dimension, std::string* value);

  const AggregatorOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, ProjectValues, std::less<>> projects_;  // guarded by mu_
  std::atomic<uint64_t> folded_values_{0};
};

}  // namespace tokenscope::rollup
