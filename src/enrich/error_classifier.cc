// Error classification: gathers the error evidence of a span, runs it through an ordered rule
// table, then looks at LLM output for degradation.
//
// JSON (output checks, invocation parameters) is read with simdjson's DOM API through its
// error-code interface only, so no simdjson exception can escape.
#include "enrich/error_classifier.h"

#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "enrich/error_fingerprint.h"

namespace tokenscope::enrich {
namespace {

using model::AnyValue;
using model::ErrorClass;
using model::ValueType;

// Each piece of error text is looked at this far at most: rules match near the start, and
// provider messages are short; stack traces and echoed prompts are not.
constexpr size_t kMaxEvidencePieceBytes = 8192;
// A refusal is recognized from how the answer begins.
constexpr size_t kRefusalPrefixBytes = 400;

// ---------------------------------------------------------------------------------------------
// The rule table.

// An inclusive range of HTTP status codes; {0, 0} is unused.
struct HttpRange {
  int lo = 0;
  int hi = 0;
  bool Contains(int code) const { return lo != 0 && code >= lo && code <= hi; }
};

// One classification rule: it matches when `pattern` (RE2, case-insensitive) is found in the
// span's error text, or one of the span's HTTP status codes is in `http`, or its gRPC status
// is in `grpc` (0 is unused: it is gRPC's OK). Rules are tried in table order and the first
// match wins, so specific causes come before the generic status codes that often carry them:
// a 400 saying "context_length_exceeded" is a context-length error, a bare 400 an invalid
// request.
struct ErrorRule {
  ErrorClass error_class;
  std::string_view reason;
  const char* pattern;
  std::array<HttpRange, 3> http = {};
  std::array<int, 3> grpc = {};
};

namespace reasons = error_reason;

constexpr ErrorRule kErrorRules[] = {
    // --- Model: exceptions SDK helpers raise about the output they received. Before the
    // prompt rules: OpenAI's ContentFilterFinishReasonError is about the answer, not the prompt.
    {.error_class = ErrorClass::kModel,
     .reason = reasons::kContentFilter,
     .pattern = R"(ContentFilterFinishReasonError|rejected by the content filter|)"
                R"(StopCandidateException|)"
                R"(finish[_ ]?reason\W{0,4})"
                R"((?:safety|content_filter|recitation|prohibited_content|blocklist|spii)\b)"},
    {.error_class = ErrorClass::kModel,
     .reason = reasons::kTruncated,
     .pattern = R"(LengthFinishReasonError|length limit was reached|)"
                R"(finish[_ ]?reason\W{0,4}(?:length|max_tokens)\b)"},
    // LangChain's output parsers.
    {.error_class = ErrorClass::kModel,
     .reason = reasons::kInvalidJson,
     .pattern =
         R"(OutputParserException|invalid json output|failed to parse .{0,80}from completion)"},

    // --- Prompt: the input does not fit the model's context window.
    //   OpenAI:    "This model's maximum context length is 8192 tokens. However, your messages
    //               resulted in 9021 tokens." (code context_length_exceeded)
    //   Anthropic: "prompt is too long: 210000 tokens > 200000 maximum",
    //              "input length and `max_tokens` exceed context limit: ..."
    //   Gemini:    "The input token count (1234567) exceeds the maximum number of tokens
    //               allowed (1048576)."
    //   Bedrock:   "Input is too long for requested model."
    {.error_class = ErrorClass::kPrompt,
     .reason = reasons::kContextLengthExceeded,
     .pattern = R"(context[_ ]length[_ ]exceeded|maximum context length|context[_ ]window|)"
                R"(context limit|prompt is too long|input is too long|)"
                R"(exceeds the maximum number of tokens|too many (?:input |prompt )?tokens|)"
                R"(reduce the length of the messages|maximum input length)"},
    // --- Prompt: the input was blocked by a content policy (errors are raised before any
    // output exists; a filtered answer shows up as a finish reason instead).
    //   OpenAI:  code content_policy_violation, "Your request was rejected as a result of our
    //            safety system", "Invalid prompt: your prompt was flagged as potentially
    //            violating our usage policy" (invalid_prompt)
    //   Azure:   "The response was filtered due to the prompt triggering Azure OpenAI's content
    //            management policy", ResponsibleAIPolicyViolation
    //   Gemini:  BlockedPromptException "block_reason: SAFETY", promptFeedback.blockReason
    {.error_class = ErrorClass::kPrompt,
     .reason = reasons::kInputBlocked,
     .pattern = R"(content_policy_violation|content management policy|safety system|)"
                R"(BlockedPromptException|prompt was blocked|block_?reason|invalid_prompt|)"
                R"(flagged as potentially violating|ResponsibleAIPolicyViolation|)"
                R"(blocked by (?:the )?(?:content|safety) (?:filter|policy))"},

    // --- Infrastructure. Quota and overload come before rate limiting because they also
    // arrive as 429s (OpenAI insufficient_quota) and Anthropic reports an empty credit
    // balance as a 400.
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kQuotaExceeded,
     .pattern = R"(insufficient_quota|exceeded your current quota|billing[_ ]hard[_ ]limit|)"
                R"(credit balance is too low|ServiceQuotaExceeded)"},
    // Anthropic overloaded_error (HTTP 529), "The engine is currently overloaded", Gemini 503
    // "The model is overloaded".
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kOverloaded,
     .pattern = R"(overloaded)",
     .http = {{{529, 529}}}},
    // OpenAI RateLimitError "Rate limit reached for gpt-4o ... on tokens per min (TPM)",
    // Anthropic rate_limit_error, Gemini RESOURCE_EXHAUSTED, Bedrock ThrottlingException.
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kRateLimited,
     .pattern = R"(rate[ _-]?limit|too many requests|TooManyRequests|RESOURCE_EXHAUSTED|)"
                R"(resource has been exhausted|throttl|rate exceeded|tokens per min|)"
                R"(requests per min)",
     .http = {{{429, 429}}},
     .grpc = {8}},
    // TimeoutError, APITimeoutError, httpx ReadTimeout, "Request timed out", ETIMEDOUT,
    // gRPC DEADLINE_EXCEEDED, Go "context deadline exceeded"; 408, 504 and Cloudflare's 524.
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kTimeout,
     .pattern = R"(timeout|timed[ _-]?out|deadline[ _-]?exceeded)",
     .http = {{{408, 408}, {504, 504}, {524, 524}}},
     .grpc = {4}},
    // OpenAI/Anthropic APIConnectionError "Connection error.", errno names, DNS failures,
    // Envoy "upstream connect error ... connection failure", TLS failures.
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kConnectionError,
     .pattern = R"(ECONNREFUSED|ECONNRESET|ECONNABORTED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|)"
                R"(ENETUNREACH|\bEPIPE\b|APIConnectionError|)"
                R"(connection[ _]?(?:refused|reset|aborted|error|closed|failure|failed)|)"
                R"(ConnectError|RemoteDisconnected|ServerDisconnected|socket hang up|)"
                R"(broken pipe|getaddrinfo|name or service not known|nodename nor servname|)"
                R"(name resolution|no such host|(?:failed|unable) to connect|could not connect|)"
                R"(upstream connect error|network is unreachable|host is unreachable|SSLError|)"
                R"(certificate verify failed)"},
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kAuthentication,
     .pattern = R"(AuthenticationError|authentication_error|invalid[_ ]api[_ ]key|)"
                R"(incorrect api key|invalid x-api-key|api key not valid|missing api key|)"
                R"(invalid authentication|unauthorized|UNAUTHENTICATED)",
     .http = {{{401, 401}}},
     .grpc = {16}},
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kPermissionDenied,
     .pattern = R"(PermissionDenied|permission_error|permission[_ ]denied|forbidden|)"
                R"(AccessDenied|access denied)",
     .http = {{{403, 403}}},
     .grpc = {7}},

    // --- Prompt: the request names a model that does not exist (OpenAI model_not_found "The
    // model `x` does not exist or you do not have access to it", Anthropic not_found_error
    // "model: x"). A bare 404 says nothing about models and is left alone.
    {.error_class = ErrorClass::kPrompt,
     .reason = reasons::kModelNotFound,
     .pattern = R"(model_not_found|model[^.\n]{0,80}does not exist|unknown model|)"
                R"(model not found|is not found for API version|not_found_error.{0,80}model)"},

    // --- Infrastructure: any other server-side failure; 5xx, gRPC INTERNAL / UNAVAILABLE /
    // DATA_LOSS. Anthropic names its 500 api_error.
    {.error_class = ErrorClass::kInfrastructure,
     .reason = reasons::kServerError,
     .pattern = R"(InternalServerError|internal server error|internal[_ ]error|)"
                R"(server[_ ]error|server had an error|\bapi_error\b|bad gateway|BadGateway|)"
                R"(service unavailable|ServiceUnavailable|\bUNAVAILABLE\b|\bDATA_LOSS\b)",
     .http = {{{500, 599}}},
     .grpc = {13, 14, 15}},

    // --- Prompt: whatever else the provider rejected as sent. Last, because 400 is also how
    // several of the causes above arrive.
    {.error_class = ErrorClass::kPrompt,
     .reason = reasons::kRequestTooLarge,
     .pattern = R"(request_too_large|payload too large|request entity too large|PayloadTooLarge)",
     .http = {{{413, 413}}}},
    {.error_class = ErrorClass::kPrompt,
     .reason = reasons::kInvalidRequest,
     .pattern = R"(invalid_request_error|BadRequestError|UnprocessableEntityError|)"
                R"(INVALID_ARGUMENT|ValidationException|bad request|invalid request|)"
                R"(unprocessable entity)",
     .http = {{{400, 400}, {422, 422}}},
     .grpc = {3}},
};
constexpr size_t kRuleCount = sizeof(kErrorRules) / sizeof(kErrorRules[0]);

