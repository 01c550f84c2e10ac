// InflightBudget: admission control by memory. Request bytes held at once (read, queued or
// being handled) across every listener — OTLP/HTTP and OTLP/gRPC share one budget — may total
// at most `limit`; a request that would pass it is refused (429 or a retryable gRPC status)
// instead of growing memory without bound. A request arriving when nothing is in flight is
// always admitted, so one large request can never be refused forever. Thread-safe (atomics).
#pragma once

#include <atomic>
#include <cstdint>

namespace tokenscope::server {

class InflightBudget {
 public:
  explicit InflightBudget(uint64_t limit) : limit_(limit) {}
  InflightBudget(const InflightBudget&) = delete;
  InflightBudget& operator=(const InflightBudget&) = delete;

  // Reserves `bytes`; false (and nothing reserved) when over budget.
  bool Admit(uint64_t bytes) {
    // A request without a body (a query) holds no memory worth bounding, and must keep being
    // served while ingest is overloaded. (Chunked bodies start at 0 and Grow as they arrive.)
    if (bytes == 0) return true;
    uint64_t current = in_flight_.load();
    do {
      if (current > 0 && current + bytes > limit_) {
        refused_.fetch_add(1);
        return false;
      }
    } while (!in_flight_.compare_exchange_weak(current, current + bytes));
    return true;
  }
  // Adds `more` to a reservation of `held` bytes made earlier, for a body whose size shows
  // only as it arrives (chunked); false (nothing added) when over budget. A holder that is
  // alone in flight always grows, as Admit always admits when nothing is in flight.
  bool Grow(uint64_t held, uint64_t more) {
    uint64_t current = in_flight_.load();
    do {
      if (current > held && current + more > limit_) {
        refused_.fetch_add(1);
        return false;
      }
    } while (!in_flight_.compare_exchange_weak(current, current + more));
    return true;
  }
  void Release(uint64_t bytes) { in_flight_.fetch_sub(bytes); }
  // Corrects a reservation made before the exact size was known.
  void Adjust(uint64_t reserved, uint64_t actual) {
    if (actual > reserved) in_flight_.fetch_add(actual - reserved);
    if (actual < reserved) in_flight_.fetch_sub(reserved - actual);
  }

  uint64_t in_flight() const { return in_flight_.load(); }
  uint64_t refused() const { return refused_.load(); }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<uint64_t> refused_{0};
};

// Holds a reservation for one scope and releases it at the end. Not thread-safe (one owner).
class BudgetReservation {
 public:
  BudgetReservation(InflightBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  ~BudgetReservation() {
    if (budget_ != nullptr) budget_->Release(bytes_);
  }
  BudgetReservation(const BudgetReservation&) = delete;
  BudgetReservation& operator=(const BudgetReservation&) = delete;

 private:
  InflightBudget* budget_;
  uint64_t bytes_;
};

}  // namespace tokenscope::server
