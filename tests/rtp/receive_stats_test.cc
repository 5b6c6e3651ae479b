// ReceiveStatistics: RFC 3550 A.1 validation, A.3 loss, A.8 jitter, 6.4.1 LSR/DLSR, and the
// sender-side round-trip time. Time is fake: arrivals are plain microsecond values.
#include "confcast/rtp/receive_stats.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace confcast::rtp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::uint32_t kSsrc = 0x12345678;
constexpr std::uint32_t kVideoClock = 90000;
constexpr std::uint32_t kTsPerPacket = 1800;  // 20 ms at 90 kHz
constexpr Timestamp kStart = microseconds{1'234'567};
constexpr Duration kPacketInterval = milliseconds{20};

// Feeds sequence numbers on a perfectly paced 20 ms / 1800-tick grid indexed by `sequence`
// relative to `first`, so the timing never disturbs the jitter under test.
class Feeder {
 public:
  explicit Feeder(ReceiveStatistics& stats, std::uint16_t first) : stats_(stats), first_(first) {}
  PacketVerdict Send(std::uint16_t sequence, std::size_t bytes = 100) {
    const auto index = static_cast<std::uint16_t>(sequence - first_);
    const auto ts = static_cast<std::uint32_t>(0x1000 + index * kTsPerPacket);
    return stats_.OnPacket(sequence, ts, kStart + index * kPacketInterval, bytes);
  }

 private:
  ReceiveStatistics& stats_;
  std::uint16_t first_;
};

TEST(ReceiveStats, FirstPacketAloneIsOnProbation) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 1000);
  EXPECT_EQ(feed.Send(1000), PacketVerdict::kProbation);
  EXPECT_FALSE(stats.validated());
  EXPECT_EQ(stats.received(), 0u);
  EXPECT_EQ(stats.Expected(), 0);
  EXPECT_FALSE(stats.MakeReportBlock(kStart).has_value());
  EXPECT_EQ(stats.counters().discarded, 1u);
}

TEST(ReceiveStats, SecondSequentialPacketValidates) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 1000);
  EXPECT_EQ(feed.Send(1000), PacketVerdict::kProbation);
  EXPECT_EQ(feed.Send(1001), PacketVerdict::kValid);
  EXPECT_TRUE(stats.validated());
  // Statistics start at the validating packet, as in A.1 (init_seq on the second packet).
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.Expected(), 1);
  EXPECT_EQ(stats.ExtendedHighestSequence(), 1001u);
}

// Behind a gate that validated the source already (the receiver's SourceGate), the first
// packet handed over starts the statistics: probation has one owner.
TEST(ReceiveStats, MinSequentialOneValidatesOnTheFirstPacket) {
  ReceiveStatistics stats(kSsrc, kVideoClock, /*min_sequential=*/1);
  Feeder feed(stats, 1000);
  EXPECT_EQ(feed.Send(1000), PacketVerdict::kValid);
  EXPECT_TRUE(stats.validated());
  EXPECT_EQ(feed.Send(1002), PacketVerdict::kValid);
  EXPECT_EQ(stats.received(), 2u);
  EXPECT_EQ(stats.Expected(), 3);
  EXPECT_EQ(stats.CumulativeLost(), 1);
  EXPECT_EQ(stats.counters().discarded, 0u);
}

TEST(ReceiveStats, NonSequentialPacketRestartsProbation) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 100);
  EXPECT_EQ(feed.Send(100), PacketVerdict::kProbation);
  EXPECT_EQ(feed.Send(200), PacketVerdict::kProbation);  // not 101: probation restarts at 200
  EXPECT_FALSE(stats.validated());
  EXPECT_EQ(feed.Send(102), PacketVerdict::kProbation);  // not 201 either
  EXPECT_EQ(feed.Send(103), PacketVerdict::kValid);
  EXPECT_EQ(stats.ExtendedHighestSequence(), 103u);
  EXPECT_EQ(stats.Expected(), 1);
  EXPECT_EQ(stats.counters().discarded, 3u);
}

