// AnalyzeSpan: everything Tokenscope derives from one raw span — its canonical LLM section
// (semconv normalizer), the token usage of LLM calls that did not report it (estimated with
// the tokenizer, src/tokenize/, and flagged as estimated), the cost of LLM and embedding calls
// (price table) and the error class and fingerprint. Derived from the raw span alone, so it can run
// at ingest or when reading, and a newer normalizer or price table applies to old data. Stateless;
// thread-safe as long as the PriceTable is not modified.
#pragma once

#include <optional>

#include "enrich/error_classifier.h"
#include "enrich/pricing.h"
#include "model/llm.h"
#include "model/span.h"

namespace tokenscope::enrich {

struct SpanAnalysis {
  std::optional<model::LlmInfo> llm;
  std::optional<ErrorInfo> error;
};

// The span's normalized LLM section, priced when it is an LLM or embedding call and `prices`
// (which may be null) knows the model; nullopt for spans that are not LLM-related.
//
// For LLM calls (kind kLlm) with a missing input or output count, the count is estimated from
// the messages with the model's tokenizer (tokenize::EncodingForModel) before pricing, and
// usage.input_estimated / output_estimated say so: input = the system instructions and input
// messages with OpenAI's chat framing, output = the text, reasoning and tool calls of the
// output messages. Reported counts are never replaced; a missing total becomes input + output.
// docs/tokenizer.md has the details.
std::optional<model::LlmInfo> PricedLlmInfo(const model::Span& span,
                                            const model::Resource& resource,
                                            const model::Scope& scope, const PriceTable* prices);

// PricedLlmInfo plus the error classification. `prices` may be null: then no cost.
SpanAnalysis AnalyzeSpan(const model::Span& span, const model::Resource& resource,
                         const model::Scope& scope, const PriceTable* prices);

}  // namespace tokenscope::enrich
