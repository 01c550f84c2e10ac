#include "query/ranked_search.h"

#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "enrich/span_analysis.h"
#include "query/cursor.h"
#include "query/ranking.h"
#include "query/scan_planning.h"
#include "query/trace_id_hash.h"

namespace tokenscope::query {
namespace {

// Matched trace ids are looked up in batches of this many summaries.
constexpr size_t kSummaryBatch = 512;

// Counts the scan against the query's budgets and remembers which one ran out, and where.
class ScanBudget {
 public:
  explicit ScanBudget(const TraceQuery& query) : query_(query) {}

  // Call before examining the next span summary; false once max_examined is spent.
  bool TakeExamined(uint64_t start_unix_nano) {
    if (examined_ >= query_.max_examined) {
      Cut("max_examined", query_.max_examined, "span summaries examined");
      return false;
    }
    ++examined_;
    oldest_start_ = start_unix_nano;
    return true;
  }

  // Call before reading a whole span; false once max_full_span_reads is spent.
  bool TakeFullRead() {
    if (full_reads_ >= query_.max_full_span_reads) {
      Cut("max_full_span_reads", query_.max_full_span_reads, "whole spans read");
      return false;
    }
    ++full_reads_;
    return true;
  }

  bool cut() const { return !reason_.empty(); }
  const std::string& reason() const { return reason_; }

 private:
  void Cut(std::string_view budget, size_t limit, std::string_view what) {
    reason_ = "the scan stopped at the " + std::string(budget) + " budget (" +
              std::to_string(limit) + " " + std::string(what) +
              ") before the start of the time range; the ranking covers spans back to " +
              std::to_string(oldest_start_) +
              " (unix ns). Narrow the time range or the filter for a complete answer";
  }

  const TraceQuery& query_;
  size_t examined_ = 0;
  size_t full_reads_ = 0;
  uint64_t oldest_start_ = 0;
  std::string reason_;
};

store::SpanScan ScanFor(const TraceQuery& query) {
  store::SpanScan scan;
  scan.project = query.project;
  scan.start_unix_nano = query.start_unix_nano;
  scan.end_unix_nano = query.end_unix_nano;
  scan.index = ChooseIndex(query.condition);
  return scan;
}

StatusOr<std::optional<RankKey>> PageStart(const TraceQuery& query) {
  if (query.cursor.empty()) return std::optional<RankKey>();
  TS_ASSIGN_OR_RETURN(RankCursor cursor, RankCursor::Decode(query.cursor, query.order));
  return std::optional<RankKey>(cursor.last);
}

// Reads the whole span for the conditions that need it (and for the LLM section the order
// ranks by). nullopt when the span is gone or fails a condition.
StatusOr<std::optional<model::SpanBatch>> ReadMatchingSpan(store::Store& store,
                                                           const TraceQuery& query,
                                                           const store::SpanSummary& s) {
  auto span = store.GetSpan(query.project, s.trace_id, s.span_id);
  if (!span.ok()) {
    if (span.status().code() == StatusCode::kNotFound) return std::optional<model::SpanBatch>();
    return span.status();
  }
  if (span->spans.empty() || !query.condition.MatchesFullSpan(*span, span->spans[0])) {
    return std::optional<model::SpanBatch>();
  }
  return std::optional<model::SpanBatch>(std::move(span).value());
}

class RankedTraceSearch {
 public:
  RankedTraceSearch(store::Store& store, const TraceQuery& query, std::optional<RankKey> after)
      : store_(store), query_(query), budget_(query), top_(query.limit, after) {}

  StatusOr<TraceSearchResult> Run() {
    Status visit_status;
    TS_RETURN_IF_ERROR(store_.ScanSpans(
        ScanFor(query_), [&](const store::SpanSummary& s, const store::ScanPosition&) {
          if (!budget_.TakeExamined(s.start_time_unix_nano)) return false;
          visit_status = Consider(s);
          return visit_status.ok() && !budget_.cut();
        }));
    TS_RETURN_IF_ERROR(visit_status);
    TS_RETURN_IF_ERROR(RankPending());

    TraceSearchResult result;
    bool has_more = top_.has_more();
    RankKey last_key;
    for (auto& [key, summary] : top_.TakeBestFirst()) {
      last_key = key;
      result.traces.push_back(std::move(summary));
    }
    if (has_more) result.next_cursor = RankCursor{query_.order, last_key}.Encode();
    result.partial = budget_.cut();
    result.partial_reason = budget_.reason();
    return result;
  }

