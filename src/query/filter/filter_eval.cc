#include "query/filter/filter_eval.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>

#include "base/base64.h"

namespace tokenscope::query::filter {
namespace {

bool Search(std::string_view text, const re2::RE2& regex) {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex);
}

// Exact comparison of an int64 with a double, where converting either to the other's type
// could round (2^53 + 1 is not a double; 0.5 is not an int).
std::partial_ordering CompareIntToDouble(int64_t a, double b) {
  if (std::isnan(b)) return std::partial_ordering::unordered;
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (b >= kTwoTo63) return std::partial_ordering::less;
  if (b < -kTwoTo63) return std::partial_ordering::greater;
  const double whole = std::floor(b);
  const auto whole_int = static_cast<int64_t>(whole);  // exact: |whole| < 2^63
  if (a < whole_int) return std::partial_ordering::less;
  if (a > whole_int) return std::partial_ordering::greater;
  return b > whole ? std::partial_ordering::less : std::partial_ordering::equivalent;
}

// How an attribute value orders against a literal; unordered when their types do not pair.
std::partial_ordering CompareAttribute(const model::AnyValue& value, const Literal& literal) {
  switch (literal.type) {
    case Literal::Type::kString:
      if (value.type != model::ValueType::kString) break;
      return value.string_value <=> std::string_view(literal.string_value);
    case Literal::Type::kNumber:
    case Literal::Type::kDuration:
      if (value.type == model::ValueType::kInt) {
        if (literal.int_value) return value.int_value <=> *literal.int_value;
        return CompareIntToDouble(value.int_value, literal.number_value);
      }
      if (value.type == model::ValueType::kDouble)
        return value.double_value <=> literal.number_value;
      break;
    case Literal::Type::kBool:
      if (value.type != model::ValueType::kBool) break;
      return value.bool_value <=> literal.bool_value;
  }
  return std::partial_ordering::unordered;
}

// Whether `op` holds for an ordering. Unordered (a NaN, a type mismatch) satisfies nothing,
// not even !=.
bool Holds(CompareOp op, std::partial_ordering order) {
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIn:
      return order == std::partial_ordering::equivalent;
    case CompareOp::kNe:
      return order == std::partial_ordering::less || order == std::partial_ordering::greater;
    case CompareOp::kLt:
      return order == std::partial_ordering::less;
    case CompareOp::kLe:
      return order == std::partial_ordering::less || order == std::partial_ordering::equivalent;
    case CompareOp::kGt:
      return order == std::partial_ordering::greater;
    case CompareOp::kGe:
      return order == std::partial_ordering::greater || order == std::partial_ordering::equivalent;
    case CompareOp::kMatch:
      break;
  }
  return false;
}

// Applies the comparison's operator, given how the span's value orders against a literal.
template <typename OrderAgainst>
bool Compare(const Comparison& comparison, OrderAgainst order_against) {
  if (comparison.op != CompareOp::kIn) {
    return Holds(comparison.op, order_against(comparison.values.front()));
  }
  for (const Literal& literal : comparison.values) {
    if (order_against(literal) == std::partial_ordering::equivalent) return true;
  }
  return false;
}

bool EvaluateText(const Comparison& comparison, std::string_view text) {
  if (comparison.op == CompareOp::kMatch) return Search(text, *comparison.regex);
  return Compare(comparison, [text](const Literal& literal) -> std::partial_ordering {
    return text <=> std::string_view(literal.string_value);
  });
}

bool EvaluateNumber(const Comparison& comparison, double number) {
  return Compare(comparison,
                 [number](const Literal& literal) { return number <=> literal.number_value; });
}

bool EvaluateAttribute(const Comparison& comparison, const model::AnyValue& value) {
  if (comparison.op == CompareOp::kMatch) {
    if (value.type == model::ValueType::kString) {
      return Search(value.string_value, *comparison.regex);
    }
    return Search(AttributeText(value), *comparison.regex);
  }
  return Compare(comparison,
                 [&value](const Literal& literal) { return CompareAttribute(value, literal); });
}

bool EvaluateComparison(const Comparison& comparison, const FilterSubject& subject) {
  switch (TypeOf(comparison.field)) {
    case FieldType::kString:
    case FieldType::kStatus: {
      const std::optional<std::string_view> text = subject.StringField(comparison.field);
      return text.has_value() && EvaluateText(comparison, *text);
    }
    case FieldType::kDuration:
    case FieldType::kNumber: {
      const std::optional<double> number = subject.NumberField(comparison.field);
      return number.has_value() && EvaluateNumber(comparison, *number);
    }
    case FieldType::kAttribute: {
      const model::AnyValue* value = comparison.field == Field::kAttribute
                                         ? subject.Attribute(comparison.key)
                                         : subject.ResourceAttribute(comparison.key);
      if (value == nullptr || value->type == model::ValueType::kEmpty) return false;
      return EvaluateAttribute(comparison, *value);
    }
  }
  return false;
}

