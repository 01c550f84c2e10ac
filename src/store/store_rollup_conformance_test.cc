// The Store conformance suite for rollups: MergeRollups and ScanRollups, through the Store
// interface only.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/span.h"
#include "rollup/rollup.h"
#include "store/store.h"
#include "store/store_test_harness.h"

namespace tokenscope::store {
namespace {

rollup::RollupEntry Entry(uint64_t minute, const std::string& model, int64_t tokens,
                          double latency_ns, bool error = false) {
  rollup::RollupEntry e;
  e.key.minute = minute;
  e.key.service = "svc";
  e.key.model = model;
  e.key.provider = "openai";
  e.key.operation = "chat";
  e.key.error_class = error ? "infrastructure" : "";
  e.key.dimensions = {{"team", "search"}};
  e.cell.requests = 1;
  e.cell.errors = error ? 1 : 0;
  e.cell.input_tokens = tokens;
  e.cell.total_tokens = tokens;
  e.cell.total_cost_nanos = tokens * 250;
  e.cell.latency_ns.Add(latency_ns);
  e.cell.ttft_ns.Add(latency_ns / 4);
  return e;
}

std::vector<rollup::RollupEntry> ScanAll(Store* store, const RollupScan& scan) {
  std::vector<rollup::RollupEntry> out;
  Status s = store->ScanRollups(scan, [&](const rollup::RollupEntry& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

class StoreRollupTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void Reopen() {
    store_.reset();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreRollupTest, MergingInAnyOrderEqualsOneMerge) {
  std::vector<rollup::RollupEntry> operands;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300; ++i) {
    operands.push_back(Entry(100 + i % 3, i % 2 ? "gpt-4o" : "claude", 1 + rng() % 1000,
                             1e6 * (1 + rng() % 5000), i % 7 == 0));
  }
  // The expected cells: every operand of a key folded in memory.
  rollup::RollupCell folded[3][2][2];
  for (const auto& e : operands) {
    folded[e.key.minute - 100][e.key.model == "gpt-4o"][!e.key.error_class.empty()].Merge(e.cell);
  }

  // Project "a": one operand per call, shuffled, with a reopen in the middle.
  std::shuffle(operands.begin(), operands.end(), rng);
  for (size_t i = 0; i < operands.size(); ++i) {
    ASSERT_TRUE(store_->MergeRollups("a", {operands[i]}).ok());
    if (i == operands.size() / 2) Reopen();
  }
  // Project "b": everything in one call, in the reverse order.
  std::reverse(operands.begin(), operands.end());
  ASSERT_TRUE(store_->MergeRollups("b", operands).ok());

  for (const char* project : {"a", "b"}) {
    std::vector<rollup::RollupEntry> cells = ScanAll(store_.get(), {project, 0, UINT64_MAX});
    ASSERT_EQ(cells.size(), 12u) << project;
    for (const auto& e : cells) {
      EXPECT_EQ(e.cell,
                folded[e.key.minute - 100][e.key.model == "gpt-4o"][!e.key.error_class.empty()])
          << project << " minute " << e.key.minute << " " << e.key.model;
    }
  }
}

TEST_P(StoreRollupTest, ScansByTimeRangeInTimeOrder) {
  std::vector<rollup::RollupEntry> entries;
  for (uint64_t minute : {30u, 10u, 20u, 40u, 20u}) entries.push_back(Entry(minute, "m", 5, 1e6));
  entries.push_back(Entry(20, "z", 5, 1e6));
  ASSERT_TRUE(store_->MergeRollups("p", entries).ok());

  auto minutes = [&](uint64_t start, uint64_t end) {
    std::vector<uint64_t> out;
    for (const auto& e : ScanAll(store_.get(), {"p", start, end})) out.push_back(e.key.minute);
    return out;
  };
  EXPECT_EQ(minutes(0, UINT64_MAX), (std::vector<uint64_t>{10, 20, 20, 30, 40}));
  EXPECT_EQ(minutes(20, 40), (std::vector<uint64_t>{20, 20, 30}));
  EXPECT_EQ(minutes(21, 30), std::vector<uint64_t>{});
  EXPECT_EQ(minutes(40, 40), std::vector<uint64_t>{});
  EXPECT_EQ(minutes(41, UINT64_MAX), std::vector<uint64_t>{});

  std::vector<rollup::RollupEntry> at20 = ScanAll(store_.get(), {"p", 20, 21});
  ASSERT_EQ(at20.size(), 2u);
  const auto& m = at20[0].key.model == "m" ? at20[0] : at20[1];
  EXPECT_EQ(m.cell.requests, 2u);
  EXPECT_EQ(m.key.dimensions,
            (std::vector<std::pair<std::string, std::string>>{{"team", "search"}}));

  // The visitor can stop the scan.
  int visited = 0;
  ASSERT_TRUE(store_
                  ->ScanRollups({"p", 0, UINT64_MAX},
                                [&](const rollup::RollupEntry&) { return ++visited < 2; })
                  .ok());
  EXPECT_EQ(visited, 2);
}

TEST_P(StoreRollupTest, ProjectsAreIsolated) {
  ASSERT_TRUE(store_->MergeRollups("a", {Entry(5, "m", 1, 1e6)}).ok());
  ASSERT_TRUE(store_->MergeRollups("ab", {Entry(5, "m", 2, 1e6)}).ok());
  ASSERT_TRUE(store_->MergeRollups(std::string("a\0b", 3), {Entry(5, "m", 4, 1e6)}).ok());
  std::vector<rollup::RollupEntry> a = ScanAll(store_.get(), {"a", 0, UINT64_MAX});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].cell.input_tokens, 1);
  EXPECT_TRUE(ScanAll(store_.get(), {"nobody", 0, UINT64_MAX}).empty());
  ASSERT_TRUE(store_->MergeRollups("a", {}).ok());
}

// A batch of `ids.size()` spans of trace 1 in one resource, one per span id.
model::SpanBatch SpansWithIds(const std::vector<uint8_t>& ids) {
  model::SpanBatch batch;
  batch.project = "p";
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  for (uint8_t id : ids) {
    model::Span& span = batch.spans.emplace_back();
    span.trace_id[15] = 1;
    span.span_id[7] = id;
    span.name = "chat";
    span.start_time_unix_nano = 1'000 * rollup::kNanosPerMinute;
    span.end_time_unix_nano = span.start_time_unix_nano + 1'000'000;
  }
  return batch;
}

TEST_P(StoreRollupTest, WriteMergesTheContributionsOfNewSpansOnly) {
  model::SpanBatch first = SpansWithIds({1, 2});
  SpanContributions contributions = {Entry(1000, "m", 10, 1e6), Entry(1000, "m", 20, 2e6)};
  ASSERT_TRUE(store_->Write(first, contributions).ok());

  // A retried request (spans 1 and 2 again) plus a new span 3 and a span that is no LLM call;
  // span 4 appears twice in the batch and only its last copy counts.
  model::SpanBatch retry = SpansWithIds({1, 2, 3, 5, 4, 4});
  SpanContributions retry_contributions = {Entry(1000, "m", 10, 1e6),   Entry(1000, "m", 20, 2e6),
                                           Entry(1000, "m", 40, 4e6),   std::nullopt,
                                           Entry(1000, "m", 1000, 1e6), Entry(1000, "m", 80, 8e6)};
  ASSERT_TRUE(store_->Write(retry, retry_contributions).ok());
  Reopen();

  std::vector<rollup::RollupEntry> cells = ScanAll(store_.get(), {"p", 0, UINT64_MAX});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].cell.requests, 4u);
  EXPECT_EQ(cells[0].cell.input_tokens, 10 + 20 + 40 + 80);
  EXPECT_EQ(cells[0].cell.latency_ns.Count(), 4u);

