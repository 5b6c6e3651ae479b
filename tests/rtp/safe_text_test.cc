// SafeText: untrusted network text made safe for terminals, titles, logs and file names.
#include <confcast/rtp/safe_text.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace confcast::rtp {
namespace {

const std::string R(kReplacementCharacter);  // U+FFFD
const std::string E(kEllipsis);              // U+2026

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// What every output must satisfy, whatever the input.
void ExpectSafe(const std::string& out, std::size_t cap, const std::string& what) {
  EXPECT_LE(out.size(), cap) << what;
  EXPECT_TRUE(IsValidUtf8(out)) << what;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(out[i]);
    ASSERT_GE(b, 0x20) << what << " at " << i;
    ASSERT_NE(b, 0x7F) << what << " at " << i;
    if (b == 0xC2 && i + 1 < out.size()) {
      ASSERT_GE(static_cast<std::uint8_t>(out[i + 1]), 0xA0) << what << ": C1 at " << i;
    }
    if (b == 0xE2 && i + 2 < out.size()) {
      const auto b1 = static_cast<std::uint8_t>(out[i + 1]);
      const auto b2 = static_cast<std::uint8_t>(out[i + 2]);
      const bool override = b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE;
      const bool isolate = b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9;
      const bool separator = b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9);
      ASSERT_FALSE(override || isolate || separator) << what << ": bidi/separator at " << i;
    }
  }
}

TEST(SafeText, TheMeasuredTerminalAttackIsDefused) {
  // The SDES NAME that reached stderr raw: retitles the terminal and paints it red.
  const std::string attack = "\x1b]0;PWNED\x07\x1b[31m RED \x1b[0m";
  const std::string out = SafeText(attack);
  EXPECT_EQ(out, R + "]0;PWNED" + R + R + "[31m RED " + R + "[0m");
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x07'), std::string::npos);
  ExpectSafe(out, kSafeTextDefaultMaxBytes, "attack");
}

TEST(SafeText, PlainTextPassesUnchanged) {
  for (const std::string s : {"", "alice", "cam 1 (desk)", "Zo\xC3\xAB", "\xE6\x97\xA5\xE6\x9C\xAC",
                              "\xF0\x9F\x8E\xA5 studio", "e\xCC\x81", "\xEF\xBF\xBD",
                              "\xC2\xA0nbsp", "\xE2\x80\x8F rlm is a mark, not an override"}) {
    EXPECT_EQ(SafeText(s), s) << s;
  }
  std::string printable;
  for (int c = 0x20; c < 0x7F; ++c) printable.push_back(static_cast<char>(c));
  EXPECT_EQ(SafeText(printable), printable);
}

TEST(SafeText, EveryC0ControlAndDelIsReplaced) {
  for (int c = 0; c < 0x20; ++c) {
    EXPECT_EQ(SafeText("a" + Bytes({c}) + "b"), "a" + R + "b") << c;
  }
  EXPECT_EQ(SafeText("a\x7f" "b"), "a" + R + "b");
  EXPECT_EQ(SafeText("line1\r\nline2\tx"), "line1" + R + R + "line2" + R + "x");
  EXPECT_EQ(SafeText(std::string("nul\0here", 8)), "nul" + R + "here");
}

TEST(SafeText, EveryC1ControlIsReplaced) {
  for (int c = 0x80; c <= 0x9F; ++c) {
    EXPECT_EQ(SafeText(Bytes({'a', 0xC2, c, 'b'})), "a" + R + "b") << c;  // U+0080..U+009F
    EXPECT_EQ(SafeText(Bytes({'a', c, 'b'})), "a" + R + "b") << c;        // a bare 8-bit CSI
  }
  EXPECT_EQ(SafeText(Bytes({0xC2, 0xA0})), Bytes({0xC2, 0xA0}));  // U+00A0 is printable
}

TEST(SafeText, EveryLoneHighByteIsReplaced) {
  for (int c = 0x80; c <= 0xFF; ++c) EXPECT_EQ(SafeText(Bytes({c})), R) << c;
}

