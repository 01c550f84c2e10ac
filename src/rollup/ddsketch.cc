#include "rollup/ddsketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rollup/wire.h"

// Encoding, version 1 (all integers LEB128 varints, doubles 8 bytes little-endian IEEE 754):
//
//   version (1 byte, = 1)
//   count | zero_count
//   if count > 0:  min | max | sum (doubles)
//   bucket_count (non-empty buckets, ascending index)
//   first bucket:  zigzag(index) | count (≥ 1)
//   each next one: index − previous index (≥ 1) | count (≥ 1)
//
// An empty sketch is two bytes plus the version. A latency sketch of a minute typically has
// a few dozen non-empty buckets: 2–4 bytes each.

namespace tokenscope::rollup {
namespace {

const double kGamma = (1 + DDSketch::kRelativeAccuracy) / (1 - DDSketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
// 2γ^i/(γ+1) = γ^i · kValueFactor: the point of bucket i within α of both of its ends.
const double kValueFactor = 2 / (kGamma + 1);

}  // namespace

int32_t DDSketch::IndexOf(double value) {
  return static_cast<int32_t>(std::ceil(std::log(value) / kLogGamma));
}

double DDSketch::ValueOf(int32_t index) {
  return std::exp(index * kLogGamma) * kValueFactor;
}

void DDSketch::Add(double value, uint64_t count) {
  if (count == 0 || !std::isfinite(value)) return;
  if (value < 0) value = 0;
  NoteValue(value, count);
  if (value < kMinIndexableValue) {
    zero_count_ += count;
  } else {
    AddToBucket(IndexOf(value), count);
  }
}

void DDSketch::NoteValue(double value, uint64_t count) {
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += count;
  AddToSum(value * static_cast<double>(count));
}

void DDSketch::AddToSum(double amount) {
  // Capped so that the sum stays finite: the encoding rejects infinities.
  sum_ = std::min(sum_ + amount, std::numeric_limits<double>::max());
}

void DDSketch::AddToBucket(int32_t index, uint64_t count) {
  if (counts_.empty()) {
    offset_ = index;
    counts_.push_back(count);
    return;
  }
  Cover(index, index);
  counts_[std::max(index, offset_) - offset_] += count;
}

void DDSketch::Cover(int32_t lo, int32_t hi) {
  const int32_t new_hi = std::max(highest_index(), hi);
  const int32_t new_lo =
      std::max(std::min(lowest_index(), lo), new_hi - static_cast<int32_t>(kMaxBuckets) + 1);
  if (new_lo == lowest_index() && new_hi == highest_index()) return;
  std::vector<uint64_t> grown(static_cast<size_t>(new_hi - new_lo) + 1, 0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    const int32_t index = std::max(offset_ + static_cast<int32_t>(i), new_lo);
    grown[index - new_lo] += counts_[i];
  }
  counts_.swap(grown);
  offset_ = new_lo;
}

void DDSketch::Merge(const DDSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  zero_count_ += other.zero_count_;
  AddToSum(other.sum_);
  if (other.counts_.empty()) return;
  if (counts_.empty()) {
    offset_ = other.offset_;
    counts_ = other.counts_;
    return;
  }
  Cover(other.lowest_index(), other.highest_index());
  for (size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] == 0) continue;
    const int32_t index = std::max(other.offset_ + static_cast<int32_t>(i), offset_);
    counts_[index - offset_] += other.counts_[i];
  }
}

double DDSketch::Clamp(double v) const {
  return std::clamp(v, min_, max_);
}

std::optional<double> DDSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::nullopt;
  const double rank = q * static_cast<double>(count_ - 1);
  // The extremes are known exactly; no need for a bucket's estimate.
  if (rank <= 0) return min_;
  if (rank >= static_cast<double>(count_ - 1)) return max_;
  // count_ is the zero bucket plus every bucket (decoding checks it), so an upper quantile is
  // found walking down from the highest bucket: p95 and p99 touch a few buckets, not hundreds.
  if (q > 0.5) {
    uint64_t at_or_below = count_;  // samples in the buckets not yet passed, bucket i included
    for (size_t i = counts_.size(); i-- > 0;) {
      const uint64_t below = at_or_below - counts_[i];
      if (static_cast<double>(below) <= rank) {
        return Clamp(ValueOf(offset_ + static_cast<int32_t>(i)));
      }
      at_or_below = below;
    }
    return Clamp(0);
  }
  uint64_t seen = zero_count_;
  if (static_cast<double>(seen) > rank) return Clamp(0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (static_cast<double>(seen) > rank) {
      return Clamp(ValueOf(offset_ + static_cast<int32_t>(i)));
    }
  }
  return max_;
}

