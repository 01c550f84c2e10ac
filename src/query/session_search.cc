#include "query/session_search.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/base64.h"
#include "query/trace_id_hash.h"

namespace tokenscope::query {
namespace {

// Trace ids found by the scan are looked up in batches of this many summaries.
constexpr size_t kSummaryBatch = 512;

// The first byte of a session cursor; other cursors (query/cursor.h) start with 1 or 2.
constexpr char kSessionCursorVersion = 'S';

// Inserts `value` into the sorted, distinct `list` unless the list is full.
void AddDistinct(std::vector<std::string>& list, const std::string& value, size_t max) {
  if (value.empty()) return;
  auto it = std::lower_bound(list.begin(), list.end(), value);
  if (it != list.end() && *it == value) return;
  if (list.size() >= max) return;
  list.insert(it, value);
}

// Visits the summary of every trace that has a span in [start, end), once each, within a
// budget of span summaries examined.
class TraceSummaryScan {
 public:
  using Visitor = std::function<void(model::TraceSummary&)>;

  TraceSummaryScan(store::Store& store, const std::string& project, uint64_t start, uint64_t end,
                   size_t max_examined)
      : store_(store), project_(project), start_(start), end_(end), max_examined_(max_examined) {}

  Status Run(const Visitor& visit) {
    store::SpanScan scan;
    scan.project = project_;
    scan.start_unix_nano = start_;
    scan.end_unix_nano = end_;
    Status visit_status;
    TS_RETURN_IF_ERROR(
        store_.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition&) {
          if (examined_ >= max_examined_) {
            Cut();
            return false;
          }
          ++examined_;
          oldest_start_ = s.start_time_unix_nano;
          if (!seen_.insert(s.trace_id).second) return true;
          pending_.push_back(s.trace_id);
          if (pending_.size() < kSummaryBatch) return true;
          visit_status = Flush(visit);
          return visit_status.ok();
        }));
    TS_RETURN_IF_ERROR(visit_status);
    return Flush(visit);
  }

  bool partial() const { return !reason_.empty(); }
  const std::string& partial_reason() const { return reason_; }
  uint64_t traces() const { return seen_.size(); }

 private:
  Status Flush(const Visitor& visit) {
    if (pending_.empty()) return Status::Ok();
    TS_ASSIGN_OR_RETURN(auto summaries, store_.GetTraceSummaries(project_, pending_));
    pending_.clear();
    for (auto& summary : summaries) visit(summary);
    return Status::Ok();
  }

  void Cut() {
    reason_ = "the scan stopped at the max_examined budget (" + std::to_string(max_examined_) +
              " span summaries examined) before the start of the time range; the sessions "
              "cover traces with spans back to " +
              std::to_string(oldest_start_) +
              " (unix ns). Narrow the time range for a complete answer";
  }

  store::Store& store_;
  const std::string& project_;
  const uint64_t start_;
  const uint64_t end_;
  const size_t max_examined_;
  size_t examined_ = 0;
  uint64_t oldest_start_ = 0;
  std::unordered_set<model::TraceId, TraceIdHash> seen_;
  std::vector<model::TraceId> pending_;  // found, summary not yet read
  std::string reason_;
};

// Newest activity first, then the smaller session id.
bool ComesBefore(uint64_t a_last, const std::string& a_id, uint64_t b_last,
                 const std::string& b_id) {
  return a_last != b_last ? a_last > b_last : a_id < b_id;
}

struct SessionCursor {
  uint64_t last_trace_start_unix_nano = 0;
  std::string session_id;

  std::string Encode() const {
    std::string raw(1, kSessionCursorVersion);
    for (int shift = 56; shift >= 0; shift -= 8) {
      raw += static_cast<char>((last_trace_start_unix_nano >> shift) & 0xFF);
    }
    raw += session_id;
    std::string text = Base64Encode(raw);
    for (char& c : text) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
  }

  static StatusOr<SessionCursor> Decode(std::string_view text) {
    auto raw = Base64Decode(text);
    if (!raw || raw->size() < 1 + 8 || (*raw)[0] != kSessionCursorVersion) {
      return InvalidArgument("cursor is not one this server issued for a session list");
    }
    SessionCursor cursor;
    for (size_t i = 1; i <= 8; ++i) {
      cursor.last_trace_start_unix_nano =
          (cursor.last_trace_start_unix_nano << 8) | static_cast<uint8_t>((*raw)[i]);
    }
    cursor.session_id = raw->substr(1 + 8);
    return cursor;
  }
};

// Oldest first, then the smaller trace id.
bool StartsBefore(const model::TraceSummary& a, const model::TraceSummary& b) {
  return std::tie(a.start_time_unix_nano, a.trace_id) <
         std::tie(b.start_time_unix_nano, b.trace_id);
}

}  // namespace

