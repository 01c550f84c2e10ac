#include "enrich/span_analysis.h"

#include "semconv/normalizer.h"

namespace tokenscope::enrich {

SpanAnalysis AnalyzeSpan(const model::Span& span, const model::Resource& resource,
                         const model::Scope& scope, const PriceTable* prices) {
  SpanAnalysis out;
  out.llm = semconv::Normalize({span, resource, scope});
  // Only the calls themselves are priced: agent and chain spans often repeat the usage of
  // their children, and pricing them too would count money twice in any total.
  if (out.llm && prices != nullptr &&
      (out.llm->kind == model::LlmSpanKind::kLlm ||
       out.llm->kind == model::LlmSpanKind::kEmbedding)) {
    out.llm->cost = prices->ComputeCost(out.llm->usage, out.llm->provider, out.llm->model(),
                                        span.start_time_unix_nano);
  }
  out.error = ClassifyError(span, out.llm ? &*out.llm : nullptr);
  return out;
}

}  // namespace tokenscope::enrich