// The start of an answer that declines the request.
std::string RefusalPattern() {
  const std::string apos = "(?:'|\xE2\x80\x99)";  // ASCII or typographic apostrophe
  const std::string as_ai = "(?:as an ai[^,.]{0,40},\\s*)?";
  // "I can't", "I cannot", "I won't", "I'm unable", "I am not able", ...
  std::string i_refuse = "I(?:\\s+(?:can" + apos + "t|cannot|can not|won" + apos + "t|will not";
  i_refuse += "|must decline|am unable|am not able|am not allowed|do not feel comfortable";
  i_refuse += "|don" + apos + "t feel comfortable)";
  i_refuse += "|" + apos + "m\\s+(?:unable|not able|not allowed|afraid))";
  const std::string sorry = "(?:(?:I" + apos + "m|I am)\\s+(?:(?:really|very|so|truly)\\s+)?sorry" +
                            "|sorry|my apologies|I apologi[sz]e|unfortunately)";
  // "I'm sorry, but I can't ...", "Sorry, as an AI, I cannot ..."
  const std::string apology = sorry + "[,.!]?\\s+(?:but\\s+)?" + as_ai + i_refuse;
  // "I cannot help with ...", "I can't assist with ...", "I'm unable to provide ..."
  const std::string plain =
      as_ai + i_refuse +
      "(?:\\s+to)?\\s+(?:help|assist|comply|provide|fulfill|do that|do this|support|answer"
      "|engage|create|generate|write|share|discuss|produce|complete|continue|participate|offer"
      "|give)";
  return "^(?:" + apology + "|" + plain + ")";
}

