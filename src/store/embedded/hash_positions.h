// HashPositions: numbers the distinct content hashes (of resources or scopes) met while
// assembling a batch from stored records, in order of first use, so each distinct record is
// read and decoded once and records refer to it by position. Plain data; not synchronized.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tokenscope::store::embedded {

class HashPositions {
 public:
  // The position of `hash`, giving it the next one when first seen.
  uint32_t PositionOf(uint64_t hash) {
    auto [it, inserted] = positions_.emplace(hash, static_cast<uint32_t>(hashes_.size()));
    if (inserted) hashes_.push_back(hash);
    return it->second;
  }
  // The distinct hashes, in position order.
  const std::vector<uint64_t>& hashes() const { return hashes_; }

 private:
  std::unordered_map<uint64_t, uint32_t> positions_;
  std::vector<uint64_t> hashes_;
};

}  // namespace tokenscope::store::embedded
