// Rewriting keeps JSON text valid whatever the replaced ranges cover: escapes, quotes, bare
// numbers.
#include "redact/text_rewrite.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace tokenscope::redact::internal {
namespace {

const std::vector<std::string> kPlaceholders = {"[REDACTED:X]"};

// Replaces the first occurrence of `what` in `text`.
std::string RewriteFirst(std::string_view text, std::string_view what) {
  const size_t at = text.find(what);
  EXPECT_NE(at, std::string_view::npos) << what;
  return Rewrite(text, {{at, at + what.size(), 0}}, kPlaceholders);
}

bool IsValidJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  return !doc.HasParseError();
}

TEST(TextRewriteTest, PlainTextIsReplacedByteForByte) {
  EXPECT_EQ(RewriteFirst("call me at 555 now", "555"), "call me at [REDACTED:X] now");
  EXPECT_EQ(RewriteFirst("say \"hi\" there", "\"hi\""), "say [REDACTED:X] there");
  EXPECT_EQ(Rewrite("abc", {}, kPlaceholders), "abc");
}

TEST(TextRewriteTest, RecognizesJsonText) {
  EXPECT_TRUE(LooksLikeJsonText(R"([{"role":"user"}])"));
  EXPECT_TRUE(LooksLikeJsonText(" {\"a\":1}\n"));
  EXPECT_FALSE(LooksLikeJsonText("{ not closed"));
  EXPECT_FALSE(LooksLikeJsonText("plain"));
}

TEST(TextRewriteTest, MatchStartingInsideAnEscapeTakesTheWholeEscape) {
  const std::string json = R"([{"content":"line\nbob@example.com"}])";
  const std::string out = RewriteFirst(json, "nbob@example.com");
  EXPECT_EQ(out, R"([{"content":"line[REDACTED:X]"}])");
  EXPECT_TRUE(IsValidJson(out));
  const std::string unicode = R"({"a":"\u00e9x secret"})";
  const std::string out2 = RewriteFirst(unicode, "00e9x secret");
  EXPECT_EQ(out2, R"({"a":"[REDACTED:X]"})");
  EXPECT_TRUE(IsValidJson(out2));
}

TEST(TextRewriteTest, MatchEndingInsideAnEscapeTakesTheWholeEscape) {
  const std::string json = R"({"a":"secret\"quoted"})";
  const std::string out = RewriteFirst(json, "secret\\");
  EXPECT_EQ(out, R"({"a":"[REDACTED:X]quoted"})");
  EXPECT_TRUE(IsValidJson(out));
}

TEST(TextRewriteTest, MatchAcrossQuotesReplacesEachStringPart) {
  const std::string json = R"({"ssn": "123-45-6789", "n": 1})";
  const std::string out = RewriteFirst(json, R"("ssn": "123-45-6789")");
  EXPECT_EQ(out, R"({"[REDACTED:X]": "[REDACTED:X]", "n": 1})");
  EXPECT_TRUE(IsValidJson(out));
}

TEST(TextRewriteTest, BareNumbersBecomeQuotedPlaceholders) {
  const std::string json = R"({"card": 4111111111111111, "ok": true})";
  const std::string out = RewriteFirst(json, "1111111111");
  EXPECT_EQ(out, R"({"card": "[REDACTED:X]", "ok": true})");
  EXPECT_TRUE(IsValidJson(out));
}

TEST(TextRewriteTest, AdjacentMatchesInOneEscapeMerge) {
  const std::string json = R"(["a\u1234b"])";
  const size_t u = json.find("u1234");
  const std::string out = Rewrite(json, {{u + 1, u + 3, 0}, {u + 3, u + 6, 0}}, kPlaceholders);
  EXPECT_EQ(out, R"(["a[REDACTED:X]"])");
  EXPECT_TRUE(IsValidJson(out));
}

TEST(TextRewriteTest, TextThatOnlyLooksLikeJsonIsTreatedAsText) {
  const std::string unterminated = R"({"a": "bob})";
  EXPECT_EQ(RewriteFirst(unterminated, "bob}"), R"({"a": "[REDACTED:X])");
  // Placeholders at both ends of a redacted value: brackets, but not JSON.
  const std::string bracketed = "[REDACTED:A] call 4111 [REDACTED:B]";
  EXPECT_EQ(RewriteFirst(bracketed, "4111"), "[REDACTED:A] call [REDACTED:X] [REDACTED:B]");
}

TEST(TextRewriteTest, DeeplyNestedJsonDoesNotExhaustTheStack) {
  const std::string deep = std::string(100000, '[') + "\"x\"" + std::string(100000, ']');
  EXPECT_EQ(RewriteFirst(deep, "x"),
            std::string(100000, '[') + "\"[REDACTED:X]\"" + std::string(100000, ']'));
}

}  // namespace
}  // namespace tokenscope::redact::internal
