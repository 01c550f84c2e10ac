// EmbeddedStore's OTLP metric data points: WriteMetrics, ScanMetricPoints, ListMetricNames and
// the retention of old points (see metric_records.h for the layout of the metrics column
// family).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "store/embedded/context_cache.h"
#include "store/embedded/embedded_store.h"
#include "store/embedded/keys.h"
#include "store/embedded/metric_records.h"
#include "store/embedded/records.h"
#include "store/embedded/rocks_util.h"

namespace tokenscope::store::embedded {

Status EmbeddedStore::WriteMetrics(const model::MetricBatch& batch) {
  if (batch.points.empty()) return Status::Ok();
  for (size_t i = 0; i < batch.points.size(); ++i) {
    const model::MetricPoint& point = batch.points[i];
    if (point.resource_index >= batch.resources.size() ||
        point.scope_index >= batch.scopes.size()) {
      return InvalidArgument("embedded store: metric point " + std::to_string(i) +
                             " refers to a resource or scope the batch does not hold");
    }
    if (point.name.empty()) {
      return InvalidArgument("embedded store: metric point " + std::to_string(i) +
                             " has no metric name");
    }
  }

  // Resources and scopes, content-addressed like those of spans and logs; each hashed once, and
  // the series context of each (resource, scope) pair the batch uses computed once.
  std::vector<std::pair<std::string, std::string>> context_puts[2];
  std::vector<std::string> remember;
  std::vector<std::optional<uint64_t>> resource_hashes(batch.resources.size());
  std::vector<std::optional<uint64_t>> scope_hashes(batch.scopes.size());
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> series_contexts;
  std::string value;
  auto resource_hash = [&](uint32_t index) {
    if (!resource_hashes[index]) {
      value.clear();
      EncodeResourceRecord(batch.resources[index], &value);
      resource_hashes[index] = PlanContentRecord(kResourcesCf, value, &context_puts[0], &remember);
    }
    return *resource_hashes[index];
  };
  auto scope_hash = [&](uint32_t index) {
    if (!scope_hashes[index]) {
      value.clear();
      EncodeScopeRecord(batch.scopes[index], &value);
      scope_hashes[index] = PlanContentRecord(kScopesCf, value, &context_puts[1], &remember);
    }
    return *scope_hashes[index];
  };
  auto series_context = [&](const model::MetricPoint& point) {
    const std::pair<uint32_t, uint32_t> pair{point.resource_index, point.scope_index};
    auto it = series_contexts.find(pair);
    if (it == series_contexts.end()) {
      it = series_contexts
               .emplace(pair, SeriesContextHash(batch.ResourceOf(point), batch.ScopeOf(point)))
               .first;
    }
    return it->second;
  };

  // Points in key order: a memtable inserts a run of nearby keys faster than random ones.
  std::vector<std::pair<std::string, std::string>> puts;
  puts.reserve(batch.points.size());
  for (const model::MetricPoint& point : batch.points) {
    const uint64_t r = resource_hash(point.resource_index);
    const uint64_t s = scope_hash(point.scope_index);
    const MetricPointPosition position{point.time_unix_nano,
                                       SeriesHashIn(series_context(point), point.attributes),
                                       point.start_time_unix_nano};
    std::string encoded;
    EncodeMetricPointValue(point, r, s, &encoded);
    puts.emplace_back(MetricPointKey(batch.project, point.name, position), std::move(encoded));
  }
  // Stable: of two points with one key, the later one of the batch is written last and wins.
  std::stable_sort(puts.begin(), puts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  rocksdb::WriteBatch write_batch;
  for (const auto& [key, record] : puts) write_batch.Put(cf(kMetricsCf), key, record);
  for (const auto& [key, record] : context_puts[0]) {
    write_batch.Put(cf(kResourcesCf), key, record);
  }
  for (const auto& [key, record] : context_puts[1]) write_batch.Put(cf(kScopesCf), key, record);

  TS_RETURN_IF_ERROR(
      Commit(&write_batch, options_.sync_writes, /*frees_space=*/false, "write metric points"));
  for (auto& key : remember) recent_records_.Insert(std::move(key));
  metric_points_written_.fetch_add(batch.points.size(), std::memory_order_relaxed);
  return Status::Ok();
}

Status EmbeddedStore::ScanMetricPoints(const MetricScan& scan, const MetricPointVisitor& visit) {
  if (scan.end_unix_nano == 0 || scan.end_unix_nano <= scan.start_unix_nano) return Status::Ok();
  const std::string prefix = MetricNamePrefix(scan.project, scan.name);
  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kMetricsCf)));
  ContextCache context(db_.get(), cf(kResourcesCf), cf(kScopesCf), "a metric point");
  for (it->Seek(ToSlice(prefix + MetricTimeSeekSuffix(scan.start_unix_nano))); it->Valid();
       it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    MetricPointPosition position;
    if (!ParseMetricPointSuffix(key.substr(prefix.size()), &position)) {
      return DataLoss("embedded store: malformed metric point key");
    }
    if (position.time_unix_nano >= scan.end_unix_nano) break;
    model::MetricPoint point;
    MetricPointValueView view;
    TS_RETURN_IF_ERROR(DecodeMetricPointValue(View(it->value()), &point, &view));
    point.name = scan.name;
    TS_ASSIGN_OR_RETURN(const model::Resource* resource, context.Resource(view.resource_hash));
    TS_ASSIGN_OR_RETURN(const model::Scope* scope, context.Scope(view.scope_hash));
    if (!visit(point, *resource, *scope, position.series)) return Status::Ok();
  }
  return FromRocks(it->status(), "scan metric points");
}

