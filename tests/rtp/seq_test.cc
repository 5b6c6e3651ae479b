#include <confcast/rtp/seq.h>
#include <gtest/gtest.h>

namespace confcast::rtp {
namespace {

class SeqWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, SeqWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(SeqWrap, NewerAndDiffAcrossWrap) {
  const std::uint16_t s = GetParam();
  for (int step : {1, 2, 100, 32767}) {
    const auto later = static_cast<std::uint16_t>(s + step);
    EXPECT_TRUE(SeqNewer(later, s)) << s << "+" << step;
    EXPECT_FALSE(SeqNewer(s, later));
    EXPECT_TRUE(SeqOlder(s, later));
    EXPECT_EQ(SeqDiff(later, s), step);
    EXPECT_EQ(SeqDiff(s, later), -step);
    EXPECT_EQ(SeqMax(s, later), later);
  }
  EXPECT_FALSE(SeqNewer(s, s));
  EXPECT_EQ(SeqDiff(s, s), 0);
  // Exactly half the space apart: exactly one of the two is newer.
  const auto half = static_cast<std::uint16_t>(s + 32768);
  EXPECT_NE(SeqNewer(half, s), SeqNewer(s, half));
}

TEST_P(SeqWrap, UnwrapsAMonotonicRunAcrossTheWrap) {
  SeqUnwrapper u;
  const std::uint16_t s = GetParam();
  const std::int64_t first = u.Unwrap(s);
  EXPECT_EQ(first, s);
  for (int i = 1; i <= 200000; i += 7) {
    EXPECT_EQ(u.Unwrap(static_cast<std::uint16_t>(s + i)), first + i) << "i=" << i;
  }
}

TEST_P(SeqWrap, UnwrapHandlesReorderingBackwardsAcrossTheWrap) {
  SeqUnwrapper u;
  const std::uint16_t s = GetParam();
  const std::int64_t base = u.Unwrap(s);
  EXPECT_EQ(u.Unwrap(static_cast<std::uint16_t>(s + 5)), base + 5);
  EXPECT_EQ(u.Unwrap(static_cast<std::uint16_t>(s - 3)), base - 3);  // late, from before
  EXPECT_EQ(u.Unwrap(static_cast<std::uint16_t>(s + 6)), base + 6);
  EXPECT_EQ(u.Peek(static_cast<std::uint16_t>(s + 10)), base + 10);
  EXPECT_EQ(u.last(), base + 6);  // Peek does not move the reference
}

class TsWrap : public ::testing::TestWithParam<std::uint32_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, TsWrap,
                         ::testing::Values(0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu,
                                           0xffffffffu));

TEST_P(TsWrap, NewerDiffAndUnwrap) {
  const std::uint32_t s = GetParam();
  TsUnwrapper u;
  const std::int64_t base = u.Unwrap(s);
  for (std::int64_t step = 3000; step < 4 * (std::int64_t{1} << 32); step += 900'000'000) {
    const auto later = static_cast<std::uint32_t>(s + static_cast<std::uint64_t>(step));
    EXPECT_EQ(u.Unwrap(later), base + step);
  }
  EXPECT_TRUE(TsNewer(s + 3000u, s));
  EXPECT_FALSE(TsNewer(s, s + 3000u));
  EXPECT_EQ(TsDiff(s + 3000u, s), 3000);
  EXPECT_EQ(TsDiff(s, s + 3000u), -3000);
}

TEST(Unwrapper, ResetStartsOver) {
  SeqUnwrapper u;
  u.Unwrap(65535);
  EXPECT_EQ(u.Unwrap(0), 65536);
  u.Reset();
  EXPECT_FALSE(u.last());
  EXPECT_EQ(u.Unwrap(0), 0);
}

}  // namespace
}  // namespace confcast::rtp
