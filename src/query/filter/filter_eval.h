// Evaluation of a parsed Filter against one span.
//
// The evaluator sees a span only through FilterSubject, so that this module depends on
// neither the store nor the normalizer: whoever holds span data (a full model::Span with its
// `llm` section, a store's span summary, a test) adapts it.
//
// Semantics:
//  - A comparison on a field the span does not have is false, whatever the operator:
//    `model != "gpt-4o"` does not match a span without a model, and neither does
//    `model = "gpt-4o"`. Only `not` turns that around: `not model = "gpt-4o"` matches it.
//  - Strings compare byte for byte; `~` is an RE2 search anywhere in the text (anchor with
//    ^ and $; use (?i) to ignore case). Numbers compare as numbers; durations in nanoseconds.
//  - Attributes compare by type: a string attribute with a string literal, an int or double
//    attribute with a number or duration (numerically, exactly for large ints), a bool with
//    true/false. Any other pairing is false for every operator, like a missing attribute.
//    `~` matches a non-string attribute's textual form: ints and doubles as numbers
//    (shortest round-trip form), bools as true/false, bytes as base64, arrays and maps as
//    JSON. An attribute with no value (empty AnyValue) counts as missing.
//  - `in (...)` is true when `=` holds for any of the listed values.
//
// Evaluate is stateless and thread-safe: one Filter may be evaluated from many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/span.h"
#include "query/filter/filter_ast.h"

namespace tokenscope::query::filter {

// One span as the evaluator sees it. Implementations return nullopt / nullptr for whatever
// the span does not have. Views and pointers need only stay valid during the Evaluate call.
class FilterSubject {
 public:
  virtual ~FilterSubject() = default;

  // service, name, kind, status ("unset", "ok" or "error"), model, provider, operation,
  // error_class, session, user, trace_id (32 lowercase hex digits), input, output.
  virtual std::optional<std::string_view> StringField(Field field) const = 0;
  // duration (ns), ttft (ns), input_tokens, output_tokens, total_tokens, cost (USD).
  virtual std::optional<double> NumberField(Field field) const = 0;
  // The span's attribute / its resource's attribute named `key`, or nullptr.
  virtual const model::AnyValue* Attribute(std::string_view key) const = 0;
  virtual const model::AnyValue* ResourceAttribute(std::string_view key) const = 0;
};

// True when the span matches. An empty Filter matches every span.
bool Evaluate(const Filter& filter, const FilterSubject& subject);

// For a subject that knows only some fields (a store's span summary: `knows` says which):
// true or false when the fields it knows decide the answer, nullopt when it depends on one it
// does not. False means no span with these known fields matches, so a scan need not read the
// rest of it: `model = "x" and duration > 5s` is false for a 2-second span's summary.
std::optional<bool> EvaluateKnown(const Filter& filter, const FilterSubject& subject,
                                  bool (*knows)(Field));

// The text `~` matches for an attribute value (see the semantics above).
std::string AttributeText(const model::AnyValue& value);

}  // namespace tokenscope::query::filter
