#include "query/session_search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "store/store_factory.h"

namespace tokenscope::query {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;

struct Turn {
  uint8_t n = 0;  // the trace id is 02 00 .. 00 n
  std::string session = "";
  std::string user = "";
  uint64_t start = 0;
  uint64_t duration = 1000;
  uint32_t llm_calls = 1;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cost_nanos = 0;
  bool failed = false;
  std::string model = "gpt-4o";
  std::string project = "p";
};

model::TraceId TraceIdOf(uint8_t n) {
  model::TraceId id{};
  id[0] = 2;
  id[15] = n;
  return id;
}

class SessionSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_sessions_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    auto s = store::OpenEmbeddedStore(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A trace of three spans (a root, an LLM call and a step, all ending at start + duration)
  // whose LLM call carries the turn's session, user and totals, as ingest computes them.
  void WriteTurn(const Turn& turn) {
    model::SpanBatch batch;
    batch.project = turn.project;
    batch.resources.emplace_back();
    batch.scopes.emplace_back();
    for (uint8_t i = 0; i < 3; ++i) {
      model::Span s;
      s.trace_id = TraceIdOf(turn.n);
      s.span_id[0] = static_cast<uint8_t>(i + 1);
      if (i > 0) s.parent_span_id[0] = 1;
      s.name = i == 0 ? "POST /v1/chat" : i == 1 ? "chat" : "step";
      s.start_time_unix_nano = turn.start + i;
      s.end_time_unix_nano = turn.start + turn.duration;
      if (i == 1 && turn.failed) s.status.code = model::StatusCode::kError;
      batch.spans.push_back(s);
    }
    batch.llm_totals.resize(3);
    model::LlmTotals& llm = batch.llm_totals[1];
    llm.llm_calls = turn.llm_calls;
    llm.input_tokens = turn.input_tokens;
    llm.output_tokens = turn.output_tokens;
    llm.total_tokens = turn.input_tokens + turn.output_tokens;
    llm.cost_nanos = turn.cost_nanos;
    if (!turn.model.empty()) llm.models = {turn.model};
    llm.session_id = turn.session;
    llm.user_id = turn.user;
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  SessionQuery Query(size_t limit = 100) {
    SessionQuery q;
    q.project = "p";
    q.limit = limit;
    return q;
  }

  static std::vector<std::string> Ids(const std::vector<SessionTotals>& sessions) {
    std::vector<std::string> ids;
    for (const auto& s : sessions) ids.push_back(s.session_id);
    return ids;
  }

  std::vector<std::string> ListedIds(SessionQuery q) {
    auto r = ListSessions(*store_, q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_FALSE(r->partial);
    return Ids(r->sessions);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SessionSearchTest, TracesGroupIntoSessionsWithTheirTotals) {
  WriteTurn({.n = 1,
             .session = "s-a",
             .user = "alice",
             .start = 10 * kSecond,
             .duration = 2 * kSecond,
             .input_tokens = 100,
             .output_tokens = 10,
             .cost_nanos = 1500});
  WriteTurn({.n = 2,
             .session = "s-a",
             .user = "alice",
             .start = 30 * kSecond,
             .duration = 5 * kSecond,
             .llm_calls = 2,
             .input_tokens = 300,
             .output_tokens = 20,
             .cost_nanos = 2500,
             .failed = true,
             .model = "claude-sonnet-4"});
  WriteTurn({.n = 3,
             .session = "s-b",
             .user = "bob",
             .start = 20 * kSecond,
             .input_tokens = 7,
             .output_tokens = 3,
             .cost_nanos = 9});
  WriteTurn({.n = 4, .start = 40 * kSecond, .input_tokens = 1000});  // no session

  auto r = ListSessions(*store_, Query());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->partial);
  EXPECT_TRUE(r->partial_reason.empty());
  EXPECT_FALSE(r->next_cursor.has_value());
  EXPECT_EQ(r->traces_examined, 4u);
  ASSERT_EQ(Ids(r->sessions), (std::vector<std::string>{"s-a", "s-b"}));

  const SessionTotals& a = r->sessions[0];
  EXPECT_EQ(a.user_id, "alice");
  EXPECT_EQ(a.user_ids, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(a.trace_count, 2u);
  EXPECT_EQ(a.first_trace_start_unix_nano, 10 * kSecond);
  EXPECT_EQ(a.last_trace_start_unix_nano, 30 * kSecond);
  EXPECT_EQ(a.end_unix_nano, 35 * kSecond);
  EXPECT_EQ(a.duration_ns(), 25 * kSecond);
  EXPECT_EQ(a.span_count, 6u);
  EXPECT_EQ(a.llm_calls, 3u);
  EXPECT_EQ(a.input_tokens, 400);
  EXPECT_EQ(a.output_tokens, 30);
  EXPECT_EQ(a.total_tokens, 430);
  EXPECT_EQ(a.cost_nanos, 4000);
  EXPECT_EQ(a.error_count, 1u);
  EXPECT_EQ(a.errored_trace_count, 1u);
  EXPECT_EQ(a.models, (std::vector<std::string>{"claude-sonnet-4", "gpt-4o"}));

  const SessionTotals& b = r->sessions[1];
  EXPECT_EQ(b.user_id, "bob");
  EXPECT_EQ(b.trace_count, 1u);
  EXPECT_EQ(b.total_tokens, 10);
  EXPECT_EQ(b.cost_nanos, 9);
  EXPECT_EQ(b.error_count, 0u);
  EXPECT_EQ(b.duration_ns(), 1000u);
}

TEST_F(SessionSearchTest, NewestActivityFirstThenSmallerId) {
  WriteTurn({.n = 1, .session = "old", .start = 1 * kSecond});
  WriteTurn({.n = 2, .session = "zeta", .start = 5 * kSecond});
  WriteTurn({.n = 3, .session = "alpha", .start = 5 * kSecond});
  WriteTurn({.n = 4, .session = "old", .start = 2 * kSecond});
  WriteTurn({.n = 5, .session = "mid", .start = 3 * kSecond});
  EXPECT_EQ(ListedIds(Query()), (std::vector<std::string>{"alpha", "zeta", "mid", "old"}));
}

TEST_F(SessionSearchTest, PagesContinueAfterTheCursorWithoutDuplicatesOrGaps) {
  // 23 sessions, ties in last activity across page boundaries.
  for (uint8_t n = 1; n <= 23; ++n) {
    WriteTurn({.n = n, .session = "s" + std::to_string(100 + n), .start = (n % 5 + 1) * kSecond});
  }
  std::vector<std::string> whole = ListedIds(Query());
  ASSERT_EQ(whole.size(), 23u);

  SessionQuery q = Query(10);
  std::vector<std::string> paged;
  std::vector<size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    auto r = ListSessions(*store_, q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    sizes.push_back(r->sessions.size());
    for (const auto& s : r->sessions) paged.push_back(s.session_id);
    if (!r->next_cursor) break;
    q.cursor = *r->next_cursor;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 3}));
  EXPECT_EQ(paged, whole);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), 23u);

