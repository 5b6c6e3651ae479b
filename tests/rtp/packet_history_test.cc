// Sender packet history: bounded by count and age, one retransmission per RTT per packet.
#include <confcast/rtp/packet_history.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;
using std::chrono::milliseconds;

Timestamp Ms(int ms) {
  return Timestamp{milliseconds(ms)};
}

class HistoryWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, HistoryWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(HistoryWrap, ResendsWhatWasSent) {
  PacketHistory h;
  for (int i = 0; i < 10; ++i) {
    const auto seq = static_cast<std::uint16_t>(GetParam() + i);
    const Buf packet = {static_cast<std::uint8_t>(i), 1, 2};
    h.Put(seq, packet, Ms(i));
  }
  const auto seq = static_cast<std::uint16_t>(GetParam() + 5);
  ResendDecision d = h.OnNack(seq, Ms(20), milliseconds(5));
  ASSERT_EQ(d.verdict, ResendVerdict::kResend);
  EXPECT_EQ(Buf(d.packet.begin(), d.packet.end()), (Buf{5, 1, 2}));
  EXPECT_EQ(h.OnNack(static_cast<std::uint16_t>(GetParam() + 10), Ms(20), milliseconds(5)).verdict,
            ResendVerdict::kUnknown);
  EXPECT_EQ(h.OnNack(static_cast<std::uint16_t>(GetParam() - 1), Ms(20), milliseconds(5)).verdict,
            ResendVerdict::kUnknown);
}

TEST(PacketHistory, ResendsAtMostOncePerRtt) {
  PacketHistory h;
  h.Put(100, Buf{1}, Ms(0));
  EXPECT_EQ(h.OnNack(100, Ms(10), milliseconds(5)).verdict, ResendVerdict::kResend);
  // Two more receivers ask within the RTT: the first retransmission serves them.
  EXPECT_EQ(h.OnNack(100, Ms(11), milliseconds(5)).verdict, ResendVerdict::kDeduplicated);
  EXPECT_EQ(h.OnNack(100, Ms(14), milliseconds(5)).verdict, ResendVerdict::kDeduplicated);
  // A request a full RTT later means the retransmission was lost too.
  EXPECT_EQ(h.OnNack(100, Ms(15), milliseconds(5)).verdict, ResendVerdict::kResend);
  EXPECT_EQ(h.stats().resends, 2u);
  EXPECT_EQ(h.stats().deduplicated, 2u);
}

TEST(PacketHistory, BoundedByCount) {
  PacketHistory h({.max_packets = 16, .max_age = milliseconds(1000)});
  for (int i = 0; i < 40; ++i) h.Put(static_cast<std::uint16_t>(i), Buf{1}, Ms(i));
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h.OnNack(23, Ms(40), milliseconds(1)).verdict, ResendVerdict::kUnknown);  // evicted
  EXPECT_EQ(h.OnNack(24, Ms(40), milliseconds(1)).verdict, ResendVerdict::kResend);
  EXPECT_EQ(h.OnNack(39, Ms(40), milliseconds(1)).verdict, ResendVerdict::kResend);
}

TEST(PacketHistory, BoundedByAge) {
  PacketHistory h({.max_packets = 1024, .max_age = milliseconds(100)});
  h.Put(1, Buf{1}, Ms(0));
  h.Put(2, Buf{2}, Ms(50));
  EXPECT_EQ(h.OnNack(1, Ms(101), milliseconds(1)).verdict, ResendVerdict::kUnknown);
  EXPECT_EQ(h.OnNack(2, Ms(101), milliseconds(1)).verdict, ResendVerdict::kResend);
  h.Put(3, Buf{3}, Ms(151));
  EXPECT_EQ(h.size(), 1u);
}

TEST(PacketHistory, ReusedSlotForgetsTheOldRetransmission) {
  PacketHistory h({.max_packets = 4, .max_age = milliseconds(1000)});
  h.Put(1, Buf{1}, Ms(0));
  EXPECT_EQ(h.OnNack(1, Ms(1), milliseconds(100)).verdict, ResendVerdict::kResend);
  h.Put(5, Buf{5}, Ms(2));  // same slot
  EXPECT_EQ(h.OnNack(1, Ms(3), milliseconds(100)).verdict, ResendVerdict::kUnknown);
  EXPECT_EQ(h.OnNack(5, Ms(3), milliseconds(100)).verdict, ResendVerdict::kResend);
}

TEST(PacketHistory, ClearForgetsEverything) {
  PacketHistory h;
  h.Put(7, Buf{7}, Ms(0));
  h.Clear();
  EXPECT_EQ(h.OnNack(7, Ms(1), milliseconds(1)).verdict, ResendVerdict::kUnknown);
  EXPECT_EQ(h.size(), 0u);
}

}  // namespace
}  // namespace confcast::rtp