 private:
  // A trace enters the ranking once, at its first matching span.
  Status Consider(const store::SpanSummary& s) {
    if (matched_.count(s.trace_id) != 0) return Status::Ok();
    if (!query_.condition.MatchesSummary(s)) return Status::Ok();
    if (query_.condition.NeedsFullSpan()) {
      if (!budget_.TakeFullRead()) return Status::Ok();
      TS_ASSIGN_OR_RETURN(auto span, ReadMatchingSpan(store_, query_, s));
      if (!span) return Status::Ok();
    }
    matched_.insert(s.trace_id);
    pending_.push_back(s.trace_id);
    return pending_.size() >= kSummaryBatch ? RankPending() : Status::Ok();
  }

  Status RankPending() {
    if (pending_.empty()) return Status::Ok();
    TS_ASSIGN_OR_RETURN(auto summaries, store_.GetTraceSummaries(query_.project, pending_));
    pending_.clear();
    for (auto& summary : summaries) {
      RankKey key = TraceRankKey(query_.order, summary);
      top_.Offer(key, std::move(summary));
    }
    return Status::Ok();
  }

  store::Store& store_;
  const TraceQuery& query_;
  ScanBudget budget_;
  TopRanked<model::TraceSummary> top_;
  std::unordered_set<model::TraceId, TraceIdHash> matched_;
  std::vector<model::TraceId> pending_;  // matched, summary not yet ranked
};

struct SpanRef {
  model::TraceId trace_id{};
  model::SpanId span_id{};
};

class RankedSpanSearch {
 public:
  RankedSpanSearch(store::Store& store, const TraceQuery& query, std::optional<RankKey> after)
      : store_(store), query_(query), budget_(query), top_(query.limit, after) {}

  StatusOr<SpanSearchResult> Run() {
    Status visit_status;
    TS_RETURN_IF_ERROR(store_.ScanSpans(
        ScanFor(query_), [&](const store::SpanSummary& s, const store::ScanPosition&) {
          if (!budget_.TakeExamined(s.start_time_unix_nano)) return false;
          visit_status = Consider(s);
          return visit_status.ok() && !budget_.cut();
        }));
    TS_RETURN_IF_ERROR(visit_status);

    SpanSearchResult result;
    bool has_more = top_.has_more();
    RankKey last_key;
    for (const auto& [key, ref] : top_.TakeBestFirst()) {
      last_key = key;
      auto span = store_.GetSpan(query_.project, ref.trace_id, ref.span_id);
      if (span.ok()) {
        result.spans.push_back(std::move(span).value());
      } else if (span.status().code() != StatusCode::kNotFound) {
        return span.status();
      }
    }
    if (has_more) result.next_cursor = RankCursor{query_.order, last_key}.Encode();
    result.partial = budget_.cut();
    result.partial_reason = budget_.reason();
    return result;
  }

 private:
  Status Consider(const store::SpanSummary& s) {
    if (!query_.condition.MatchesSummary(s)) return Status::Ok();
    bool needs_llm = SpanOrderNeedsLlm(query_.order);
    if (!query_.condition.NeedsFullSpan() && !needs_llm) {
      top_.Offer(SpanRankKey(query_.order, s, nullptr), {s.trace_id, s.span_id});
      return Status::Ok();
    }
    if (!budget_.TakeFullRead()) return Status::Ok();
    TS_ASSIGN_OR_RETURN(auto batch, ReadMatchingSpan(store_, query_, s));
    if (!batch) return Status::Ok();
    std::optional<model::LlmInfo> llm;
    if (needs_llm) {
      const model::Span& span = batch->spans[0];
      llm = enrich::PricedLlmInfo(span, batch->ResourceOf(span), batch->ScopeOf(span),
                                  query_.condition.prices);
    }
    top_.Offer(SpanRankKey(query_.order, s, llm ? &*llm : nullptr), {s.trace_id, s.span_id});
    return Status::Ok();
  }

  store::Store& store_;
  const TraceQuery& query_;
  ScanBudget budget_;
  TopRanked<SpanRef> top_;
};

}  // namespace

StatusOr<TraceSearchResult> SearchTracesRanked(store::Store& store, const TraceQuery& query) {
  if (query.limit == 0) return InvalidArgument("limit must be at least 1");
  TS_ASSIGN_OR_RETURN(auto after, PageStart(query));
  return RankedTraceSearch(store, query, after).Run();
}

StatusOr<SpanSearchResult> SearchSpansRanked(store::Store& store, const TraceQuery& query) {
  if (query.limit == 0) return InvalidArgument("limit must be at least 1");
  if (query.order == SearchOrder::kStartTimeAsc || query.order == SearchOrder::kLlmCallsDesc) {
    return InvalidArgument("spans cannot be ordered by " +
                           std::string(SearchOrderName(query.order)) + "; use one of " +
                           AllowedOrderNames(SearchSubject::kSpans));
  }
  TS_ASSIGN_OR_RETURN(auto after, PageStart(query));
  return RankedSpanSearch(store, query, after).Run();
}

}  // namespace tokenscope::query
