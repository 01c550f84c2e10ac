// Byte-pair merging: the rank table of an encoding and the merge that turns one pre-tokenized
// piece into token ids, as tiktoken does it (tiktoken's src/lib.rs, byte_pair_merge): start
// from single bytes and repeatedly merge the adjacent pair whose concatenation has the lowest
// rank, the leftmost one on ties, until no adjacent pair is a token.
//
// RankTable owns an open-addressing hash index over token bytes that live in the constant rank
// data compiled into the binary (rank_data.h); it is immutable after Build() and its const
// methods are safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenize/rank_data.h"

namespace tokenscope::tokenize {

inline constexpr uint32_t kNoRank = 0xFFFFFFFF;

class RankTable {
 public:
  // Indexes the ordinary tokens of `data`. Fails with Internal if the data is malformed (a
  // token running past the end, a duplicate token, or a missing single-byte token, without
  // which byte-level BPE could not encode every input).
  static StatusOr<RankTable> Build(const internal::RankData& data);

  // The rank of the token with exactly these bytes, or kNoRank.
  uint32_t Find(std::string_view bytes) const;

  // The bytes of the token with this rank; empty for a rank without a token.
  std::string_view TokenBytes(uint32_t rank) const;

  uint32_t rank_count() const { return static_cast<uint32_t>(token_offsets_.size()); }

  // The length of the longest token, in bytes: no longer byte string has a rank.
  size_t max_token_length() const { return max_token_length_; }

 private:
  RankTable() = default;

  struct Slot {
    uint32_t rank_plus_one = 0;  // 0: empty
    uint32_t hash_tag = 0;       // high bits of the hash, to skip most byte comparisons
    uint32_t packed_bytes = 0;   // token_offsets_[rank], here to save a cache miss per hit
  };

  std::string_view blob_;
  // Per rank: (offset of the token bytes in blob_) << 8 | length.
  std::vector<uint32_t> token_offsets_;
  std::vector<Slot> slots_;
  size_t slot_mask_ = 0;
  size_t max_token_length_ = 0;
};

// Appends the ranks of the tokens of one piece to *out. The piece must not be empty.
void BytePairEncode(std::string_view piece, const RankTable& ranks, std::vector<uint32_t>* out);

// The number of tokens BytePairEncode would append.
size_t BytePairCount(std::string_view piece, const RankTable& ranks);

namespace internal {

// The two merge implementations behind BytePairEncode, which picks the first for short pieces
// (where scanning a small array beats any heap) and the second for long ones (so a
// megabyte-long piece, say a base64 blob, costs O(n log n) instead of O(n^2)). They produce
// identical results; exposed so that tests and the fuzzer can check that.
void BytePairEncodeByScan(std::string_view piece, const RankTable& ranks,
                          std::vector<uint32_t>* out);
void BytePairEncodeByHeap(std::string_view piece, const RankTable& ranks,
                          std::vector<uint32_t>* out);

}  // namespace internal
}  // namespace tokenscope::tokenize
