#include "semconv/json_content.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::semconv::internal {
namespace {

using model::Message;
using model::PartType;

std::vector<Message> Messages(std::string_view json, std::string_view role = "user") {
  std::vector<Message> out;
  std::optional<JsonDocument> doc = JsonDocument::Parse(json);
  EXPECT_TRUE(doc.has_value()) << json;
  if (doc) ReadMessages(doc->root(), role, &out);
  return out;
}

TEST(JsonDocumentTest, RejectsMalformedAndOversized) {
  EXPECT_FALSE(JsonDocument::Parse(""));
  EXPECT_FALSE(JsonDocument::Parse("{"));
  EXPECT_FALSE(JsonDocument::Parse("[1,]"));
  EXPECT_FALSE(JsonDocument::Parse("\"\xc3\x28\""));  // invalid UTF-8
  EXPECT_FALSE(JsonDocument::Parse(std::string(kMaxJsonDepth + 1, '[') +
                                   std::string(kMaxJsonDepth + 1, ']')));
  EXPECT_TRUE(JsonDocument::Parse(std::string(kMaxJsonDepth - 1, '[') +
                                  std::string(kMaxJsonDepth - 1, ']')));
  EXPECT_TRUE(JsonDocument::Parse(R"({"a": [1, 2.5, "x", null, true]})"));
}

TEST(JsonDocumentTest, StructuredAttributesGoThroughJson) {
  model::AnyValue list;
  list.type = model::ValueType::kArray;
  model::AnyValue message;
  message.type = model::ValueType::kKvList;
  message.kvlist_value.push_back({"role", model::AnyValue::String("user")});
  message.kvlist_value.push_back({"content", model::AnyValue::String("hi \"there\"")});
  list.array_value.push_back(message);
  std::optional<JsonDocument> doc = JsonDocument::FromAttribute(list);
  ASSERT_TRUE(doc);
  std::vector<Message> out;
  ASSERT_TRUE(ReadMessages(doc->root(), "user", &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].parts.at(0).text, "hi \"there\"");
  EXPECT_FALSE(JsonDocument::FromAttribute(model::AnyValue::Int(3)));
}

TEST(ReadMessagesTest, OpenAiChatShapes) {
  const std::vector<Message> out = Messages(
      R"([{"role":"system","content":"sys"},
          {"role":"user","content":[{"type":"text","text":"look"},
                                    {"type":"image_url","image_url":{"url":"https://i/x.png"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
             "function":{"name":"f","arguments":"{\"a\":1}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"ok"},
          {"role":"assistant","content":null,"function_call":{"name":"g","arguments":"{}"}},
          {"role":"assistant","content":null,"refusal":"I can't."}])");
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].role, "system");
  ASSERT_EQ(out[1].parts.size(), 2u);
  EXPECT_EQ(out[1].parts[1].type, PartType::kImage);
  EXPECT_EQ(out[1].parts[1].uri, "https://i/x.png");
  ASSERT_EQ(out[2].parts.size(), 1u);
  EXPECT_EQ(out[2].parts[0].type, PartType::kToolCall);
  EXPECT_EQ(out[2].parts[0].tool_call_id, "c1");
  EXPECT_EQ(out[2].parts[0].tool_name, "f");
  EXPECT_EQ(out[2].parts[0].arguments, R"({"a":1})");
  EXPECT_EQ(out[3].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(out[3].parts.at(0).tool_call_id, "c1");
  EXPECT_EQ(out[3].parts.at(0).text, "ok");
  EXPECT_EQ(out[4].parts.at(0).tool_name, "g");
  EXPECT_EQ(out[5].parts.at(0).text, "I can't.");
}

TEST(ReadMessagesTest, AnthropicRequestBody) {
  const std::vector<Message> out = Messages(
      R"({"model":"claude","system":[{"type":"text","text":"Be kind."}],
          "messages":[{"role":"user","content":"hi"},
            {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
              {"type":"tool_use","id":"tu1","name":"calc","input":{"x":2}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1",
              "content":[{"type":"text","text":"4"}]}]}]})");
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].role, "system");
  EXPECT_EQ(out[0].parts.at(0).text, "Be kind.");
  EXPECT_EQ(out[2].parts.at(0).type, PartType::kReasoning);
  EXPECT_EQ(out[2].parts.at(0).text, "hmm");
  EXPECT_EQ(out[2].parts.at(1).type, PartType::kToolCall);
  EXPECT_EQ(out[2].parts.at(1).arguments, R"({"x":2})");
  EXPECT_EQ(out[3].parts.at(0).type, PartType::kToolResult);
  EXPECT_EQ(out[3].parts.at(0).tool_call_id, "tu1");
  EXPECT_EQ(out[3].parts.at(0).text, "4");
}

