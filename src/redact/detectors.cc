#include "redact/detectors.h"

#include <algorithm>
#include <string>

namespace tokenscope::redact::internal {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) {
  return IsDigit(c) || IsAlpha(c);
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Whether text[begin, end) stands alone rather than being a piece of a longer identifier:
// no letter or digit touches it, and no `joiner` followed by a letter or digit does either
// ("4111...1111" is a card number; "4111...1111-7" or "v1.2.3.4.5" is something else).
bool StandsAlone(std::string_view text, size_t begin, size_t end, std::string_view joiners) {
  if (begin > 0) {
    const char before = text[begin - 1];
    if (IsAlnum(before)) return false;
    if (joiners.find(before) != std::string_view::npos && begin > 1 && IsAlnum(text[begin - 2]))
      return false;
  }
  if (end < text.size()) {
    const char after = text[end];
    if (IsAlnum(after)) return false;
    if (joiners.find(after) != std::string_view::npos && end + 1 < text.size() &&
        IsAlnum(text[end + 1]))
      return false;
  }
  return true;
}

std::string DigitsOf(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (IsDigit(c)) digits.push_back(c);
  }
  return digits;
}

// Card numbers are written with no separators or with one kind throughout ("4111 1111 ...",
// "4111-1111-..."); a mix is more likely a list of numbers.
bool HasUniformSeparators(std::string_view s) {
  char separator = 0;
  for (char c : s) {
    if (IsDigit(c)) continue;
    if (separator != 0 && c != separator) return false;
    separator = c;
  }
  return true;
}

bool CheckCreditCard(std::string_view text, size_t begin, size_t end) {
  const std::string_view candidate = text.substr(begin, end - begin);
  if (!StandsAlone(text, begin, end, "-_./:")) return false;
  if (!HasUniformSeparators(candidate)) return false;
  const std::string digits = DigitsOf(candidate);
  if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits[0]; }))
    return false;
  return HasCardIssuerShape(digits) && LuhnValid(digits);
}

// E.164 allows at most 15 digits; fewer than 8 is a short code or not a phone number at all.
bool CheckInternationalPhone(std::string_view text, size_t begin, size_t end) {
  const size_t digits = DigitsOf(text.substr(begin, end - begin)).size();
  return digits >= 8 && digits <= 15 && StandsAlone(text, begin, end, "-_./");
}

bool CheckNorthAmericanPhone(std::string_view text, size_t begin, size_t end) {
  return StandsAlone(text, begin, end, "-_./");
}

bool CheckIpv4(std::string_view text, size_t begin, size_t end) {
  return StandsAlone(text, begin, end, ".");
}

// Compressed IPv6 forms also match C++ scopes ("add::") and hex words ("dead::beef"); an
// address is taken to have two groups or an embedded IPv4 part, and at least one digit.
bool CheckIpv6(std::string_view text, size_t begin, size_t end) {
  if (begin > 0 && (IsAlnum(text[begin - 1]) || text[begin - 1] == ':')) return false;
  if (end < text.size() && (IsAlnum(text[end]) || text[end] == ':')) return false;
  const std::string_view candidate = text.substr(begin, end - begin);
  if (std::none_of(candidate.begin(), candidate.end(), IsDigit)) return false;
  if (candidate.find('.') != std::string_view::npos) return true;
  int groups = 0;
  bool in_group = false;
  for (char c : candidate) {
    if (IsHex(c) && !in_group) ++groups;
    in_group = IsHex(c);
  }
  return groups >= 2;
}

// Keys whose prefix is also an English word fragment ("sk-learn-...") must look random:
// letters and digits both.
bool CheckMixedKey(std::string_view text, size_t begin, size_t end) {
  const std::string_view candidate = text.substr(begin, end - begin);
  return std::any_of(candidate.begin(), candidate.end(), IsDigit) &&
         std::any_of(candidate.begin(), candidate.end(), IsAlpha);
}

constexpr char kEmail[] =
    R"([A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}\b)";

// +CC then 1-6 groups, each after one space, dot or dash ("(0)" groups may follow directly),
// or +CC and the national number run together (+14155550123).
constexpr char kInternationalPhone[] =
    R"(\+\d{1,3}(?:[ .\-]?\(\d{1,4}\)|[ .\-]\d{1,10}){1,6}\b|\+\d{8,15}\b)";
// (415) 555-0123, 415-555-0123, 415.555.0123, 1-415-555-0123: separators required, so plain
// ten-digit numbers (ids, counts) are not phone numbers.
constexpr char kNorthAmericanPhone[] =
    R"((?:\b1[ .\-]?)?(?:\([2-9]\d{2}\)\s?|\b[2-9]\d{2}[ .\-])\d{3}[ .\-]\d{4}\b)";