TEST(SafeText, BidiOverridesIsolatesAndSeparatorsAreReplaced) {
  for (int c = 0x2A; c <= 0x2E; ++c) {
    EXPECT_EQ(SafeText("x" + Bytes({0xE2, 0x80, 0x80 | c}) + "y"), "x" + R + "y") << c;
  }
  for (int c = 0x26; c <= 0x29; ++c) {
    EXPECT_EQ(SafeText("x" + Bytes({0xE2, 0x81, 0x80 | c}) + "y"), "x" + R + "y") << c;
  }
  EXPECT_EQ(SafeText("x\xE2\x80\xA8y\xE2\x80\xA9z"), "x" + R + "y" + R + "z");
  // "Trojan source": an RLO would show "txt.exe" as "exe.txt".
  EXPECT_EQ(SafeText("photo\xE2\x80\xAEgpj.exe"), "photo" + R + "gpj.exe");
}

// Unicode 15, section 3.9, tables 3-8 to 3-11: one U+FFFD per maximal subpart.
TEST(SafeText, InvalidUtf8BecomesOneReplacementPerMaximalSubpart) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {Bytes({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64}),
       "a" + R + R + R + "b" + R + "c" + R + R + "d"},
      {Bytes({0xC0, 0xAF, 0xE0, 0x80, 0xBF, 0xF0, 0x81, 0x82, 0x41}), Repeat(R, 8) + "A"},
      {Bytes({0xED, 0xA0, 0x80, 0xED, 0xBF, 0xBF, 0xED, 0xAF, 0x41}), Repeat(R, 8) + "A"},
      {Bytes({0xF4, 0x91, 0x92, 0x93, 0xFF, 0x41, 0x80, 0xBF, 0x42}),
       Repeat(R, 5) + "A" + R + R + "B"},
      {Bytes({0xE1, 0x80, 0xE2, 0xF0, 0x91, 0x92, 0xF1, 0xBF, 0x41}), Repeat(R, 4) + "A"},
  };
  for (const Case& c : cases) EXPECT_EQ(SafeText(c.in), c.out);
}

TEST(SafeText, OverlongsSurrogatesAndBeyondUnicodeAreInvalid) {
  const std::vector<std::string> invalid = {
      Bytes({0xC0, 0x80}),              // overlong NUL
      Bytes({0xC1, 0xBF}),              // overlong DEL... and more
      Bytes({0xE0, 0x80, 0xAF}),        // overlong '/'
      Bytes({0xE0, 0x9F, 0xBF}),        // overlong U+07FF
      Bytes({0xF0, 0x80, 0x80, 0xAF}),  // overlong '/'
      Bytes({0xF0, 0x8F, 0xBF, 0xBF}),  // overlong U+FFFF
      Bytes({0xED, 0xA0, 0x80}),        // U+D800
      Bytes({0xED, 0xBF, 0xBF}),        // U+DFFF
      Bytes({0xF4, 0x90, 0x80, 0x80}),  // U+110000
      Bytes({0xF5, 0x80, 0x80, 0x80}),
      Bytes({0xF8, 0x88, 0x80, 0x80, 0x80}),  // old 5-byte form
      Bytes({0xFE}), Bytes({0xFF}),
  };
  for (const std::string& s : invalid) {
    const std::string out = SafeText("<" + s + ">");
    EXPECT_FALSE(IsValidUtf8(s));
    EXPECT_EQ(out.front(), '<');
    EXPECT_EQ(out.back(), '>');
    const std::string mid = out.substr(1, out.size() - 2);  // nothing of the input survives
    EXPECT_FALSE(mid.empty());
    EXPECT_EQ(mid, Repeat(R, static_cast<int>(mid.size() / 3)));
    ExpectSafe(out, kSafeTextDefaultMaxBytes, "invalid");
  }
  // The extremes that are valid stay.
  for (const std::string& s : {Bytes({0xC2, 0xA0}), Bytes({0xDF, 0xBF}), Bytes({0xE0, 0xA0, 0x80}),
                               Bytes({0xED, 0x9F, 0xBF}), Bytes({0xEE, 0x80, 0x80}),
                               Bytes({0xF0, 0x90, 0x80, 0x80}), Bytes({0xF4, 0x8F, 0xBF, 0xBF})}) {
    EXPECT_TRUE(IsValidUtf8(s));
    EXPECT_EQ(SafeText(s), s);
  }
}

