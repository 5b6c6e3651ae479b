#include <confcast/receiver/source_gate.h>
#include <confcast/rtp/seq.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace confcast::receiver {
namespace {

std::vector<std::uint8_t> Datagram(std::uint8_t tag) { return {0x80, 0x60, 0, 0, tag}; }
rtp::Timestamp At(int ms) { return rtp::Timestamp{ms * 1000}; }

class GateWrap : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(GateWrap, TwoSequentialPacketsValidateAndReleaseInOrder) {
  SourceGate gate;
  const std::uint16_t start = GetParam();
  EXPECT_FALSE(gate.Offer(7, start, Datagram(1), At(0), 0).has_value());
  auto out = gate.Offer(7, static_cast<std::uint16_t>(start + 1), Datagram(2), At(1), 0);
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].datagram, Datagram(1));
  EXPECT_EQ((*out)[1].datagram, Datagram(2));
  EXPECT_EQ((*out)[1].arrival, At(1));
  EXPECT_EQ(gate.candidates(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Starts, GateWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST(SourceGate, OutOfSequenceRestartsProbationButKeepsPackets) {
  SourceGate gate;
  EXPECT_FALSE(gate.Offer(7, 10, Datagram(1), At(0), 0));
  EXPECT_FALSE(gate.Offer(7, 20, Datagram(2), At(1), 0));
  EXPECT_FALSE(gate.Offer(7, 20, Datagram(3), At(2), 0));  // duplicate: not held
  auto out = gate.Offer(7, 21, Datagram(4), At(3), 0);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[2].datagram, Datagram(4));
  EXPECT_EQ(gate.held_dropped(), 1u);
}

TEST(SourceGate, HoldsAtMostMaxHeldPackets) {
  SourceGate gate(SourceGateConfig{.capacity = 4, .max_held = 2, .min_sequential = 5});
  for (std::uint16_t s = 0; s < 4; ++s) EXPECT_FALSE(gate.Offer(7, s, Datagram(static_cast<std::uint8_t>(s)), At(s), 0));
  auto out = gate.Offer(7, 4, Datagram(4), At(4), 0);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 2u);
  EXPECT_EQ(gate.held_dropped(), 3u);
}

TEST(SourceGate, RandomSsrcFloodStaysBoundedAndNeverValidates) {
  SourceGate gate(SourceGateConfig{.capacity = 16});
  std::uint32_t x = 12345;
  for (int i = 0; i < 10000; ++i) {
    x = x * 1664525u + 1013904223u;
    EXPECT_FALSE(gate.Offer(x, static_cast<std::uint16_t>(x >> 7), Datagram(0), At(i), x >> 3));
    ASSERT_LE(gate.candidates(), 16u);
  }
  EXPECT_GE(gate.evicted(), 10000u - 16u);
}

TEST(SourceGate, RealSourceValidatesDuringAFlood) {
  SourceGate gate(SourceGateConfig{.capacity = 16});
  std::uint32_t x = 99;
  std::uint16_t seq = 100;
  bool validated = false;
  // One real packet every 40 flood packets: random eviction lets it through within a few.
  for (int i = 0; i < 4000 && !validated; ++i) {
    x = x * 1664525u + 1013904223u;
    if (i % 40 == 0) {
      validated = gate.Offer(0xABCDu, seq++, Datagram(9), At(i), x >> 5).has_value();
    } else {
      (void)gate.Offer(x, 0, Datagram(0), At(i), x >> 5);
    }
  }
  EXPECT_TRUE(validated);
}

// A keyframe burst reordered on the way: no two arrivals in a row are in sequence, yet the
// packets show the sequence. Nothing is lost, and the packets come out in sequence order.
TEST(SourceGate, ReorderedBurstValidatesWithoutLosingPackets) {
  SourceGate gate;
  const std::uint16_t order[] = {65533, 65531, 65535, 65532, 0, 65534, 2, 1};
  std::optional<std::vector<SourceGate::Held>> out;
  int offered = 0;
  for (std::uint16_t s : order) {
    ++offered;
    out = gate.Offer(7, s, Datagram(static_cast<std::uint8_t>(s)), At(offered), 0);
    if (out) break;
  }
  ASSERT_TRUE(out);
  EXPECT_EQ(gate.held_dropped(), 0u);
  ASSERT_EQ(out->size(), static_cast<std::size_t>(offered));
  for (std::size_t i = 1; i < out->size(); ++i) {
    EXPECT_GT(rtp::SeqDiff((*out)[i].seq, (*out)[i - 1].seq), 0) << "released in sequence order";
  }
}

TEST(SourceGate, HeldPacketsAreBoundedAcrossCandidates) {
  SourceGate gate(SourceGateConfig{.capacity = 64, .max_held = 32, .max_held_total = 100});
  std::uint32_t x = 7;
  // Many SSRCs each sending scattered (never consecutive) sequence numbers.
  for (int i = 0; i < 5000; ++i) {
    x = x * 1664525u + 1013904223u;
    const auto ssrc = static_cast<std::uint32_t>(i % 40);
    EXPECT_FALSE(gate.Offer(ssrc, static_cast<std::uint16_t>((i / 40) * 3), Datagram(0), At(i), x >> 4));
    ASSERT_LE(gate.held(), 100u);
  }
  EXPECT_LE(gate.candidates(), 64u);
  EXPECT_GT(gate.evicted(), 0u);
}

}  // namespace
}  // namespace confcast::receiver
