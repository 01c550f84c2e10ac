#include "tokenize/pretokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace tokenscope::tokenize {
namespace {

using Pieces = std::vector<std::string>;

Pieces Split(std::string_view text, SplitPattern pattern) {
  Pieces pieces;
  PreTokenizer pre(text, pattern);
  std::string_view piece;
  while (pre.Next(&piece)) pieces.emplace_back(piece);
  return pieces;
}

Pieces O200k(std::string_view text) {
  return Split(text, SplitPattern::kO200k);
}
Pieces Cl100k(std::string_view text) {
  return Split(text, SplitPattern::kCl100k);
}

TEST(PreTokenizerTest, EmptyTextHasNoPieces) {
  EXPECT_TRUE(O200k("").empty());
  EXPECT_TRUE(Cl100k("").empty());
}

TEST(PreTokenizerTest, WordsTakeTheSpaceBeforeThem) {
  EXPECT_EQ(O200k("Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(Cl100k("Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(O200k("\tword"), (Pieces{"\tword"}));
  EXPECT_EQ(O200k("\nword"), (Pieces{"\n", "word"}));
}

TEST(PreTokenizerTest, WhitespaceRunsLeaveOneSpaceToTheNextWord) {
  EXPECT_EQ(O200k("a   b"), (Pieces{"a", "  ", " b"}));
  EXPECT_EQ(O200k("a \n\n  b"), (Pieces{"a", " \n\n", " ", " b"}));
  EXPECT_EQ(O200k("trailing   "), (Pieces{"trailing", "   "}));
  EXPECT_EQ(O200k("a \tb"), (Pieces{"a", " ", "\tb"}));
  EXPECT_EQ(Cl100k("x\r\n\r\ny"), (Pieces{"x", "\r\n\r\n", "y"}));
  EXPECT_EQ(O200k(" "), (Pieces{" "}));
  EXPECT_EQ(O200k(" !"), (Pieces{" !"}));
  EXPECT_EQ(O200k("  !"), (Pieces{" ", " !"}));
}

TEST(PreTokenizerTest, Contractions) {
  // cl100k_base: a contraction is a piece of its own, even before more letters.
  EXPECT_EQ(Cl100k("they're"), (Pieces{"they", "'re"}));
  EXPECT_EQ(Cl100k("'sup"), (Pieces{"'s", "up"}));
  EXPECT_EQ(Cl100k("DON'T"), (Pieces{"DON", "'T"}));
  // o200k_base: the contraction ends the word before it.
  EXPECT_EQ(O200k("they're"), (Pieces{"they're"}));
  EXPECT_EQ(O200k("DON'T"), (Pieces{"DON'T"}));
  EXPECT_EQ(O200k("I'll've"), (Pieces{"I'll", "'ve"}));
  EXPECT_EQ(O200k("it'sn"), (Pieces{"it's", "n"}));
}

// tiktoken's regex engine folds case by Unicode rules: 'ſ (U+017F) is a contraction too.
TEST(PreTokenizerTest, LongSFoldsToS) {
  EXPECT_EQ(Cl100k("'\u017Ft"), (Pieces{"'\u017F", "t"}));
  EXPECT_EQ(O200k("it'\u017Fx"), (Pieces{"it'\u017F", "x"}));
}

TEST(PreTokenizerTest, O200kSplitsCaseChanges) {
  EXPECT_EQ(O200k("CamelCaseWord"), (Pieces{"Camel", "Case", "Word"}));
  EXPECT_EQ(O200k("HTTPServer"), (Pieces{"HTTPServer"}));
  EXPECT_EQ(O200k("ABC"), (Pieces{"ABC"}));
  EXPECT_EQ(O200k("abcDEF"), (Pieces{"abc", "DEF"}));
  EXPECT_EQ(Cl100k("CamelCaseWord"), (Pieces{"CamelCaseWord"}));
}

// Lm/Lo and marks count as both cases in o200k_base; the greedy upper-case run gives back its
// last such unit when no lower-case letter follows.
TEST(PreTokenizerTest, O200kBacktracksToTheLastCaselessLetter) {
  EXPECT_EQ(O200k("A\u4E2DB"), (Pieces{"A\u4E2D", "B"}));
  EXPECT_EQ(O200k("AB\u02B0CD"), (Pieces{"AB\u02B0", "CD"}));
  EXPECT_EQ(O200k("AB\u02B0CDe"), (Pieces{"AB\u02B0CDe"}));
  EXPECT_EQ(O200k("\u4E2D\u6587ABC"), (Pieces{"\u4E2D\u6587", "ABC"}));
  EXPECT_EQ(O200k("AB\u0301C"), (Pieces{"AB\u0301", "C"}));
}

TEST(PreTokenizerTest, MarksCanPrefixWords) {
  // o200k_base: a mark is also a caseless letter, so the first alternative ends after it.
  EXPECT_EQ(O200k("\u0301A"), (Pieces{"\u0301", "A"}));
  EXPECT_EQ(O200k("\u0301a"), (Pieces{"\u0301a"}));
  EXPECT_EQ(Cl100k("\u0301a"), (Pieces{"\u0301a"}));
  EXPECT_EQ(Cl100k("!\u0301"), (Pieces{"!\u0301"}));
}

TEST(PreTokenizerTest, NumbersComeInGroupsOfThree) {
  EXPECT_EQ(O200k("1234567"), (Pieces{"123", "456", "7"}));
  EXPECT_EQ(Cl100k(" 42"), (Pieces{" ", "42"}));
  EXPECT_EQ(O200k("\u0663\u0664\u0665\u0666"), (Pieces{"\u0663\u0664\u0665", "\u0666"}));
  EXPECT_EQ(O200k("x\u00B2"), (Pieces{"x", "\u00B2"}));
}

TEST(PreTokenizerTest, PunctuationKeepsTrailingNewlinesAndO200kSlashes) {
  EXPECT_EQ(Cl100k("!!\n\nx"), (Pieces{"!!\n\n", "x"}));
  EXPECT_EQ(O200k("});\n/x"), (Pieces{"});\n/", "x"}));
  EXPECT_EQ(Cl100k("});\n/x"), (Pieces{"});\n", "/x"}));
}

// Where tiktoken's Rust regex engine and JavaScript's disagree on \s, Tokenscope follows
// tiktoken: U+0085 is whitespace, U+FEFF is not.
TEST(PreTokenizerTest, WhitespaceIsUnicodeWhiteSpace) {
  EXPECT_EQ(O200k("a\u0085b"), (Pieces{"a", "\u0085b"}));
  EXPECT_EQ(O200k("\uFEFFhello"), (Pieces{"\uFEFFhello"}));
  EXPECT_EQ(O200k("a\u3000\u3000b"), (Pieces{"a", "\u3000", "\u3000b"}));
}

TEST(PreTokenizerTest, InvalidUtf8BytesAreSymbols) {
  EXPECT_EQ(O200k("ab\xff\xfe"
                  "cd"),
            (Pieces{"ab", "\xff\xfe", "cd"}));
  EXPECT_EQ(O200k("\xff"
                  "cd"),
            (Pieces{"\xff"
                    "cd"}));
  EXPECT_EQ(O200k("abc\xe4\xbd"), (Pieces{"abc", "\xe4\xbd"}));
  EXPECT_EQ(Cl100k("x \xc0\xaf\n"), (Pieces{"x", " \xc0\xaf\n"}));
  EXPECT_EQ(O200k("\xed\xa0\x80"), (Pieces{"\xed\xa0\x80"}));
}

TEST(PreTokenizerTest, PiecesCoverRandomBytesExactly) {
  std::mt19937 random(3);
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 64, '\0');
    for (char& c : text) {
      // Biased towards characters that exercise the patterns, with raw bytes mixed in.
      static const char kAlphabet[] = " \t\r\n'sStTaA1!/\xc3\xa9\xe4\xb8\xad\xcc\x81\xff";
      c = random() % 4 == 0 ? static_cast<char>(random())
                            : kAlphabet[random() % (sizeof(kAlphabet) - 1)];
    }
    for (SplitPattern pattern : {SplitPattern::kO200k, SplitPattern::kCl100k}) {
      std::string joined;
      for (const std::string& piece : Split(text, pattern)) {
        ASSERT_FALSE(piece.empty());
        joined += piece;
      }
      EXPECT_EQ(joined, text);
    }
  }
}

TEST(PreTokenizerTest, BacktrackingStaysLinear) {
  // Upper-case runs with caseless letters and marks inside are the only place where the
  // patterns backtrack; a megabyte of them must not go quadratic.
  std::string text;
  while (text.size() < (1 << 20)) text += "AB\u02B0CD\u0301E";
  const auto start = std::chrono::steady_clock::now();
  for (SplitPattern pattern : {SplitPattern::kO200k, SplitPattern::kCl100k}) {
    size_t total = 0;
    PreTokenizer pre(text, pattern);
    std::string_view piece;
    while (pre.Next(&piece)) total += piece.size();
    EXPECT_EQ(total, text.size());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace tokenscope::tokenize
