// RtpSession, outgoing side (RFC 3550 6.1-6.4, 6.3.5-6.3.7; RFC 4585 3.5): the interval and
// reconsideration through the session, SR or RR, SDES for repair SSRCs, report blocks, early
// feedback that leaves the schedule alone, BYE, member timeouts. Time is a fake clock; random
// bits come from a fixed script.
#include <gtest/gtest.h>

#include <algorithm>

#include "rtp_session_fixture.h"

namespace confcast::rtp::session_test {
namespace {

// ---- Interval -----------------------------------------------------------------------------

TEST(RtpSession, FirstReportAfterHalfTheMinimumThenAtTheInterval) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  // 6.2: 2.5 s initial minimum, draw 0.5 -> 2.5 s / (e - 3/2) = 2.052 s.
  const Timestamp first = s.NextWakeup();
  EXPECT_NEAR(static_cast<double>((first - kT0).count()), 2'052'070, 2);
  EXPECT_FALSE(s.Poll(first - milliseconds{1}));
  auto report = s.Poll(first);
  ASSERT_TRUE(report);
  EXPECT_EQ(s.counters().reports_sent, 1u);
  EXPECT_FALSE(s.Poll(first));  // the interval moved on
  // A.7 draws the next interval before clearing `initial`, so the timer is set 2.052 s on;
  // when it fires, reconsideration applies the 5 s minimum (5 s / (e - 3/2) = 4.104 s after
  // the first report) and the report waits for that.
  const Timestamp armed = s.NextWakeup();
  EXPECT_NEAR(static_cast<double>((armed - first).count()), 2'052'070, 2);
  EXPECT_FALSE(s.Poll(armed));
  const Timestamp second = s.NextWakeup();
  EXPECT_NEAR(static_cast<double>((second - first).count()), 4'104'141, 2);
  EXPECT_TRUE(s.Poll(second));
  EXPECT_EQ(s.counters().reports_sent, 2u);
}

TEST(RtpSession, TimerReconsiderationPostponesWhenTheGroupGrew) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.min_interval = milliseconds{100};  // the bandwidth, not the minimum, sets the interval
  RtpSession s(c, kT0, script.Bits());
  const Timestamp first = s.NextWakeup();
  // 60 receivers report before our timer fires (6.3.6).
  for (std::uint32_t i = 0; i < 60; ++i) {
    (void)s.Receive(kT0 + milliseconds{1}, Addr(static_cast<std::uint8_t>(10 + i), 9),
                    RrSdes(0x1000 + i, "r" + std::to_string(i)), 100);
  }
  EXPECT_EQ(s.scheduler().members(), 61);
  EXPECT_FALSE(s.Poll(first));  // reconsidered: tp + T is later now
  EXPECT_GT(s.scheduler().next(), first + seconds{1});
  EXPECT_TRUE(s.Poll(s.scheduler().next()));
}

// ---- Outgoing -----------------------------------------------------------------------------

TEST(RtpSession, ReceiverReportUntilWeSendThenSenderReportThenBackToRr) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.min_interval = milliseconds{200};
  RtpSession s(c, kT0, script.Bits());
  s.SetSenderInfoSource([] { return SenderInfo{NtpTime{0x1234567800000000}, 90000, 10, 1000}; });
  auto poll = [&] {  // the next report, across timer reconsideration
    for (int i = 0; i < 4; ++i) {
      if (auto report = s.Poll(s.NextWakeup())) return *report;
    }
    ADD_FAILURE() << "no report";
    return RtcpCompound{};
  };
  EXPECT_EQ(All<ReceiverReport>(poll()).size(), 1u);  // nothing sent yet
  s.OnRtpSent(s.NextWakeup() - milliseconds{1});
  const auto sr = All<SenderReport>(poll());
  ASSERT_EQ(sr.size(), 1u);
  EXPECT_EQ(sr[0].sender_ssrc, kOurs);
  EXPECT_EQ(sr[0].rtp_timestamp, 90000u);
  EXPECT_EQ(sr[0].packet_count, 10u);
  EXPECT_EQ(All<SenderReport>(poll()).size(), 1u);    // RTP since the report before last
  EXPECT_EQ(All<ReceiverReport>(poll()).size(), 1u);  // not any more
}