  // A full last page has no cursor.
  q = Query(23);
  auto r = ListSessions(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->next_cursor.has_value());
}

TEST_F(SessionSearchTest, BadCursorsAreTheCallersMistake) {
  SessionQuery q = Query();
  q.cursor = "not a cursor!";
  EXPECT_EQ(ListSessions(*store_, q).status().code(), StatusCode::kInvalidArgument);
  q.cursor = "AQID";  // valid base64, not a session cursor
  EXPECT_EQ(ListSessions(*store_, q).status().code(), StatusCode::kInvalidArgument);
  q = Query(0);
  EXPECT_EQ(ListSessions(*store_, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SessionSearchTest, UserFilterKeepsSessionsWithATraceOfThatUser) {
  WriteTurn({.n = 1, .session = "s1", .user = "alice", .start = 1 * kSecond});
  WriteTurn({.n = 2, .session = "s2", .user = "bob", .start = 2 * kSecond});
  WriteTurn({.n = 3, .session = "s3", .user = "alice", .start = 3 * kSecond});
  // A session handed from bob to carol: its user is the newest trace's.
  WriteTurn({.n = 4, .session = "s4", .user = "bob", .start = 4 * kSecond});
  WriteTurn({.n = 5, .session = "s4", .user = "carol", .start = 5 * kSecond});
  WriteTurn({.n = 6, .session = "s4", .start = 6 * kSecond});  // names no user

  SessionQuery q = Query();
  q.user = "alice";
  EXPECT_EQ(ListedIds(q), (std::vector<std::string>{"s3", "s1"}));
  q.user = "bob";
  auto r = ListSessions(*store_, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Ids(r->sessions), (std::vector<std::string>{"s4", "s2"}));
  EXPECT_EQ(r->sessions[0].user_id, "carol");
  EXPECT_EQ(r->sessions[0].user_ids, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(r->sessions[0].trace_count, 3u);  // every trace of the session counts
  q.user = "nobody";
  EXPECT_TRUE(ListedIds(q).empty());
}

TEST_F(SessionSearchTest, OnlyTracesInTheRangeAndTheProjectCount) {
  WriteTurn({.n = 1, .session = "s", .start = 1 * kSecond, .cost_nanos = 1});
  WriteTurn({.n = 2, .session = "s", .start = 2 * kSecond, .cost_nanos = 10});
  WriteTurn({.n = 3, .session = "s", .start = 3 * kSecond, .cost_nanos = 100});
  WriteTurn({.n = 4, .session = "s", .start = 4 * kSecond, .cost_nanos = 1000, .project = "q"});
  SessionQuery q = Query();
  q.start_unix_nano = 2 * kSecond;
  q.end_unix_nano = 3 * kSecond;  // exclusive: trace 3 starts there
  auto r = ListSessions(*store_, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->sessions.size(), 1u);
  EXPECT_EQ(r->sessions[0].trace_count, 1u);
  EXPECT_EQ(r->sessions[0].cost_nanos, 10);

  r = ListSessions(*store_, Query());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->sessions.size(), 1u);
  EXPECT_EQ(r->sessions[0].cost_nanos, 111);  // project q's trace is not seen
}

TEST_F(SessionSearchTest, BudgetCutIsReportedAsPartial) {
  for (uint8_t n = 1; n <= 10; ++n) {
    WriteTurn({.n = n, .session = "s" + std::to_string(n % 3), .start = n * kSecond});
  }
  SessionQuery q = Query();
  q.max_examined = 9;  // the three newest traces of three spans each: 10, 9, 8
  auto r = ListSessions(*store_, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->partial);
  EXPECT_NE(r->partial_reason.find("max_examined"), std::string::npos) << r->partial_reason;
  EXPECT_NE(r->partial_reason.find(std::to_string(8 * kSecond)), std::string::npos)
      << r->partial_reason;
  EXPECT_EQ(r->traces_examined, 3u);
  EXPECT_EQ(Ids(r->sessions), (std::vector<std::string>{"s1", "s0", "s2"}));

  q.max_examined = 30;  // exactly the whole range: not a cut
  r = ListSessions(*store_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->traces_examined, 10u);
}

TEST_F(SessionSearchTest, ASessionsTracesComeOldestFirstWithTheTotals) {
  WriteTurn({.n = 9, .session = "conv", .user = "u", .start = 3 * kSecond, .cost_nanos = 3});
  WriteTurn({.n = 7, .session = "conv", .user = "u", .start = 1 * kSecond, .cost_nanos = 1});
  WriteTurn({.n = 8, .session = "conv", .user = "u", .start = 1 * kSecond, .cost_nanos = 2});
  WriteTurn({.n = 1, .session = "other", .start = 2 * kSecond});

  SessionTracesQuery q;
  q.project = "p";
  q.session_id = "conv";
  auto d = GetSession(*store_, q);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->partial);
  std::vector<int> ids;
  for (const auto& t : d->traces) ids.push_back(t.trace_id[15]);
  EXPECT_EQ(ids, (std::vector<int>{7, 8, 9}));
  EXPECT_EQ(d->totals.session_id, "conv");
  EXPECT_EQ(d->totals.user_id, "u");
  EXPECT_EQ(d->totals.trace_count, 3u);
  EXPECT_EQ(d->totals.cost_nanos, 6);
  EXPECT_EQ(d->totals.first_trace_start_unix_nano, 1 * kSecond);

  // The list and the detail agree on the totals.
  auto list = ListSessions(*store_, Query());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->sessions[0].session_id, "conv");
  EXPECT_EQ(list->sessions[0].cost_nanos, d->totals.cost_nanos);
  EXPECT_EQ(list->sessions[0].duration_ns(), d->totals.duration_ns());

  // A page of the traces; the totals still cover them all.
  q.offset = 1;
  q.limit = 1;
  d = GetSession(*store_, q);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->traces.size(), 1u);
  EXPECT_EQ(d->traces[0].trace_id[15], 8);
  EXPECT_EQ(d->totals.trace_count, 3u);
  q.offset = 5;
  d = GetSession(*store_, q);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->traces.empty());

  q = {};
  q.project = "p";
  q.session_id = "nope";
  EXPECT_EQ(GetSession(*store_, q).status().code(), StatusCode::kNotFound);
  q.session_id = "conv";
  q.project = "elsewhere";
  EXPECT_EQ(GetSession(*store_, q).status().code(), StatusCode::kNotFound);
}

