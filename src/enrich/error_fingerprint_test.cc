#include "enrich/error_fingerprint.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::enrich {
namespace {

// True when `s` is well-formed UTF-8 (enough of a check for these tests: lead bytes followed
// by the right number of continuation bytes).
bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t length = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (length == 0 || i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

TEST(FingerprintTest, OpenAiRateLimitMessagesDifferingInIdsAndNumbersGroupTogether) {
  const std::string a = Fingerprint(
      "Rate limit reached for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit "
      "30000, Used 29000, Requested 1500. Please try again in 1.2s. Visit "
      "https://platform.openai.com/account/rate-limits to learn more.");
  const std::string b = Fingerprint(
      "Rate limit reached for gpt-4o in organization org-XyZ987 on tokens per min (TPM): Limit "
      "30000, Used 29870, Requested 2210. Please try again in 850ms. Visit "
      "https://platform.openai.com/account/rate-limits to learn more.");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a,
            "Rate limit reached for gpt-4o in organization <id> on tokens per min (TPM): Limit "
            "<num>, Used <num>, Requested <num>. Please try again in <duration>. Visit <url> to "
            "learn more.");
}

TEST(FingerprintTest, ContextLengthMessageKeepsItsWordsAndUnits) {
  EXPECT_EQ(Fingerprint("This model's maximum context length is 8192 tokens. However, your "
                        "messages resulted in 9021 tokens. Please reduce the length of the "
                        "messages."),
            "This model's maximum context length is <num> tokens. However, your messages "
            "resulted in <num> tokens. Please reduce the length of the messages.");
  EXPECT_EQ(Fingerprint("prompt is too long: 210000 tokens > 200000 maximum"),
            "prompt is too long: <num> tokens > <num> maximum");
}

TEST(FingerprintTest, MessagesOfDifferentKindsStayApart) {
  const std::string context = Fingerprint(
      "This model's maximum context length is 8192 tokens. However, your messages resulted in "
      "9021 tokens.");
  const std::string rate = Fingerprint("Rate limit reached for gpt-4o on requests per min (RPM)");
  const std::string temperature =
      Fingerprint("Invalid value for 'temperature': must be between 0 and 2.");
  const std::string max_tokens = Fingerprint("Invalid value for 'max_tokens': must be positive.");
  EXPECT_NE(context, rate);
  EXPECT_NE(temperature, max_tokens);  // the parameter name is kept
}

TEST(FingerprintTest, MasksUuidsHexIdsAndProviderIds) {
  EXPECT_EQ(Fingerprint("trace 550e8400-e29b-41d4-a716-446655440000 failed"),
            "trace <uuid> failed");
  EXPECT_EQ(Fingerprint("object 4f3a9b21c0d1 at 0x7ffd5e8c3a10"), "object <hex> at <hex>");
  EXPECT_EQ(Fingerprint("request req_011CSHoEeqs5C35K2UUqR7Fy failed"), "request <id> failed");
  EXPECT_EQ(Fingerprint("request id req_abc123, completion chatcmpl-9xYzAbCdEf12"),
            "request id <id>, completion <id>");
  EXPECT_EQ(Fingerprint("key sk-proj-abc123def456 is invalid"), "key <id> is invalid");
}

TEST(FingerprintTest, KeepsWordsModelNamesAndIdentifiers) {
  EXPECT_EQ(Fingerprint("file_search and user_id are fine"), "file_search and user_id are fine");
  EXPECT_EQ(Fingerprint("model gpt-4o-2024-08-06 and claude-3-5-sonnet-20241022"),
            "model gpt-4o-2024-08-06 and claude-3-5-sonnet-20241022");
  EXPECT_EQ(Fingerprint("deadbeef"), "<hex>");  // 8 hex digits
  EXPECT_EQ(Fingerprint("12345678"), "<num>");  // decimal is a number, not an id
}

TEST(FingerprintTest, MasksNumbers) {
  EXPECT_EQ(Fingerprint("retry 3 of 5 after 2.5 seconds"),
            "retry <num> of <num> after <num> seconds");
  EXPECT_EQ(Fingerprint("4097 tokens"), "<num> tokens");
  EXPECT_EQ(Fingerprint("limit 1,000,000 per day, used 1e-5"), "limit <num> per day, used <num>");
  EXPECT_EQ(Fingerprint("cost $0.002"), "cost $<num>");
  EXPECT_EQ(Fingerprint("waited 30s then 1500ms"), "waited <duration> then <duration>");
  EXPECT_EQ(Fingerprint("messages[3].content"), "messages[<num>].content");
}

TEST(FingerprintTest, MasksQuotedValuesButNotProseOrIdentifiers) {
  EXPECT_EQ(Fingerprint("The model 'gpt-5-turbo' does not exist"),
            "The model '<str>' does not exist");
  EXPECT_EQ(Fingerprint("unknown user \"u-42\""), "unknown user \"<str>\"");
  // Identifiers and parameter paths name the kind of error.
  EXPECT_EQ(Fingerprint("Invalid 'messages[0].content': expected string"),
            "Invalid 'messages[<num>].content': expected string");
  EXPECT_EQ(Fingerprint("{'code': 'rate_limit_exceeded'}"), "{'code': 'rate_limit_exceeded'}");
  // Apostrophes are not quotes.
  EXPECT_EQ(Fingerprint("I'm sorry, but I can't do 'x1' today"),
            "I'm sorry, but I can't do '<str>' today");
  // Python repr of a provider error: the nested message is prose, normalized in place.
  EXPECT_EQ(
      Fingerprint("Error code: 400 - {'error': {'message': \"This model's maximum context length "
                  "is 8192 tokens. However, you requested 9021 tokens.\", 'type': "
                  "'invalid_request_error', 'param': 'messages', 'code': "
                  "'context_length_exceeded'}}"),
      "Error code: <num> - {'error': {'message': \"This model's maximum context length is <num> "
      "tokens. However, you requested <num> tokens.\", 'type': 'invalid_request_error', "
      "'param': 'messages', 'code': 'context_length_exceeded'}}");
}

TEST(FingerprintTest, MasksEmailsUrlsAddressesAndTimestamps) {
  EXPECT_EQ(Fingerprint("user jane.doe+ops@example.co.uk not found"), "user <email> not found");
  EXPECT_EQ(Fingerprint("POST https://api.openai.com/v1/chat/completions?x=1 failed."),
            "POST <url> failed.");
  EXPECT_EQ(Fingerprint("connect ECONNREFUSED 10.0.3.17:443"), "connect ECONNREFUSED <ip>");
  EXPECT_EQ(Fingerprint("connect to [2001:db8::1]:8080 failed"), "connect to [<ip>]:<num> failed");
  EXPECT_EQ(Fingerprint("at 2026-11-21T23:49:06.123Z and 2026-11-21 10:00:00+02:00 and 12:30:01"),
            "at <time> and <time> and <time>");
  EXPECT_EQ(Fingerprint("Retry-After: Tue, 15 Nov 1994 08:12:31 GMT"), "Retry-After: <time>");
}

TEST(FingerprintTest, CollapsesWhitespaceAndControlCharacters) {
  EXPECT_EQ(Fingerprint("  a\t\tb\r\n\n c \x01 d  "), "a b c d");
  EXPECT_EQ(Fingerprint(""), "");
  EXPECT_EQ(Fingerprint(" \n "), "");
}

TEST(FingerprintTest, CapsLengthOnACharacterBoundary) {
  std::string long_ascii(10000, 'x');
  EXPECT_EQ(Fingerprint(long_ascii).size(), kMaxFingerprintBytes);

  // 2-byte characters, offset by one byte so that the cap falls inside one.
  std::string accented = "a";
  for (int i = 0; i < 300; ++i) accented += "\xC3\xA9";  // é
  const std::string capped = Fingerprint(accented);
  EXPECT_EQ(capped.size(), kMaxFingerprintBytes - 1);
  EXPECT_TRUE(IsValidUtf8(capped));

  // 4-byte characters.
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += "\xF0\x9F\x98\x80";
  const std::string capped_emoji = Fingerprint(emoji);
  EXPECT_LE(capped_emoji.size(), kMaxFingerprintBytes);
  EXPECT_EQ(capped_emoji.size() % 4, 0u);
  EXPECT_TRUE(IsValidUtf8(capped_emoji));
}

TEST(FingerprintTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(Fingerprint("bad \xFF\xFE bytes"), "bad ?? bytes");
  EXPECT_EQ(Fingerprint("truncated \xE2\x82"), "truncated ??");
  EXPECT_EQ(Fingerprint("overlong \xC0\xAF"), "overlong ??");
  EXPECT_EQ(Fingerprint("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");  // €
  EXPECT_TRUE(IsValidUtf8(Fingerprint(std::string("\x80\x80 caf\xC3 \xA9", 9))));
}

TEST(FingerprintTest, IsDeterministic) {
  const std::string message =
      "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization "
      "org-abc123 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500.', 'type': "
      "'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}";
  EXPECT_EQ(Fingerprint(message), Fingerprint(message));
}

TEST(FingerprintTest, HandlesStrayQuotesAndHugeInput) {
  std::string quotes(5000, '\'');
  EXPECT_LE(Fingerprint(quotes).size(), kMaxFingerprintBytes);
  EXPECT_EQ(Fingerprint("it's \"unterminated"), "it's \"unterminated");
  std::string mixed;
  for (int i = 0; i < 2000; ++i) mixed += "'a\" 1 ";
  EXPECT_LE(Fingerprint(mixed).size(), kMaxFingerprintBytes);
}

TEST(ErrorFingerprintTest, PrefixesClassAndReason) {
  EXPECT_EQ(ErrorFingerprint(model::ErrorClass::kInfrastructure, "rate_limited",
                             "Rate limit reached, retry in 20s"),
            "infrastructure:rate_limited:Rate limit reached, retry in <duration>");
  EXPECT_EQ(ErrorFingerprint(model::ErrorClass::kModel, "truncated", ""), "model:truncated:");
}

}  // namespace
}  // namespace tokenscope::enrich
