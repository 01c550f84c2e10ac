#include "query/filter/filter_ast.h"

#include <algorithm>
#include <array>

namespace tokenscope::query::filter {
namespace {

struct FieldInfo {
  Field field;
  std::string_view name;
  FieldType type;
};

// Indexed by Field; the order is also the order error messages list the fields in.
constexpr std::array<FieldInfo, 21> kFields = {{
    {Field::kService, "service", FieldType::kString},
    {Field::kName, "name", FieldType::kString},
    {Field::kKind, "kind", FieldType::kString},
    {Field::kStatus, "status", FieldType::kStatus},
    {Field::kModel, "model", FieldType::kString},
    {Field::kProvider, "provider", FieldType::kString},
    {Field::kOperation, "operation", FieldType::kString},
    {Field::kDuration, "duration", FieldType::kDuration},
    {Field::kTtft, "ttft", FieldType::kDuration},
    {Field::kInputTokens, "input_tokens", FieldType::kNumber},
    {Field::kOutputTokens, "output_tokens", FieldType::kNumber},
    {Field::kTotalTokens, "total_tokens", FieldType::kNumber},
    {Field::kCost, "cost", FieldType::kNumber},
    {Field::kErrorClass, "error_class", FieldType::kString},
    {Field::kSession, "session", FieldType::kString},
    {Field::kUser, "user", FieldType::kString},
    {Field::kTraceId, "trace_id", FieldType::kString},
    {Field::kInput, "input", FieldType::kString},
    {Field::kOutput, "output", FieldType::kString},
    {Field::kAttribute, "attr", FieldType::kAttribute},
    {Field::kResourceAttribute, "resource", FieldType::kAttribute},
}};

constexpr bool FieldTableIsInEnumOrder() {
  for (size_t i = 0; i < kFields.size(); ++i) {
    if (static_cast<size_t>(kFields[i].field) != i) return false;
  }
  return true;
}
static_assert(FieldTableIsInEnumOrder(), "kFields must be indexed by Field");

const FieldInfo& InfoOf(Field field) {
  return kFields[static_cast<size_t>(field)];
}

// Writes `text` as a filter string literal: quoted, with the escapes the lexer reads back.
void AppendQuoted(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
          *out += "\\u00";
          out->push_back(kHex[byte >> 4]);
          out->push_back(kHex[byte & 0xF]);
        } else {
          out->push_back(c);
        }
      }
    }
  }
  out->push_back('"');
}

// Writes a regular expression as the parser reads one back (see RegexSource): backslash
// pairs as they are, quotes as \", and a backslash that has no pair as \u005c.
void AppendRegex(std::string_view source, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '"') {
      *out += "\\\"";
    } else if (c != '\\') {
      out->push_back(c);
    } else if (i + 1 < source.size() && source[i + 1] != '"') {
      out->push_back(c);
      out->push_back(source[++i]);
    } else {
      *out += "\\u005c";
    }
  }
  out->push_back('"');
}

void AppendLiteral(const Comparison& comparison, const Literal& literal, std::string* out) {
  switch (literal.type) {
    case Literal::Type::kString:
      if (comparison.op == CompareOp::kMatch) {
        AppendRegex(literal.string_value, out);
      } else if (comparison.field == Field::kStatus) {
        *out += literal.string_value;  // unset, ok or error: bare words
      } else {
        AppendQuoted(literal.string_value, out);
      }
      return;
    case Literal::Type::kNumber:
    case Literal::Type::kDuration:
      *out += literal.text;
      return;
    case Literal::Type::kBool:
      *out += literal.bool_value ? "true" : "false";
      return;
  }
}

void AppendComparison(const Comparison& comparison, std::string* out) {
  *out += FieldName(comparison.field);
  if (TypeOf(comparison.field) == FieldType::kAttribute) {
    out->push_back('.');
    AppendQuoted(comparison.key, out);
  }
  out->push_back(' ');
  *out += OpText(comparison.op);
  out->push_back(' ');
  if (comparison.op != CompareOp::kIn) {
    AppendLiteral(comparison, comparison.values.front(), out);
    return;
  }
  out->push_back('(');
  for (size_t i = 0; i < comparison.values.size(); ++i) {
    if (i > 0) *out += ", ";
    AppendLiteral(comparison, comparison.values[i], out);
  }
  out->push_back(')');
}

