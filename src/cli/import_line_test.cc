#include "cli/import_line.h"

#include <gtest/gtest.h>

#include "cli/import_command.h"

namespace tokenscope::cli {
namespace {

TEST(Rfc3339Test, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2026-11-20T10:00:00Z"), 1795168800'000'000'000ULL);
  EXPECT_EQ(ParseRfc3339("2026-11-20T10:00:00.123Z"), 1795168800'123'000'000ULL);
  EXPECT_EQ(ParseRfc3339("2026-11-20T12:00:00.000000001+02:00"), 1795168800'000'000'001ULL);
  EXPECT_EQ(ParseRfc3339("2026-11-20 10:00:00z"), 1795168800'000'000'000ULL);
  for (const char* bad : {"", "2026-11-20", "2026-11-20T10:00:00", "2026-13-20T10:00:00Z",
                          "2026-11-20T25:00:00Z", "2026-11-20T10:00:00.Z", "2026-11-20T10:00Zx",
                          "1969-12-31T23:59:59Z", "2026-11-20T10:00:00+2:00", "x"}) {
    EXPECT_EQ(ParseRfc3339(bad), std::nullopt) << bad;
  }
}

TEST(ImportLineTest, EveryField) {
  auto call = ParseImportLine(
      R"({"timestamp":"2026-11-20T10:00:00Z","model":"gpt-4o","provider":"openai",)"
      R"("operation":"chat","service":"billing-bot","prompt_tokens":120,"completion_tokens":30,)"
      R"("total_tokens":150,"cached_tokens":100,"reasoning_tokens":0,"latency_ms":812.5,)"
      R"("ttft_ms":95,"status":429,"error":"Rate limit reached","prompt":"Hi \"you\"",)"
      R"("completion":"Hello","prompt_hash":"ab12","request_id":"req-1",)"
      R"("trace_id":"5b8efff798038103d269b633813fc60c","user_id":"u1","session":"s1",)"
      R"("tags":["prod","eu"],"metadata":{"team":"growth","ab":2},"unknown":true})");
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->time_unix_nano, 1795168800'000'000'000ULL);
  EXPECT_EQ(call->model, "gpt-4o");
  EXPECT_EQ(call->service, "billing-bot");
  EXPECT_EQ(call->input_tokens, 120);
  EXPECT_EQ(call->output_tokens, 30);
  EXPECT_EQ(call->total_tokens, 150);
  EXPECT_EQ(call->cached_tokens, 100);
  EXPECT_EQ(call->reasoning_tokens, 0);
  EXPECT_EQ(call->duration_ns, 812'500'000u);
  EXPECT_EQ(call->ttft_ns, 95'000'000u);
  EXPECT_TRUE(call->error);
  EXPECT_EQ(call->http_status, 429);
  EXPECT_EQ(call->error_message, "Rate limit reached");
  EXPECT_EQ(call->prompt, "Hi \"you\"");
  EXPECT_EQ(call->trace_id_hex, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(call->user, "u1");
  EXPECT_EQ(call->session, "s1");
  EXPECT_EQ(call->tags, (std::vector<std::string>{"prod", "eu"}));
  ASSERT_EQ(call->metadata.size(), 2u);
  EXPECT_EQ(call->metadata[1], (std::pair<std::string, std::string>{"ab", "2"}));
}

TEST(ImportLineTest, EpochTimestampsInEveryUnit) {
  for (const char* ts :
       {"1795168800", "1795168800000", "1795168800000000", "1795168800000000000", "1795168800.0"}) {
    auto call = ParseImportLine(std::string(R"({"model":"m","timestamp":)") + ts + "}");
    ASSERT_TRUE(call.ok()) << ts << " " << call.status().ToString();
    EXPECT_EQ(call->time_unix_nano, 1795168800'000'000'000ULL) << ts;
  }
  auto precise = ParseImportLine(R"({"model":"m","timestamp":1795168800000000001})");
  ASSERT_TRUE(precise.ok());
  EXPECT_EQ(precise->time_unix_nano, 1795168800'000'000'001ULL);
}

TEST(ImportLineTest, MalformedLinesNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"[1,2]", "JSON object"},
      {"{\"model\":\"m\"", "not valid JSON"},
      {R"({"model":"m"})", "'timestamp' is required"},
      {R"({"timestamp":"yesterday","model":"m"})", "'timestamp'"},
      {R"({"timestamp":-5,"model":"m"})", "'timestamp'"},
      {R"({"timestamp":1795168800})", "'model' is required"},
      {R"({"timestamp":1795168800,"model":7})", "'model' must be a string"},
      {R"({"timestamp":1795168800,"model":"m","prompt_tokens":-1})", "'prompt_tokens'"},
      {R"({"timestamp":1795168800,"model":"m","output_tokens":1.5})", "'output_tokens'"},
      {R"({"timestamp":1795168800,"model":"m","latency_ms":"fast"})", "'latency_ms'"},
      {R"({"timestamp":1795168800,"model":"m","status":"maybe"})", "'status'"},
      {R"({"timestamp":1795168800,"model":"m","status":99})", "'status'"},
      {R"({"timestamp":1795168800,"model":"m","trace_id":"xyz"})", "'trace_id'"},
      {R"({"timestamp":1795168800,"model":"m","trace_id":"00000000000000000000000000000000"})",
       "'trace_id'"},
      {R"({"timestamp":1795168800,"model":"m","tags":"a"})", "'tags'"},
      {R"({"timestamp":1795168800,"model":"m","tags":[1]})", "'tags'"},
      {R"({"timestamp":1795168800,"model":"m","metadata":[]})", "'metadata'"},
  };
  for (const auto& [line, expected] : cases) {
    auto call = ParseImportLine(line);
    ASSERT_FALSE(call.ok()) << line;
    EXPECT_NE(call.status().message().find(expected), std::string::npos)
        << line << " -> " << call.status().message();
  }
}

TEST(ImportSpanTest, OneGenAiSpanWithIdsFromTheLine) {
  const std::string line =
      R"({"timestamp":"2026-11-20T10:00:00Z","model":"gpt-4o","provider":"openai",)"
      R"("prompt_tokens":10,"completion_tokens":2,"latency_ms":100,"status":"error",)"
      R"("prompt":"a\nb","user":"u"})";
  auto call = ParseImportLine(line);
  ASSERT_TRUE(call.ok());
  model::SpanBatch a, b;
  AppendImportedSpan(*call, line, &a);
  AppendImportedSpan(*call, line, &b);
  ASSERT_EQ(a.spans.size(), 1u);
  const model::Span& span = a.spans[0];
  EXPECT_EQ(span.trace_id, b.spans[0].trace_id);  // re-importing lands on the same ids
  EXPECT_EQ(span.span_id, b.spans[0].span_id);
  EXPECT_EQ(span.name, "chat gpt-4o");
  EXPECT_EQ(span.duration_ns(), 100'000'000u);
  EXPECT_EQ(span.status.code, model::StatusCode::kError);
  EXPECT_EQ(model::ServiceName(a.ResourceOf(span)), "import");
  const model::AnyValue* input = model::FindAttribute(span.attributes, "gen_ai.input.messages");
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->string_value, R"([{"role":"user","parts":[{"type":"text","content":"a\nb"}]}])");
  EXPECT_EQ(model::FindAttribute(span.attributes, "gen_ai.usage.input_tokens")->int_value, 10);
  EXPECT_EQ(model::FindAttribute(span.attributes, "user.id")->string_value, "u");
}

}  // namespace
}  // namespace tokenscope::cli
