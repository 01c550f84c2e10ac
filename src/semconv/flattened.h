// Internal to src/semconv/: reading lists that conventions flatten into indexed attribute
// names, e.g. OpenInference's "llm.input_messages.0.message.role" or OpenLLMetry's
// "gen_ai.completion.1.tool_calls.0.name".
//
// CollectIndexed groups the attributes under a prefix by their index and returns the groups
// in index order, each with the remaining key suffixes. Indices are parsed, never used to size
// anything: "x.999999999.y" is one group, not a billion. Indices above kMaxFlattenedIndex and
// groups beyond `max_groups` are dropped. Values point into the span; the result lives no
// longer than it. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/span.h"

namespace tokenscope::semconv::internal {

inline constexpr uint32_t kMaxFlattenedIndex = 1'000'000;

struct IndexedEntry {
  std::string_view suffix;  // the key after "<prefix><index>."
  const model::AnyValue* value = nullptr;
};

struct IndexedGroup {
  uint32_t index = 0;
  std::vector<IndexedEntry> entries;

  // The value whose suffix is exactly `suffix`, or nullptr.
  const model::AnyValue* Find(std::string_view suffix) const;
};

// `prefix` includes its trailing dot ("llm.input_messages.").
std::vector<IndexedGroup> CollectIndexed(const model::Attributes& attrs, std::string_view prefix,
                                         size_t max_groups);
// The same over the entries of an enclosing group (nested lists such as "message.contents.").
std::vector<IndexedGroup> CollectIndexed(const std::vector<IndexedEntry>& entries,
                                         std::string_view prefix, size_t max_groups);

// Whether `key` is "<prefix><digits>." followed by something.
bool IsIndexedKey(std::string_view key, std::string_view prefix);

}  // namespace tokenscope::semconv::internal