  // Contributions must be parallel to the spans.
  EXPECT_EQ(store_->Write(SpansWithIds({9}), {Entry(1000, "m", 1, 1e6), std::nullopt}).code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreRollupTest, ReplaceRollupsSwapsOneRangeAtomically) {
  ASSERT_TRUE(store_
                  ->MergeRollups("p", {Entry(9, "m", 1, 1e6), Entry(10, "m", 2, 1e6),
                                       Entry(11, "z", 4, 1e6), Entry(12, "m", 8, 1e6)})
                  .ok());
  ASSERT_TRUE(store_->MergeRollups("q", {Entry(10, "m", 16, 1e6)}).ok());
  ASSERT_TRUE(store_->ReplaceRollups("p", 10, 12, {Entry(11, "m", 32, 1e6)}).ok());
  Reopen();

  std::vector<rollup::RollupEntry> p = ScanAll(store_.get(), {"p", 0, UINT64_MAX});
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].key.minute, 9u);
  EXPECT_EQ(p[1].key.minute, 11u);
  EXPECT_EQ(p[1].key.model, "m");
  EXPECT_EQ(p[1].cell.input_tokens, 32);
  EXPECT_EQ(p[2].key.minute, 12u);
  ASSERT_EQ(ScanAll(store_.get(), {"q", 0, UINT64_MAX}).size(), 1u);

  // Merges after a replacement add to the replaced cell.
  ASSERT_TRUE(store_->MergeRollups("p", {Entry(11, "m", 64, 1e6)}).ok());
  EXPECT_EQ(ScanAll(store_.get(), {"p", 11, 12})[0].cell.input_tokens, 96);

  // An open-ended replacement, and cells outside the range are refused.
  ASSERT_TRUE(store_->ReplaceRollups("p", 10, UINT64_MAX, {}).ok());
  EXPECT_EQ(ScanAll(store_.get(), {"p", 0, UINT64_MAX}).size(), 1u);
  EXPECT_EQ(store_->ReplaceRollups("p", 10, 12, {Entry(12, "m", 1, 1e6)}).code(),
            StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreRollupTest, AllBackends(), BackendName);

}  // namespace
}  // namespace tokenscope::store