TEST(RtpSession, SdesCarriesCnameNameToolAndACnameForEveryRepairSsrc) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.repair_ssrcs = {kFec};
  RtpSession s(c, kT0, script.Bits());
  s.AddRepairSsrc(kRtx);
  s.AddRepairSsrc(kRtx);  // once is enough
  auto report = s.Poll(s.NextWakeup());
  ASSERT_TRUE(report);
  ASSERT_TRUE(std::holds_alternative<ReceiverReport>(report->front()));  // 6.1: report first
  const auto sdes = All<Sdes>(*report);
  ASSERT_EQ(sdes.size(), 1u);
  ASSERT_EQ(sdes[0].chunks.size(), 3u);
  EXPECT_EQ(sdes[0].chunks[0].ssrc, kOurs);
  EXPECT_EQ(*sdes[0].chunks[0].Find(SdesType::kCname), "ours@host");
  EXPECT_EQ(*sdes[0].chunks[0].Find(SdesType::kName), "Our Name");
  EXPECT_EQ(*sdes[0].chunks[0].Find(SdesType::kTool), "confcast test");
  EXPECT_EQ(sdes[0].chunks[1].ssrc, kFec);
  EXPECT_EQ(sdes[0].chunks[2].ssrc, kRtx);
  for (int i : {1, 2}) {
    EXPECT_EQ(*sdes[0].chunks[i].Find(SdesType::kCname), "ours@host");
    EXPECT_EQ(sdes[0].chunks[i].items.size(), 1u);
  }
  EXPECT_TRUE(Serialize(*report));
}

TEST(RtpSession, ReportBlocksAreConsumedByReportsAndSplitBeyondThirtyOne) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  std::vector<bool> consumed;
  s.SetReportBlockSource([&](Timestamp, bool consume) {
    consumed.push_back(consume);
    std::vector<ReportBlock> blocks(40);
    for (std::uint32_t i = 0; i < blocks.size(); ++i) blocks[i].ssrc = 0x5000 + i;
    return blocks;
  });
  auto report = s.Poll(s.NextWakeup());
  ASSERT_TRUE(report);
  const auto rrs = All<ReceiverReport>(*report);
  ASSERT_EQ(rrs.size(), 2u);  // 6.4.2: 31 + 9
  EXPECT_EQ(rrs[0].report_blocks.size(), 31u);
  EXPECT_EQ(rrs[1].report_blocks.size(), 9u);
  EXPECT_EQ(consumed, std::vector<bool>{true});
  EXPECT_TRUE(Serialize(*report));
}

TEST(RtpSession, EarlyFeedbackPeeksBlocksAndLeavesTheScheduleAlone) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  std::vector<bool> consumed;
  s.SetReportBlockSource([&](Timestamp, bool consume) {
    consumed.push_back(consume);
    return std::vector<ReportBlock>{ReportBlock{kAlice, 3, 4, 5, 6, 7, 8}};
  });
  const Timestamp due = s.NextWakeup();
  const double avg = s.scheduler().avg_rtcp_size();
  Feedback fb;
  fb.pli = {kAlice};
  fb.nack = {FeedbackNack{kAlice, {NackItem{100, 0x3}}}, FeedbackNack{kBob, {}}};
  fb.fir = {FirEntry{kAlice, 7}};
  auto early = s.BuildFeedback(kT0 + milliseconds{500}, fb);
  ASSERT_TRUE(early);
  ASSERT_TRUE(std::holds_alternative<ReceiverReport>(early->front()));
  EXPECT_EQ(All<ReceiverReport>(*early)[0].report_blocks.size(), 1u);
  EXPECT_EQ(All<Sdes>(*early).size(), 1u);
  EXPECT_EQ(All<Pli>(*early), (std::vector<Pli>{Pli{kOurs, kAlice}}));
  EXPECT_EQ(All<Nack>(*early).size(), 1u);  // the empty request is left out
  EXPECT_EQ(All<Fir>(*early)[0].entries[0].seq_nr, 7);
  EXPECT_TRUE(Serialize(*early));
  EXPECT_EQ(s.NextWakeup(), due);
  EXPECT_EQ(s.scheduler().avg_rtcp_size(), avg);
  EXPECT_FALSE(s.BuildFeedback(kT0, Feedback{}));
  EXPECT_FALSE(s.Poll(due - milliseconds{1}));
  EXPECT_TRUE(s.Poll(due));
  EXPECT_EQ(consumed, (std::vector<bool>{false, true}));
  EXPECT_EQ(s.counters().feedback_sent, 1u);
  EXPECT_EQ(s.counters().reports_sent, 1u);
}

