// Protobuf wire format primitives for the OTLP codec: a bounds-checked reader over a byte
// view (varints, fixed32/64, length-delimited fields, skipping unknown fields) and append-only
// writers into a std::string.
//
// The reader never reads outside the view it was given; every failure leaves a WireError
// describing what went wrong, and the caller adds the field path. Views returned by the
// reader point into the original bytes (no copies). Plain values, not synchronized; each
// decoding call uses its own readers.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tokenscope::otlp::wire {

static_assert(std::endian::native == std::endian::little,
              "the fixed32/fixed64 fast paths assume a little-endian host");

enum class WireType : uint8_t {
  kVarint = 0,
  kI64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kI32 = 5,
};

// Longest legal varint: ten bytes carry 64 bits.
inline constexpr int kMaxVarintBytes = 10;

enum class WireError : uint8_t {
  kNone,
  kTruncatedVarint,
  kVarintTooLong,
  kTruncatedFixed64,
  kTruncatedFixed32,
  kLengthPastEnd,
  kFieldNumberZero,
  kTagTooLarge,
  kGroupsUnsupported,
  kInvalidWireType,
};

// A short, stable description such as "truncated varint", for error messages.
inline std::string_view WireErrorText(WireError error) {
  switch (error) {
    case WireError::kNone:
      return "no error";
    case WireError::kTruncatedVarint:
      return "truncated varint";
    case WireError::kVarintTooLong:
      return "varint longer than 10 bytes";
    case WireError::kTruncatedFixed64:
      return "truncated fixed64";
    case WireError::kTruncatedFixed32:
      return "truncated fixed32";
    case WireError::kLengthPastEnd:
      return "length past the end of the message";
    case WireError::kFieldNumberZero:
      return "field number 0";
    case WireError::kTagTooLarge:
      return "field key wider than 32 bits";
    case WireError::kGroupsUnsupported:
      return "groups (wire types 3 and 4) are not supported";
    case WireError::kInvalidWireType:
      return "invalid wire type";
  }
  return "malformed";
}

// Reads protobuf fields from a byte view, front to back.
class Reader {
 public:
  explicit Reader(std::string_view bytes)
      : pos_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(pos_ + bytes.size()) {}

  bool done() const { return pos_ == end_; }
  WireError error() const { return error_; }

  // Reads a field key. Field number 0, keys wider than 32 bits and wire types 6 and 7 are
  // malformed; groups (3, 4) are rejected here too, since OTLP never uses them.
  bool ReadTag(uint32_t* field_number, WireType* wire_type) {
    uint64_t key;
    if (!ReadVarint(&key)) return false;
    if (key > UINT32_MAX) return Fail(WireError::kTagTooLarge);
    uint32_t wire = static_cast<uint32_t>(key & 7);
    *field_number = static_cast<uint32_t>(key >> 3);
    if (*field_number == 0) return Fail(WireError::kFieldNumberZero);
    if (wire == 3 || wire == 4) return Fail(WireError::kGroupsUnsupported);
    if (wire > 5) return Fail(WireError::kInvalidWireType);
    *wire_type = static_cast<WireType>(wire);
    return true;
  }

  bool ReadVarint(uint64_t* value) {
    if (pos_ < end_ && *pos_ < 0x80) {  // one-byte varints dominate: tags, small counts
      *value = *pos_++;
      return true;
    }
    return ReadVarintSlow(value);
  }

  bool ReadFixed64(uint64_t* value) {
    if (end_ - pos_ < 8) return Fail(WireError::kTruncatedFixed64);
    std::memcpy(value, pos_, 8);
    pos_ += 8;
    return true;
  }

  bool ReadFixed32(uint32_t* value) {
    if (end_ - pos_ < 4) return Fail(WireError::kTruncatedFixed32);
    std::memcpy(value, pos_, 4);
    pos_ += 4;
    return true;
  }

  // A length-delimited payload (string, bytes, embedded message) as a view into the input.
  bool ReadLengthDelimited(std::string_view* payload) {
    uint64_t length;
    if (!ReadVarint(&length)) return false;
    if (length > static_cast<uint64_t>(end_ - pos_)) return Fail(WireError::kLengthPastEnd);
    *payload = std::string_view(reinterpret_cast<const char*>(pos_), length);
    pos_ += length;
    return true;
  }

