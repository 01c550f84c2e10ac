// RecentKeys: a bounded set of keys the store has recently made durable (resource and scope
// hashes, service names), so that Write() skips rewriting them with every batch. Forgetting
// a key only costs one harmless rewrite, so the set simply starts over when full instead of
// tracking recency. Thread-safe (one mutex; the critical sections are a hash lookup).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace tokenscope::store::embedded {

class RecentKeys {
 public:
  explicit RecentKeys(size_t capacity) : capacity_(capacity) {}
  RecentKeys(const RecentKeys&) = delete;
  RecentKeys& operator=(const RecentKeys&) = delete;

  bool Contains(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_.count(key) > 0;
  }

  void Insert(std::string key) {
    if (capacity_ == 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_.size() >= capacity_) keys_.clear();
    keys_.insert(std::move(key));
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> keys_;
};

}  // namespace tokenscope::store::embedded
