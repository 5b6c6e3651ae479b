// RTCP interval (RFC 3550 6.2, 6.3, A.7): exact intervals for fixed inputs, and the scheduler's
// timer, reverse and BYE reconsideration and timeouts, driven by fake time and fixed draws.
#include "confcast/rtp/rtcp_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace confcast::rtp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The randomized, compensated interval for a deterministic interval of `t` seconds.
double RandomizedUs(double t, double draw) {
  return t * (draw + 0.5) / kRtcpCompensation * 1e6;
}

void ExpectUs(Duration actual, double expected_us) {
  EXPECT_NEAR(static_cast<double>(actual.count()), expected_us, 1.0);
}

TEST(RtcpInterval, CompensationIsEMinusThreeHalves) {
  EXPECT_NEAR(kRtcpCompensation, 1.21828, 1e-5);
}

TEST(RtcpInterval, LoneMemberAtStartUsesHalfTheMinimum) {
  // 1 member, 100-byte reports, 1000 bytes/s: 0.13 s is below the 2.5 s initial minimum.
  for (double draw : {0.0, 0.25, 0.5, 0.999}) {
    ExpectUs(ComputeInterval(1, 0, 1000, false, 100, true, draw), RandomizedUs(2.5, draw));
  }
  ExpectUs(ComputeInterval(1, 0, 1000, false, 100, true, 0.5), 2'052'070.3);  // 2.5 s / (e - 1.5)
}

TEST(RtcpInterval, AfterTheFirstReportTheMinimumIsFiveSeconds) {
  ExpectUs(ComputeInterval(1, 0, 1000, false, 100, false, 0.5), RandomizedUs(5.0, 0.5));
  ExpectUs(ComputeInterval(2, 1, 1000, true, 100, false, 0.0), RandomizedUs(5.0, 0.0));
  EXPECT_EQ(DeterministicInterval(2, 0, 1000, false, 100, false), seconds{5});
  EXPECT_EQ(DeterministicInterval(2, 0, 1000, false, 100, true), milliseconds{2500});
}

TEST(RtcpInterval, ReceiversShareThreeQuartersWithoutSenders) {
  // 100 receivers, 100 bytes each, 750 of 1000 bytes/s: 13.33 s.
  ExpectUs(ComputeInterval(100, 0, 1000, false, 100, false, 0.5),
           RandomizedUs(100 * 100 / 750.0, 0.5));
  EXPECT_EQ(DeterministicInterval(100, 0, 1000, false, 100, false), microseconds{13'333'333});
}

TEST(RtcpInterval, SendersRuleSplitsTheBandwidth) {
  // 20 senders of 100 members (<= 25%): senders share 250 bytes/s, receivers 750.
  EXPECT_EQ(DeterministicInterval(100, 20, 1000, true, 100, false), seconds{8});  // 20*100/250
  EXPECT_EQ(DeterministicInterval(100, 20, 1000, false, 100, false),
            microseconds{10'666'667});  // 80*100/750
  // Exactly 25% still applies the rule.
  EXPECT_EQ(DeterministicInterval(100, 25, 2000, true, 200, false), seconds{10});  // 25*200/500
  // 30 senders (> 25%): everyone shares the whole bandwidth, sender or not.
  EXPECT_EQ(DeterministicInterval(100, 30, 1000, true, 100, false), seconds{10});
  EXPECT_EQ(DeterministicInterval(100, 30, 1000, false, 100, false), seconds{10});
  // A lone sender among many receivers is floored by the minimum: 1*100/250 = 0.4 s.
  ExpectUs(ComputeInterval(100, 1, 1000, true, 100, false, 0.5), RandomizedUs(5.0, 0.5));
}

TEST(RtcpInterval, MinimumClampsSmallSessions) {
  for (int members = 1; members <= 37; ++members) {  // 37*100/750 = 4.93 s < 5 s
    EXPECT_EQ(DeterministicInterval(members, 0, 1000, false, 100, false), seconds{5}) << members;
  }
  EXPECT_GT(DeterministicInterval(38, 0, 1000, false, 100, false), seconds{5});
}