  // Skips the value of a field whose key has just been read.
  bool SkipValue(WireType wire_type) {
    uint64_t ignored64;
    uint32_t ignored32;
    std::string_view ignored_view;
    switch (wire_type) {
      case WireType::kVarint:
        return ReadVarint(&ignored64);
      case WireType::kI64:
        return ReadFixed64(&ignored64);
      case WireType::kLen:
        return ReadLengthDelimited(&ignored_view);
      case WireType::kI32:
        return ReadFixed32(&ignored32);
      case WireType::kStartGroup:
      case WireType::kEndGroup:
        return Fail(WireError::kGroupsUnsupported);
    }
    return Fail(WireError::kInvalidWireType);
  }

 private:
  bool Fail(WireError error) {
    error_ = error;
    return false;
  }

  bool ReadVarintSlow(uint64_t* value) {
    uint64_t result = 0;
    for (int i = 0; i < kMaxVarintBytes; ++i) {
      if (pos_ == end_) return Fail(WireError::kTruncatedVarint);
      uint8_t byte = *pos_++;
      // Bits past the 64th (in the tenth byte) are dropped, as protobuf parsers do.
      result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
      if (byte < 0x80) {
        *value = result;
        return true;
      }
    }
    return Fail(WireError::kVarintTooLong);
  }

  const uint8_t* pos_;
  const uint8_t* end_;
  WireError error_ = WireError::kNone;
};

// ---- Writers: append to `out`. ----

inline void PutVarint(uint64_t value, std::string* out) {
  char buf[kMaxVarintBytes];
  int n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  out->append(buf, n);
}

inline void PutTag(uint32_t field_number, WireType wire_type, std::string* out) {
  PutVarint((static_cast<uint64_t>(field_number) << 3) | static_cast<uint32_t>(wire_type), out);
}

inline void PutFixed64(uint64_t value, std::string* out) {
  char buf[8];
  std::memcpy(buf, &value, 8);
  out->append(buf, 8);
}

inline void PutFixed32(uint32_t value, std::string* out) {
  char buf[4];
  std::memcpy(buf, &value, 4);
  out->append(buf, 4);
}

inline void PutLengthDelimited(uint32_t field_number, std::string_view payload, std::string* out) {
  PutTag(field_number, WireType::kLen, out);
  PutVarint(payload.size(), out);
  out->append(payload);
}

// Embedded messages are written in place: the key and a one-byte length placeholder go out
// first, the body is appended, and EndMessage patches the length, widening it when the body
// turned out to be 128 bytes or longer. That keeps encoding one pass with canonical
// (shortest) length prefixes; the widening moves the body, which costs far less than
// computing every nested size up front.
struct MessageMark {
  size_t key_start;
  size_t body_start;
};

inline MessageMark BeginMessage(uint32_t field_number, std::string* out) {
  MessageMark mark;
  mark.key_start = out->size();
  PutTag(field_number, WireType::kLen, out);
  out->push_back(0);
  mark.body_start = out->size();
  return mark;
}

// Finishes a message. With `omit_if_empty`, an empty body is removed together with its key,
// as proto3 leaves unset message fields out.
inline void EndMessage(const MessageMark& mark, bool omit_if_empty, std::string* out) {
  size_t length = out->size() - mark.body_start;
  if (length == 0 && omit_if_empty) {
    out->resize(mark.key_start);
    return;
  }
  if (length < 0x80) {
    (*out)[mark.body_start - 1] = static_cast<char>(length);
    return;
  }
  char prefix[kMaxVarintBytes];
  int n = 0;
  while (length >= 0x80) {
    prefix[n++] = static_cast<char>((length & 0x7F) | 0x80);
    length >>= 7;
  }
  prefix[n++] = static_cast<char>(length);
  out->replace(mark.body_start - 1, 1, prefix, n);
}

// Canonical proto3 writes leave default values out; these write a field only when it is set.
inline void PutStringIfSet(uint32_t field, std::string_view value, std::string* out) {
  if (!value.empty()) PutLengthDelimited(field, value, out);
}

inline void PutVarintIfSet(uint32_t field, uint64_t value, std::string* out) {
  if (value == 0) return;
  PutTag(field, WireType::kVarint, out);
  PutVarint(value, out);
}

inline void PutFixed64IfSet(uint32_t field, uint64_t value, std::string* out) {
  if (value == 0) return;
  PutTag(field, WireType::kI64, out);
  PutFixed64(value, out);
}

inline void PutFixed32IfSet(uint32_t field, uint32_t value, std::string* out) {
  if (value == 0) return;
  PutTag(field, WireType::kI32, out);
  PutFixed32(value, out);
}

}  // namespace tokenscope::otlp::wire
