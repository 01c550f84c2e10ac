// The Redactor on whole batches: which fields are scanned, per-project rules, custom patterns,
// JSON message attributes staying valid, counters.
#include "redact/redactor.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <thread>

namespace tokenscope::redact {
namespace {

using model::AnyValue;
using model::KeyValue;

constexpr std::string_view kEmail = "jane.doe@example.com";

std::unique_ptr<Redactor> Make(const RedactionConfig& config) {
  auto redactor = Redactor::Create(config);
  EXPECT_TRUE(redactor.ok()) << redactor.status().ToString();
  return std::move(redactor).value();
}

std::string_view StringAttr(const model::Attributes& attrs, std::string_view key) {
  const AnyValue* value = model::FindAttribute(attrs, key);
  return value != nullptr ? value->string_value : std::string_view("<missing>");
}

model::SpanBatch OneSpan(std::string_view project, model::Attributes attributes) {
  model::SpanBatch batch;
  batch.project = std::string(project);
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  batch.spans.emplace_back().attributes = std::move(attributes);
  return batch;
}

TEST(RedactorTest, ContentAttributesOfEveryConventionAreRedacted) {
  auto redactor = Make({});
  model::SpanBatch batch =
      OneSpan("p", {
                       {"gen_ai.prompt.0.content", AnyValue::String("mail jane.doe@example.com")},
                       {"llm.input_messages.0.message.content", AnyValue::String(kEmail)},
                       {"input.value", AnyValue::String(kEmail)},
                       {"output.value", AnyValue::String(kEmail)},
                       {"traceloop.entity.input", AnyValue::String(kEmail)},
                       {"ai.prompt.messages", AnyValue::String(kEmail)},
                       {"langfuse.observation.output", AnyValue::String(kEmail)},
                       {"user.note", AnyValue::String(kEmail)},  // not content: left as is
                   });
  redactor->Redact(&batch);
  const model::Attributes& attrs = batch.spans[0].attributes;
  EXPECT_EQ(StringAttr(attrs, "gen_ai.prompt.0.content"), "mail [REDACTED:EMAIL]");
  for (std::string_view key :
       {"llm.input_messages.0.message.content", "input.value", "output.value",
        "traceloop.entity.input", "ai.prompt.messages", "langfuse.observation.output"}) {
    EXPECT_EQ(StringAttr(attrs, key), "[REDACTED:EMAIL]") << key;
  }
  EXPECT_EQ(StringAttr(attrs, "user.note"), kEmail);
}

TEST(RedactorTest, JsonMessagesStayValidJson) {
  auto redactor = Make({});
  const std::string messages =
      R"([{"role":"user","parts":[{"type":"text","content":"card 4111 1111 1111 1111\nmail )"
      R"(jane.doe@example.com, key sk-proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh, ip 10.0.0.7"}]},)"
      R"({"role":"assistant","parts":[{"type":"tool_call","arguments":{"phone":"+1 415 555 0123",)"
      R"("n":4111111111111111}}]}])";
  model::SpanBatch batch = OneSpan("p", {{"gen_ai.input.messages", AnyValue::String(messages)}});
  redactor->Redact(&batch);
  const std::string out(StringAttr(batch.spans[0].attributes, "gen_ai.input.messages"));
  rapidjson::Document doc;
  doc.Parse(out.c_str(), out.size());
  ASSERT_FALSE(doc.HasParseError()) << out;
  for (std::string_view secret : {"4111", "jane.doe", "sk-proj", "10.0.0.7", "555 0123"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
  }
  for (std::string_view placeholder : {"[REDACTED:CREDIT_CARD]", "[REDACTED:EMAIL]",
                                       "[REDACTED:API_KEY]", "[REDACTED:IP]", "[REDACTED:PHONE]"}) {
    EXPECT_NE(out.find(placeholder), std::string::npos) << placeholder << " in " << out;
  }
  EXPECT_NE(out.find(R"("n":"[REDACTED:CREDIT_CARD]")"), std::string::npos) << out;
}

TEST(RedactorTest, NestedValuesEventsLinksAndStatusAreRedacted) {
  auto redactor = Make({});
  AnyValue nested;
  nested.type = model::ValueType::kKvList;
  nested.kvlist_value.push_back({"inner", AnyValue::String(kEmail)});
  AnyValue list;
  list.type = model::ValueType::kArray;
  list.array_value.push_back(nested);
  model::SpanBatch batch = OneSpan("p", {{"llm.prompts", list}});
  model::Span& span = batch.spans[0];
  span.status.message = "Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345";
  span.events.push_back({0, "gen_ai.user.message", {{"content", AnyValue::String(kEmail)}}, 0});
  span.events.push_back({0, "exception", {{"exception.message", AnyValue::String(kEmail)}}, 0});
  span.events.push_back({0, "other", {{"content", AnyValue::String(kEmail)}}, 0});
  span.links.emplace_back().attributes = {{"input.value", AnyValue::String(kEmail)}};
  redactor->Redact(&batch);
  EXPECT_EQ(span.attributes[0].value.array_value[0].kvlist_value[0].value.string_value,
            "[REDACTED:EMAIL]");
  EXPECT_EQ(span.status.message, "Incorrect API key provided: [REDACTED:API_KEY]");
  EXPECT_EQ(StringAttr(span.events[0].attributes, "content"), "[REDACTED:EMAIL]");
  EXPECT_EQ(StringAttr(span.events[1].attributes, "exception.message"), "[REDACTED:EMAIL]");
  EXPECT_EQ(StringAttr(span.events[2].attributes, "content"), kEmail);  // not a content event
  EXPECT_EQ(StringAttr(span.links[0].attributes, "input.value"), "[REDACTED:EMAIL]");
}

