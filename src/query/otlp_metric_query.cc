#include "query/otlp_metric_query.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "base/base64.h"
#include "base/json_escape.h"

namespace tokenscope::query {
namespace {

using model::MetricPoint;
using model::MetricType;

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::pair<std::string_view, OtlpAggregation> kAggregations[] = {
    {"sum", OtlpAggregation::kSum},   {"count", OtlpAggregation::kCount},
    {"rate", OtlpAggregation::kRate}, {"avg", OtlpAggregation::kAvg},
    {"min", OtlpAggregation::kMin},   {"max", OtlpAggregation::kMax},
    {"last", OtlpAggregation::kLast}, {"p50", OtlpAggregation::kP50},
    {"p90", OtlpAggregation::kP90},   {"p95", OtlpAggregation::kP95},
    {"p99", OtlpAggregation::kP99},
};

std::optional<double> QuantileOf(OtlpAggregation agg) {
  switch (agg) {
    case OtlpAggregation::kP50:
      return 0.5;
    case OtlpAggregation::kP90:
      return 0.9;
    case OtlpAggregation::kP95:
      return 0.95;
    case OtlpAggregation::kP99:
      return 0.99;
    default:
      return std::nullopt;
  }
}

bool IsHistogram(MetricType type) {
  return type == MetricType::kHistogram || type == MetricType::kExponentialHistogram;
}

// Whether points carry observations (count, sum, buckets) rather than one number.
bool HasObservations(MetricType type) {
  return IsHistogram(type) || type == MetricType::kSummary;
}

// ---- Exponential buckets ----------------------------------------------------------------------

using IndexCounts = std::map<int64_t, uint64_t>;

// base^index with base = 2^(2^-scale).
double ExpBound(int32_t scale, int64_t index) {
  return std::exp2(std::ldexp(static_cast<double>(index), -scale));
}

IndexCounts ToIndexCounts(const model::ExponentialBuckets& buckets) {
  IndexCounts out;
  for (size_t i = 0; i < buckets.bucket_counts.size(); ++i) {
    if (buckets.bucket_counts[i] != 0) {
      out[static_cast<int64_t>(buckets.offset) + static_cast<int64_t>(i)] +=
          buckets.bucket_counts[i];
    }
  }
  return out;
}

// The same counts at a scale `by` steps coarser: each bucket folds into the one holding it.
IndexCounts Downscale(const IndexCounts& counts, int32_t by) {
  if (by <= 0) return counts;
  IndexCounts out;
  for (const auto& [index, count] : counts) out[index >> std::min(by, 62)] += count;
  return out;
}

void AddCounts(const IndexCounts& from, IndexCounts* to) {
  for (const auto& [index, count] : from) (*to)[index] += count;
}

// from - base per index; false when a count went down (a reset).
bool SubtractCounts(const IndexCounts& from, const IndexCounts& base, IndexCounts* out) {
  *out = from;
  for (const auto& [index, count] : base) {
    auto it = out->find(index);
    if (it == out->end() || it->second < count) return false;
    it->second -= count;
  }
  std::erase_if(*out, [](const auto& entry) { return entry.second == 0; });
  return true;
}

// ---- Text of dimension values -----------------------------------------------------------------

std::string DoubleText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

void AppendJson(const model::AnyValue& v, std::string* out);

std::string ValueText(const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString:
      return std::string(v.string_value);
    case model::ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case model::ValueType::kInt:
      return std::to_string(v.int_value);
    case model::ValueType::kDouble:
      return DoubleText(v.double_value);
    case model::ValueType::kBytes:
      return Base64Encode(v.string_value);
    case model::ValueType::kArray:
    case model::ValueType::kKvList: {
      std::string out;
      AppendJson(v, &out);
      return out;
    }
    case model::ValueType::kEmpty:
      break;
  }
  return "";
}

void AppendJson(const model::AnyValue& v, std::string* out) {
  switch (v.type) {
    case model::ValueType::kString:
    case model::ValueType::kBytes:
      *out += "\"" + JsonEscape(ValueText(v)) + "\"";
      return;
    case model::ValueType::kEmpty:
      *out += "null";
      return;
    case model::ValueType::kArray:
      *out += "[";
      for (size_t i = 0; i < v.array_value.size(); ++i) {
        if (i > 0) *out += ",";
        AppendJson(v.array_value[i], out);
      }
      *out += "]";
      return;
    case model::ValueType::kKvList:
      *out += "{";
      for (size_t i = 0; i < v.kvlist_value.size(); ++i) {
        if (i > 0) *out += ",";
        *out += "\"" + JsonEscape(v.kvlist_value[i].key) + "\":";
        AppendJson(v.kvlist_value[i].value, out);
      }
      *out += "}";
      return;
    default:
      *out += ValueText(v);
      return;
  }
}

// ---- Cells: what the points of one group in one bucket add up to ------------------------------

// Which parts of a cell the aggregation reads; the others are not kept.
struct Needs {
  bool last = false;          // each series' latest value
  bool distribution = false;  // merged buckets
};

// Min or max that is exact only when every contribution said it.
struct Extreme {
  std::optional<double> value;
  bool inexact = false;  // some contribution did not know its extreme

