// RollupCache: the rollup cells of recently queried hours in memory, so that a dashboard that
// asks for the same day of cells several times per load (latency percentiles, tokens, cost)
// and again on every refresh reads memory instead of iterating the store and folding merge
// operands each time.
//
// The cache holds, per (project, hour), the hour's cells as their encodings (rollup::EncodeCell;
// kept encoded on purpose: varint buckets take 2-3 bytes where decoded ones take 16, and a scan
// of a day of cells is bound by memory bandwidth), and an id per distinct key, interned per
// project, so that
// readers can remember per key what they worked out once (its group, whether a filter matches it).
// Writers of cells — ingest, rollup rebuilds, retention — call Invalidate() after their write is
// durable; each (project, hour) has a generation that Invalidate() bumps, and a scan that read an
// hour from the store keeps it only if the generation did not move meanwhile, so a write racing a
// read can never leave a stale hour behind. Bounded by a byte budget; least recently used hours go
// first.
//
// Thread-safe: one mutex guards the maps; hours are immutable once cached and shared with the
// scans that use them, which visit them without the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "rollup/rollup.h"
#include "store/store.h"

namespace tokenscope::query {

// One cell: its minute, its key (whose own minute field is meaningless here), the key's id
// within its project (stable for the cache's life), and its encoding (rollup::EncodeCell).
// Valid only during the call; return false to stop.
using CachedCellVisitor = std::function<bool(uint64_t minute, const rollup::RollupKey& key,
                                             uint32_t key_id, std::string_view cell)>;

class RollupCache {
 public:
  static constexpr uint64_t kMinutesPerHour = 60;

  explicit RollupCache(size_t max_bytes = size_t{256} << 20) : max_bytes_(max_bytes) {}
  RollupCache(const RollupCache&) = delete;
  RollupCache& operator=(const RollupCache&) = delete;

  // Visits the cells of `project` whose minute lies in [start_minute, end_minute), in
  // ascending minute order, from memory where possible.
  Status Scan(store::Store& store, const std::string& project, uint64_t start_minute,
              uint64_t end_minute, const CachedCellVisitor& visit);

  // Forgets the hours of [start_minute, end_minute) of `project`: call after writing cells
  // there (end_minute UINT64_MAX: every later hour).
  void Invalidate(std::string_view project, uint64_t start_minute, uint64_t end_minute);

  size_t bytes() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Cell {
    uint64_t minute;
    const rollup::RollupKey* key;  // owned by the project's KeyTable, never freed
    uint32_t key_id;
    uint32_t length;
    size_t offset;  // into Hour::bytes
  };
  struct Hour {
    std::vector<Cell> cells;  // ascending minute
    std::string bytes;        // the encodings, back to back
    size_t Bytes() const { return bytes.size() + cells.size() * sizeof(Cell); }
  };
  struct HourSlot {
    uint64_t generation = 0;
    std::shared_ptr<const Hour> hour;  // null when not cached
    uint64_t last_use = 0;
  };
  // Interned keys of one project. Keys are immutable once added and never removed, so cached
  // hours point at them and scans read them without the lock.
  struct KeyTable {
    std::vector<std::unique_ptr<const rollup::RollupKey>> keys;
    std::unordered_map<std::string, uint32_t> ids;  // by rollup::EncodeKeyDimensions
  };
  using SlotId = std::pair<std::string, uint64_t>;  // project, hour

  StatusOr<std::shared_ptr<const Hour>> Load(store::Store& store, const std::string& project,
                                             uint64_t hour);
  // The id and interned copy of `key` in `project`'s table. Requires mu_.
  std::pair<uint32_t, const rollup::RollupKey*> Intern(const std::string& project,
                                                       const rollup::RollupKey& key,
                                                       std::string* scratch);
  void EvictOverBudget();  // requires mu_

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::map<SlotId, HourSlot> slots_;                // guarded by mu_
  std::unordered_map<std::string, KeyTable> keys_;  // guarded by mu_
  size_t bytes_ = 0;                                // guarded by mu_
  uint64_t clock_ = 0;                              // guarded by mu_
  uint64_t hits_ = 0;                               // guarded by mu_
  uint64_t misses_ = 0;                             // guarded by mu_
};

}  // namespace tokenscope::query
