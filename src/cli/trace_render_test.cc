#include "cli/trace_render.h"

#include <cstdlib>
#include <ctime>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tokenscope::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Span(std::string_view id, std::string_view parent, std::string_view name,
                 int64_t duration_ns, std::string_view status = "unset",
                 std::string_view message = "") {
  return "{\"span_id\":\"" + std::string(id) + "\",\"parent_span_id\":\"" + std::string(parent) +
         "\",\"name\":\"" + std::string(name) +
         "\",\"service\":\"rag-api\",\"kind\":\"internal\",\"duration_ns\":" +
         std::to_string(duration_ns) + ",\"status\":{\"code\":\"" + std::string(status) +
         "\",\"message\":\"" + std::string(message) + "\"}}";
}

std::string TraceAnswer(const std::vector<std::string>& spans, int total = -1) {
  std::string joined;
  for (const std::string& span : spans) joined += (joined.empty() ? "" : ",") + span;
  return R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","summary":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_name":"rag.query","root_service":"rag-api","start_time_unix_nano":"1763000000000000000","end_time_unix_nano":"1763000001200000000","duration_ns":1200000000,"span_count":3,"error_count":1},"spans":[)" +
         joined +
         "],\"total_spans\":" + std::to_string(total < 0 ? static_cast<int>(spans.size()) : total) +
         ",\"offset\":0}";
}

TEST(RenderTraceTreeTest, IndentsByDepth) {
  std::string body = TraceAnswer({
      Span("a1", "", "rag.query", 1'200'000'000),
      Span("b2", "a1", "retrieve", 120'000'000),
      Span("c3", "b2", "embed", 1'500'000),
      Span("d4", "a1", "llm.generate", 1'050'000'000, "error", "rate limited"),
  });
  StatusOr<std::string> tree = RenderTraceTree(body);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(*tree,
            "trace 4bf92f3577b34da6a3ce929d0e0e4736  rag.query (rag-api)  1.20s  3 spans, 1 error\n"
            "\n"
            "SPAN            SERVICE  KIND      DURATION  STATUS\n"
            "rag.query       rag-api  internal     1.20s\n"
            "  retrieve      rag-api  internal  120.00ms\n"
            "    embed       rag-api  internal    1.50ms\n"
            "  llm.generate  rag-api  internal     1.05s  ERROR: rate limited\n");
}

TEST(RenderTraceTreeTest, ColorsErroredSpansOnlyWhenAsked) {
  std::string body = TraceAnswer({Span("a1", "", "root", 1000, "error", "boom")});
  EXPECT_THAT(*RenderTraceTree(body, {.color = true}), HasSubstr("\x1b[31mroot"));
  EXPECT_THAT(*RenderTraceTree(body), Not(HasSubstr("\x1b")));
}

TEST(RenderTraceTreeTest, OrphansAndCyclesAreShownOnce) {
  std::string body = TraceAnswer({
      Span("a1", "missing", "orphan", 1000),
      Span("b2", "c3", "cycle-one", 1000),
      Span("c3", "b2", "cycle-two", 1000),
      Span("d4", "d4", "self-parent", 1000),
  });
  StatusOr<std::string> tree = RenderTraceTree(body);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_THAT(*tree, HasSubstr("\norphan "));
  EXPECT_THAT(*tree, HasSubstr("\nself-parent "));
  EXPECT_THAT(*tree, HasSubstr("\ncycle-one "));
  EXPECT_THAT(*tree, HasSubstr("\n  cycle-two "));
}

TEST(RenderTraceTreeTest, DeepChainsDoNotRecurse) {
  std::vector<std::string> spans;
  for (int i = 0; i < 20'000; ++i) {
    spans.push_back(
        Span("s" + std::to_string(i), i == 0 ? "" : "s" + std::to_string(i - 1), "step", 1000));
  }
  StatusOr<std::string> tree = RenderTraceTree(TraceAnswer(spans));
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_THAT(*tree, HasSubstr("\n" + std::string(48, ' ') + "[19999] step "));
}

TEST(RenderTraceTreeTest, SanitizesTelemetryText) {
  std::string body = TraceAnswer({Span("a1", "", "evil\\u001b[2Jname", 1000)});
  StatusOr<std::string> tree = RenderTraceTree(body);
  ASSERT_TRUE(tree.ok());
  EXPECT_THAT(*tree, Not(HasSubstr("\x1b")));
  EXPECT_THAT(*tree, HasSubstr("evil?[2Jname"));
}

TEST(RenderTraceTreeTest, MentionsTruncatedAnswers) {
  std::string body = TraceAnswer({Span("a1", "", "root", 1000)}, /*total=*/5);
  EXPECT_THAT(*RenderTraceTree(body), HasSubstr("(showing 1 of 5 spans)"));
}

TEST(RenderTraceTreeTest, RejectsMalformedAnswers) {
  EXPECT_FALSE(RenderTraceTree("not json").ok());
  EXPECT_FALSE(RenderTraceTree("[]").ok());
  EXPECT_FALSE(RenderTraceTree(R"({"trace_id":"x"})").ok());
  EXPECT_TRUE(RenderTraceTree(R"({"trace_id":"x","spans":[]})").ok());
  // Fields of the wrong type render as empty rather than failing.
  EXPECT_TRUE(RenderTraceTree(R"({"spans":[{"name":5,"status":"x","duration_ns":"abc"}]})").ok());
  EXPECT_TRUE(RenderTraceTree(R"({"spans":[1, "x", null]})").ok());
}

class SearchTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    unsetenv("TZ");
    tzset();
  }
};

