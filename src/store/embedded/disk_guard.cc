#include "store/embedded/disk_guard.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

namespace tokenscope::store::embedded {
namespace {

constexpr auto kMeasureEvery = std::chrono::milliseconds(100);
constexpr auto kResumeEvery = std::chrono::seconds(1);

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Mib(uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

uint64_t DiskGuard::free_bytes() {
  const int64_t now = SteadyNs();
  int64_t due = next_measure_ns_.load(std::memory_order_relaxed);
  if (now >= due && next_measure_ns_.compare_exchange_strong(
                        due, now + std::chrono::nanoseconds(kMeasureEvery).count())) {
    struct statvfs fs {};
    if (::statvfs(dir_.c_str(), &fs) == 0) {
      free_bytes_.store(static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize,
                        std::memory_order_relaxed);
    }
  }
  return free_bytes_.load(std::memory_order_relaxed);
}

Status DiskGuard::BeforeWrite(rocksdb::DB* db, bool frees_space) {
  if (failed_.load(std::memory_order_acquire)) TS_RETURN_IF_ERROR(TryResume(db));
  if (frees_space || reserve_ == 0) return Status::Ok();
  const uint64_t free = free_bytes();
  if (free >= reserve_) return Status::Ok();
  return Unavailable("embedded store: the disk holding " + dir_ + " is almost full (" + Mib(free) +
                     " free, " + Mib(reserve_) + " kept in reserve); writes resume when space " +
                     "is freed");
}

void DiskGuard::AfterWrite(const rocksdb::Status& status) {
  // Corruption and I/O trouble put RocksDB in an error state; a busy or timed-out write does
  // not, and neither does a bad argument.
  if (status.ok() || !(status.IsIOError() || status.IsNoSpace() || status.IsCorruption())) return;
  std::lock_guard lock(resume_mu_);
  if (!failed_.exchange(true, std::memory_order_acq_rel)) {
    failure_ = status.ToString();
    next_resume_ = std::chrono::steady_clock::now() + kResumeEvery;
    spdlog::error("store: a write failed ({}); refusing writes until the database recovers",
                  failure_);
  }
}

Status DiskGuard::TryResume(rocksdb::DB* db) {
  std::lock_guard lock(resume_mu_);
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_resume_ && (reserve_ == 0 || free_bytes() >= reserve_)) {
    next_resume_ = now + kResumeEvery;
    rocksdb::Status resumed = db->Resume();
    if (resumed.ok()) {
      failed_.store(false, std::memory_order_release);
      spdlog::info("store: recovered after '{}'; writes resume", failure_);
      return Status::Ok();
    }
    spdlog::warn("store: cannot resume yet: {}", resumed.ToString());
  }
  return Unavailable("embedded store: writes are paused after a failed write (" + failure_ +
                     "); retry later");
}

}  // namespace tokenscope::store::embedded
