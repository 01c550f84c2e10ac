// Which attributes and events carry message content (prompts, completions, tool arguments and
// results, retrieved documents, free-text input/output) in the conventions the normalizer
// reads (normalizer.h). Redaction (src/redact/) uses this to find what to scan by default, so
// that no convention-specific name has to live outside src/semconv/. Keep it in step with the
// readers: a new content attribute read there belongs here too.
//
// Also listed: the error text OTel records on exception events and attributes
// (exception.message, exception.stacktrace), because provider errors routinely echo the input
// ("Incorrect API key provided: sk-...").
//
// Stateless; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace tokenscope::semconv {

// Whether the string values under this span, event, link or log attribute key are content.
bool IsContentAttributeKey(std::string_view key);

// Whether every attribute of an event (span event or log-based event) with this name is
// content: the per-message and prompt/completion events of OTel GenAI, their choice events,
// the operation-details event, OpenLLMetry's completion chunks.
bool IsContentEventName(std::string_view name);

// The lists behind the predicates, for documentation and tests.
std::span<const std::string_view> ContentAttributeKeys();      // exact keys
std::span<const std::string_view> ContentAttributePrefixes();  // "llm.input_messages." ...
std::span<const std::string_view> ContentEventNames();

}  // namespace tokenscope::semconv
