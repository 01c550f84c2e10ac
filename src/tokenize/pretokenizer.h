// The pre-tokenizer: splits text into the pieces that byte-pair merging then encodes on their
// own, exactly as tiktoken's split regular expressions do for cl100k_base and o200k_base.
//
// Those patterns need lookahead and Unicode classes, which RE2 cannot express, so each one is
// hand-written here as a small matcher over UTF-8 code points that reproduces the regex
// engine's leftmost-first, greedy-with-backtracking semantics alternative by alternative (the
// patterns are spelled out in pretokenizer.cc). Unicode classes come from unicode_class.h.
//
// Invalid UTF-8 never fails: each byte that is not part of a well-formed sequence is a
// character of its own of class "other" (like punctuation), so it is grouped with neighbouring
// punctuation, and the pieces always cover the input exactly, byte for byte.
//
// A PreTokenizer is a cursor over a caller-owned string_view, which must outlive it. Not
// thread-safe (it is a cheap per-call object); the patterns are immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenize/unicode_class.h"

namespace tokenscope::tokenize {

enum class SplitPattern : uint8_t {
  kCl100k,  // cl100k_base (GPT-4, GPT-3.5, text-embedding-3)
  kO200k,   // o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series)
};

class PreTokenizer {
 public:
  PreTokenizer(std::string_view text, SplitPattern pattern) : text_(text), pattern_(pattern) {}

  // Sets *piece to the next piece and returns true, or returns false at the end of the text.
  // Pieces are never empty and follow each other without gaps.
  bool Next(std::string_view* piece);

 private:
  // The unit (code point or invalid byte) that starts at byte offset `pos` < size().
  Utf8Unit At(size_t pos) const {
    return DecodeUtf8(reinterpret_cast<const unsigned char*>(text_.data()) + pos,
                      text_.size() - pos);
  }
  size_t size() const { return text_.size(); }

  // Each returns the end of the piece that starts at `pos`, or 0 when the alternative does not
  // match there (a match is never empty, so 0 cannot be a real end).
  size_t MatchCl100k(size_t pos) const;
  size_t MatchO200k(size_t pos) const;
  size_t MatchO200kLowerWord(size_t pos, const Utf8Unit& first) const;
  size_t MatchO200kUpperWord(size_t pos, const Utf8Unit& first) const;
  size_t MatchContraction(size_t pos) const;
  size_t MatchNumber(size_t pos) const;
  size_t MatchSymbols(size_t pos, bool slash_trails) const;
  size_t MatchWhitespace(size_t pos) const;

  // The end of the run of units from `pos` for which pred(unit) holds.
  template <typename Pred>
  size_t RunEnd(size_t pos, Pred pred) const {
    while (pos < size()) {
      const Utf8Unit unit = At(pos);
      if (!pred(unit)) break;
      pos += unit.length;
    }
    return pos;
  }

  std::string_view text_;
  SplitPattern pattern_;
  size_t pos_ = 0;
};

}  // namespace tokenscope::tokenize