// The patterns are constants of this file: one that does not compile is a programming error,
// caught by the first test that classifies anything.
std::unique_ptr<RE2> Compile(const std::string& pattern, const RE2::Options& options) {
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    std::fprintf(stderr, "error_classifier: bad pattern %s: %s\n", pattern.c_str(),
                 re->error().c_str());
    std::abort();
  }
  return re;
}

// Every compiled pattern, built once (thread-safe static initialization) and immutable.
struct CompiledPatterns {
  std::array<std::unique_ptr<RE2>, kRuleCount> rules;
  // An HTTP status inside a message: "Error code: 429", "status: 503", "HTTP/1.1 502",
  // "\"code\": 429" (Google error bodies).
  std::unique_ptr<RE2> embedded_status;
  // A message that starts with its status: "429 Rate limit reached", "503 Service Unavailable".
  std::unique_ptr<RE2> leading_status;
  std::unique_ptr<RE2> refusal;
};

RE2::Options CaseInsensitive() {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  return options;
}

const CompiledPatterns& Patterns() {
  static const CompiledPatterns* const patterns = [] {
    auto* compiled = new CompiledPatterns;
    for (size_t i = 0; i < kRuleCount; ++i) {
      compiled->rules[i] = Compile(kErrorRules[i].pattern, CaseInsensitive());
    }
    compiled->embedded_status =
        Compile(R"(\b(?:error[_ ]code|status[_ ]code|status|http error|http(?:/[\d.]+)?|code))"
                R"(['"]?\s*[:=]?\s*([45]\d\d)\b)",
                CaseInsensitive());
    compiled->leading_status = Compile(R"(^\s*([45]\d\d)\s+[A-Za-z])", RE2::Options());
    compiled->refusal = Compile(RefusalPattern(), CaseInsensitive());
    return compiled;
  }();
  return *patterns;
}

