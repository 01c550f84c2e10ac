// Lexer: splits filter text into tokens, one at a time, for the parser.
//
// Tokens are produced on demand so that the parser reports whichever error comes first in the
// text, lexical or grammatical. A lexical error is a token of kind kError carrying the
// message and the exact span of the offending bytes; the lexer does not advance past it.
// Offsets are bytes into the text. The Lexer holds a view of the text, which must outlive
// it; each Token's `text` is a view into it as well. Not thread-safe (it is a cursor).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "query/filter/filter_ast.h"

namespace tokenscope::query::filter {

enum class TokenKind : uint8_t {
  kEnd,         // end of input
  kError,       // a lexical error: see Token::error_message
  kWord,        // [A-Za-z_][A-Za-z0-9_.-]*: field names, keywords, status values, attr.key
  kString,      // "..." with escapes; string_value holds the decoded text
  kNumber,      // -?digits[.digits][e[+-]digits]; number_value holds the value
  kDuration,    // a number with a unit (250ms, 1.5m); number_value holds nanoseconds
  kOperator,    // = != < <= > >= ~; op holds which
  kLeftParen,   // (
  kRightParen,  // )
  kComma,       // ,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;              // byte offset of the token's first byte
  std::string_view text;          // the token as written (empty for kEnd)
  std::string string_value;       // kString: decoded text
  double number_value = 0;        // kNumber: the value; kDuration: nanoseconds
  CompareOp op = CompareOp::kEq;  // kOperator

  // kString only: the first invalid escape, if any. The string is still a token, because a
  // regular expression reads escapes differently (see RegexSource); elsewhere it is an error.
  std::string escape_error;  // empty when every escape is valid
  size_t escape_error_offset = 0;
  size_t escape_error_length = 0;

  // kError only: what is wrong, and the bytes to point at (may lie inside a string token).
  std::string error_message;
  size_t error_offset = 0;
  size_t error_length = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token. After kEnd or kError every further call returns the same token again.
  Token Next();

 private:
  Token LexString(size_t start);
  Token LexNumber(size_t start);
  Token LexWord(size_t start);
  Token LexOperator(size_t start);
  Token Single(TokenKind kind, size_t start, size_t length);
  Token Error(size_t offset, size_t length, std::string message);

  std::string_view text_;
  size_t pos_ = 0;
  bool stopped_ = false;
  Token last_;  // the kEnd or kError token once stopped_
};

// The pattern a kString token's text (quotes included) stands for after `~`: backslashes
// reach RE2 as written, so "\d+" is the regex \d+ and "a\\b" the regex a\\b (matching a\b);
// only \" (a quote) and \uXXXX (a character) are decoded.
std::string RegexSource(std::string_view quoted);

// A token as it should appear in an error message after "found": "end of input", "'and'",
// "string \"abc\"", "number 5", "duration 2s", "'('". Long tokens are shortened.
std::string DescribeToken(const Token& token);

// The text, shortened to at most `max_bytes` bytes (without splitting a UTF-8 sequence) with
// "..." appended when shortened.
std::string Abbreviate(std::string_view text, size_t max_bytes);

}  // namespace tokenscope::query::filter