bool EvaluateNode(const Node& node, const FilterSubject& subject) {
  switch (node.kind) {
    case Node::Kind::kComparison:
      return EvaluateComparison(node.comparison, subject);
    case Node::Kind::kAnd:
      for (const Node& child : node.children) {
        if (!EvaluateNode(child, subject)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (const Node& child : node.children) {
        if (EvaluateNode(child, subject)) return true;
      }
      return false;
    case Node::Kind::kNot:
      return !EvaluateNode(node.children.front(), subject);
  }
  return false;
}

// Three-valued: nullopt where the answer depends on a field the subject does not know.
std::optional<bool> EvaluateKnownNode(const Node& node, const FilterSubject& subject,
                                      bool (*knows)(Field)) {
  switch (node.kind) {
    case Node::Kind::kComparison:
      if (!knows(node.comparison.field)) return std::nullopt;
      return EvaluateComparison(node.comparison, subject);
    case Node::Kind::kAnd: {
      bool unknown = false;
      for (const Node& child : node.children) {
        const std::optional<bool> v = EvaluateKnownNode(child, subject, knows);
        if (v == false) return false;
        unknown |= !v.has_value();
      }
      return unknown ? std::nullopt : std::optional<bool>(true);
    }
    case Node::Kind::kOr: {
      bool unknown = false;
      for (const Node& child : node.children) {
        const std::optional<bool> v = EvaluateKnownNode(child, subject, knows);
        if (v == true) return true;
        unknown |= !v.has_value();
      }
      return unknown ? std::nullopt : std::optional<bool>(false);
    }
    case Node::Kind::kNot: {
      const std::optional<bool> v = EvaluateKnownNode(node.children.front(), subject, knows);
      if (!v.has_value()) return std::nullopt;
      return !*v;
    }
  }
  return std::nullopt;
}

void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    *out += "NaN";
  } else if (std::isinf(value)) {
    *out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out->append(buffer, ec == std::errc() ? end : buffer);
  }
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (byte < 0x20) {
      *out += "\\u00";
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0xF]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// `value` as JSON, for the elements of arrays and maps.
void AppendJson(const model::AnyValue& value, std::string* out) {
  switch (value.type) {
    case model::ValueType::kString:
      AppendJsonString(value.string_value, out);
      return;
    case model::ValueType::kBytes:
      AppendJsonString(Base64Encode(value.string_value), out);
      return;
    case model::ValueType::kDouble:
      if (!std::isfinite(value.double_value)) {  // JSON has no NaN or Infinity literals
        std::string text;
        AppendDouble(value.double_value, &text);
        AppendJsonString(text, out);
        return;
      }
      break;
    case model::ValueType::kArray:
      out->push_back('[');
      for (size_t i = 0; i < value.array_value.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(value.array_value[i], out);
      }
      out->push_back(']');
      return;
    case model::ValueType::kKvList:
      out->push_back('{');
      for (size_t i = 0; i < value.kvlist_value.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(value.kvlist_value[i].key, out);
        out->push_back(':');
        AppendJson(value.kvlist_value[i].value, out);
      }
      out->push_back('}');
      return;
    case model::ValueType::kEmpty:
      *out += "null";
      return;
    case model::ValueType::kBool:
    case model::ValueType::kInt:
      break;
  }
  *out += AttributeText(value);
}

}  // namespace

std::string AttributeText(const model::AnyValue& value) {
  std::string text;
  switch (value.type) {
    case model::ValueType::kString:
      return std::string(value.string_value);
    case model::ValueType::kBytes:
      return Base64Encode(value.string_value);
    case model::ValueType::kBool:
      return value.bool_value ? "true" : "false";
    case model::ValueType::kInt:
      return std::to_string(value.int_value);
    case model::ValueType::kDouble:
      AppendDouble(value.double_value, &text);
      return text;
    case model::ValueType::kArray:
    case model::ValueType::kKvList:
      AppendJson(value, &text);
      return text;
    case model::ValueType::kEmpty:
      break;
  }
  return text;
}

bool Evaluate(const Filter& filter, const FilterSubject& subject) {
  return filter.empty() || EvaluateNode(*filter.root(), subject);
}

std::optional<bool> EvaluateKnown(const Filter& filter, const FilterSubject& subject,
                                  bool (*knows)(Field)) {
  if (filter.empty()) return true;
  return EvaluateKnownNode(*filter.root(), subject, knows);
}

}  // namespace tokenscope::query::filter
