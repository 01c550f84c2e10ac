#include "query/metrics_query.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>

#include "enrich/span_analysis.h"
#include "query/rollup_subject.h"
#include "query/scan_planning.h"
#include "query/trace_query.h"

namespace tokenscope::query {
namespace {

constexpr std::string_view kUser = "user";
constexpr std::string_view kSession = "session";

// One call (scan path) or one stored cell (rollup path) to fold.
struct Contribution {
  const rollup::RollupKey& key;
  const rollup::RollupCell& cell;
  std::string_view user;     // scan path only
  std::string_view session;  // scan path only
};
using ContributionVisitor = std::function<void(const Contribution&)>;

struct SourceReport {
  bool from_rollups = false;
  bool partial = false;
  std::string partial_reason;
};

bool NeedsScan(const CallSelection& selection) {
  if (selection.force_scan) return true;
  for (const std::string& name : selection.group_by) {
    if (name == kUser || name == kSession) return true;
  }
  return !RollupAnswers(selection.filter, selection.dimensions);
}

uint64_t CeilMinute(uint64_t unix_nano) {
  return unix_nano / rollup::kNanosPerMinute + (unix_nano % rollup::kNanosPerMinute != 0);
}

Status VisitRollups(store::Store& store, const CallSelection& selection,
                    const ContributionVisitor& visit) {
  store::RollupScan scan;
  scan.project = selection.project;
  scan.start_minute = rollup::MinuteOf(selection.start_unix_nano);
  scan.end_minute = CeilMinute(selection.end_unix_nano);
  const bool filtered = !selection.filter.empty();
  return store.ScanRollups(scan, [&](const rollup::RollupEntry& entry) {
    if (filtered &&
        !filter::Evaluate(selection.filter, RollupKeySubject(entry.key, selection.dimensions))) {
      return true;
    }
    visit({entry.key, entry.cell, {}, {}});
    return true;
  });
}

std::string BudgetReason(std::string_view budget, uint64_t oldest_start) {
  return std::string(budget) + " budget reached; the scan covers spans starting at or after " +
         std::to_string(oldest_start) + " (unix ns)";
}

Status VisitSpans(store::Store& store, const CallSelection& selection,
                  const ContributionVisitor& visit, SourceReport* report) {
  SpanCondition condition;
  condition.prices = selection.prices;
  if (!selection.filter.empty()) condition.SetFilter(selection.filter);
  store::SpanScan scan;
  scan.project = selection.project;
  scan.start_unix_nano = selection.start_unix_nano;
  scan.end_unix_nano = selection.end_unix_nano;
  scan.index = ChooseIndex(condition);

  size_t examined = 0;
  size_t full_reads = 0;
  Status failed;
  TS_RETURN_IF_ERROR(
      store.ScanSpans(scan, [&](const store::SpanSummary& s, const store::ScanPosition&) {
        if (++examined > selection.max_examined || full_reads >= selection.max_full_span_reads) {
          report->partial = true;
          report->partial_reason =
              BudgetReason(examined > selection.max_examined ? "max_examined" : "max_full_reads",
                           s.start_time_unix_nano);
          return false;
        }
        if (!condition.MatchesSummary(s)) return true;
        ++full_reads;
        auto read = store.GetSpan(selection.project, s.trace_id, s.span_id);
        if (!read.ok()) {
          if (read.status().code() != StatusCode::kNotFound) failed = read.status();
          return failed.ok();
        }
        if (read->spans.empty()) return true;
        const model::Span& span = read->spans[0];
        if (condition.NeedsFullSpan() && !condition.MatchesFullSpan(*read, span)) return true;
        const model::Resource& resource = read->ResourceOf(span);
        enrich::SpanAnalysis analysis =
            enrich::AnalyzeSpan(span, resource, read->ScopeOf(span), selection.prices);
        std::optional<rollup::RollupEntry> entry = rollup::ContributionOf(
            span, resource, analysis.llm,
            analysis.error ? analysis.error->error_class : model::ErrorClass::kNone,
            selection.dimensions);
        if (!entry) return true;
        visit({entry->key, entry->cell, analysis.llm->user_id, analysis.llm->session_id});
        return true;
      }));
  return failed;
}

StatusOr<SourceReport> ForEachContribution(store::Store& store, const CallSelection& selection,
                                           const ContributionVisitor& visit) {
  SourceReport report;
  if (NeedsScan(selection)) {
    TS_RETURN_IF_ERROR(VisitSpans(store, selection, visit, &report));
  } else {
    report.from_rollups = true;
    TS_RETURN_IF_ERROR(VisitRollups(store, selection, visit));
  }
  return report;
}

std::string_view ValueOf(const Contribution& c, std::string_view dimension) {
  const rollup::RollupKey& key = c.key;
  if (dimension == "service") return key.service;
  if (dimension == "model") return key.model;
  if (dimension == "provider") return key.provider;
  if (dimension == "operation") return key.operation;
  if (dimension == "error_class") return key.error_class;
  if (dimension == kUser) return c.user;
  if (dimension == kSession) return c.session;
  for (const auto& [name, value] : key.dimensions) {
    if (name == dimension) return value;
  }
  return {};
}

GroupValues GroupOf(const Contribution& c, const std::vector<std::string>& group_by) {
  GroupValues values;
  values.reserve(group_by.size());
  for (const std::string& dimension : group_by) values.emplace_back(ValueOf(c, dimension));
  return values;
}

// The cells of one group, sparse: (bucket, cell) in arrival order. Both paths deliver
// contributions in time order (rollups ascending, spans descending), so merging into the last
// entry catches nearly every repeat; Normalize() merges whatever is left.
struct GroupCells {
  std::vector<std::pair<uint64_t, rollup::RollupCell>> buckets;

