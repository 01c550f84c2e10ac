#include "query/filter/filter_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "query/filter/filter_lexer.h"

namespace tokenscope::query::filter {
namespace {

constexpr size_t kMaxShown = 40;  // bytes of user text quoted in a message

char ToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), ToLower);
  return lower;
}

bool IsWord(const Token& token, std::string_view lowercase_word) {
  return token.kind == TokenKind::kWord && Lowercase(token.text) == lowercase_word;
}

// Keywords of the grammar; none of them can be a field or a bare value. (true and false are
// values, but not of every field, so they are handled where values are.)
bool IsGrammarKeyword(const Token& token) {
  return IsWord(token, "and") || IsWord(token, "or") || IsWord(token, "not") || IsWord(token, "in");
}

// The number of characters (code points) in the first `byte_offset` bytes of `text`.
size_t CharOffset(std::string_view text, size_t byte_offset) {
  byte_offset = std::min(byte_offset, text.size());
  size_t chars = 0;
  for (size_t i = 0; i < byte_offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  }
  return chars;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ValidFieldList() {
  std::string list;
  for (Field field : NamedFields()) {
    list += FieldName(field);
    list += ", ";
  }
  return list + "attr.\"key\" and resource.\"key\"";
}

std::string UnknownFieldMessage(std::string_view word) {
  std::string message = "unknown field '" + Abbreviate(word, kMaxShown) + "'";
  const std::string lower = Lowercase(word);
  std::optional<std::string_view> closest;
  size_t best = 3;  // suggest only names within two edits
  for (std::string_view candidate : {std::string_view("attr"), std::string_view("resource")}) {
    if (EditDistance(lower, candidate) < best) {
      best = EditDistance(lower, candidate);
      closest = candidate;
    }
  }
  for (Field field : NamedFields()) {
    const size_t distance = EditDistance(lower, FieldName(field));
    if (distance < best) {
      best = distance;
      closest = FieldName(field);
    }
  }
  if (closest) {
    message += " (did you mean '" + std::string(*closest) + "'?)";
  } else if (word.find('.') != std::string_view::npos) {
    const std::string key = Abbreviate(word, kMaxShown);
    message += " (for an attribute write attr.\"" + key + "\" or resource.\"" + key + "\")";
  }
  return message + "; valid fields are " + ValidFieldList();
}

// A bare attribute key: names of word characters joined by single dots.
bool IsValidBareKey(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  return key.find("..") == std::string_view::npos;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsTraceIdHex(std::string_view text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), IsHexDigit);
}