// ---------------------------------------------------------------------------------------------
// Evidence.

struct Evidence {
  std::string text;                  // every error text, one per line, for the rule patterns
  std::string message;               // the most descriptive single message, for the fingerprint
  std::vector<int> http_codes;       // from attributes and error.type: they can make a span errored
  std::vector<int> text_http_codes;  // found inside messages: they only help classify
  int64_t grpc_code = 0;
  bool has_error_type = false;
  bool has_exception = false;
};

std::string_view StringOf(const AnyValue& value) {
  return value.type == ValueType::kString ? value.string_value : std::string_view();
}

// An integer attribute, also when sent as a string ("429") or a whole double.
std::optional<int64_t> IntegerOf(const AnyValue& value) {
  switch (value.type) {
    case ValueType::kInt:
      return value.int_value;
    case ValueType::kDouble:
      if (value.double_value >= 0 && value.double_value < 1e6 &&
          value.double_value == static_cast<double>(static_cast<int64_t>(value.double_value))) {
        return static_cast<int64_t>(value.double_value);
      }
      return std::nullopt;
    case ValueType::kString: {
      std::string_view s = value.string_value;
      if (s.empty() || s.size() > 9) return std::nullopt;
      int64_t n = 0;
      for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
      }
      return n;
    }
    default:
      return std::nullopt;
  }
}

void AddHttpCode(std::optional<int64_t> code, std::vector<int>* codes) {
  if (code && *code >= 100 && *code <= 599) codes->push_back(static_cast<int>(*code));
}

void AddText(std::string_view piece, std::string* text) {
  if (piece.empty()) return;
  if (!text->empty()) *text += '\n';
  text->append(piece.substr(0, kMaxEvidencePieceBytes));
}

void AddEmbeddedHttpCodes(std::string_view message, std::vector<int>* codes) {
  if (message.empty()) return;
  const CompiledPatterns& patterns = Patterns();
  message = message.substr(0, kMaxEvidencePieceBytes);
  int code = 0;
  if (RE2::PartialMatch(message, *patterns.leading_status, &code)) codes->push_back(code);
  re2::StringPiece rest(message.data(), message.size());
  while (RE2::FindAndConsume(&rest, *patterns.embedded_status, &code)) codes->push_back(code);
}

std::string ExceptionMessage(std::string_view type, std::string_view message) {
  if (type.empty()) return std::string(message);
  if (message.empty()) return std::string(type);
  std::string out(type);
  out += ": ";
  out.append(message);
  return out;
}

// Reads exception.type / exception.message from `attributes` (an exception event's, or the
// span's own, which some instrumentations use).
void AddException(const model::Attributes& attributes, Evidence* evidence,
                  std::string* first_exception) {
  std::string_view type;
  std::string_view message;
  if (const AnyValue* v = model::FindAttribute(attributes, "exception.type")) type = StringOf(*v);
  if (const AnyValue* v = model::FindAttribute(attributes, "exception.message")) {
    message = StringOf(*v);
  }
  if (type.empty() && message.empty()) return;
  evidence->has_exception = true;
  AddText(type, &evidence->text);
  AddText(message, &evidence->text);
  AddEmbeddedHttpCodes(message, &evidence->text_http_codes);
  if (first_exception->empty()) *first_exception = ExceptionMessage(type, message);
}

