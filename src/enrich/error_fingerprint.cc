#include "enrich/error_fingerprint.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

namespace tokenscope::enrich {
namespace {

// Messages are cut to this many bytes before masking: it bounds the work per message, and
// what follows that far into a message never survives the final cap anyway.
constexpr size_t kMaxInputBytes = 4096;

// Quoted text is searched for its closing quote this far at most, which keeps the quote pass
// linear even on messages full of stray quote characters.
constexpr size_t kMaxQuotedBytes = 512;

bool IsAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A byte that belongs to a word: ASCII letters, digits, '_' and any non-ASCII byte (letters
// of other scripts), so that quotes and digits glued to them are not taken as delimiters.
bool IsWordByte(char c) {
  return IsAsciiDigit(c) || IsAsciiAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// Bytes of the well-formed UTF-8 character starting at s[i], or 0 when the bytes there are not
// one (stray continuation byte, truncated sequence, overlong form, surrogate, > U+10FFFF).
size_t Utf8CharLength(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t code_point;
  uint32_t smallest;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, smallest = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < smallest || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

// Copies at most `max_bytes` of `s`, whole characters only, replacing each byte that is not
// part of well-formed UTF-8 with '?' and control characters with a space. Everything after
// this step can rely on valid UTF-8 and cut only at ASCII bytes.
std::string SanitizeUtf8(std::string_view s, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  size_t i = 0;
  while (i < s.size()) {
    const size_t length = Utf8CharLength(s, i);
    const size_t out_length = length == 0 ? 1 : length;
    if (out.size() + out_length > max_bytes) break;
    if (length == 0) {
      out += '?';
      i += 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (length == 1 && (c < 0x20 || c == 0x7F)) {
      out += ' ';
    } else {
      out.append(s.substr(i, length));
    }
    i += length;
  }
  return out;
}

// Regex masks, applied in order. Earlier masks protect what later ones would break apart
// (a URL's digits, a timestamp's colons).
struct RegexMask {
  const char* pattern;
  const char* rewrite;
};
constexpr std::array<RegexMask, 8> kRegexMasks = {{
    // URLs, up to the first space or delimiter; trailing sentence punctuation is left out.
    {R"((?i)\b[a-z][a-z0-9+.\-]*://[^\s'"<>()\[\]{}]*[^\s'"<>()\[\]{}.,;:!?])", "<url>"},
    {R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)", "<email>"},
    // ISO 8601 date or date-time. A date glued to a word by '-' is a model version
    // ("gpt-4o-2024-08-06") and is kept, hence the explicit left context.
    {R"((^|[^\w\-])\d{4}-\d{2}-\d{2})"
     R"((?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+\-]\d{2}:?\d{2})?)?\b)",
     "\\1<time>"},
    // RFC 1123 (HTTP Date headers, Retry-After).
    {R"(\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} )"
     R"((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2}(?: GMT| UTC)?)",
     "<time>"},
    // Time of day.
    {R"(\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b)", "<time>"},
    // IPv4, with an optional port.
    {R"(\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b)", "<ip>"},
    // IPv6, full and '::'-compressed.
    {R"((?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b)", "<ip>"},
    {R"((?i)\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5}\b)?)", "<ip>"},
}};

struct CompiledMasks {
  std::vector<std::unique_ptr<RE2>> regexes;
  std::unique_ptr<RE2> quoted_identifier;
};

// The patterns are constants of this file: one that does not compile is a programming error,
// caught by the first test that fingerprints anything.
std::unique_ptr<RE2> Compile(const char* pattern) {
  auto re = std::make_unique<RE2>(pattern);
  if (!re->ok()) {
    std::fprintf(stderr, "error_fingerprint: bad pattern %s: %s\n", pattern, re->error().c_str());
    std::abort();
  }
  return re;
}

const CompiledMasks& Masks() {
  static const CompiledMasks* const masks = [] {
    auto* compiled = new CompiledMasks;
    for (const RegexMask& mask : kRegexMasks) {
      compiled->regexes.push_back(Compile(mask.pattern));
    }
    // A quoted identifier or parameter path: 'messages', 'rate_limit_exceeded',
    // 'messages[0].content'.
    compiled->quoted_identifier = Compile(R"([A-Za-z_][A-Za-z_.]*(?:\[\d+\][A-Za-z_.]*)*)");
    return compiled;
  }();
  return *masks;
}

void ApplyRegexMasks(std::string* text) {
  const CompiledMasks& masks = Masks();
  for (size_t i = 0; i < kRegexMasks.size(); ++i) {
    RE2::GlobalReplace(text, *masks.regexes[i], kRegexMasks[i].rewrite);
  }
}

bool IsUuid(std::string_view token) {
  if (token.size() != 36) return false;
  for (size_t i = 0; i < token.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? token[i] != '-' : !IsHexDigit(token[i])) return false;
  }
  return true;
}

// At least 8 hex digits (after an optional 0x), not all decimal: decimal runs are numbers.
bool IsHexId(std::string_view token) {
  if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
    token.remove_prefix(2);
  }
  if (token.size() < 8) return false;
  bool has_letter = false;
  for (char c : token) {
    if (!IsHexDigit(c)) return false;
    has_letter |= !IsAsciiDigit(c);
  }
  return has_letter;
}

// Prefixes providers put on their object ids: req_ (request), chatcmpl- (completion),
// msg_, toolu_ (Anthropic), org-/proj_/user- (accounts), sk- (keys), ...
constexpr std::array<std::string_view, 27> kIdPrefixes = {
    "req", "request", "chatcmpl", "cmpl",     "msg",  "msgbatch", "org",  "proj",   "user",
    "run", "call",    "toolu",    "srvtoolu", "resp", "file",     "asst", "thread", "batch",
    "ft",  "ftjob",   "sk",       "rs",       "fc",   "vs",       "conv", "sess",   "evt",
};

// "<prefix>-<rest>" or "<prefix>_<rest>" where rest contains a digit: "req_abc123",
// "org-abc123". The digit keeps words like "file_search" or "user_id" intact.
bool HasIdPrefix(std::string_view token) {
  for (std::string_view prefix : kIdPrefixes) {
    if (token.size() < prefix.size() + 4) continue;
    bool same = true;
    for (size_t i = 0; i < prefix.size() && same; ++i) same = AsciiLower(token[i]) == prefix[i];
    if (!same) continue;
    const char separator = token[prefix.size()];
    if (separator != '-' && separator != '_') continue;
    for (char c : token.substr(prefix.size() + 1)) {
      if (IsAsciiDigit(c)) return true;
    }
  }
  return false;
}

// A '-'/'_'-separated segment that looks generated rather than written: hex with at least 8
// digits mixing letters and digits, or 10+ characters with at least two of each.
bool IsRandomSegment(std::string_view segment) {
  size_t digits = 0;
  size_t letters = 0;
  bool all_hex = true;
  for (char c : segment) {
    if (IsAsciiDigit(c)) ++digits;
    if (IsAsciiAlpha(c)) ++letters;
    all_hex &= IsHexDigit(c);
  }
  if (all_hex && segment.size() >= 8 && digits > 0 && letters > 0) return true;
  return segment.size() >= 10 && digits >= 2 && letters >= 2;
}

bool HasRandomSegment(std::string_view token) {
  size_t start = 0;
  while (start <= token.size()) {
    size_t end = token.find_first_of("-_", start);
    if (end == std::string_view::npos) end = token.size();
    if (IsRandomSegment(token.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

std::optional<std::string_view> IdPlaceholder(std::string_view token) {
  if (IsUuid(token)) return "<uuid>";
  if (IsHexId(token)) return "<hex>";
  if (HasIdPrefix(token) || HasRandomSegment(token)) return "<id>";
  return std::nullopt;
}

bool IsTokenByte(char c) {
  return IsWordByte(c) || c == '-';
}

// Replaces whole tokens (runs of letters, digits, '_' and '-') that are identifiers.
std::string MaskIds(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsTokenByte(s[i])) {
      out += s[i++];
      continue;
    }
    size_t end = i;
    while (end < s.size() && IsTokenByte(s[end])) ++end;
    const std::string_view token = s.substr(i, end - i);
    const std::optional<std::string_view> placeholder = IdPlaceholder(token);
    out.append(placeholder ? *placeholder : token);
    i = end;
  }
  return out;
}

// The position of the quote closing one opened at s[start - 1]: the next `quote` not glued to
// a following word character (an apostrophe as in "model's" does not close), or npos.
size_t FindClosingQuote(std::string_view s, size_t start, char quote) {
  const size_t limit = std::min(s.size(), start + kMaxQuotedBytes);
  for (size_t j = start; j < limit; ++j) {
    if (s[j] == quote && (j + 1 == s.size() || !IsWordByte(s[j + 1]))) return j;
  }
  return std::string_view::npos;
}

bool ContainsSpace(std::string_view s) {
  for (char c : s) {
    if (IsSpace(c)) return true;
  }
  return false;
}

// Masks quoted values; keeps quoted prose (normalized by the other passes) and quoted
// identifiers. `open_prose` tracks the quotations of prose we are inside, so that their
// closing quote is not mistaken for the opening of a value.
std::string MaskQuotedValues(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::string open_prose;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c != '\'' && c != '"' && c != '`') {
      out += c;
      ++i;
      continue;
    }
    const bool glued_after = i + 1 < s.size() && IsWordByte(s[i + 1]);
    if (!open_prose.empty() && open_prose.back() == c && !glued_after) {
      open_prose.pop_back();
      out += c;
      ++i;
      continue;
    }
    const bool glued_before = i > 0 && IsWordByte(s[i - 1]);
    const size_t close = glued_before ? std::string_view::npos : FindClosingQuote(s, i + 1, c);
    if (close == std::string_view::npos) {  // an apostrophe or a stray quote
      out += c;
      ++i;
      continue;
    }
    const std::string_view content = s.substr(i + 1, close - i - 1);
    if (ContainsSpace(content)) {
      open_prose += c;
      out += c;
      ++i;
      continue;
    }
    if (content.empty() ||
        (content.size() <= 64 && RE2::FullMatch(content, *Masks().quoted_identifier))) {
      out.append(s.substr(i, close - i + 1));
    } else {
      out += c;
      out += "<str>";
      out += c;
    }
    i = close + 1;
  }
  return out;
}

// A number may start at s[i] unless it continues a word ("gpt4", "v1") or a version glued to
// one ("gpt-4o", "claude-3-5", "1.2.3" after a word).
bool CanStartNumber(std::string_view s, size_t i) {
  if (i == 0) return true;
  const char before = s[i - 1];
  if (IsWordByte(before)) return false;
  if ((before == '-' || before == '.') && i >= 2 && IsWordByte(s[i - 2])) return false;
  return true;
}

// End of the number starting at s[i]: digits, then ".5" / ",000" groups, then an exponent.
size_t ScanNumber(std::string_view s, size_t i) {
  auto skip_digits = [&](size_t j) {
    while (j < s.size() && IsAsciiDigit(s[j])) ++j;
    return j;
  };
  size_t j = skip_digits(i);
  while (j + 1 < s.size() && (s[j] == '.' || s[j] == ',') && IsAsciiDigit(s[j + 1])) {
    j = skip_digits(j + 1);
  }
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    if (k < s.size() && IsAsciiDigit(s[k])) j = skip_digits(k);
  }
  return j;
}

bool IsDurationUnit(std::string_view unit) {
  static constexpr std::array<std::string_view, 8> kUnits = {"s",   "ms",   "us",  "ns",
                                                             "sec", "secs", "min", "h"};
  for (std::string_view known : kUnits) {
    if (unit == known) return true;
  }
  return false;
}

// "4097 tokens" -> "<num> tokens", "1.2s" / "850ms" -> "<duration>".
std::string MaskNumbers(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsAsciiDigit(s[i]) || !CanStartNumber(s, i)) {
      out += s[i++];
      continue;
    }
    const size_t end = ScanNumber(s, i);
    size_t unit_end = end;
    while (unit_end < s.size() && IsAsciiAlpha(s[unit_end])) ++unit_end;
    const bool unit_stands_alone = unit_end == s.size() || !IsWordByte(s[unit_end]);
    if (unit_end > end && unit_stands_alone && IsDurationUnit(s.substr(end, unit_end - end))) {
      out += "<duration>";
      i = unit_end;
    } else {
      out += "<num>";
      i = end;
    }
  }
  return out;
}

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Cuts valid UTF-8 to at most `max_bytes` without splitting a character.
void TruncateUtf8(std::string* s, size_t max_bytes) {
  if (s->size() <= max_bytes) return;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>((*s)[cut]) & 0xC0) == 0x80) --cut;
  s->resize(cut);
  while (!s->empty() && s->back() == ' ') s->pop_back();
}

}  // namespace

std::string Fingerprint(std::string_view message) {
  std::string text = SanitizeUtf8(message, kMaxInputBytes);
  ApplyRegexMasks(&text);
  text = MaskIds(text);
  text = MaskQuotedValues(text);
  text = MaskNumbers(text);
  text = CollapseWhitespace(text);
  TruncateUtf8(&text, kMaxFingerprintBytes);
  return text;
}

std::string ErrorFingerprint(model::ErrorClass error_class, std::string_view reason,
                             std::string_view message) {
  std::string out(model::ErrorClassName(error_class));
  out += ':';
  out.append(reason);
  out += ':';
  out += Fingerprint(message);
  return out;
}

}  // namespace tokenscope::enrich
