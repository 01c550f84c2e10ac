#include "server/sessions_api.h"

#include "query/session_search.h"
#include "server/api_json.h"
#include "server/query_params.h"

namespace tokenscope::server {
namespace {

constexpr uint64_t kMaxSessionsLimit = 1000;
constexpr uint64_t kDefaultSessionsLimit = 50;
constexpr uint64_t kMaxSessionTraces = 10000;
constexpr uint64_t kDefaultSessionTraces = 1000;
// The longest session id accepted in a path; longer ones cannot be stored anyway.
constexpr size_t kMaxSessionIdBytes = 4096;

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return MakeJsonError(req, http::status::bad_request, "invalid_argument", s.message());
}

// A bad cursor found by the query layer is the caller's mistake; the rest is ours.
HttpResponse QueryError(const HttpRequest& req, const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) {
    return BadRequest(req, s.WithContext("parameter 'cursor'"));
  }
  if (s.code() == StatusCode::kNotFound) {
    return MakeJsonError(req, http::status::not_found, "not_found", s.message());
  }
  return MakeJsonError(req, http::status::internal_server_error, "internal", s.ToString());
}

// `limit` between 1 and `max`, `fallback` when absent.
StatusOr<uint64_t> ParseLimit(const ParsedTarget& t, uint64_t fallback, uint64_t max) {
  TS_ASSIGN_OR_RETURN(uint64_t limit, ParseUintParam(t, "limit", fallback));
  if (limit < 1 || limit > max) {
    return InvalidArgument("parameter 'limit' must be between 1 and " + std::to_string(max));
  }
  return limit;
}

StatusOr<query::SessionQuery> ParseSessionQuery(const ParsedTarget& t, const std::string& project) {
  query::SessionQuery q;
  q.project = project;
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRange(t));
  q.start_unix_nano = range.start_unix_nano;
  q.end_unix_nano = range.end_unix_nano;
  q.user = t.Param("user").value_or("");
  TS_ASSIGN_OR_RETURN(q.limit, ParseLimit(t, kDefaultSessionsLimit, kMaxSessionsLimit));
  q.cursor = t.Param("cursor").value_or("");
  return q;
}

void WritePartial(JsonOut& out, bool partial, const std::string& reason) {
  out.Key("partial");
  out.w().Bool(partial);
  out.Key("partial_reason");
  if (partial) {
    out.String(reason);
  } else {
    out.w().Null();
  }
}

void WriteStrings(JsonOut& out, const std::vector<std::string>& list) {
  out.w().StartArray();
  for (const auto& s : list) out.String(s);
  out.w().EndArray();
}

void WriteSession(JsonOut& out, const query::SessionTotals& s) {
  auto& w = out.w();
  w.StartObject();
  out.Key("session_id");
  out.String(s.session_id);
  out.Key("user_id");
  out.String(s.user_id);
  out.Key("user_ids");
  WriteStrings(out, s.user_ids);
  out.Key("trace_count");
  w.Uint64(s.trace_count);
  out.Key("first_trace_start_unix_nano");
  out.Nanos(s.first_trace_start_unix_nano);
  out.Key("last_trace_start_unix_nano");
  out.Nanos(s.last_trace_start_unix_nano);
  out.Key("end_time_unix_nano");
  out.Nanos(s.end_unix_nano);
  out.Key("duration_ns");
  w.Uint64(s.duration_ns());
  out.Key("span_count");
  w.Uint64(s.span_count);
  out.Key("llm_call_count");
  w.Uint64(s.llm_calls);
  out.Key("input_tokens");
  w.Int64(s.input_tokens);
  out.Key("output_tokens");
  w.Int64(s.output_tokens);
  out.Key("total_tokens");
  w.Int64(s.total_tokens);
  out.Key("cost_nanos_usd");
  w.Int64(s.cost_nanos);
  out.Key("cost_usd");
  w.Double(static_cast<double>(s.cost_nanos) / 1e9);
  out.Key("error_count");
  w.Uint64(s.error_count);
  out.Key("errored_trace_count");
  w.Uint64(s.errored_trace_count);
  out.Key("models");
  WriteStrings(out, s.models);
  w.EndObject();
}

}  // namespace

HttpResponse SessionsApi::ListSessions(const std::string& project, const HttpRequest& req,
                                       const ParsedTarget& target) {
  auto q = ParseSessionQuery(target, project);
  if (!q.ok()) return BadRequest(req, q.status());
  auto result = query::ListSessions(*store_, *q);
  if (!result.ok()) return QueryError(req, result.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("sessions");
  out.w().StartArray();
  for (const auto& s : result->sessions) WriteSession(out, s);
  out.w().EndArray();
  out.Key("next_cursor");
  if (result->next_cursor) {
    out.String(*result->next_cursor);
  } else {
    out.w().Null();
  }
  WritePartial(out, result->partial, result->partial_reason);
  out.Key("traces_examined");
  out.w().Uint64(result->traces_examined);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse SessionsApi::GetSession(const std::string& project, const HttpRequest& req,
                                     const ParsedTarget& target, std::string_view session_id) {
  if (session_id.empty() || session_id.size() > kMaxSessionIdBytes) {
    return BadRequest(req, InvalidArgument("session id must be 1 to " +
                                           std::to_string(kMaxSessionIdBytes) + " bytes"));
  }
  query::SessionTracesQuery q;
  q.project = project;
  q.session_id = std::string(session_id);
  auto range = ParseTimeRange(target);
  if (!range.ok()) return BadRequest(req, range.status());
  q.start_unix_nano = range->start_unix_nano;
  q.end_unix_nano = range->end_unix_nano;
  auto offset = ParseUintParam(target, "offset", 0);
  if (!offset.ok()) return BadRequest(req, offset.status());
  auto limit = ParseLimit(target, kDefaultSessionTraces, kMaxSessionTraces);
  if (!limit.ok()) return BadRequest(req, limit.status());
  q.offset = *offset;
  q.limit = *limit;

  auto detail = query::GetSession(*store_, q);
  if (!detail.ok()) return QueryError(req, detail.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("session_id");
  out.String(q.session_id);
  out.Key("session");
  WriteSession(out, detail->totals);
  out.Key("traces");
  out.w().StartArray();
  for (const auto& t : detail->traces) WriteTraceSummary(out, t);
  out.w().EndArray();
  out.Key("offset");
  out.w().Uint64(q.offset);
  WritePartial(out, detail->partial, detail->partial_reason);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

}  // namespace tokenscope::server