  void Add(std::optional<double> v, bool is_min) {
    if (!v || std::isnan(*v)) {
      inexact = true;
      return;
    }
    if (!value || (is_min ? *v < *value : *v > *value)) value = v;
  }
  void Merge(const Extreme& o, bool is_min) {
    if (o.value) Add(o.value, is_min);
    inexact |= o.inexact;
  }
};

struct Cell {
  uint64_t points = 0;       // contributions folded
  double value_sum = 0;      // numbers: values (deltas); observations: their sum
  uint64_t count = 0;        // observations
  bool sum_unknown = false;  // an observation-carrying contribution had no sum
  Extreme min;
  Extreme max;
  std::map<uint64_t, std::pair<uint64_t, double>> last;  // series -> (time, value)
  Distribution distribution;

  void Merge(const Cell& o) {
    points += o.points;
    value_sum += o.value_sum;
    count += o.count;
    sum_unknown |= o.sum_unknown;
    min.Merge(o.min, true);
    max.Merge(o.max, false);
    for (const auto& [series, entry] : o.last) {
      auto [it, inserted] = last.emplace(series, entry);
      if (!inserted && entry.first >= it->second.first) it->second = entry;
    }
    distribution.Merge(o.distribution);
  }
};

std::optional<double> NumberValue(OtlpAggregation agg, const Cell& c, double seconds) {
  switch (agg) {
    case OtlpAggregation::kSum:
      return c.value_sum;
    case OtlpAggregation::kCount:
      return static_cast<double>(c.points);
    case OtlpAggregation::kRate:
      return c.value_sum / seconds;
    case OtlpAggregation::kAvg:
      if (c.points == 0) return std::nullopt;
      return c.value_sum / static_cast<double>(c.points);
    case OtlpAggregation::kMin:
      return c.min.value;
    case OtlpAggregation::kMax:
      return c.max.value;
    case OtlpAggregation::kLast: {
      if (c.last.empty()) return std::nullopt;
      double total = 0;
      for (const auto& [series, entry] : c.last) total += entry.second;
      return total;
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> ObservationValue(OtlpAggregation agg, const Cell& c, double seconds) {
  const bool sum_known = c.count == 0 || !c.sum_unknown;
  switch (agg) {
    case OtlpAggregation::kSum:
      if (!sum_known) return std::nullopt;
      return c.value_sum;
    case OtlpAggregation::kCount:
      return static_cast<double>(c.count);
    case OtlpAggregation::kRate:
      return static_cast<double>(c.count) / seconds;
    case OtlpAggregation::kAvg:
      if (c.count == 0 || !sum_known) return std::nullopt;
      return c.value_sum / static_cast<double>(c.count);
    case OtlpAggregation::kMin:
    case OtlpAggregation::kMax: {
      // Exact when every contribution carried it; else estimated from the buckets too.
      const bool is_min = agg == OtlpAggregation::kMin;
      const Extreme& e = is_min ? c.min : c.max;
      if (!e.inexact) return e.value;
      std::optional<double> estimate = c.distribution.Quantile(is_min ? 0.0 : 1.0);
      if (!estimate) return e.value;
      if (!e.value) return estimate;
      return is_min ? std::min(*e.value, *estimate) : std::max(*e.value, *estimate);
    }
    default: {
      const std::optional<double> q = QuantileOf(agg);
      if (!q) return std::nullopt;
      return c.distribution.Quantile(*q);
    }
  }
}

// ---- Series state: the previous point of each cumulative series -------------------------------

struct SeriesState {
  uint64_t start = 0;
  double value = 0;  // sums
  uint64_t count = 0;
  std::optional<double> sum;
  std::optional<double> min;
  std::optional<double> max;
  std::vector<double> bounds;  // histograms
  std::vector<uint64_t> counts;
  int32_t scale = 0;  // exponential histograms
  uint64_t zero_count = 0;
  IndexCounts positive;
  IndexCounts negative;
};

// What one histogram or summary point adds: the observations since the previous point of its
// series (or all of the point's).
struct Observations {
  uint64_t count = 0;
  std::optional<double> sum;
  std::optional<double> min;  // exact for these observations, when known
  std::optional<double> max;
  std::optional<double> min_bound;  // bounds every observation lies within
  std::optional<double> max_bound;
  std::vector<uint64_t> counts;  // explicit histograms, per bucket of `bounds`
  const std::vector<double>* bounds = nullptr;
  int32_t scale = 0;  // exponential histograms
  uint64_t zero_count = 0;
  double zero_threshold = 0;
  IndexCounts positive;
  IndexCounts negative;
};

// ---- The fold -----------------------------------------------------------------------------------

struct GroupCells {
  std::map<uint64_t, Cell> buckets;
};

class Folder {
 public:
  Folder(const OtlpMetricQuery& query, MetricType type, OtlpAggregation agg, uint64_t first,
         uint64_t end, uint64_t scan_from)
      : query_(query), type_(type), first_(first), end_(end), scan_from_(scan_from) {
    needs_.last = agg == OtlpAggregation::kLast;
    needs_.distribution =
        QuantileOf(agg).has_value() ||
        (IsHistogram(type) && (agg == OtlpAggregation::kMin || agg == OtlpAggregation::kMax));
  }

  // False once a budget is spent.
  bool Visit(const MetricPoint& p, const model::Resource& resource, const model::Scope& scope,
             uint64_t series) {
    if (++examined_ > query_.max_points) {
      Partial("the scan budget of " + std::to_string(query_.max_points) +
              " data points ran out at time " + std::to_string(p.time_unix_nano) +
              "; later points are left out");
      return false;
    }
    if (p.type != type_) return true;  // the metric changed type: its newest type counts
    if (p.no_recorded_value()) {
      series_.erase(series);  // a gap: the next point starts the series afresh
      return true;
    }
    for (const auto& [dimension, wanted] : query_.where) {
      if (OtlpDimensionValue(dimension, p, resource, scope) != wanted) return true;
    }
    const bool in_range = p.time_unix_nano >= first_ && p.time_unix_nano < end_;
    switch (type_) {
      case MetricType::kGauge:
      case MetricType::kSum:
        VisitNumber(p, resource, scope, series, in_range);
        break;
      case MetricType::kHistogram:
      case MetricType::kExponentialHistogram:
      case MetricType::kSummary: {
        std::optional<Observations> added = ObservationsOf(p, series);
        if (added && in_range) {
          if (Cell* cell = CellFor(p, resource, scope)) AddObservations(*added, cell);
        }
        break;
      }
    }
    return true;
  }

  uint64_t examined() const { return std::min<uint64_t>(examined_, query_.max_points); }
  bool partial() const { return partial_; }
  const std::string& partial_reason() const { return partial_reason_; }
  std::vector<GroupCells>& groups() { return groups_; }
  const std::vector<std::vector<std::string>>& group_values() const { return group_values_; }

 private:
  void Partial(std::string reason) {
    if (partial_) return;
    partial_ = true;
    partial_reason_ = std::move(reason);
  }

  // The cell of the point's group and bucket; null when a new group would pass max_groups.
  Cell* CellFor(const MetricPoint& p, const model::Resource& resource, const model::Scope& scope) {
    std::vector<std::string> values;
    values.reserve(query_.group_by.size());
    for (const OtlpDimension& d : query_.group_by) {
      values.push_back(OtlpDimensionValue(d, p, resource, scope));
    }
    auto it = group_index_.find(values);
    if (it == group_index_.end()) {
      if (groups_.size() >= query_.max_groups) {
        Partial("more than " + std::to_string(query_.max_groups) +
                " groups; the points of the others are left out");
        return nullptr;
      }
      it = group_index_.emplace(values, groups_.size()).first;
      groups_.emplace_back();
      group_values_.push_back(std::move(values));
    }
    const uint64_t bucket = (p.time_unix_nano - first_) / query_.step_ns;
    return &groups_[it->second].buckets[bucket];
  }

  // Whether a series seen for the first time began within what the scan read, so that all of
  // its value is new.
  bool StartedWithinScan(const MetricPoint& p) const {
    return p.start_time_unix_nano != 0 && p.start_time_unix_nano >= scan_from_;
  }

  void VisitNumber(const MetricPoint& p, const model::Resource& resource, const model::Scope& scope,
                   uint64_t series, bool in_range) {
    const double value = p.NumberValue();
    // No value, or NaN (Prometheus staleness markers): nothing to add, and no series state.
    if (p.number_kind == model::NumberKind::kNone || std::isnan(value)) return;
    std::optional<double> added = value;
    if (p.type == MetricType::kSum && p.temporality == model::AggregationTemporality::kCumulative) {
      added = CumulativeSumDelta(p, value, series);
    }
    if (!in_range) return;
    Cell* cell = CellFor(p, resource, scope);
    if (cell == nullptr) return;
    if (needs_.last) {
      auto [it, inserted] = cell->last.emplace(series, std::make_pair(p.time_unix_nano, value));
      if (!inserted && p.time_unix_nano >= it->second.first) {
        it->second = {p.time_unix_nano, value};
      }
    }
    if (!added) return;  // the baseline of its series
    ++cell->points;
    cell->value_sum += *added;
    cell->min.Add(added, true);
    cell->max.Add(added, false);
  }

  // The state of a cumulative series, created on first sight; null when a new series would pass
  // max_series (the point is then left out).
  SeriesState* StateOf(uint64_t series, bool* fresh) {
    auto it = series_.find(series);
    *fresh = it == series_.end();
    if (!*fresh) return &it->second;
    if (series_.size() >= query_.max_series) {
      Partial("more than " + std::to_string(query_.max_series) +
              " cumulative series; the points of the others are left out");
      return nullptr;
    }
    return &series_[series];
  }

  std::optional<double> CumulativeSumDelta(const MetricPoint& p, double value, uint64_t series) {
    bool fresh = false;
    SeriesState* found = StateOf(series, &fresh);
    if (found == nullptr) return std::nullopt;
    SeriesState& state = *found;
    std::optional<double> added;
    if (!fresh && state.start == p.start_time_unix_nano && !(p.monotonic && value < state.value)) {
      added = value - state.value;
    } else if (!fresh || StartedWithinScan(p)) {
      added = value;  // a reset (or a series that began in the scan): all of it is new
    }
    state.start = p.start_time_unix_nano;
    state.value = value;
    return added;
  }

  // What the point adds to its series, updating the series state; nullopt for the baseline
  // point of a cumulative series.
  std::optional<Observations> ObservationsOf(const MetricPoint& p, uint64_t series) {
    Observations whole = WholePoint(p);
    const bool cumulative = p.type == MetricType::kSummary ||
                            p.temporality == model::AggregationTemporality::kCumulative;
    if (!cumulative) return whole;
    bool fresh = false;
    SeriesState* found = StateOf(series, &fresh);
    if (found == nullptr) return std::nullopt;
    SeriesState& state = *found;
    std::optional<Observations> added;
    if (!fresh && state.start == p.start_time_unix_nano) added = Difference(p, whole, state);
    if (!added && (!fresh || StartedWithinScan(p))) added = whole;
    Remember(p, whole, &state);
    return added;
  }

  static Observations WholePoint(const MetricPoint& p) {
    Observations o;
    o.count = p.count;
    o.sum = p.sum;
    o.min = p.min;
    o.max = p.max;
    o.min_bound = p.min;
    o.max_bound = p.max;
    if (p.type == MetricType::kHistogram) {
      o.counts = p.bucket_counts;
      o.bounds = &p.explicit_bounds;
    } else if (p.type == MetricType::kExponentialHistogram) {
      o.scale = p.scale;
      o.zero_count = p.zero_count;
      o.zero_threshold = p.zero_threshold;
      o.positive = ToIndexCounts(p.positive);
      o.negative = ToIndexCounts(p.negative);
    }
    return o;
  }

  // The observations between the series' previous point and `p`, or nullopt when the counts
  // went down (a reset) or the buckets changed.
  static std::optional<Observations> Difference(const MetricPoint& p, const Observations& whole,
                                                const SeriesState& state) {
    if (whole.count < state.count) return std::nullopt;
    Observations o = whole;
    o.count = whole.count - state.count;
    o.sum = whole.sum && state.sum ? std::optional<double>(*whole.sum - *state.sum) : std::nullopt;
    // Cumulative min and max cover the series' whole life: they bound these observations, and
    // are theirs exactly when they moved since the previous point.
    o.min = whole.min && state.min && *whole.min < *state.min ? whole.min : std::nullopt;
    o.max = whole.max && state.max && *whole.max > *state.max ? whole.max : std::nullopt;
    if (p.type == MetricType::kHistogram) {
      if (p.explicit_bounds != state.bounds || p.bucket_counts.size() != state.counts.size()) {
        return std::nullopt;
      }
      for (size_t i = 0; i < o.counts.size(); ++i) {
        if (o.counts[i] < state.counts[i]) return std::nullopt;
        o.counts[i] -= state.counts[i];
      }
    } else if (p.type == MetricType::kExponentialHistogram) {
      if (whole.zero_count < state.zero_count) return std::nullopt;
      o.zero_count = whole.zero_count - state.zero_count;
      const int32_t scale = std::min(whole.scale, state.scale);
      o.scale = scale;
      if (!SubtractCounts(Downscale(whole.positive, whole.scale - scale),
                          Downscale(state.positive, state.scale - scale), &o.positive) ||
          !SubtractCounts(Downscale(whole.negative, whole.scale - scale),
                          Downscale(state.negative, state.scale - scale), &o.negative)) {
        return std::nullopt;
      }
    }
    return o;
  }

  static void Remember(const MetricPoint& p, const Observations& whole, SeriesState* state) {
    state->start = p.start_time_unix_nano;
    state->count = whole.count;
    state->sum = whole.sum;
    state->min = whole.min;
    state->max = whole.max;
    if (p.type == MetricType::kHistogram) {
      state->bounds = p.explicit_bounds;
      state->counts = p.bucket_counts;
    } else if (p.type == MetricType::kExponentialHistogram) {
      state->scale = whole.scale;
      state->zero_count = whole.zero_count;
      state->positive = whole.positive;
      state->negative = whole.negative;
    }
  }

  void AddObservations(const Observations& o, Cell* cell) {
    ++cell->points;
    cell->count += o.count;
    if (o.sum) {
      cell->value_sum += *o.sum;
    } else if (o.count > 0) {
      cell->sum_unknown = true;
    }
    if (o.count > 0) {
      cell->min.Add(o.min, true);
      cell->max.Add(o.max, false);
    }
    if (!needs_.distribution) return;
    if (o.bounds != nullptr) cell->distribution.AddExplicit(*o.bounds, o.counts);
    if (type_ == MetricType::kExponentialHistogram) AddIndexCounts(o, cell);
    if (o.count > 0) cell->distribution.AddMinMax(o.min_bound, o.max_bound);
  }

  static void AddIndexCounts(const Observations& o, Cell* cell) {
    // Re-expressed as OTLP buckets: dense from the smallest index to the largest.
    auto to_buckets = [](const IndexCounts& counts) {
      model::ExponentialBuckets buckets;
      if (counts.empty()) return buckets;
      const int64_t low = counts.begin()->first;
      const int64_t high = counts.rbegin()->first;
      buckets.offset = static_cast<int32_t>(low);
      buckets.bucket_counts.assign(static_cast<size_t>(high - low + 1), 0);
      for (const auto& [index, count] : counts) {
        buckets.bucket_counts[static_cast<size_t>(index - low)] = count;
      }
      return buckets;
    };
    cell->distribution.AddExponential(o.scale, o.zero_count, o.zero_threshold,
                                      to_buckets(o.positive), to_buckets(o.negative));
  }

  const OtlpMetricQuery& query_;
  const MetricType type_;
  const uint64_t first_;
  const uint64_t end_;
  const uint64_t scan_from_;
  Needs needs_;
  uint64_t examined_ = 0;
  bool partial_ = false;
  std::string partial_reason_;
  std::unordered_map<uint64_t, SeriesState> series_;
  std::map<std::vector<std::string>, size_t> group_index_;
  std::vector<GroupCells> groups_;
  std::vector<std::vector<std::string>> group_values_;
};

// Group indexes ordered by total, largest first (undefined values last), then by group values.
std::vector<size_t> RankGroups(const std::vector<std::optional<double>>& totals,
                               const std::vector<std::vector<std::string>>& groups) {
  std::vector<size_t> order(totals.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (totals[a].has_value() != totals[b].has_value()) return totals[a].has_value();
    if (totals[a] && *totals[a] != *totals[b]) return *totals[a] > *totals[b];
    return groups[a] < groups[b];
  });
  return order;
}

}  // namespace

// ---- Aggregations and dimensions ----------------------------------------------------------------

StatusOr<OtlpAggregation> ParseOtlpAggregation(std::string_view name) {
  for (const auto& [text, agg] : kAggregations) {
    if (text == name) return agg;
  }
  return InvalidArgument("unknown aggregation \"" + std::string(name) +
                         "\"; use sum, count, rate, avg, min, max, last, p50, p90, p95 or p99");
}

std::string_view OtlpAggregationName(OtlpAggregation agg) {
  for (const auto& [text, a] : kAggregations) {
    if (a == agg) return text;
  }
  return "sum";
}

OtlpAggregation DefaultOtlpAggregation(MetricType type, std::string_view unit) {
  switch (type) {
    case MetricType::kGauge:
    case MetricType::kSummary:
      return OtlpAggregation::kAvg;
    case MetricType::kSum:
      return OtlpAggregation::kSum;
    case MetricType::kHistogram:
    case MetricType::kExponentialHistogram:
      for (std::string_view time_unit : {"s", "ms", "us", "ns", "min", "h", "d"}) {
        if (unit == time_unit) return OtlpAggregation::kP95;
      }
      return OtlpAggregation::kSum;
  }
  return OtlpAggregation::kSum;
}

Status CheckOtlpAggregation(MetricType type, OtlpAggregation agg) {
  const std::string type_name(model::MetricTypeName(type));
  const std::string agg_name(OtlpAggregationName(agg));
  if (QuantileOf(agg) && !IsHistogram(type)) {
    return InvalidArgument("percentiles need a histogram; " + type_name + " metrics have " +
                           (type == MetricType::kSummary ? "sum, count, rate and avg"
                            : type == MetricType::kGauge
                                ? "avg, min, max, last, sum and count"
                                : "sum, rate, count, avg, min, max and last"));
  }
  if (agg == OtlpAggregation::kLast && HasObservations(type)) {
    return InvalidArgument("'last' applies to gauges and sums, not to " + type_name + " metrics");
  }
  if (agg == OtlpAggregation::kRate && type == MetricType::kGauge) {
    return InvalidArgument("'rate' does not apply to gauges; use avg, min, max or last");
  }
  if ((agg == OtlpAggregation::kMin || agg == OtlpAggregation::kMax) &&
      type == MetricType::kSummary) {
    return InvalidArgument("'" + agg_name + "' does not apply to summaries");
  }
  return Status::Ok();
}

std::string OtlpValueUnit(MetricType type, std::string_view unit, OtlpAggregation agg) {
  if (agg == OtlpAggregation::kCount) return "1";
  if (agg == OtlpAggregation::kRate) {
    if (HasObservations(type) || unit.empty() || unit == "1") return "1/s";
    return std::string(unit) + "/s";
  }
  return std::string(unit);
}

StatusOr<OtlpDimension> ParseOtlpDimension(std::string_view name) {
  OtlpDimension d;
  d.name.assign(name);
  if (name == "service") {
    d.kind = OtlpDimension::Kind::kService;
    return d;
  }
  if (name == "scope") {
    d.kind = OtlpDimension::Kind::kScope;
    return d;
  }
  for (const auto& [prefix, kind] :
       {std::pair<std::string_view, OtlpDimension::Kind>{"attr.", OtlpDimension::Kind::kAttribute},
        {"resource.", OtlpDimension::Kind::kResourceAttribute}}) {
    if (name.starts_with(prefix) && name.size() > prefix.size()) {
      d.kind = kind;
      d.key.assign(name.substr(prefix.size()));
      return d;
    }
  }
  return InvalidArgument("unknown dimension \"" + std::string(name) +
                         "\"; use service, scope, attr.KEY (a point attribute) or resource.KEY");
}

std::string OtlpDimensionValue(const OtlpDimension& dimension, const MetricPoint& point,
                               const model::Resource& resource, const model::Scope& scope) {
  const model::AnyValue* value = nullptr;
  switch (dimension.kind) {
    case OtlpDimension::Kind::kService:
      return std::string(model::ServiceName(resource));
    case OtlpDimension::Kind::kScope:
      return std::string(scope.name);
    case OtlpDimension::Kind::kAttribute:
      value = model::FindAttribute(point.attributes, dimension.key);
      break;
    case OtlpDimension::Kind::kResourceAttribute:
      value = model::FindAttribute(resource.attributes, dimension.key);
      break;
  }
  return value != nullptr ? ValueText(*value) : "";
}

// ---- Distribution -------------------------------------------------------------------------------

void Distribution::AddExplicit(const std::vector<double>& bounds,
                               const std::vector<uint64_t>& bucket_counts) {
  if (bucket_counts.empty() || bucket_counts.size() != bounds.size() + 1) return;
  std::vector<uint64_t>& counts = explicit_[bounds];
  if (counts.empty()) counts.assign(bucket_counts.size(), 0);
  for (size_t i = 0; i < bucket_counts.size(); ++i) {
    counts[i] += bucket_counts[i];
    count_ += bucket_counts[i];
  }
}

void Distribution::AddExponential(int32_t scale, uint64_t zero_count, double zero_threshold,
                                  const model::ExponentialBuckets& positive,
                                  const model::ExponentialBuckets& negative) {
  Exponential e;
  e.scale = scale;
  e.zero_count = zero_count;
  e.zero_threshold = zero_threshold;
  e.positive = ToIndexCounts(positive);
  e.negative = ToIndexCounts(negative);
  count_ += zero_count;
  for (const IndexCounts* side : {&e.positive, &e.negative}) {
    for (const auto& [index, count] : *side) count_ += count;
  }
  MergeExponential(e);
}

void Distribution::MergeExponential(const Exponential& other) {
  if (!exponential_) {
    exponential_ = other;
    return;
  }
  Exponential& mine = *exponential_;
  const int32_t scale = std::min(mine.scale, other.scale);
  mine.positive = Downscale(mine.positive, mine.scale - scale);
  mine.negative = Downscale(mine.negative, mine.scale - scale);
  AddCounts(Downscale(other.positive, other.scale - scale), &mine.positive);
  AddCounts(Downscale(other.negative, other.scale - scale), &mine.negative);
  mine.scale = scale;
  mine.zero_count += other.zero_count;
  mine.zero_threshold = std::max(mine.zero_threshold, other.zero_threshold);
}

void Distribution::AddMinMax(std::optional<double> min, std::optional<double> max) {
  if (min && !std::isnan(*min) && (!min_ || *min < *min_)) min_ = min;
  if (max && !std::isnan(*max) && (!max_ || *max > *max_)) max_ = max;
}

void Distribution::Merge(const Distribution& other) {
  for (const auto& [bounds, counts] : other.explicit_) {
    std::vector<uint64_t>& mine = explicit_[bounds];
    if (mine.empty()) mine.assign(counts.size(), 0);
    for (size_t i = 0; i < counts.size(); ++i) mine[i] += counts[i];
  }
  if (other.exponential_) MergeExponential(*other.exponential_);
  count_ += other.count_;
  AddMinMax(other.min_, other.max_);
}

std::optional<double> Distribution::Quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  // Every non-empty bucket as an interval holding its count evenly.
  struct Piece {
    double lo;
    double hi;
    double count;
  };
  std::vector<Piece> pieces;
  for (const auto& [bounds, counts] : explicit_) {
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      pieces.push_back({i == 0 ? -kInf : bounds[i - 1], i == bounds.size() ? kInf : bounds[i],
                        static_cast<double>(counts[i])});
    }
  }
  if (exponential_) {
    const Exponential& e = *exponential_;
    if (e.zero_count != 0) {
      pieces.push_back({-e.zero_threshold, e.zero_threshold, static_cast<double>(e.zero_count)});
    }
    for (const auto& [index, count] : e.positive) {
      pieces.push_back(
          {ExpBound(e.scale, index), ExpBound(e.scale, index + 1), static_cast<double>(count)});
    }
    for (const auto& [index, count] : e.negative) {
      pieces.push_back(
          {-ExpBound(e.scale, index + 1), -ExpBound(e.scale, index), static_cast<double>(count)});
    }
  }
  // Clamp to what the points said of their extremes; close the unbounded ends.
  for (Piece& piece : pieces) {
    if (min_) {
      piece.lo = std::clamp(piece.lo, *min_, std::max(*min_, max_.value_or(kInf)));
      piece.hi = std::max(piece.hi, piece.lo);
    }
    if (max_) {
      piece.hi = std::min(piece.hi, *max_);
      piece.lo = std::min(piece.lo, piece.hi);
    }
    if (std::isinf(piece.lo) && std::isinf(piece.hi)) {
      piece.lo = piece.hi = 0;  // one bucket and no extremes: nothing to place it by
    } else if (std::isinf(piece.lo)) {
      piece.lo = piece.hi > 0 ? 0 : piece.hi;
    } else if (std::isinf(piece.hi)) {
      piece.hi = piece.lo;
    }
  }