TEST(ReceiveStats, InOrderStreamHasNoLoss) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 1000);
  ASSERT_EQ(feed.Send(1000), PacketVerdict::kProbation);
  for (std::uint16_t s = 1001; s < 1100; ++s) ASSERT_EQ(feed.Send(s, 50), PacketVerdict::kValid);
  EXPECT_EQ(stats.received(), 99u);
  EXPECT_EQ(stats.Expected(), 99);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.counters().packets, 99u);
  EXPECT_EQ(stats.counters().payload_bytes, 99u * 50u);
  EXPECT_EQ(stats.counters().duplicate_or_old, 0u);
  const auto block = stats.MakeReportBlock(kStart + seconds{3});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->ssrc, kSsrc);
  EXPECT_EQ(block->fraction_lost, 0);
  EXPECT_EQ(block->cumulative_lost, 0);
  EXPECT_EQ(block->extended_highest_seq, 1099u);
  EXPECT_EQ(block->jitter, 0u);
  EXPECT_EQ(block->last_sr, 0u);
  EXPECT_EQ(block->delay_since_last_sr, 0u);
}

TEST(ReceiveStats, OneLostPacketOutOfFourGivesFraction64) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  ASSERT_EQ(feed.Send(11), PacketVerdict::kValid);  // base
  ASSERT_EQ(feed.Send(12), PacketVerdict::kValid);
  ASSERT_EQ(feed.Send(14), PacketVerdict::kValid);  // 13 is lost
  EXPECT_EQ(stats.Expected(), 4);                   // 11..14
  EXPECT_EQ(stats.CumulativeLost(), 1);
  const auto block = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->fraction_lost, 64);  // 1/4 * 256
  EXPECT_EQ(block->cumulative_lost, 1);
  EXPECT_EQ(block->extended_highest_seq, 14u);
}

TEST(ReceiveStats, FractionLostCoversOnlyTheLastInterval) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  for (std::uint16_t s = 11; s <= 20; ++s) {
    if (s != 15) {
      ASSERT_EQ(feed.Send(s), PacketVerdict::kValid);
    }
  }
  auto first = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->fraction_lost, 25);  // 1 of 10: 256 / 10 = 25.6, truncated
  EXPECT_FALSE(stats.ReceivedSinceLastReport());

  for (std::uint16_t s = 21; s <= 28; ++s) {
    if (s != 22 && s != 27) {
      ASSERT_EQ(feed.Send(s), PacketVerdict::kValid);
    }
  }
  EXPECT_TRUE(stats.ReceivedSinceLastReport());
  // Peek does not start a new interval; both report the same block.
  const auto peeked = stats.PeekReportBlock(kStart + seconds{2});
  const auto second = stats.MakeReportBlock(kStart + seconds{2});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(peeked, second);
  EXPECT_EQ(second->fraction_lost, 64);  // 2 of 8
  EXPECT_EQ(second->cumulative_lost, 3);

  ASSERT_EQ(feed.Send(29), PacketVerdict::kValid);
  const auto third = stats.MakeReportBlock(kStart + seconds{3});
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->fraction_lost, 0);
  EXPECT_EQ(third->cumulative_lost, 3);
}

TEST(ReceiveStats, ReorderedPacketIsCountedNotLost) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  EXPECT_EQ(feed.Send(11), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(12), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(14), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(13), PacketVerdict::kDuplicateOrOld);
  EXPECT_EQ(feed.Send(15), PacketVerdict::kValid);
  EXPECT_EQ(stats.ExtendedHighestSequence(), 15u);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.counters().duplicate_or_old, 1u);
  const auto block = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->fraction_lost, 0);
}

TEST(ReceiveStats, DuplicatesMakeCumulativeLostNegative) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  EXPECT_EQ(feed.Send(11), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(12), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(12), PacketVerdict::kDuplicateOrOld);  // duplicate of the highest
  EXPECT_EQ(feed.Send(11), PacketVerdict::kDuplicateOrOld);  // duplicate of an older one
  EXPECT_EQ(stats.Expected(), 2);
  EXPECT_EQ(stats.received(), 4u);
  EXPECT_EQ(stats.CumulativeLost(), -2);  // RFC 3550 6.4.1: negative with duplicates
  const auto block = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->cumulative_lost, -2);
  EXPECT_EQ(block->fraction_lost, 0);  // negative interval loss reports 0
  EXPECT_EQ(stats.counters().duplicate_or_old, 2u);
}

