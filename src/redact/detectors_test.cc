// Each built-in detector on values it must find and on look-alikes it must leave alone (ids,
// timestamps, dates, counts, versions, code).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "redact/detectors.h"
#include "redact/redactor.h"

namespace tokenscope::redact {
namespace {

std::unique_ptr<Redactor> Only(Detector detector) {
  RedactionConfig config;
  config.defaults.detectors = {detector};
  auto redactor = Redactor::Create(config);
  EXPECT_TRUE(redactor.ok()) << redactor.status().ToString();
  return std::move(redactor).value();
}

// The text after redaction (the input itself when nothing was found).
std::string Redacted(const Redactor& redactor, std::string_view text) {
  return redactor.RedactText("p", text).value_or(std::string(text));
}

void ExpectFound(Detector detector, std::string_view secret) {
  auto redactor = Only(detector);
  const std::string placeholder = "[REDACTED:" + std::string(DetectorType(detector)) + "]";
  EXPECT_EQ(Redacted(*redactor, secret), placeholder) << secret;
  EXPECT_EQ(Redacted(*redactor, "before " + std::string(secret) + " after."),
            "before " + placeholder + " after.")
      << secret;
}

void ExpectIgnored(Detector detector, std::string_view text) {
  auto redactor = Only(detector);
  EXPECT_EQ(redactor->RedactText("p", text), std::nullopt) << text;
}

// Values that look like numbers, addresses or keys but are none of them; no detector may
// touch them.
constexpr std::string_view kLookAlikes[] = {
    "5b8efff798038103d269b633813fc60c",      // trace id
    "eee19b7ec3c1b174",                      // span id
    "550e8400-e29b-41d4-a716-446655440000",  // UUID
    "12345678-1234-1234-1234-123456789012",  // all-digit UUID
    "2024-01-15T10:30:00.123456Z",           // ISO 8601
    "2024-01-15 10:30:00+01:00",
    "1763000000000000000",  // unix nanoseconds
    "1763000000000",        // unix milliseconds
    "1763000000",           // unix seconds
    "input_tokens=1234567 output_tokens=89012",
    "total 1,234,567 tokens",
    "version 1.2.3",
    "std::vector<int> v; Foo::Bar(); dead::beef",
    "sk-learn-based-classifier-pipeline",
    "the bearer of bad news",
    "price: $12.50, qty 3",
    "HTTP/1.1 200 OK",
    "10:30:45",
    "00:1A:2B:3C:4D:5E",  // MAC address
    "ISBN 978-3-16-148410-0",
};

TEST(DetectorsTest, LookAlikesAreLeftAlone) {
  for (Detector detector : AllDetectors()) {
    for (std::string_view text : kLookAlikes) ExpectIgnored(detector, text);
  }
}

TEST(DetectorsTest, Email) {
  ExpectFound(Detector::kEmail, "jane.doe@example.com");
  ExpectFound(Detector::kEmail, "j.doe+billing@mail.example.co.uk");
  ExpectFound(Detector::kEmail, "ops_team-1@sub.example-corp.io");
  ExpectIgnored(Detector::kEmail, "user@localhost");
  ExpectIgnored(Detector::kEmail, "@handle and a@b");
}

TEST(DetectorsTest, Phone) {
  ExpectFound(Detector::kPhone, "+1 415 555 0123");
  ExpectFound(Detector::kPhone, "+14155550123");
  ExpectFound(Detector::kPhone, "+44 20 7946 0958");
  ExpectFound(Detector::kPhone, "+49 (0) 30 901820");
  ExpectFound(Detector::kPhone, "+33 1-23-45-67-89");
  ExpectFound(Detector::kPhone, "(415) 555-0123");
  ExpectFound(Detector::kPhone, "415-555-0123");
  ExpectFound(Detector::kPhone, "415.555.0123");
  ExpectFound(Detector::kPhone, "1-415-555-0123");
  ExpectIgnored(Detector::kPhone, "4155550123");         // no separators: an id or a count
  ExpectIgnored(Detector::kPhone, "+1 234");             // too short
  ExpectIgnored(Detector::kPhone, "+1234567890123456");  // longer than E.164 allows
  ExpectIgnored(Detector::kPhone, "415-555-0123-7");     // part of a longer identifier
  ExpectIgnored(Detector::kPhone, "115-555-0123");       // no area code starts with 1
}

TEST(DetectorsTest, CreditCard) {
  ExpectFound(Detector::kCreditCard, "4111111111111111");       // Visa
  ExpectFound(Detector::kCreditCard, "4111 1111 1111 1111");    // Visa, grouped
  ExpectFound(Detector::kCreditCard, "5500-0000-0000-0004");    // Mastercard
  ExpectFound(Detector::kCreditCard, "2223003122003222");       // Mastercard 2-series
  ExpectFound(Detector::kCreditCard, "378282246310005");        // Amex
  ExpectFound(Detector::kCreditCard, "3782 822463 10005");      // Amex, grouped 4-6-5
  ExpectFound(Detector::kCreditCard, "6011111111111117");       // Discover
  ExpectFound(Detector::kCreditCard, "3530111333300000");       // JCB
  ExpectFound(Detector::kCreditCard, "30569309025904");         // Diners
  ExpectIgnored(Detector::kCreditCard, "4111111111111112");     // Luhn fails
  ExpectIgnored(Detector::kCreditCard, "4111 1111-1111 1111");  // mixed separators
  ExpectIgnored(Detector::kCreditCard, "0000000000000000");
}

TEST(DetectorsTest, NumbersNextToEachOtherStaySeparate) {
  RedactionConfig config;
  auto redactor = Redactor::Create(config);
  ASSERT_TRUE(redactor.ok());
  EXPECT_EQ(Redacted(**redactor, "card 4111111111111111 10.0.0.1"),
            "card [REDACTED:CREDIT_CARD] [REDACTED:IP]");
  EXPECT_EQ(Redacted(**redactor, "call +1 415 555 0123 4111111111111111"),
            "call [REDACTED:PHONE] [REDACTED:CREDIT_CARD]");
  EXPECT_EQ(Redacted(**redactor, "4111 1111 1111 1111 2031"), "[REDACTED:CREDIT_CARD] 2031");
}

TEST(DetectorsTest, CreditCardNeedsIssuerShape) {
  EXPECT_TRUE(internal::LuhnValid("79927398713"));
  EXPECT_FALSE(internal::LuhnValid("79927398710"));
  EXPECT_TRUE(internal::HasCardIssuerShape("4111111111111111"));
  EXPECT_FALSE(internal::HasCardIssuerShape("411111111111111"));  // Visa has no 15 digits
  EXPECT_FALSE(internal::HasCardIssuerShape("1763000000000000000"));
  EXPECT_FALSE(internal::HasCardIssuerShape("9999999999999995"));
}

TEST(DetectorsTest, ApiKeys) {
  ExpectFound(Detector::kApiKey, "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD");
  ExpectFound(Detector::kApiKey,
              "sk-proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nOp3rSt6vWx9zAb2dEf5h");
  ExpectFound(Detector::kApiKey, "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf_123AA");
  ExpectFound(Detector::kApiKey, "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q");
  ExpectFound(Detector::kApiKey, "AKIAIOSFODNN7EXAMPLE");
  ExpectFound(Detector::kApiKey, "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R");
  ExpectFound(Detector::kApiKey, "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz");
  ExpectFound(Detector::kApiKey, "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp");
  ExpectFound(Detector::kApiKey, "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
  ExpectFound(Detector::kApiKey,
              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
              "XgL0n3I9PlFUP0THsR8U");
  ExpectIgnored(Detector::kApiKey, "sk-short");
  ExpectIgnored(Detector::kApiKey, "AKIA-not-a-key");
}

TEST(DetectorsTest, BearerKeepsTheScheme) {
  auto redactor = Only(Detector::kApiKey);
  EXPECT_EQ(Redacted(*redactor, "Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu=="),
            "Authorization: Bearer [REDACTED:API_KEY]");
  EXPECT_EQ(Redacted(*redactor, "authorization: bearer 0123456789abcdef0123"),
            "authorization: bearer [REDACTED:API_KEY]");
}

TEST(DetectorsTest, Ip) {
  ExpectFound(Detector::kIp, "192.168.1.100");
  ExpectFound(Detector::kIp, "10.0.0.1");
  ExpectFound(Detector::kIp, "255.255.255.255");
  ExpectFound(Detector::kIp, "2001:db8:85a3::8a2e:370:7334");
  ExpectFound(Detector::kIp, "2001:0db8:85a3:0000:0000:8a2e:0370:7334");
  ExpectFound(Detector::kIp, "fe80::1");
  ExpectFound(Detector::kIp, "::ffff:192.0.2.128");
  auto redactor = Only(Detector::kIp);
  EXPECT_EQ(Redacted(*redactor, "from 10.1.2.3:8080"), "from [REDACTED:IP]:8080");
  EXPECT_EQ(Redacted(*redactor, "[2001:db8::7]:443"), "[[REDACTED:IP]]:443");
  ExpectIgnored(Detector::kIp, "256.1.1.1");
  ExpectIgnored(Detector::kIp, "1.2.3.4.5");
  ExpectIgnored(Detector::kIp, "v1.2.3.4");
  ExpectIgnored(Detector::kIp, "::1");  // loopback alone says nothing about anyone
}

}  // namespace
}  // namespace tokenscope::redact
