#include "cli/format.h"

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace tokenscope::cli {
namespace {

TEST(FormatDurationTest, PicksAReadableUnit) {
  EXPECT_EQ(FormatDuration(0), "0ns");
  EXPECT_EQ(FormatDuration(850), "850ns");
  EXPECT_EQ(FormatDuration(999), "999ns");
  EXPECT_EQ(FormatDuration(1000), "1.00µs");
  EXPECT_EQ(FormatDuration(12'300), "12.30µs");
  EXPECT_EQ(FormatDuration(1'500'000), "1.50ms");
  EXPECT_EQ(FormatDuration(12'345'678), "12.35ms");
  EXPECT_EQ(FormatDuration(2'500'000'000), "2.50s");
  EXPECT_EQ(FormatDuration(59'000'000'000), "59.00s");
  EXPECT_EQ(FormatDuration(125'000'000'000), "2m05s");
  EXPECT_EQ(FormatDuration(3'720'000'000'000), "1h02m");
}

TEST(FormatDurationTest, RoundingNeverShowsAThousandOfAUnit) {
  EXPECT_EQ(FormatDuration(999'999), "1.00ms");
  EXPECT_EQ(FormatDuration(999'999'999), "1.00s");
  EXPECT_EQ(FormatDuration(59'999'000'000), "1m00s");
  EXPECT_EQ(FormatDuration(3'599'900'000'000), "1h00m");
}

TEST(FormatDurationTest, KeepsTheSignOfNegativeDurations) {
  EXPECT_EQ(FormatDuration(-1'500'000), "-1.50ms");
  EXPECT_EQ(FormatDuration(INT64_MIN).front(), '-');
}

class LocalTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    if (tz != nullptr) saved_tz_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_tz_.has_value()) {
      setenv("TZ", saved_tz_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> saved_tz_;
};

TEST_F(LocalTimeTest, FormatsIsoLikeWithMilliseconds) {
  EXPECT_EQ(FormatLocalTimestamp(1'763'000'000'123'456'789), "2025-11-13 02:13:20.123");
  EXPECT_EQ(FormatLocalTimestamp(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(FormatLocalTimestamp(-1'000'000), "1969-12-31 23:59:59.999");
}

TEST(SanitizeTest, ReplacesControlsAndInvalidUtf8) {
  EXPECT_EQ(SanitizeForTerminal("llm.generate"), "llm.generate");
  EXPECT_EQ(SanitizeForTerminal("a\x1b[31mb\n"), "a?[31mb?");
  EXPECT_EQ(SanitizeForTerminal("héllo → ✓"), "héllo → ✓");
  EXPECT_EQ(SanitizeForTerminal("\xff\xc3"), "??");
  EXPECT_EQ(SanitizeForTerminal("\xc2\x9b"), "??");       // C1 CSI
  EXPECT_EQ(SanitizeForTerminal("\xc0\xaf"), "??");       // overlong '/'
  EXPECT_EQ(SanitizeForTerminal("\xed\xa0\x80"), "???");  // surrogate
}

TEST(DisplayWidthTest, CountsCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("µs"), 2u);
  EXPECT_EQ(TruncateToWidth("abcdef", 4), "abc…");
  EXPECT_EQ(TruncateToWidth("abcd", 4), "abcd");
  EXPECT_EQ(TruncateToWidth("ééééé", 3), "éé…");
  EXPECT_EQ(TruncateToWidth("abc", 0), "");
}

TEST(TextTableTest, AlignsColumns) {
  TextTable table({{"NAME", TextTable::Align::kLeft, 0}, {"N", TextTable::Align::kRight, 0}});
  table.AddRow({"a", "1"});
  table.AddRow({"longer", "100"});
  EXPECT_EQ(table.Render(),
            "NAME      N\n"
            "a         1\n"
            "longer  100\n");
  EXPECT_EQ(table.row_count(), 2u);
}

TEST(TextTableTest, NoTrailingSpacesAndMissingCellsAreEmpty) {
  TextTable table({{"A", TextTable::Align::kLeft, 0}, {"B", TextTable::Align::kLeft, 0}});
  table.AddRow({"xyz"});
  table.AddRow({"q", "r", "dropped"});
  EXPECT_EQ(table.Render(),
            "A    B\n"
            "xyz\n"
            "q    r\n");
}

TEST(TextTableTest, TruncatesSanitizesAndHighlights) {
  TextTable table({{"NAME", TextTable::Align::kLeft, 5}});
  table.AddRow({"a\nverylongname"}, /*highlight=*/true);
  EXPECT_EQ(table.Render(), "NAME\na?ve…\n");
  EXPECT_EQ(table.Render(/*color=*/true), "NAME\n\x1b[31ma?ve…\x1b[0m\n");
}

TEST(TextTableTest, WidthCountsMultibyteCharactersOnce) {
  TextTable table({{"D", TextTable::Align::kRight, 0}, {"X", TextTable::Align::kLeft, 0}});
  table.AddRow({"1.00µs", "a"});
  table.AddRow({"1.00s", "b"});
  EXPECT_EQ(table.Render(),
            "     D  X\n"
            "1.00µs  a\n"
            " 1.00s  b\n");
}

}  // namespace
}  // namespace tokenscope::cli
