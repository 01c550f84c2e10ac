#include "server/query_api.h"

#include <map>
#include <span>
#include <vector>

#include "base/clock.h"
#include "base/hex.h"
#include "query/filter/filter_parser.h"
#include "query/recompute.h"
#include "query/search_order.h"
#include "query/span_search.h"
#include "query/trace_search.h"
#include "server/analytics_api.h"
#include "server/api_json.h"
#include "server/query_params.h"

namespace tokenscope::server {
namespace {

constexpr size_t kMaxSearchLimit = 1000;

StatusOr<query::TraceQuery> ParseTraceQuery(const ParsedTarget& t, const std::string& project) {
  query::TraceQuery q;
  q.project = project;
  TS_ASSIGN_OR_RETURN(TimeRange range, ParseTimeRange(t));
  q.start_unix_nano = range.start_unix_nano;
  q.end_unix_nano = range.end_unix_nano;
  TS_ASSIGN_OR_RETURN(q.limit, ParseUintParam(t, "limit", 20));
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

// The `order` parameter; absent means the default newest-first order.
StatusOr<query::SearchOrder> ParseOrderParam(const ParsedTarget& t, query::SearchSubject subject) {
  auto v = t.Param("order");
  if (!v) return query::SearchOrder::kStartTimeDesc;
  auto order = query::ParseSearchOrder(*v, subject);
  if (!order.ok()) return order.status().WithContext("parameter 'order'");
  return order;
}

// What an ordered page adds to the answer. The default order writes nothing here, so its
// answers stay as they always were.
void WriteRankedPageInfo(JsonOut& out, query::SearchOrder order, bool partial,
                         const std::string& partial_reason) {
  if (!query::IsRankedOrder(order)) return;
  out.Key("order");
  out.String(query::SearchOrderName(order));
  out.Key("partial");
  out.w().Bool(partial);
  out.Key("partial_reason");
  if (partial) {
    out.String(partial_reason);
  } else {
    out.w().Null();
  }
}

// Reprice and renormalize run the same recomputation of trace summaries over the time range
// given by `since` or `start`/`end` and answer with the same report.
HttpResponse RecomputeSummaries(const HttpRequest& req, const ParsedTarget& target,
                                store::Store& store, const std::string& project,
                                const enrich::PriceTable* prices,
                                const QueryApi::RollupRebuilder& rebuild_rollups) {
  auto q = ParseTraceQuery(target, project);  // for start/end/since and their validation
  if (!q.ok()) return BadRequest(req, q.status());
  if (!target.Param("since") && !target.Param("start")) {
    return BadRequest(req, InvalidArgument("give 'since' (e.g. 7d) or 'start'"));
  }
  auto report =
      query::RecomputeTraceSummaries(store, project, q->start_unix_nano, q->end_unix_nano, prices);
  if (!report.ok()) return ServerError(req, report.status());
  std::optional<query::RollupRebuildReport> rollups;
  if (rebuild_rollups) {
    // `since` leaves the end open; the rebuild stops at now.
    const uint64_t end = q->end_unix_nano == UINT64_MAX ? UnixNanosNow() : q->end_unix_nano;
    if (end > q->start_unix_nano) {
      auto rebuilt = rebuild_rollups(project, q->start_unix_nano, end);
      if (!rebuilt.ok()) return ServerError(req, rebuilt.status());
      rollups = *rebuilt;
    }
  }
  JsonOut out;
  auto& w = out.w();
  w.StartObject();
  out.Key("traces_examined");
  w.Uint64(report->traces_examined);
  out.Key("traces_changed");
  w.Uint64(report->traces_changed);
  out.Key("cost_before_nanos_usd");
  w.Int64(report->cost_before_nanos);
  out.Key("cost_after_nanos_usd");
  w.Int64(report->cost_after_nanos);
  out.Key("normalizer_version");
  w.Uint(report->normalizer_version);
  out.Key("llm_calls_before");
  w.Uint64(report->llm_calls_before);
  out.Key("llm_calls_after");
  w.Uint64(report->llm_calls_after);
  out.Key("total_tokens_before");
  w.Int64(report->total_tokens_before);
  out.Key("total_tokens_after");
  w.Int64(report->total_tokens_after);
  if (rollups) {
    out.Key("rollups");
    WriteRollupRebuildReport(out, *rollups);
  }
  w.EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

// The log records of a trace sorted to the spans they belong to. Records with no span id, and
// when the whole trace is at hand also those naming a span the trace does not have (it may
// never arrive), are the trace's own. On a page of a trace the records of spans on other
// pages are left out. Views into the LogBatch; lives no longer than it.
class TraceLogJoin {
 public:
  TraceLogJoin(const model::LogBatch& logs, const model::SpanBatch& spans, bool whole_trace) {
    for (const auto& span : spans.spans) by_span_[span.span_id];
    for (const auto& record : logs.logs) {
      auto it = record.has_span_id() ? by_span_.find(record.span_id) : by_span_.end();
      if (it != by_span_.end()) {
        it->second.push_back(&record);
      } else if (!record.has_span_id() || whole_trace) {
        trace_logs_.push_back(&record);
      }
    }
  }

  std::span<const model::LogRecord* const> LogsOf(const model::SpanId& span_id) const {
    auto it = by_span_.find(span_id);
    if (it == by_span_.end()) return {};
    return it->second;
  }
  const std::vector<const model::LogRecord*>& trace_logs() const { return trace_logs_; }

 private:
  std::map<model::SpanId, std::vector<const model::LogRecord*>> by_span_;
  std::vector<const model::LogRecord*> trace_logs_;
};

}  // namespace

HttpResponse QueryApi::GetTrace(const std::string& project, const HttpRequest& req,
                                const ParsedTarget& target, std::string_view trace_id_hex) {
  store::TraceSpansRequest request;
  request.project = project;
  if (trace_id_hex.size() != 32 || !HexDecode(trace_id_hex, request.trace_id.data())) {
    return BadRequest(req, InvalidArgument("trace id must be 32 hex characters, got '" +
                                           std::string(trace_id_hex) + "'"));
  }
  auto offset = ParseUintParam(target, "offset", 0);
  auto limit = ParseUintParam(target, "limit", SIZE_MAX);
  if (!offset.ok()) return BadRequest(req, offset.status());
  if (!limit.ok()) return BadRequest(req, limit.status());
  request.offset = *offset;
  request.limit = *limit;

  auto summary = store_->GetTraceSummary(project, request.trace_id);
  if (!summary.ok()) {
    if (summary.status().code() == StatusCode::kNotFound) {
      return MakeJsonError(req, http::status::not_found, "not_found",
                           "trace " + std::string(trace_id_hex) + " not found");
    }
    return ServerError(req, summary.status());
  }
  auto batch = store_->GetTraceSpans(request);
  if (!batch.ok()) return ServerError(req, batch.status());
  auto logs = store_->GetTraceLogs(project, request.trace_id);
  if (!logs.ok()) return ServerError(req, logs.status());
  const bool whole_trace = request.offset == 0 && batch->spans.size() == summary->span_count;
  const TraceLogJoin join(*logs, *batch, whole_trace);

  JsonOut out;
  out.w().StartObject();
  out.Key("trace_id");
  out.String(HexEncode(model::AsBytes(request.trace_id)));
  out.Key("summary");
  WriteTraceSummary(out, *summary);
  out.Key("spans");
  out.w().StartArray();
  for (const auto& span : batch->spans) {
    WriteSpan(out, *batch, span, prices_, join.LogsOf(span.span_id));
  }
  out.w().EndArray();
  out.Key("logs");
  out.w().StartArray();
  for (const model::LogRecord* record : join.trace_logs()) {
    WriteLogRecord(out, *record, &logs->ResourceOf(*record), &logs->ScopeOf(*record));
  }
  out.w().EndArray();
  out.Key("total_spans");
  out.w().Uint(summary->span_count);
  out.Key("offset");
  out.w().Uint64(request.offset);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::SearchTraces(const std::string& project, const HttpRequest& req,
                                    const ParsedTarget& target) {
  auto q = ParseTraceQuery(target, project);
  if (!q.ok()) return BadRequest(req, q.status());
  auto order = ParseOrderParam(target, query::SearchSubject::kTraces);
  if (!order.ok()) return BadRequest(req, order.status());
  q->order = *order;
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
  WriteRankedPageInfo(out, q->order, result->partial, result->partial_reason);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::SearchSpans(const std::string& project, const HttpRequest& req,
                                   const ParsedTarget& target) {
  auto q = ParseTraceQuery(target, project);
  if (!q.ok()) return BadRequest(req, q.status());
  auto order = ParseOrderParam(target, query::SearchSubject::kSpans);
  if (!order.ok()) return BadRequest(req, order.status());
  q->order = *order;
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
  WriteRankedPageInfo(out, q->order, result->partial, result->partial_reason);
  out.w().EndObject();
  return MakeResponse(req, http::status::ok, out.Take(), "application/json");
}

HttpResponse QueryApi::Reprice(const std::string& project, const HttpRequest& req,
                               const ParsedTarget& target) {
  return Recompute(project, req, target);
}

HttpResponse QueryApi::Renormalize(const std::string& project, const HttpRequest& req,
                                   const ParsedTarget& target) {
  return Recompute(project, req, target);
}

HttpResponse QueryApi::Recompute(const std::string& project, const HttpRequest& req,
                                 const ParsedTarget& target) {
  return RecomputeSummaries(req, target, *store_, project, prices_, rebuild_rollups_);
}

HttpResponse QueryApi::ListServices(const std::string& project, const HttpRequest& req,
                                    const ParsedTarget& /*target*/) {
  auto services = store_->ListServices(project);
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