  void Add(uint64_t bucket, const rollup::RollupCell& cell, SketchNeeds needs) {
    if (buckets.empty() || buckets.back().first != bucket)
      buckets.emplace_back(bucket, rollup::RollupCell());
    MergeCell(cell, needs, &buckets.back().second);
  }
  void Normalize(SketchNeeds needs) {
    std::stable_sort(buckets.begin(), buckets.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<uint64_t, rollup::RollupCell>> merged;
    for (auto& [bucket, cell] : buckets) {
      if (!merged.empty() && merged.back().first == bucket) {
        MergeCell(cell, needs, &merged.back().second);
      } else {
        merged.emplace_back(bucket, std::move(cell));
      }
    }
    buckets = std::move(merged);
  }
  rollup::RollupCell Total(SketchNeeds needs) const {
    rollup::RollupCell total;
    for (const auto& [bucket, cell] : buckets) MergeCell(cell, needs, &total);
    return total;
  }
};

void AlignToMinutes(CallSelection* selection) {
  selection->start_unix_nano -= selection->start_unix_nano % rollup::kNanosPerMinute;
  const uint64_t end_minute = CeilMinute(selection->end_unix_nano);
  selection->end_unix_nano = end_minute > UINT64_MAX / rollup::kNanosPerMinute
                                 ? UINT64_MAX - UINT64_MAX % rollup::kNanosPerMinute
                                 : end_minute * rollup::kNanosPerMinute;
}

// Orders groups by a value, largest first (undefined values last), then by group values.
template <typename T>
void SortByValue(std::vector<std::pair<std::optional<double>, T>>* ranked) {
  std::sort(ranked->begin(), ranked->end(), [](const auto& a, const auto& b) {
    if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
    if (a.first && *a.first != *b.first) return *a.first > *b.first;
    return a.second->first < b.second->first;
  });
}

}  // namespace

Status CheckGroupBy(const std::vector<std::string>& group_by,
                    const std::vector<rollup::AllocationDimension>& dimensions) {
  for (size_t i = 0; i < group_by.size(); ++i) {
    const std::string& name = group_by[i];
    bool known = name == kUser || name == kSession;
    for (std::string_view builtin : rollup::kBuiltinDimensions) known |= name == builtin;
    for (const rollup::AllocationDimension& d : dimensions) known |= name == d.name;
    if (!known) {
      std::string list = "service, model, provider, operation, error_class, user, session";
      for (const rollup::AllocationDimension& d : dimensions) list += ", " + d.name;
      return InvalidArgument("unknown group_by dimension \"" + name + "\"; use " + list);
    }
    for (size_t j = 0; j < i; ++j) {
      if (group_by[j] == name) {
        return InvalidArgument("group_by names \"" + name + "\" twice");
      }
    }
  }
  return Status::Ok();
}

StatusOr<MetricsAnswer> RunMetricsQuery(store::Store& store, const MetricsQuery& query) {
  TS_RETURN_IF_ERROR(CheckAggregation(query.metric, query.agg));
  TS_RETURN_IF_ERROR(CheckGroupBy(query.selection.group_by, query.selection.dimensions));
  const uint64_t step = query.step_ns;
  if (step == 0 || step % rollup::kNanosPerMinute != 0) {
    return InvalidArgument("step must be a whole number of minutes");
  }
  if (query.selection.end_unix_nano <= query.selection.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  CallSelection selection = query.selection;
  const uint64_t first = selection.start_unix_nano - selection.start_unix_nano % step;
  const uint64_t last_start = (selection.end_unix_nano - 1) - (selection.end_unix_nano - 1) % step;
  const uint64_t bucket_count = (last_start - first) / step + 1;
  if (bucket_count > kMaxBuckets) {
    return InvalidArgument("step is too small for the range: " + std::to_string(bucket_count) +
                           " buckets, at most " + std::to_string(kMaxBuckets));
  }
  selection.start_unix_nano = first;
  selection.end_unix_nano = last_start > UINT64_MAX - step ? UINT64_MAX : last_start + step;
  AlignToMinutes(&selection);

  const SketchNeeds needs = SketchesFor(query.metric);
  std::map<GroupValues, GroupCells> groups;
  TS_ASSIGN_OR_RETURN(SourceReport report,
                      ForEachContribution(store, selection, [&](const Contribution& c) {
                        const uint64_t at = c.key.minute * rollup::kNanosPerMinute;
                        if (at < first) return;
                        const uint64_t bucket = (at - first) / step;
                        if (bucket >= bucket_count) return;
                        groups[GroupOf(c, selection.group_by)].Add(bucket, c.cell, needs);
                      }));

  const double range_seconds = static_cast<double>(bucket_count * step) / 1e9;
  const double step_seconds = static_cast<double>(step) / 1e9;
  std::vector<std::pair<std::optional<double>, std::map<GroupValues, GroupCells>::iterator>> ranked;
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    it->second.Normalize(needs);
    ranked.emplace_back(
        MetricValue(query.metric, query.agg, it->second.Total(needs), range_seconds), it);
  }
  SortByValue(&ranked);

  MetricsAnswer answer;
  answer.first_bucket_unix_nano = first;
  answer.end_unix_nano = selection.end_unix_nano;
  answer.step_ns = step;
  answer.from_rollups = report.from_rollups;
  answer.partial = report.partial;
  answer.partial_reason = report.partial_reason;
  auto make_series = [&](const GroupCells& cells) {
    MetricSeries series;
    series.points.reserve(bucket_count);
    const rollup::RollupCell empty;
    size_t next = 0;
    for (uint64_t b = 0; b < bucket_count; ++b) {
      const rollup::RollupCell* cell = &empty;
      if (next < cells.buckets.size() && cells.buckets[next].first == b) {
        cell = &cells.buckets[next++].second;
      }
      series.points.push_back(MetricValue(query.metric, query.agg, *cell, step_seconds));
    }
    series.total = MetricValue(query.metric, query.agg, cells.Total(needs), range_seconds);
    return series;
  };
  const size_t keep = std::min(ranked.size(), std::max<size_t>(query.top, 1));
  for (size_t i = 0; i < keep; ++i) {
    MetricSeries series = make_series(ranked[i].second->second);
    series.group = ranked[i].second->first;
    answer.series.push_back(std::move(series));
  }
  if (ranked.size() > keep) {
    GroupCells rest;
    for (size_t i = keep; i < ranked.size(); ++i) {
      for (const auto& [bucket, cell] : ranked[i].second->second.buckets) {
        rest.Add(bucket, cell, needs);
      }
    }
    rest.Normalize(needs);
    MetricSeries series = make_series(rest);
    series.group.assign(selection.group_by.size(), "__other__");
    series.other = true;
    series.groups = ranked.size() - keep;
    answer.series.push_back(std::move(series));
  }
  return answer;
}

StatusOr<CostAnswer> RunCostQuery(store::Store& store, const CallSelection& query, size_t limit) {
  TS_RETURN_IF_ERROR(CheckGroupBy(query.group_by, query.dimensions));
  if (query.end_unix_nano <= query.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  CallSelection selection = query;
  AlignToMinutes(&selection);
  const SketchNeeds none;
  std::map<GroupValues, rollup::RollupCell> groups;
  TS_ASSIGN_OR_RETURN(SourceReport report,
                      ForEachContribution(store, selection, [&](const Contribution& c) {
                        MergeCell(c.cell, none, &groups[GroupOf(c, selection.group_by)]);
                      }));

  std::vector<std::pair<std::optional<double>, std::map<GroupValues, rollup::RollupCell>::iterator>>
      ranked;
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    ranked.emplace_back(static_cast<double>(it->second.total_cost_nanos), it);
  }
  SortByValue(&ranked);

  CostAnswer answer;
  answer.from_rollups = report.from_rollups;
  answer.partial = report.partial;
  answer.partial_reason = report.partial_reason;
  const size_t keep = std::min(ranked.size(), std::max<size_t>(limit, 1));
  for (size_t i = 0; i < ranked.size(); ++i) {
    const rollup::RollupCell& cell = ranked[i].second->second;
    MergeCell(cell, none, &answer.total);
    if (i < keep) {
      answer.rows.push_back({ranked[i].second->first, false, 1, cell});
      continue;
    }
    if (i == keep) {
      answer.rows.push_back(
          {GroupValues(selection.group_by.size(), "__other__"), true, 0, rollup::RollupCell()});
    }
    answer.rows.back().groups += 1;
    MergeCell(cell, none, &answer.rows.back().cell);
  }
  return answer;
}

}  // namespace tokenscope::query
