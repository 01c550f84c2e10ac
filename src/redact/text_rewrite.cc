#include "redact/text_rewrite.h"

#include <simdjson.h>

#include <algorithm>

namespace tokenscope::redact::internal {
namespace {

// What each byte of JSON text is, as far as replacing it goes.
enum ByteClass : uint8_t {
  kOutside,     // between string literals: structure, whitespace, numbers, literals
  kContent,     // inside a string literal (a backslash starting an escape included)
  kEscapeTail,  // the rest of an escape sequence: "n" of "\n", "u00e9" of "\u00e9"
  kQuote,       // a delimiting quote
};

struct Piece {
  size_t begin;
  size_t end;
  uint32_t kind;
  bool quoted;  // a bare token replaced by a JSON string
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A byte of a bare token outside strings: anything but structure and whitespace.
bool IsBareTokenChar(char c) {
  return !IsSpace(c) && c != '{' && c != '}' && c != '[' && c != ']' && c != ',' && c != ':' &&
         c != '"';
}

// Classifies every byte; false when a string literal is not terminated (then the text is not
// treated as JSON).
bool ClassifyJson(std::string_view text, std::vector<uint8_t>* classes) {
  classes->assign(text.size(), kOutside);
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '"') {
      ++i;
      continue;
    }
    (*classes)[i++] = kQuote;
    bool closed = false;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '"') {
        (*classes)[i++] = kQuote;
        closed = true;
        break;
      }
      (*classes)[i] = kContent;
      if (c != '\\') {
        ++i;
        continue;
      }
      const size_t tail = i + 1 < text.size() && text[i + 1] == 'u' ? 5 : 1;
      for (size_t k = 1; k <= tail && i + k < text.size(); ++k) (*classes)[i + k] = kEscapeTail;
      i += 1 + tail;
    }
    if (!closed) return false;
  }
  return true;
}

// simdjson validates without recursion (nesting past its depth limit is an error) and checks
// UTF-8; one parser per thread keeps its buffers.
bool IsValidJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
}

bool InString(uint8_t c) {
  return c == kContent || c == kEscapeTail;
}

// The parts of one replacement in JSON text, appended to `pieces` in order.
void SplitForJson(std::string_view text, const std::vector<uint8_t>& classes, const Replacement& r,
                  std::vector<Piece>* pieces) {
  const size_t n = text.size();
  size_t i = r.begin;
  while (i < r.end) {
    if (classes[i] == kQuote) {
      ++i;
    } else if (InString(classes[i])) {
      size_t begin = i;
      while (i < r.end && InString(classes[i])) ++i;
      size_t end = i;
      while (begin > 0 && classes[begin] == kEscapeTail) --begin;  // back to the backslash
      while (end < n && classes[end] == kEscapeTail) ++end;
      pieces->push_back({begin, end, r.kind, false});
    } else if (IsBareTokenChar(text[i])) {
      size_t begin = i;
      size_t end = i;
      while (begin > 0 && classes[begin - 1] == kOutside && IsBareTokenChar(text[begin - 1]))
        --begin;
      while (end < n && classes[end] == kOutside && IsBareTokenChar(text[end])) ++end;
      pieces->push_back({begin, end, r.kind, true});
      i = end;
    } else {
      ++i;
    }
  }
}

// Widening can make neighbouring pieces touch the same escape or token; they become one.
std::vector<Piece> MergeOverlaps(std::vector<Piece> pieces) {
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& a, const Piece& b) { return a.begin < b.begin; });
  std::vector<Piece> merged;
  for (const Piece& piece : pieces) {
    if (!merged.empty() && piece.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, piece.end);
    } else {
      merged.push_back(piece);
    }
  }
  return merged;
}

std::vector<Piece> PiecesOf(std::string_view text, const std::vector<Replacement>& replacements) {
  std::vector<Piece> pieces;
  std::vector<uint8_t> classes;
  if (LooksLikeJsonText(text) && IsValidJson(text) && ClassifyJson(text, &classes)) {
    for (const Replacement& r : replacements) SplitForJson(text, classes, r, &pieces);
    return MergeOverlaps(std::move(pieces));
  }
  for (const Replacement& r : replacements) pieces.push_back({r.begin, r.end, r.kind, false});
  return pieces;
}

}  // namespace

bool LooksLikeJsonText(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  const size_t last = text.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  return (text[first] == '{' && text[last] == '}') || (text[first] == '[' && text[last] == ']');
}

std::string Rewrite(std::string_view text, const std::vector<Replacement>& replacements,
                    const std::vector<std::string>& placeholders) {
  std::string out;
  out.reserve(text.size() + 32);
  size_t copied = 0;
  for (const Piece& piece : PiecesOf(text, replacements)) {
    out.append(text.substr(copied, piece.begin - copied));
    if (piece.quoted) out.push_back('"');
    out.append(placeholders[piece.kind]);
    if (piece.quoted) out.push_back('"');
    copied = piece.end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace tokenscope::redact::internal
