#include "rollup/aggregator.h"

#include <utility>

namespace tokenscope::rollup {

Aggregator::Aggregator(AggregatorOptions options) : options_(options) {}

void Aggregator::AdmitValue(ProjectValues* values, std::string_view dimension, std::string* value) {
  if (value->empty() || *value == kOtherValue) return;
  auto dim = values->find(dimension);
  if (dim == values->end()) dim = values->emplace(std::string(dimension), ValueSet()).first;
  ValueSet& admitted = dim->second;
  if (admitted.contains(*value)) return;
  if (admitted.size() < options_.max_values_per_dimension) {
    admitted.insert(*value);
    return;
  }
  *value = std::string(kOtherValue);
  folded_values_.fetch_add(1, std::memory_order_relaxed);
}

void Aggregator::AdmitKey(ProjectValues* values, RollupKey* key) {
  AdmitValue(values, "service", &key->service);
  AdmitValue(values, "model", &key->model);
  AdmitValue(values, "provider", &key->provider);
  AdmitValue(values, "operation", &key->operation);
  for (auto& [name, value] : key->dimensions) AdmitValue(values, name, &value);
}

Aggregator::ProjectValues* Aggregator::ValuesOf(std::string_view project) {
  auto it = projects_.find(project);
  if (it == projects_.end()) it = projects_.emplace(std::string(project), ProjectValues()).first;
  return &it->second;
}

void Aggregator::Admit(std::string_view project,
                       std::vector<std::optional<RollupEntry>>* contributions) {
  std::lock_guard<std::mutex> lock(mu_);
  ProjectValues* values = nullptr;
  for (std::optional<RollupEntry>& entry : *contributions) {
    if (!entry) continue;
    if (values == nullptr) values = ValuesOf(project);
    AdmitKey(values, &entry->key);
  }
}

std::vector<RollupEntry> Aggregator::AggregateBatch(std::string_view project,
                                                    std::vector<RollupEntry> contributions) {
  if (contributions.empty()) return {};
  {
    std::lock_guard<std::mutex> lock(mu_);
    ProjectValues* values = ValuesOf(project);
    for (RollupEntry& entry : contributions) AdmitKey(values, &entry.key);
  }
  return FoldByCell(std::move(contributions));
}

void CellFolder::Add(RollupEntry entry) {
  encoded_.clear();
  EncodeKeyDimensions(entry.key, &encoded_);
  auto [it, inserted] = cells_.try_emplace({entry.key.minute, encoded_});
  if (inserted) {
    it->second = std::move(entry);
  } else {
    it->second.cell.Merge(entry.cell);
  }
}

void CellFolder::AddCopy(const RollupEntry& entry) {
  encoded_.clear();
  EncodeKeyDimensions(entry.key, &encoded_);
  auto [it, inserted] = cells_.try_emplace({entry.key.minute, encoded_});
  if (inserted) {
    it->second = entry;
  } else {
    it->second.cell.Merge(entry.cell);
  }
}

std::vector<RollupEntry> CellFolder::Take() {
  std::vector<RollupEntry> out;
  out.reserve(cells_.size());
  for (auto& [where, entry] : cells_) out.push_back(std::move(entry));
  cells_.clear();
  return out;
}

std::vector<RollupEntry> FoldByCell(std::vector<RollupEntry> contributions) {
  CellFolder folder;
  for (RollupEntry& entry : contributions) folder.Add(std::move(entry));
  return folder.Take();
}

std::vector<std::tuple<std::string, std::string, size_t>> Aggregator::AdmittedValues() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::tuple<std::string, std::string, size_t>> out;
  for (const auto& [project, dimensions] : projects_) {
    for (const auto& [dimension, values] : dimensions) {
      out.emplace_back(project, dimension, values.size());
    }
  }
  return out;
}

size_t Aggregator::admitted_values(std::string_view project, std::string_view dimension) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto p = projects_.find(project);
  if (p == projects_.end()) return 0;
  auto d = p->second.find(dimension);
  return d == p->second.end() ? 0 : d->second.size();
}

}  // namespace tokenscope::rollup