TEST_F(SessionSearchTest, TotalsDoNotDependOnTheOrderTracesArrive) {
  model::TraceSummary a;
  a.trace_id = TraceIdOf(1);
  a.start_time_unix_nano = 5;
  a.end_time_unix_nano = 9;
  a.llm.user_id = "x";
  a.llm.models = {"m2"};
  model::TraceSummary b = a;
  b.trace_id = TraceIdOf(2);
  b.llm.user_id = "y";
  b.llm.models = {"m1"};
  model::TraceSummary c = a;
  c.trace_id = TraceIdOf(3);
  c.start_time_unix_nano = 2;
  c.end_time_unix_nano = 3;
  c.llm.user_id = "z";

  SessionTotals forward;
  for (const auto* t : {&a, &b, &c}) forward.Add(*t);
  SessionTotals backward;
  for (const auto* t : {&c, &b, &a}) backward.Add(*t);
  for (const SessionTotals* s : {&forward, &backward}) {
    EXPECT_EQ(s->user_id, "x");  // newest start, then the smaller trace id
    EXPECT_EQ(s->user_ids, (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_EQ(s->models, (std::vector<std::string>{"m1", "m2"}));
    EXPECT_EQ(s->first_trace_start_unix_nano, 2u);
    EXPECT_EQ(s->last_trace_start_unix_nano, 5u);
    EXPECT_EQ(s->duration_ns(), 7u);
  }
}

}  // namespace
}  // namespace tokenscope::query