void DDSketch::Serialize(std::string* out) const {
  out->push_back(static_cast<char>(kFormatVersion));
  wire::PutVarint(count_, out);
  wire::PutVarint(zero_count_, out);
  if (count_ > 0) {
    wire::PutDouble(min_, out);
    wire::PutDouble(max_, out);
    wire::PutDouble(sum_, out);
  }
  const size_t non_empty =
      counts_.size() - static_cast<size_t>(std::count(counts_.begin(), counts_.end(), 0));
  wire::PutVarint(non_empty, out);
  bool first = true;
  int32_t previous = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int32_t index = offset_ + static_cast<int32_t>(i);
    if (first) {
      wire::PutSignedVarint(index, out);
    } else {
      wire::PutVarint(static_cast<uint64_t>(index - previous), out);
    }
    wire::PutVarint(counts_[i], out);
    first = false;
    previous = index;
  }
}

std::string DDSketch::Serialize() const {
  std::string out;
  Serialize(&out);
  return out;
}

namespace {

Status Malformed(std::string_view what) {
  return InvalidArgument("malformed DDSketch: " + std::string(what));
}

// Bucket indexes a finite value of at least kMinIndexableValue can map to.
constexpr int64_t kLowestIndex = 0;
const int64_t kHighestIndex =
    static_cast<int64_t>(std::ceil(std::log(std::numeric_limits<double>::max()) / kLogGamma));

}  // namespace

