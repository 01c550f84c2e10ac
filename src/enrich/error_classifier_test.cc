#include "enrich/error_classifier.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "enrich/error_fingerprint.h"

namespace tokenscope::enrich {
namespace {

using model::AnyValue;
using model::ErrorClass;
using model::LlmInfo;
using model::Span;
using model::StatusCode;

// Real error texts as providers and their SDKs return them.
constexpr std::string_view kOpenAiContextLength =
    "This model's maximum context length is 8192 tokens. However, your messages resulted in "
    "9021 tokens. Please reduce the length of the messages.";
constexpr std::string_view kOpenAiContextLengthRepr =
    "Error code: 400 - {'error': {'message': \"This model's maximum context length is 8192 "
    "tokens. However, your messages resulted in 9021 tokens. Please reduce the length of the "
    "messages.\", 'type': 'invalid_request_error', 'param': 'messages', 'code': "
    "'context_length_exceeded'}}";
constexpr std::string_view kOpenAiRateLimit =
    "Rate limit reached for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit "
    "30000, Used 29000, Requested 1500. Please try again in 1.2s. Visit "
    "https://platform.openai.com/account/rate-limits to learn more.";
constexpr std::string_view kOpenAiRateLimitOther =
    "Rate limit reached for gpt-4o in organization org-zz9911 on tokens per min (TPM): Limit "
    "30000, Used 28412, Requested 2033. Please try again in 903ms. Visit "
    "https://platform.openai.com/account/rate-limits to learn more.";
constexpr std::string_view kOpenAiRateLimitRepr =
    "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization "
    "org-abc123 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try "
    "again in 1.2s.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}";
constexpr std::string_view kOpenAiQuota =
    "Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check "
    "your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': "
    "'insufficient_quota'}}";
constexpr std::string_view kOpenAiInvalidTemperature =
    "Error code: 400 - {'error': {'message': \"Invalid value for 'temperature': must be between "
    "0 and 2.\", 'type': 'invalid_request_error', 'param': 'temperature', 'code': None}}";
constexpr std::string_view kOpenAiSafetySystem =
    "Error code: 400 - {'error': {'code': 'content_policy_violation', 'message': 'Your request "
    "was rejected as a result of our safety system. Your prompt may contain text that is not "
    "allowed by our safety system.', 'param': None, 'type': 'invalid_request_error'}}";
constexpr std::string_view kAzureContentFilter =
    "Error code: 400 - {'error': {'message': \"The response was filtered due to the prompt "
    "triggering Azure OpenAI's content management policy. Please modify your prompt and "
    "retry.\", 'type': None, 'param': 'prompt', 'code': 'content_filter', 'status': 400}}";
constexpr std::string_view kOpenAiModelNotFound =
    "Error code: 404 - {'error': {'message': 'The model `gpt-5-turbo` does not exist or you do "
    "not have access to it.', 'type': 'invalid_request_error', 'param': None, 'code': "
    "'model_not_found'}}";
constexpr std::string_view kOpenAiServerError =
    "Error code: 500 - {'error': {'message': 'The server had an error while processing your "
    "request. Sorry about that!', 'type': 'server_error', 'param': None, 'code': None}}";
constexpr std::string_view kOpenAiAuth =
    "Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-****abcd. You "
    "can find your API key at https://platform.openai.com/account/api-keys.', 'type': "
    "'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}";
constexpr std::string_view kAnthropicPromptTooLong =
    "Error code: 400 - {'type': 'error', 'error': {'type': 'invalid_request_error', 'message': "
    "'prompt is too long: 210000 tokens > 200000 maximum'}}";
constexpr std::string_view kAnthropicOverloaded =
    "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': "
    "'Overloaded'}}";
constexpr std::string_view kAnthropicRateLimit =
    "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error', 'message': "
    "'This request would exceed the rate limit for your organization "
    "(0d6c4a0e-4f35-4a55-a0a6-6d0b1e7f2b8c) of 400,000 input tokens per minute.'}}";
constexpr std::string_view kAnthropicCredit =
    "Error code: 400 - {'type': 'error', 'error': {'type': 'invalid_request_error', 'message': "
    "'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
    "to upgrade or purchase credits.'}}";
constexpr std::string_view kGeminiTooManyTokens =
    "400 The input token count (1234567) exceeds the maximum number of tokens allowed "
    "(1048576).";
constexpr std::string_view kGeminiExhausted = "429 Resource has been exhausted (e.g. check quota).";
constexpr std::string_view kGeminiBlockedPrompt = "block_reason: SAFETY";

// A span builder: views point at string literals or at strings the test keeps alive.
struct SpanBuilder {
  Span span;

