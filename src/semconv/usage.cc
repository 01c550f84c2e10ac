#include "semconv/usage.h"

#include <limits>

namespace tokenscope::semconv::internal {
namespace {

int64_t AddCounts(int64_t a, int64_t b) {
  if (b > std::numeric_limits<int64_t>::max() - a) return std::numeric_limits<int64_t>::max();
  return a + b;
}

}  // namespace

void CanonicalizeUsage(InputTokenMode mode, std::string_view provider, model::TokenUsage* usage) {
  const int64_t cache = AddCounts(usage->cache_read_input_tokens.value_or(0),
                                  usage->cache_creation_input_tokens.value_or(0));
  if (usage->input_tokens && cache > 0) {
    bool exclusive = false;
    switch (mode) {
      case InputTokenMode::kInclusive:
        break;
      case InputTokenMode::kExclusiveIfAnthropic:
        exclusive = provider == "anthropic";
        break;
    }
    // An inclusive count is never smaller than the cached part it includes.
    if (*usage->input_tokens < cache) exclusive = true;
    if (exclusive) {
      const int64_t reported_input = *usage->input_tokens;
      usage->input_tokens = AddCounts(reported_input, cache);
      // A total reported alongside was computed from the exclusive count; recompute it.
      if (usage->output_tokens &&
          (!usage->total_tokens ||
           *usage->total_tokens == AddCounts(reported_input, *usage->output_tokens))) {
        usage->total_tokens = AddCounts(*usage->input_tokens, *usage->output_tokens);
      }
    }
  }
}

void FillTotal(model::TokenUsage* usage) {
  if (!usage->total_tokens && usage->input_tokens && usage->output_tokens) {
    usage->total_tokens = AddCounts(*usage->input_tokens, *usage->output_tokens);
  }
}

}  // namespace tokenscope::semconv::internal
