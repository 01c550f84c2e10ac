#include "rollup/aggregator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tokenscope::rollup {
namespace {

RollupEntry Contribution(uint64_t minute, std::string model, std::string team = "",
                         double latency = 1e6) {
  RollupEntry e;
  e.key.minute = minute;
  e.key.service = "svc";
  e.key.model = std::move(model);
  e.key.provider = "openai";
  e.key.operation = "chat";
  e.key.dimensions = {{"team", std::move(team)}};
  e.cell.requests = 1;
  e.cell.input_tokens = 10;
  e.cell.total_cost_nanos = 7;
  e.cell.latency_ns.Add(latency);
  return e;
}

TEST(AggregatorTest, FoldsOneBatchIntoOneCellPerMinuteAndKey) {
  Aggregator aggregator;
  std::vector<RollupEntry> batch;
  batch.push_back(Contribution(2, "b"));
  batch.push_back(Contribution(1, "a"));
  batch.push_back(Contribution(2, "b", "", 5e6));
  batch.push_back(Contribution(1, "b"));
  batch.push_back(Contribution(1, "a", "x"));
  std::vector<RollupEntry> cells = aggregator.AggregateBatch("p", std::move(batch));
  ASSERT_EQ(cells.size(), 4u);
  // Minutes ascending.
  EXPECT_EQ(cells[0].key.minute, 1u);
  EXPECT_EQ(cells[1].key.minute, 1u);
  EXPECT_EQ(cells[2].key.minute, 1u);
  EXPECT_EQ(cells[3].key.minute, 2u);
  EXPECT_EQ(cells[3].key.model, "b");
  EXPECT_EQ(cells[3].cell.requests, 2u);
  EXPECT_EQ(cells[3].cell.input_tokens, 20);
  EXPECT_EQ(cells[3].cell.total_cost_nanos, 14);
  EXPECT_EQ(cells[3].cell.latency_ns.Count(), 2u);
  EXPECT_EQ(cells[3].cell.latency_ns.Max(), 5e6);
  EXPECT_TRUE(aggregator.AggregateBatch("p", {}).empty());
}

TEST(AggregatorTest, CardinalityLimitFoldsNewValuesIntoOther) {
  Aggregator aggregator(AggregatorOptions{.max_values_per_dimension = 3});
  std::vector<RollupEntry> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Contribution(1, "m", "team" + std::to_string(i)));
  batch.push_back(Contribution(1, "m", ""));       // absent: always admitted
  batch.push_back(Contribution(1, "m", "team0"));  // admitted before: kept
  std::vector<RollupEntry> cells = aggregator.AggregateBatch("p", std::move(batch));
  EXPECT_EQ(aggregator.folded_values(), 2u);
  EXPECT_EQ(aggregator.admitted_values("p", "team"), 3u);
  EXPECT_EQ(aggregator.admitted_values("p", "model"), 1u);
  uint64_t other_requests = 0, total = 0;
  for (const RollupEntry& e : cells) {
    total += e.cell.requests;
    if (e.key.dimensions[0].second == kOtherValue) other_requests += e.cell.requests;
  }
  EXPECT_EQ(total, 7u);  // nothing is lost, only relabelled
  EXPECT_EQ(other_requests, 2u);
  EXPECT_EQ(cells.size(), 5u);  // "", team0..2, __other__

  // Limits are per project.
  std::vector<RollupEntry> other_project;
  for (int i = 10; i < 13; ++i) other_project.push_back(Contribution(1, "m", std::to_string(i)));
  aggregator.AggregateBatch("q", std::move(other_project));
  EXPECT_EQ(aggregator.folded_values(), 2u);
  EXPECT_EQ(aggregator.admitted_values("q", "team"), 3u);
}

TEST(AggregatorTest, ConcurrentBatchesRespectTheLimit) {
  Aggregator aggregator(AggregatorOptions{.max_values_per_dimension = 100});
  constexpr int kThreads = 4, kBatches = 50, kPerBatch = 20;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> requests{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<RollupEntry> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(Contribution(1, "m", std::to_string((t * 7919 + b * 31 + i) % 400)));
        }
        for (const RollupEntry& e : aggregator.AggregateBatch("p", std::move(batch))) {
          requests += e.cell.requests;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(requests.load(), uint64_t{kThreads * kBatches * kPerBatch});
  EXPECT_EQ(aggregator.admitted_values("p", "team"), 100u);
  EXPECT_GT(aggregator.folded_values(), 0u);
}

}  // namespace
}  // namespace tokenscope::rollup