  SpanBuilder& Status(StatusCode code, std::string_view message = {}) {
    span.status.code = code;
    span.status.message = message;
    return *this;
  }
  SpanBuilder& Kind(model::SpanKind kind) {
    span.kind = kind;
    return *this;
  }
  SpanBuilder& Attr(std::string_view key, AnyValue value) {
    span.attributes.push_back({key, std::move(value)});
    return *this;
  }
  SpanBuilder& Exception(std::string_view type, std::string_view message) {
    model::Event event;
    event.name = "exception";
    event.attributes.push_back({"exception.type", AnyValue::String(type)});
    event.attributes.push_back({"exception.message", AnyValue::String(message)});
    span.events.push_back(std::move(event));
    return *this;
  }
  Span Build() { return span; }
};

Span ErroredSpan(std::string_view message) {
  return SpanBuilder().Status(StatusCode::kError, message).Build();
}

LlmInfo ChatCall() {
  LlmInfo llm;
  llm.kind = model::LlmSpanKind::kLlm;
  llm.operation = "chat";
  llm.provider = "openai";
  llm.request_model = "gpt-4o";
  return llm;
}

model::Message AssistantText(std::string text, std::string finish_reason = "stop") {
  model::Message message;
  message.role = "assistant";
  message.finish_reason = std::move(finish_reason);
  model::MessagePart part;
  part.type = model::PartType::kText;
  part.text = std::move(text);
  message.parts.push_back(std::move(part));
  return message;
}

LlmInfo ChatAnswer(std::string text, std::string finish_reason = "stop") {
  LlmInfo llm = ChatCall();
  llm.finish_reasons.push_back(finish_reason);
  llm.output_messages.push_back(AssistantText(std::move(text), finish_reason));
  return llm;
}

// Expects a classification and returns it (an empty ErrorInfo if there was none).
ErrorInfo Classified(const Span& span, const LlmInfo* llm = nullptr) {
  std::optional<ErrorInfo> info = ClassifyError(span, llm);
  EXPECT_TRUE(info.has_value());
  return info.value_or(ErrorInfo{});
}

void ExpectClass(const Span& span, const LlmInfo* llm, ErrorClass error_class,
                 std::string_view reason) {
  const ErrorInfo info = Classified(span, llm);
  EXPECT_EQ(info.error_class, error_class) << info.fingerprint;
  EXPECT_EQ(info.reason, reason) << info.fingerprint;
  const std::string prefix =
      std::string(model::ErrorClassName(error_class)) + ":" + std::string(reason) + ":";
  EXPECT_EQ(info.fingerprint.substr(0, prefix.size()), prefix);
}

// --- Not errored -----------------------------------------------------------------------------

TEST(ClassifyErrorTest, HealthySpansAreNotClassified) {
  EXPECT_FALSE(ClassifyError(SpanBuilder().Build(), nullptr));
  EXPECT_FALSE(ClassifyError(SpanBuilder().Status(StatusCode::kOk).Build(), nullptr));
  Span http_ok = SpanBuilder().Attr("http.response.status_code", AnyValue::Int(200)).Build();
  EXPECT_FALSE(ClassifyError(http_ok, nullptr));

  const LlmInfo answer = ChatAnswer("Paris is the capital of France.");
  EXPECT_FALSE(ClassifyError(SpanBuilder().Status(StatusCode::kOk).Build(), &answer));
  const LlmInfo tool_call = [] {
    LlmInfo llm = ChatCall();
    llm.finish_reasons = {"tool_calls"};
    model::Message message;
    message.role = "assistant";
    message.finish_reason = "tool_calls";
    model::MessagePart call;
    call.type = model::PartType::kToolCall;
    call.tool_name = "get_weather";
    call.arguments = R"({"city":"Paris"})";
    message.parts.push_back(call);
    llm.output_messages.push_back(message);
    return llm;
  }();
  EXPECT_FALSE(ClassifyError(SpanBuilder().Build(), &tool_call));
}

TEST(ClassifyErrorTest, ServerSpanWithClientErrorStatusIsNotErrored) {
  // HTTP semantic conventions: a 4xx is the client's fault, not the server span's.
  Span span = SpanBuilder()
                  .Kind(model::SpanKind::kServer)
                  .Attr("http.response.status_code", AnyValue::Int(404))
                  .Build();
  EXPECT_FALSE(ClassifyError(span, nullptr));
  Span server_error = SpanBuilder()
                          .Kind(model::SpanKind::kServer)
                          .Attr("http.response.status_code", AnyValue::Int(503))
                          .Build();
  ExpectClass(server_error, nullptr, ErrorClass::kInfrastructure, error_reason::kServerError);
}

TEST(ClassifyErrorTest, ExplicitOkStatusWinsOverErrorAttributes) {
  Span span = SpanBuilder()
                  .Status(StatusCode::kOk)
                  .Attr("http.response.status_code", AnyValue::Int(429))
                  .Build();
  EXPECT_FALSE(ClassifyError(span, nullptr));
}

TEST(ClassifyErrorTest, UnrecognizedErrorsAreUnknown) {
  Span span = ErroredSpan(
      "duplicate key value violates unique constraint \"users_email_key\" (SQLSTATE 23505)");
  const ErrorInfo info = Classified(span);
  EXPECT_EQ(info.error_class, ErrorClass::kUnknown);
  EXPECT_EQ(info.reason, error_reason::kUnclassified);
  EXPECT_EQ(info.fingerprint,
            "unknown:unclassified:duplicate key value violates unique constraint "
            "\"users_email_key\" (SQLSTATE <num>)");

  // Errored with no message at all.
  const ErrorInfo bare = Classified(SpanBuilder().Status(StatusCode::kError).Build());
  EXPECT_EQ(bare.error_class, ErrorClass::kUnknown);
  EXPECT_EQ(bare.fingerprint, "unknown:unclassified:");

  // error.type alone makes an unset-status span errored.
  Span typed = SpanBuilder().Attr("error.type", AnyValue::String("ValueError")).Build();
  EXPECT_EQ(Classified(typed).fingerprint, "unknown:unclassified:ValueError");
}

// --- Prompt ----------------------------------------------------------------------------------

TEST(ClassifyErrorTest, ContextLengthExceeded) {
  const LlmInfo llm = ChatCall();
  ExpectClass(ErroredSpan(kOpenAiContextLength), &llm, ErrorClass::kPrompt,
              error_reason::kContextLengthExceeded);
  // The Python SDK's repr, as status message, with HTTP 400 on the span.
  Span repr = SpanBuilder()
                  .Status(StatusCode::kError, kOpenAiContextLengthRepr)
                  .Attr("http.response.status_code", AnyValue::Int(400))
                  .Attr("error.type", AnyValue::String("BadRequestError"))
                  .Build();
  ExpectClass(repr, &llm, ErrorClass::kPrompt, error_reason::kContextLengthExceeded);
  // As an exception event.
  Span anthropic = SpanBuilder()
                       .Status(StatusCode::kError)
                       .Exception("anthropic.BadRequestError", kAnthropicPromptTooLong)
                       .Build();
  ExpectClass(anthropic, &llm, ErrorClass::kPrompt, error_reason::kContextLengthExceeded);
  ExpectClass(ErroredSpan(kGeminiTooManyTokens), &llm, ErrorClass::kPrompt,
              error_reason::kContextLengthExceeded);
  ExpectClass(ErroredSpan("ValidationException: Input is too long for requested model."), &llm,
              ErrorClass::kPrompt, error_reason::kContextLengthExceeded);
}

TEST(ClassifyErrorTest, InvalidRequest) {
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.BadRequestError", kOpenAiInvalidTemperature)
                  .Build(),
              nullptr, ErrorClass::kPrompt, error_reason::kInvalidRequest);
  // Status codes only.
  ExpectClass(SpanBuilder()
                  .Kind(model::SpanKind::kClient)
                  .Attr("http.response.status_code", AnyValue::Int(400))
                  .Build(),
              nullptr, ErrorClass::kPrompt, error_reason::kInvalidRequest);
  ExpectClass(SpanBuilder().Attr("http.status_code", AnyValue::String("422")).Build(), nullptr,
              ErrorClass::kPrompt, error_reason::kInvalidRequest);
  ExpectClass(SpanBuilder().Attr("rpc.grpc.status_code", AnyValue::Int(3)).Build(), nullptr,
              ErrorClass::kPrompt, error_reason::kInvalidRequest);
  ExpectClass(ErroredSpan("400 Request contains an invalid argument."), nullptr,
              ErrorClass::kPrompt, error_reason::kInvalidRequest);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(413)).Build(), nullptr,
              ErrorClass::kPrompt, error_reason::kRequestTooLarge);
  ExpectClass(ErroredSpan("Error code: 413 - {'type': 'error', 'error': {'type': "
                          "'request_too_large', 'message': 'Request exceeds the maximum allowed "
                          "number of bytes.'}}"),
              nullptr, ErrorClass::kPrompt, error_reason::kRequestTooLarge);
}

