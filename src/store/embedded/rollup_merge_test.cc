#include "store/embedded/rollup_merge.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/embedded/embedded_store.h"
#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {
namespace {

rollup::RollupEntry Entry(uint64_t minute, int64_t tokens, double latency) {
  rollup::RollupEntry e;
  e.key.minute = minute;
  e.key.model = "gpt-4o";
  e.key.dimensions = {{"team", "a"}};
  e.cell.requests = 1;
  e.cell.output_tokens = tokens;
  e.cell.latency_ns.Add(latency);
  return e;
}

std::string Encoded(const rollup::RollupCell& cell) {
  std::string out;
  rollup::EncodeCell(cell, &out);
  return out;
}

TEST(RollupMergeTest, FoldSkipsCorruptOperands) {
  const std::string a = Encoded(Entry(1, 5, 1e6).cell);
  const std::string b = Encoded(Entry(1, 7, 2e6).cell);
  size_t skipped = 0;
  const std::string folded = FoldRollupCells({a, "garbage", b}, &skipped);
  EXPECT_EQ(skipped, 1u);
  StatusOr<rollup::RollupCell> cell = rollup::DecodeCell(folded);
  ASSERT_TRUE(cell.ok());
  EXPECT_EQ(cell->requests, 2u);
  EXPECT_EQ(cell->output_tokens, 12);
  EXPECT_EQ(cell->latency_ns.Count(), 2u);
}

TEST(RollupMergeTest, KeysSortByProjectThenMinute) {
  const rollup::RollupEntry e = Entry(0x0102030405060708ULL, 1, 1);
  const std::string key = RollupStoreKey("p", e.key);
  EXPECT_EQ(key.substr(0, 2), ProjectPrefix("p"));
  rollup::RollupKey back;
  ASSERT_TRUE(ParseRollupKeySuffix(key.substr(2), &back).ok());
  EXPECT_EQ(back, e.key);
  EXPECT_LT(RollupMinuteKey("p", 1), RollupMinuteKey("p", 256));
  EXPECT_FALSE(ParseRollupKeySuffix("short", &back).ok());
}

// Compactions fold operands with full and partial merges; the result must not change.
TEST(RollupMergeTest, CompactionKeepsCells) {
  std::string pattern = ::testing::TempDir() + "tokenscope_rollup_merge_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  EmbeddedStoreOptions options;
  options.data_dir = pattern;
  options.sync_writes = false;
  {
    auto opened = EmbeddedStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EmbeddedStore& store = **opened;
    rollup::RollupCell expected;
    for (int i = 0; i < 200; ++i) {
      rollup::RollupEntry e = Entry(7, i, 1e6 * (1 + i));
      expected.Merge(e.cell);
      ASSERT_TRUE(store.MergeRollups("p", {e}).ok());
      if (i % 50 == 49) {
        ASSERT_TRUE(store.CompactAll().ok());
      }
    }
    std::vector<rollup::RollupCell> cells;
    ASSERT_TRUE(store
                    .ScanRollups({"p", 0, UINT64_MAX},
                                 [&](const rollup::RollupEntry& e) {
                                   cells.push_back(e.cell);
                                   return true;
                                 })
                    .ok());
    ASSERT_EQ(cells.size(), 1u);
    EXPECT_EQ(cells[0], expected);
  }
  std::error_code ec;
  std::filesystem::remove_all(pattern, ec);
}

}  // namespace
}  // namespace tokenscope::store::embedded