TEST(ReceiveStats, DropoutAndMisorderBoundaries) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10000);
  ASSERT_EQ(feed.Send(10000), PacketVerdict::kProbation);
  ASSERT_EQ(feed.Send(10001), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(10001 + 2999), PacketVerdict::kValid);         // just under MAX_DROPOUT
  EXPECT_EQ(feed.Send(13000 - 99), PacketVerdict::kDuplicateOrOld);  // 99 behind: old
  EXPECT_EQ(feed.Send(13000 - 100), PacketVerdict::kBadJump);        // 100 behind: a jump
  EXPECT_EQ(feed.Send(13000 + 3000), PacketVerdict::kBadJump);       // MAX_DROPOUT ahead
  EXPECT_EQ(stats.ExtendedHighestSequence(), 13000u);
  EXPECT_EQ(stats.counters().discarded, 3u);  // probation + 2 jumps
}

TEST(ReceiveStats, SingleStrayJumpIsDiscarded) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  for (std::uint16_t s = 11; s <= 20; ++s) ASSERT_EQ(feed.Send(s), PacketVerdict::kValid);
  EXPECT_EQ(feed.Send(40000), PacketVerdict::kBadJump);
  EXPECT_EQ(feed.Send(21), PacketVerdict::kValid);  // the stream goes on: no resync
  EXPECT_EQ(stats.ExtendedHighestSequence(), 21u);
  EXPECT_EQ(stats.Expected(), 11);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.counters().resyncs, 0u);
}

TEST(ReceiveStats, RepeatedJumpIsASenderRestart) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 10);
  ASSERT_EQ(feed.Send(10), PacketVerdict::kProbation);
  for (std::uint16_t s = 11; s <= 20; ++s) {
    if (s != 13) {
      ASSERT_EQ(feed.Send(s), PacketVerdict::kValid);
    }
  }
  ASSERT_EQ(stats.CumulativeLost(), 1);
  EXPECT_EQ(feed.Send(40000), PacketVerdict::kBadJump);
  EXPECT_EQ(feed.Send(40001), PacketVerdict::kResync);
  // Statistics restart at the resync packet; lifetime counters keep going.
  EXPECT_EQ(stats.ExtendedHighestSequence(), 40001u);
  EXPECT_EQ(stats.Expected(), 1);
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.counters().resyncs, 1u);
  EXPECT_EQ(stats.counters().packets, 10u);
  EXPECT_EQ(feed.Send(40002), PacketVerdict::kValid);
  const auto block = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->cumulative_lost, 0);
  EXPECT_EQ(block->fraction_lost, 0);
  EXPECT_EQ(block->extended_highest_seq, 40002u);
}

TEST(ReceiveStats, CumulativeLostIsClampedTo24BitsInTheBlock) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  ASSERT_EQ(stats.OnPacket(0, 0, kStart, 10), PacketVerdict::kProbation);
  ASSERT_EQ(stats.OnPacket(1, 0, kStart, 10), PacketVerdict::kValid);
  // Jumps of 2999 lose 2998 packets each without tripping MAX_DROPOUT.
  std::uint16_t seq = 1;
  for (int i = 0; i < 2800; ++i) {
    seq = static_cast<std::uint16_t>(seq + 2999);
    ASSERT_EQ(stats.OnPacket(seq, 0, kStart, 10), PacketVerdict::kValid) << i;
  }
  EXPECT_EQ(stats.CumulativeLost(), 2800 * 2998);
  const auto block = stats.MakeReportBlock(kStart);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->cumulative_lost, kMaxCumulativeLost);
  EXPECT_EQ(block->fraction_lost, 255);  // 2998 * 2800 of 2999 * 2800 + 1 expected
}

TEST(ReceiveStats, CumulativeLostClampsAtTheNegativeEndToo) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  ASSERT_EQ(stats.OnPacket(0, 0, kStart, 10), PacketVerdict::kProbation);
  ASSERT_EQ(stats.OnPacket(1, 0, kStart, 10), PacketVerdict::kValid);
  // 2^23 duplicates: lost = 1 - (2^23 + 1) = -2^23, the 24-bit minimum; one more passes it.
  for (int i = 0; i < (1 << 23); ++i) (void)stats.OnPacket(1, 0, kStart, 10);
  EXPECT_EQ(stats.CumulativeLost(), -(std::int64_t{1} << 23));
  (void)stats.OnPacket(1, 0, kStart, 10);
  EXPECT_EQ(stats.CumulativeLost(), -(std::int64_t{1} << 23) - 1);
  const auto block = stats.MakeReportBlock(kStart);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->cumulative_lost, kMinCumulativeLost);
}

