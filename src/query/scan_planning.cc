#include "query/scan_planning.h"

namespace tokenscope::query {

std::optional<store::IndexTerm> ChooseIndex(const SpanCondition& c) {
  std::optional<std::string> name = c.name, service = c.service;
  bool error = c.status && *c.status == model::StatusCode::kError;
  if (c.filter) {
    for (const auto& [field, value] : filter::IndexableEqualities(*c.filter)) {
      if (field == filter::Field::kName && !name) name = value;
      if (field == filter::Field::kService && !service) service = value;
      if (field == filter::Field::kStatus && value == "error") error = true;
    }
  }
  if (name) return store::IndexTerm{store::IndexedField::kName, *name};
  if (service) return store::IndexTerm{store::IndexedField::kService, *service};
  if (error) return store::IndexTerm{store::IndexedField::kStatus, "error"};
  return std::nullopt;
}

}  // namespace tokenscope::query
