// Receive-side NACK tracker: gap detection with reordering, retries, deadline, multicast
// suppression, RTT, wrap-around and bounded memory. Time is fake (microseconds).
#include <confcast/rtp/nack_tracker.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace confcast::rtp {
namespace {

using Seqs = std::vector<std::uint16_t>;
using std::chrono::microseconds;

Timestamp Us(std::int64_t us) {
  return Timestamp{us};
}
std::uint16_t At(std::uint16_t start, int offset) {
  return static_cast<std::uint16_t>(start + offset);
}

// Defaults spelled out so the expectations below read directly from them.
NackTrackerConfig Config() {
  NackTrackerConfig c;
  c.reorder_window = microseconds(2'000);
  c.reorder_packets = 3;
  c.initial_rtt = microseconds(4'000);  // retry interval 6 ms
  c.min_retry_interval = microseconds(3'000);
  c.suppression_window = microseconds(3'000);
  c.max_attempts = 3;
  c.deadline = microseconds(40'000);
  return c;
}

void Feed(NackTracker& t, std::initializer_list<int> offsets, std::uint16_t start, Timestamp at) {
  for (int o : offsets) (void)t.OnPacket(At(start, o), at);
}

class NackTrackerWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, NackTrackerWrap,
                         ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(NackTrackerWrap, InOrderNeverNacks) {
  NackTracker t(Config());
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(t.OnPacket(At(GetParam(), i), Us(i * 100)), NackPacketOutcome::kInOrder);
    EXPECT_TRUE(t.Process(Us(i * 100), 0.0).nack.empty());
  }
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_FALSE(t.NextWakeup());
  EXPECT_TRUE(t.Process(Us(1'000'000), 0.0).nack.empty());
}

TEST_P(NackTrackerWrap, ReorderWithinTheWindowIsNotNacked) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1, 3}, s, Us(0));
  EXPECT_EQ(t.Missing(), (Seqs{At(s, 2)}));
  EXPECT_TRUE(t.Process(Us(1'999), 0.0).nack.empty());
  EXPECT_EQ(t.OnPacket(At(s, 2), Us(1'999)), NackPacketOutcome::kFilledGap);
  EXPECT_TRUE(t.Process(Us(50'000), 0.0).nack.empty());
  EXPECT_EQ(t.stats().arrived_late, 1u);
  EXPECT_EQ(t.stats().nacks_sent, 0u);
}

TEST_P(NackTrackerWrap, SingleGapIsNackedOnceCertainAndRecovered) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1, 3}, s, Us(0));
  EXPECT_EQ(t.NextWakeup(), Us(2'000));
  EXPECT_TRUE(t.Process(Us(1'000), 0.0).nack.empty());
  EXPECT_EQ(t.Process(Us(2'000), 0.0).nack, (Seqs{At(s, 2)}));
  EXPECT_TRUE(t.Process(Us(3'000), 0.0).nack.empty());  // waits for the repair
  EXPECT_TRUE(t.OnRecovered(At(s, 2), Us(3'000), Repair::kRetransmission));
  EXPECT_FALSE(t.OnRecovered(At(s, 2), Us(3'100), Repair::kRetransmission));  // a duplicate repair
  EXPECT_EQ(t.stats().recovered, 1u);
  EXPECT_EQ(t.stats().nacks_sent, 1u);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST_P(NackTrackerWrap, EnoughLaterPacketsMakeALossCertainAtOnce) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 2, 3}, s, Us(0));
  EXPECT_TRUE(t.Process(Us(100), 0.0).nack.empty());  // two newer packets only
  (void)t.OnPacket(At(s, 4), Us(200));
  EXPECT_EQ(t.Process(Us(200), 0.0).nack, (Seqs{At(s, 1)}));
}

TEST_P(NackTrackerWrap, BurstGapIsOneNackAfterTheSuppressionDelay) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 10}, s, Us(0));
  // Certain at 2 ms; a draw of 0.5 adds half the 3 ms suppression window.
  EXPECT_TRUE(t.Process(Us(2'000), 0.5).nack.empty());
  EXPECT_EQ(t.NextWakeup(), Us(3'500));
  EXPECT_TRUE(t.Process(Us(3'499), 0.9).nack.empty());  // later draws do not move it
  const Seqs expected = {At(s, 1), At(s, 2), At(s, 3), At(s, 4), At(s, 5),
                         At(s, 6), At(s, 7), At(s, 8), At(s, 9)};
  EXPECT_EQ(t.Process(Us(3'500), 0.9).nack, expected);
}

TEST_P(NackTrackerWrap, RetriesThenGivesUp) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 2}, s, Us(0));
  EXPECT_EQ(t.Process(Us(2'000), 0.0).nack.size(), 1u);
  EXPECT_TRUE(t.Process(Us(7'999), 0.0).nack.empty());
  EXPECT_EQ(t.Process(Us(8'000), 0.0).nack.size(), 1u);   // retry one interval (6 ms) later
  EXPECT_EQ(t.Process(Us(14'000), 0.0).nack.size(), 1u);  // third and last attempt
  NackDue d = t.Process(Us(19'999), 0.0);
  EXPECT_TRUE(d.nack.empty());
  EXPECT_TRUE(d.lost_for_good.empty());
  d = t.Process(Us(20'000), 0.0);
  EXPECT_TRUE(d.nack.empty());
  EXPECT_EQ(d.lost_for_good, (Seqs{At(s, 1)}));
  EXPECT_EQ(t.stats().nacks_sent, 3u);
  EXPECT_EQ(t.stats().lost_for_good, 1u);
  EXPECT_EQ(t.OnPacket(At(s, 1), Us(21'000)), NackPacketOutcome::kOld);  // too late now
}

TEST_P(NackTrackerWrap, DeadlineEndsRetriesEarly) {
  const std::uint16_t s = GetParam();
  NackTrackerConfig c = Config();
  c.max_attempts = 100;
  c.deadline = microseconds(10'000);
  NackTracker t(c);
  Feed(t, {0, 2}, s, Us(0));
  EXPECT_EQ(t.Process(Us(2'000), 0.0).nack.size(), 1u);
  EXPECT_EQ(t.Process(Us(8'000), 0.0).nack.size(), 1u);
  EXPECT_EQ(t.NextWakeup(), Us(10'000));
  const NackDue d = t.Process(Us(10'000), 0.0);
  EXPECT_TRUE(d.nack.empty());
  EXPECT_EQ(d.lost_for_good, (Seqs{At(s, 1)}));
}

TEST_P(NackTrackerWrap, HeardNackSuppressesOursAndSchedulesTheRetry) {
  const std::uint16_t s = GetParam();
  // Receivers A (draws 0) and B (draws 1) lose the same packet at the same time.
  NackTracker a(Config()), b(Config());
  Feed(a, {0, 2}, s, Us(0));
  Feed(b, {0, 2}, s, Us(0));
  EXPECT_TRUE(b.Process(Us(2'000), 1.0).nack.empty());  // B waits until 5 ms
  const NackDue sent = a.Process(Us(2'000), 0.0);
  ASSERT_EQ(sent.nack, (Seqs{At(s, 1)}));
  EXPECT_EQ(b.OnNackHeard(sent.nack, Us(2'100)), 1u);  // B hears A's NACK on the group
  EXPECT_TRUE(b.Process(Us(5'000), 0.0).nack.empty());
  EXPECT_EQ(b.stats().nacks_suppressed, 1u);
  EXPECT_EQ(b.stats().nacks_sent, 0u);
  // The retransmission got lost on B's link: B retries one interval after the heard NACK.
  EXPECT_TRUE(b.Process(Us(8'099), 0.0).nack.empty());
  EXPECT_EQ(b.Process(Us(8'100), 0.0).nack, (Seqs{At(s, 1)}));
  // A's own retry comes due too, but B's retry was just heard: A stays quiet.
  EXPECT_EQ(a.OnNackHeard(Seqs{At(s, 1)}, Us(7'500)), 1u);
  EXPECT_TRUE(a.Process(Us(8'000), 0.0).nack.empty());
}

TEST_P(NackTrackerWrap, EchoOfTheSameRoundIsNotASuppression) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 2}, s, Us(0));
  ASSERT_EQ(t.Process(Us(2'000), 0.0).nack.size(), 1u);
  // Another receiver's NACK right after ours (within half an interval) is the same round.
  EXPECT_EQ(t.OnNackHeard(Seqs{At(s, 1)}, Us(3'000)), 0u);
  EXPECT_EQ(t.Process(Us(8'000), 0.0).nack.size(), 1u);
  // Numbers we are not missing are ignored.
  EXPECT_EQ(t.OnNackHeard(Seqs{At(s, 0), At(s, 5)}, Us(9'000)), 0u);
}

TEST_P(NackTrackerWrap, HugeJumpIsANewStreamNotThousandsOfNacks) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1, 2, 4}, s, Us(0));
  EXPECT_EQ(t.OnPacket(At(s, 30'000), Us(100)), NackPacketOutcome::kStray);
  EXPECT_EQ(t.OnPacket(At(s, 30'001), Us(200)), NackPacketOutcome::kReset);
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_TRUE(t.Process(Us(10'000), 0.0).nack.empty());
  EXPECT_EQ(t.OnPacket(At(s, 30'003), Us(300)), NackPacketOutcome::kInOrder);
  EXPECT_EQ(t.Missing(), (Seqs{At(s, 30'002)}));
  EXPECT_EQ(t.stats().resets, 1u);
}

TEST_P(NackTrackerWrap, ALoneStrayIsIgnored) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1}, s, Us(0));
  EXPECT_EQ(t.OnPacket(At(s, 20'000), Us(100)), NackPacketOutcome::kStray);
  EXPECT_EQ(t.OnPacket(At(s, 2), Us(200)), NackPacketOutcome::kInOrder);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST_P(NackTrackerWrap, SuspectedTailIsNackedAtOnce) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1}, s, Us(0));
  EXPECT_TRUE(t.SuspectNext(Us(3'000)));
  EXPECT_FALSE(t.SuspectNext(Us(3'100)));  // once
  EXPECT_EQ(t.Process(Us(3'000), 0.0).nack, (Seqs{At(s, 2)}));
  // The next frame shows that 2 and 3 were lost: 3 joins, 2 keeps its schedule.
  EXPECT_EQ(t.OnPacket(At(s, 4), Us(33'000)), NackPacketOutcome::kInOrder);
  EXPECT_EQ(t.Missing(), (Seqs{At(s, 2), At(s, 3)}));
  EXPECT_EQ(t.stats().tail_suspects, 1u);
}

TEST_P(NackTrackerWrap, SuspectedTailThatArrivesIsNotALoss) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1}, s, Us(0));
  ASSERT_TRUE(t.SuspectNext(Us(3'000)));
  EXPECT_EQ(t.OnPacket(At(s, 2), Us(3'500)), NackPacketOutcome::kInOrder);
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_EQ(t.stats().arrived_late, 1u);
  EXPECT_TRUE(t.Process(Us(50'000), 0.0).nack.empty());
}

TEST_P(NackTrackerWrap, ProtectedTailIsAskedForAfterTheReorderWindow) {
  // The frame's packets 0..5 were sent, 3..5 lost; its FEC repair packet (protecting up to 5)
  // arrives at 1 ms. The three are suspects at once, certain after the 2 ms reorder window,
  // and go out in one NACK, long before the next frame would show the gap.
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1, 2}, s, Us(0));
  EXPECT_EQ(t.OnProtected(At(s, 5), Us(1'000)), 3u);
  EXPECT_EQ(t.Missing(), (Seqs{At(s, 3), At(s, 4), At(s, 5)}));
  EXPECT_TRUE(t.Process(Us(2'000), 0.0).nack.empty());  // maybe only reordered
  EXPECT_EQ(t.Process(Us(3'000), 0.0).nack, (Seqs{At(s, 3), At(s, 4), At(s, 5)}));
  // Known already, or behind the newest: nothing new.
  EXPECT_EQ(t.OnProtected(At(s, 5), Us(3'100)), 0u);
  EXPECT_EQ(t.OnProtected(At(s, 1), Us(3'100)), 0u);
}

TEST_P(NackTrackerWrap, JoinInsideAKeyframeAsksForTheNumbersBeforeIt) {
  // The stream's first packet is an IDR slice: its SPS/PPS (and maybe the top of the slice) went
  // before. The 16 numbers before it are asked for after the reorder window; a repair that
  // comes fills its entry; those never answered are not counted as lost.
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0}, s, Us(0));
  EXPECT_EQ(t.OnJoinedInsideKeyframe(Us(0)), 16u);
  EXPECT_EQ(t.OnJoinedInsideKeyframe(Us(0)), 0u);  // once
  EXPECT_TRUE(t.Process(Us(1'000), 0.0).nack.empty());
  const Seqs nack = t.Process(Us(2'000), 0.0).nack;
  ASSERT_EQ(nack.size(), 16u);
  EXPECT_EQ(nack.front(), At(s, -16));
  EXPECT_EQ(nack.back(), At(s, -1));
  EXPECT_TRUE(t.OnRecovered(At(s, -1), Us(3'000), Repair::kRetransmission));  // the SPS came back
  (void)t.Process(Us(100'000), 0.0);                  // the rest never existed
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_EQ(t.stats().lost_for_good, 0u);
  EXPECT_EQ(t.stats().gaps_detected, 0u);
  EXPECT_EQ(t.stats().look_back, 16u);
}

TEST_P(NackTrackerWrap, NoLookBackOnceTheStreamIsUnderWay) {
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1}, s, Us(0));
  EXPECT_EQ(t.OnJoinedInsideKeyframe(Us(0)), 0u);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST_P(NackTrackerWrap, ProtectedNumbersThatArriveAreNotLosses) {
  // The repair packet overtook the frame's last media packets: they fill their entries.
  const std::uint16_t s = GetParam();
  NackTracker t(Config());
  Feed(t, {0, 1}, s, Us(0));
  EXPECT_EQ(t.OnProtected(At(s, 3), Us(500)), 2u);
  Feed(t, {2, 3}, s, Us(900));
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_TRUE(t.Process(Us(50'000), 0.0).nack.empty());
}

TEST(NackTracker, ARepairFarAheadOfTheStreamAddsNothing) {
  // A stray or forged repair packet naming a number far ahead must not make us NACK a range.
  NackTracker t(Config());
  (void)t.OnPacket(100, Us(0));
  EXPECT_EQ(t.OnProtected(100 + NackTracker::kMaxProtectedAhead + 1, Us(1)), 0u);
  EXPECT_EQ(t.OnProtected(60000, Us(1)), 0u);
  EXPECT_EQ(t.tracked(), 0u);
  NackTracker fresh(Config());
  EXPECT_EQ(fresh.OnProtected(5, Us(0)), 0u);  // nothing arrived yet
}

TEST(NackTracker, MemoryStaysBoundedUnderALongGap) {
  NackTrackerConfig c = Config();
  c.max_tracked = 64;
  NackTracker t(c);
  (void)t.OnPacket(100, Us(0));
  EXPECT_EQ(t.OnPacket(2100, Us(1)), NackPacketOutcome::kInOrder);  // below reset_distance
  EXPECT_EQ(t.tracked(), 64u);
  EXPECT_EQ(t.Missing().front(), 2100 - 64);
  EXPECT_EQ(t.stats().lost_for_good, 1999u - 64u);
  EXPECT_EQ(t.Process(Us(2'001), 0.0).nack.size(), 64u);
}

TEST(NackTracker, RttComesFromRtcpAndFromUnambiguousRepairs) {
  NackTracker t(Config());
  EXPECT_EQ(t.RetryInterval(), microseconds(6'000));
  t.SetRtt(microseconds(20'000));
  EXPECT_EQ(t.RetryInterval(), microseconds(30'000));
  t.SetRtt(microseconds(1'000));
  EXPECT_EQ(t.RetryInterval(), microseconds(3'000));  // the floor
  t.SetRtt(microseconds(8'000));
  Feed(t, {0, 2}, 0, Us(0));
  ASSERT_EQ(t.Process(Us(2'000), 0.0).nack.size(), 1u);
  ASSERT_TRUE(t.OnRecovered(1, Us(2'000 + 1'600), Repair::kRetransmission));  // sample 1.6 ms
  EXPECT_EQ(t.rtt(), microseconds(8'000 + (1'600 - 8'000) / 8));
  EXPECT_EQ(t.stats().rtt_samples, 1u);
  // A repair after a suppressed request is ambiguous (Karn): no sample.
  Feed(t, {3, 5}, 0, Us(10'000));
  EXPECT_EQ(t.OnNackHeard(Seqs{4}, Us(10'500)), 1u);
  const Duration before = t.rtt();
  ASSERT_TRUE(t.OnRecovered(4, Us(11'000), Repair::kRetransmission));
  EXPECT_EQ(t.rtt(), before);
  EXPECT_EQ(t.stats().rtt_samples, 1u);
  // A packet FEC rebuilt after our request came with its row's parity, not as the answer: no
  // sample, and the deviation stays as it was.
  Feed(t, {6, 8}, 0, Us(20'000));
  ASSERT_EQ(t.Process(Us(22'000), 0.0).nack.size(), 1u);
  const Duration deviation = t.rtt_deviation();
  ASSERT_TRUE(t.OnRecovered(7, Us(22'000 + 30'000), Repair::kRebuilt));
  EXPECT_EQ(t.rtt(), before);
  EXPECT_EQ(t.rtt_deviation(), deviation);
  EXPECT_EQ(t.stats().rtt_samples, 1u);
}

// Repairs that come back sometimes after 2 ms, sometimes after 10 ms (a Wi-Fi hop): a retry
// 1.5 smoothed RTTs after the request would go out before the slow half of them arrived.
TEST(NackTracker, RetriesWaitForTheSlowRepairsOfAVaryingPath) {
  NackTracker t(Config());
  EXPECT_EQ(t.rtt_deviation(), microseconds(0));
  std::uint16_t start = 0;
  Timestamp now = Us(0);
  for (int i = 0; i < 40; ++i, start = static_cast<std::uint16_t>(start + 3), now += Us(50'000)) {
    Feed(t, {0, 2}, start, now);
    ASSERT_EQ(t.Process(now + Us(2'000), 0.0).nack.size(), 1u) << i;
    const Timestamp back = now + Us(2'000) + (i % 2 == 0 ? Us(2'000) : Us(10'000));
    ASSERT_TRUE(t.OnRecovered(At(start, 1), back, Repair::kRetransmission)) << i;
  }
  EXPECT_EQ(t.stats().rtt_samples, 40u);
  // Mean 6 ms, mean deviation about 4 ms: the retry waits RTT + 4 deviations, past the 10 ms.
  EXPECT_NEAR(static_cast<double>(t.rtt().count()), 6'000, 1'000);
  EXPECT_GT(t.rtt_deviation(), microseconds(3'000));
  EXPECT_GT(t.RetryInterval(), microseconds(10'000));
  EXPECT_EQ(t.RetryInterval(), t.rtt() + 4 * t.rtt_deviation());
}

TEST(NackTracker, RepairBeforeTheGapIsSeenChangesNothing) {
  NackTracker t(Config());
  EXPECT_FALSE(t.OnRecovered(5, Us(0), Repair::kRetransmission));
  EXPECT_EQ(t.OnNackHeard(Seqs{5}, Us(0)), 0u);
  (void)t.OnPacket(1, Us(0));
  EXPECT_FALSE(t.OnRecovered(0, Us(0), Repair::kRetransmission));
  EXPECT_EQ(t.OnPacket(1, Us(1)), NackPacketOutcome::kDuplicate);
}

}  // namespace
}  // namespace confcast::rtp

namespace confcast::rtp {
namespace {

// A path that delays packets by 4 +- 3 ms (Wi-Fi, a relay): packets sent 0.1 ms apart arrive
// out of order by up to 6 ms. The tracker learns that tolerance from the first reordered
// arrivals and stops asking for packets that are merely late, while a real loss is still asked
// for within the learned window.
TEST(NackTrackerAdaptive, LearnsReorderingAndStopsNackingLatePackets) {
  NackTracker t(Config());
  std::uint32_t x = 42;
  std::uint64_t nacked_late = 0;
  constexpr int kPackets = 4000;
  std::vector<std::pair<std::int64_t, int>> arrivals;  // (arrival us, seq offset)
  for (int i = 0; i < kPackets; ++i) {
    x = x * 1664525u + 1013904223u;
    const std::int64_t send = i * 100;             // 10,000 packets per second
    const std::int64_t delay = 1'000 + (x >> 8) % 6'000;  // 1..7 ms
    arrivals.emplace_back(send + delay, i);
  }
  std::sort(arrivals.begin(), arrivals.end());
  std::int64_t now = 0;
  std::size_t next = 0;
  std::vector<bool> arrived(kPackets, false);
  for (std::int64_t step = 0; step < kPackets * 100 + 10'000; step += 100) {
    now = step;
    while (next < arrivals.size() && arrivals[next].first <= now) {
      (void)t.OnPacket(At(1000, arrivals[next].second), Us(arrivals[next].first));
      arrived[static_cast<std::size_t>(arrivals[next].second)] = true;
      ++next;
    }
    for (std::uint16_t s : t.Process(Us(now), 0.5).nack) {
      // Every packet arrives on this path: a NACK is always for a packet that is only late.
      if (static_cast<std::uint16_t>(s - 1000) >= kPackets / 2) ++nacked_late;
    }
  }
  EXPECT_GT(t.stats().reordered, 100u);
  EXPECT_GE(t.ReorderWindow(), microseconds(5'000));
  // Once learned (second half of the run), hardly anything is asked for needlessly.
  EXPECT_LT(nacked_late, 20u) << "reorder window " << t.ReorderWindow().count() << " us";
}

TEST(NackTrackerAdaptive, ARealLossIsStillNackedWithinTheLearnedWindow) {
  NackTracker t(Config());
  // Teach it 5 ms of reordering: 1 goes missing, 2..4 arrive, 1 turns up 5 ms later.
  (void)t.OnPacket(0, Us(0));
  (void)t.OnPacket(2, Us(100));
  (void)t.OnPacket(3, Us(200));
  (void)t.OnPacket(1, Us(5'100));
  const Duration window = t.ReorderWindow();
  EXPECT_GE(window, microseconds(6'000));
  EXPECT_LE(window, Config().max_reorder_window);
  // Now 5 is really lost.
  (void)t.OnPacket(4, Us(6'000));
  (void)t.OnPacket(6, Us(6'100));
  EXPECT_TRUE(t.Process(Us(6'200), 0.0).nack.empty()) << "not before the window";
  Seqs nacked;
  for (std::int64_t now = 6'200; now < 6'100 + window.count() + 4'000 && nacked.empty(); now += 100) {
    nacked = t.Process(Us(now), 0.0).nack;
  }
  EXPECT_EQ(nacked, Seqs{5});
}

}  // namespace
}  // namespace confcast::rtp
