// Error classification of spans (DESIGN.md §4, "error_class"): decides whether a span failed
// or degraded, which class of problem it was and why, so that error rates can be broken down
// by class and errors grouped by fingerprint.
//
//   prompt          the request could not be served as sent: context length exceeded,
//                   input blocked by a content policy, invalid request, unknown model.
//   model           the call "worked" but the answer is unusable, often with status OK:
//                   truncated (finish reason length), output content-filtered, refusal,
//                   empty output, structured output that is not valid JSON.
//   infrastructure  nothing wrong with the request: rate limits, quota, overload, timeouts,
//                   5xx, connection failures, authentication and permissions.
//   unknown         errored, but no rule recognized it.
//
// Every errored span is classified, LLM or not (an HTTP client span that got a 429 is an
// infrastructure error just like an LLM call that did). The evidence is the span status,
// `error.type`, `http.response.status_code` / `http.status_code`, `rpc.grpc.status_code`,
// `exception` events (and `exception.*` attributes) and, for LLM spans, finish reasons and
// output messages. The rules are an ordered table in error_classifier.cc; the first match
// wins.
//
// Pure functions over borrowed data; the compiled rules are immutable function-local statics,
// so ClassifyError is safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/llm.h"
#include "model/span.h"

namespace tokenscope::enrich {

// The short machine reasons ClassifyError reports, by class.
namespace error_reason {
// prompt
inline constexpr std::string_view kContextLengthExceeded = "context_length_exceeded";
inline constexpr std::string_view kInputBlocked = "input_blocked";
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kRequestTooLarge = "request_too_large";
inline constexpr std::string_view kModelNotFound = "model_not_found";
// model
inline constexpr std::string_view kTruncated = "truncated";
inline constexpr std::string_view kContentFilter = "content_filter";
inline constexpr std::string_view kRefusal = "refusal";
inline constexpr std::string_view kEmptyOutput = "empty_output";
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kMalformedToolCall = "malformed_tool_call";
// infrastructure
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kQuotaExceeded = "quota_exceeded";
inline constexpr std::string_view kOverloaded = "overloaded";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kConnectionError = "connection_error";
inline constexpr std::string_view kServerError = "server_error";
inline constexpr std::string_view kAuthentication = "authentication";
inline constexpr std::string_view kPermissionDenied = "permission_denied";
// unknown
inline constexpr std::string_view kUnclassified = "unclassified";
}  // namespace error_reason

struct ErrorInfo {
  model::ErrorClass error_class = model::ErrorClass::kNone;
  // "<class>:<reason>:<normalized message>" (see error_fingerprint.h).
  std::string fingerprint;
  // One of error_reason::*, e.g. "rate_limited", "context_length_exceeded".
  std::string reason;
};

// Classifies `span`; `llm` is its normalized LLM section, or nullptr for spans that are not
// LLM-related. Returns nullopt for spans that are neither errored nor degraded.
//
// A span is errored when its status is ERROR, or when its status is UNSET and it carries
// `error.type`, an exception event, an HTTP status >= 500 (>= 400 unless it is a SERVER span)
// or a failing gRPC status. An explicit OK status is trusted: such a span can only be
// degraded (model class, from its LLM output).
std::optional<ErrorInfo> ClassifyError(const model::Span& span, const model::LlmInfo* llm);

}  // namespace tokenscope::enrich
