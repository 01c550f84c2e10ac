// The Store conformance suite for log records: what every backend must do with WriteLogs,
// GetTraceLogs and ScanLogs, through the Store interface only.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/log_record.h"
#include "store/store.h"
#include "store/store_test_harness.h"

namespace tokenscope::store {
namespace {

struct LogSpec {
  uint64_t trace = 0;  // 0: not correlated with a trace
  uint64_t span = 0;   // 0: no span id
  uint64_t time = kBase;
  std::string event = "gen_ai.user.message";
  std::string body = "hello";
  std::string service = "svc";
};

std::string_view Keep(model::LogBatch* batch, std::string_view s) {
  return batch->arena().Copy(s);
}

// A batch with one resource per distinct service and one scope.
model::LogBatch MakeLogs(const std::string& project, const std::vector<LogSpec>& specs) {
  model::LogBatch batch;
  batch.project = project;
  model::Scope scope;
  scope.name = Keep(&batch, "tokenscope.test");
  batch.scopes.push_back(scope);
  for (const LogSpec& spec : specs) {
    uint32_t resource_index = 0;
    for (; resource_index < batch.resources.size(); ++resource_index) {
      if (model::ServiceName(batch.resources[resource_index]) == spec.service) break;
    }
    if (resource_index == batch.resources.size()) {
      model::Resource resource;
      resource.attributes.push_back(
          {Keep(&batch, "service.name"), model::AnyValue::String(Keep(&batch, spec.service))});
      batch.resources.push_back(std::move(resource));
    }
    model::LogRecord record;
    if (spec.trace != 0) record.trace_id = TraceIdOf(spec.trace);
    if (spec.span != 0) record.span_id = SpanIdOf(spec.span);
    record.time_unix_nano = spec.time;
    record.observed_time_unix_nano = spec.time + 5;
    record.event_name = Keep(&batch, spec.event);
    record.body = model::AnyValue::String(Keep(&batch, spec.body));
    record.resource_index = resource_index;
    batch.logs.push_back(std::move(record));
  }
  return batch;
}

class StoreLogsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = harness_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void WriteLogs(const model::LogBatch& batch) {
    Status s = store_->WriteLogs(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The bodies of a trace's records, in the order GetTraceLogs gives them.
  std::vector<std::string> TraceBodies(const std::string& project, uint64_t trace) {
    auto logs = store_->GetTraceLogs(project, TraceIdOf(trace));
    EXPECT_TRUE(logs.ok()) << logs.status().ToString();
    std::vector<std::string> bodies;
    if (logs.ok()) {
      for (const auto& r : logs->logs) bodies.emplace_back(r.body.string_value);
    }
    return bodies;
  }

  // Bodies in scan order of [start, end), page by page of `page` records, resuming each page
  // after the previous one's last position.
  std::vector<std::string> ScanBodies(const std::string& project, uint64_t start, uint64_t end,
                                      size_t page = SIZE_MAX) {
    std::vector<std::string> bodies;
    LogScan scan{project, start, end, ""};
    for (;;) {
      size_t seen = 0;
      std::string last;
      Status s = store_->ScanLogs(scan, [&](const model::LogRecord& r, const model::Resource&,
                                            const model::Scope&, const ScanPosition& position) {
        bodies.emplace_back(r.body.string_value);
        last = position.token;
        return ++seen < page;
      });
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (seen < page || !s.ok()) return bodies;
      scan.resume_after = last;
    }
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreLogsTest, RoundTripsEveryField) {
  model::LogBatch batch = MakeLogs("p", {{.trace = 1, .span = 2}});
  model::LogRecord& r = batch.logs[0];
  r.severity_number = 9;
  r.severity_text = Keep(&batch, "INFO");
  r.flags = 1;
  r.dropped_attributes_count = 3;
  r.attributes.push_back(
      {Keep(&batch, "gen_ai.system"), model::AnyValue::String(Keep(&batch, "openai"))});
  model::AnyValue body;
  body.type = model::ValueType::kKvList;
  body.kvlist_value.push_back(
      {Keep(&batch, "content"), model::AnyValue::String(Keep(&batch, "Say hi"))});
  r.body = body;
  WriteLogs(batch);

  auto got = store_->GetTraceLogs("p", TraceIdOf(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  model::LogBatch moved = std::move(got).value();  // views must survive a move
  ASSERT_EQ(moved.logs.size(), 1u);
  const model::LogRecord& back = moved.logs[0];
  EXPECT_EQ(back.time_unix_nano, kBase);
  EXPECT_EQ(back.observed_time_unix_nano, kBase + 5);
  EXPECT_EQ(back.severity_number, 9);
  EXPECT_EQ(back.severity_text, "INFO");
  EXPECT_EQ(back.flags, 1u);
  EXPECT_EQ(back.dropped_attributes_count, 3u);
  EXPECT_EQ(back.trace_id, TraceIdOf(1));
  EXPECT_EQ(back.span_id, SpanIdOf(2));
  EXPECT_EQ(back.event_name, "gen_ai.user.message");
  ASSERT_EQ(back.attributes.size(), 1u);
  EXPECT_EQ(back.attributes[0].key, "gen_ai.system");
  ASSERT_EQ(back.body.type, model::ValueType::kKvList);
  ASSERT_EQ(back.body.kvlist_value.size(), 1u);
  EXPECT_EQ(back.body.kvlist_value[0].value.string_value, "Say hi");
  EXPECT_EQ(model::ServiceName(moved.ResourceOf(back)), "svc");
  EXPECT_EQ(moved.ScopeOf(back).name, "tokenscope.test");
}

TEST_P(StoreLogsTest, TraceLogsComeOldestFirstWhateverTheArrivalOrder) {
  // The choice arrives first, minutes after the prompt it answers was logged.
  WriteLogs(MakeLogs("p", {{.trace = 1,
                            .span = 2,
                            .time = kBase + 180'000'000'000,
                            .event = "gen_ai.choice",
                            .body = "answer"}}));
  WriteLogs(MakeLogs("p", {{.trace = 1, .span = 2, .time = kBase, .body = "question"},
                           {.trace = 9, .span = 2, .time = kBase, .body = "other trace"}}));
  EXPECT_EQ(TraceBodies("p", 1), (std::vector<std::string>{"question", "answer"}));
  EXPECT_EQ(TraceBodies("p", 9), (std::vector<std::string>{"other trace"}));
  EXPECT_TRUE(TraceBodies("p", 5).empty());
}

TEST_P(StoreLogsTest, RecordsOfOneInstantKeepTheirSendingOrder) {
  WriteLogs(MakeLogs("p", {{.trace = 1, .span = 1, .body = "system"},
                           {.trace = 1, .span = 1, .body = "user"},
                           {.trace = 1, .span = 1, .body = "assistant"},
                           {.trace = 1, .span = 1, .body = "tool"}}));
  EXPECT_EQ(TraceBodies("p", 1), (std::vector<std::string>{"system", "user", "assistant", "tool"}));
  EXPECT_EQ(ScanBodies("p", 0, UINT64_MAX),
            (std::vector<std::string>{"system", "user", "assistant", "tool"}));
}

TEST_P(StoreLogsTest, RetriedBatchIsStoredOnce) {
  const model::LogBatch batch =
      MakeLogs("p", {{.trace = 1, .span = 1, .body = "a"}, {.time = kBase + 1, .body = "b"}});
  WriteLogs(batch);
  WriteLogs(batch);
  EXPECT_EQ(TraceBodies("p", 1), (std::vector<std::string>{"a"}));
  EXPECT_EQ(ScanBodies("p", 0, UINT64_MAX), (std::vector<std::string>{"b", "a"}));
}

TEST_P(StoreLogsTest, UncorrelatedRecordsAreKeptAndScannedNewestFirstWithinTheRange) {
  std::vector<LogSpec> specs;
  for (int i = 0; i < 25; ++i) {
    specs.push_back({.trace = i % 3 == 0 ? 7u : 0u,
                     .time = kBase + static_cast<uint64_t>(i) * 1000,
                     .body = "r" + std::to_string(i)});
  }
  WriteLogs(MakeLogs("p", specs));

  std::vector<std::string> expected;
  for (int i = 24; i >= 0; --i) expected.push_back("r" + std::to_string(i));
  EXPECT_EQ(ScanBodies("p", 0, UINT64_MAX), expected);
  // Paging with resume tokens gives the same sequence: no gaps, no repeats.
  EXPECT_EQ(ScanBodies("p", 0, UINT64_MAX, 4), expected);
  // [start, end): r5 (kBase + 5000) is in, r10 (kBase + 10000) is out.
  EXPECT_EQ(ScanBodies("p", kBase + 5000, kBase + 10000),
            (std::vector<std::string>{"r9", "r8", "r7", "r6", "r5"}));
  EXPECT_TRUE(ScanBodies("p", kBase + 10, kBase + 10).empty());
}

TEST_P(StoreLogsTest, ObservedTimeFilesARecordWithoutTime) {
  model::LogBatch batch = MakeLogs("p", {{.body = "late"}, {.time = kBase + 50, .body = "x"}});
  batch.logs[0].time_unix_nano = 0;
  batch.logs[0].observed_time_unix_nano = kBase + 100;
  WriteLogs(batch);
  EXPECT_EQ(ScanBodies("p", kBase + 60, UINT64_MAX), (std::vector<std::string>{"late"}));
}

TEST_P(StoreLogsTest, ProjectsAreIsolated) {
  WriteLogs(MakeLogs("a", {{.trace = 1, .body = "in a"}}));
  WriteLogs(MakeLogs(std::string("a\0b", 3), {{.trace = 1, .body = "in a0b"}}));
  EXPECT_EQ(TraceBodies("a", 1), (std::vector<std::string>{"in a"}));
  EXPECT_EQ(ScanBodies("a", 0, UINT64_MAX), (std::vector<std::string>{"in a"}));
  EXPECT_TRUE(ScanBodies("b", 0, UINT64_MAX).empty());
}

TEST_P(StoreLogsTest, SurvivesReopen) {
  WriteLogs(MakeLogs("p", {{.trace = 3, .span = 1, .body = "durable"}}));
  Reopen();
  EXPECT_EQ(TraceBodies("p", 3), (std::vector<std::string>{"durable"}));
  EXPECT_EQ(ScanBodies("p", 0, UINT64_MAX), (std::vector<std::string>{"durable"}));
  EXPECT_EQ(store_->Stats().logs_written, 0u);  // counts this process's writes
}

TEST_P(StoreLogsTest, ResourcesAndServicesComeBackPerRecord) {
  WriteLogs(MakeLogs("p", {{.trace = 1, .body = "x", .service = "api"},
                           {.trace = 1, .time = kBase + 1, .body = "y", .service = "worker"}}));
  std::vector<std::string> services;
  Status s = store_->ScanLogs({"p", 0, UINT64_MAX, ""},
                              [&](const model::LogRecord&, const model::Resource& resource,
                                  const model::Scope& scope, const ScanPosition&) {
                                services.emplace_back(model::ServiceName(resource));
                                EXPECT_EQ(scope.name, "tokenscope.test");
                                return true;
                              });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(services, (std::vector<std::string>{"worker", "api"}));
}

TEST_P(StoreLogsTest, BadInputIsRejected) {
  model::LogBatch batch = MakeLogs("p", {{.trace = 1}});
  batch.logs[0].resource_index = 4;
  EXPECT_EQ(store_->WriteLogs(batch).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(TraceBodies("p", 1).empty());
  EXPECT_EQ(store_
                ->ScanLogs({"p", 0, UINT64_MAX, "short"},
                           [](const model::LogRecord&, const model::Resource&, const model::Scope&,
                              const ScanPosition&) { return true; })
                .code(),
            StatusCode::kInvalidArgument);
  model::LogBatch empty;
  EXPECT_TRUE(store_->WriteLogs(empty).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreLogsTest, AllBackends(), BackendName);

}  // namespace
}  // namespace tokenscope::store
