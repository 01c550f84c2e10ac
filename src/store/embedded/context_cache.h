// ContextCache: the decoded resources and scopes of one scan of log records or metric points,
// by content hash. A scan meets the same few again and again; each is read and decoded once.
// Owns the stored bytes its values point into, so the references it hands out stay valid as
// long as the cache. One per scan; not thread-safe.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/status.h"
#include "model/span.h"
#include "store/embedded/keys.h"
#include "store/embedded/records.h"
#include "store/embedded/rocks_util.h"

namespace tokenscope::store::embedded {

class ContextCache {
 public:
  // `owner` names what refers to the records in the DataLoss message of a missing one ("a log
  // record", "a metric point").
  ContextCache(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* resources,
               rocksdb::ColumnFamilyHandle* scopes, std::string owner)
      : db_(db), resources_cf_(resources), scopes_cf_(scopes), owner_(std::move(owner)) {}

  StatusOr<const model::Resource*> Resource(uint64_t hash) {
    return Lookup(hash, resources_cf_, "resource", &resources_, DecodeResourceRecord);
  }
  StatusOr<const model::Scope*> Scope(uint64_t hash) {
    return Lookup(hash, scopes_cf_, "scope", &scopes_, DecodeScopeRecord);
  }

 private:
  template <typename T>
  struct Entry {
    std::unique_ptr<std::string> bytes;
    T value;
  };

  template <typename T, typename Decode>
  StatusOr<const T*> Lookup(uint64_t hash, rocksdb::ColumnFamilyHandle* cf, const char* what,
                            std::unordered_map<uint64_t, Entry<T>>* cache, Decode decode) {
    if (auto it = cache->find(hash); it != cache->end()) return &it->second.value;
    Entry<T> entry;
    entry.bytes = std::make_unique<std::string>();
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, HashKey(hash), entry.bytes.get());
    if (s.IsNotFound()) {
      return DataLoss("embedded store: " + owner_ + " refers to a missing " + what);
    }
    TS_RETURN_IF_ERROR(FromRocks(s, std::string("read a ") + what));
    TS_RETURN_IF_ERROR(decode(*entry.bytes, &entry.value));
    auto [it, inserted] = cache->emplace(hash, std::move(entry));
    return &it->second.value;
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* resources_cf_;
  rocksdb::ColumnFamilyHandle* scopes_cf_;
  const std::string owner_;
  std::unordered_map<uint64_t, Entry<model::Resource>> resources_;
  std::unordered_map<uint64_t, Entry<model::Scope>> scopes_;
};

}  // namespace tokenscope::store::embedded
