// Ranking for the ordered (non-default) searches: RankKey places a trace or span in a
// SearchOrder, and TopRanked keeps the best `limit` results after a page boundary with a
// bounded heap, so a scan over a whole time window needs memory for one page only.
//
// Every order is expressed as one RankKey shape: a larger `primary` ranks first, ties go to
// the later start, then to the smaller trace id, then to the smaller span id. Keys are total
// (no two results share one), which is what makes pages deterministic and lets a cursor name
// the exact place the previous page ended. Plain data and a single-threaded container.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "model/llm.h"
#include "model/span.h"
#include "model/trace_summary.h"
#include "query/search_order.h"
#include "store/store.h"

namespace tokenscope::query {

struct RankKey {
  uint64_t primary = 0;          // the sort value, mapped so that larger ranks first
  uint64_t start_unix_nano = 0;  // first tie-breaker: later start first
  model::TraceId trace_id{};     // then ascending trace id
  model::SpanId span_id{};       // then ascending span id (all zero for traces)
};

// True when `a` comes before `b` in result order.
bool RanksBefore(const RankKey& a, const RankKey& b);

// The key of a trace in `order`, from its summary (the LLM totals computed at ingest).
RankKey TraceRankKey(SearchOrder order, const model::TraceSummary& summary);

// The key of a span in `order`, from its summary and its priced LLM section (`llm`, null when
// the span has none or the order does not need it); spans without cost or tokens rank as zero.
RankKey SpanRankKey(SearchOrder order, const store::SpanSummary& span, const model::LlmInfo* llm);

// Orders whose span keys need the span's LLM section, so every candidate span is read whole.
bool SpanOrderNeedsLlm(SearchOrder order);

// The `limit` best results ranking strictly after `after` (the previous page's last key).
// Offer is O(log limit); memory is O(limit).
template <typename T>
class TopRanked {
 public:
  TopRanked(size_t limit, std::optional<RankKey> after) : limit_(limit), after_(after) {}

  void Offer(const RankKey& key, T value) {
    if (after_ && !RanksBefore(*after_, key)) return;  // on an earlier page
    ++qualified_;
    if (heap_.size() < limit_) {
      heap_.emplace_back(key, std::move(value));
      std::push_heap(heap_.begin(), heap_.end(), WorstOnTop());
    } else if (!heap_.empty() && RanksBefore(key, heap_.front().first)) {
      std::pop_heap(heap_.begin(), heap_.end(), WorstOnTop());
      heap_.back() = {key, std::move(value)};
      std::push_heap(heap_.begin(), heap_.end(), WorstOnTop());
    }
  }

  // True when more results qualified than one page holds: there is a next page.
  bool has_more() const { return qualified_ > limit_; }

  // The kept results, best first. Leaves the container empty.
  std::vector<std::pair<RankKey, T>> TakeBestFirst() {
    std::sort(heap_.begin(), heap_.end(),
              [](const auto& a, const auto& b) { return RanksBefore(a.first, b.first); });
    return std::move(heap_);
  }

 private:
  // Orders the heap so that the result ranking last sits on top, to be evicted first.
  struct WorstOnTop {
    bool operator()(const std::pair<RankKey, T>& a, const std::pair<RankKey, T>& b) const {
      return RanksBefore(a.first, b.first);
    }
  };

  size_t limit_;
  std::optional<RankKey> after_;
  size_t qualified_ = 0;
  std::vector<std::pair<RankKey, T>> heap_;  // a heap under WorstOnTop
};

}  // namespace tokenscope::query
