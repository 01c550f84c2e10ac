#include "query/metrics_query.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "enrich/span_analysis.h"
#include "query/rollup_subject.h"
#include "query/scan_planning.h"
#include "query/trace_query.h"

namespace tokenscope::query {
namespace {

constexpr std::string_view kUser = "user";
constexpr std::string_view kSession = "session";

// One call (scan path: a decoded cell) or one stored cell (rollup path: its encoding, merged
// without decoding it whole) to fold.
struct Contribution {
  uint64_t minute;
  const rollup::RollupKey& key;  // its dimensions (its own minute field may be stale)
  int64_t key_id = -1;           // RollupCache key id on the cached rollup path, else -1
  const rollup::RollupCell* cell = nullptr;
  std::string_view encoded;  // rollup path: the cell's encoding
  std::string_view user;     // scan path only
  std::string_view session;  // scan path only
};
// Returns an error to stop the scan with it.
using ContributionVisitor = std::function<Status(const Contribution&)>;

// `into` += the contribution, with only the sketches `needs` names.
Status AddContribution(const Contribution& c, SketchNeeds needs, rollup::RollupCell* into) {
  if (c.cell != nullptr) {
    MergeCell(*c.cell, needs, into);
    return Status::Ok();
  }
  Status merged = rollup::MergeEncodedCell(c.encoded, needs.latency, needs.ttft, into);
  if (!merged.ok()) return DataLoss("rollups: " + merged.message());
  return Status::Ok();
}

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
  const uint64_t start_minute = rollup::MinuteOf(selection.start_unix_nano);
  const uint64_t end_minute = CeilMinute(selection.end_unix_nano);
  const bool filtered = !selection.filter.empty();
  Status failed;
  if (selection.cache != nullptr) {
    std::vector<int8_t> matches;  // per key id: -1 unknown, 0 no, 1 yes
    TS_RETURN_IF_ERROR(selection.cache->Scan(
        store, selection.project, start_minute, end_minute,
        [&](uint64_t minute, const rollup::RollupKey& key, uint32_t key_id,
            std::string_view encoded) {
          if (filtered) {
            if (key_id >= matches.size()) matches.resize(key_id + 1, -1);
            if (matches[key_id] < 0) {
              matches[key_id] =
                  filter::Evaluate(selection.filter, RollupKeySubject(key, selection.dimensions));
            }
            if (matches[key_id] == 0) return true;
          }
          failed = visit({minute, key, key_id, nullptr, encoded, {}, {}});
          return failed.ok();
        }));
    return failed;
  }
  store::RollupScan scan;
  scan.project = selection.project;
  scan.start_minute = start_minute;
  scan.end_minute = end_minute;
  TS_RETURN_IF_ERROR(
      store.ScanRollupBytes(scan, [&](const rollup::RollupKey& key, std::string_view encoded) {
        if (filtered &&
            !filter::Evaluate(selection.filter, RollupKeySubject(key, selection.dimensions))) {
          return true;
        }
        failed = visit({key.minute, key, -1, nullptr, encoded, {}, {}});
        return failed.ok();
      }));
  return failed;
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
        failed = visit({entry->key.minute,
                        entry->key,
                        -1,
                        &entry->cell,
                        {},
                        analysis.llm->user_id,
                        analysis.llm->session_id});
        return failed.ok();
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

// Numbers the groups of a query as contributions arrive. Looking a group up builds its
// identity in a reused buffer, so the steady state allocates nothing.
class GroupIndex {
 public:
  explicit GroupIndex(const std::vector<std::string>& group_by) : group_by_(group_by) {}

  size_t IndexOf(const Contribution& c) {
    if (c.key_id < 0) return Lookup(c);
    const size_t id = static_cast<size_t>(c.key_id);
    if (id >= by_key_id_.size()) by_key_id_.resize(id + 1, kUnknown);
    if (by_key_id_[id] == kUnknown) by_key_id_[id] = Lookup(c);
    return by_key_id_[id];
  }
  // The index of the group with these values, added if new.
  size_t IndexOf(const GroupValues& values) {
    scratch_.clear();
    for (const std::string& value : values) AppendIdentity(value);
    auto found = index_.find(std::string_view(scratch_));
    if (found != index_.end()) return found->second;
    return Add(values);
  }
  const std::vector<GroupValues>& groups() const { return groups_; }