StatusOr<std::vector<MetricInfo>> EmbeddedStore::ListMetricNames(const std::string& project) {
  // The points of one metric are contiguous: read its first key (the oldest point), then its
  // last (the newest, which describes the metric), then jump to the next metric.
  const std::string prefix = ProjectPrefix(project);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kMetricsCf)));
  std::vector<MetricInfo> metrics;
  for (it->Seek(ToSlice(prefix)); it->Valid() && View(it->key()).starts_with(prefix);) {
    std::string_view name;
    MetricPointPosition first;
    if (!ParseMetricKeyAfterProject(View(it->key()).substr(prefix.size()), &name, &first)) {
      return DataLoss("embedded store: malformed metric point key");
    }
    MetricInfo& info = metrics.emplace_back();
    info.name.assign(name);
    info.first_time_unix_nano = first.time_unix_nano;
    const std::string name_prefix = MetricNamePrefix(project, info.name);
    const std::string next = PrefixSuccessor(name_prefix);
    if (next.empty()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(ToSlice(next));
    }
    MetricPointPosition last;
    if (!it->Valid() || !View(it->key()).starts_with(name_prefix) ||
        !ParseMetricPointSuffix(View(it->key()).substr(name_prefix.size()), &last)) {
      TS_RETURN_IF_ERROR(FromRocks(it->status(), "list metrics"));
      return DataLoss("embedded store: a metric's last point went missing while listing");
    }
    info.last_time_unix_nano = last.time_unix_nano;
    model::MetricPoint point;
    MetricPointValueView view;
    TS_RETURN_IF_ERROR(DecodeMetricPointValue(View(it->value()), &point, &view));
    info.type = point.type;
    info.temporality = point.temporality;
    info.monotonic = point.monotonic;
    info.unit.assign(point.unit);
    info.description.assign(point.description);
    if (next.empty()) break;
    it->Seek(ToSlice(next));
  }
  TS_RETURN_IF_ERROR(FromRocks(it->status(), "list metrics"));
  // Length-prefixed names order by length first.
  std::sort(metrics.begin(), metrics.end(),
            [](const MetricInfo& a, const MetricInfo& b) { return a.name < b.name; });
  return metrics;
}

Status EmbeddedStore::PlanMetricDeletes(const std::string& project, uint64_t cutoff,
                                        size_t max_items, rocksdb::WriteBatch* batch,
                                        RetentionStep* step) {
  // Each metric's points are in time order: delete from the front of each until the cutoff,
  // then jump to the next metric.
  const std::string prefix = ProjectPrefix(project);
  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kMetricsCf)));
  for (it->Seek(ToSlice(prefix)); it->Valid();) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    std::string_view name;
    MetricPointPosition position;
    if (!ParseMetricKeyAfterProject(key.substr(prefix.size()), &name, &position)) {
      return DataLoss("embedded store: malformed metric point key");
    }
    if (position.time_unix_nano >= cutoff) {
      const std::string next = PrefixSuccessor(MetricNamePrefix(project, name));
      if (next.empty()) break;
      it->Seek(ToSlice(next));
      continue;
    }
    if (step->metric_points_deleted == max_items) {
      step->more = true;
      break;
    }
    batch->Delete(cf(kMetricsCf), it->key());
    ++step->metric_points_deleted;
    it->Next();
  }
  return FromRocks(it->status(), "scan old metric points");
}

}  // namespace tokenscope::store::embedded
