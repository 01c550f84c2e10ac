// The Store conformance suite for retention: DeleteOlderThan and ListProjects, through the
// Store interface only.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "model/log_record.h"
#include "store/store.h"
#include "store/store_test_harness.h"

namespace tokenscope::store {
namespace {

constexpr uint64_t kMinute = 60'000'000'000ULL;

struct Piece {
  uint64_t trace;
  uint64_t span;
  uint64_t start;
  model::StatusCode status = model::StatusCode::kOk;
};

model::SpanBatch Spans(const std::string& project, const std::vector<Piece>& pieces) {
  model::SpanBatch batch;
  batch.project = project;
  model::Resource resource;
  resource.attributes.push_back({"service.name", model::AnyValue::String("svc")});
  batch.resources.push_back(resource);
  batch.scopes.emplace_back();
  for (const Piece& p : pieces) {
    model::Span& span = batch.spans.emplace_back();
    span.trace_id = TraceIdOf(p.trace);
    span.span_id = SpanIdOf(p.span);
    span.name = "op";
    span.start_time_unix_nano = p.start;
    span.end_time_unix_nano = p.start + 1000;
    span.status.code = p.status;
  }
  return batch;
}

model::LogBatch Logs(const std::string& project, uint64_t trace, std::vector<uint64_t> times) {
  model::LogBatch batch;
  batch.project = project;
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  for (uint64_t t : times) {
    model::LogRecord& r = batch.logs.emplace_back();
    r.time_unix_nano = t;
    if (trace != 0) r.trace_id = TraceIdOf(trace);
    r.body = model::AnyValue::String("x");
  }
  return batch;
}

class StoreRetentionTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  size_t CountSpans(const std::string& project, std::optional<IndexTerm> index = std::nullopt) {
    size_t n = 0;
    SpanScan scan{project, 0, UINT64_MAX, index, ""};
    EXPECT_TRUE(store_
                    ->ScanSpans(scan,
                                [&](const SpanSummary&, const ScanPosition&) {
                                  ++n;
                                  return true;
                                })
                    .ok());
    return n;
  }

  size_t CountLogs(const std::string& project) {
    size_t n = 0;
    EXPECT_TRUE(store_
                    ->ScanLogs({project, 0, UINT64_MAX, ""},
                               [&](const model::LogRecord&, const model::Resource&,
                                   const model::Scope&, const ScanPosition&) {
                                 ++n;
                                 return true;
                               })
                    .ok());
    return n;
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreRetentionTest, DeletesOldSpansTheirIndexesSummariesAndLogs) {
  // Trace 1 is old, trace 2 new, trace 3 straddles the cutoff.
  ASSERT_TRUE(store_
                  ->Write(Spans("p", {{1, 1, kBase},
                                      {1, 2, kBase + 1, model::StatusCode::kError},
                                      {2, 1, kBase + 10 * kMinute},
                                      {3, 1, kBase + 2 * kMinute},
                                      {3, 2, kBase + 8 * kMinute}}))
                  .ok());
  ASSERT_TRUE(store_->WriteLogs(Logs("p", 1, {kBase, kBase + 1})).ok());
  ASSERT_TRUE(store_->WriteLogs(Logs("p", 0, {kBase + 9 * kMinute})).ok());

  const uint64_t cutoff = kBase + 5 * kMinute;
  auto step = store_->DeleteOlderThan("p", cutoff, 1000);
  ASSERT_TRUE(step.ok()) << step.status().ToString();
  EXPECT_EQ(step->spans_deleted, 3u);
  EXPECT_EQ(step->traces_deleted, 1u);
  EXPECT_EQ(step->logs_deleted, 2u);
  EXPECT_FALSE(step->more);

  EXPECT_EQ(store_->GetTraceSummary("p", TraceIdOf(1)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSpan("p", TraceIdOf(1), SpanIdOf(1)).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetTraceSummary("p", TraceIdOf(2)).ok());
  EXPECT_TRUE(store_->GetTraceSummary("p", TraceIdOf(3)).ok());  // its newer span remains
  auto straddling = store_->GetTraceSpans({"p", TraceIdOf(3)});
  ASSERT_TRUE(straddling.ok());
  EXPECT_EQ(straddling->spans.size(), 1u);
  EXPECT_EQ(CountSpans("p"), 2u);
  EXPECT_EQ(CountSpans("p", IndexTerm{IndexedField::kStatus, "error"}), 0u);
  EXPECT_EQ(CountSpans("p", IndexTerm{IndexedField::kService, "svc"}), 2u);
  EXPECT_EQ(CountLogs("p"), 1u);
  auto trace_logs = store_->GetTraceLogs("p", TraceIdOf(1));
  ASSERT_TRUE(trace_logs.ok());
  EXPECT_TRUE(trace_logs->logs.empty());

  // Later the straddling trace goes whole.
  step = store_->DeleteOlderThan("p", kBase + 9 * kMinute, 1000);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->spans_deleted, 1u);
  EXPECT_EQ(step->traces_deleted, 1u);
  EXPECT_EQ(store_->GetTraceSummary("p", TraceIdOf(3)).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreRetentionTest, WorksInBoundedStepsAndLeavesOtherProjectsAlone) {
  std::vector<Piece> pieces;
  for (uint64_t i = 1; i <= 25; ++i) pieces.push_back({i, 1, kBase + i});
  ASSERT_TRUE(store_->Write(Spans("p", pieces)).ok());
  ASSERT_TRUE(store_->Write(Spans("q", pieces)).ok());
  size_t steps = 0;
  uint64_t deleted = 0;
  for (;;) {
    auto step = store_->DeleteOlderThan("p", kBase + kMinute, 10);
    ASSERT_TRUE(step.ok());
    EXPECT_LE(step->spans_deleted, 10u);
    deleted += step->spans_deleted;
    ++steps;
    if (!step->more) break;
  }
  EXPECT_EQ(deleted, 25u);
  EXPECT_EQ(steps, 3u);
  EXPECT_EQ(CountSpans("p"), 0u);
  EXPECT_EQ(CountSpans("q"), 25u);
  auto nothing = store_->DeleteOlderThan("p", kBase + kMinute, 10);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->spans_deleted, 0u);
}

TEST_P(StoreRetentionTest, ListsProjects) {
  auto none = store_->ListProjects();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  for (const char* project : {"zeta", "alpha", "a", "default"}) {
    ASSERT_TRUE(store_->Write(Spans(project, {{1, 1, kBase}})).ok());
  }
  auto projects = store_->ListProjects();
  ASSERT_TRUE(projects.ok());
  EXPECT_EQ(*projects, (std::vector<std::string>{"a", "alpha", "default", "zeta"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreRetentionTest, AllBackends(), BackendName);

}  // namespace
}  // namespace tokenscope::store