TEST(ClassifyErrorTest, ModelNotFound) {
  ExpectClass(ErroredSpan("NotFoundError: Error code: 404 - {'type': 'error', 'error': {'type': "
                          "'not_found_error', 'message': 'model: claude-3-opus-latest'}}"),
              nullptr, ErrorClass::kPrompt, error_reason::kModelNotFound);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.NotFoundError", kOpenAiModelNotFound)
                  .Build(),
              nullptr, ErrorClass::kPrompt, error_reason::kModelNotFound);
}

TEST(ClassifyErrorTest, InputBlockedByContentPolicy) {
  ExpectClass(ErroredSpan(kOpenAiSafetySystem), nullptr, ErrorClass::kPrompt,
              error_reason::kInputBlocked);
  ExpectClass(ErroredSpan(kAzureContentFilter), nullptr, ErrorClass::kPrompt,
              error_reason::kInputBlocked);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("google.generativeai.types.generation_types.BlockedPromptException",
                             kGeminiBlockedPrompt)
                  .Build(),
              nullptr, ErrorClass::kPrompt, error_reason::kInputBlocked);
  ExpectClass(ErroredSpan("Invalid prompt: your prompt was flagged as potentially violating our "
                          "usage policy. Please try again with a different prompt."),
              nullptr, ErrorClass::kPrompt, error_reason::kInputBlocked);
}

