#include "tokenize/bpe.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

namespace tokenscope::tokenize {

namespace {

// Pieces up to this many bytes are merged by scanning (BytePairEncodeByScan).
constexpr size_t kScanMaxBytes = 128;

// The token blob is indexed with 24-bit offsets (the length takes the low 8 bits).
constexpr size_t kMaxBlobBytes = size_t{1} << 24;

// Folded 64x64->128-bit multiply: one multiplication that mixes every input bit into every
// output bit well enough for hashing.
uint64_t FoldedMultiply(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// A fast hash for short byte strings (tokens are at most a few dozen bytes; most lookups are
// of 2 to 8 bytes and cost one multiplication).
uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ bytes.size();
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n > 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = FoldedMultiply(h ^ word, 0xA0761D6478BD642FULL);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);
  return FoldedMultiply(h ^ tail, 0xE7037ED1A0B428DBULL);
}

size_t SlotCountFor(size_t tokens) {
  size_t slots = 16;
  while (slots < tokens * 2) slots *= 2;  // load factor at most 1/2 for short probe chains
  return slots;
}

// tiktoken's merge, literally: parts[i] is (start of part i, rank of part i merged with part
// i+1); each step merges the lowest-ranked pair (leftmost on ties) and rescans. O(n^2) in the
// worst case, but the fastest for the short pieces that make up nearly all text.
template <typename Sink>
void MergeByScan(std::string_view piece, const RankTable& ranks, Sink&& sink) {
  struct Part {
    uint32_t start;
    uint32_t rank;
  };
  std::array<Part, kScanMaxBytes + 1> small;
  std::vector<Part> large;
  Part* parts = small.data();
  if (piece.size() + 1 > small.size()) {
    large.resize(piece.size() + 1);
    parts = large.data();
  }

  size_t count = 0;
  for (size_t i = 0; i + 1 < piece.size(); ++i) {
    parts[count++] = Part{static_cast<uint32_t>(i), ranks.Find(piece.substr(i, 2))};
  }
  parts[count++] = Part{static_cast<uint32_t>(piece.size() - 1), kNoRank};
  parts[count++] = Part{static_cast<uint32_t>(piece.size()), kNoRank};

  // The rank of part i merged with part i+1, while part i+1 has not been removed yet.
  auto rank_after_merge = [&](size_t i) {
    if (i + 3 >= count) return kNoRank;
    return ranks.Find(piece.substr(parts[i].start, parts[i + 3].start - parts[i].start));
  };
  auto lowest_pair = [&] {
    std::pair<uint32_t, size_t> best{kNoRank, 0};
    for (size_t i = 0; i + 1 < count; ++i) {
      if (parts[i].rank < best.first) best = {parts[i].rank, i};
    }
    return best;
  };

  while (true) {
    const auto [rank, i] = lowest_pair();
    if (rank == kNoRank) break;
    if (i > 0) parts[i - 1].rank = rank_after_merge(i - 1);
    parts[i].rank = rank_after_merge(i);
    std::memmove(&parts[i + 1], &parts[i + 2], (count - i - 2) * sizeof(Part));
    --count;
  }

  for (size_t i = 0; i + 1 < count; ++i) {
    sink(ranks.Find(piece.substr(parts[i].start, parts[i + 1].start - parts[i].start)));
  }
}

// A binary min-heap of (rank << 32 | start) keys: ordered by rank, then by start.
class PairHeap {
 public:
  explicit PairHeap(std::vector<uint64_t> keys) : keys_(std::move(keys)) {
    for (size_t i = keys_.size() / 2; i-- > 0;) SiftDown(i);
  }
  bool empty() const { return keys_.empty(); }
  void Push(uint64_t key) {
    keys_.push_back(key);
    SiftUp(keys_.size() - 1);
  }
  uint64_t Pop() {
    const uint64_t top = keys_.front();
    keys_.front() = keys_.back();
    keys_.pop_back();
    if (!keys_.empty()) SiftDown(0);
    return top;
  }