TEST(ReceiveStats, SeveralWrapsWithRegularLoss) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 0);
  ASSERT_EQ(feed.Send(0), PacketVerdict::kProbation);
  ASSERT_EQ(feed.Send(1), PacketVerdict::kValid);
  constexpr std::int64_t kLast = 3 * 65536 + 10;  // three wraps
  std::int64_t lost = 0;
  for (std::int64_t n = 2; n <= kLast; ++n) {
    if (n % 1000 == 0) {
      ++lost;
      continue;
    }
    ASSERT_EQ(feed.Send(static_cast<std::uint16_t>(n)), PacketVerdict::kValid) << n;
  }
  EXPECT_EQ(stats.ExtendedHighestSequence(), static_cast<std::uint32_t>(kLast));
  EXPECT_EQ(stats.Expected(), kLast);  // 1 .. kLast
  EXPECT_EQ(stats.CumulativeLost(), lost);
  const auto block = stats.MakeReportBlock(kStart);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->fraction_lost, lost * 256 / kLast);
}

// Wrap-around mid-stream: the extended highest sequence keeps counting and nothing is lost.
class ReceiveStatsWrap : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(ReceiveStatsWrap, InOrderAcrossWrap) {
  const std::uint16_t start = GetParam();
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, start);
  ASSERT_EQ(feed.Send(start), PacketVerdict::kProbation);
  for (int i = 1; i < 200; ++i) {
    ASSERT_EQ(feed.Send(static_cast<std::uint16_t>(start + i)), PacketVerdict::kValid) << i;
  }
  const std::uint32_t base = static_cast<std::uint16_t>(start + 1);
  EXPECT_EQ(stats.ExtendedHighestSequence(), base + 198);
  EXPECT_EQ(stats.Expected(), 199);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.JitterRtpUnits(), 0u);
  const auto block = stats.MakeReportBlock(kStart + seconds{5});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->fraction_lost, 0);
  EXPECT_EQ(block->cumulative_lost, 0);
  EXPECT_EQ(block->extended_highest_seq, base + 198);
}

TEST_P(ReceiveStatsWrap, SwappedPairsAcrossWrap) {
  const std::uint16_t start = GetParam();
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, start);
  ASSERT_EQ(feed.Send(start), PacketVerdict::kProbation);
  ASSERT_EQ(feed.Send(static_cast<std::uint16_t>(start + 1)), PacketVerdict::kValid);
  // Pairs arrive swapped, (k+1, k) for k = 2, 4, ...: every other packet is late.
  int late = 0;
  for (int k = 2; k < 200; k += 2) {
    ASSERT_EQ(feed.Send(static_cast<std::uint16_t>(start + k + 1)), PacketVerdict::kValid);
    ASSERT_EQ(feed.Send(static_cast<std::uint16_t>(start + k)), PacketVerdict::kDuplicateOrOld);
    ++late;
  }
  const std::uint32_t base = static_cast<std::uint16_t>(start + 1);
  EXPECT_EQ(stats.ExtendedHighestSequence(), base + 198);
  EXPECT_EQ(stats.CumulativeLost(), 0);
  EXPECT_EQ(stats.counters().duplicate_or_old, static_cast<std::uint64_t>(late));
}

INSTANTIATE_TEST_SUITE_P(Starts, ReceiveStatsWrap,
                         ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST(ReceiveStatsJitter, PerfectlyPacedIsZero) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 500);
  for (int i = 0; i < 300; ++i) (void)feed.Send(static_cast<std::uint16_t>(500 + i));
  EXPECT_EQ(stats.JitterRtpUnits(), 0u);
  EXPECT_EQ(stats.JitterDuration(), Duration{0});
}

TEST(ReceiveStatsJitter, PerfectlyPacedAcrossTimestampWrap) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  std::uint32_t ts = 0xFFFFF000u;  // wraps after three packets
  for (int i = 0; i < 50; ++i) {
    (void)stats.OnPacket(static_cast<std::uint16_t>(i), ts, kStart + i * kPacketInterval, 100);
    ts += kTsPerPacket;
  }
  EXPECT_EQ(stats.JitterRtpUnits(), 0u);
}