TEST(ReadMessagesTest, OtelPartsSchema) {
  const std::vector<Message> out = Messages(
      R"([{"role":"user","name":"ann","parts":[
            {"type":"text","content":"t"},
            {"type":"blob","modality":"image","mime_type":"image/png","content":"AAAA"},
            {"type":"blob","modality":"audio","mime_type":"audio/wav","content":"AAAA"},
            {"type":"file","modality":"image","file_id":"file-1"},
            {"type":"server_tool_call","id":"s1","name":"web_search","server_tool_call":{}},
            {"type":"custom_thing","foo":1}]}])");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "ann");
  ASSERT_EQ(out[0].parts.size(), 6u);
  EXPECT_EQ(out[0].parts[1].type, PartType::kImage);
  EXPECT_EQ(out[0].parts[1].uri, "image/png");  // inline bytes are not kept
  EXPECT_EQ(out[0].parts[2].type, PartType::kOther);
  EXPECT_EQ(out[0].parts[2].text, R"({"type":"blob","modality":"audio","mime_type":"audio/wav"})");
  EXPECT_EQ(out[0].parts[3].uri, "file-1");
  EXPECT_EQ(out[0].parts[4].type, PartType::kToolCall);
  EXPECT_EQ(out[0].parts[5].type, PartType::kOther);
  EXPECT_EQ(out[0].parts[5].text, R"({"type":"custom_thing","foo":1})");
}

TEST(ReadMessagesTest, StringsAndNonMessages) {
  std::vector<Message> out = Messages(R"("just text")", "assistant");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].role, "assistant");
  EXPECT_TRUE(Messages(R"({"foo": 1})").empty());
  EXPECT_TRUE(Messages(R"([1, 2, null])").empty());
  EXPECT_TRUE(Messages("42").empty());
  out = Messages(R"({"prompt": "complete me"})");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].parts.at(0).text, "complete me");
  out = Messages(R"({"input": [{"role":"user","content":[{"type":"input_text","text":"r"}]}],
                    "instructions": "be nice"})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].role, "system");
  EXPECT_EQ(out[1].parts.at(0).text, "r");
}

TEST(ReadResponseOutputTest, ProviderResponses) {
  auto read = [](std::string_view json, std::vector<std::string>* reasons) {
    std::vector<Message> out;
    std::optional<JsonDocument> doc = JsonDocument::Parse(json);
    EXPECT_TRUE(doc);
    ReadResponseOutput(doc->root(), &out, reasons);
    return out;
  };
  std::vector<std::string> reasons;
  std::vector<Message> out = read(
      R"({"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"a"}},
                     {"index":1,"finish_reason":"length","message":{"role":"assistant","content":"b"}}]})",
      &reasons);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(reasons, (std::vector<std::string>{"stop", "length"}));

  reasons.clear();
  out = read(R"({"choices":[{"text":"legacy","finish_reason":"stop"}]})", &reasons);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].parts.at(0).text, "legacy");

  reasons.clear();
  out = read(R"({"id":"msg_1","type":"message","role":"assistant","stop_reason":"max_tokens",
                 "content":[{"type":"text","text":"anth"}]})",
             &reasons);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(reasons, std::vector<std::string>{"max_tokens"});

  reasons.clear();
  out = read(R"({"candidates":[{"content":{"role":"model","parts":[{"text":"gem"},
                 {"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"STOP"}]})",
             &reasons);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].role, "assistant");
  EXPECT_EQ(out[0].parts.at(1).type, PartType::kToolCall);
  EXPECT_EQ(reasons, std::vector<std::string>{"STOP"});

  reasons.clear();
  out = read(R"({"object":"response","status":"completed","output":[
                 {"type":"reasoning","summary":[{"type":"summary_text","text":"think"}]},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"resp"}]},
                 {"type":"function_call","call_id":"fc1","name":"f","arguments":"{}"}]})",
             &reasons);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].parts.size(), 3u);
  EXPECT_EQ(out[0].parts[0].type, PartType::kReasoning);
  EXPECT_EQ(out[0].parts[1].text, "resp");
  EXPECT_EQ(out[0].parts[2].tool_call_id, "fc1");
}

TEST(ReadParamsTest, SpellingsAndNesting) {
  std::optional<JsonDocument> doc = JsonDocument::Parse(
      R"({"modelId":"m","inferenceConfig":{"maxTokens":"64","temperature":"0.5","topP":0.9,
          "stopSequences":["x","y"]},"seed":3.0,"stream":"true","top_k":7})");
  ASSERT_TRUE(doc);
  model::LlmParams params;
  std::string model;
  ReadParams(doc->root(), &params, &model);
  EXPECT_EQ(model, "m");
  EXPECT_EQ(params.max_tokens, 64);
  EXPECT_EQ(params.temperature, 0.5);
  EXPECT_EQ(params.top_p, 0.9);
  EXPECT_EQ(params.top_k, 7);
  EXPECT_EQ(params.seed, 3);
  EXPECT_EQ(params.stream, true);
  EXPECT_EQ(params.stop_sequences, (std::vector<std::string>{"x", "y"}));
}

