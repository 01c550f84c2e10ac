// Turns query-API JSON answers (docs/api.md) into terminal output: a trace as an indented span
// tree, a search page as a table, an error body as one line. Pure functions over the response
// text; thread-safe. Malformed answers give InvalidArgument instead of partial output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope::cli {

struct RenderOptions {
  bool color = false;  // ANSI red for errored spans and traces
};

// GET /api/v1/traces/{id}: a summary line, then one row per span indented by its depth in the
// parent/child tree with name, service, kind, duration and status (errors with their message).
// Spans whose parent is not in the answer are shown as roots.
StatusOr<std::string> RenderTraceTree(std::string_view response_body,
                                      const RenderOptions& options = {});

// GET /api/v1/traces: TRACE ID, START (local time), ROOT, SERVICE, DURATION, SPANS, ERRORS,
// plus the value an ordered page is sorted by when it is not one of those: COST (USD), TOKENS
// or LLM CALLS.
struct TraceTable {
  std::string text;
  size_t trace_count = 0;
  std::optional<std::string> next_cursor;
  // An ordered page whose scan a server budget cut short: why, and how far back it got.
  std::optional<std::string> partial_reason;
};
StatusOr<TraceTable> RenderTraceSearchTable(std::string_view response_body,
                                            const RenderOptions& options = {});

// The message of an error answer ({"error": {"code", "message"}}), or "HTTP 502 Bad Gateway"
// plus the start of the body when the body is something else.
std::string DescribeErrorResponse(int status, std::string_view reason, std::string_view body);

}  // namespace tokenscope::cli
