#include "demo/demo_workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace tokenscope::demo {
namespace {

std::string Hex(const model::SpanId& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : id) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

TEST(DemoWorkload, EveryTraceIsOneTreeWithItsSpansInside) {
  DemoWorkload workload;
  model::SpanBatch batch;
  size_t added = 0;
  for (int i = 0; i < 120; ++i) added += workload.AddTrace(&batch, 1'763'000'000'000'000'000ull);
  ASSERT_EQ(added, batch.spans.size());
  std::map<std::string, int> roots_per_trace;
  std::set<std::string> ids;
  for (const model::Span& s : batch.spans) ids.insert(Hex(s.span_id));
  for (const model::Span& s : batch.spans) {
    const std::string trace(reinterpret_cast<const char*>(s.trace_id.data()), s.trace_id.size());
    if (s.is_root()) {
      ++roots_per_trace[trace];
    } else {
      EXPECT_TRUE(ids.count(Hex(s.parent_span_id))) << s.name;
    }
    EXPECT_GE(s.end_time_unix_nano, s.start_time_unix_nano) << s.name;
    EXPECT_LT(s.resource_index, batch.resources.size());
  }
  for (const auto& [trace, roots] : roots_per_trace) EXPECT_EQ(roots, 1);
  EXPECT_EQ(roots_per_trace.size(), 120u);
}

TEST(DemoWorkload, SameSeedSameTraces) {
  model::SpanBatch a, b;
  DemoWorkload(DemoWorkloadOptions{7, 60}).AddTrace(&a, 1);
  DemoWorkload(DemoWorkloadOptions{7, 60}).AddTrace(&b, 1);
  ASSERT_EQ(a.spans.size(), b.spans.size());
  for (size_t i = 0; i < a.spans.size(); ++i) EXPECT_EQ(a.spans[i].name, b.spans[i].name);
}

TEST(DemoWorkload, EvalBatchIsLarge) {
  DemoWorkload workload;
  model::SpanBatch batch;
  EXPECT_GT(workload.AddEvalBatch(&batch, 1), 300u);
}

}  // namespace
}  // namespace tokenscope::demo
