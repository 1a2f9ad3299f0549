#include "libs/common/terminal_text.h"

#include "gtest/gtest.h"

namespace poolops {
namespace {

using namespace std::string_view_literals;

TEST(TerminalTextTest, RemovesEscapeSequencesWhole) {
  EXPECT_EQ(SanitizeForTerminal("ok\x1b[2J\x1b[Hfine"), "okfine");
  EXPECT_EQ(SanitizeForTerminal("v\x1b[31;1m9.0\x1b[0m"), "v9.0");
  // Window title (OSC ... BEL and OSC ... ST), a DCS string, a charset switch.
  EXPECT_EQ(SanitizeForTerminal("a\x1b]0;pwned\x07"
                                "b"),
            "ab");
  EXPECT_EQ(SanitizeForTerminal("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "alink");
  EXPECT_EQ(SanitizeForTerminal("a\x1bPq#0\x1b\\b"), "ab");
  EXPECT_EQ(SanitizeForTerminal("a\x1b(0b\x1b"
                                "c"),
            "ab");
  EXPECT_EQ(SanitizeForTerminal("cut\x1b"), "cut");
}

TEST(TerminalTextTest, RemovesOtherControls) {
  EXPECT_EQ(SanitizeForTerminal("a\rb\bc\x07"
                                "d\x7f"
                                "e\x00"
                                "f"sv),
            "abcdef");
  // C1 controls (U+009B is the 8-bit CSI) and bidi overrides.
  EXPECT_EQ(SanitizeForTerminal("a\xc2\x9b"
                                "2Jb\xc2\x85"
                                "c"),
            "a2Jbc");
  EXPECT_EQ(SanitizeForTerminal("abc\xe2\x80\xae"
                                "fdp.exe\xe2\x81\xa9"),
            "abcfdp.exe");
  EXPECT_EQ(SanitizeForTerminal("line1\nline2\tx"), "line1 line2 x");
  EXPECT_EQ(SanitizeForTerminal("line1\nline2\tx", TerminalLines::kKeepBreaks),
            "line1\nline2\tx");
}

TEST(TerminalTextTest, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(SanitizeForTerminal("café ✓ 日本 🚀 v9.1.0"),
            "café ✓ 日本 🚀 v9.1.0");
  EXPECT_EQ(SanitizeForTerminal("a\xff"
                                "b"),
            "a\xEF\xBF\xBD"
            "b");
  // A lone 0x9b (8-bit CSI) is invalid UTF-8: replaced, never passed on.
  EXPECT_EQ(SanitizeForTerminal("a\x9b"
                                "2J"),
            "a\xEF\xBF\xBD"
            "2J");
  // Overlong '/' and a truncated sequence.
  EXPECT_EQ(SanitizeForTerminal("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeForTerminal("x\xe6\x97"), "x\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TerminalTextTest, IsValidUtf8) {
  EXPECT_TRUE(IsValidUtf8("café ✓ {\"a\":1}"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("a\xff"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
}

}  // namespace
}  // namespace poolops
