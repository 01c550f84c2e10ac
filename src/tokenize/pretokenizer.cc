#include "tokenize/pretokenizer.h"

namespace tokenscope::tokenize {

// The split patterns of tiktoken (tiktoken_ext/openai_public.py), implemented below one
// alternative at a time, in order; the first alternative that matches at a position wins.
//
// cl100k_base:
//   (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3}
//   | ' '?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//
// o200k_base:
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
//       (?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   | [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
//       (?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   | \p{N}{1,3} | ' '?[^\s\p{L}\p{N}]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
//
// Every code point starts at least one alternative (it is a letter, a number, whitespace or
// none of these), so the pieces cover the text without gaps.

namespace {

bool IsNewline(const Utf8Unit& u) {
  return u.code_point == '\r' || u.code_point == '\n';
}
bool IsSpace(const Utf8Unit& u) {
  return u.char_class == CharClass::kSpace;
}
bool IsLetterUnit(const Utf8Unit& u) {
  return IsLetter(u.char_class);
}
bool IsNumber(const Utf8Unit& u) {
  return u.char_class == CharClass::kNumber;
}

// [^\r\n\p{L}\p{N}]: the optional character before a word. Note that it includes whitespace
// other than CR and LF, and combining marks.
bool IsWordPrefix(const Utf8Unit& u) {
  return !IsNewline(u) && !IsLetterUnit(u) && !IsNumber(u);
}

// [^\s\p{L}\p{N}]: punctuation, symbols, marks, controls and invalid bytes.
bool IsSymbol(const Utf8Unit& u) {
  return u.char_class == CharClass::kOther || u.char_class == CharClass::kMark;
}

// o200k_base's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}].
bool IsUpperish(const Utf8Unit& u) {
  return u.char_class == CharClass::kUpper || u.char_class == CharClass::kLetterOther ||
         u.char_class == CharClass::kMark;
}

// o200k_base's [\p{Ll}\p{Lm}\p{Lo}\p{M}].
bool IsLowerish(const Utf8Unit& u) {
  return u.char_class == CharClass::kLower || u.char_class == CharClass::kLetterOther ||
         u.char_class == CharClass::kMark;
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool PreTokenizer::Next(std::string_view* piece) {
  if (pos_ >= size()) return false;
  size_t end = pattern_ == SplitPattern::kCl100k ? MatchCl100k(pos_) : MatchO200k(pos_);
  // Unreachable (every unit starts some alternative), but progress must never depend on it.
  if (end <= pos_) end = pos_ + At(pos_).length;
  *piece = text_.substr(pos_, end - pos_);
  pos_ = end;
  return true;
}

size_t PreTokenizer::MatchCl100k(size_t pos) const {
  if (const size_t end = MatchContraction(pos)) return end;
  // [^\r\n\p{L}\p{N}]?\p{L}+ : the optional prefix can never be a letter, so when it does not
  // lead to a letter the alternative can only match without it, from a letter.
  const Utf8Unit first = At(pos);
  if (IsWordPrefix(first)) {
    const size_t next = pos + first.length;
    if (next < size() && IsLetterUnit(At(next))) return RunEnd(next, IsLetterUnit);
  } else if (IsLetterUnit(first)) {
    return RunEnd(pos, IsLetterUnit);
  }
  if (IsNumber(first)) return MatchNumber(pos);
  if (const size_t end = MatchSymbols(pos, /*slash_trails=*/false)) return end;
  return MatchWhitespace(pos);
}

size_t PreTokenizer::MatchO200k(size_t pos) const {
  const Utf8Unit first = At(pos);
  if (const size_t end = MatchO200kLowerWord(pos, first)) return end;
  if (const size_t end = MatchO200kUpperWord(pos, first)) return end;
  if (IsNumber(first)) return MatchNumber(pos);
  if (const size_t end = MatchSymbols(pos, /*slash_trails=*/true)) return end;
  return MatchWhitespace(pos);
}

// [^\r\n\p{L}\p{N}]?[Upperish]*[Lowerish]+(?i:'s|...)?
//
// The regex engine tries the optional prefix taken first, then not taken; within each, the
// greedy [Upperish]* first takes its whole run, and when no Lowerish unit follows it gives
// units back one at a time until [Lowerish]+ can match: that is at the last unit of the run
// that is also Lowerish (Lm, Lo, M), and [Lowerish]+ then ends right after it (the units after
// it in the run are Lu/Lt, the unit after the run is not Lowerish).
size_t PreTokenizer::MatchO200kLowerWord(size_t pos, const Utf8Unit& first) const {
  const size_t with_prefix = pos + first.length;
  const bool prefix_possible = IsWordPrefix(first);
  for (int attempt = prefix_possible ? 0 : 1; attempt < 2; ++attempt) {
    const size_t start = attempt == 0 ? with_prefix : pos;
    size_t run_end = start;
    size_t last_lowerish_end = 0;
    while (run_end < size()) {
      const Utf8Unit unit = At(run_end);
      if (!IsUpperish(unit)) break;
      run_end += unit.length;
      if (IsLowerish(unit)) last_lowerish_end = run_end;
    }
    size_t end = 0;
    if (run_end < size() && IsLowerish(At(run_end))) {
      end = RunEnd(run_end, IsLowerish);
    } else if (last_lowerish_end != 0) {
      end = last_lowerish_end;
    } else {
      continue;
    }
    const size_t contraction_end = MatchContraction(end);
    return contraction_end != 0 ? contraction_end : end;
  }
  return 0;
}

// [^\r\n\p{L}\p{N}]?[Upperish]+[Lowerish]*(?i:'s|...)? : nothing after the required run can
// fail, so no backtracking beyond the optional prefix.
size_t PreTokenizer::MatchO200kUpperWord(size_t pos, const Utf8Unit& first) const {
  const size_t with_prefix = pos + first.length;
  const bool prefix_possible = IsWordPrefix(first);
  for (int attempt = prefix_possible ? 0 : 1; attempt < 2; ++attempt) {
    const size_t start = attempt == 0 ? with_prefix : pos;
    if (start >= size() || !IsUpperish(At(start))) continue;
    const size_t end = RunEnd(RunEnd(start, IsUpperish), IsLowerish);
    const size_t contraction_end = MatchContraction(end);
    return contraction_end != 0 ? contraction_end : end;
  }
  return 0;
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d). tiktoken's regex engine folds case by Unicode's simple case
// folding, under which U+017F LATIN SMALL LETTER LONG S also matches 's'.
size_t PreTokenizer::MatchContraction(size_t pos) const {
  if (pos + 1 >= size() || text_[pos] != '\'') return 0;
  const size_t letter = pos + 1;
  const char c = AsciiLower(text_[letter]);
  if (c == 's' || c == 't' || c == 'm' || c == 'd') return letter + 1;
  if (text_.substr(letter, 2) == "\xC5\xBF") return letter + 2;
  if (letter + 1 < size()) {
    const char c2 = AsciiLower(text_[letter + 1]);
    if ((c == 'r' || c == 'v') && c2 == 'e') return letter + 2;
    if (c == 'l' && c2 == 'l') return letter + 2;
  }
  return 0;
}

// \p{N}{1,3}
size_t PreTokenizer::MatchNumber(size_t pos) const {
  size_t end = pos;
  for (int i = 0; i < 3 && end < size(); ++i) {
    const Utf8Unit unit = At(end);
    if (!IsNumber(unit)) break;
    end += unit.length;
  }
  return end;
}

// ' '?[^\s\p{L}\p{N}]+[\r\n]*   (o200k_base: [\r\n/]* at the end)
size_t PreTokenizer::MatchSymbols(size_t pos, bool slash_trails) const {
  size_t start = pos;
  if (text_[pos] == ' ' && pos + 1 < size() && IsSymbol(At(pos + 1))) {
    start = pos + 1;
  } else if (!IsSymbol(At(pos))) {
    return 0;
  }
  const size_t symbols_end = RunEnd(start, IsSymbol);
  return RunEnd(symbols_end, [slash_trails](const Utf8Unit& u) {
    return IsNewline(u) || (slash_trails && u.code_point == '/');
  });
}

// \s*[\r\n]+ | \s+(?!\S) | \s+, over the maximal whitespace run W that starts at `pos`:
//   - \s*[\r\n]+ backtracks to the last CR or LF in W and ends right after it;
//   - else \s+(?!\S) matches all of W at the end of the text, or W without its last unit when W
//     has two or more (that unit then starts the next piece, usually " word");
//   - else \s+ matches the single whitespace unit.
size_t PreTokenizer::MatchWhitespace(size_t pos) const {
  size_t end = pos;
  size_t last_unit_start = pos;
  size_t last_newline_end = 0;
  size_t units = 0;
  while (end < size()) {
    const Utf8Unit unit = At(end);
    if (!IsSpace(unit)) break;
    last_unit_start = end;
    end += unit.length;
    if (IsNewline(unit)) last_newline_end = end;
    ++units;
  }
  if (units == 0) return 0;
  if (last_newline_end != 0) return last_newline_end;
  if (end == size() || units == 1) return end;
  return last_unit_start;
}

}  // namespace tokenscope::tokenize