// --- Model -----------------------------------------------------------------------------------

TEST(ClassifyErrorTest, TruncatedOutputWithOkStatus) {
  const Span ok = SpanBuilder().Status(StatusCode::kOk).Build();
  const LlmInfo length = ChatAnswer("The three main causes were, first, the", "length");
  const ErrorInfo info = Classified(ok, &length);
  EXPECT_EQ(info.error_class, ErrorClass::kModel);
  EXPECT_EQ(info.reason, error_reason::kTruncated);
  EXPECT_EQ(info.fingerprint, "model:truncated:finish_reason: length");

  const LlmInfo anthropic = ChatAnswer("Here is the summary of", "max_tokens");
  ExpectClass(SpanBuilder().Build(), &anthropic, ErrorClass::kModel, error_reason::kTruncated);
  LlmInfo gemini = ChatCall();
  gemini.finish_reasons = {"MAX_TOKENS"};  // only the list, no output captured
  ExpectClass(ok, &gemini, ErrorClass::kModel, error_reason::kTruncated);
}

TEST(ClassifyErrorTest, ContentFilteredOutputWithOkStatus) {
  const Span ok = SpanBuilder().Status(StatusCode::kOk).Build();
  LlmInfo openai = ChatCall();
  openai.finish_reasons = {"content_filter"};
  ExpectClass(ok, &openai, ErrorClass::kModel, error_reason::kContentFilter);

  LlmInfo gemini = ChatCall();
  gemini.provider = "gcp.gemini";
  gemini.finish_reasons = {"SAFETY"};
  ExpectClass(ok, &gemini, ErrorClass::kModel, error_reason::kContentFilter);

  // One of two choices filtered, the other truncated: the filter is reported.
  LlmInfo mixed = ChatCall();
  mixed.output_messages.push_back(AssistantText("partial", "length"));
  mixed.output_messages.push_back(AssistantText("", "content-filter"));
  ExpectClass(ok, &mixed, ErrorClass::kModel, error_reason::kContentFilter);

  ExpectClass(ErroredSpan("ContentFilterFinishReasonError: Could not parse response content as "
                          "the request was rejected by the content filter"),
              nullptr, ErrorClass::kModel, error_reason::kContentFilter);
  ExpectClass(ErroredSpan("LengthFinishReasonError: Could not parse response content as the "
                          "length limit was reached"),
              nullptr, ErrorClass::kModel, error_reason::kTruncated);
}

