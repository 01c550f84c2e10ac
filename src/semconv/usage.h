// Internal to src/semconv/: token accounting (conventions.md I.3).
//
// The canonical accounting (model::TokenUsage): input includes cached input (reads and
// writes), output includes reasoning, and cache/reasoning counts are subsets. Conventions
// report counts in other ways, which a Draft records as an InputTokenMode:
//   * kInclusive: OTel GenAI (>= 1.40 normalises Anthropic), OpenInference and OpenLLMetry
//     (their Anthropic instrumentations add cache reads and writes to the prompt count),
//     OpenAI's own counts.
//   * kExclusiveIfAnthropic: the provider's raw count, as the Vercel AI SDK up to v5 reports
//     it: cache-exclusive for Anthropic, inclusive for OpenAI.
// Whatever the mode, an input count smaller than the cache reads and writes it should contain
// cannot be inclusive (older instrumentations put Anthropic's raw input_tokens into
// gen_ai.usage.input_tokens); it is then treated as exclusive and the cache counts are added.
// (Usage objects split the Langfuse or raw-Anthropic way are canonicalized where they are read,
// json_content.h ReadUsage.) Stateless functions; thread-safe.
#pragma once

#include <string_view>

#include "model/llm.h"
#include "semconv/draft.h"

namespace tokenscope::semconv::internal {

// Rewrites `usage` (as one convention reported it) into the canonical accounting. `provider`
// is the normalized provider of the span after merging every convention.
void CanonicalizeUsage(InputTokenMode mode, std::string_view provider, model::TokenUsage* usage);

// Sets total = input + output when no total was reported and both are known.
void FillTotal(model::TokenUsage* usage);

}  // namespace tokenscope::semconv::internal
