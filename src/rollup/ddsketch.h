// DDSketch: a mergeable quantile sketch with a relative-error guarantee on the value
// (Masson, Rim and Lee, VLDB 2019; conventions.md §H), for latencies and times to first
// token in nanoseconds.
//
// Mapping: relative accuracy α = 1%, γ = (1 + α) / (1 − α). A value x ≥ kMinIndexableValue
// falls in bucket i = ⌈log_γ x⌉, which covers (γ^(i−1), γ^i]; a quantile is answered with
// 2γ^i / (γ + 1), within α·x of every value of the bucket. Values below kMinIndexableValue
// (1 ns for nanosecond data), zero and negative values are counted in a separate zero bucket
// and reported as 0. NaN and infinities are ignored (not counted).
//
// Bounded size: at most kMaxBuckets (2048) consecutive bucket indexes are kept. When the
// range of values outgrows them, the lowest buckets are collapsed into the lowest kept one.
// 2048 buckets at 1% span a ratio of γ^2048 ≈ 6·10^17 between the smallest and the largest
// value — 1 ns to about 19 years — so latency data never collapses; if it does, quantiles
// that fall in the collapsed buckets are overestimated (they report the lowest kept
// bucket), while quantiles above them keep the 1% guarantee. Collapsing depends only on the
// highest index ever seen, so merging stays associative and commutative: any merge order
// gives the same sketch, bucket for bucket.
//
// Count, Min, Max are exact; Sum is a double, exact while the values are integers and the
// sum stays below 2^53 (about 104 days of nanoseconds), so it is merge-order independent then;
// it saturates at the largest finite double.
//
// Serialization (version 1, documented in ddsketch.cc) is compact (varint index deltas and
// counts of the non-empty buckets) and Parse() is strict: it rejects anything Serialize()
// cannot produce. A value type; not synchronized (one writer, or external locking).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tokenscope::rollup {

class DDSketch {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  static constexpr size_t kMaxBuckets = 2048;
  static constexpr double kMinIndexableValue = 1.0;
  // The encoding's version byte; it also pins the mapping (α, kMinIndexableValue).
  static constexpr uint8_t kFormatVersion = 1;

  DDSketch() = default;

  // Counts `value` `count` times.
  void Add(double value, uint64_t count = 1);
  // Adds every value counted by `other` (the sketch of the union of both inputs).
  void Merge(const DDSketch& other);
  // Merge(Parse(bytes)) without building the other sketch (no allocation unless this sketch
  // must grow). Strict like Parse; on an error nothing is merged.
  Status MergeEncoded(std::string_view bytes);

  // A sketch as its non-empty buckets, ascending by index: what DecodeSparse gives and
  // MergeSparse takes. The buckets live wherever the caller keeps them.
  struct Sparse {
    uint64_t count = 0;
    uint64_t zero_count = 0;
    double min = 0;
    double max = 0;
    double sum = 0;
    const std::pair<int32_t, uint64_t>* buckets = nullptr;
    size_t bucket_count = 0;
  };
  // Checks an encoding like Parse and appends its buckets to `buckets`; `out` describes it
  // (its `buckets` pointer is left null: the vector may still move).
  static Status DecodeSparse(std::string_view bytes, Sparse* out,
                             std::vector<std::pair<int32_t, uint64_t>>* buckets);
  // Merge() of a sketch in sparse form, which must be valid (from DecodeSparse).
  void MergeSparse(const Sparse& other);

  // The value at rank q·(Count()−1) (the lower one, no interpolation), within 1% of the
  // exact one, clamped to [Min(), Max()]; exactly Min() for q = 0 and Max() for q = 1.
  // nullopt when the sketch is empty or q is outside [0, 1].
  std::optional<double> Quantile(double q) const;

  uint64_t Count() const { return count_; }
  double Sum() const { return sum_; }
  // Min() and Max() are 0 for an empty sketch.
  double Min() const { return count_ == 0 ? 0 : min_; }
  double Max() const { return count_ == 0 ? 0 : max_; }
  bool empty() const { return count_ == 0; }
  uint64_t zero_count() const { return zero_count_; }
  // Number of buckets held in memory (for tests and memory accounting).
  size_t bucket_span() const { return counts_.size(); }

  // Appends the version-1 encoding to `out`.
  void Serialize(std::string* out) const;
  std::string Serialize() const;
  // Strict: InvalidArgument (naming what is wrong) unless `bytes` is exactly one encoding.
  static StatusOr<DDSketch> Parse(std::string_view bytes);

  friend bool operator==(const DDSketch& a, const DDSketch& b);

 private:
  static int32_t IndexOf(double value);
  static double ValueOf(int32_t index);

  int32_t lowest_index() const { return offset_; }
  int32_t highest_index() const { return offset_ + static_cast<int32_t>(counts_.size()) - 1; }
  // Grows the bucket array to cover [lo, hi], collapsing the lowest buckets so that at most
  // kMaxBuckets remain. Indexes below the new lowest bucket then belong to it.
  void Cover(int32_t lo, int32_t hi);
  void AddToBucket(int32_t index, uint64_t count);
  void NoteValue(double value, uint64_t count);
  void AddToSum(double amount);
  double Clamp(double v) const;

  uint64_t count_ = 0;       // every counted value, zero bucket included
  uint64_t zero_count_ = 0;  // values below kMinIndexableValue
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  int32_t offset_ = 0;            // bucket index of counts_[0]
  std::vector<uint64_t> counts_;  // dense counts of indexes offset_ .. offset_+size-1
};

}  // namespace tokenscope::rollup
