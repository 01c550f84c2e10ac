// Sessions: the conversations of a project. A session is the set of traces whose summary
// carries the same session id (DESIGN.md §4: `session.id`, `gen_ai.conversation.id`, … as the
// normalizer understood them); each trace is one turn.
//
// The Store has no session index, so both calls scan the time index of the range (newest
// first, like every search), read the summaries of the traces found there in batches, and
// group them by session id in memory. A trace belongs to the range when one of its spans
// starts in it; its whole summary then counts. The scan honours a budget of span summaries
// examined (as ranked search does): when it runs out before the start of the range, the answer
// covers only the newer part of it and says so with `partial` and `partial_reason`, never
// silently.
//
// ListSessions orders sessions by their latest activity (the start of their newest trace),
// newest first; ties go to the smaller session id. A page's cursor names its last session, and
// the next page continues strictly after it (each page rescans the range). Stateless;
// thread-safe as the Store is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/trace_summary.h"
#include "store/store.h"

namespace tokenscope::query {

// What a session adds up to over its traces (the traces of the scanned range).
struct SessionTotals {
  static constexpr size_t kMaxUsers = 16;
  static constexpr size_t kMaxModels = 16;

  std::string session_id;
  // The user of the newest trace that names one (ties: the smaller trace id); empty if none.
  std::string user_id;
  std::vector<std::string> user_ids;  // every distinct user, sorted, at most kMaxUsers
  uint64_t trace_count = 0;
  uint64_t first_trace_start_unix_nano = 0;  // start of the oldest trace
  uint64_t last_trace_start_unix_nano = 0;   // start of the newest trace: the last activity
  uint64_t end_unix_nano = 0;                // the latest end of any trace
  uint64_t span_count = 0;
  uint64_t error_count = 0;          // errored spans, over every trace
  uint64_t errored_trace_count = 0;  // traces with at least one errored span
  uint64_t llm_calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t total_tokens = 0;
  int64_t cost_nanos = 0;
  std::vector<std::string> models;  // distinct, sorted, at most kMaxModels
  // The trace user_id was taken from, so that any order of Add() picks the same one.
  uint64_t user_trace_start_unix_nano = 0;
  model::TraceId user_trace_id{};

  // From the start of the first trace to the end of the last one.
  uint64_t duration_ns() const {
    return end_unix_nano > first_trace_start_unix_nano ? end_unix_nano - first_trace_start_unix_nano
                                                       : 0;
  }

  // Folds one trace of the session in. Order does not matter: any order of the same traces
  // gives the same totals.
  void Add(const model::TraceSummary& trace);
};

struct SessionQuery {
  std::string project;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
  // Only sessions in which some trace has this user id; empty: every session.
  std::string user;
  size_t limit = 50;
  std::string cursor;  // opaque, from a previous SessionListResult
  // Upper bound on span summaries examined per call (as TraceQuery::max_examined).
  size_t max_examined = 500'000;
};

struct SessionListResult {
  std::vector<SessionTotals> sessions;
  std::optional<std::string> next_cursor;
  // The budget stopped the scan before the start of the range: only the traces back to the
  // time named in `partial_reason` were grouped.
  bool partial = false;
  std::string partial_reason;
  uint64_t traces_examined = 0;  // distinct traces whose summaries were read
};

StatusOr<SessionListResult> ListSessions(store::Store& store, const SessionQuery& query);

struct SessionTracesQuery {
  std::string project;
  std::string session_id;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
  size_t offset = 0;  // into the oldest-first list of the session's traces
  size_t limit = SIZE_MAX;
  size_t max_examined = 500'000;
};

struct SessionDetail {
  SessionTotals totals;                     // over every trace of the session, not the page
  std::vector<model::TraceSummary> traces;  // oldest first (ties: smaller trace id), paged
  bool partial = false;
  std::string partial_reason;
};

// NotFound when no trace of the scanned range has the session id.
StatusOr<SessionDetail> GetSession(store::Store& store, const SessionTracesQuery& query);

}  // namespace tokenscope::query