void SessionTotals::Add(const model::TraceSummary& trace) {
  const uint64_t start = trace.start_time_unix_nano;
  const model::LlmTotals& llm = trace.llm;
  if (trace_count == 0 || start < first_trace_start_unix_nano) {
    first_trace_start_unix_nano = start;
  }
  last_trace_start_unix_nano = std::max(last_trace_start_unix_nano, start);
  end_unix_nano = std::max({end_unix_nano, trace.end_time_unix_nano, start});
  ++trace_count;
  span_count += trace.span_count;
  error_count += trace.error_count;
  if (trace.error_count > 0) ++errored_trace_count;
  llm_calls += llm.llm_calls;
  input_tokens += llm.input_tokens;
  output_tokens += llm.output_tokens;
  total_tokens += llm.total_tokens;
  cost_nanos += llm.cost_nanos;
  for (const auto& m : llm.models) AddDistinct(models, m, kMaxModels);
  AddDistinct(user_ids, llm.user_id, kMaxUsers);
  if (!llm.user_id.empty()) {
    const bool newer = start > user_trace_start_unix_nano ||
                       (start == user_trace_start_unix_nano && trace.trace_id < user_trace_id);
    if (user_id.empty() || newer) {
      user_id = llm.user_id;
      user_trace_start_unix_nano = start;
      user_trace_id = trace.trace_id;
    }
  }
}

StatusOr<SessionListResult> ListSessions(store::Store& store, const SessionQuery& query) {
  if (query.limit == 0) return InvalidArgument("limit must be at least 1");
  std::optional<SessionCursor> after;
  if (!query.cursor.empty()) {
    TS_ASSIGN_OR_RETURN(after, SessionCursor::Decode(query.cursor));
  }

  std::unordered_map<std::string, SessionTotals> sessions;
  std::unordered_set<std::string> of_user;  // sessions with a trace of query.user
  TraceSummaryScan scan(store, query.project, query.start_unix_nano, query.end_unix_nano,
                        query.max_examined);
  TS_RETURN_IF_ERROR(scan.Run([&](model::TraceSummary& trace) {
    const std::string& id = trace.llm.session_id;
    if (id.empty()) return;
    SessionTotals& session = sessions[id];
    if (session.session_id.empty()) session.session_id = id;
    session.Add(trace);
    if (!query.user.empty() && trace.llm.user_id == query.user) of_user.insert(id);
  }));

  std::vector<SessionTotals> ordered;
  ordered.reserve(sessions.size());
  for (auto& [id, session] : sessions) {
    if (!query.user.empty() && of_user.count(id) == 0) continue;
    if (after && !ComesBefore(after->last_trace_start_unix_nano, after->session_id,
                              session.last_trace_start_unix_nano, id)) {
      continue;
    }
    ordered.push_back(std::move(session));
  }
  auto before = [](const SessionTotals& a, const SessionTotals& b) {
    return ComesBefore(a.last_trace_start_unix_nano, a.session_id, b.last_trace_start_unix_nano,
                       b.session_id);
  };
  const bool has_more = ordered.size() > query.limit;
  if (has_more) {
    std::partial_sort(ordered.begin(), ordered.begin() + static_cast<ptrdiff_t>(query.limit),
                      ordered.end(), before);
    ordered.resize(query.limit);
  } else {
    std::sort(ordered.begin(), ordered.end(), before);
  }

  SessionListResult result;
  result.sessions = std::move(ordered);
  if (has_more) {
    const SessionTotals& last = result.sessions.back();
    result.next_cursor = SessionCursor{last.last_trace_start_unix_nano, last.session_id}.Encode();
  }
  result.partial = scan.partial();
  result.partial_reason = scan.partial_reason();
  result.traces_examined = scan.traces();
  return result;
}

StatusOr<SessionDetail> GetSession(store::Store& store, const SessionTracesQuery& query) {
  if (query.session_id.empty()) return InvalidArgument("session id must not be empty");
  SessionDetail detail;
  detail.totals.session_id = query.session_id;
  std::vector<model::TraceSummary> traces;
  TraceSummaryScan scan(store, query.project, query.start_unix_nano, query.end_unix_nano,
                        query.max_examined);
  TS_RETURN_IF_ERROR(scan.Run([&](model::TraceSummary& trace) {
    if (trace.llm.session_id != query.session_id) return;
    detail.totals.Add(trace);
    traces.push_back(std::move(trace));
  }));
  detail.partial = scan.partial();
  detail.partial_reason = scan.partial_reason();
  if (traces.empty()) {
    return NotFound(
        "session " + query.session_id + " has no traces in the time range" +
        (detail.partial ? " (as far as the scan got: " + detail.partial_reason + ")" : ""));
  }
  std::sort(traces.begin(), traces.end(), StartsBefore);
  const size_t first = std::min(query.offset, traces.size());
  const size_t count = std::min(query.limit, traces.size() - first);
  detail.traces.assign(
      std::make_move_iterator(traces.begin() + static_cast<ptrdiff_t>(first)),
      std::make_move_iterator(traces.begin() + static_cast<ptrdiff_t>(first + count)));
  return detail;
}

}  // namespace tokenscope::query
