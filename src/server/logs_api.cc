#include "server/logs_api.h"

#include "query/log_search.h"
#include "server/api_json.h"
#include "server/query_params.h"

namespace tokenscope::server {
namespace {

constexpr uint64_t kMaxLogLimit = 1000;

StatusOr<query::LogQuery> ParseLogQuery(const ParsedTarget& t, const std::string& project) {
  query::LogQuery q;
  q.project = project;
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRange(t));
  q.start_unix_nano = range.start_unix_nano;
  q.end_unix_nano = range.end_unix_nano;
  TS_ASSIGN_OR_RETURN(q.trace_id, ParseTraceIdParam(t, "trace_id"));
  TS_ASSIGN_OR_RETURN(q.span_id, ParseSpanIdParam(t, "span_id"));
  if (q.span_id && !q.trace_id) {
    return InvalidArgument("parameter 'span_id' needs 'trace_id' as well");
  }
  q.service = t.Param("service").value_or("");
  q.event_name = t.Param("event").value_or("");
  q.text = t.Param("q").value_or("");
  if (auto v = t.Param("severity")) {
    auto severity = query::ParseSeverity(*v);
    if (!severity.ok()) return severity.status().WithContext("parameter 'severity'");
    q.min_severity = *severity;
  }
  if (auto v = t.Param("uncorrelated")) {
    if (*v != "true" && *v != "false") {
      return InvalidArgument("parameter 'uncorrelated' must be true or false, got '" + *v + "'");
    }
    q.uncorrelated_only = *v == "true";
  }
  TS_ASSIGN_OR_RETURN(q.limit, ParseUintParam(t, "limit", 100));
  if (q.limit < 1 || q.limit > kMaxLogLimit) {
    return InvalidArgument("parameter 'limit' must be between 1 and 1000");
  }
  q.cursor = t.Param("cursor").value_or("");
  return q;
}

}  // namespace

HttpResponse LogsApi::SearchLogs(const std::string& project, const HttpRequest& req,
                                 const ParsedTarget& target) {
  auto q = ParseLogQuery(target, project);
  if (!q.ok()) {
    return MakeJsonError(req, http::status::bad_request, "invalid_argument", q.status().message());
  }
  JsonOut out;
  out.w().StartObject();
  out.Key("logs");
  out.w().StartArray();
  auto page = query::SearchLogs(
      *store_, *q,
      [&](const model::LogRecord& record, const model::Resource& resource,
          const model::Scope& scope) { WriteLogRecord(out, record, &resource, &scope); });
  if (!page.ok()) {
    const bool caller = page.status().code() == StatusCode::kInvalidArgument;
    return MakeJsonError(req,
                         caller ? http::status::bad_request : http::status::internal_server_error,
                         caller ? "invalid_argument" : "internal", page.status().message());
  }
  out.w().EndArray();
  out.Key("next_cursor");
  if (page->next_cursor) {
    out.String(*page->next_cursor);
  } else {
    out.w().Null();
  }
  out.Key("examined");
  out.w().Uint64(page->examined);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

}  // namespace tokenscope::server