TEST(ClassifyErrorTest, Refusals) {
  const Span ok = SpanBuilder().Status(StatusCode::kOk).Build();
  for (const char* text : {
           "I'm sorry, but I can't help with that.",
           "I\xE2\x80\x99m sorry, but I can\xE2\x80\x99t assist with that request.",
           "I cannot help with creating malware.",
           "I can't assist with that.",
           "  Sorry, I can't provide instructions for that.",
           "I'm unable to help with that request.",
           "As an AI language model, I cannot provide medical diagnoses.",
       }) {
    const LlmInfo llm = ChatAnswer(text);
    ExpectClass(ok, &llm, ErrorClass::kModel, error_reason::kRefusal);
  }
  for (const char* text : {
           "I can't wait to help you plan the trip! Here is an itinerary.",
           "Sorry for the delay. Here are the results: 42.",
           "The user said \"I'm sorry, but I can't\" and left.",
       }) {
    const LlmInfo llm = ChatAnswer(text);
    EXPECT_FALSE(ClassifyError(ok, &llm)) << text;
  }

  // OpenAI's refusal field, kept by the normalizer as a raw part.
  LlmInfo field = ChatCall();
  model::Message message;
  message.role = "assistant";
  model::MessagePart part;
  part.type = model::PartType::kOther;
  part.text = R"({"type":"refusal","refusal":"I can't comply with that."})";
  message.parts.push_back(part);
  field.output_messages.push_back(message);
  ExpectClass(ok, &field, ErrorClass::kModel, error_reason::kRefusal);

  // OpenLLMetry's gen_ai.completion.<i>.refusal attribute.
  const LlmInfo empty_answer = ChatAnswer("");
  Span with_attribute = SpanBuilder()
                            .Attr("gen_ai.completion.0.refusal",
                                  AnyValue::String("I'm sorry, I cannot assist with that."))
                            .Build();
  ExpectClass(with_attribute, &empty_answer, ErrorClass::kModel, error_reason::kRefusal);

  // Anthropic's stop_reason "refusal".
  LlmInfo anthropic = ChatCall();
  anthropic.finish_reasons = {"refusal"};
  ExpectClass(ok, &anthropic, ErrorClass::kModel, error_reason::kRefusal);
}

TEST(ClassifyErrorTest, EmptyOutput) {
  const Span ok = SpanBuilder().Status(StatusCode::kOk).Build();
  const LlmInfo blank = ChatAnswer("  \n ");
  const ErrorInfo info = Classified(ok, &blank);
  EXPECT_EQ(info.error_class, ErrorClass::kModel);
  EXPECT_EQ(info.reason, error_reason::kEmptyOutput);

  // Reasoning but no answer.
  LlmInfo reasoning_only = ChatAnswer("");
  model::MessagePart thought;
  thought.type = model::PartType::kReasoning;
  thought.text = "The user wants a haiku...";
  reasoning_only.output_messages[0].parts.push_back(thought);
  ExpectClass(ok, &reasoning_only, ErrorClass::kModel, error_reason::kEmptyOutput);

  // Zero output tokens and a message without parts.
  LlmInfo zero_tokens = ChatCall();
  zero_tokens.usage.output_tokens = 0;
  zero_tokens.output_messages.emplace_back().role = "assistant";
  ExpectClass(ok, &zero_tokens, ErrorClass::kModel, error_reason::kEmptyOutput);

  // Content capture off: output messages without parts say nothing about the answer.
  LlmInfo not_captured = ChatCall();
  not_captured.usage.output_tokens = 57;
  not_captured.output_messages.emplace_back().role = "assistant";
  EXPECT_FALSE(ClassifyError(ok, &not_captured));

  // Not an LLM call: the check does not apply.
  LlmInfo tool = ChatAnswer("");
  tool.kind = model::LlmSpanKind::kTool;
  EXPECT_FALSE(ClassifyError(ok, &tool));
}

