// The parsed form of a Tokenscope filter (DESIGN.md §7): fields, operators, literals and the
// expression tree, plus the analyses a query planner runs on it.
//
// A Filter is immutable once parsed. It owns all of its data (strings are copied out of the
// filter text; compiled regular expressions are shared, immutable RE2 objects), so it may
// outlive the text it came from, be copied cheaply (copies share the tree) and be evaluated
// from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace tokenscope::query::filter {

// Everything a comparison can name. kAttribute and kResourceAttribute carry a key
// (`attr."key"`, `resource."key"`); every other field is named by a fixed word.
enum class Field : uint8_t {
  kService,
  kName,
  kKind,
  kStatus,
  kModel,
  kProvider,
  kOperation,
  kDuration,
  kTtft,
  kInputTokens,
  kOutputTokens,
  kTotalTokens,
  kCost,
  kErrorClass,
  kSession,
  kUser,
  kTraceId,
  kInput,
  kOutput,
  kAttribute,
  kResourceAttribute,
};

// What a field holds, which decides the operators and literals it accepts.
enum class FieldType : uint8_t {
  kString,     // text: = != ~ in, string literals
  kStatus,     // unset/ok/error: = != in
  kDuration,   // nanoseconds: every operator but ~, durations or plain numbers (ns)
  kNumber,     // tokens and cost (USD): every operator but ~, numbers
  kAttribute,  // an attribute of any type: every operator, any literal
};

// The field's name in the language: "service", "input_tokens", "attr", "resource".
std::string_view FieldName(Field field);
FieldType TypeOf(Field field);
// The named fields (everything but attr/resource), in the order the documentation lists them.
const std::vector<Field>& NamedFields();
// Looks up a named field by its lowercase name; nullopt for anything else.
std::optional<Field> NamedFieldByName(std::string_view lowercase_name);

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kIn };
// "=", "!=", "<", "<=", ">", ">=", "~", "in".
std::string_view OpText(CompareOp op);

struct Literal {
  enum class Type : uint8_t { kString, kNumber, kDuration, kBool };
  Type type = Type::kString;
  std::string string_value;  // kString: the decoded text (status values in lowercase)
  double number_value = 0;   // kNumber: the value; kDuration: nanoseconds
  // kNumber written as an integer that fits: the exact value, for comparing int attributes
  // beyond 2^53 without rounding.
  std::optional<int64_t> int_value;
  bool bool_value = false;  // kBool
  std::string text;         // kNumber and kDuration: the token as written, e.g. "1.5m"
};

struct Comparison {
  Field field = Field::kService;
  std::string key;  // kAttribute and kResourceAttribute only: the attribute key
  CompareOp op = CompareOp::kEq;
  std::vector<Literal> values;            // one value, or the whole list for kIn
  std::shared_ptr<const re2::RE2> regex;  // kMatch only: values[0] compiled
};

struct Node {
  enum class Kind : uint8_t { kComparison, kAnd, kOr, kNot };
  Kind kind = Kind::kComparison;
  size_t byte_offset = 0;      // where the node's text starts in the filter
  Comparison comparison;       // kComparison only
  std::vector<Node> children;  // kAnd and kOr: two or more; kNot: exactly one
};

// A parsed filter. A default-constructed (empty) Filter matches every span: it is what an
// empty or all-blank filter text parses to.
class Filter {
 public:
  Filter() = default;
  explicit Filter(Node root) : root_(std::make_shared<const Node>(std::move(root))) {}

  bool empty() const { return root_ == nullptr; }
  // nullptr when empty().
  const Node* root() const { return root_.get(); }

 private:
  std::shared_ptr<const Node> root_;
};

// The filter in canonical text: lowercase keywords, single spaces, attribute keys quoted,
// parentheses only where the tree needs them. Parsing the result yields the same tree.
std::string FormatFilter(const Filter& filter);

// Every field the filter compares, each once, in order of first appearance. kAttribute and
// kResourceAttribute stand for all attribute keys of their kind.
std::vector<Field> FieldsUsed(const Filter& filter);

// The equality conditions `field = "value"` (or `field in ("value")`) on service, name,
// status, model or error_class that every matching span must satisfy: those AND-ed at the
// top level of the filter, outside any `or` or `not`. In order of appearance. A planner may
// scan an equality index for any one of them and still see every matching span.
std::vector<std::pair<Field, std::string>> IndexableEqualities(const Filter& filter);
// The first of IndexableEqualities(), if any.
std::optional<std::pair<Field, std::string>> IndexableEquality(const Filter& filter);

}  // namespace tokenscope::query::filter
