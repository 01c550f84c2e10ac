#include "query/rollup_subject.h"

namespace tokenscope::query {
namespace {

const rollup::AllocationDimension* FindDimension(
    const std::vector<rollup::AllocationDimension>& dimensions, bool resource,
    std::string_view attribute_key) {
  for (const rollup::AllocationDimension& d : dimensions) {
    const bool from_resource = d.source == rollup::DimensionSource::kResourceAttribute;
    if (from_resource == resource && d.key == attribute_key) return &d;
  }
  return nullptr;
}

bool ComparesStringsOnly(const filter::Comparison& c) {
  for (const filter::Literal& literal : c.values) {
    if (literal.type != filter::Literal::Type::kString) return false;
  }
  return true;
}

bool NodeAnswers(const filter::Node& node,
                 const std::vector<rollup::AllocationDimension>& dimensions) {
  if (node.kind != filter::Node::Kind::kComparison) {
    for (const filter::Node& child : node.children) {
      if (!NodeAnswers(child, dimensions)) return false;
    }
    return true;
  }
  const filter::Comparison& c = node.comparison;
  switch (c.field) {
    case filter::Field::kService:
    case filter::Field::kModel:
    case filter::Field::kProvider:
    case filter::Field::kOperation:
    case filter::Field::kErrorClass:
      return true;
    case filter::Field::kAttribute:
    case filter::Field::kResourceAttribute:
      return ComparesStringsOnly(c) &&
             FindDimension(dimensions, c.field == filter::Field::kResourceAttribute, c.key) !=
                 nullptr;
    default:
      return false;
  }
}

std::optional<std::string_view> NonEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return std::string_view(value);
}

}  // namespace

bool RollupAnswers(const filter::Filter& filter,
                   const std::vector<rollup::AllocationDimension>& dimensions) {
  return filter.empty() || NodeAnswers(*filter.root(), dimensions);
}

std::optional<std::string_view> RollupKeySubject::StringField(filter::Field field) const {
  switch (field) {
    case filter::Field::kService:
      return NonEmpty(key_.service);
    case filter::Field::kModel:
      return NonEmpty(key_.model);
    case filter::Field::kProvider:
      return NonEmpty(key_.provider);
    case filter::Field::kOperation:
      return NonEmpty(key_.operation);
    case filter::Field::kErrorClass:
      return NonEmpty(key_.error_class);
    default:
      return std::nullopt;
  }
}

const model::AnyValue* RollupKeySubject::Attribute(std::string_view key) const {
  return DimensionValue(/*resource=*/false, key);
}

const model::AnyValue* RollupKeySubject::ResourceAttribute(std::string_view key) const {
  return DimensionValue(/*resource=*/true, key);
}

const model::AnyValue* RollupKeySubject::DimensionValue(bool resource,
                                                        std::string_view attribute_key) const {
  const rollup::AllocationDimension* d = FindDimension(dimensions_, resource, attribute_key);
  if (d == nullptr) return nullptr;
  for (const auto& [name, value] : key_.dimensions) {
    if (name != d->name || value.empty()) continue;
    scratch_ = model::AnyValue();
    scratch_.type = model::ValueType::kString;
    scratch_.string_value = value;
    return &scratch_;
  }
  return nullptr;
}

}  // namespace tokenscope::query
