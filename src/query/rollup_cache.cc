#include "query/rollup_cache.h"

#include <algorithm>

namespace tokenscope::query {

Status RollupCache::Scan(store::Store& store, const std::string& project, uint64_t start_minute,
                         uint64_t end_minute, const CachedCellVisitor& visit) {
  if (start_minute >= end_minute) return Status::Ok();
  const uint64_t first_hour = start_minute / kMinutesPerHour;
  const uint64_t last_hour = (end_minute - 1) / kMinutesPerHour;
  for (uint64_t hour = first_hour; hour <= last_hour; ++hour) {
    TS_ASSIGN_OR_RETURN(std::shared_ptr<const Hour> cells, Load(store, project, hour));
    for (const Cell& cell : cells->cells) {
      if (cell.minute < start_minute || cell.minute >= end_minute) continue;
      const std::string_view bytes(cells->bytes.data() + cell.offset, cell.length);
      if (!visit(cell.minute, *cell.key, cell.key_id, bytes)) return Status::Ok();
    }
    if (hour == UINT64_MAX / kMinutesPerHour) break;
  }
  return Status::Ok();
}

StatusOr<std::shared_ptr<const RollupCache::Hour>> RollupCache::Load(store::Store& store,
                                                                     const std::string& project,
                                                                     uint64_t hour) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    HourSlot& slot = slots_[{project, hour}];
    slot.last_use = ++clock_;
    if (slot.hour != nullptr) {
      ++hits_;
      return slot.hour;
    }
    ++misses_;
    generation = slot.generation;
  }

  // Read outside the lock. The generation was taken before the read, so a write that lands
  // after the read began bumps it and keeps this hour out of the cache.
  auto loaded = std::make_shared<Hour>();
  std::vector<rollup::RollupKey> keys;  // per cell, interned below
  store::RollupScan scan;
  scan.project = project;
  scan.start_minute = hour * kMinutesPerHour;
  scan.end_minute = scan.start_minute + kMinutesPerHour;
  TS_RETURN_IF_ERROR(
      store.ScanRollupBytes(scan, [&](const rollup::RollupKey& key, std::string_view bytes) {
        loaded->cells.push_back(
            {key.minute, nullptr, 0, static_cast<uint32_t>(bytes.size()), loaded->bytes.size()});
        loaded->bytes.append(bytes);
        keys.push_back(key);
        return true;
      }));

  std::lock_guard lock(mu_);
  std::string scratch;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto [id, interned] = Intern(project, keys[i], &scratch);
    loaded->cells[i].key_id = id;
    loaded->cells[i].key = interned;
  }
  HourSlot& slot = slots_[{project, hour}];
  if (slot.generation == generation && slot.hour == nullptr) {
    slot.hour = loaded;
    bytes_ += loaded->Bytes();
    EvictOverBudget();
  }
  return std::shared_ptr<const Hour>(std::move(loaded));
}

std::pair<uint32_t, const rollup::RollupKey*> RollupCache::Intern(const std::string& project,
                                                                  const rollup::RollupKey& key,
                                                                  std::string* scratch) {
  KeyTable& table = keys_[project];
  scratch->clear();
  rollup::EncodeKeyDimensions(key, scratch);
  auto [it, inserted] = table.ids.try_emplace(*scratch, static_cast<uint32_t>(table.keys.size()));
  if (inserted) {
    auto copy = std::make_unique<rollup::RollupKey>(key);
    copy->minute = 0;
    table.keys.push_back(std::move(copy));
  }
  return {it->second, table.keys[it->second].get()};
}

void RollupCache::Invalidate(std::string_view project, uint64_t start_minute, uint64_t end_minute) {
  if (start_minute >= end_minute) return;
  const uint64_t first_hour = start_minute / kMinutesPerHour;
  const uint64_t last_hour = (end_minute - 1) / kMinutesPerHour;
  std::lock_guard lock(mu_);
  const std::string name(project);
  // Bump every slot that exists in the range (a slot absent now has nothing cached, and a
  // reader that creates it later reads after this write).
  for (auto it = slots_.lower_bound({name, first_hour});
       it != slots_.end() && it->first.first == name && it->first.second <= last_hour; ++it) {
    HourSlot& slot = it->second;
    ++slot.generation;
    if (slot.hour != nullptr) {
      bytes_ -= slot.hour->Bytes();
      slot.hour = nullptr;
    }
  }
}

void RollupCache::EvictOverBudget() {
  while (bytes_ > max_bytes_) {
    auto oldest = slots_.end();
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->second.hour != nullptr &&
          (oldest == slots_.end() || it->second.last_use < oldest->second.last_use)) {
        oldest = it;
      }
    }
    if (oldest == slots_.end()) return;
    bytes_ -= oldest->second.hour->Bytes();
    oldest->second.hour = nullptr;
  }
}

size_t RollupCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}
uint64_t RollupCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}
uint64_t RollupCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace tokenscope::query
