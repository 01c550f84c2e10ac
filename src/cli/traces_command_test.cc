#include "cli/traces_command.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include "cli/test_http_server.h"

namespace tokenscope::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

ClientOptions OptionsFor(const TestHttpServer& server) {
  ClientOptions options;
  options.endpoint = server.endpoint();
  return options;
}

TEST(TraceTargetsTest, GetValidatesAndLowercasesTheId) {
  EXPECT_EQ(*TraceGetTarget("4BF92F3577B34DA6A3CE929D0E0E4736"),
            "/api/v1/traces/4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(TraceGetTarget("4bf92f").ok());
  EXPECT_FALSE(TraceGetTarget("zzf92f3577b34da6a3ce929d0e0e4736").ok());
  EXPECT_FALSE(TraceGetTarget("../../../../api/v1/services/xxxxx").ok());
}

TEST(TraceTargetsTest, SearchEncodesEveryParameter) {
  TraceSearchParams params;
  params.filter = "service = \"rag api\"";
  params.service = "rag-api";
  params.name = "llm generate";
  params.status = "error";
  params.min_duration = "250ms";
  params.max_duration = "2s";
  params.attributes = {"gen_ai.request.model=gpt-4o", "user.id=a&b=c", "empty="};
  params.since = "15m";
  params.limit = 50;
  params.cursor = "abc/def+";
  EXPECT_EQ(*TraceSearchTarget(params),
            "/api/v1/traces?filter=service%20%3D%20%22rag%20api%22&service=rag-api"
            "&name=llm%20generate&status=error&min_duration=250ms&max_duration=2s"
            "&attr.gen_ai.request.model=gpt-4o&attr.user.id=a%26b%3Dc&attr.empty="
            "&since=15m&limit=50&cursor=abc%2Fdef%2B");
  EXPECT_EQ(*TraceSearchTarget({}), "/api/v1/traces");
}

TEST(TraceTargetsTest, SearchRejectsAttributesWithoutKeyOrValue) {
  TraceSearchParams params;
  params.attributes = {"novalue"};
  EXPECT_FALSE(TraceSearchTarget(params).ok());
  params.attributes = {"=x"};
  EXPECT_FALSE(TraceSearchTarget(params).ok());
}

TEST(RunTracesGetTest, PrintsTree) {
  TestHttpServer server(
      {200, R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"span_id":"a",)"
            R"("parent_span_id":"","name":"root","service":"svc","kind":"server",)"
            R"("duration_ns":1500000,"status":{"code":"ok","message":""}}]})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet(OptionsFor(server), kTraceId, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("root  svc      server"));
  EXPECT_THAT(out.str(), HasSubstr("1.50ms  ok"));
  EXPECT_THAT(err.str(), IsEmpty());
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/traces/" + std::string(kTraceId)});
}

TEST(RunTracesGetTest, JsonPrintsTheBodyVerbatim) {
  TestHttpServer server({200, R"({"spans":[]})"});
  ClientOptions options = OptionsFor(server);
  options.json = true;
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet(options, kTraceId, out, err), kExitOk);
  EXPECT_EQ(out.str(), "{\"spans\":[]}\n");
}

TEST(RunTracesGetTest, ServerErrorExitsOneWithItsMessage) {
  TestHttpServer server({404, R"({"error":{"code":"not_found","message":"trace not found"}})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet(OptionsFor(server), kTraceId, out, err), kExitServerError);
  EXPECT_EQ(err.str(), "error: trace not found\n");
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST(RunTracesGetTest, BadTraceIdIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet({}, "nope", out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("32 hex digits"));
}

TEST(RunTracesGetTest, ConnectionRefusedGivesAHint) {
  uint16_t port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet(options, kTraceId, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("is `tokenscope serve` running at " + options.endpoint + "?"));
}

TEST(RunTracesGetTest, BadEndpointIsAUsageError) {
  ClientOptions options;
  options.endpoint = "https://example.com";
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesGet(options, kTraceId, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("https is not supported"));
}

TEST(RunTracesSearchTest, PrintsTableAndCursorHint) {
  TestHttpServer server(
      {200, R"({"traces":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_name":"q",)"
            R"("root_service":"s","start_time_unix_nano":"1763000000000000000",)"
            R"("duration_ns":2500000000,"span_count":3,"error_count":0}],"next_cursor":"c1"})"});
  TraceSearchParams params;
  params.service = "s";
  params.attributes = {"k=v w"};
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesSearch(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("TRACE ID"));
  EXPECT_THAT(out.str(), HasSubstr("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_THAT(out.str(), HasSubstr("2.50s"));
  EXPECT_EQ(err.str(), "more traces: repeat with --cursor c1\n");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/traces?service=s&attr.k=v%20w"});
}

TEST(RunTracesSearchTest, MalformedAnswerIsAServerError) {
  TestHttpServer server({200, "<html>"});
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesSearch(OptionsFor(server), {}, out, err), kExitServerError);
  EXPECT_THAT(err.str(), HasSubstr("not JSON"));
}

TEST(RunTracesSearchTest, BadRequestExitsOne) {
  TestHttpServer server({400, R"({"error":{"code":"invalid_argument","message":"bad since"}})"});
  TraceSearchParams params;
  params.since = "yesterday";
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesSearch(OptionsFor(server), params, out, err), kExitServerError);
  EXPECT_EQ(err.str(), "error: bad since\n");
}

TEST(TraceTargetsTest, SearchSendsTheOrder) {
  TraceSearchParams params;
  params.order = "cost_desc";
  params.since = "24h";
  params.limit = 20;
  EXPECT_EQ(*TraceSearchTarget(params), "/api/v1/traces?since=24h&order=cost_desc&limit=20");
}

TEST(RunTracesSearchTest, OrderedPageShowsItsSortValueAndWarnsWhenPartial) {
  TestHttpServer server(
      {200, R"({"traces":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_name":"q",)"
            R"("root_service":"s","start_time_unix_nano":"1763000000000000000",)"
            R"("duration_ns":2500000000,"span_count":3,"error_count":0,)"
            R"("cost_nanos_usd":4500000}],"next_cursor":null,"order":"cost_desc",)"
            R"("partial":true,"partial_reason":"the scan stopped at the max_examined budget"})"});
  TraceSearchParams params;
  params.order = "cost_desc";
  std::ostringstream out, err;
  EXPECT_EQ(RunTracesSearch(OptionsFor(server), params, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("COST"));
  EXPECT_THAT(out.str(), HasSubstr("$0.004500"));
  EXPECT_EQ(err.str(), "partial ranking: the scan stopped at the max_examined budget\n");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/traces?order=cost_desc"});
}

TEST(RunRepriceTest, PrintsTheCostChange) {
  TestHttpServer server({200, R"({"traces_examined":1200,"traces_changed":1187,)"
                              R"("cost_before_nanos_usd":51234000000,)"
                              R"("cost_after_nanos_usd":40987000000,"normalizer_version":1,)"
                              R"("llm_calls_before":10,"llm_calls_after":10,)"
                              R"("total_tokens_before":5,"total_tokens_after":5})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunReprice(OptionsFor(server), "30d", out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "repriced 1200 traces since 30d: 1187 changed; "
            "cost 51.234000 USD -> 40.987000 USD (-10.247000)\n");
  EXPECT_THAT(err.str(), IsEmpty());
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/admin/reprice?since=30d"});
}

TEST(RunRollupRebuildTest, PrintsCellsCallsAndCost) {
  TestHttpServer server({200, R"({"start_unix_nano":"0","end_unix_nano":"60000000000",)"
                              R"("spans_examined":900,"cells_before":0,"cells_after":42,)"
                              R"("requests_before":0,"requests_after":600,)"
                              R"("cost_before_nanos_usd":0,"cost_after_nanos_usd":1500000000})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunRollupRebuild(OptionsFor(server), "30d", out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "rebuilt the rollups of the last 30d from 900 spans\n"
            "  cells      0 -> 42\n"
            "  LLM calls  0 -> 600\n"
            "  cost 0.000000 USD -> 1.500000 USD (+1.500000)\n");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/admin/rollups/rebuild?since=30d"});

  TestHttpServer wrong({200, R"({"traces_examined":1})"});
  std::ostringstream out2, err2;
  EXPECT_NE(RunRollupRebuild(OptionsFor(wrong), "1d", out2, err2), kExitOk);
}

TEST(RunRenormalizeTest, PrintsVersionCallsTokensAndCost) {
  TestHttpServer server({200, R"({"traces_examined":40,"traces_changed":3,)"
                              R"("cost_before_nanos_usd":0,"cost_after_nanos_usd":4500000,)"
                              R"("normalizer_version":2,"llm_calls_before":38,)"
                              R"("llm_calls_after":41,"total_tokens_before":90000,)"
                              R"("total_tokens_after":91200})"});
  std::ostringstream out, err;
  EXPECT_EQ(RunRenormalize(OptionsFor(server), "7d", out, err), kExitOk);
  EXPECT_EQ(out.str(),
            "renormalized 40 traces since 7d with normalizer v2: 3 changed\n"
            "  LLM calls     38 -> 41\n"
            "  total tokens  90000 -> 91200\n"
            "  cost 0.000000 USD -> 0.004500 USD (+0.004500)\n");
  EXPECT_THAT(err.str(), IsEmpty());
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/api/v1/admin/renormalize?since=7d"});
}

TEST(RunRenormalizeTest, JsonAndErrors) {
  TestHttpServer server({200, R"({"traces_examined":0})"});
  ClientOptions options = OptionsFor(server);
  options.json = true;
  std::ostringstream out, err;
  EXPECT_EQ(RunRenormalize(options, "1h", out, err), kExitOk);
  EXPECT_EQ(out.str(), "{\"traces_examined\":0}\n");

  TestHttpServer refusing({400, R"({"error":{"code":"invalid_argument","message":"bad since"}})"});
  std::ostringstream out2, err2;
  EXPECT_EQ(RunRenormalize(OptionsFor(refusing), "soon", out2, err2), kExitServerError);
  EXPECT_EQ(err2.str(), "error: bad since\n");
}

}  // namespace
}  // namespace tokenscope::cli
