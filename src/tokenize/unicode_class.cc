#include "tokenize/unicode_class.h"

#include <algorithm>
#include <array>

namespace tokenscope::tokenize {

namespace {

CharClass SearchRuns(char32_t code_point) {
  const internal::ClassRun* begin = internal::kClassRuns;
  const internal::ClassRun* end = begin + internal::kClassRunCount;
  // The last run whose first code point is <= code_point.
  const internal::ClassRun* after =
      std::upper_bound(begin, end, code_point,
                       [](char32_t cp, const internal::ClassRun& run) { return cp < run.first; });
  return after == begin ? CharClass::kOther : (after - 1)->char_class;
}

// Almost all text is in the Basic Multilingual Plane: a direct table for it (64 KiB, built on
// first use) keeps the per-character cost of the pre-tokenizer at one load.
using BmpTable = std::array<CharClass, 0x10000>;

const BmpTable& Bmp() {
  static const BmpTable* const table = [] {
    auto* t = new BmpTable;
    for (char32_t cp = 0; cp < 0x10000; ++cp) (*t)[cp] = SearchRuns(cp);
    return t;
  }();
  return *table;
}

bool IsContinuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// The accepted range of the second byte of a multi-byte sequence, by its lead byte (the
// Unicode Standard, table 3-7), which rules out overlong forms, surrogates and code points
// above U+10FFFF.
bool SecondByteAllowed(unsigned char lead, unsigned char second) {
  switch (lead) {
    case 0xE0:
      return second >= 0xA0 && second <= 0xBF;
    case 0xED:
      return second >= 0x80 && second <= 0x9F;
    case 0xF0:
      return second >= 0x90 && second <= 0xBF;
    case 0xF4:
      return second >= 0x80 && second <= 0x8F;
    default:
      return IsContinuation(second);
  }
}

// The length of a well-formed sequence with this lead byte, or 0 for a byte that cannot start
// one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

CharClass ClassOf(char32_t code_point) {
  if (code_point < 0x10000) return Bmp()[code_point];
  if (code_point > 0x10FFFF) return CharClass::kOther;
  return SearchRuns(code_point);
}

Utf8Unit DecodeUtf8(const unsigned char* data, size_t size) {
  const unsigned char lead = data[0];
  if (lead < 0x80) return Utf8Unit{lead, 1, ClassOf(lead)};

  const Utf8Unit invalid{kInvalidCodePoint, 1, CharClass::kOther};
  const size_t length = SequenceLength(lead);
  if (length == 0 || size < length || !SecondByteAllowed(lead, data[1])) return invalid;
  char32_t cp = lead & (0x7F >> length);
  cp = (cp << 6) | (data[1] & 0x3F);
  for (size_t i = 2; i < length; ++i) {
    if (!IsContinuation(data[i])) return invalid;
    cp = (cp << 6) | (data[i] & 0x3F);
  }
  return Utf8Unit{cp, static_cast<uint8_t>(length), ClassOf(cp)};
}

}  // namespace tokenscope::tokenize
