#include "semconv/flattened.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace tokenscope::semconv::internal {
namespace {

// Splits "<digits>.<suffix>" into its index and suffix.
std::optional<std::pair<uint32_t, std::string_view>> SplitIndex(std::string_view rest) {
  size_t digits = 0;
  uint64_t index = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    index = index * 10 + static_cast<uint64_t>(rest[digits] - '0');
    if (index > kMaxFlattenedIndex) return std::nullopt;
    ++digits;
  }
  if (digits == 0 || digits + 1 >= rest.size() || rest[digits] != '.') return std::nullopt;
  return std::make_pair(static_cast<uint32_t>(index), rest.substr(digits + 1));
}

std::vector<IndexedGroup> Group(std::vector<std::pair<uint32_t, IndexedEntry>> items,
                                size_t max_groups) {
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<IndexedGroup> groups;
  for (auto& [index, entry] : items) {
    if (groups.empty() || groups.back().index != index) {
      if (groups.size() >= max_groups) break;
      groups.push_back(IndexedGroup{index, {}});
    }
    groups.back().entries.push_back(entry);
  }
  return groups;
}

template <typename Items, typename KeyOf, typename ValueOf>
std::vector<IndexedGroup> Collect(const Items& items, std::string_view prefix, size_t max_groups,
                                  KeyOf key_of, ValueOf value_of) {
  std::vector<std::pair<uint32_t, IndexedEntry>> found;
  for (const auto& item : items) {
    const std::string_view key = key_of(item);
    if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) continue;
    auto split = SplitIndex(key.substr(prefix.size()));
    if (!split) continue;
    found.push_back({split->first, IndexedEntry{split->second, value_of(item)}});
  }
  if (found.empty()) return {};
  return Group(std::move(found), max_groups);
}

}  // namespace

const model::AnyValue* IndexedGroup::Find(std::string_view suffix) const {
  for (const IndexedEntry& entry : entries) {
    if (entry.suffix == suffix) return entry.value;
  }
  return nullptr;
}

std::vector<IndexedGroup> CollectIndexed(const model::Attributes& attrs, std::string_view prefix,
                                         size_t max_groups) {
  return Collect(
      attrs, prefix, max_groups, [](const model::KeyValue& kv) { return kv.key; },
      [](const model::KeyValue& kv) { return &kv.value; });
}

std::vector<IndexedGroup> CollectIndexed(const std::vector<IndexedEntry>& entries,
                                         std::string_view prefix, size_t max_groups) {
  return Collect(
      entries, prefix, max_groups, [](const IndexedEntry& e) { return e.suffix; },
      [](const IndexedEntry& e) { return e.value; });
}

bool IsIndexedKey(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix &&
         SplitIndex(key.substr(prefix.size())).has_value();
}

}  // namespace tokenscope::semconv::internal