TEST(RtpSession, LargeGroupsSendOneEarlyCompoundPerRegularReport) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.min_interval = milliseconds{100};
  RtpSession s(c, kT0, script.Bits());
  for (std::uint32_t i = 0; i < 9; ++i) {  // 10 members with us: above the small group
    (void)s.Receive(kT0 + milliseconds{1}, Addr(static_cast<std::uint8_t>(10 + i), 9),
                    RrSdes(0x1000 + i, "r" + std::to_string(i)), 100);
  }
  ASSERT_EQ(s.scheduler().members(), 10);
  ASSERT_EQ(s.FeedbackGroupSize(), 10);
  // The first regular report (reconsidered once: the group grew since the timer was set).
  bool sent = false;
  for (int i = 0; i < 3 && !sent; ++i) sent = s.Poll(s.scheduler().next()).has_value();
  ASSERT_TRUE(sent);
  const Timestamp tp = s.scheduler().tp();
  const Duration t_rr = s.scheduler().next() - tp;
  const Feedback fb{{kAlice}, {}, {}};
  EXPECT_TRUE(s.MayEarly());
  ASSERT_TRUE(s.BuildFeedback(tp + milliseconds{1}, fb));
  EXPECT_FALSE(s.MayEarly());
  EXPECT_EQ(s.scheduler().next(), tp + 2 * t_rr);  // the early packet took a regular slot
  EXPECT_FALSE(s.BuildFeedback(tp + milliseconds{2}, fb));
  EXPECT_EQ(s.counters().feedback_held, 1u);
  EXPECT_FALSE(s.Poll(tp + t_rr));  // the skipped slot
  ASSERT_TRUE(s.Poll(tp + 2 * t_rr));
  EXPECT_TRUE(s.MayEarly());  // allowed again after the regular report
  EXPECT_TRUE(s.BuildFeedback(tp + 2 * t_rr + milliseconds{1}, fb));
  EXPECT_EQ(s.counters().feedback_sent, 2u);
}

TEST(RtpSession, SendersDoNotMakeTheFeedbackGroupLarge) {
  // Three senders with media, FEC and RTX SSRCs each: nine members that send RTP, who would
  // never send our feedback. With us and one other receiver the group is 2: small.
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  for (std::uint8_t i = 0; i < 9; ++i) {
    (void)s.OnRtp(kT0, 0x5000u + i, Addr(static_cast<std::uint8_t>(20 + i / 3), 5000));
  }
  (void)s.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a"), 60);
  EXPECT_EQ(s.scheduler().members(), 11);
  EXPECT_EQ(s.FeedbackGroupSize(), 2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(s.BuildFeedback(kT0 + milliseconds{i}, Feedback{{kAlice}, {}, {}}));
  }
}