TEST(RtcpInterval, ScalesLinearlyWithMembersAboveTheMinimum) {
  const double per_100 = 100 * 100 / 750.0;  // 100 receivers: 13.33 s
  for (int factor : {1, 2, 3, 10, 50}) {
    ExpectUs(ComputeInterval(100 * factor, 0, 1000, false, 100, false, 0.3),
             RandomizedUs(per_100 * factor, 0.3));
  }
  // And with the average packet size.
  ExpectUs(ComputeInterval(100, 0, 1000, false, 200, false, 0.3), RandomizedUs(per_100 * 2, 0.3));
}

TEST(RtcpInterval, ReducedMinimumForHighBandwidthSessions) {
  EXPECT_EQ(ReducedMinInterval(72'000), seconds{5});            // 360 / 72 kbit/s
  EXPECT_EQ(ReducedMinInterval(2'000'000), milliseconds{180});  // 360 / 2000 kbit/s
  EXPECT_EQ(ReducedMinInterval(0), kRtcpMinInterval);
  EXPECT_EQ(ReducedMinInterval(-5), kRtcpMinInterval);
  const Duration reduced = ReducedMinInterval(2'000'000);
  // 5% of 2 Mbit/s = 12500 bytes/s; a lone member is floored at the reduced minimum.
  ExpectUs(ComputeInterval(1, 0, 12'500, false, 100, false, 0.5, reduced), RandomizedUs(0.18, 0.5));
  ExpectUs(ComputeInterval(1, 0, 12'500, false, 100, true, 0.5, reduced), RandomizedUs(0.09, 0.5));
  // Larger groups are above it and scale as usual: 200*100/9375 = 2.13 s, which the fixed
  // minimum would have raised to 5 s.
  ExpectUs(ComputeInterval(200, 0, 12'500, false, 100, false, 0.5, reduced),
           RandomizedUs(200 * 100 / 9375.0, 0.5));
  ExpectUs(ComputeInterval(200, 0, 12'500, false, 100, false, 0.5), RandomizedUs(5.0, 0.5));
}

TEST(RtcpInterval, DegenerateInputsFallBackToTheMinimum) {
  EXPECT_EQ(DeterministicInterval(50, 0, 0, false, 100, false), seconds{5});
  EXPECT_EQ(DeterministicInterval(50, 0, -1, false, 100, false), seconds{5});
  EXPECT_EQ(
      DeterministicInterval(50, 0, std::numeric_limits<double>::infinity(), false, 100, false),
      seconds{5});
  EXPECT_EQ(DeterministicInterval(0, 0, 1000, false, 100, false), seconds{5});
  EXPECT_EQ(DeterministicInterval(-3, 7, 1000, true, 100, false), seconds{5});
}

TEST(RtcpInterval, DrawIsClampedToTheUnitInterval) {
  const auto at = [](double draw) { return ComputeInterval(1, 0, 1000, false, 100, false, draw); };
  EXPECT_EQ(at(-1.0), at(0.0));
  EXPECT_EQ(at(std::nan("")), at(0.0));
  EXPECT_EQ(at(7.0), at(1.0));
  EXPECT_LT(at(0.0), at(0.999));
}

TEST(RtcpInterval, AverageSizeMovesOneSixteenth) {
  static_assert(UpdateAvgRtcpSize(100.0, 100) == 100.0);
  EXPECT_DOUBLE_EQ(UpdateAvgRtcpSize(100.0, 200), 106.25);
  EXPECT_DOUBLE_EQ(UpdateAvgRtcpSize(160.0, 0), 150.0);
}

// Scheduler: 500 bytes/s of RTCP bandwidth, 100-byte reports, so a receiver-only session passes
// the 2.5 s initial minimum at 13 members (13 * 100 / 375 = 3.47 s).
constexpr std::uint32_t kOwnSsrc = 0xAAAA0000;
constexpr Timestamp kT0 = seconds{1000};

RtcpSchedulerConfig Config(double bandwidth = 500) {
  RtcpSchedulerConfig config;
  config.own_ssrc = kOwnSsrc;
  config.rtcp_bandwidth_bytes_per_s = bandwidth;
  config.initial_avg_rtcp_size = 100;
  return config;
}

void AddMembers(RtcpScheduler& s, int count, Timestamp now) {
  for (int i = 0; i < count; ++i) s.OnRtcpReceived(0x100 + static_cast<std::uint32_t>(i), now, 100);
}

TEST(RtcpScheduler, InitialStateAndFirstSchedule) {
  RtcpScheduler s(Config(), kT0, 0.5);
  EXPECT_EQ(s.members(), 1);
  EXPECT_EQ(s.pmembers(), 1);
  EXPECT_EQ(s.senders(), 0);
  EXPECT_TRUE(s.initial());
  EXPECT_FALSE(s.we_sent());
  EXPECT_EQ(s.tp(), kT0);
  ExpectUs(s.next() - kT0, RandomizedUs(2.5, 0.5));
}

TEST(RtcpScheduler, SendsWhenNothingChangedThenUsesTheFullMinimum) {
  RtcpScheduler s(Config(), kT0, 0.5);
  const Timestamp first = s.next();
  EXPECT_EQ(s.OnTimer(first, 0.5), (RtcpTimerDecision{RtcpAction::kSendReport, std::nullopt}));
  const Timestamp second = s.OnReportSent(first, 120, 0.5);
  EXPECT_DOUBLE_EQ(s.avg_rtcp_size(), 101.25);
  EXPECT_EQ(s.tp(), first);
  EXPECT_FALSE(s.initial());
  // As in A.7 the redraw happens before `initial` is cleared: still the 2.5 s minimum.
  ExpectUs(second - first, RandomizedUs(2.5, 0.5));
  // Now T is 5 s, so at `second` tp + T lies in the future: the report waits.
  const RtcpTimerDecision d = s.OnTimer(second, 0.5);
  ASSERT_EQ(d.action, RtcpAction::kReschedule);
  ASSERT_TRUE(d.next.has_value());
  ExpectUs(*d.next - first, RandomizedUs(5.0, 0.5));
  EXPECT_EQ(s.OnTimer(*d.next, 0.5).action, RtcpAction::kSendReport);
}

TEST(RtcpScheduler, EarlyFeedbackMovesTheNextReportToTwoIntervals) {
  // RFC 4585 3.5.3: after an early packet the next regular report is due at tp + 2 T.
  RtcpScheduler s(Config(), kT0, 0.5);
  const Timestamp first = s.next();
  ASSERT_EQ(s.OnTimer(first, 0.5).action, RtcpAction::kSendReport);
  (void)s.OnReportSent(first, 100, 0.5);
  EXPECT_FALSE(s.early_since_report());
  const Timestamp early = s.OnEarlySent(first + milliseconds{10}, 0.5);
  EXPECT_TRUE(s.early_since_report());
  ExpectUs(early - first, 2 * RandomizedUs(5.0, 0.5));
  EXPECT_EQ(s.next(), early);
  // At tp + T the slot has passed without a report; at tp + 2 T it goes, and the rule resets.
  EXPECT_EQ(s.OnTimer(first + (early - first) / 2, 0.5).action, RtcpAction::kReschedule);
  ASSERT_EQ(s.OnTimer(early, 0.5).action, RtcpAction::kSendReport);
  (void)s.OnReportSent(early, 100, 0.5);
  EXPECT_FALSE(s.early_since_report());
}

TEST(RtcpScheduler, TimerReconsiderationPostponesWhenMembersGrew) {
  RtcpScheduler s(Config(), kT0, 0.5);
  const Timestamp first = s.next();
  AddMembers(s, 49, kT0 + seconds{1});
  ASSERT_EQ(s.members(), 50);
  EXPECT_EQ(s.pmembers(), 1);
  const RtcpTimerDecision d = s.OnTimer(first, 0.5);
  ASSERT_EQ(d.action, RtcpAction::kReschedule);
  ASSERT_TRUE(d.next.has_value());
  ExpectUs(*d.next - kT0, RandomizedUs(50 * 100 / 375.0, 0.5));  // from tp, not from now
  EXPECT_EQ(s.next(), *d.next);
  EXPECT_EQ(s.pmembers(), 50);
  EXPECT_EQ(s.OnTimer(*d.next, 0.5).action, RtcpAction::kSendReport);
}

TEST(RtcpScheduler, ReverseReconsiderationPullsTheTimerIn) {
  RtcpScheduler s(Config(), kT0, 0.5);
  AddMembers(s, 49, kT0 + seconds{1});
  ASSERT_EQ(s.OnTimer(s.next(), 0.5).action, RtcpAction::kReschedule);  // pmembers = 50
  const Timestamp tn = s.next();
  const Timestamp tp = s.tp();
  const Timestamp tc = kT0 + seconds{4};
  ASSERT_GT(tn, tc);

  EXPECT_FALSE(s.OnByeReceived(0xDEAD, tc, 100).has_value());    // not a member
  EXPECT_FALSE(s.OnByeReceived(kOwnSsrc, tc, 100).has_value());  // our own, looped back
  EXPECT_EQ(s.members(), 50);

  const auto moved = s.OnByeReceived(0x100, tc, 100);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(s.members(), 49);
  EXPECT_EQ(s.pmembers(), 49);
  EXPECT_EQ(*moved, tc + microseconds{(tn - tc).count() * 49 / 50});
  EXPECT_EQ(s.next(), *moved);
  EXPECT_EQ(s.tp(), tc - microseconds{(tc - tp).count() * 49 / 50});
}

TEST(RtcpScheduler, NoReverseReconsiderationWhileAboveThePreviousCount) {
  RtcpScheduler s(Config(1e6), kT0, 0.5);
  AddMembers(s, 9, kT0);
  ASSERT_EQ(s.OnTimer(s.next(), 0.5).action, RtcpAction::kSendReport);  // pmembers = 10
  (void)s.OnReportSent(s.next(), 100, 0.5);
  AddMembers(s, 15, kT0 + seconds{3});  // 0x100..0x10E: 6 new ones, 16 members
  ASSERT_EQ(s.members(), 16);
  const Timestamp tn = s.next();
  EXPECT_FALSE(s.OnByeReceived(0x100, kT0 + seconds{3}, 100).has_value());
  EXPECT_EQ(s.members(), 15);
  EXPECT_EQ(s.next(), tn);
}

TEST(RtcpScheduler, ByeReconsiderationWithSixtyMembers) {
  RtcpScheduler s(Config(), kT0, 0.5);
  AddMembers(s, 59, kT0);
  s.OnRtpReceived(0x100, kT0);
  ASSERT_EQ(s.members(), 60);
  ASSERT_EQ(s.senders(), 1);
  (void)s.OnRtpSent(kT0);

  const Timestamp t1 = kT0 + seconds{30};
  const ByeDecision bye = s.Leave(t1, 100, 0.5);
  ASSERT_EQ(bye.action, ByeAction::kScheduled);
  ASSERT_TRUE(bye.next.has_value());
  // As if alone at the start: 1 member, initial minimum 2.5 s, avg = the BYE's size.
  ExpectUs(*bye.next - t1, RandomizedUs(2.5, 0.5));
  EXPECT_TRUE(s.leaving());
  EXPECT_EQ(s.members(), 1);
  EXPECT_EQ(s.senders(), 0);
  EXPECT_FALSE(s.we_sent());
  EXPECT_EQ(s.tp(), t1);

  // Only BYEs count now, from anyone; RTP and other RTCP do not.
  for (std::uint32_t i = 0; i < 40; ++i) {
    EXPECT_FALSE(s.OnByeReceived(0x5000 + i, t1 + seconds{1}, 100).has_value());
  }
  s.OnRtpReceived(0x200, t1 + seconds{1});
  s.OnRtcpReceived(0x201, t1 + seconds{1}, 100);
  EXPECT_EQ(s.members(), 41);
  EXPECT_EQ(s.senders(), 0);

  const RtcpTimerDecision wait = s.OnTimer(*bye.next, 0.5);
  ASSERT_EQ(wait.action, RtcpAction::kReschedule);
  ASSERT_TRUE(wait.next.has_value());
  ExpectUs(*wait.next - t1, RandomizedUs(41 * 100 / 375.0, 0.5));
  EXPECT_EQ(s.OnTimer(*wait.next, 0.5), (RtcpTimerDecision{RtcpAction::kSendBye, std::nullopt}));
  EXPECT_EQ(s.OnTimer(*wait.next + seconds{10}, 0.5).action, RtcpAction::kStopped);
}

TEST(RtcpScheduler, ImmediateByeBelowFiftyMembers) {
  RtcpScheduler s(Config(), kT0, 0.5);
  AddMembers(s, 48, kT0);
  ASSERT_EQ(s.members(), 49);
  (void)s.OnRtpSent(kT0);
  EXPECT_EQ(s.Leave(kT0 + seconds{1}, 100, 0.5), (ByeDecision{ByeAction::kSendNow, std::nullopt}));
  EXPECT_EQ(s.OnTimer(s.next(), 0.5).action, RtcpAction::kStopped);
}

TEST(RtcpScheduler, FiftyMembersReconsiderTheBye) {
  RtcpScheduler s(Config(), kT0, 0.5);
  AddMembers(s, 49, kT0);
  ASSERT_EQ(s.members(), 50);
  (void)s.OnRtpSent(kT0);
  EXPECT_EQ(s.Leave(kT0 + seconds{1}, 100, 0.5).action, ByeAction::kScheduled);
}

TEST(RtcpScheduler, NoByeWhenNothingWasEverSent) {
  RtcpScheduler s(Config(), kT0, 0.5);
  AddMembers(s, 80, kT0);
  EXPECT_EQ(s.Leave(kT0 + seconds{1}, 100, 0.5), (ByeDecision{ByeAction::kNone, std::nullopt}));
  EXPECT_EQ(s.OnTimer(s.next(), 0.5).action, RtcpAction::kStopped);
}

TEST(RtcpScheduler, MemberTimesOutAfterFiveDeterministicIntervals) {
  // 1 MB/s: the deterministic interval is the 5 s minimum, so members time out after 25 s.
  RtcpScheduler s(Config(1e6), kT0, 0.5);
  s.OnRtcpReceived(0x42, kT0, 100);
  ASSERT_EQ(s.members(), 2);
  RtcpTimeouts none = s.CheckTimeouts(kT0 + seconds{25});
  EXPECT_TRUE(none.timed_out.empty());
  EXPECT_EQ(s.members(), 2);
  RtcpTimeouts gone = s.CheckTimeouts(kT0 + seconds{25} + microseconds{1});
  EXPECT_EQ(gone.timed_out, std::vector<std::uint32_t>{0x42});
  EXPECT_EQ(s.members(), 1);
  EXPECT_FALSE(gone.next.has_value());  // pmembers was never raised: nothing to pull in
}

TEST(RtcpScheduler, ReducedMinimumDoesNotShortenTheTimeout) {
  RtcpSchedulerConfig config = Config(1e6);
  config.min_interval = ReducedMinInterval(8'000'000);  // 45 ms
  RtcpScheduler s(config, kT0, 0.5);
  s.OnRtcpReceived(0x42, kT0, 100);
  EXPECT_TRUE(s.CheckTimeouts(kT0 + seconds{25}).timed_out.empty());
  EXPECT_EQ(s.CheckTimeouts(kT0 + seconds{26}).timed_out, std::vector<std::uint32_t>{0x42});
}

TEST(RtcpScheduler, TimeoutTriggersReverseReconsideration) {
  RtcpScheduler s(Config(1e6), kT0, 0.5);
  s.OnRtcpReceived(0x41, kT0, 100);
  s.OnRtcpReceived(0x42, kT0, 100);
  // Drive the timer and keep 0x41 talking; 0x42 falls silent.
  std::optional<RtcpTimeouts> result;
  Timestamp tn_before{};
  for (Timestamp now = kT0 + seconds{1}; now <= kT0 + seconds{40}; now += seconds{1}) {
    while (s.next() <= now) {
      const Timestamp at = s.next();
      if (s.OnTimer(at, 0.5).action == RtcpAction::kSendReport) (void)s.OnReportSent(at, 100, 0.5);
    }
    if ((now - kT0) % seconds{4} == seconds{0}) s.OnRtcpReceived(0x41, now, 100);
    tn_before = s.next();
    RtcpTimeouts t = s.CheckTimeouts(now);
    if (!t.timed_out.empty()) {
      EXPECT_EQ(now, kT0 + seconds{26});
      result = std::move(t);
      ASSERT_EQ(s.members(), 2);
      ASSERT_TRUE(result->next.has_value());
      EXPECT_EQ(*result->next, now + microseconds{(tn_before - now).count() * 2 / 3});
      break;
    }
  }
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->timed_out, std::vector<std::uint32_t>{0x42});
  EXPECT_EQ(s.pmembers(), 2);
}

TEST(RtcpScheduler, SilentSenderBecomesAReceiverAfterTwoIntervals) {
  RtcpScheduler s(Config(1e6), kT0, 0.5);
  s.OnRtpReceived(0x42, kT0);
  ASSERT_EQ(s.members(), 2);
  ASSERT_EQ(s.senders(), 1);
  s.OnRtcpReceived(0x42, kT0 + seconds{6}, 100);  // still a member, no longer sending RTP
  EXPECT_TRUE(s.CheckTimeouts(kT0 + seconds{10}).now_receivers.empty());
  const RtcpTimeouts t = s.CheckTimeouts(kT0 + seconds{10} + microseconds{1});
  EXPECT_EQ(t.now_receivers, std::vector<std::uint32_t>{0x42});
  EXPECT_TRUE(t.timed_out.empty());
  EXPECT_EQ(s.senders(), 0);
  EXPECT_EQ(s.members(), 2);
  EXPECT_TRUE(s.CheckTimeouts(kT0 + seconds{11}).now_receivers.empty());  // reported once
  s.OnRtpReceived(0x42, kT0 + seconds{12});                               // sending again
  EXPECT_EQ(s.senders(), 1);
}

TEST(RtcpScheduler, WeStopBeingASenderAfterTwoIntervals) {
  RtcpScheduler s(Config(1e6), kT0, 0.5);
  EXPECT_FALSE(s.OnRtpSent(kT0).has_value());  // alone: the minimum binds either way
  EXPECT_TRUE(s.we_sent());
  EXPECT_EQ(s.senders(), 1);
  EXPECT_FALSE(s.CheckTimeouts(kT0 + seconds{10}).we_stopped_sending);
  EXPECT_TRUE(s.CheckTimeouts(kT0 + seconds{10} + microseconds{1}).we_stopped_sending);
  EXPECT_FALSE(s.we_sent());
  EXPECT_EQ(s.senders(), 0);
}

TEST(RtcpScheduler, BecomingASenderPullsTheTimerIn) {
  // 100 bytes/s: 20 receivers need 20 * 100 / 75 = 26.7 s; one sender among them 4 s.
  RtcpScheduler s(Config(100), kT0, 0.5);
  AddMembers(s, 19, kT0);
  ASSERT_EQ(s.OnTimer(s.next(), 0.5).action, RtcpAction::kReschedule);
  const Timestamp tn = s.next();
  const Timestamp now = kT0 + seconds{3};
  const Duration before = DeterministicInterval(20, 0, 100, false, 100, true);
  const Duration after = DeterministicInterval(20, 1, 100, true, 100, true);
  ASSERT_EQ(after, seconds{4});
  const auto moved = s.OnRtpSent(now);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(*moved, now + microseconds{(tn - now).count() * after.count() / before.count()});
  EXPECT_EQ(s.next(), *moved);
  EXPECT_FALSE(s.OnRtpSent(now + seconds{1}).has_value());  // already a sender
}

TEST(RtcpScheduler, OwnPacketsLoopedBackAreIgnored) {
  RtcpScheduler s(Config(), kT0, 0.5);
  s.OnRtpReceived(kOwnSsrc, kT0);
  s.OnRtcpReceived(kOwnSsrc, kT0, 1000);
  EXPECT_EQ(s.members(), 1);
  EXPECT_EQ(s.senders(), 0);
  EXPECT_DOUBLE_EQ(s.avg_rtcp_size(), 100.0);
}

TEST(RtcpScheduler, ReceivedReportsUpdateTheAverageSize) {
  RtcpScheduler s(Config(), kT0, 0.5);
  s.OnRtcpReceived(0x42, kT0, 260);
  EXPECT_DOUBLE_EQ(s.avg_rtcp_size(), 110.0);
  s.OnRtpReceived(0x42, kT0);  // RTP does not change it
  EXPECT_DOUBLE_EQ(s.avg_rtcp_size(), 110.0);
  EXPECT_EQ(s.members(), 2);
  EXPECT_EQ(s.senders(), 1);
}

}  // namespace
}  // namespace confcast::rtp