namespace {

// What an encoding says besides its buckets.
struct EncodedHeader {
  uint64_t count = 0;
  uint64_t zero_count = 0;
  double min = 0;
  double max = 0;
  double sum = 0;
  int64_t lowest = 0;  // bucket indexes, when there are buckets
  int64_t highest = -1;
};

// Checks a version-1 encoding strictly and calls on_bucket(index, count) for each non-empty
// bucket in ascending order. Allocates nothing.
template <typename OnBucket>
Status WalkEncoding(std::string_view bytes, EncodedHeader* h, OnBucket on_bucket) {
  wire::Reader in(bytes);
  const uint8_t version = in.Byte();
  if (!in.ok()) return Malformed("empty input");
  if (version != DDSketch::kFormatVersion) {
    return Malformed("unsupported version " + std::to_string(version));
  }
  h->count = in.Varint();
  h->zero_count = in.Varint();
  if (!in.ok()) return Malformed("truncated counts");
  if (h->zero_count > h->count) return Malformed("zero count exceeds count");
  if (h->count > 0) {
    h->min = in.Double();
    h->max = in.Double();
    h->sum = in.Double();
    if (!in.ok()) return Malformed("truncated min/max/sum");
    if (!std::isfinite(h->min) || !std::isfinite(h->max) || !std::isfinite(h->sum) || h->min < 0 ||
        h->min > h->max || h->sum < 0) {
      return Malformed("min/max/sum out of range");
    }
  }
  const uint64_t buckets = in.Varint();
  if (!in.ok()) return Malformed("truncated bucket count");
  if (buckets > DDSketch::kMaxBuckets) return Malformed("more than kMaxBuckets buckets");
  uint64_t bucketed = 0;
  int64_t index = 0;
  for (uint64_t b = 0; b < buckets; ++b) {
    if (b == 0) {
      index = in.SignedVarint();
    } else {
      const uint64_t delta = in.Varint();
      if (delta == 0 || delta > DDSketch::kMaxBuckets) return Malformed("bad bucket index delta");
      index += static_cast<int64_t>(delta);
    }
    const uint64_t count = in.Varint();
    if (!in.ok()) return Malformed("truncated bucket");
    if (index < kLowestIndex || index > kHighestIndex)
      return Malformed("bucket index out of range");
    if (count == 0) return Malformed("empty bucket");
    if (count > h->count - bucketed) return Malformed("bucket counts exceed count");
    bucketed += count;
    if (b == 0) h->lowest = index;
    h->highest = index;
    on_bucket(index, count);
  }
  if (!in.empty()) return Malformed("trailing bytes");
  if (bucketed + h->zero_count != h->count) {
    return Malformed("bucket counts do not add up to count");
  }
  if (buckets > 0) {
    if (h->highest - h->lowest >= static_cast<int64_t>(DDSketch::kMaxBuckets)) {
      return Malformed("buckets span more than kMaxBuckets");
    }
    if (h->max < DDSketch::kMinIndexableValue) return Malformed("max below the indexable range");
  }
  if (h->zero_count > 0 && h->min >= DDSketch::kMinIndexableValue) {
    return Malformed("zero bucket used but min is indexable");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<DDSketch> DDSketch::Parse(std::string_view bytes) {
  EncodedHeader h;
  TS_RETURN_IF_ERROR(WalkEncoding(bytes, &h, [](int64_t, uint64_t) {}));
  DDSketch sketch;
  sketch.count_ = h.count;
  sketch.zero_count_ = h.zero_count;
  sketch.min_ = h.min;
  sketch.max_ = h.max;
  sketch.sum_ = h.sum;
  if (h.highest >= h.lowest) {
    sketch.offset_ = static_cast<int32_t>(h.lowest);
    sketch.counts_.assign(static_cast<size_t>(h.highest - h.lowest) + 1, 0);
    (void)WalkEncoding(bytes, &h, [&](int64_t index, uint64_t count) {
      sketch.counts_[index - sketch.offset_] = count;
    });
  }
  return sketch;
}

Status DDSketch::DecodeSparse(std::string_view bytes, Sparse* out,
                              std::vector<std::pair<int32_t, uint64_t>>* buckets) {
  const size_t first = buckets->size();
  EncodedHeader h;
  Status walked = WalkEncoding(bytes, &h, [&](int64_t index, uint64_t count) {
    buckets->emplace_back(static_cast<int32_t>(index), count);
  });
  if (!walked.ok()) {
    buckets->resize(first);
    return walked;
  }
  *out = Sparse{h.count, h.zero_count, h.min, h.max, h.sum, nullptr, buckets->size() - first};
  return Status::Ok();
}

void DDSketch::MergeSparse(const Sparse& other) {
  if (other.count == 0) return;
  if (count_ == 0) {
    min_ = other.min;
    max_ = other.max;
  } else {
    min_ = std::min(min_, other.min);
    max_ = std::max(max_, other.max);
  }
  count_ += other.count;
  zero_count_ += other.zero_count;
  AddToSum(other.sum);
  if (other.bucket_count == 0) return;
  const int32_t lowest = other.buckets[0].first;
  const int32_t highest = other.buckets[other.bucket_count - 1].first;
  if (counts_.empty()) {
    offset_ = lowest;
    counts_.assign(static_cast<size_t>(highest - lowest) + 1, 0);
  } else {
    Cover(lowest, highest);
  }
  for (size_t i = 0; i < other.bucket_count; ++i) {
    const auto& [index, count] = other.buckets[i];
    counts_[std::max(index, offset_) - offset_] += count;
  }
}

Status DDSketch::MergeEncoded(std::string_view bytes) {
  // Buckets are read once, into a per-thread buffer, and added once the whole encoding has
  // been checked: nothing is merged from a malformed one.
  thread_local std::vector<std::pair<int32_t, uint64_t>> buckets;
  buckets.clear();
  Sparse sparse;
  TS_RETURN_IF_ERROR(DecodeSparse(bytes, &sparse, &buckets));
  sparse.buckets = buckets.data();
  MergeSparse(sparse);
  return Status::Ok();
}

bool operator==(const DDSketch& a, const DDSketch& b) {
  return a.count_ == b.count_ && a.zero_count_ == b.zero_count_ && a.sum_ == b.sum_ &&
         a.Min() == b.Min() && a.Max() == b.Max() && a.counts_ == b.counts_ &&
         (a.counts_.empty() || a.offset_ == b.offset_);
}

}  // namespace tokenscope::rollup