Evidence GatherEvidence(const model::Span& span) {
  Evidence evidence;
  std::string first_exception;
  std::string_view error_type;
  for (const model::KeyValue& attribute : span.attributes) {
    const std::string_view key = attribute.key;
    if (key == "error.type") {
      const std::optional<int64_t> code = IntegerOf(attribute.value);
      error_type = StringOf(attribute.value);
      evidence.has_error_type = !error_type.empty() || code.has_value();
      AddHttpCode(code, &evidence.http_codes);
      AddText(error_type, &evidence.text);
    } else if (key == "http.response.status_code" || key == "http.status_code") {
      AddHttpCode(IntegerOf(attribute.value), &evidence.http_codes);
    } else if (key == "rpc.grpc.status_code") {
      evidence.grpc_code = IntegerOf(attribute.value).value_or(0);
    } else if (key == "rpc.response.status_code") {
      AddText(StringOf(attribute.value), &evidence.text);
    }
  }
  AddException(span.attributes, &evidence, &first_exception);
  for (const model::Event& event : span.events) {
    AddException(event.attributes, &evidence, &first_exception);
  }
  AddText(span.status.message, &evidence.text);
  AddEmbeddedHttpCodes(span.status.message, &evidence.text_http_codes);

  // The fingerprint message: the exception (type and message) when there is one, as it is the
  // most structured, else the status message, else whatever code there is.
  if (!first_exception.empty()) {
    evidence.message = std::move(first_exception);
  } else if (!span.status.message.empty()) {
    evidence.message = std::string(span.status.message);
  } else if (!error_type.empty()) {
    evidence.message = std::string(error_type);
  } else if (!evidence.http_codes.empty()) {
    evidence.message = "HTTP " + std::to_string(evidence.http_codes.front());
  } else if (evidence.grpc_code != 0) {
    evidence.message = "gRPC status " + std::to_string(evidence.grpc_code);
  }
  return evidence;
}

// gRPC codes the RPC conventions count as server errors: UNKNOWN, DEADLINE_EXCEEDED,
// UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
bool IsServerSideGrpcError(int64_t code) {
  return code == 2 || code == 4 || code == 12 || code == 13 || code == 14 || code == 15;
}

bool IsErrored(const model::Span& span, const Evidence& evidence) {
  if (span.status.code == model::StatusCode::kError) return true;
  if (span.status.code == model::StatusCode::kOk) return false;  // explicitly marked fine
  if (evidence.has_error_type || evidence.has_exception) return true;
  const bool server = span.kind == model::SpanKind::kServer;
  for (int code : evidence.http_codes) {
    if (code >= 500 || (code >= 400 && !server)) return true;
  }
  if (evidence.grpc_code != 0) return !server || IsServerSideGrpcError(evidence.grpc_code);
  return false;
}

bool RuleMatches(const ErrorRule& rule, const RE2& pattern, const Evidence& evidence) {
  if (!evidence.text.empty() && RE2::PartialMatch(evidence.text, pattern)) return true;
  for (const HttpRange& range : rule.http) {
    for (int code : evidence.http_codes) {
      if (range.Contains(code)) return true;
    }
    for (int code : evidence.text_http_codes) {
      if (range.Contains(code)) return true;
    }
  }
  for (int grpc : rule.grpc) {
    if (grpc != 0 && grpc == evidence.grpc_code) return true;
  }
  return false;
}