TEST(RedactorTest, ConfiguredKeysAndAllFields) {
  RedactionConfig config;
  config.defaults.attributes = {"user.email", "app.*.note"};
  config.projects["everything"].fields = FieldScope::kAll;
  auto redactor = Make(config);
  const model::Attributes attrs = {{"user.email", AnyValue::String(kEmail)},
                                   {"app.billing.note", AnyValue::String(kEmail)},
                                   {"app.note", AnyValue::String(kEmail)},
                                   {"http.url", AnyValue::String(kEmail)}};
  model::SpanBatch batch = OneSpan("p", attrs);
  redactor->Redact(&batch);
  EXPECT_EQ(StringAttr(batch.spans[0].attributes, "user.email"), "[REDACTED:EMAIL]");
  EXPECT_EQ(StringAttr(batch.spans[0].attributes, "app.billing.note"), "[REDACTED:EMAIL]");
  EXPECT_EQ(StringAttr(batch.spans[0].attributes, "app.note"), kEmail);
  EXPECT_EQ(StringAttr(batch.spans[0].attributes, "http.url"), kEmail);

  model::SpanBatch all = OneSpan("everything", attrs);
  redactor->Redact(&all);
  for (const KeyValue& kv : all.spans[0].attributes) {
    EXPECT_EQ(kv.value.string_value, "[REDACTED:EMAIL]") << kv.key;
  }
}

TEST(RedactorTest, ProjectsHaveTheirOwnRules) {
  RedactionConfig config;
  config.defaults.detectors = {Detector::kEmail};
  config.projects["acme"].detectors = {Detector::kIp};
  config.projects["acme"].patterns = {{"ticket", R"(TCK-\d{5})"}};
  config.projects["sandbox"].enabled = false;
  auto redactor = Make(config);
  const std::string text = std::string(kEmail) + " 10.1.2.3 TCK-12345";
  EXPECT_EQ(redactor->RedactText("other", text), "[REDACTED:EMAIL] 10.1.2.3 TCK-12345");
  EXPECT_EQ(redactor->RedactText("acme", text),
            std::string(kEmail) + " [REDACTED:IP] [REDACTED:TICKET]");
  EXPECT_EQ(redactor->RedactText("sandbox", text), std::nullopt);
  model::SpanBatch batch = OneSpan("sandbox", {{"input.value", AnyValue::String(kEmail)}});
  redactor->Redact(&batch);
  EXPECT_EQ(StringAttr(batch.spans[0].attributes, "input.value"), kEmail);
}

TEST(RedactorTest, CustomPatternGroupOneIsWhatIsReplaced) {
  RedactionConfig config;
  config.defaults.detectors = {};
  config.defaults.patterns = {{"password", R"((?i)password[=:]\s*(\S+))"}};
  auto redactor = Make(config);
  EXPECT_EQ(redactor->RedactText("p", "login password=hunter2 ok"),
            "login password=[REDACTED:PASSWORD] ok");
}

TEST(RedactorTest, BadCustomPatternsAreRejected) {
  auto with = [](CustomPattern pattern) {
    RedactionConfig config;
    config.projects["acme"].patterns = {std::move(pattern)};
    return Redactor::Create(config).status();
  };
  EXPECT_EQ(with({"x", "("}).code(), StatusCode::kInvalidArgument);
  EXPECT_NE(with({"x", "("}).message().find("redaction.projects.acme"), std::string::npos);
  EXPECT_EQ(with({"x", "a*"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(with({"bad name", "abc"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(with({"", "abc"}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(with({"ok_name", "abc"}).ok());
}

TEST(RedactorTest, LogBodiesAndContentEventAttributes) {
  auto redactor = Make({});
  model::LogBatch batch;
  batch.project = "p";
  batch.resources.emplace_back();
  batch.scopes.emplace_back();
  model::LogRecord& plain = batch.logs.emplace_back();
  plain.body = AnyValue::String("user jane.doe@example.com from 192.168.0.12");
  plain.attributes = {{"note", AnyValue::String(kEmail)}};
  model::LogRecord& event = batch.logs.emplace_back();
  event.event_name = "gen_ai.user.message";
  event.attributes = {{"content", AnyValue::String(kEmail)}};
  redactor->Redact(&batch);
  EXPECT_EQ(batch.logs[0].body.string_value, "user [REDACTED:EMAIL] from [REDACTED:IP]");
  EXPECT_EQ(StringAttr(batch.logs[0].attributes, "note"), kEmail);
  EXPECT_EQ(StringAttr(batch.logs[1].attributes, "content"), "[REDACTED:EMAIL]");
}

TEST(RedactorTest, CountsPerTypeAcrossThreads) {
  auto redactor = Make({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        model::SpanBatch batch =
            OneSpan("p", {{"input.value", AnyValue::String("a@example.com b@example.com")}});
        redactor->Redact(&batch);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t emails = 0;
  for (const RedactionCount& count : redactor->Counts()) {
    if (count.type == "EMAIL") emails = count.count;
  }
  EXPECT_EQ(emails, 800u);
}

TEST(RedactorTest, RedactedTextIsAFixedPoint) {
  auto redactor = Make({});
  const std::string once = *redactor->RedactText(
      "p",
      "jane.doe@example.com +1 415 555 0123 4111111111111111 10.0.0.1 fe80::1 "
      "Bearer 0123456789abcdef0123 AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(redactor->RedactText("p", once), std::nullopt) << once;
}

}  // namespace
}  // namespace tokenscope::redact
