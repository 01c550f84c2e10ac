#include "model/trace_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace tokenscope::model {
namespace {

Span MakeSpan(uint8_t id, bool root, uint64_t start, uint64_t end, bool error) {
  Span s;
  s.trace_id[0] = 7;
  s.span_id[0] = id;
  if (!root) s.parent_span_id[0] = 1;
  s.name = root ? "root" : "child";
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = end;
  if (error) s.status.code = StatusCode::kError;
  return s;
}

TEST(TraceSummaryTest, OrderDoesNotMatter) {
  std::vector<Span> spans = {MakeSpan(1, true, 100, 900, false), MakeSpan(2, false, 150, 300, true),
                             MakeSpan(3, false, 90, 950, false),
                             MakeSpan(4, false, 400, 500, true)};
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(spans.begin(), spans.end(), rng);
    // Fold in two halves and merge, the way a merge operator combines partial summaries.
    TraceSummary a, b;
    for (size_t i = 0; i < spans.size(); ++i) {
      (i % 2 ? a : b).AddSpan(spans[i], spans[i].is_root() ? "frontend" : "backend");
    }
    a.Merge(b);
    EXPECT_EQ(a.root_name, "root");
    EXPECT_EQ(a.root_service, "frontend");
    EXPECT_EQ(a.start_time_unix_nano, 90u);
    EXPECT_EQ(a.end_time_unix_nano, 950u);
    EXPECT_EQ(a.last_span_start_unix_nano, 400u);
    EXPECT_EQ(a.span_count, 4u);
    EXPECT_EQ(a.error_count, 2u);
  }
}

TEST(TraceSummaryTest, LlmTotalsMergeInAnyOrder) {
  auto call = [](const char* model, int64_t in, int64_t out, int64_t cost, const char* session) {
    LlmInfo llm;
    llm.kind = LlmSpanKind::kLlm;
    llm.request_model = model;
    llm.usage.input_tokens = in;
    llm.usage.output_tokens = out;
    llm.cost = Cost{};
    llm.cost->total_nanos = cost;
    llm.session_id = session;
    LlmTotals t;
    t.AddCall(llm);
    return t;
  };
  LlmInfo agent;  // agent spans carry identity but do not add tokens or cost
  agent.kind = LlmSpanKind::kAgent;
  agent.usage.input_tokens = 999;
  agent.user_id = "u1";
  LlmTotals agent_totals;
  agent_totals.AddCall(agent);
  std::vector<LlmTotals> parts = {call("gpt-4o", 100, 10, 5000, "s2"),
                                  call("claude-haiku-4-5", 50, 5, 700, "s1"),
                                  call("gpt-4o", 1, 1, 1, ""), agent_totals};
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(parts.begin(), parts.end(), rng);
    LlmTotals a, b;
    for (size_t i = 0; i < parts.size(); ++i) (i % 2 ? a : b).Merge(parts[i]);
    a.Merge(b);
    EXPECT_EQ(a.llm_calls, 3u);
    EXPECT_EQ(a.input_tokens, 151);
    EXPECT_EQ(a.output_tokens, 16);
    EXPECT_EQ(a.total_tokens, 167);
    EXPECT_EQ(a.cost_nanos, 5701);
    EXPECT_EQ(a.models, (std::vector<std::string>{"claude-haiku-4-5", "gpt-4o"}));
    EXPECT_EQ(a.session_id, "s1");
    EXPECT_EQ(a.user_id, "u1");
  }
}

}  // namespace
}  // namespace tokenscope::model
