#include "server/query_api.h"

#include <charconv>
#include <chrono>

#include "base/duration.h"
#include "base/hex.h"
#include "query/filter/filter_parser.h"
#include "query/recompute.h"
#include "query/span_search.h"
#include "query/trace_search.h"
#include "server/api_json.h"

namespace tokenscope::server {
namespace {

constexpr size_t kMaxSearchLimit = 1000;

StatusOr<uint64_t> ParseUint(const ParsedTarget& t, std::string_view name, uint64_t fallback) {
  auto v = t.Param(name);
  if (!v) return fallback;
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size()) {
    return InvalidArgument("parameter '" + std::string(name) +
                           "' must be a non-negative integer, got '" + *v + "'");
  }
  return out;
}

StatusOr<std::optional<uint64_t>> ParseDurationParam(const ParsedTarget& t, std::string_view name) {
  auto v = t.Param(name);
  if (!v) return std::optional<uint64_t>();
  auto ns = ParseDurationNanos(*v);
  if (!ns) {
    return InvalidArgument("parameter '" + std::string(name) +
                           "' must be a duration like 250ms, 2s or 1h, got '" + *v + "'");
  }
  return std::optional<uint64_t>(*ns);
}

uint64_t NowUnixNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

StatusOr<query::TraceQuery> ParseTraceQuery(const ParsedTarget& t, const std::string& project) {
  query::TraceQuery q;
  q.project = project;
  TS_ASSIGN_OR_RETURN(q.start_unix_nano, ParseUint(t, "start", 0));
  TS_ASSIGN_OR_RETURN(q.end_unix_nano, ParseUint(t, "end", UINT64_MAX));
  TS_ASSIGN_OR_RETURN(auto since, ParseDurationParam(t, "since"));
  if (since) {
    if (t.Param("start")) return InvalidArgument("give either 'start' or 'since', not both");
    uint64_t now = NowUnixNanos();
    q.start_unix_nano = *since < now ? now - *since : 0;
  }
  if (q.end_unix_nano <= q.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  TS_ASSIGN_OR_RETURN(q.limit, ParseUint(t, "limit", 20));
  if (q.limit < 1 || q.limit > kMaxSearchLimit) {
    return InvalidArgument("parameter 'limit' must be between 1 and 1000");
  }
  q.cursor = t.Param("cursor").value_or("");

  auto& c = q.condition;
  if (auto v = t.Param("service")) c.service = *v;
  if (auto v = t.Param("name")) c.name = *v;
  if (auto v = t.Param("status")) {
    if (*v == "unset")
      c.status = model::StatusCode::kUnset;
    else if (*v == "ok")
      c.status = model::StatusCode::kOk;
    else if (*v == "error")
      c.status = model::StatusCode::kError;
    else
      return InvalidArgument("parameter 'status' must be unset, ok or error, got '" + *v + "'");
  }
  TS_ASSIGN_OR_RETURN(c.min_duration_ns, ParseDurationParam(t, "min_duration"));
  TS_ASSIGN_OR_RETURN(c.max_duration_ns, ParseDurationParam(t, "max_duration"));
  for (const auto& [key, value] : t.params) {
    if (key.rfind("attr.", 0) == 0 && key.size() > 5) {
      c.attribute_equals.emplace_back(key.substr(5), value);
    }
  }
  if (auto f = t.Param("filter"); f && !f->empty()) {
    auto parsed = query::filter::ParseFilter(*f);
    if (!parsed.ok()) return parsed.status().WithContext("parameter 'filter'");
    c.SetFilter(std::move(parsed).value());
  }
  return q;
}

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return MakeJsonError(req, http::status::bad_request, "invalid_argument", s.message());
}

HttpResponse ServerError(const HttpRequest& req, const Status& s) {
  return MakeJsonError(req, http::status::internal_server_error, "internal", s.ToString());
}

// A bad cursor or filter found by the query layer is the caller's mistake; the rest is ours.
HttpResponse ErrorResponse(const HttpRequest& req, const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? BadRequest(req, s) : ServerError(req, s);
}

void WriteNextCursor(JsonOut& out, const std::optional<std::string>& cursor) {
  out.Key("next_cursor");
  if (cursor) {
    out.String(*cursor);
  } else {
    out.w().Null();
  }
}

}  // namespace