const ErrorRule* MatchRule(const Evidence& evidence) {
  const CompiledPatterns& patterns = Patterns();
  for (size_t i = 0; i < kRuleCount; ++i) {
    if (RuleMatches(kErrorRules[i], *patterns.rules[i], evidence)) return &kErrorRules[i];
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// LLM output.

struct Finding {
  ErrorClass error_class;
  std::string_view reason;
  std::string message;
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

std::string_view TrimLeft(std::string_view s) {
  const size_t start = s.find_first_not_of(" \t\r\n\f\v");
  return start == std::string_view::npos ? std::string_view() : s.substr(start);
}

// What a finish reason says about the answer, in increasing order of precedence when choices
// disagree.
enum class FinishSignal { kNone, kMalformedToolCall, kTruncated, kRefusal, kContentFilter };

FinishSignal ClassifyFinishReason(std::string_view finish_reason) {
  std::string r = AsciiLower(finish_reason);
  for (char& c : r) {
    if (c == '-') c = '_';  // Vercel AI SDK: "content-filter"
  }
  // OpenAI/OTel "length", Anthropic "max_tokens" and "model_context_window_exceeded", Gemini
  // "MAX_TOKENS", Responses API "max_output_tokens".
  if (r == "length" || r == "max_tokens" || r == "max_output_tokens" || r == "model_length" ||
      r == "model_context_window_exceeded") {
    return FinishSignal::kTruncated;
  }
  // OpenAI "content_filter", Gemini SAFETY / RECITATION / BLOCKLIST / PROHIBITED_CONTENT /
  // SPII / IMAGE_SAFETY, Bedrock "content_filtered" and "guardrail_intervened".
  if (r == "content_filter" || r == "content_filtered" || r == "safety" || r == "recitation" ||
      r == "blocklist" || r == "prohibited_content" || r == "spii" || r == "image_safety" ||
      r == "image_prohibited_content" || r == "guardrail_intervened") {
    return FinishSignal::kContentFilter;
  }
  if (r == "refusal") return FinishSignal::kRefusal;  // Anthropic stop_reason
  // Gemini MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL.
  if (r == "malformed_function_call" || r == "unexpected_tool_call") {
    return FinishSignal::kMalformedToolCall;
  }
  return FinishSignal::kNone;
}

bool IsToolCallFinish(std::string_view finish_reason) {
  const std::string r = AsciiLower(finish_reason);
  return r == "tool_calls" || r == "tool_call" || r == "tool_use" || r == "function_call" ||
         r == "tool-calls";
}

std::optional<Finding> FromFinishReasons(const model::LlmInfo& llm) {
  FinishSignal strongest = FinishSignal::kNone;
  std::string_view strongest_reason;
  auto consider = [&](std::string_view finish_reason) {
    const FinishSignal signal = ClassifyFinishReason(finish_reason);
    if (signal > strongest) strongest = signal, strongest_reason = finish_reason;
  };
  for (const std::string& finish_reason : llm.finish_reasons) consider(finish_reason);
  for (const model::Message& message : llm.output_messages) consider(message.finish_reason);

  std::string message = "finish_reason: " + AsciiLower(strongest_reason);
  switch (strongest) {
    case FinishSignal::kNone:
      return std::nullopt;
    case FinishSignal::kMalformedToolCall:
      return Finding{ErrorClass::kModel, reasons::kMalformedToolCall, std::move(message)};
    case FinishSignal::kTruncated:
      return Finding{ErrorClass::kModel, reasons::kTruncated, std::move(message)};
    case FinishSignal::kRefusal:
      return Finding{ErrorClass::kModel, reasons::kRefusal, std::move(message)};
    case FinishSignal::kContentFilter:
      return Finding{ErrorClass::kModel, reasons::kContentFilter, std::move(message)};
  }
  return std::nullopt;
}

bool IsAnswerRole(std::string_view role) {
  return role.empty() || role == "assistant" || role == "model" || role == "ai";
}

std::string TextOf(const model::Message& message) {
  std::string text;
  for (const model::MessagePart& part : message.parts) {
    if (part.type == model::PartType::kText) text += part.text;
  }
  return text;
}

// A part the normalizer kept as raw JSON, e.g. OpenAI's {"type":"refusal","refusal":"..."}
// or a message carrying a non-empty "refusal" field.
bool IsRefusalPart(const model::MessagePart& part) {
  if (part.type != model::PartType::kOther || part.text.find("refusal") == std::string::npos) {
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(part.text).get_object().get(object) != simdjson::SUCCESS) return false;
  std::string_view value;
  if (object["type"].get_string().get(value) == simdjson::SUCCESS && value == "refusal") {
    return true;
  }
  return object["refusal"].get_string().get(value) == simdjson::SUCCESS && !IsBlank(value);
}

// OpenLLMetry records OpenAI's refusal as gen_ai.completion.<i>.refusal.
bool HasRefusalAttribute(const model::Span& span) {
  constexpr std::string_view kPrefix = "gen_ai.completion.";
  constexpr std::string_view kSuffix = ".refusal";
  for (const model::KeyValue& attribute : span.attributes) {
    const std::string_view key = attribute.key;
    if (key.size() > kPrefix.size() + kSuffix.size() && key.substr(0, kPrefix.size()) == kPrefix &&
        key.substr(key.size() - kSuffix.size()) == kSuffix && !IsBlank(StringOf(attribute.value))) {
      return true;
    }
  }
  return false;
}

std::optional<Finding> FromRefusal(const model::Span& span, const model::LlmInfo& llm) {
  bool refused = HasRefusalAttribute(span);
  const RE2& refusal = *Patterns().refusal;
  for (const model::Message& message : llm.output_messages) {
    if (refused) break;
    if (!IsAnswerRole(message.role)) continue;
    for (const model::MessagePart& part : message.parts) refused |= IsRefusalPart(part);
    const std::string text = TextOf(message);
    const std::string_view start = TrimLeft(text).substr(0, kRefusalPrefixBytes);
    refused |= !start.empty() && RE2::PartialMatch(start, refusal);
  }
  if (!refused) return std::nullopt;
  return Finding{ErrorClass::kModel, reasons::kRefusal, "model refused the request"};
}

// Content that makes an answer non-empty: visible text, a tool call, an image, or anything
// the normalizer kept raw.
bool HasAnswerContent(const model::Message& message) {
  for (const model::MessagePart& part : message.parts) {
    switch (part.type) {
      case model::PartType::kText:
        if (!IsBlank(part.text)) return true;
        break;
      case model::PartType::kReasoning:
        break;  // thinking without an answer is still no answer
      case model::PartType::kToolCall:
      case model::PartType::kImage:
      case model::PartType::kOther:
        return true;
      case model::PartType::kToolResult:
        if (!IsBlank(part.text)) return true;
        break;
    }
  }
  return false;
}

// An LLM call whose answer has no content. Output messages without any part are not enough:
// that is what instrumentations record when content capture is off. Either a (blank) part or a
// reported zero output token count shows the answer really was empty.
std::optional<Finding> FromEmptyOutput(const model::LlmInfo& llm) {
  if (llm.output_messages.empty()) return std::nullopt;
  for (const std::string& finish_reason : llm.finish_reasons) {
    if (IsToolCallFinish(finish_reason)) return std::nullopt;
  }
  bool content_captured = llm.usage.output_tokens == 0;
  for (const model::Message& message : llm.output_messages) {
    if (IsToolCallFinish(message.finish_reason) || HasAnswerContent(message)) return std::nullopt;
    content_captured |= !message.parts.empty();
  }
  if (!content_captured) return std::nullopt;
  return Finding{ErrorClass::kModel, reasons::kEmptyOutput, "model returned empty output"};
}

bool IsJsonFormatName(std::string_view name) {
  return EqualsIgnoreCase(name, "json") || EqualsIgnoreCase(name, "json_object") ||
         EqualsIgnoreCase(name, "json_schema") || EqualsIgnoreCase(name, "application/json");
}

// A response_format value: "json_object", or {"type": "json_schema", ...}.
bool IsJsonResponseFormat(simdjson::dom::element value) {
  std::string_view name;
  if (value.get_string().get(name) == simdjson::SUCCESS) return IsJsonFormatName(name);
  return value["type"].get_string().get(name) == simdjson::SUCCESS && IsJsonFormatName(name);
}

// Request parameters (OpenInference llm.invocation_parameters and the like) that ask for JSON:
// OpenAI response_format, Responses API text.format, Gemini response_mime_type (also inside
// generation_config), Ollama format ("json" or a JSON schema object).
bool ParamsRequestJson(simdjson::dom::object params, int depth = 0) {
  simdjson::dom::element value;
  if (params["response_format"].get(value) == simdjson::SUCCESS && IsJsonResponseFormat(value)) {
    return true;
  }
  if (params["text"]["format"].get(value) == simdjson::SUCCESS && IsJsonResponseFormat(value)) {
    return true;
  }
  std::string_view name;
  for (const char* key : {"response_mime_type", "responseMimeType"}) {
    if (params[key].get_string().get(name) == simdjson::SUCCESS && IsJsonFormatName(name)) {
      return true;
    }
  }
  if (params["format"].get(value) == simdjson::SUCCESS) {
    if (value.is_object()) return true;
    if (value.get_string().get(name) == simdjson::SUCCESS && IsJsonFormatName(name)) return true;
  }
  if (depth == 0) {
    simdjson::dom::object nested;
    for (const char* key : {"generation_config", "generationConfig", "config"}) {
      if (params[key].get_object().get(nested) == simdjson::SUCCESS &&
          ParamsRequestJson(nested, depth + 1)) {
        return true;
      }
    }
  }
  return false;
}

bool JsonOutputRequested(const model::Span& span) {
  const model::Attributes& attributes = span.attributes;
  if (const AnyValue* v = model::FindAttribute(attributes, "gen_ai.output.type")) {
    if (IsJsonFormatName(StringOf(*v))) return true;
  }
  // Deprecated OTel name; a format name or the JSON of the whole response_format.
  if (const AnyValue* v =
          model::FindAttribute(attributes, "gen_ai.openai.request.response_format")) {
    const std::string_view format = StringOf(*v);
    if (IsJsonFormatName(format)) return true;
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    if (!format.empty() &&
        parser.parse(format.data(), format.size()).get(element) == simdjson::SUCCESS &&
        IsJsonResponseFormat(element)) {
      return true;
    }
  }
  if (const AnyValue* v = model::FindAttribute(attributes, "llm.invocation_parameters")) {
    const std::string_view params = StringOf(*v);
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (!params.empty() &&
        parser.parse(params.data(), params.size()).get_object().get(object) == simdjson::SUCCESS &&
        ParamsRequestJson(object)) {
      return true;
    }
  }
  return false;
}

std::optional<Finding> FromStructuredOutput(const model::Span& span, const model::LlmInfo& llm) {
  const bool has_text = std::any_of(
      llm.output_messages.begin(), llm.output_messages.end(), [](const model::Message& message) {
        return std::any_of(message.parts.begin(), message.parts.end(),
                           [](const model::MessagePart& part) {
                             return part.type == model::PartType::kText && !IsBlank(part.text);
                           });
      });
  if (!has_text || !JsonOutputRequested(span)) return std::nullopt;
  simdjson::dom::parser parser;
  for (const model::Message& message : llm.output_messages) {
    if (!IsAnswerRole(message.role)) continue;
    const std::string text = TextOf(message);
    if (IsBlank(text)) continue;
    const simdjson::error_code error = parser.parse(text).error();
    if (error != simdjson::SUCCESS) {
      return Finding{ErrorClass::kModel, reasons::kInvalidJson,
                     std::string("output is not valid JSON: ") + simdjson::error_message(error)};
    }
  }
  return std::nullopt;
}

// Model-level degradation of an LLM call, which its status does not show.
std::optional<Finding> DetectDegradedOutput(const model::Span& span, const model::LlmInfo& llm) {
  if (std::optional<Finding> finding = FromFinishReasons(llm)) return finding;
  if (llm.kind != model::LlmSpanKind::kLlm) return std::nullopt;
  if (std::optional<Finding> finding = FromRefusal(span, llm)) return finding;
  if (std::optional<Finding> finding = FromEmptyOutput(llm)) return finding;
  return FromStructuredOutput(span, llm);
}

ErrorInfo MakeErrorInfo(ErrorClass error_class, std::string_view reason, std::string_view message) {
  ErrorInfo info;
  info.error_class = error_class;
  info.reason = std::string(reason);
  info.fingerprint = ErrorFingerprint(error_class, reason, message);
  return info;
}

}  // namespace

std::optional<ErrorInfo> ClassifyError(const model::Span& span, const model::LlmInfo* llm) {
  const Evidence evidence = GatherEvidence(span);
  const bool errored = IsErrored(span, evidence);
  if (errored) {
    if (const ErrorRule* rule = MatchRule(evidence)) {
      return MakeErrorInfo(rule->error_class, rule->reason, evidence.message);
    }
  }
  if (llm != nullptr) {
    if (std::optional<Finding> finding = DetectDegradedOutput(span, *llm)) {
      return MakeErrorInfo(finding->error_class, finding->reason, finding->message);
    }
  }
  if (errored) return MakeErrorInfo(ErrorClass::kUnknown, reasons::kUnclassified, evidence.message);
  return std::nullopt;
}

}  // namespace tokenscope::enrich