TEST(ReceiveStatsJitter, FirstDifferenceMovesOneSixteenth) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  (void)stats.OnPacket(1, 0, microseconds{0}, 100);
  // Sent 1800 ticks later, arrives 21.778 ms = 1960.02 ticks later: D = 160, J = 160/16 = 10.
  (void)stats.OnPacket(2, kTsPerPacket, kPacketInterval + microseconds{1778}, 100);
  EXPECT_EQ(stats.JitterRtpUnits(), 10u);
  // 10 ticks at 90 kHz = 111.1 us.
  EXPECT_EQ(stats.JitterDuration(), microseconds{111});
}

TEST(ReceiveStatsJitter, AlternatingOneMillisecondConverges) {
  // Nominal 20 ms pacing; arrivals alternate 1 ms early and 1 ms late, so |D| = 2 ms = 180
  // ticks at 90 kHz for every packet after the first, and J converges to 180.
  ReceiveStatistics stats(kSsrc, kVideoClock);
  for (int i = 0; i < 400; ++i) {
    const Duration offset = (i % 2 == 0) ? milliseconds{1} : milliseconds{-1};
    (void)stats.OnPacket(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i) * 1800,
                         kStart + i * kPacketInterval + offset, 100);
  }
  EXPECT_EQ(stats.JitterRtpUnits(), 180u);
  EXPECT_NEAR(static_cast<double>(stats.JitterDuration().count()), 2000.0, 1.0);
  const auto block = stats.MakeReportBlock(kStart + seconds{10});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->jitter, 180u);
}

TEST(ReceiveStatsJitter, OpusAt48kHz) {
  // Arrivals alternate on time / 1 ms late: |D| = 1 ms = 48 ticks.
  ReceiveStatistics stats(kSsrc, 48000);
  for (int i = 0; i < 400; ++i) {
    const Duration offset = (i % 2 == 0) ? milliseconds{0} : milliseconds{1};
    (void)stats.OnPacket(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i) * 960,
                         kStart + i * kPacketInterval + offset, 100);
  }
  EXPECT_EQ(stats.JitterRtpUnits(), 48u);
  EXPECT_NEAR(static_cast<double>(stats.JitterDuration().count()), 1000.0, 1.0);
}

TEST(ReceiveStatsJitter, SenderRestartDoesNotSpike) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  int i = 0;
  for (; i < 20; ++i) {
    (void)stats.OnPacket(static_cast<std::uint16_t>(100 + i), static_cast<std::uint32_t>(i) * 1800,
                         kStart + i * kPacketInterval, 100);
  }
  // The restarted sender uses a new sequence and timestamp base.
  for (int k = 0; k < 5; ++k, ++i) {
    const auto verdict = stats.OnPacket(static_cast<std::uint16_t>(50000 + k),
                                        0x9ABC0000u + static_cast<std::uint32_t>(k) * 1800,
                                        kStart + i * kPacketInterval, 100);
    if (k == 0) {
      EXPECT_EQ(verdict, PacketVerdict::kBadJump);
    }
    if (k == 1) {
      EXPECT_EQ(verdict, PacketVerdict::kResync);
    }
  }
  EXPECT_EQ(stats.JitterRtpUnits(), 0u);
}

