// RetentionWorker: deletes data past its time to live, per project, in the background. Every
// `interval` it walks the projects the store holds and, for each one with a TTL (its own, else
// the default), asks the store to delete what is older than now - TTL in small steps
// (Store::DeleteOlderThan), pausing between steps so that ingest and queries keep their share
// of the disk. A TTL of 0 keeps data forever.
//
// Owns its thread; holds a Store it does not own. Start/Stop from one controlling thread;
// RunOnce may also be called directly (tests, an admin command) from any one thread at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "store/store.h"

namespace tokenscope::server {

class RetentionWorker {
 public:
  struct Options {
    uint64_t default_ttl_ns = 0;                     // 0: keep forever
    std::map<std::string, uint64_t> project_ttl_ns;  // overrides, 0 included
    // How long rollup cells are kept, for every project (0: forever). Usually longer than
    // spans: cost history outlives the raw calls.
    uint64_t rollup_ttl_ns = 0;
    // Told which rollup minutes of a project were deleted (caches forget them). May be empty.
    std::function<void(const std::string& project, uint64_t start_minute, uint64_t end_minute)>
        rollups_deleted;
    std::chrono::nanoseconds interval = std::chrono::seconds(60);
    size_t items_per_step = 2'000;
    std::chrono::milliseconds pause_between_steps{5};
  };

  struct Totals {
    uint64_t spans_deleted = 0;
    uint64_t traces_deleted = 0;
    uint64_t logs_deleted = 0;
    uint64_t metric_points_deleted = 0;
  };

  RetentionWorker(store::Store* store, Options options)
      : store_(store), options_(std::move(options)) {}
  ~RetentionWorker() { Stop(); }
  RetentionWorker(const RetentionWorker&) = delete;
  RetentionWorker& operator=(const RetentionWorker&) = delete;

  // Whether any project can have a TTL; when not, Start() starts nothing.
  bool enabled() const;
  void Start();
  void Stop();

  // One pass over every project as of `now_unix_nano`.
  StatusOr<Totals> RunOnce(uint64_t now_unix_nano);

  uint64_t ttl_for(const std::string& project) const;

 private:
  void Loop();
  bool StopRequested();

  store::Store* store_;
  const Options options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace tokenscope::server
