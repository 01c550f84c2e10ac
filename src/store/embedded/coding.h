// Byte-level encoding helpers for the embedded store's keys and records: big-endian fixed
// integers (which sort like the numbers they hold) and LEB128 varints (compact lengths and
// counters). Stateless inline functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tokenscope::store::embedded {

inline void PutFixed64BigEndian(uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, sizeof(buf));
}

// Reads 8 big-endian bytes from the front of `in` and advances it. False if too short.
inline bool GetFixed64BigEndian(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  *v = r;
  in->remove_prefix(8);
  return true;
}

inline void PutVarint64(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint from the front of `in` and advances it. False if truncated or overlong.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    const uint8_t b = static_cast<uint8_t>((*in)[i]);
    r |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *v = r;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

// A varint length followed by the bytes: prefix-free, so two different strings never
// encode to one being a prefix of the other.
inline void PutLengthPrefixed(std::string_view s, std::string* out) {
  PutVarint64(s.size(), out);
  out->append(s);
}

inline bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t n = 0;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace tokenscope::store::embedded
