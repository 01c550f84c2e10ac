#include "query/filter/filter_lexer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>

#include "base/duration.h"

namespace tokenscope::query::filter {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsWordStart(char c) {
  return IsAlpha(c) || c == '_';
}
bool IsWordChar(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// "µ" in UTF-8, the micro sign some people write in "800µs".
constexpr std::string_view kMicroSign = "\xC2\xB5";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4 hex digits at `at`, or nullopt when there are fewer.
std::optional<uint32_t> ReadHex4(std::string_view text, size_t at) {
  if (at + 4 > text.size()) return std::nullopt;
  uint32_t value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    int digit = HexValue(text[i]);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

// The character a one-letter escape (\n, \", ...) stands for, or nullopt for an unknown one.
std::optional<char> SimpleEscape(char escaped) {
  switch (escaped) {
    case '"':
    case '\\':
    case '/':
      return escaped;
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return std::nullopt;
  }
}

// A \uXXXX escape, or a surrogate pair \uXXXX\uXXXX, starting at the backslash.
struct UnicodeEscape {
  uint32_t code_point = 0;
  size_t length = 0;  // bytes consumed; on error, the bytes to point at
  std::string error;  // empty on success
};

UnicodeEscape ReadUnicodeEscape(std::string_view text, size_t at) {
  UnicodeEscape result;
  const std::optional<uint32_t> unit = ReadHex4(text, at + 2);
  if (!unit) {
    result.length = 2;
    result.error = "expected 4 hex digits after '\\u'";
    return result;
  }
  result.length = 6;
  if (*unit >= 0xDC00 && *unit <= 0xDFFF) {
    result.error =
        "invalid escape: a low surrogate (\\uDC00-\\uDFFF) must follow a high surrogate "
        "(\\uD800-\\uDBFF)";
    return result;
  }
  if (*unit < 0xD800 || *unit > 0xDBFF) {
    result.code_point = *unit;
    return result;
  }
  std::optional<uint32_t> low;
  if (at + 8 <= text.size() && text[at + 6] == '\\' && text[at + 7] == 'u') {
    low = ReadHex4(text, at + 8);
  }
  if (!low || *low < 0xDC00 || *low > 0xDFFF) {
    result.error =
        "invalid escape: a high surrogate (\\uD800-\\uDBFF) must be followed by a low "
        "surrogate (\\uDC00-\\uDFFF)";
    return result;
  }
  result.code_point = 0x10000 + ((*unit - 0xD800) << 10) + (*low - 0xDC00);
  result.length = 12;
  return result;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// The length of the well-formed-looking UTF-8 sequence at `at` (a lead byte and the
// continuation bytes it announces), or 1 when there is none.
size_t Utf8SequenceLength(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  size_t length = 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4;
  if (length == 1 || at + length > text.size()) return 1;
  for (size_t i = at + 1; i < at + length; ++i) {
    if (!IsContinuationByte(text[i])) return 1;
  }
  return length;
}

// The character at `at` as it should be quoted in a message: itself when printable,
// otherwise a \xNN escape of its first byte.
std::string QuoteCharacter(std::string_view text, size_t at, size_t length) {
  const auto byte = static_cast<unsigned char>(text[at]);
  if (length > 1 || (byte > 0x20 && byte < 0x7F)) {
    return "'" + std::string(text.substr(at, length)) + "'";
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("'\\x") + kHex[byte >> 4] + kHex[byte & 0xF] + "'";
}

// True for digits [. digits] [e [+-] digits]: the plain numbers of the language.
bool IsPlainNumber(std::string_view body) {
  size_t i = 0;
  auto digits = [&] {
    const size_t begin = i;
    while (i < body.size() && IsDigit(body[i])) ++i;
    return i > begin;
  };
  if (!digits()) return false;
  if (i < body.size() && body[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == body.size();
}

}  // namespace

std::string Abbreviate(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && IsContinuationByte(text[cut])) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

std::string DescribeToken(const Token& token) {
  constexpr size_t kMaxShown = 40;
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return "string " + Abbreviate(token.text, kMaxShown);
    case TokenKind::kNumber:
      return "number " + Abbreviate(token.text, kMaxShown);
    case TokenKind::kDuration:
      return "duration " + Abbreviate(token.text, kMaxShown);
    case TokenKind::kError:
    case TokenKind::kWord:
    case TokenKind::kOperator:
    case TokenKind::kLeftParen:
    case TokenKind::kRightParen:
    case TokenKind::kComma:
      break;
  }
  return "'" + Abbreviate(token.text, kMaxShown) + "'";
}

Token Lexer::Next() {
  if (stopped_) return last_;
  while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  if (pos_ >= text_.size()) {
    stopped_ = true;
    last_ = Token();
    last_.offset = text_.size();
    return last_;
  }
  const size_t start = pos_;
  const char c = text_[start];
  switch (c) {
    case '(':
      return Single(TokenKind::kLeftParen, start, 1);
    case ')':
      return Single(TokenKind::kRightParen, start, 1);
    case ',':
      return Single(TokenKind::kComma, start, 1);
    case '"':
      return LexString(start);
    case '=':
    case '!':
    case '<':
    case '>':
    case '~':
      return LexOperator(start);
    case '\'':
      return Error(start, 1, "unexpected character '''; strings use double quotes, as in \"text\"");
    case '&':
      return Error(start, 1, "unexpected character '&'; use 'and'");
    case '|':
      return Error(start, 1, "unexpected character '|'; use 'or'");
    default:
      break;
  }
  if (IsDigit(c) || (c == '-' && start + 1 < text_.size() && IsDigit(text_[start + 1]))) {
    return LexNumber(start);
  }
  if (IsWordStart(c)) return LexWord(start);
  const size_t length = Utf8SequenceLength(text_, start);
  return Error(start, length, "unexpected character " + QuoteCharacter(text_, start, length));
}

Token Lexer::Single(TokenKind kind, size_t start, size_t length) {
  Token token;
  token.kind = kind;
  token.offset = start;
  token.text = text_.substr(start, length);
  pos_ = start + length;
  return token;
}

Token Lexer::Error(size_t offset, size_t length, std::string message) {
  Token token;
  token.kind = TokenKind::kError;
  token.offset = offset;
  token.text = text_.substr(offset, length);
  token.error_message = std::move(message);
  token.error_offset = offset;
  token.error_length = length;
  stopped_ = true;
  last_ = token;
  return token;
}

Token Lexer::LexOperator(size_t start) {
  const char c = text_[start];
  const bool then_equals = start + 1 < text_.size() && text_[start + 1] == '=';
  CompareOp op = CompareOp::kEq;
  size_t length = 1;
  switch (c) {
    case '=':
      if (then_equals) return Error(start, 2, "unexpected '=='; compare with a single '='");
      op = CompareOp::kEq;
      break;
    case '!':
      if (!then_equals) return Error(start, 1, "unexpected character '!'; did you mean '!='?");
      op = CompareOp::kNe;
      length = 2;
      break;
    case '<':
      op = then_equals ? CompareOp::kLe : CompareOp::kLt;
      length = then_equals ? 2 : 1;
      break;
    case '>':
      op = then_equals ? CompareOp::kGe : CompareOp::kGt;
      length = then_equals ? 2 : 1;
      break;
    default:  // '~'
      op = CompareOp::kMatch;
      break;
  }
  Token token = Single(TokenKind::kOperator, start, length);
  token.op = op;
  return token;
}

Token Lexer::LexString(size_t start) {
  std::string value;
  // A bad escape does not end the token: the string still has to be found, and the same
  // text read as a regular expression (RegexSource) keeps escapes the lexer does not know.
  std::string escape_error;
  size_t escape_error_offset = 0;
  size_t escape_error_length = 0;
  auto note_escape_error = [&](size_t offset, size_t length, std::string message) {
    if (!escape_error.empty()) return;
    escape_error = std::move(message);
    escape_error_offset = offset;
    escape_error_length = length;
  };
  auto unterminated = [&] {
    return Error(start, text_.size() - start,
                 "unterminated string: expected a closing '\"' before end of input");
  };
  size_t i = start + 1;
  while (true) {
    if (i >= text_.size()) return unterminated();
    const char c = text_[i];
    if (c == '"') break;
    if (c != '\\') {
      value.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= text_.size()) return unterminated();
    const char escaped = text_[i + 1];
    if (escaped == 'u') {
      const UnicodeEscape unicode = ReadUnicodeEscape(text_, i);
      if (unicode.error.empty()) {
        AppendUtf8(unicode.code_point, &value);
        i += unicode.length;
      } else {
        note_escape_error(i, unicode.length, unicode.error);
        i += 2;
      }
      continue;
    }
    if (const std::optional<char> simple = SimpleEscape(escaped)) {
      value.push_back(*simple);
    } else {
      const size_t length = 1 + Utf8SequenceLength(text_, i + 1);
      note_escape_error(i, length,
                        "invalid escape '" + std::string(text_.substr(i, length)) +
                            "' in string; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
    }
    i += 2;
  }
  Token token = Single(TokenKind::kString, start, i + 1 - start);
  token.string_value = std::move(value);
  token.escape_error = std::move(escape_error);
  token.escape_error_offset = escape_error_offset;
  token.escape_error_length = escape_error_length;
  return token;
}

std::string RegexSource(std::string_view quoted) {
  std::string source;
  const std::string_view body = quoted.substr(1, quoted.size() >= 2 ? quoted.size() - 2 : 0);
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      source.push_back(body[i++]);
      continue;
    }
    if (body[i + 1] == '"') {
      source.push_back('"');
      i += 2;
      continue;
    }
    if (body[i + 1] == 'u') {
      const UnicodeEscape unicode = ReadUnicodeEscape(body, i);
      if (unicode.error.empty()) {
        AppendUtf8(unicode.code_point, &source);
        i += unicode.length;
        continue;
      }
    }
    source.append(body.substr(i, 2));  // for RE2 to read: \d, \., \\, \b ...
    i += 2;
  }
  return source;
}

Token Lexer::LexNumber(size_t start) {
  // Take the whole run of characters a number or duration can be made of, then decide what
  // it is: "12abc" is one bad token, not the number 12 followed by the word abc.
  size_t i = start + (text_[start] == '-' ? 1 : 0);
  const size_t body_start = i;
  while (i < text_.size()) {
    const char c = text_[i];
    if (IsDigit(c) || IsAlpha(c) || c == '_' || c == '.') {
      ++i;
    } else if ((c == '+' || c == '-') && (text_[i - 1] == 'e' || text_[i - 1] == 'E')) {
      ++i;  // an exponent's sign, as in 1e-5
    } else if (text_.substr(i, kMicroSign.size()) == kMicroSign) {
      i += kMicroSign.size();
    } else {
      break;
    }
  }
  const std::string_view text = text_.substr(start, i - start);
  const std::string_view body = text_.substr(body_start, i - body_start);
  const bool negative = body_start != start;

  if (IsPlainNumber(body)) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      return Error(start, text.size(), "number '" + Abbreviate(text, 40) + "' is out of range");
    }
    Token token = Single(TokenKind::kNumber, start, text.size());
    token.number_value = value;
    return token;
  }
  if (std::optional<uint64_t> nanos = ParseDurationNanos(body)) {
    if (negative) {
      return Error(start, text.size(),
                   "durations cannot be negative, but found '" + Abbreviate(text, 40) + "'");
    }
    Token token = Single(TokenKind::kDuration, start, text.size());
    token.number_value = static_cast<double>(*nanos);
    return token;
  }
  return Error(start, text.size(),
               "invalid number or duration '" + Abbreviate(text, 40) +
                   "'; a duration is a number and a unit (ns, us, ms, s, m, h or d), as in 250ms");
}

Token Lexer::LexWord(size_t start) {
  size_t i = start;
  while (i < text_.size() && IsWordChar(text_[i])) ++i;
  return Single(TokenKind::kWord, start, i - start);
}

}  // namespace tokenscope::query::filter
