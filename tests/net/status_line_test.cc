#include <confcast/net/status_line.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace confcast::net {
namespace {

std::string Fit(const std::vector<std::string>& fields, std::size_t columns = kStatusColumns) {
  return FitStatus(fields, columns);
}

TEST(FitStatus, JoinsFieldsThatFit) {
  EXPECT_EQ(Fit({"30 fps", "lost 0", "p50 25.1 ms"}), "30 fps | lost 0 | p50 25.1 ms");
  EXPECT_EQ(Fit({}), "");
}

TEST(FitStatus, SkipsEmptyFields) {
  EXPECT_EQ(Fit({"", "30 fps", "", "lost 0"}), "30 fps | lost 0");
}

TEST(FitStatus, StopsAtTheFirstFieldThatDoesNotFit) {
  // 10 + 3 + 10 = 23 fits in 23; the next field would pass it, and the short one after it is
  // not moved up in its place: the line keeps its order of importance.
  const std::vector<std::string> f{"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "d"};
  EXPECT_EQ(Fit(f, 23), "aaaaaaaaaa | bbbbbbbbbb");
  EXPECT_EQ(Fit(f, 22), "aaaaaaaaaa");
  EXPECT_EQ(Fit(f, 40), "aaaaaaaaaa | bbbbbbbbbb | cccccccccc | d");
  EXPECT_EQ(Fit(f, 39), "aaaaaaaaaa | bbbbbbbbbb | cccccccccc");
}

TEST(FitStatus, NeverPassesTheColumnsOfAnEightyColumnTerminal) {
  // The receiver's widest figures: every prefix of these fields fits in 79 columns.
  std::vector<std::string> f{"NO SIGNAL for 12345.6 s", "shown 123456789 (240 fps)",
                             "lost 123456 after repair", "p50 12345.6 ms", "123456 kbit/s",
                             "999 src", "123456 s"};
  const std::string line = Fit(f);
  EXPECT_LE(line.size(), 79u) << line;
  EXPECT_EQ(line.rfind("NO SIGNAL", 0), 0u);
  for (std::size_t columns = 0; columns < 120; ++columns) {
    EXPECT_LE(Fit(f, columns).size(), columns) << columns;
  }
}

TEST(FitStatus, CutsAFirstFieldLongerThanTheLine) {
  EXPECT_EQ(Fit({std::string(100, 'x'), "y"}, 79), std::string(79, 'x'));
  EXPECT_EQ(Fit({"abcdef"}, 3), "abc");
  EXPECT_EQ(Fit({"abc"}, 0), "");
}

TEST(FitStatus, CountsCodePointsNotBytes) {
  // "±" is two bytes and one column; a cut never splits a character.
  EXPECT_EQ(Fit({"a±b", "c"}, 7), "a±b | c");
  EXPECT_EQ(Fit({"±±±±"}, 2), "±±");
}

}  // namespace
}  // namespace confcast::net