TEST(ReadLogprobsTest, Shapes) {
  auto read = [](std::string_view json) {
    std::vector<model::TokenLogprob> out;
    std::optional<JsonDocument> doc = JsonDocument::Parse(json);
    EXPECT_TRUE(doc);
    ReadLogprobs(doc->root(), &out);
    return out;
  };
  // Legacy completions.
  std::vector<model::TokenLogprob> out = read(R"({"tokens":["a","b"],"token_logprobs":[-0.5,-1.5],
               "top_logprobs":[{"a":-0.5,"c":-2.0},null],"text_offset":[0,1]})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].top.size(), 2u);
  EXPECT_EQ(out[1].logprob, -1.5);
  EXPECT_TRUE(out[1].top.empty());
  // Responses API.
  out = read(R"({"output":[{"type":"message","content":[{"type":"output_text","text":"x",
                 "logprobs":[{"token":"x","logprob":-0.3,"bytes":[120],"top_logprobs":[]}]}]}]})");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, "x");
  // Entries without a token or logprob, and bad bytes, are skipped or dropped.
  out = read(R"([{"token":"ok","logprob":-1},{"logprob":-1},{"token":"t"},
                 {"token":"b","logprob":-2,"bytes":[300]}])");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].bytes, "");
  // An Anthropic message has "content" but no token entries.
  EXPECT_TRUE(read(R"({"content":[{"type":"text","text":"x"}]})").empty());
}

TEST(ReadLogprobsTest, IsCapped) {
  std::string json = R"({"content":[)";
  for (size_t i = 0; i < kMaxLogprobs + 5; ++i) {
    if (i > 0) json += ',';
    json += R"({"token":"a","logprob":-1})";
  }
  json += "]}";
  std::optional<JsonDocument> doc = JsonDocument::Parse(json);
  ASSERT_TRUE(doc);
  std::vector<model::TokenLogprob> out;
  ReadLogprobs(doc->root(), &out);
  EXPECT_EQ(out.size(), kMaxLogprobs);
}

TEST(ReadDocumentsTest, Shapes) {
  std::optional<JsonDocument> doc = JsonDocument::Parse(
      R"([{"id":7,"text":"a","relevance_score":0.5},{"document":{"id":"x","content":"b"}},"c",3])");
  ASSERT_TRUE(doc);
  std::vector<model::Document> out;
  ASSERT_TRUE(ReadDocuments(doc->root(), &out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "7");
  EXPECT_EQ(out[0].score, 0.5);
  EXPECT_EQ(out[1].id, "x");
  EXPECT_EQ(out[1].content, "b");
  EXPECT_EQ(out[2].content, "c");
}

TEST(ReadUsageTest, Shapes) {
  auto read = [](std::string_view json) {
    model::TokenUsage usage;
    std::optional<JsonDocument> doc = JsonDocument::Parse(json);
    EXPECT_TRUE(doc);
    EXPECT_TRUE(ReadUsage(doc->root(), &usage)) << json;
    return usage;
  };
  // Anthropic: input_tokens excludes the cache.
  model::TokenUsage u = read(
      R"({"input_tokens":10,"cache_read_input_tokens":2000,"cache_creation_input_tokens":300,"output_tokens":5})");
  EXPECT_EQ(u.input_tokens, 2310);
  EXPECT_EQ(u.cache_read_input_tokens, 2000);
  EXPECT_EQ(u.cache_creation_input_tokens, 300);
  // Responses API: inclusive.
  u = read(
      R"({"input_tokens":2000,"input_tokens_details":{"cached_tokens":1500},"output_tokens":300,
               "output_tokens_details":{"reasoning_tokens":200},"total_tokens":2300})");
  EXPECT_EQ(u.input_tokens, 2000);
  EXPECT_EQ(u.cache_read_input_tokens, 1500);
  EXPECT_EQ(u.reasoning_tokens, 200);
  EXPECT_EQ(u.total_tokens, 2300);
  // LangChain usage_metadata: inclusive.
  u = read(R"({"input_tokens":900,"output_tokens":10,"total_tokens":910,
               "input_token_details":{"cache_read":800,"cache_creation":50}})");
  EXPECT_EQ(u.input_tokens, 900);
  EXPECT_EQ(u.cache_creation_input_tokens, 50);
  // Langfuse keys with audio shares.
  u = read(R"({"input":5,"input_audio_tokens":7,"output":1,"output_audio_tokens":2})");
  EXPECT_EQ(u.input_tokens, 12);
  EXPECT_EQ(u.output_tokens, 3);
  EXPECT_EQ(u.total_tokens, std::nullopt);
  model::TokenUsage none;
  std::optional<JsonDocument> doc = JsonDocument::Parse(R"({"foo": 1, "input": -4})");
  EXPECT_FALSE(ReadUsage(doc->root(), &none));
}

}  // namespace
}  // namespace tokenscope::semconv::internal