TEST(ClassifyErrorTest, InvalidStructuredOutput) {
  const Span json_requested = SpanBuilder()
                                  .Status(StatusCode::kOk)
                                  .Attr("gen_ai.output.type", AnyValue::String("json"))
                                  .Build();
  const LlmInfo invalid = ChatAnswer(R"({"name": "Ada", "age": 36)");
  const ErrorInfo info = Classified(json_requested, &invalid);
  EXPECT_EQ(info.error_class, ErrorClass::kModel);
  EXPECT_EQ(info.reason, error_reason::kInvalidJson);

  const LlmInfo prose = ChatAnswer("Sure! Here is the JSON: {\"name\": \"Ada\"}");
  ExpectClass(json_requested, &prose, ErrorClass::kModel, error_reason::kInvalidJson);

  const LlmInfo valid = ChatAnswer(" {\"name\": \"Ada\", \"age\": 36}\n");
  EXPECT_FALSE(ClassifyError(json_requested, &valid));

  // Without a JSON request, text is just text.
  EXPECT_FALSE(ClassifyError(SpanBuilder().Build(), &invalid));

  // The request's response_format in OpenInference invocation parameters.
  const Span params = SpanBuilder()
                          .Attr("llm.invocation_parameters",
                                AnyValue::String(R"({"temperature":0,"response_format":)"
                                                 R"({"type":"json_schema","json_schema":{}}})"))
                          .Build();
  ExpectClass(params, &invalid, ErrorClass::kModel, error_reason::kInvalidJson);
  const Span text_format = SpanBuilder()
                               .Attr("llm.invocation_parameters",
                                     AnyValue::String(R"({"response_format":{"type":"text"}})"))
                               .Build();
  EXPECT_FALSE(ClassifyError(text_format, &invalid));
  const Span gemini = SpanBuilder()
                          .Attr("llm.invocation_parameters",
                                AnyValue::String(R"({"generation_config":)"
                                                 R"({"response_mime_type":"application/json"}})"))
                          .Build();
  ExpectClass(gemini, &invalid, ErrorClass::kModel, error_reason::kInvalidJson);
  const Span deprecated =
      SpanBuilder()
          .Attr("gen_ai.openai.request.response_format", AnyValue::String("json_object"))
          .Build();
  ExpectClass(deprecated, &invalid, ErrorClass::kModel, error_reason::kInvalidJson);

  // Truncated JSON is reported as truncation, its cause.
  const LlmInfo truncated = ChatAnswer(R"({"items": [1, 2, 3,)", "length");
  ExpectClass(json_requested, &truncated, ErrorClass::kModel, error_reason::kTruncated);

  // Output parser failures raised in application code.
  ExpectClass(ErroredSpan("OutputParserException: Invalid json output: Sure, here you go"), nullptr,
              ErrorClass::kModel, error_reason::kInvalidJson);
}

// --- Infrastructure --------------------------------------------------------------------------