 private:
  static constexpr size_t kUnknown = SIZE_MAX;

  size_t Lookup(const Contribution& c) {
    scratch_.clear();
    for (const std::string& dimension : group_by_) AppendIdentity(ValueOf(c, dimension));
    auto found = index_.find(std::string_view(scratch_));
    if (found != index_.end()) return found->second;
    GroupValues values;
    for (const std::string& dimension : group_by_) values.emplace_back(ValueOf(c, dimension));
    return Add(std::move(values));
  }
  size_t Add(GroupValues values) {
    groups_.push_back(std::move(values));
    index_.emplace(scratch_, groups_.size() - 1);
    return groups_.size() - 1;
  }
  // Appends a length-prefixed value to the identity being built in scratch_.
  void AppendIdentity(std::string_view value) {
    const uint32_t size = static_cast<uint32_t>(value.size());
    scratch_.append(reinterpret_cast<const char*>(&size), sizeof(size));
    scratch_.append(value);
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  const std::vector<std::string>& group_by_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  std::vector<GroupValues> groups_;
  std::vector<size_t> by_key_id_;  // group of each cached key id seen
  std::string scratch_;
};

// The cells of one group, sparse: (bucket, cell) in arrival order. Both paths deliver
// contributions in time order (rollups ascending, spans descending), so merging into the last
// entry catches nearly every repeat; Normalize() merges whatever is left.
struct GroupCells {
  std::vector<std::pair<uint64_t, rollup::RollupCell>> buckets;