// Binding strength: a child binding no tighter than its parent needs parentheses.
int Precedence(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kOr:
      return 1;
    case Node::Kind::kAnd:
      return 2;
    case Node::Kind::kNot:
      return 3;
    case Node::Kind::kComparison:
      break;
  }
  return 4;
}

void AppendNode(const Node& node, std::string* out);

void AppendChild(const Node& child, bool parenthesize, std::string* out) {
  if (parenthesize) out->push_back('(');
  AppendNode(child, out);
  if (parenthesize) out->push_back(')');
}

void AppendNode(const Node& node, std::string* out) {
  switch (node.kind) {
    case Node::Kind::kComparison:
      AppendComparison(node.comparison, out);
      return;
    case Node::Kind::kNot:
      *out += "not ";
      AppendChild(node.children.front(), Precedence(node.children.front()) < Precedence(node), out);
      return;
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      const std::string_view joiner = node.kind == Node::Kind::kAnd ? " and " : " or ";
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) *out += joiner;
        // Equal precedence keeps its parentheses, so that the tree survives a round trip.
        AppendChild(node.children[i], Precedence(node.children[i]) <= Precedence(node), out);
      }
      return;
    }
  }
}

void CollectFields(const Node& node, std::vector<Field>* fields) {
  if (node.kind == Node::Kind::kComparison) {
    const Field field = node.comparison.field;
    if (std::find(fields->begin(), fields->end(), field) == fields->end()) {
      fields->push_back(field);
    }
    return;
  }
  for (const Node& child : node.children) CollectFields(child, fields);
}

bool HasEqualityIndex(Field field) {
  return field == Field::kService || field == Field::kName || field == Field::kStatus ||
         field == Field::kModel || field == Field::kErrorClass;
}

void CollectIndexable(const Node& node, std::vector<std::pair<Field, std::string>>* out) {
  if (node.kind == Node::Kind::kAnd) {
    for (const Node& child : node.children) CollectIndexable(child, out);
    return;
  }
  if (node.kind != Node::Kind::kComparison) return;  // under `or` or `not`: not required
  const Comparison& comparison = node.comparison;
  const bool single_value = comparison.op == CompareOp::kEq ||
                            (comparison.op == CompareOp::kIn && comparison.values.size() == 1);
  if (!single_value || !HasEqualityIndex(comparison.field)) return;
  out->emplace_back(comparison.field, comparison.values.front().string_value);
}

}  // namespace

std::string_view FieldName(Field field) {
  return InfoOf(field).name;
}

FieldType TypeOf(Field field) {
  return InfoOf(field).type;
}

const std::vector<Field>& NamedFields() {
  static const std::vector<Field>* const fields = [] {
    auto* named = new std::vector<Field>();
    for (const FieldInfo& info : kFields) {
      if (info.type != FieldType::kAttribute) named->push_back(info.field);
    }
    return named;
  }();
  return *fields;
}

std::optional<Field> NamedFieldByName(std::string_view lowercase_name) {
  for (const FieldInfo& info : kFields) {
    if (info.type != FieldType::kAttribute && info.name == lowercase_name) return info.field;
  }
  return std::nullopt;
}

std::string_view OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kMatch:
      return "~";
    case CompareOp::kIn:
      break;
  }
  return "in";
}

std::string FormatFilter(const Filter& filter) {
  std::string out;
  if (!filter.empty()) AppendNode(*filter.root(), &out);
  return out;
}

std::vector<Field> FieldsUsed(const Filter& filter) {
  std::vector<Field> fields;
  if (!filter.empty()) CollectFields(*filter.root(), &fields);
  return fields;
}

std::vector<std::pair<Field, std::string>> IndexableEqualities(const Filter& filter) {
  std::vector<std::pair<Field, std::string>> out;
  if (!filter.empty()) CollectIndexable(*filter.root(), &out);
  return out;
}

std::optional<std::pair<Field, std::string>> IndexableEquality(const Filter& filter) {
  std::vector<std::pair<Field, std::string>> all = IndexableEqualities(filter);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

}  // namespace tokenscope::query::filter
