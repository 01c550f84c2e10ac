// How the filter language sees a rollup cell, so that metrics queries with a filter can be
// answered from rollups instead of a scan of stored spans.
//
// A cell knows its dimensions only: service, model, provider, operation, error_class and the
// configured allocation dimensions, which answer `attr."KEY"` (dimensions read from span
// attributes or baggage) and `resource."KEY"` (from resource attributes) for their own key.
// RollupAnswers() says whether a filter uses nothing else and compares only strings, in which
// case evaluating it on each cell gives exactly what evaluating it on each span would: the
// cell's calls share those values. Stateless / borrowing; not thread-safe per subject.
#pragma once

#include <string>
#include <vector>

#include "query/filter/filter_ast.h"
#include "query/filter/filter_eval.h"
#include "rollup/rollup.h"

namespace tokenscope::query {

// True when `filter` can be evaluated on rollup cells keyed by `dimensions`.
bool RollupAnswers(const filter::Filter& filter,
                   const std::vector<rollup::AllocationDimension>& dimensions);

class RollupKeySubject : public filter::FilterSubject {
 public:
  RollupKeySubject(const rollup::RollupKey& key,
                   const std::vector<rollup::AllocationDimension>& dimensions)
      : key_(key), dimensions_(dimensions) {}

  std::optional<std::string_view> StringField(filter::Field field) const override;
  std::optional<double> NumberField(filter::Field) const override { return std::nullopt; }
  const model::AnyValue* Attribute(std::string_view key) const override;
  const model::AnyValue* ResourceAttribute(std::string_view key) const override;

 private:
  const model::AnyValue* DimensionValue(bool resource, std::string_view attribute_key) const;

  const rollup::RollupKey& key_;
  const std::vector<rollup::AllocationDimension>& dimensions_;
  mutable model::AnyValue scratch_;
};

}  // namespace tokenscope::query
