// Byte-level helpers for the rollup encodings (sketches, cells, keys): LEB128 varints,
// zigzag for signed values, fixed 64-bit little-endian doubles and length-prefixed strings.
// A Reader consumes a view and remembers the first failure, so decoders read a whole record
// and check once. Stateless inline functions and a value type; not thread-shared.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tokenscope::rollup::wire {

inline void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutSignedVarint(int64_t v, std::string* out) {
  PutVarint(ZigZag(v), out);
}

inline void PutDouble(double d, std::string* out) {
  uint64_t bits = std::bit_cast<uint64_t>(d);
  for (int i = 0; i < 8; ++i) {
    out->push_back(static_cast<char>(bits & 0xff));
    bits >>= 8;
  }
}

inline void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

// Reads from the front of a view. After the first failed read every later read fails too,
// and ok() turns false; the values read after a failure are zero/empty.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool empty() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

  uint8_t Byte() {
    if (!ok_ || in_.empty()) return Fail<uint8_t>();
    const uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }

  // Rejects truncated varints, ones longer than ten bytes and non-minimal encodings (a
  // trailing zero byte), so each value has exactly one encoding.
  uint64_t Varint() {
    if (!ok_) return 0;
    uint64_t r = 0;
    for (size_t i = 0; i < in_.size() && i < 10; ++i) {
      const uint8_t b = static_cast<uint8_t>(in_[i]);
      if (i == 9 && b > 1) break;  // more than 64 bits
      r |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) break;  // non-minimal
        in_.remove_prefix(i + 1);
        return r;
      }
    }
    return Fail<uint64_t>();
  }

  int64_t SignedVarint() { return UnZigZag(Varint()); }

  double Double() {
    if (!ok_ || in_.size() < 8) return Fail<double>();
    uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return std::bit_cast<double>(bits);
  }

  std::string_view String() {
    const uint64_t n = Varint();
    if (!ok_ || n > in_.size()) return Fail<std::string_view>();
    std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    return T{};
  }

  std::string_view in_;
  bool ok_ = true;
};

}  // namespace tokenscope::rollup::wire