TEST(RtpSession, TrrIntervalLeavesOutRegularReportsButNotTheirSlots) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.min_interval = milliseconds{100};
  c.trr_interval = seconds{3};
  RtpSession s(c, kT0, script.Bits());
  bool sent = false;
  for (int i = 0; i < 3 && !sent; ++i) sent = s.Poll(s.scheduler().next()).has_value();
  ASSERT_TRUE(sent);
  const Timestamp first = s.scheduler().tp();
  // Slots within 3 s of that report pass without one; the first after 3 s carries one.
  int skipped = 0;
  Timestamp next_sent{0};
  for (int i = 0; i < 200; ++i) {
    const Timestamp t = s.scheduler().next();
    if (s.Poll(t)) {
      next_sent = t;
      break;
    }
    if (s.scheduler().tp() == t) ++skipped;
  }
  EXPECT_GT(skipped, 0);
  EXPECT_EQ(s.counters().reports_skipped, static_cast<std::uint64_t>(skipped));
  EXPECT_GE(next_sent - first, seconds{3});
  EXPECT_EQ(s.counters().reports_sent, 2u);
}

TEST(RtpSession, SmallGroupsSendFeedbackWheneverAsked) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  (void)s.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a"), 60);
  const Timestamp due = s.NextWakeup();
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(s.BuildFeedback(kT0 + milliseconds{i}, Feedback{{kAlice}, {}, {}}));
  EXPECT_EQ(s.NextWakeup(), due);
  EXPECT_EQ(s.counters().feedback_held, 0u);
}

TEST(RtpSession, ByeNamesEveryOurSsrcAndEndsTheSession) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.repair_ssrcs = {kFec, kRtx};
  RtpSession s(c, kT0, script.Bits());
  ASSERT_TRUE(s.Poll(s.NextWakeup()));
  auto bye = s.Bye(s.NextWakeup(), "done");
  ASSERT_TRUE(bye);
  const auto byes = All<rtp::Bye>(*bye);
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0].ssrcs, (std::vector<std::uint32_t>{kOurs, kFec, kRtx}));
  EXPECT_EQ(byes[0].reason, "done");
  EXPECT_TRUE(s.left());
  EXPECT_FALSE(s.Bye(s.NextWakeup(), "again"));
  EXPECT_FALSE(s.Poll(kT0 + seconds{100}));
  EXPECT_FALSE(s.BuildFeedback(kT0 + seconds{100}, Feedback{{kAlice}, {}, {}}));
}

TEST(RtpSession, NoByeFromASessionThatNeverSentAnything) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  EXPECT_FALSE(s.Bye(kT0 + milliseconds{10}, "bye"));  // 6.3.7
  EXPECT_TRUE(s.left());
}

TEST(RtpSession, ByeReconsiderationInALargeGroupHoldsTheByeForPoll) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  ASSERT_TRUE(s.Poll(s.NextWakeup()));
  for (std::uint32_t i = 0; i < 60; ++i) {
    (void)s.Receive(kT0 + seconds{3}, Addr(static_cast<std::uint8_t>(10 + i), 9),
                    RrSdes(0x1000 + i, "r"), 100);
  }
  EXPECT_FALSE(s.Bye(kT0 + seconds{3}, "leaving"));
  EXPECT_TRUE(s.left());
  const Timestamp due = s.NextWakeup();
  EXPECT_GT(due, kT0 + seconds{3});
  auto bye = s.Poll(due);
  ASSERT_TRUE(bye);
  EXPECT_EQ(All<rtp::Bye>(*bye).at(0).reason, "leaving");
  EXPECT_FALSE(s.Poll(due + seconds{10}));
}

// ---- Timeouts -----------------------------------------------------------------------------