TEST(ClassifyErrorTest, RateLimits) {
  const LlmInfo llm = ChatCall();
  ExpectClass(ErroredSpan(kOpenAiRateLimit), &llm, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.RateLimitError", kOpenAiRateLimitRepr)
                  .Build(),
              &llm, ErrorClass::kInfrastructure, error_reason::kRateLimited);
  ExpectClass(ErroredSpan(kAnthropicRateLimit), &llm, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  ExpectClass(ErroredSpan(kGeminiExhausted), &llm, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  ExpectClass(ErroredSpan("ThrottlingException: Too many requests, please wait before trying "
                          "again."),
              &llm, ErrorClass::kInfrastructure, error_reason::kRateLimited);
  // An application span, no LLM section, whose status carries the provider's message.
  ExpectClass(ErroredSpan("429 Rate limit reached"), nullptr, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  // Status codes only.
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(429)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kRateLimited);
  ExpectClass(
      SpanBuilder().Status(StatusCode::kError).Attr("error.type", AnyValue::String("429")).Build(),
      nullptr, ErrorClass::kInfrastructure, error_reason::kRateLimited);
  ExpectClass(SpanBuilder().Attr("rpc.grpc.status_code", AnyValue::Int(8)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kRateLimited);
  // A status code inside an otherwise unhelpful message.
  ExpectClass(ErroredSpan("APIStatusError: Error code: 429"), nullptr, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
}

TEST(ClassifyErrorTest, QuotaAndOverload) {
  ExpectClass(ErroredSpan(kOpenAiQuota), nullptr, ErrorClass::kInfrastructure,
              error_reason::kQuotaExceeded);
  ExpectClass(ErroredSpan(kAnthropicCredit), nullptr, ErrorClass::kInfrastructure,
              error_reason::kQuotaExceeded);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("anthropic.InternalServerError", kAnthropicOverloaded)
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kOverloaded);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(529)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kOverloaded);
  ExpectClass(ErroredSpan("503 The model is overloaded. Please try again later."), nullptr,
              ErrorClass::kInfrastructure, error_reason::kOverloaded);
}

TEST(ClassifyErrorTest, Timeouts) {
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.APITimeoutError", "Request timed out.")
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(SpanBuilder().Status(StatusCode::kError).Exception("TimeoutError", "").Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(ErroredSpan("httpx.ReadTimeout: The read operation timed out"), nullptr,
              ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(ErroredSpan("rpc error: code = DeadlineExceeded desc = context deadline exceeded"),
              nullptr, ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(SpanBuilder().Attr("rpc.grpc.status_code", AnyValue::Int(4)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(504)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Double(408)).Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kTimeout);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Attr("error.type", AnyValue::String("timeout"))
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kTimeout);
}

TEST(ClassifyErrorTest, ServerErrors) {
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.InternalServerError", kOpenAiServerError)
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kServerError);
  ExpectClass(ErroredSpan("openai.APIError: Error code: 502 - Bad gateway."), nullptr,
              ErrorClass::kInfrastructure, error_reason::kServerError);
  ExpectClass(ErroredSpan("ServiceUnavailableError: Service Unavailable"), nullptr,
              ErrorClass::kInfrastructure, error_reason::kServerError);
  ExpectClass(ErroredSpan("{'type': 'error', 'error': {'type': 'api_error', 'message': "
                          "'Internal server error'}}"),
              nullptr, ErrorClass::kInfrastructure, error_reason::kServerError);
  for (int code : {500, 502, 503}) {
    ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(code)).Build(),
                nullptr, ErrorClass::kInfrastructure, error_reason::kServerError);
  }
  ExpectClass(SpanBuilder().Attr("rpc.grpc.status_code", AnyValue::Int(14)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kServerError);
}

TEST(ClassifyErrorTest, ConnectionFailures) {
  ExpectClass(ErroredSpan("connect ECONNREFUSED 127.0.0.1:11434"), nullptr,
              ErrorClass::kInfrastructure, error_reason::kConnectionError);
  ExpectClass(ErroredSpan("read ECONNRESET"), nullptr, ErrorClass::kInfrastructure,
              error_reason::kConnectionError);
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError)
                  .Exception("openai.APIConnectionError", "Connection error.")
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kConnectionError);
  ExpectClass(ErroredSpan("getaddrinfo ENOTFOUND api.openai.com"), nullptr,
              ErrorClass::kInfrastructure, error_reason::kConnectionError);
  ExpectClass(ErroredSpan("[Errno -3] Temporary failure in name resolution"), nullptr,
              ErrorClass::kInfrastructure, error_reason::kConnectionError);
  // Envoy in front of a self-hosted model: a 503 whose cause is the connection.
  ExpectClass(SpanBuilder()
                  .Status(StatusCode::kError,
                          "upstream connect error or disconnect/reset before "
                          "headers. reset reason: connection failure")
                  .Attr("http.response.status_code", AnyValue::Int(503))
                  .Build(),
              nullptr, ErrorClass::kInfrastructure, error_reason::kConnectionError);
  ExpectClass(ErroredSpan("HTTPConnectionPool(host='localhost', port=8000): Max retries "
                          "exceeded with url: /v1/embeddings (Caused by "
                          "NewConnectionError('Failed to establish a new connection: [Errno 111] "
                          "Connection refused'))"),
              nullptr, ErrorClass::kInfrastructure, error_reason::kConnectionError);
}

TEST(ClassifyErrorTest, AuthenticationAndPermissions) {
  ExpectClass(ErroredSpan(kOpenAiAuth), nullptr, ErrorClass::kInfrastructure,
              error_reason::kAuthentication);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(401)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kAuthentication);
  ExpectClass(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(403)).Build(), nullptr,
              ErrorClass::kInfrastructure, error_reason::kPermissionDenied);
  ExpectClass(ErroredSpan("PermissionDeniedError: Error code: 403 - {'error': {'message': "
                          "'Project does not have access to model', 'type': "
                          "'invalid_request_error'}}"),
              nullptr, ErrorClass::kInfrastructure, error_reason::kPermissionDenied);
  ExpectClass(ErroredSpan("AuthenticationError: Error code: 401 - {'type': 'error', 'error': "
                          "{'type': 'authentication_error', 'message': 'invalid x-api-key'}}"),
              nullptr, ErrorClass::kInfrastructure, error_reason::kAuthentication);
}

