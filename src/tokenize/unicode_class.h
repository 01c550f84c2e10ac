// The Unicode character classes that the tiktoken split patterns distinguish, and a UTF-8
// decoder that never fails. Used by the pre-tokenizer (pretokenizer.h).
//
// The class table (unicode_class_table.cc) is generated from the Unicode character database
// by data/gen_unicode_table.mjs and committed. Everything here is stateless or immutable after
// its first use; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tokenscope::tokenize {

// One class per code point; the split patterns only need these distinctions.
enum class CharClass : uint8_t {
  kOther = 0,    // punctuation, symbols, controls, unassigned, invalid UTF-8 bytes
  kSpace,        // Unicode White_Space (what \s means in tiktoken's regex engine)
  kUpper,        // Lu, Lt
  kLower,        // Ll
  kLetterOther,  // Lm, Lo (counted both as upper and as lower case by o200k_base)
  kMark,         // Mn, Mc, Me
  kNumber,       // Nd, Nl, No
};

CharClass ClassOf(char32_t code_point);

inline bool IsLetter(CharClass c) {
  return c == CharClass::kUpper || c == CharClass::kLower || c == CharClass::kLetterOther;
}

// One decoded unit of text: a code point, or a single byte that is not part of a well-formed
// UTF-8 sequence (overlong forms, surrogates, values above U+10FFFF, stray continuation
// bytes, truncated sequences). Such a byte decodes as its own unit of class kOther, so
// malformed text is still split deterministically and every byte stays covered.
struct Utf8Unit {
  char32_t code_point = 0;  // for an invalid byte: 0xFFFFFFFF
  uint8_t length = 1;       // bytes consumed, 1 to 4
  CharClass char_class = CharClass::kOther;
};

inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the unit that starts at data[0]; `size` must be at least 1.
Utf8Unit DecodeUtf8(const unsigned char* data, size_t size);

namespace internal {

struct ClassRun {
  char32_t first;  // the run lasts until the next run's first code point
  CharClass char_class;
};
extern const ClassRun kClassRuns[];
extern const size_t kClassRunCount;

}  // namespace internal
}  // namespace tokenscope::tokenize
