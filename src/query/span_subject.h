// FilterSubject adapters: how the filter language sees a span, either from the compact
// summary in the time index (cheap, answers service, name, kind, status, duration, trace_id)
// or from the full stored span (everything, including attributes and resource attributes).
// A planner uses SummaryAnswers() to decide whether a filter needs the full span at all.
// Both adapters borrow what they are given; not thread-safe (each keeps a small scratch).
#pragma once

#include <string>

#include "enrich/span_analysis.h"
#include "model/span.h"
#include "query/filter/filter_ast.h"
#include "query/filter/filter_eval.h"
#include "store/store.h"

namespace tokenscope::query {

// True when every field the filter uses is in the span summary.
bool SummaryAnswers(const filter::Filter& filter);
// Whether a span summary (SummarySubject) has the field.
bool SummaryKnows(filter::Field field);

class SummarySubject : public filter::FilterSubject {
 public:
  explicit SummarySubject(const store::SpanSummary& s) : s_(s) {}
  std::optional<std::string_view> StringField(filter::Field field) const override;
  std::optional<double> NumberField(filter::Field field) const override;
  const model::AnyValue* Attribute(std::string_view) const override { return nullptr; }
  const model::AnyValue* ResourceAttribute(std::string_view) const override { return nullptr; }

 private:
  const store::SpanSummary& s_;
  mutable std::string trace_id_hex_;
};

// `kind` is the OTLP span kind (server, client, ...). LLM fields (model, provider,
// operation, ttft, tokens, cost, session, user, input, output) and `error_class` come from
// enrich::AnalyzeSpan, run once per subject on first use; `cost` is in USD, and `input` /
// `output` are the texts of the input / output messages joined by newlines.
class FullSpanSubject : public filter::FilterSubject {
 public:
  FullSpanSubject(const model::Span& span, const model::Resource& resource,
                  const model::Scope& scope, const enrich::PriceTable* prices)
      : span_(span), resource_(resource), scope_(scope), prices_(prices) {}
  std::optional<std::string_view> StringField(filter::Field field) const override;
  std::optional<double> NumberField(filter::Field field) const override;
  const model::AnyValue* Attribute(std::string_view key) const override;
  const model::AnyValue* ResourceAttribute(std::string_view key) const override;

 private:
  const enrich::SpanAnalysis& Analysis() const;

  const model::Span& span_;
  const model::Resource& resource_;
  const model::Scope& scope_;
  const enrich::PriceTable* prices_;
  mutable std::string trace_id_hex_;
  mutable std::string text_;
  mutable std::optional<enrich::SpanAnalysis> analysis_;
};

}  // namespace tokenscope::query