TEST(ClassifyErrorTest, ErrorsTakePrecedenceOverOutputChecks) {
  // A failed call with a partial answer: the failure is what matters.
  const LlmInfo partial = ChatAnswer("The answer is", "length");
  ExpectClass(ErroredSpan(kOpenAiRateLimit), &partial, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  // Unrecognized error, but the output explains it.
  ExpectClass(ErroredSpan("stream ended"), &partial, ErrorClass::kModel, error_reason::kTruncated);
}

// --- Fingerprints ----------------------------------------------------------------------------

TEST(ClassifyErrorTest, FingerprintsGroupOccurrencesAndSeparateKinds) {
  const ErrorInfo a = Classified(ErroredSpan(kOpenAiRateLimit));
  const ErrorInfo b = Classified(ErroredSpan(kOpenAiRateLimitOther));
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint,
            "infrastructure:rate_limited:Rate limit reached for gpt-4o in organization <id> on "
            "tokens per min (TPM): Limit <num>, Used <num>, Requested <num>. Please try again in "
            "<duration>. Visit <url> to learn more.");

  const ErrorInfo context = Classified(ErroredSpan(kOpenAiContextLength));
  EXPECT_NE(a.fingerprint, context.fingerprint);
  EXPECT_EQ(context.fingerprint,
            "prompt:context_length_exceeded:This model's maximum context length is <num> "
            "tokens. However, your messages resulted in <num> tokens. Please reduce the length "
            "of the messages.");

  // Exception events are preferred as the message: type and message.
  const ErrorInfo exception =
      Classified(SpanBuilder()
                     .Status(StatusCode::kError, "boom")
                     .Exception("openai.APIConnectionError", "Connection error.")
                     .Build());
  EXPECT_EQ(exception.fingerprint,
            "infrastructure:connection_error:openai.APIConnectionError: Connection error.");

  // Codes only: the message is synthesized from the code.
  EXPECT_EQ(Classified(SpanBuilder().Attr("http.response.status_code", AnyValue::Int(503)).Build())
                .fingerprint,
            "infrastructure:server_error:HTTP <num>");
  EXPECT_LE(Classified(ErroredSpan(std::string(5000, 'x'))).fingerprint.size(),
            std::string("unknown:unclassified:").size() + kMaxFingerprintBytes);
}

TEST(ClassifyErrorTest, MalformedInputsAreSafe) {
  // Non-UTF-8 bytes, a huge message, invalid JSON parameters.
  const std::string garbage =
      std::string("\xFF\xFE rate limit \xC3", 15) + std::string(20000, '\'');
  ExpectClass(ErroredSpan(garbage), nullptr, ErrorClass::kInfrastructure,
              error_reason::kRateLimited);
  const Span bad_params =
      SpanBuilder()
          .Attr("llm.invocation_parameters", AnyValue::String("{not json"))
          .Attr("gen_ai.openai.request.response_format", AnyValue::String("{\"type\":"))
          .Build();
  const LlmInfo answer = ChatAnswer("plain text");
  EXPECT_FALSE(ClassifyError(bad_params, &answer));
  LlmInfo odd_part = ChatCall();
  model::Message message;
  message.role = "assistant";
  model::MessagePart part;
  part.type = model::PartType::kOther;
  part.text = "{\"refusal\": ";  // truncated raw JSON
  message.parts.push_back(part);
  odd_part.output_messages.push_back(message);
  EXPECT_FALSE(ClassifyError(SpanBuilder().Build(), &odd_part));
}

TEST(ClassifyErrorTest, IsSafeToCallConcurrently) {
  std::vector<std::thread> threads;
  std::vector<std::string> fingerprints(4);
  for (size_t t = 0; t < fingerprints.size(); ++t) {
    threads.emplace_back([t, &fingerprints] {
      for (int i = 0; i < 200; ++i) {
        std::optional<ErrorInfo> info = ClassifyError(ErroredSpan(kOpenAiRateLimit), nullptr);
        if (info) fingerprints[t] = info->fingerprint;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& fingerprint : fingerprints) EXPECT_EQ(fingerprint, fingerprints[0]);
}

}  // namespace
}  // namespace tokenscope::enrich