// The integer `text` spells, when it is one that fits in an int64.
std::optional<int64_t> ParseExactInt(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsOrdering(CompareOp op) {
  return op == CompareOp::kLt || op == CompareOp::kLe || op == CompareOp::kGt ||
         op == CompareOp::kGe;
}

// Recursive descent over the grammar in filter_parser.h, one token of lookahead. Each Parse*
// method returns false after recording the first error; nothing is parsed after that.
class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits)
      : text_(text), limits_(limits), lexer_(text) {}

  StatusOr<Filter> Run(ParseError* error_out) {
    std::optional<Filter> filter = ParseWhole();
    if (filter) return std::move(*filter);
    if (error_out != nullptr) *error_out = *error_;
    return InvalidArgument(error_->ToString());
  }

 private:
  std::optional<Filter> ParseWhole() {
    if (text_.size() > limits_.max_length) {
      Fail(limits_.max_length, text_.size() - limits_.max_length,
           "filter is too long: " + std::to_string(text_.size()) + " bytes, at most " +
               std::to_string(limits_.max_length) + " are allowed");
      return std::nullopt;
    }
    current_ = lexer_.Next();
    if (current_.kind == TokenKind::kEnd) return Filter();
    Node root;
    if (!ParseOr(0, &root)) return std::nullopt;
    if (current_.kind == TokenKind::kRightParen) {
      Fail(current_.offset, 1, "unmatched ')': no '(' is open here");
      return std::nullopt;
    }
    if (current_.kind != TokenKind::kEnd) {
      FailExpected("'and', 'or' or end of input");
      return std::nullopt;
    }
    return Filter(std::move(root));
  }

  void Advance() {
    previous_ = current_.text;
    previous_end_ = current_.offset + current_.text.size();
    current_ = lexer_.Next();
  }

  bool Fail(size_t byte_offset, size_t byte_length, std::string message) {
    if (error_) return false;
    ParseError error;
    error.byte_offset = byte_offset;
    error.position = CharOffset(text_, byte_offset);
    error.length = CharOffset(text_, byte_offset + byte_length) - error.position;
    error.message = std::move(message);
    error_ = std::move(error);
    return false;
  }

  bool FailAt(const Token& token, std::string message) {
    return Fail(token.offset, token.text.size(), std::move(message));
  }

  // "expected <what> after '<previous token>' but found <current token>", or the lexical
  // error when the current token is one.
  bool FailExpected(std::string_view what) {
    if (current_.kind == TokenKind::kError) {
      return Fail(current_.error_offset, current_.error_length, current_.error_message);
    }
    std::string message = "expected " + std::string(what);
    if (!previous_.empty()) message += " after '" + Abbreviate(previous_, kMaxShown) + "'";
    return FailAt(current_, message + " but found " + DescribeToken(current_));
  }

  // A string token read as text must have only valid escapes.
  bool CheckEscapes(const Token& token) {
    if (token.escape_error.empty()) return true;
    return Fail(token.escape_error_offset, token.escape_error_length, token.escape_error);
  }

  bool FailTooDeep() {
    return FailAt(current_, "filter nests deeper than " + std::to_string(limits_.max_depth) +
                                " levels of parentheses and 'not'");
  }

  // or := and ('or' and)*
  bool ParseOr(size_t depth, Node* out) {
    return ParseChain(depth, "or", Node::Kind::kOr, &Parser::ParseAnd, out);
  }

  // and := not ('and' not)*
  bool ParseAnd(size_t depth, Node* out) {
    return ParseChain(depth, "and", Node::Kind::kAnd, &Parser::ParseNot, out);
  }

  bool ParseChain(size_t depth, std::string_view keyword, Node::Kind kind,
                  bool (Parser::*parse_operand)(size_t, Node*), Node* out) {
    const size_t start = current_.offset;
    Node first;
    if (!(this->*parse_operand)(depth, &first)) return false;
    if (!IsWord(current_, keyword)) {
      *out = std::move(first);
      return true;
    }
    Node chain;
    chain.kind = kind;
    chain.byte_offset = start;
    chain.children.push_back(std::move(first));
    while (IsWord(current_, keyword)) {
      Advance();
      Node operand;
      if (!(this->*parse_operand)(depth, &operand)) return false;
      chain.children.push_back(std::move(operand));
    }
    *out = std::move(chain);
    return true;
  }

  // not := 'not' not | primary
  bool ParseNot(size_t depth, Node* out) {
    if (!IsWord(current_, "not")) return ParsePrimary(depth, out);
    if (depth + 1 > limits_.max_depth) return FailTooDeep();
    const size_t start = current_.offset;
    Advance();
    Node operand;
    if (!ParseNot(depth + 1, &operand)) return false;
    out->kind = Node::Kind::kNot;
    out->byte_offset = start;
    out->children.push_back(std::move(operand));
    return true;
  }

  // primary := '(' expr ')' | comparison
  bool ParsePrimary(size_t depth, Node* out) {
    if (current_.kind != TokenKind::kLeftParen) return ParseComparison(out);
    if (depth + 1 > limits_.max_depth) return FailTooDeep();
    const size_t open = current_.offset;
    Advance();
    if (!ParseOr(depth + 1, out)) return false;
    if (current_.kind == TokenKind::kEnd) {
      return FailAt(current_, "expected ')' to close the '(' at position " +
                                  std::to_string(CharOffset(text_, open)) +
                                  " but found end of input");
    }
    if (current_.kind != TokenKind::kRightParen) return FailExpected("'and', 'or' or ')'");
    Advance();
    return true;
  }

  // comparison := field op literal | field 'in' '(' literal (',' literal)* ')'
  bool ParseComparison(Node* out) {
    if (current_.kind != TokenKind::kWord || IsGrammarKeyword(current_) ||
        IsWord(current_, "true") || IsWord(current_, "false")) {
      return FailExpected("a field name, 'not' or '('");
    }
    out->kind = Node::Kind::kComparison;
    out->byte_offset = current_.offset;
    Comparison& comparison = out->comparison;
    if (!ParseField(&comparison)) return false;
    const std::string_view field_text =
        text_.substr(out->byte_offset, previous_end_ - out->byte_offset);
    if (!ParseOperator(field_text, &comparison)) return false;
    if (comparison.op == CompareOp::kIn) return ParseList(field_text, &comparison);
    const Token value_token = current_;
    Literal value;
    if (!ParseValue(field_text, comparison, &value)) return false;
    comparison.values.push_back(std::move(value));
    if (comparison.op == CompareOp::kMatch) return CompileRegex(value_token, &comparison);
    return true;
  }

  // A named field, attr."key", attr.dotted.key, resource."key" or resource.dotted.key.
  bool ParseField(Comparison* comparison) {
    const Token word = current_;
    const std::string lower = Lowercase(word.text);
    for (const Field field : {Field::kAttribute, Field::kResourceAttribute}) {
      const std::string_view prefix = FieldName(field);
      const std::string example =
          std::string(prefix) + ".\"key\" or " + std::string(prefix) + ".key";
      if (lower == prefix) {
        return FailAt(word, "expected an attribute key after '" + std::string(word.text) +
                                "', as in " + example);
      }
      if (lower.size() <= prefix.size() || lower.compare(0, prefix.size(), prefix) != 0 ||
          lower[prefix.size()] != '.') {
        continue;
      }
      comparison->field = field;
      const std::string_view key = word.text.substr(prefix.size() + 1);
      Advance();
      if (key.empty()) return ParseQuotedKey(comparison);
      if (!IsValidBareKey(key)) {
        return Fail(word.offset + prefix.size() + 1, key.size(),
                    "invalid attribute key '" + Abbreviate(key, kMaxShown) +
                        "': a bare key is names joined by single dots; quote any other key, "
                        "as in " +
                        std::string(prefix) + ".\"key\"");
      }
      comparison->key = std::string(key);
      return true;
    }
    const std::optional<Field> named = NamedFieldByName(lower);
    if (!named) return FailAt(word, UnknownFieldMessage(word.text));
    comparison->field = *named;
    Advance();
    return true;
  }

  // The "key" of attr."key", after the word "attr." has been consumed.
  bool ParseQuotedKey(Comparison* comparison) {
    if (current_.kind != TokenKind::kString) return FailExpected("an attribute key");
    if (!CheckEscapes(current_)) return false;
    if (current_.string_value.empty()) {
      return FailAt(current_, "an attribute key must not be empty");
    }
    comparison->key = current_.string_value;
    Advance();
    return true;
  }

  bool ParseOperator(std::string_view field_text, Comparison* comparison) {
    CompareOp op;
    if (current_.kind == TokenKind::kOperator) {
      op = current_.op;
    } else if (IsWord(current_, "in")) {
      op = CompareOp::kIn;
    } else {
      return FailExpected("an operator (=, !=, <, <=, >, >=, ~ or in)");
    }
    const std::string subject = "'" + Abbreviate(field_text, kMaxShown) + "'";
    const std::string op_text = "operator '" + std::string(OpText(op)) + "'";
    switch (TypeOf(comparison->field)) {
      case FieldType::kString:
        if (IsOrdering(op)) {
          return FailAt(current_, op_text + " does not apply to " + subject +
                                      ", which is text; use =, !=, ~ or in");
        }
        break;
      case FieldType::kStatus:
        if (IsOrdering(op) || op == CompareOp::kMatch) {
          return FailAt(current_, op_text + " does not apply to " + subject +
                                      "; use =, != or in with unset, ok or error");
        }
        break;
      case FieldType::kDuration:
      case FieldType::kNumber:
        if (op == CompareOp::kMatch) {
          return FailAt(current_, op_text + " does not apply to " + subject +
                                      ", which is a number; use =, !=, <, <=, >, >= or in");
        }
        break;
      case FieldType::kAttribute:
        break;
    }
    comparison->op = op;
    Advance();
    return true;
  }

  // '(' literal (',' literal)* ')', after 'in'.
  bool ParseList(std::string_view field_text, Comparison* comparison) {
    if (current_.kind != TokenKind::kLeftParen) return FailExpected("'(' to start a list");
    Advance();
    while (true) {
      Literal value;
      if (!ParseValue(field_text, *comparison, &value)) return false;
      comparison->values.push_back(std::move(value));
      if (current_.kind == TokenKind::kRightParen) break;
      if (current_.kind != TokenKind::kComma) return FailExpected("',' or ')' in the list");
      Advance();
    }
    Advance();
    return true;
  }

  // Reads the literal at the current token and checks it against the field and operator.
  bool ParseValue(std::string_view field_text, const Comparison& comparison, Literal* out) {
    const Token& token = current_;
    bool bare_word = false;
    switch (token.kind) {
      case TokenKind::kString:
        out->type = Literal::Type::kString;
        if (comparison.op == CompareOp::kMatch) {
          out->string_value = RegexSource(token.text);
        } else {
          if (!CheckEscapes(token)) return false;
          out->string_value = token.string_value;
        }
        break;
      case TokenKind::kNumber:
      case TokenKind::kDuration:
        out->type =
            token.kind == TokenKind::kNumber ? Literal::Type::kNumber : Literal::Type::kDuration;
        out->number_value = token.number_value;
        out->text = std::string(token.text);
        if (token.kind == TokenKind::kNumber) out->int_value = ParseExactInt(token.text);
        break;
      case TokenKind::kWord:
        if (IsGrammarKeyword(token)) return FailExpected("a value");
        if (IsWord(token, "true") || IsWord(token, "false")) {
          out->type = Literal::Type::kBool;
          out->bool_value = IsWord(token, "true");
        } else {
          out->type = Literal::Type::kString;
          out->string_value = std::string(token.text);
          bare_word = true;
        }
        break;
      default:
        return FailExpected("a value");
    }
    if (!CheckValue(field_text, comparison, bare_word, out)) return false;
    Advance();
    return true;
  }

  bool CheckValue(std::string_view field_text, const Comparison& comparison, bool bare_word,
                  Literal* value) {
    const std::string subject = "'" + Abbreviate(field_text, kMaxShown) + "'";
    const std::string found = " but found " + DescribeToken(current_);
    const std::string quote_hint = bare_word ? "; put text in double quotes, as in \"" +
                                                   Abbreviate(current_.text, kMaxShown) + "\""
                                             : "";
    const bool is_string = value->type == Literal::Type::kString && !bare_word;
    const bool is_number = value->type == Literal::Type::kNumber;
    const bool is_duration = value->type == Literal::Type::kDuration;
    const CompareOp op = comparison.op;

    if (op == CompareOp::kMatch && !is_string) {
      return FailAt(current_,
                    "expected a regular expression (a string) after '~'" + found + quote_hint);
    }
    switch (TypeOf(comparison.field)) {
      case FieldType::kString:
        if (!is_string) {
          return FailAt(current_, "expected a string for " + subject + found + quote_hint);
        }
        if (comparison.field == Field::kTraceId && op != CompareOp::kMatch) {
          if (!IsTraceIdHex(value->string_value)) {
            return FailAt(current_, "expected a trace id of 32 hex digits for " + subject + found);
          }
          value->string_value = Lowercase(value->string_value);
        }
        return true;
      case FieldType::kStatus: {
        const std::string status = Lowercase(value->string_value);
        if (value->type != Literal::Type::kString ||
            (status != "unset" && status != "ok" && status != "error")) {
          return FailAt(current_, "expected unset, ok or error for " + subject + found);
        }
        value->string_value = status;
        return true;
      }
      case FieldType::kDuration:
        if (!is_number && !is_duration) {
          return FailAt(current_,
                        "expected a duration (as in 250ms or 2s) or a number of "
                        "nanoseconds for " +
                            subject + found);
        }
        return true;
      case FieldType::kNumber:
        if (!is_number) {
          const std::string unit = comparison.field == Field::kCost ? " (USD)" : "";
          return FailAt(current_, "expected a number" + unit + " for " + subject + found);
        }
        return true;
      case FieldType::kAttribute:
        if (IsOrdering(op) && !is_number && !is_duration) {
          return FailAt(current_, "expected a number or duration after '" +
                                      std::string(OpText(op)) + "'" + found +
                                      "; text and booleans compare only with =, !=, ~ and in");
        }
        if (bare_word)
          return FailAt(current_, "expected a value for " + subject + found + quote_hint);
        return true;
    }
    return true;
  }

  bool CompileRegex(const Token& token, Comparison* comparison) {
    if (++regex_count_ > limits_.max_regexes) {
      return FailAt(token, "too many regular expressions: a filter may use '~' at most " +
                               std::to_string(limits_.max_regexes) + " times");
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(limits_.max_regex_memory);
    auto regex = std::make_shared<const re2::RE2>(comparison->values.front().string_value, options);
    if (!regex->ok()) {
      return FailAt(token, "invalid regular expression: " + Abbreviate(regex->error(), 200));
    }
    comparison->regex = std::move(regex);
    return true;
  }

  std::string_view text_;
  ParseLimits limits_;
  Lexer lexer_;
  Token current_;
  std::string_view previous_;  // the text of the last token consumed, for "after '...'"
  size_t previous_end_ = 0;    // the byte offset just past it
  size_t regex_count_ = 0;
  std::optional<ParseError> error_;
};

}  // namespace

std::string ParseError::ToString() const {
  return "position " + std::to_string(position) + ": " + message;
}

StatusOr<Filter> ParseFilter(std::string_view text, ParseError* error, const ParseLimits& limits) {
  Parser parser(text, limits);
  return parser.Run(error);
}

}  // namespace tokenscope::query::filter
