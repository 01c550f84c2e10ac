#include "enrich/span_analysis.h"

#include "semconv/normalizer.h"

namespace tokenscope::enrich {

std::optional<model::LlmInfo> PricedLlmInfo(const model::Span& span,
                                            const model::Resource& resource,
                                            const model::Scope& scope, const PriceTable* prices) {
  auto llm = semconv::Normalize({span, resource, scope});
  // Only the calls themselves are priced: agent and chain spans often repeat the usage of
  // their children, and pricing them too would count money twice in any total.
  if (llm && prices != nullptr &&
      (llm->kind == model::LlmSpanKind::kLlm || llm->kind == model::LlmSpanKind::kEmbedding)) {
    llm->cost =
        prices->ComputeCost(llm->usage, llm->provider, llm->model(), span.start_time_unix_nano);
  }
  return llm;
}

SpanAnalysis AnalyzeSpan(const model::Span& span, const model::Resource& resource,
                         const model::Scope& scope, const PriceTable* prices) {
  SpanAnalysis out;
  out.llm = PricedLlmInfo(span, resource, scope, prices);
  out.error = ClassifyError(span, out.llm ? &*out.llm : nullptr);
  return out;
}

}  // namespace tokenscope::enrich