TEST_F(SearchTableTest, RendersColumns) {
  std::string body = R"({"traces":[
    {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_name":"rag.query","root_service":"rag-api",
     "start_time_unix_nano":"1763000000123000000","end_time_unix_nano":"1763000001323000000",
     "duration_ns":1200000000,"span_count":12,"error_count":1},
    {"trace_id":"00f067aa0ba902b700f067aa0ba902b7","root_name":"","root_service":"",
     "start_time_unix_nano":"1762999990000000000","duration_ns":1500000,"span_count":1,
     "error_count":0}],
    "next_cursor":"abc"})";
  StatusOr<TraceTable> table = RenderTraceSearchTable(body);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->text,
            "TRACE ID                          START                    ROOT                 "
            "SERVICE  DURATION  SPANS  ERRORS\n"
            "4bf92f3577b34da6a3ce929d0e0e4736  2025-11-13 02:13:20.123  rag.query            "
            "rag-api     1.20s     12       1\n"
            "00f067aa0ba902b700f067aa0ba902b7  2025-11-13 02:13:10.000  (root not received)  "
            "           1.50ms      1       0\n");
  EXPECT_EQ(table->trace_count, 2u);
  EXPECT_EQ(table->next_cursor, "abc");
}

TEST_F(SearchTableTest, OrderedPagesShowTheValueTheyAreSortedBy) {
  std::string body = R"({"traces":[
    {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_name":"q","root_service":"s",
     "start_time_unix_nano":"1763000000123000000","duration_ns":1200000000,"span_count":2,
     "error_count":0,"cost_nanos_usd":4500000,"total_tokens":1200,"llm_call_count":3}],
    "next_cursor":null,"order":"ORDER","partial":false,"partial_reason":null})";
  auto render = [&](std::string_view order) {
    std::string text = body;
    text.replace(text.find("ORDER"), 5, order);
    StatusOr<TraceTable> table = RenderTraceSearchTable(text);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_FALSE(table->partial_reason.has_value());
    return table.ok() ? table->text : "";
  };
  EXPECT_THAT(render("cost_desc"), HasSubstr("ERRORS       COST\n"));
  EXPECT_THAT(render("cost_desc"), HasSubstr("0  $0.004500\n"));
  EXPECT_THAT(render("tokens_desc"), HasSubstr("ERRORS  TOKENS\n"));
  EXPECT_THAT(render("tokens_desc"), HasSubstr("0    1200\n"));
  EXPECT_THAT(render("llm_calls_desc"), HasSubstr("LLM CALLS\n"));
  EXPECT_THAT(render("duration_desc"), HasSubstr("ERRORS\n"));  // DURATION is shown anyway
}

TEST_F(SearchTableTest, PartialPagesCarryTheReason) {
  StatusOr<TraceTable> table = RenderTraceSearchTable(
      R"({"traces":[],"next_cursor":null,"order":"cost_desc","partial":true,)"
      R"("partial_reason":"budget\u001b"})");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->partial_reason, "budget?");
}

TEST_F(SearchTableTest, NullCursorAndEmptyPage) {
  StatusOr<TraceTable> table = RenderTraceSearchTable(R"({"traces":[],"next_cursor":null})");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->trace_count, 0u);
  EXPECT_FALSE(table->next_cursor.has_value());
  EXPECT_THAT(table->text, HasSubstr("TRACE ID"));
}

TEST_F(SearchTableTest, RejectsMalformedAnswers) {
  EXPECT_FALSE(RenderTraceSearchTable("{").ok());
  EXPECT_FALSE(RenderTraceSearchTable(R"({"traces":{}})").ok());
  EXPECT_FALSE(RenderTraceSearchTable(R"({"traces":[1]})").ok());
}

TEST(DescribeErrorResponseTest, PrefersTheServersMessage) {
  EXPECT_EQ(DescribeErrorResponse(404, "Not Found",
                                  R"({"error":{"code":"not_found","message":"trace not found"}})"),
            "trace not found");
  EXPECT_EQ(DescribeErrorResponse(502, "Bad Gateway", "upstream down"),
            "HTTP 502 Bad Gateway: upstream down");
  EXPECT_EQ(DescribeErrorResponse(500, "Internal Server Error", ""),
            "HTTP 500 Internal Server Error");
  EXPECT_EQ(DescribeErrorResponse(400, "Bad Request", R"({"error":{"message":"a\u001bb"}})"),
            "a?b");
}

}  // namespace
}  // namespace tokenscope::cli
