// EmbeddedStore's retention: DeleteOlderThan and ListProjects. Old data is found through the
// time-ordered column families (span_time and logs sort newest first, so everything before a
// cutoff is one contiguous run at the end of the project's range; metric points sort oldest
// first within each metric, embedded_metrics.cc), and deleted key by key with the index entries
// that point at it, in bounded steps.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>
#include <set>

#include "store/embedded/coding.h"
#include "store/embedded/embedded_store.h"
#include "store/embedded/keys.h"
#include "store/embedded/records.h"
#include "store/embedded/rocks_util.h"

namespace tokenscope::store::embedded {

Status EmbeddedStore::PlanSpanDeletes(const std::string& project, uint64_t cutoff, size_t max_items,
                                      rocksdb::WriteBatch* batch, RetentionStep* step) {
  const std::string prefix = ProjectPrefix(project);
  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kSpanTimeCf)));
  std::set<model::TraceId> traces;
  SpanSummary summary;
  // The newest span start that is old enough is cutoff - 1; everything after it in key order is
  // older still.
  for (it->Seek(ToSlice(prefix + TimeOrderSeekSuffix(cutoff - 1))); it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    if (step->spans_deleted == max_items) {
      step->more = true;
      break;
    }
    if (!ParseTimeOrderSuffix(key.substr(prefix.size()), &summary.start_time_unix_nano,
                              &summary.trace_id, &summary.span_id)) {
      return DataLoss("embedded store: malformed span time key");
    }
    TS_RETURN_IF_ERROR(DecodeSpanSummaryValue(View(it->value()), &summary));
    batch->Delete(cf(kSpanTimeCf), it->key());
    batch->Delete(cf(kSpansCf), SpanKey(project, summary.trace_id, summary.span_id));
    ForEachIndexTerm(summary.service, summary.name, summary.status,
                     [&](IndexedField field, std::string_view value) {
                       batch->Delete(cf(kSpanIndexCf),
                                     IndexKey(project, field, value, summary.start_time_unix_nano,
                                              summary.trace_id, summary.span_id));
                     });
    traces.insert(summary.trace_id);
    ++step->spans_deleted;
  }
  TS_RETURN_IF_ERROR(FromRocks(it->status(), "scan old spans"));

  // A trace's summary goes once every span of it starts before the cutoff (those are deleted by
  // this step or the next ones); keyed to span starts like the deletion itself, so no summary
  // is left behind without spans to find it by.
  std::vector<model::TraceId> ids(traces.begin(), traces.end());
  TS_ASSIGN_OR_RETURN(std::vector<model::TraceSummary> summaries, GetTraceSummaries(project, ids));
  for (const model::TraceSummary& trace : summaries) {
    if (trace.last_span_start_unix_nano >= cutoff) continue;
    batch->Delete(cf(kTraceSummaryCf), TraceSummaryKey(project, trace.trace_id));
    ++step->traces_deleted;
  }
  return Status::Ok();
}

Status EmbeddedStore::PlanLogDeletes(const std::string& project, uint64_t cutoff, size_t max_items,
                                     rocksdb::WriteBatch* batch, RetentionStep* step) {
  const std::string prefix = ProjectPrefix(project);
  PrefixBoundedRead bounded(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded.options(), cf(kLogsCf)));
  for (it->Seek(ToSlice(prefix + LogOrderSeekSuffix(cutoff - 1))); it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    if (step->logs_deleted == max_items) {
      step->more = true;
      break;
    }
    LogPosition position;
    if (!ParseLogOrderSuffix(key.substr(prefix.size()), &position)) {
      return DataLoss("embedded store: malformed log key");
    }
    model::LogRecord record;
    SpanRecordView view;
    TS_RETURN_IF_ERROR(DecodeLogRecordValue(View(it->value()), &record, &view));
    batch->Delete(cf(kLogsCf), it->key());
    if (record.has_trace_id()) {
      batch->Delete(cf(kLogTraceCf), LogTraceKey(project, record.trace_id, position));
    }
    ++step->logs_deleted;
  }
  return FromRocks(it->status(), "scan old log records");
}

StatusOr<RetentionStep> EmbeddedStore::DeleteOlderThan(const std::string& project,
                                                       uint64_t cutoff_unix_nano,
                                                       size_t max_items) {
  RetentionStep step;
  if (cutoff_unix_nano == 0 || max_items == 0) return step;
  rocksdb::WriteBatch batch;
  TS_RETURN_IF_ERROR(PlanSpanDeletes(project, cutoff_unix_nano, max_items, &batch, &step));
  TS_RETURN_IF_ERROR(PlanLogDeletes(project, cutoff_unix_nano, max_items, &batch, &step));
  TS_RETURN_IF_ERROR(PlanMetricDeletes(project, cutoff_unix_nano, max_items, &batch, &step));
  if (batch.Count() == 0) return step;
  // Not synced: a deletion lost in a crash is simply done again by the next step.
  TS_RETURN_IF_ERROR(Commit(&batch, /*sync=*/false, /*frees_space=*/true, "delete old data"));
  return step;
}

StatusOr<std::vector<std::string>> EmbeddedStore::ListProjects() {
  // services (every project with spans), logs and metrics keys start with the length-prefixed
  // project: read one key per project and jump to the next project's range.
  std::set<std::string> projects;
  for (ColumnFamilyIndex which : {kServicesCf, kLogsCf, kMetricsCf}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(which)));
    for (it->SeekToFirst(); it->Valid();) {
      std::string_view key = View(it->key());
      std::string_view project;
      if (!GetLengthPrefixed(&key, &project)) return DataLoss("embedded store: malformed key");
      projects.emplace(project);
      const std::string next = PrefixSuccessor(ProjectPrefix(project));
      if (next.empty()) break;
      it->Seek(ToSlice(next));
    }
    TS_RETURN_IF_ERROR(FromRocks(it->status(), "list projects"));
  }
  return std::vector<std::string>(projects.begin(), projects.end());
}

}  // namespace tokenscope::store::embedded