TEST(SafeText, TruncatedSequencesAtTheEndAndInTheMiddle) {
  EXPECT_EQ(SafeText(Bytes({'a', 0xE2, 0x82})), "a" + R);
  EXPECT_EQ(SafeText(Bytes({'a', 0xF0, 0x9F, 0x8E})), "a" + R);
  EXPECT_EQ(SafeText(Bytes({'a', 0xC3})), "a" + R);
  EXPECT_EQ(SafeText(Bytes({0xE2, 0x82, 'A'})), R + "A");
  EXPECT_EQ(SafeText(Bytes({0xF0, 0x9F, 0x8E, 0xF0, 0x9F, 0x8E, 0xA5})), R + "\xF0\x9F\x8E\xA5");
}

TEST(SafeText, LongTextIsCutAtACharacterBoundaryWithAnEllipsis) {
  const std::string ascii(200, 'x');
  EXPECT_EQ(SafeText(ascii), std::string(125, 'x') + E);
  EXPECT_EQ(SafeText(ascii, 10), std::string(7, 'x') + E);
  EXPECT_EQ(SafeText(std::string(128, 'y')), std::string(128, 'y'));  // exactly the cap
  EXPECT_EQ(SafeText(std::string(129, 'y')), std::string(125, 'y') + E);

  const std::string kanji = "\xE6\x97\xA5";  // 3 bytes
  const std::string cut = SafeText(Repeat(kanji, 100));
  EXPECT_EQ(cut, Repeat(kanji, 41) + E);  // 123 + 3 bytes: the 42nd would pass 125
  const std::string emoji = "\xF0\x9F\x8E\xA5";  // 4 bytes
  for (std::size_t cap = 0; cap < 40; ++cap) {
    for (const std::string& s : {Repeat(emoji, 20), Repeat(kanji, 20), "a" + Repeat(emoji, 20),
                                 Repeat("\x1b", 30)}) {
      const std::string out = SafeText(s, cap);
      ExpectSafe(out, cap, "cap " + std::to_string(cap));
      if (cap >= 3 && out != SafeText(s, 1000)) {
        EXPECT_TRUE(out.ends_with(E)) << cap;
      }
    }
  }
  EXPECT_EQ(SafeText("abc", 2), "ab");  // no room for the marker
  EXPECT_EQ(SafeText("abc", 0), "");
  EXPECT_EQ(SafeText("abc", 3), "abc");
  // Replacements count: 100 ESC bytes are 300 bytes of U+FFFD.
  EXPECT_EQ(SafeText(std::string(100, '\x1b')), Repeat(R, 41) + E);
}

TEST(SafeText, HugeInputCostsOnlyTheCap) {
  const std::string big(8 << 20, '\x9b');  // 8 MB of 8-bit CSI
  const std::string out = SafeText(big, 64);
  EXPECT_EQ(out, Repeat(R, 20) + E);
}

TEST(SafeText, EveryTwoByteInputIsSafe) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string in = Bytes({a, b});
      const std::string out = SafeText(in);
      ExpectSafe(out, kSafeTextDefaultMaxBytes, in);
      if (IsValidUtf8(in) && out == in) continue;
      EXPECT_NE(out.find(R), std::string::npos) << a << ' ' << b;  // changed only by replacing
    }
  }
}

TEST(SafeText, EveryThreeByteSequenceFromAMultiByteLeadIsSafe) {
  for (int a = 0xC0; a < 0x100; ++a) {
    for (int b = 0x70; b < 0xD0; ++b) {
      for (int c = 0; c < 256; c += 3) ExpectSafe(SafeText(Bytes({a, b, c}), 8), 8, "3-byte");
    }
  }
}

TEST(SafeFileName, NoPathSeparatorsNoHiddenFilesNoEmptyNames) {
  EXPECT_EQ(SafeFileName("../../etc/passwd"), "_._.._etc_passwd");
  EXPECT_EQ(SafeFileName("a\\b"), "a_b");
  EXPECT_EQ(SafeFileName(".hidden"), "_hidden");
  EXPECT_EQ(SafeFileName(""), "_");
  EXPECT_EQ(SafeFileName("cam\x1b[2J"), "cam" + R + "[2J");
  EXPECT_EQ(SafeFileName("alice"), "alice");
  EXPECT_EQ(SafeFileName(std::string(300, 'n'), 64).size(), 64u);
}

TEST(SafeText, Utf8LengthCountsCharacters) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Zo\xC3\xAB"), 3u);
  EXPECT_EQ(Utf8Length(R + "x" + E), 3u);
}

}  // namespace
}  // namespace confcast::rtp
