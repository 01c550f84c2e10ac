// SearchLogs: the log search of GET /api/v1/logs — log records of a project, newest first,
// filtered by trace, span, service, event name, minimum severity and text, with a cursor.
// Records correlated with no span (or with a span that never arrived) are found here like any
// other. Calls back with each match instead of collecting them, because a match is a view into
// the store's scan that lives only during the call. Stateless; thread-safe as the Store is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "model/log_record.h"
#include "store/store.h"

namespace tokenscope::query {

struct LogQuery {
  std::string project;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
  // With a trace id the trace's records are read directly (oldest first), not scanned.
  std::optional<model::TraceId> trace_id;
  std::optional<model::SpanId> span_id;  // only with trace_id
  std::string service;                   // exact service.name; empty = any
  std::string event_name;                // exact event name; empty = any
  int32_t min_severity = 0;              // OTLP SeverityNumber; 0 = any
  std::string text;                      // substring of a string in the body; empty = any
  bool uncorrelated_only = false;        // only records with no trace id
  size_t limit = 100;
  std::string cursor;  // from a previous page's next_cursor
  // Records examined per call before the page ends early (with a cursor to go on).
  size_t max_examined = 200'000;
};

struct LogSearchPage {
  std::optional<std::string> next_cursor;
  size_t examined = 0;
};

using LogMatchVisitor =
    std::function<void(const model::LogRecord&, const model::Resource&, const model::Scope&)>;

// Parses a severity given as a number (1-24) or a name (TRACE, DEBUG, INFO, WARN, ERROR,
// FATAL, any case): the lowest SeverityNumber of that range.
StatusOr<int32_t> ParseSeverity(std::string_view text);

// Calls `visit` with each matching record, up to query.limit. InvalidArgument for a malformed
// cursor or a span id without a trace id.
StatusOr<LogSearchPage> SearchLogs(store::Store& store, const LogQuery& query,
                                   const LogMatchVisitor& visit);

}  // namespace tokenscope::query