// Unbroken, in groups of four (the last one shorter, 19-digit cards with a group of 3 more), or
// 4-6-4/5 (Amex, Diners). Explicit formats rather than "a separator anywhere", so that a card
// number followed by another number is not read as one long number.
constexpr char kCreditCard[] =
    R"(\b(?:\d{13,19}|\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,4}(?:[ \-]\d{1,3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5})\b)";

#define TS_OCTET "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
#define TS_IPV4 "(?:" TS_OCTET "\\.){3}" TS_OCTET
#define TS_H16 "[0-9A-Fa-f]{1,4}"
constexpr char kIpv4[] = "\\b" TS_IPV4 "\\b";
constexpr char kIpv6[] = "(?:(?:" TS_H16 ":){7}" TS_H16  // full
                         "|(?:" TS_H16
                         ":){1,7}:"                       // 1::  ... 1:2:3:4:5:6:7::
                         "|(?:" TS_H16 ":){1,6}:" TS_H16  // 1::8
                         "|(?:" TS_H16 ":){1,5}(?::" TS_H16
                         "){1,2}"  // 1::7:8
                         "|(?:" TS_H16 ":){1,4}(?::" TS_H16
                         "){1,3}"  //
                         "|(?:" TS_H16 ":){1,3}(?::" TS_H16
                         "){1,4}"  //
                         "|(?:" TS_H16 ":){1,2}(?::" TS_H16
                         "){1,5}"  //
                         "|" TS_H16 ":(?::" TS_H16
                         "){1,6}"  //
                         "|:(?::" TS_H16
                         "){1,7}"                                // ::2:3
                         "|::(?:[fF]{4}(?::0{1,4})?:)?" TS_IPV4  // ::ffff:192.0.2.1
                         "|(?:" TS_H16 ":){1,4}:" TS_IPV4 ")";   // 64:ff9b::192.0.2.1
#undef TS_H16
#undef TS_IPV4
#undef TS_OCTET

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool double_it = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return !digits.empty() && sum % 10 == 0;
}

// Issuer prefixes and lengths of the major networks (Visa, Mastercard, Amex, Diners, JCB,
// Discover, UnionPay, Maestro). Numbers starting with 0, 1, 7, 8 or 9 — unix timestamps in
// seconds, milliseconds or nanoseconds among them — are never taken for cards.
bool HasCardIssuerShape(std::string_view digits) {
  const size_t n = digits.size();
  if (n < 13 || n > 19) return false;
  const int first = digits[0] - '0';
  const int two = (digits[0] - '0') * 10 + (digits[1] - '0');
  const int four = std::stoi(std::string(digits.substr(0, 4)));
  switch (first) {
    case 4:  // Visa
      return n == 13 || n == 16 || n == 19;
    case 2:  // Mastercard 2-series
      return n == 16 && four >= 2221 && four <= 2720;
    case 3:
      if (two == 34 || two == 37) return n == 15;                                       // Amex
      if (two == 35) return n >= 16;                                                    // JCB
      if (two == 30 || two == 36 || two == 38 || two == 39) return n >= 14 && n <= 19;  // Diners
      return false;
    case 5:  // Mastercard 51-55; Maestro 50, 56-59 (any length)
      return two >= 51 && two <= 55 ? n == 16 : true;
    case 6:  // Discover, UnionPay, Maestro
      return n >= 16;
    default:
      return false;
  }
}

std::vector<RuleSpec> BuiltinRules(Detector detector) {
  switch (detector) {
    case Detector::kEmail:
      return {{kEmail}};
    case Detector::kPhone:
      return {{kInternationalPhone, false, CheckInternationalPhone},
              {kNorthAmericanPhone, false, CheckNorthAmericanPhone}};
    case Detector::kCreditCard:
      return {{kCreditCard, false, CheckCreditCard}};
    case Detector::kApiKey:
      return {
          // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-...).
          {R"(\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{20,})", false, CheckMixedKey},
          {R"(\bAIza[0-9A-Za-z_\-]{35})"},                         // Google API keys
          {R"(\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b)"},          // AWS access key ids
          {R"(\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b)"},  // GitHub tokens
          {R"(\bgithub_pat_[A-Za-z0-9_]{22,255}\b)"},              // GitHub fine-grained
          {R"(\bxox[abposr]-[A-Za-z0-9\-]{10,})"},                 // Slack
          {R"(\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,})"},       // Stripe
          {R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)"},  // JWTs
          // Authorization: Bearer <token> keeps the scheme and replaces the token.
          {R"((?i:\bbearer)\s+([A-Za-z0-9\-._~+/]{16,}=*))"},
      };
    case Detector::kIp:
      return {{kIpv4, true, CheckIpv4}, {kIpv6, true, CheckIpv6}};
  }
  return {};
}

}  // namespace tokenscope::redact::internal