TEST(ReceiveStatsSr, LsrAndDlsrExactValues) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 1);
  (void)feed.Send(1);
  (void)feed.Send(2);
  const auto none = stats.MakeReportBlock(kStart + seconds{1});
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->last_sr, 0u);
  EXPECT_EQ(none->delay_since_last_sr, 0u);

  // NTP 0xABCDB705.20001234: the compact form is the middle 32 bits, 0xB7052000.
  stats.OnSenderReport(NtpTime{0xABCDB705'20001234ull}, seconds{10});
  const auto block = stats.MakeReportBlock(seconds{10} + milliseconds{5250});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->last_sr, 0xB7052000u);
  EXPECT_EQ(block->delay_since_last_sr, 0x00054000u);  // 5.25 s in 1/65536 s
  // Reporting at the arrival instant (or with a clock stepped back) gives DLSR 0.
  const auto at_once = stats.PeekReportBlock(seconds{9});
  ASSERT_TRUE(at_once.has_value());
  EXPECT_EQ(at_once->delay_since_last_sr, 0u);
  // A newer SR replaces the old one.
  stats.OnSenderReport(NtpTime{0xABCDB706'00000000ull}, seconds{12});
  const auto newer = stats.PeekReportBlock(seconds{12} + microseconds{500'000});
  ASSERT_TRUE(newer.has_value());
  EXPECT_EQ(newer->last_sr, 0xB7060000u);
  EXPECT_EQ(newer->delay_since_last_sr, 0x00008000u);
}

TEST(ReceiveStatsSr, DlsrSaturatesForAStaleReport) {
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 1);
  (void)feed.Send(1);
  (void)feed.Send(2);
  stats.OnSenderReport(NtpTime{0x00010002'00000000ull}, seconds{0});
  const auto block = stats.PeekReportBlock(seconds{70000});
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->delay_since_last_sr, 0xFFFFFFFFu);
}

TEST(RoundTripTime, Rfc3550Figure2Example) {
  // RFC 3550 6.4.1: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
  // DLSR = 0x0005:4000 (5.250 s): delay = 0x0006:2000 (6.125 s).
  ReportBlock block;
  block.ssrc = kSsrc;
  block.last_sr = 0xB7052000u;
  block.delay_since_last_sr = 0x00054000u;
  const NtpTime arrival{0x0000B710'80000000ull};
  ASSERT_EQ(arrival.Compact(), 0xB7108000u);
  const auto rtt = RoundTripTime(block, arrival);
  ASSERT_TRUE(rtt.has_value());
  EXPECT_EQ(*rtt, microseconds{6'125'000});
}

TEST(RoundTripTime, NoneWithoutSenderReport) {
  ReportBlock block;
  block.delay_since_last_sr = 0x00010000u;
  EXPECT_FALSE(RoundTripTime(block, NtpTime{0x0000B710'80000000ull}).has_value());
}

TEST(RoundTripTime, NegativeFromClockSkewIsZero) {
  ReportBlock block;
  block.last_sr = 0xB7052000u;
  block.delay_since_last_sr = 0x00054001u;  // one unit more than elapsed
  const auto rtt = RoundTripTime(block, NtpTime{0x0000B70A'60000000ull});
  ASSERT_TRUE(rtt.has_value());
  EXPECT_EQ(*rtt, Duration{0});
}

TEST(RoundTripTime, AcrossCompactNtpWrap) {
  ReportBlock block;
  block.last_sr = 0xFFFF8000u;              // half a second before the compact clock wraps
  block.delay_since_last_sr = 0x00004000u;  // 0.25 s held by the receiver
  const auto rtt = RoundTripTime(block, NtpTime{0x00010000'80000000ull});  // compact 0x00008000
  ASSERT_TRUE(rtt.has_value());
  EXPECT_EQ(*rtt, microseconds{750'000});
}

TEST(RoundTripTime, FromTheReceiverSideOfTheSameExchange) {
  // The receiver stamps LSR/DLSR; the sender closes the loop with its own clock.
  ReceiveStatistics stats(kSsrc, kVideoClock);
  Feeder feed(stats, 7);
  (void)feed.Send(7);
  (void)feed.Send(8);
  const NtpTime sr_sent = NtpFromUnixMicros(1'700'000'000'000'000);
  const Timestamp sr_arrival = seconds{100};  // receiver clock: 10 ms one-way
  stats.OnSenderReport(sr_sent, sr_arrival);
  const auto block = stats.MakeReportBlock(sr_arrival + milliseconds{250});
  ASSERT_TRUE(block.has_value());
  // The report arrives back at the sender 10 + 250 + 10 ms after it sent the SR.
  const NtpTime rr_arrival = NtpFromUnixMicros(1'700'000'000'000'000 + 270'000);
  const auto rtt = RoundTripTime(*block, rr_arrival);
  ASSERT_TRUE(rtt.has_value());
  // Compact NTP has a resolution of 15.3 us; each of the three values truncates.
  EXPECT_NEAR(static_cast<double>(rtt->count()), 20'000.0, 50.0);
}

}  // namespace
}  // namespace confcast::rtp
