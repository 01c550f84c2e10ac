// Arena: a bump allocator for bytes whose lifetime is that of a batch.
//
// Decoded spans hold std::string_view fields; those views point either into the request
// buffer the batch owns (zero-copy protobuf decoding) or into an Arena (JSON strings after
// unescaping, hex-decoded ids, base64-decoded bytes). Not thread-safe: one owner at a time.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace tokenscope {

class Arena {
 public:
  explicit Arena(size_t block_size = 32 * 1024) : block_size_(block_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  // Returns `n` writable bytes that live as long as the arena.
  char* Allocate(size_t n) {
    if (n > block_size_ / 4) return AllocateDedicated(n);  // big values get their own block
    if (n > remaining_) {
      blocks_.push_back(std::make_unique<char[]>(block_size_));
      bytes_allocated_ += block_size_;
      cursor_ = blocks_.back().get();
      remaining_ = block_size_;
    }
    char* out = cursor_;
    cursor_ += n;
    remaining_ -= n;
    return out;
  }

  // Copies `s` into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  size_t bytes_allocated() const { return bytes_allocated_; }

 private:
  char* AllocateDedicated(size_t n) {
    blocks_.push_back(std::make_unique<char[]>(n));
    bytes_allocated_ += n;
    return blocks_.back().get();
  }

  size_t block_size_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t bytes_allocated_ = 0;
};

}  // namespace tokenscope
