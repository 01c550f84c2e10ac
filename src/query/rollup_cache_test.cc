// RollupCache: cached hours answer like the store, writes followed by Invalidate() are seen,
// and a write that races a read never leaves a stale hour behind.
#include "query/rollup_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "store/store_test_harness.h"

namespace tokenscope::query {
namespace {

rollup::RollupEntry Cell(uint64_t minute, const std::string& model, int64_t tokens) {
  rollup::RollupEntry e;
  e.key.minute = minute;
  e.key.model = model;
  e.cell.requests = 1;
  e.cell.input_tokens = tokens;
  e.cell.latency_ns.Add(1e6);
  return e;
}

// (minute, model, input tokens) of every cell the cache visits in [start, end).
std::vector<std::tuple<uint64_t, std::string, int64_t>> Visit(RollupCache& cache,
                                                              store::Store& store, uint64_t start,
                                                              uint64_t end) {
  std::vector<std::tuple<uint64_t, std::string, int64_t>> out;
  Status s = cache.Scan(
      store, "p", start, end,
      [&](uint64_t minute, const rollup::RollupKey& key, uint32_t, std::string_view bytes) {
        rollup::RollupCell cell;
        EXPECT_TRUE(rollup::MergeEncodedCell(bytes, true, true, &cell).ok());
        out.emplace_back(minute, key.model, cell.input_tokens);
        return true;
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

class RollupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = harness_.Open();
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
  }
  store::EmbeddedHarness harness_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RollupCacheTest, AnswersLikeTheStoreAndSeesInvalidatedWrites) {
  ASSERT_TRUE(
      store_->MergeRollups("p", {Cell(59, "a", 1), Cell(60, "b", 2), Cell(130, "a", 4)}).ok());
  RollupCache cache;
  using Row = std::tuple<uint64_t, std::string, int64_t>;
  EXPECT_EQ(Visit(cache, *store_, 0, 200),
            (std::vector<Row>{{59, "a", 1}, {60, "b", 2}, {130, "a", 4}}));
  EXPECT_EQ(cache.misses(), 4u);  // hours 0 to 3
  // Partial hours come from the cached whole hour.
  EXPECT_EQ(Visit(cache, *store_, 60, 131), (std::vector<Row>{{60, "b", 2}, {130, "a", 4}}));
  EXPECT_EQ(cache.hits(), 2u);

  // A write without Invalidate() is not seen (the hour is cached); with it, it is.
  ASSERT_TRUE(store_->MergeRollups("p", {Cell(61, "b", 8)}).ok());
  EXPECT_EQ(std::get<2>(Visit(cache, *store_, 60, 61)[0]), 2);
  cache.Invalidate("p", 61, 62);
  EXPECT_EQ(Visit(cache, *store_, 60, 120), (std::vector<Row>{{60, "b", 2}, {61, "b", 8}}));
  // Other projects and hours are untouched by an invalidation.
  EXPECT_EQ(Visit(cache, *store_, 0, 60), (std::vector<Row>{{59, "a", 1}}));
  EXPECT_GT(cache.bytes(), 0u);
}

TEST_F(RollupCacheTest, AWriteRacingARead_NeverLeavesAStaleHour) {
  ASSERT_TRUE(store_->MergeRollups("p", {Cell(5, "a", 1)}).ok());
  RollupCache cache;
  // The write lands while the hour is being read: the scan's visitor writes and invalidates
  // (as ingest does) before the read finishes. The hour that was read must not be kept.
  bool wrote = false;
  Status s = cache.Scan(*store_, "p", 0, 60,
                        [&](uint64_t, const rollup::RollupKey&, uint32_t, std::string_view) {
                          if (!wrote) {
                            EXPECT_TRUE(store_->MergeRollups("p", {Cell(6, "a", 2)}).ok());
                            cache.Invalidate("p", 6, 7);
                            wrote = true;
                          }
                          return true;
                        });
  ASSERT_TRUE(s.ok());
  using Row = std::tuple<uint64_t, std::string, int64_t>;
  EXPECT_EQ(Visit(cache, *store_, 0, 60), (std::vector<Row>{{5, "a", 1}, {6, "a", 2}}));
}

TEST_F(RollupCacheTest, StaysWithinItsBudget) {
  std::vector<rollup::RollupEntry> cells;
  for (uint64_t hour = 0; hour < 20; ++hour) cells.push_back(Cell(hour * 60, "m", 1));
  ASSERT_TRUE(store_->MergeRollups("p", cells).ok());
  RollupCache cache(/*max_bytes=*/600);
  EXPECT_EQ(Visit(cache, *store_, 0, 20 * 60).size(), 20u);
  EXPECT_LE(cache.bytes(), 600u);
  EXPECT_EQ(Visit(cache, *store_, 0, 20 * 60).size(), 20u);  // evicted hours are read again
}

}  // namespace
}  // namespace tokenscope::query
