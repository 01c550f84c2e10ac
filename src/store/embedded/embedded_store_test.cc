// Embedded-store behaviour beyond the backend-neutral conformance suite: the on-disk format
// version check, the directory lock, and option validation.
#include "store/embedded/embedded_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/store_factory.h"

namespace tokenscope::store::embedded {
namespace {

class EmbeddedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tokenscope_embedded_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    options_.data_dir = pattern + "/data";  // not there yet: Open creates it
    options_.memtable_budget_bytes = 8 << 20;
    options_.block_cache_bytes = 4 << 20;
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  static model::SpanBatch OneSpan() {
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    model::Span span;
    span.trace_id[0] = 1;
    span.span_id[0] = 1;
    span.name = "op";
    span.start_time_unix_nano = 1763000000000000000ULL;
    span.end_time_unix_nano = span.start_time_unix_nano + 10;
    batch.spans.push_back(span);
    return batch;
  }

  EmbeddedStoreOptions options_;
  std::string root_;
};

TEST_F(EmbeddedStoreTest, CreatesTheDirectoryAndReportsItsSize) {
  auto store = OpenEmbeddedStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Write(OneSpan()).ok());
  EXPECT_TRUE(std::filesystem::is_directory(options_.data_dir));
  const StoreStats stats = (*store)->Stats();
  EXPECT_EQ(stats.spans_written, 1u);
  EXPECT_EQ(stats.batches_written, 1u);
  EXPECT_GT(stats.bytes_on_disk, 0u);
}

TEST_F(EmbeddedStoreTest, ReportsTheMemoryItHolds) {
  auto store = OpenEmbeddedStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const StoreStats before = (*store)->Stats();
  ASSERT_TRUE((*store)->Write(OneSpan()).ok());
  const StoreStats after = (*store)->Stats();
  // The span sits in a memtable until a flush; the cache never holds more than its capacity
  // plus what is pinned in it.
  EXPECT_GT(after.memtable_bytes, before.memtable_bytes);
  EXPECT_LE(after.block_cache_pinned_bytes, after.block_cache_bytes);
  EXPECT_LE(after.block_cache_bytes, options_.block_cache_bytes + after.block_cache_pinned_bytes);
}

TEST_F(EmbeddedStoreTest, RefusesAnotherFormatVersion) {
  {
    auto store = OpenEmbeddedStore(options_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Write(OneSpan()).ok());
  }
  ASSERT_TRUE(SetFormatVersionForTesting(options_, "999").ok());
  auto refused = OpenEmbeddedStore(options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("999"), std::string::npos)
      << refused.status().message();

  ASSERT_TRUE(SetFormatVersionForTesting(options_, "garbage").ok());
  EXPECT_EQ(OpenEmbeddedStore(options_).status().code(), StatusCode::kFailedPrecondition);

  // Back to this build's version: the data is all there.
  ASSERT_TRUE(SetFormatVersionForTesting(options_, std::to_string(kFormatVersion)).ok());
  auto reopened = OpenEmbeddedStore(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  model::TraceId trace{};
  trace[0] = 1;
  auto summary = (*reopened)->GetTraceSummary("p", trace);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->span_count, 1u);
}

TEST_F(EmbeddedStoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto first = OpenEmbeddedStore(options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = OpenEmbeddedStore(options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
}

TEST_F(EmbeddedStoreTest, EmptyDataDirIsInvalid) {
  options_.data_dir.clear();
  EXPECT_EQ(OpenEmbeddedStore(options_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EmbeddedStoreTest, UnsyncedWritesAreReadable) {
  options_.sync_writes = false;
  auto store = OpenEmbeddedStore(options_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Write(OneSpan()).ok());
  model::TraceId trace{};
  trace[0] = 1;
  model::SpanId span{};
  span[0] = 1;
  EXPECT_TRUE((*store)->GetSpan("p", trace, span).ok());
}

// Small memtables force many flushes; a full compaction then folds the trace summary
// operands in SST files. Summaries, spans and the rewrite check must all come through.
TEST_F(EmbeddedStoreTest, SummariesSurviveFlushesAndCompaction) {
  options_.memtable_budget_bytes = 1 << 20;
  auto opened = EmbeddedStore::Open(options_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EmbeddedStore& store = **opened;

  constexpr int kTraces = 40;
  constexpr int kBatches = 60;
  constexpr int kSpansPerTracePerBatch = 3;
  std::string name(200, 'n');  // fat spans fill memtables sooner
  auto make_batch = [&](int b) {
    model::SpanBatch batch;
    batch.project = "p";
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    for (int t = 0; t < kTraces; ++t) {
      for (int k = 0; k < kSpansPerTracePerBatch; ++k) {
        model::Span span;
        span.trace_id[0] = static_cast<uint8_t>(t + 1);
        span.span_id[0] = static_cast<uint8_t>(b + 1);
        span.span_id[1] = static_cast<uint8_t>(k + 1);
        span.parent_span_id[0] = 0xee;
        span.name = name;
        span.start_time_unix_nano = 1763000000000000000ULL + static_cast<uint64_t>(b * 10 + k);
        span.end_time_unix_nano = span.start_time_unix_nano + 5;
        span.status.code = k == 0 ? model::StatusCode::kError : model::StatusCode::kOk;
        batch.spans.push_back(span);
      }
    }
    return batch;
  };
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(store.Write(make_batch(b)).ok());
    if (b % 10 == 9) {
      ASSERT_TRUE(store.Write(make_batch(b - 5)).ok());  // a retry
    }
  }
  ASSERT_TRUE(store.CompactAll().ok());
  // Retries after compaction are still recognised.
  ASSERT_TRUE(store.Write(make_batch(3)).ok());

  for (int t = 0; t < kTraces; ++t) {
    model::TraceId trace{};
    trace[0] = static_cast<uint8_t>(t + 1);
    auto summary = store.GetTraceSummary("p", trace);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->span_count, uint32_t{kBatches * kSpansPerTracePerBatch});
    EXPECT_EQ(summary->error_count, uint32_t{kBatches});
    EXPECT_EQ(summary->start_time_unix_nano, 1763000000000000000ULL);
    TraceSpansRequest request;
    request.project = "p";
    request.trace_id = trace;
    auto spans = store.GetTraceSpans(request);
    ASSERT_TRUE(spans.ok());
    EXPECT_EQ(spans->spans.size(), size_t{kBatches * kSpansPerTracePerBatch});
  }
  size_t errors = 0;
  SpanScan scan;
  scan.project = "p";
  scan.index = IndexTerm{IndexedField::kStatus, "error"};
  ASSERT_TRUE(store
                  .ScanSpans(scan,
                             [&](const SpanSummary&, const ScanPosition&) {
                               ++errors;
                               return true;
                             })
                  .ok());
  EXPECT_EQ(errors, size_t{kTraces * kBatches});
}

}  // namespace
}  // namespace tokenscope::store::embedded
