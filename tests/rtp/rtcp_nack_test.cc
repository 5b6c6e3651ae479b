// Generic NACK FCI build/expand (RFC 4585 6.2.1), replayed from sequence-number starts on
// both sides of every wrap point.
#include <gtest/gtest.h>

#include <vector>

#include "confcast/rtp/rtcp.h"

namespace confcast::rtp {
namespace {

std::uint16_t At(std::uint16_t start, int offset) {
  return static_cast<std::uint16_t>(start + offset);
}

class NackWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, NackWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(NackWrap, BuildsMinimalEntries) {
  const std::uint16_t s = GetParam();
  const std::vector<std::uint16_t> lost = {At(s, 0),  At(s, 1),  At(s, 3),
                                           At(s, 16), At(s, 17), At(s, 40)};
  const std::vector<NackItem> expected = {
      {At(s, 0), 0x8005},  // bits 0, 2, 15: s+1, s+3, s+16
      {At(s, 17), 0},
      {At(s, 40), 0},
  };
  EXPECT_EQ(BuildNackItems(lost), expected);
  EXPECT_EQ(ExpandNack(expected), lost);
}

TEST_P(NackWrap, ConsecutiveRunNeedsOneEntryPerSeventeen) {
  const std::uint16_t s = GetParam();
  std::vector<std::uint16_t> lost;
  for (int i = 0; i < 100; ++i) lost.push_back(At(s, i));
  const auto items = BuildNackItems(lost);
  ASSERT_EQ(items.size(), 6u);  // ceil(100 / 17)
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(items[i].pid, At(s, static_cast<int>(17 * i)));
    EXPECT_EQ(items[i].blp, 0xffff);
  }
  EXPECT_EQ(items[5].pid, At(s, 85));
  EXPECT_EQ(items[5].blp, 0x3fff);  // s+86 .. s+99
  EXPECT_EQ(ExpandNack(items), lost);
}

TEST_P(NackWrap, SparseLossRoundTripsThroughAPacket) {
  const std::uint16_t s = GetParam();
  std::vector<std::uint16_t> lost;
  for (int i = -60; i < 200; i += 3) lost.push_back(At(s, i));  // straddles the start
  const Nack nack{0x11, 0x22, BuildNackItems(lost)};
  auto bytes = Serialize(nack);
  ASSERT_TRUE(bytes.has_value());
  auto parsed = ParseRtcpPacket(*bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(ExpandNack(std::get<Nack>(*parsed).items), lost);
  // Every third packet: an entry covers PID and the 5 set bits up to +15.
  EXPECT_EQ(nack.items.size(), (lost.size() + 5) / 6);
}

TEST_P(NackWrap, DuplicatesIgnoredAndOutOfOrderStillCovered) {
  const std::uint16_t s = GetParam();
  const std::vector<std::uint16_t> lost = {At(s, 0), At(s, 0), At(s, 2), At(s, 2), At(s, -5)};
  const auto items = BuildNackItems(lost);
  const std::vector<NackItem> expected = {{At(s, 0), 0x0002}, {At(s, -5), 0}};
  EXPECT_EQ(items, expected);
}

TEST(Nack, EmptyInputs) {
  EXPECT_TRUE(BuildNackItems({}).empty());
  EXPECT_TRUE(ExpandNack({}).empty());
}

TEST(Nack, ExpandsEveryBlpBit) {
  const std::vector<NackItem> items = {{65530, 0xffff}};
  std::vector<std::uint16_t> expected;
  for (int i = 0; i <= 16; ++i) expected.push_back(At(65530, i));
  EXPECT_EQ(ExpandNack(items), expected);
}

}  // namespace
}  // namespace confcast::rtp