  // Sweep the piecewise-linear cumulative count up to the rank: slopes change and jumps (the
  // counts of zero-width pieces) happen at piece ends.
  struct Change {
    double slope = 0;
    double jump = 0;
  };
  std::map<double, Change> changes;
  for (const Piece& piece : pieces) {
    if (piece.hi > piece.lo) {
      const double density = piece.count / (piece.hi - piece.lo);
      changes[piece.lo].slope += density;
      changes[piece.hi].slope -= density;
    } else {
      changes[piece.lo].jump += piece.count;
    }
  }
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(count_);
  double cumulative = 0;
  double slope = 0;
  double at = changes.begin()->first;
  for (const auto& [x, change] : changes) {
    const double rise = slope * (x - at);
    if (rise > 0 && cumulative + rise >= rank) return at + (rank - cumulative) / slope;
    cumulative += rise;
    if (cumulative + change.jump >= rank) return x;
    cumulative += change.jump;
    slope += change.slope;
    at = x;
  }
  return changes.rbegin()->first;  // rounding left the rank just out of reach
}

// ---- The query ----------------------------------------------------------------------------------

StatusOr<OtlpMetricAnswer> RunOtlpMetricQuery(store::Store& store, const OtlpMetricQuery& query) {
  const uint64_t step = query.step_ns;
  if (step == 0) return InvalidArgument("step must be positive");
  if (query.end_unix_nano <= query.start_unix_nano) {
    return InvalidArgument("'end' must be after 'start'");
  }
  TS_ASSIGN_OR_RETURN(std::vector<store::MetricInfo> metrics, store.ListMetricNames(query.project));
  auto info = std::find_if(metrics.begin(), metrics.end(),
                           [&](const store::MetricInfo& m) { return m.name == query.name; });
  if (info == metrics.end()) {
    return NotFound("no OTLP metric named \"" + query.name + "\" is stored");
  }

  OtlpMetricAnswer answer;
  answer.metric = *info;
  answer.agg = query.agg.value_or(DefaultOtlpAggregation(info->type, info->unit));
  TS_RETURN_IF_ERROR(CheckOtlpAggregation(info->type, answer.agg));
  answer.unit = OtlpValueUnit(info->type, info->unit, answer.agg);

  const uint64_t first = query.start_unix_nano - query.start_unix_nano % step;
  const uint64_t last_start = (query.end_unix_nano - 1) - (query.end_unix_nano - 1) % step;
  const uint64_t bucket_count = (last_start - first) / step + 1;
  if (bucket_count > kMaxOtlpBuckets) {
    return InvalidArgument("step is too small for the range: " + std::to_string(bucket_count) +
                           " buckets, at most " + std::to_string(kMaxOtlpBuckets));
  }
  const uint64_t end = last_start > UINT64_MAX - step ? UINT64_MAX : last_start + step;
  answer.first_bucket_unix_nano = first;
  answer.end_unix_nano = end;
  answer.step_ns = step;

  // Cumulative series need their point before the range.
  const bool cumulative = info->type == MetricType::kSummary ||
                          info->temporality == model::AggregationTemporality::kCumulative;
  const uint64_t scan_from =
      !cumulative ? first : (first > query.lookback_ns ? first - query.lookback_ns : 0);
  Folder folder(query, info->type, answer.agg, first, end, scan_from);
  TS_RETURN_IF_ERROR(store.ScanMetricPoints(
      {query.project, query.name, scan_from, end},
      [&](const MetricPoint& p, const model::Resource& r, const model::Scope& s, uint64_t series) {
        return folder.Visit(p, r, s, series);
      }));
  answer.points_examined = folder.examined();
  answer.partial = folder.partial();
  answer.partial_reason = folder.partial_reason();

  const double range_seconds = static_cast<double>(bucket_count * step) / 1e9;
  const double step_seconds = static_cast<double>(step) / 1e9;
  auto value = [&](const Cell& cell, double seconds) {
    return HasObservations(info->type) ? ObservationValue(answer.agg, cell, seconds)
                                       : NumberValue(answer.agg, cell, seconds);
  };
  auto total_of = [](const GroupCells& group) {
    Cell total;
    for (const auto& [bucket, cell] : group.buckets) total.Merge(cell);
    return total;
  };
  auto make_series = [&](const GroupCells& group) {
    OtlpMetricSeries series;
    series.points.reserve(bucket_count);
    const Cell empty;
    auto next = group.buckets.begin();
    for (uint64_t b = 0; b < bucket_count; ++b) {
      const Cell* cell = &empty;
      if (next != group.buckets.end() && next->first == b) cell = &(next++)->second;
      series.points.push_back(value(*cell, step_seconds));
    }
    series.total = value(total_of(group), range_seconds);
    return series;
  };

  std::vector<GroupCells>& groups = folder.groups();
  std::vector<std::optional<double>> totals;
  totals.reserve(groups.size());
  for (const GroupCells& group : groups) totals.push_back(value(total_of(group), range_seconds));
  const std::vector<size_t> ranked = RankGroups(totals, folder.group_values());
  const size_t keep = std::min(ranked.size(), std::max<size_t>(query.top, 1));
  for (size_t i = 0; i < keep; ++i) {
    OtlpMetricSeries series = make_series(groups[ranked[i]]);
    series.group = folder.group_values()[ranked[i]];
    answer.series.push_back(std::move(series));
  }
  if (ranked.size() > keep) {
    GroupCells rest;
    for (size_t i = keep; i < ranked.size(); ++i) {
      for (const auto& [bucket, cell] : groups[ranked[i]].buckets) rest.buckets[bucket].Merge(cell);
    }
    OtlpMetricSeries series = make_series(rest);
    series.group.assign(query.group_by.size(), "__other__");
    series.other = true;
    series.groups = ranked.size() - keep;
    answer.series.push_back(std::move(series));
  }
  return answer;
}

}  // namespace tokenscope::query
