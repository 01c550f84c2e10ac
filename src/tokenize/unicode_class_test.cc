#include "tokenize/unicode_class.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenscope::tokenize {
namespace {

TEST(UnicodeClassTest, ClassesOfRepresentativeCodePoints) {
  EXPECT_EQ(ClassOf('A'), CharClass::kUpper);
  EXPECT_EQ(ClassOf('z'), CharClass::kLower);
  EXPECT_EQ(ClassOf(0x01C5), CharClass::kUpper);         // ǅ, titlecase (Lt)
  EXPECT_EQ(ClassOf(0x02B0), CharClass::kLetterOther);   // ʰ, modifier letter (Lm)
  EXPECT_EQ(ClassOf(0x4E2D), CharClass::kLetterOther);   // 中 (Lo)
  EXPECT_EQ(ClassOf(0x20000), CharClass::kLetterOther);  // CJK extension B (Lo)
  EXPECT_EQ(ClassOf(0x1D400), CharClass::kUpper);        // mathematical bold A
  EXPECT_EQ(ClassOf(0x0301), CharClass::kMark);
  EXPECT_EQ(ClassOf(0x0903), CharClass::kMark);  // Devanagari visarga (Mc)
  EXPECT_EQ(ClassOf('7'), CharClass::kNumber);
  EXPECT_EQ(ClassOf(0x00BD), CharClass::kNumber);  // ½ (No)
  EXPECT_EQ(ClassOf(0x216B), CharClass::kNumber);  // Ⅻ (Nl)
  EXPECT_EQ(ClassOf(' '), CharClass::kSpace);
  EXPECT_EQ(ClassOf('\n'), CharClass::kSpace);
  EXPECT_EQ(ClassOf(0x0085), CharClass::kSpace);
  EXPECT_EQ(ClassOf(0x00A0), CharClass::kSpace);
  EXPECT_EQ(ClassOf(0x3000), CharClass::kSpace);
  EXPECT_EQ(ClassOf(0xFEFF), CharClass::kOther);  // not White_Space
  EXPECT_EQ(ClassOf(0x200B), CharClass::kOther);  // zero width space, neither
  EXPECT_EQ(ClassOf('!'), CharClass::kOther);
  EXPECT_EQ(ClassOf(0x1F600), CharClass::kOther);  // 😀
  EXPECT_EQ(ClassOf(0x10FFFF), CharClass::kOther);
  EXPECT_EQ(ClassOf(0x110000), CharClass::kOther);
}

Utf8Unit Decode(std::string_view bytes) {
  return DecodeUtf8(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

TEST(DecodeUtf8Test, WellFormedSequences) {
  EXPECT_EQ(Decode("a").code_point, U'a');
  EXPECT_EQ(Decode("\xc3\xa9").code_point, U'\u00E9');
  EXPECT_EQ(Decode("\xc3\xa9").length, 2);
  EXPECT_EQ(Decode("\xe4\xb8\xad").code_point, U'\u4E2D');
  EXPECT_EQ(Decode("\xe4\xb8\xad").char_class, CharClass::kLetterOther);
  EXPECT_EQ(Decode("\xf0\x9f\x98\x80").code_point, U'\U0001F600');
  EXPECT_EQ(Decode("\xf0\x9f\x98\x80").length, 4);
  EXPECT_EQ(Decode("\xf4\x8f\xbf\xbf").code_point, U'\U0010FFFF');
}

TEST(DecodeUtf8Test, IllFormedSequencesDecodeOneByteAtATime) {
  for (std::string_view bad : {
           std::string_view("\x80"),              // stray continuation
           std::string_view("\xc0\xaf"),          // overlong
           std::string_view("\xc1\xbf"),          // overlong
           std::string_view("\xe0\x80\xaf"),      // overlong
           std::string_view("\xed\xa0\x80"),      // surrogate
           std::string_view("\xf0\x80\x80\xaf"),  // overlong
           std::string_view("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string_view("\xf5\x80\x80\x80"),  // invalid lead
           std::string_view("\xff"),
           std::string_view("\xc3"),      // truncated
           std::string_view("\xe4\xb8"),  // truncated
           std::string_view("\xe4\xb8"
                            "a"),  // interrupted
       }) {
    const Utf8Unit unit = Decode(bad);
    EXPECT_EQ(unit.code_point, kInvalidCodePoint) << testing::PrintToString(std::string(bad));
    EXPECT_EQ(unit.length, 1);
    EXPECT_EQ(unit.char_class, CharClass::kOther);
  }
}

}  // namespace
}  // namespace tokenscope::tokenize