HttpResponse QueryApi::GetTrace(const HttpRequest& req, const ParsedTarget& target,
                                std::string_view trace_id_hex) {
  store::TraceSpansRequest request;
  request.project = project_;
  if (trace_id_hex.size() != 32 || !HexDecode(trace_id_hex, request.trace_id.data())) {
    return BadRequest(req, InvalidArgument("trace id must be 32 hex characters, got '" +
                                           std::string(trace_id_hex) + "'"));
  }
  auto offset = ParseUint(target, "offset", 0);
  auto limit = ParseUint(target, "limit", SIZE_MAX);
  if (!offset.ok()) return BadRequest(req, offset.status());
  if (!limit.ok()) return BadRequest(req, limit.status());
  request.offset = *offset;
  request.limit = *limit;

  auto summary = store_->GetTraceSummary(project_, request.trace_id);
  if (!summary.ok()) {
    if (summary.status().code() == StatusCode::kNotFound) {
      return MakeJsonError(req, http::status::not_found, "not_found",
                           "trace " + std::string(trace_id_hex) + " not found");
    }
    return ServerError(req, summary.status());
  }
  auto batch = store_->GetTraceSpans(request);
  if (!batch.ok()) return ServerError(req, batch.status());

  JsonOut out;
  out.w().StartObject();
  out.Key("trace_id");
  out.String(HexEncode(model::AsBytes(request.trace_id)));
  out.Key("summary");
  WriteTraceSummary(out, *summary);
  out.Key("spans");
  out.w().StartArray();
  for (const auto& span : batch->spans) WriteSpan(out, *batch, span, prices_);
  out.w().EndArray();
  out.Key("total_spans");
  out.w().Uint(summary->span_count);
  out.Key("offset");
  out.w().Uint64(request.offset);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::SearchTraces(const HttpRequest& req, const ParsedTarget& target) {
  auto q = ParseTraceQuery(target, project_);
  if (!q.ok()) return BadRequest(req, q.status());
  q->condition.prices = prices_;
  auto result = query::SearchTraces(*store_, *q);
  if (!result.ok()) return ErrorResponse(req, result.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("traces");
  out.w().StartArray();
  for (const auto& t : result->traces) WriteTraceSummary(out, t);
  out.w().EndArray();
  WriteNextCursor(out, result->next_cursor);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::SearchSpans(const HttpRequest& req, const ParsedTarget& target) {
  auto q = ParseTraceQuery(target, project_);
  if (!q.ok()) return BadRequest(req, q.status());
  q->condition.prices = prices_;
  auto result = query::SearchSpans(*store_, *q);
  if (!result.ok()) return ErrorResponse(req, result.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("spans");
  out.w().StartArray();
  for (const auto& batch : result->spans) WriteSpan(out, batch, batch.spans[0], prices_);
  out.w().EndArray();
  WriteNextCursor(out, result->next_cursor);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::Reprice(const HttpRequest& req, const ParsedTarget& target) {
  auto q = ParseTraceQuery(target, project_);  // for start/end/since and their validation
  if (!q.ok()) return BadRequest(req, q.status());
  if (!target.Param("since") && !target.Param("start")) {
    return BadRequest(req, InvalidArgument("give 'since' (e.g. 7d) or 'start'"));
  }
  auto report = query::RecomputeTraceSummaries(*store_, project_, q->start_unix_nano,
                                               q->end_unix_nano, prices_);
  if (!report.ok()) return ServerError(req, report.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("traces_examined");
  out.w().Uint64(report->traces_examined);
  out.Key("traces_changed");
  out.w().Uint64(report->traces_changed);
  out.Key("cost_before_nanos_usd");
  out.w().Int64(report->cost_before_nanos);
  out.Key("cost_after_nanos_usd");
  out.w().Int64(report->cost_after_nanos);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::ListServices(const HttpRequest& req) {
  auto services = store_->ListServices(project_);
  if (!services.ok()) return ServerError(req, services.status());
  JsonOut out;
  out.w().StartObject();
  out.Key("services");
  out.w().StartArray();
  for (const auto& s : *services) out.String(s);
  out.w().EndArray();
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

}  // namespace tokenscope::server