 private:
  void SiftUp(size_t i) {
    const uint64_t key = keys_[i];
    while (i > 0 && key < keys_[(i - 1) / 2]) {
      keys_[i] = keys_[(i - 1) / 2];
      i = (i - 1) / 2;
    }
    keys_[i] = key;
  }
  void SiftDown(size_t i) {
    const uint64_t key = keys_[i];
    const size_t n = keys_.size();
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys_[child + 1] < keys_[child]) ++child;
      if (keys_[child] >= key) break;
      keys_[i] = keys_[child];
      i = child;
    }
    keys_[i] = key;
  }

  std::vector<uint64_t> keys_;
};

uint64_t HeapKey(uint32_t rank, uint32_t start) {
  return uint64_t{rank} << 32 | start;
}

// The same merges in the same order, with a min-heap of (rank, start) pairs and a linked list
// of parts: O(n log n). Heap entries go stale when a neighbour merges; an entry is current
// when its part is alive and still has that pair rank (a part's pair only ever grows, and
// different byte strings have different ranks, so a stale entry can never look current).
// Ties on rank pop the smallest start first: the leftmost pair, as in the scan.
template <typename Sink>
void MergeByHeap(std::string_view piece, const RankTable& ranks, Sink&& sink) {
  constexpr uint32_t kDead = kNoRank - 1;  // pair_rank of a part merged into its left neighbour
  const uint32_t n = static_cast<uint32_t>(piece.size());
  // Parts are named by their start byte; next[k] == n for the last part.
  std::vector<uint32_t> next(n), prev(n), pair_rank(n, kNoRank);
  for (uint32_t k = 0; k < n; ++k) {
    next[k] = k + 1;
    prev[k] = k == 0 ? 0 : k - 1;
  }
  const size_t max_token = ranks.max_token_length();
  auto compute_pair_rank = [&](uint32_t k) {
    const uint32_t right = next[k];
    if (right >= n) return kNoRank;
    const uint32_t end = next[right];
    if (end - k > max_token) return kNoRank;
    return ranks.Find(piece.substr(k, end - k));
  };

  std::vector<uint64_t> initial;
  initial.reserve(n);
  for (uint32_t k = 0; k + 1 < n; ++k) {
    pair_rank[k] = compute_pair_rank(k);
    if (pair_rank[k] != kNoRank) initial.push_back(HeapKey(pair_rank[k], k));
  }
  PairHeap heap(std::move(initial));
  auto refresh = [&](uint32_t k) {
    pair_rank[k] = compute_pair_rank(k);
    if (pair_rank[k] != kNoRank) heap.Push(HeapKey(pair_rank[k], k));
  };

  while (!heap.empty()) {
    const uint64_t key = heap.Pop();
    const uint32_t rank = static_cast<uint32_t>(key >> 32);
    const uint32_t k = static_cast<uint32_t>(key);
    if (pair_rank[k] != rank) continue;  // stale, or the part is dead
    const uint32_t right = next[k];
    pair_rank[right] = kDead;
    next[k] = next[right];
    if (next[k] < n) prev[next[k]] = k;
    refresh(k);
    if (k > 0) refresh(prev[k]);
  }

  for (uint32_t k = 0; k < n; k = next[k]) sink(ranks.Find(piece.substr(k, next[k] - k)));
}

// Pieces longer than this (only absurd inputs have them) are merged in chunks of this size,
// which keeps the heap's 32-bit offsets valid; the result is exact but at chunk edges.
constexpr size_t kMaxMergeBytes = size_t{1} << 30;

template <typename Sink>
void Merge(std::string_view piece, const RankTable& ranks, Sink&& sink) {
  if (piece.size() > kMaxMergeBytes) {
    for (size_t pos = 0; pos < piece.size(); pos += kMaxMergeBytes) {
      Merge(piece.substr(pos, kMaxMergeBytes), ranks, sink);
    }
  } else if (piece.size() == 1) {
    sink(ranks.Find(piece));
  } else if (piece.size() <= kScanMaxBytes) {
    MergeByScan(piece, ranks, sink);
  } else {
    MergeByHeap(piece, ranks, sink);
  }
}

}  // namespace