TEST(RtpSession, MembersTimeOutAfterFiveIntervalsOrTheFloorIfLonger) {
  WithAlice w;
  RtpSession& s = w.session;
  // 6.3.5 with the fixed 5 s minimum: 5 * 5 s.
  EXPECT_EQ(s.MemberTimeout(), seconds{25});
  EXPECT_TRUE(s.Timeouts(kT0 + seconds{25}).timed_out.empty());
  EXPECT_EQ(s.Timeouts(kT0 + seconds{25} + milliseconds{1}).timed_out,
            std::vector<std::uint32_t>{kAlice});
  EXPECT_FALSE(s.FindMember(kAlice));
  EXPECT_EQ(s.scheduler().members(), 1);

  Script script;
  RtpSessionConfig c = BaseConfig();
  c.member_timeout_floor = seconds{30};
  RtpSession floored(c, kT0, script.Bits());
  (void)floored.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a"), 60);
  EXPECT_EQ(floored.MemberTimeout(), seconds{30});
  EXPECT_TRUE(floored.Timeouts(kT0 + seconds{29}).timed_out.empty());
  EXPECT_EQ(floored.Timeouts(kT0 + seconds{31}).timed_out, std::vector<std::uint32_t>{kAlice});
}

TEST(RtpSession, AMediaSenderTimeoutAppliesOnlyToMembersThatSentRtp) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.media_sender_timeout = seconds{5};
  RtpSession s(c, kT0, script.Bits());
  (void)s.OnRtp(kT0, kAlice, kHostARtp);
  (void)s.Receive(kT0, kHostB, RrSdes(kBob, "bob@b"), 60);  // RTCP only
  EXPECT_EQ(s.NextWakeup(), std::min(s.scheduler().next(), kT0 + seconds{5}));
  EXPECT_TRUE(s.Timeouts(kT0 + seconds{5}).timed_out.empty());
  EXPECT_EQ(s.Timeouts(kT0 + seconds{5} + milliseconds{1}).timed_out,
            std::vector<std::uint32_t>{kAlice});
  EXPECT_EQ(s.scheduler().members(), 2);  // the interval no longer counts Alice
  EXPECT_TRUE(s.FindMember(kBob));         // still the RFC's 25 s
  EXPECT_EQ(s.Timeouts(kT0 + seconds{26}).timed_out, std::vector<std::uint32_t>{kBob});
}

TEST(RtpSession, ASilentSenderBecomesAReceiverBeforeItTimesOut) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  (void)s.OnRtp(kT0, kAlice, kHostARtp);
  EXPECT_EQ(s.scheduler().senders(), 1);
  (void)s.Receive(kT0 + seconds{9}, kHostA, RrSdes(kAlice, "alice@a"), 60);
  EXPECT_TRUE(s.Timeouts(kT0 + seconds{9}).now_receivers.empty());
  const auto t = s.Timeouts(kT0 + seconds{11});  // 2 * Td without RTP
  EXPECT_EQ(t.now_receivers, std::vector<std::uint32_t>{kAlice});
  EXPECT_TRUE(t.timed_out.empty());
  EXPECT_FALSE(s.FindMember(kAlice)->sender());
}

TEST(RtpSession, NextWakeupCoversReportsTimeoutsAndTheByeLinger) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.min_interval = seconds{60};  // reports far apart, so the other deadlines come first
  RtpSession s(c, kT0, script.Bits());
  EXPECT_EQ(s.NextWakeup(), s.scheduler().next());
  (void)s.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a"), 60);
  (void)s.Receive(kT0 + seconds{1}, kHostB, RrSdes(kBob, "bob@b"), 60);
  EXPECT_EQ(s.MemberTimeout(), seconds{300});  // 5 * the 60 s minimum
  EXPECT_EQ(s.NextWakeup(), s.scheduler().next());
  (void)s.Receive(kT0 + seconds{3}, kHostA, {rtp::Bye{{kAlice}, ""}}, 40);
  EXPECT_EQ(s.NextWakeup(), kT0 + seconds{5});  // the BYE linger ends first
  EXPECT_EQ(s.Timeouts(s.NextWakeup()).left, std::vector<std::uint32_t>{kAlice});
}

}  // namespace
}  // namespace confcast::rtp::session_test
