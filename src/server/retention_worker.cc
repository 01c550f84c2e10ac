#include "server/retention_worker.h"

#include <spdlog/spdlog.h>

#include <set>

#include "base/clock.h"
#include "rollup/rollup.h"

namespace tokenscope::server {

bool RetentionWorker::enabled() const {
  if (options_.default_ttl_ns != 0 || options_.rollup_ttl_ns != 0) return true;
  for (const auto& [project, ttl] : options_.project_ttl_ns) {
    if (ttl != 0) return true;
  }
  return false;
}

uint64_t RetentionWorker::ttl_for(const std::string& project) const {
  auto it = options_.project_ttl_ns.find(project);
  return it != options_.project_ttl_ns.end() ? it->second : options_.default_ttl_ns;
}

StatusOr<RetentionWorker::Totals> RetentionWorker::RunOnce(uint64_t now_unix_nano) {
  Totals totals;
  TS_ASSIGN_OR_RETURN(std::vector<std::string> stored, store_->ListProjects());
  std::set<std::string> projects(stored.begin(), stored.end());
  for (const auto& [project, ttl] : options_.project_ttl_ns) projects.insert(project);
  for (const std::string& project : projects) {
    const uint64_t rollup_ttl = options_.rollup_ttl_ns;
    if (rollup_ttl != 0 && rollup_ttl < now_unix_nano) {
      // One range delete per project: cheap whatever the number of cells.
      const uint64_t cutoff_minute = rollup::MinuteOf(now_unix_nano - rollup_ttl);
      if (cutoff_minute > 0) {
        TS_RETURN_IF_ERROR(store_->ReplaceRollups(project, 0, cutoff_minute, {}));
        if (options_.rollups_deleted) options_.rollups_deleted(project, 0, cutoff_minute);
      }
    }
    const uint64_t ttl = ttl_for(project);
    if (ttl == 0 || ttl >= now_unix_nano) continue;
    const uint64_t cutoff = now_unix_nano - ttl;
    for (bool more = true; more && !StopRequested();) {
      TS_ASSIGN_OR_RETURN(store::RetentionStep step,
                          store_->DeleteOlderThan(project, cutoff, options_.items_per_step));
      totals.spans_deleted += step.spans_deleted;
      totals.traces_deleted += step.traces_deleted;
      totals.logs_deleted += step.logs_deleted;
      totals.metric_points_deleted += step.metric_points_deleted;
      more = step.more;
      if (more) std::this_thread::sleep_for(options_.pause_between_steps);
    }
  }
  return totals;
}

void RetentionWorker::Start() {
  if (!enabled() || thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void RetentionWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionWorker::StopRequested() {
  std::lock_guard lock(mu_);
  return stop_;
}

void RetentionWorker::Loop() {
  for (;;) {
    auto totals = RunOnce(UnixNanosNow());
    if (!totals.ok()) {
      spdlog::error("retention: {}", totals.status().ToString());
    } else if (totals->spans_deleted + totals->logs_deleted + totals->metric_points_deleted > 0) {
      spdlog::info(
          "retention: deleted {} spans ({} whole traces), {} log records and {} metric points",
          totals->spans_deleted, totals->traces_deleted, totals->logs_deleted,
          totals->metric_points_deleted);
    }
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.interval, [this] { return stop_; })) return;
  }
}

}  // namespace tokenscope::server