  void Add(uint64_t bucket, const rollup::RollupCell& cell, SketchNeeds needs) {
    MergeCell(cell, needs, Bucket(bucket));
  }
  Status Add(uint64_t bucket, const Contribution& c, SketchNeeds needs) {
    return AddContribution(c, needs, Bucket(bucket));
  }
  rollup::RollupCell* Bucket(uint64_t bucket) {
    if (buckets.empty() || buckets.back().first != bucket) {
      buckets.emplace_back(bucket, rollup::RollupCell());
    }
    return &buckets.back().second;
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

// Group indexes ordered by a value, largest first (undefined values last), then by group
// values.
std::vector<size_t> RankGroups(const std::vector<std::optional<double>>& values,
                               const std::vector<GroupValues>& groups) {
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (values[a].has_value() != values[b].has_value()) return values[a].has_value();
    if (values[a] && *values[a] != *values[b]) return *values[a] > *values[b];
    return groups[a] < groups[b];
  });
  return order;
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

namespace {

// The series of one spec from the folded cells of every group.
MetricResult ResultFor(const MetricSpec& spec, const std::vector<GroupCells>& cells,
                       const std::vector<rollup::RollupCell>& totals, const GroupIndex& index,
                       const MetricsQuery& query, uint64_t bucket_count, SketchNeeds needs) {
  const double range_seconds = static_cast<double>(bucket_count * query.step_ns) / 1e9;
  const double step_seconds = static_cast<double>(query.step_ns) / 1e9;
  std::vector<std::optional<double>> values;
  for (const rollup::RollupCell& total : totals) {
    values.push_back(MetricValue(spec.metric, spec.agg, total, range_seconds));
  }
  const std::vector<size_t> ranked = RankGroups(values, index.groups());
  auto make_series = [&](const GroupCells& group, std::optional<double> total) {
    MetricSeries series;
    series.total = total;
    series.points.reserve(bucket_count);
    const rollup::RollupCell empty;
    size_t next = 0;
    for (uint64_t b = 0; b < bucket_count; ++b) {
      const rollup::RollupCell* cell = &empty;
      if (next < group.buckets.size() && group.buckets[next].first == b) {
        cell = &group.buckets[next++].second;
      }
      series.points.push_back(MetricValue(spec.metric, spec.agg, *cell, step_seconds));
    }
    return series;
  };
  MetricResult result;
  result.spec = spec;
  const size_t keep = std::min(ranked.size(), std::max<size_t>(query.top, 1));
  for (size_t i = 0; i < keep; ++i) {
    MetricSeries series = make_series(cells[ranked[i]], values[ranked[i]]);
    series.group = index.groups()[ranked[i]];
    result.series.push_back(std::move(series));
  }
  if (ranked.size() > keep) {
    GroupCells rest;
    for (size_t i = keep; i < ranked.size(); ++i) {
      for (const auto& [bucket, cell] : cells[ranked[i]].buckets) rest.Add(bucket, cell, needs);
    }
    rest.Normalize(needs);
    MetricSeries series =
        make_series(rest, MetricValue(spec.metric, spec.agg, rest.Total(needs), range_seconds));
    series.group.assign(query.selection.group_by.size(), "__other__");
    series.other = true;
    series.groups = ranked.size() - keep;
    result.series.push_back(std::move(series));
  }
  return result;
}

// How a query's range divides into buckets: bucket b covers [first + b*step, first + (b+1)*step).
struct Buckets {
  uint64_t first;
  uint64_t step;
  uint64_t count;
  SketchNeeds needs;
};

// The groups of one time range and their per-bucket cells (ascending, each bucket once), with
// each group's total over the range.
struct Fold {
  explicit Fold(const std::vector<std::string>& group_by) : index(group_by) {}
  GroupIndex index;
  std::vector<GroupCells> cells;  // by group index
  std::vector<rollup::RollupCell> totals;
  SourceReport report;
};

// Folds the contributions of `selection` (its range a whole number of buckets) into `fold`.
Status FoldRange(store::Store& store, const CallSelection& selection, const Buckets& buckets,
                 Fold* fold) {
  auto visit = [&](const Contribution& c) {
    const uint64_t at = c.minute * rollup::kNanosPerMinute;
    if (at < buckets.first) return Status::Ok();
    const uint64_t bucket = (at - buckets.first) / buckets.step;
    if (bucket >= buckets.count) return Status::Ok();
    const size_t group = fold->index.IndexOf(c);
    if (group == fold->cells.size()) fold->cells.emplace_back();
    return fold->cells[group].Add(bucket, c, buckets.needs);
  };
  TS_ASSIGN_OR_RETURN(fold->report, ForEachContribution(store, selection, visit));
  for (GroupCells& group : fold->cells) {
    group.Normalize(buckets.needs);
    fold->totals.push_back(group.Total(buckets.needs));
  }
  return Status::Ok();
}

// Adds a fold of a later time range to `into`: its buckets come after every bucket of `into`.
void Absorb(Fold&& later, SketchNeeds needs, Fold* into) {
  for (size_t g = 0; g < later.cells.size(); ++g) {
    const size_t target = into->index.IndexOf(later.index.groups()[g]);
    if (target == into->cells.size()) {
      into->cells.push_back(std::move(later.cells[g]));
      into->totals.push_back(std::move(later.totals[g]));
      continue;
    }
    auto& buckets = into->cells[target].buckets;
    for (auto& entry : later.cells[g].buckets) buckets.push_back(std::move(entry));
    MergeCell(later.totals[g], needs, &into->totals[target]);
  }
}

// A range of rollup cells is folded by several threads, one time slice each, when it is long
// enough for the threads to pay for themselves: the pass over a day of cells is CPU-bound
// (merging sketches), and a dashboard waits for the whole of it.
constexpr uint64_t kMinutesPerSlice = 180;
constexpr size_t kMaxSlices = 4;

size_t SlicesFor(const CallSelection& selection, const Buckets& buckets) {
  if (NeedsScan(selection)) return 1;  // a scan reads spans newest first under budgets: one pass
  const uint64_t minutes = buckets.count * (buckets.step / rollup::kNanosPerMinute);
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t slices = std::min<uint64_t>(
      {cores, kMaxSlices, buckets.count, std::max<uint64_t>(1, minutes / kMinutesPerSlice)});
  return static_cast<size_t>(slices);
}

// Runs work(0) .. work(parts - 1), part 0 on the calling thread and each other part on a
// thread of its own (or, when no thread can be had, on the calling thread too).
template <typename Work>
void RunParts(size_t parts, const Work& work) {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < parts; ++i) {
    try {
      threads.emplace_back(work, i);
    } catch (const std::system_error&) {
      work(i);
    }
  }
  if (parts > 0) work(0);
  for (std::thread& thread : threads) thread.join();
}

StatusOr<Fold> FoldBuckets(store::Store& store, const CallSelection& selection,
                           const Buckets& buckets) {
  const size_t slices = SlicesFor(selection, buckets);
  std::vector<Fold> folds(slices, Fold(selection.group_by));
  std::vector<Status> statuses(slices);
  auto fold_slice = [&](size_t i) {
    const uint64_t from = buckets.count * i / slices;
    const uint64_t to = buckets.count * (i + 1) / slices;
    CallSelection slice = selection;
    slice.start_unix_nano = buckets.first + from * buckets.step;
    if (i + 1 < slices) slice.end_unix_nano = buckets.first + to * buckets.step;
    statuses[i] = FoldRange(store, slice, buckets, &folds[i]);
  };
  RunParts(slices, fold_slice);
  for (const Status& status : statuses) TS_RETURN_IF_ERROR(status);
  for (size_t i = 1; i < slices; ++i) Absorb(std::move(folds[i]), buckets.needs, &folds[0]);
  return std::move(folds[0]);
}
}  // namespace

StatusOr<MetricsAnswer> RunMetricsQuery(store::Store& store, const MetricsQuery& query) {
  if (query.metrics.empty()) return InvalidArgument("no metric asked for");
  SketchNeeds needs;
  for (const MetricSpec& spec : query.metrics) {
    TS_RETURN_IF_ERROR(CheckAggregation(spec.metric, spec.agg));
    needs.latency |= SketchesFor(spec.metric).latency;
    needs.ttft |= SketchesFor(spec.metric).ttft;
  }
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

  const Buckets buckets{first, step, bucket_count, needs};
  TS_ASSIGN_OR_RETURN(Fold fold, FoldBuckets(store, selection, buckets));

  MetricsAnswer answer;
  answer.first_bucket_unix_nano = first;
  answer.end_unix_nano = selection.end_unix_nano;
  answer.step_ns = step;
  answer.from_rollups = fold.report.from_rollups;
  answer.partial = fold.report.partial;
  answer.partial_reason = fold.report.partial_reason;
  // Series of several metrics are worked out by two threads when the range was long enough to
  // be folded in slices: each point of a percentile is a walk of a sketch.
  answer.results.resize(query.metrics.size());
  const size_t parts =
      SlicesFor(selection, buckets) > 1 ? std::min<size_t>(2, query.metrics.size()) : 1;
  RunParts(parts, [&](size_t part) {
    const size_t count = query.metrics.size();
    for (size_t i = count * part / parts; i < count * (part + 1) / parts; ++i) {
      answer.results[i] = ResultFor(query.metrics[i], fold.cells, fold.totals, fold.index, query,
                                    bucket_count, needs);
    }
  });
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
  GroupIndex index(selection.group_by);
  std::vector<rollup::RollupCell> cells;
  TS_ASSIGN_OR_RETURN(SourceReport report,
                      ForEachContribution(store, selection, [&](const Contribution& c) {
                        const size_t group = index.IndexOf(c);
                        if (group == cells.size()) cells.emplace_back();
                        return AddContribution(c, none, &cells[group]);
                      }));
  std::vector<std::optional<double>> costs;
  for (const rollup::RollupCell& cell : cells) {
    costs.push_back(static_cast<double>(cell.total_cost_nanos));
  }
  const std::vector<size_t> ranked = RankGroups(costs, index.groups());

  CostAnswer answer;
  answer.from_rollups = report.from_rollups;
  answer.partial = report.partial;
  answer.partial_reason = report.partial_reason;
  const size_t keep = std::min(ranked.size(), std::max<size_t>(limit, 1));
  for (size_t i = 0; i < ranked.size(); ++i) {
    const rollup::RollupCell& cell = cells[ranked[i]];
    MergeCell(cell, none, &answer.total);
    if (i < keep) {
      answer.rows.push_back({index.groups()[ranked[i]], false, 1, cell});
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