StatusOr<RankTable> RankTable::Build(const internal::RankData& data) {
  if (data.tokens.size() >= kMaxBlobBytes) return Internal("tokenizer rank data too large");
  RankTable table;
  table.blob_ = data.tokens;
  table.token_offsets_.reserve(data.rank_count);
  size_t pos = 0;
  for (uint32_t rank = 0; rank < data.rank_count; ++rank) {
    if (pos >= data.tokens.size()) return Internal("tokenizer rank data truncated");
    const size_t length = static_cast<unsigned char>(data.tokens[pos]);
    ++pos;
    if (pos + length > data.tokens.size()) return Internal("tokenizer rank data truncated");
    table.token_offsets_.push_back(static_cast<uint32_t>(pos << 8 | length));
    table.max_token_length_ = std::max(table.max_token_length_, length);
    pos += length;
  }
  if (pos != data.tokens.size()) return Internal("tokenizer rank data has trailing bytes");

  table.slots_.resize(SlotCountFor(data.rank_count));
  table.slot_mask_ = table.slots_.size() - 1;
  for (uint32_t rank = 0; rank < data.rank_count; ++rank) {
    const std::string_view bytes = table.TokenBytes(rank);
    if (bytes.empty()) continue;
    if (table.Find(bytes) != kNoRank) {
      return Internal("tokenizer rank data has a duplicate token at rank " + std::to_string(rank));
    }
    const uint64_t hash = HashBytes(bytes);
    size_t i = hash & table.slot_mask_;
    while (table.slots_[i].rank_plus_one != 0) i = (i + 1) & table.slot_mask_;
    table.slots_[i] = Slot{rank + 1, static_cast<uint32_t>(hash >> 32), table.token_offsets_[rank]};
  }
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    if (table.Find(std::string_view(&c, 1)) == kNoRank) {
      return Internal("tokenizer rank data lacks the token for byte " + std::to_string(byte));
    }
  }
  return table;
}

uint32_t RankTable::Find(std::string_view bytes) const {
  if (bytes.empty() || bytes.size() > max_token_length_) return kNoRank;
  const uint64_t hash = HashBytes(bytes);
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & slot_mask_;; i = (i + 1) & slot_mask_) {
    const Slot& slot = slots_[i];
    if (slot.rank_plus_one == 0) return kNoRank;
    if (slot.hash_tag == tag && (slot.packed_bytes & 0xFF) == bytes.size() &&
        std::memcmp(blob_.data() + (slot.packed_bytes >> 8), bytes.data(), bytes.size()) == 0) {
      return slot.rank_plus_one - 1;
    }
  }
}

std::string_view RankTable::TokenBytes(uint32_t rank) const {
  if (rank >= token_offsets_.size()) return {};
  const uint32_t packed = token_offsets_[rank];
  return blob_.substr(packed >> 8, packed & 0xFF);
}

void BytePairEncode(std::string_view piece, const RankTable& ranks, std::vector<uint32_t>* out) {
  Merge(piece, ranks, [out](uint32_t rank) { out->push_back(rank); });
}

size_t BytePairCount(std::string_view piece, const RankTable& ranks) {
  size_t count = 0;
  Merge(piece, ranks, [&count](uint32_t) { ++count; });
  return count;
}

namespace internal {

void BytePairEncodeByScan(std::string_view piece, const RankTable& ranks,
                          std::vector<uint32_t>* out) {
  if (piece.empty()) return;
  MergeByScan(piece, ranks, [out](uint32_t rank) { out->push_back(rank); });
}

void BytePairEncodeByHeap(std::string_view piece, const RankTable& ranks,
                          std::vector<uint32_t>* out) {
  if (piece.empty()) return;
  MergeByHeap(piece, ranks, [out](uint32_t rank) { out->push_back(rank); });
}

}  // namespace internal
}  // namespace tokenscope::tokenize
