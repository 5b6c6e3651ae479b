// RtpSession, incoming side (RFC 3550 6.3.3, 6.3.4, 8.2; RFC 4585 6): what a received compound
// or RTP packet may change: our own loop-back, SSRC collisions, source binding and hand-over,
// reports, feedback and round-trip time, and malformed-but-parsed input. Time is a fake clock;
// random bits come from a fixed script.
#include <gtest/gtest.h>

#include "rtp_session_fixture.h"

namespace confcast::rtp::session_test {
namespace {

// ---- Own packets and collisions -----------------------------------------------------------

TEST(RtpSession, OurLoopedBackCompoundIsIgnored) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.repair_ssrcs = {kFec};
  RtpSession s(c, kT0, script.Bits());
  s.SetSenderInfoSource([] { return SenderInfo{}; });
  s.OnRtpSent(kT0);
  auto report = s.Poll(s.NextWakeup());
  ASSERT_TRUE(report);
  report->push_back(Pli{kOurs, kAlice});
  // From our own address, and from an address we did not know (our CNAME proves it).
  for (const TransportAddress& from : {kLocalRtcp, Addr(9, 9)}) {
    const auto r = s.Receive(kT0 + seconds{3}, from, *report, 120);
    EXPECT_TRUE(r.collisions.empty());
    EXPECT_TRUE(r.sender_reports.empty());
    EXPECT_TRUE(r.new_members.empty());
    EXPECT_EQ(r.ignored.own_loopback, 4u);  // SR, two SDES chunks, PLI
  }
  EXPECT_TRUE(s.members().empty());
  EXPECT_EQ(s.ssrc(), kOurs);
  EXPECT_EQ(s.OnRtp(kT0, kOurs, kLocalRtp).admission, RtpAdmission::kOwnLoopback);
  EXPECT_EQ(s.counters().collisions, 0u);
}

TEST(RtpSession, OurSsrcFromElsewhereWithoutCnameIsIgnoredNotACollision) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  const auto r = s.Receive(kT0, kHostA, {ReceiverReport{kOurs, {}, {}}, Pli{kOurs, kAlice}}, 40);
  EXPECT_EQ(r.ignored.own_ssrc_foreign, 2u);
  EXPECT_TRUE(r.collisions.empty());
  EXPECT_EQ(s.ssrc(), kOurs);
}

TEST(RtpSession, AnotherCnameOnOurSsrcIsACollisionResolvedWithAFreshSsrcAndBye) {
  WithAlice w;
  RtpSession& s = w.session;
  // The first draws are taken (Alice's SSRC, then ours): the session must skip them.
  *w.script.values = {kAlice, kOurs, 0x77777777};
  const auto r = s.Receive(kT0 + seconds{1}, kHostB, RrSdes(kOurs, "bob@b", "Bob"), 80);
  ASSERT_EQ(r.collisions.size(), 1u);
  const SsrcCollision& c = r.collisions[0];
  EXPECT_EQ(c.old_ssrc, kOurs);
  EXPECT_EQ(c.new_ssrc, 0x77777777u);
  EXPECT_EQ(c.other_cname, "bob@b");
  EXPECT_EQ(s.ssrc(), 0x77777777u);
  EXPECT_EQ(s.scheduler().own_ssrc(), 0x77777777u);
  ASSERT_EQ(All<rtp::Bye>(c.bye).size(), 1u);
  EXPECT_EQ(All<rtp::Bye>(c.bye)[0].ssrcs, std::vector<std::uint32_t>{kOurs});
  EXPECT_EQ(All<ReceiverReport>(c.bye).at(0).sender_ssrc, kOurs);
  EXPECT_TRUE(Serialize(c.bye));
  // 8.2: the old SSRC is now Bob's, bound to where his packet came from.
  const SessionMember* bob = s.FindMember(kOurs);
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->cname, "bob@b");
  EXPECT_EQ(bob->name, "Bob");
  EXPECT_EQ(bob->rtcp_from, kHostB);
  EXPECT_EQ(s.counters().collisions, 1u);
  // Our next report uses the new SSRC; our own BYE looped back cannot touch Bob.
  auto next = s.Poll(s.NextWakeup());
  ASSERT_TRUE(next);
  EXPECT_EQ(All<ReceiverReport>(*next).at(0).sender_ssrc, 0x77777777u);
  const auto loop = s.Receive(kT0 + seconds{3}, kLocalRtcp, c.bye, 60);
  EXPECT_TRUE(loop.byes.empty());
  EXPECT_GT(loop.ignored.wrong_address, 0u);
  EXPECT_FALSE(s.FindMember(kOurs)->bye_at);
}

TEST(RtpSession, AnotherPortOfTheSameParticipantFollowsAnSsrcChange) {
  WithAlice w;
  RtpSession& s = w.session;
  EXPECT_FALSE(s.ChangeSsrc(kAlice));  // a member's
  EXPECT_FALSE(s.ChangeSsrc(kOurs));   // already ours
  EXPECT_FALSE(s.ChangeSsrc(0));
  auto bye = s.ChangeSsrc(0x44444444);
  ASSERT_TRUE(bye);
  EXPECT_EQ(All<rtp::Bye>(*bye).at(0).ssrcs, std::vector<std::uint32_t>{kOurs});
  EXPECT_EQ(All<ReceiverReport>(*bye).at(0).sender_ssrc, kOurs);
  EXPECT_TRUE(Serialize(*bye));
  EXPECT_EQ(s.ssrc(), 0x44444444u);
  EXPECT_EQ(s.scheduler().own_ssrc(), 0x44444444u);
  EXPECT_EQ(All<ReceiverReport>(*s.Poll(s.NextWakeup())).at(0).sender_ssrc, 0x44444444u);
}

TEST(RtpSession, CollisionOnARepairSsrcIsReportedNotResolved) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.repair_ssrcs = {kRtx};
  RtpSession s(c, kT0, script.Bits());
  const auto r = s.Receive(kT0, kHostB, RrSdes(kRtx, "bob@b"), 60);
  ASSERT_EQ(r.collisions.size(), 1u);
  EXPECT_FALSE(r.collisions[0].new_ssrc);
  EXPECT_TRUE(r.collisions[0].bye.empty());
  EXPECT_TRUE(s.IsLocalSsrc(kRtx));
  EXPECT_EQ(s.ssrc(), kOurs);
  EXPECT_TRUE(s.Receive(kT0 + seconds{1}, kHostB, RrSdes(kRtx, "bob@b"), 60).collisions.empty());
  EXPECT_EQ(s.counters().collisions, 1u);  // reported once
}

TEST(RtpSession, RtpWithOurSsrcFromAForeignAddressIsACollision) {
  Script script;
  *script.values = {kHalf, 0x55555555};  // the constructor's interval draw, then the new SSRC
  RtpSession s(BaseConfig(), kT0, script.Bits());
  const auto r = s.OnRtp(kT0 + milliseconds{5}, kOurs, kHostARtp);
  EXPECT_EQ(r.admission, RtpAdmission::kAccepted);  // the packet is the other participant's
  ASSERT_TRUE(r.collision);
  EXPECT_EQ(r.collision->new_ssrc, 0x55555555u);
  EXPECT_EQ(All<rtp::Bye>(r.collision->bye).at(0).ssrcs, std::vector<std::uint32_t>{kOurs});
  EXPECT_EQ(s.ssrc(), 0x55555555u);
  ASSERT_TRUE(s.FindMember(kOurs));
  EXPECT_TRUE(s.FindMember(kOurs)->sender());
  EXPECT_EQ(s.FindMember(kOurs)->rtp_from, kHostARtp);
  EXPECT_EQ(s.scheduler().senders(), 1);
}

TEST(RtpSession, ARandomSourceThatRepeatsItselfStillYieldsAFreeSsrc) {
  Script script;
  *script.values = {kHalf};
  for (int i = 0; i < 40; ++i) script.values->push_back(kOurs);  // always the colliding value
  RtpSession s(BaseConfig(), kT0, script.Bits());
  const auto r = s.OnRtp(kT0, kOurs, kHostARtp);
  ASSERT_TRUE(r.collision && r.collision->new_ssrc);
  EXPECT_NE(*r.collision->new_ssrc, kOurs);
  EXPECT_NE(*r.collision->new_ssrc, 0u);
}

// ---- Source binding -----------------------------------------------------------------------

TEST(RtpSession, SpoofedByeSrAndSdesFromAnotherHostAreIgnoredAndCounted) {
  WithAlice w;
  RtpSession& s = w.session;
  const Timestamp t = kT0 + milliseconds{300};
  RtcpCompound spoof{SenderReport{kAlice, NtpTime{1}, 2, 3, 4, {}, {}},
                     Sdes{{Chunk(kAlice, "mallory@b", "Mallory")}}, rtp::Bye{{kAlice}, "forged"}};
  const auto r = s.Receive(t, kHostB, spoof, 100);
  EXPECT_TRUE(r.sender_reports.empty());
  EXPECT_TRUE(r.renamed.empty());
  EXPECT_TRUE(r.byes.empty());
  EXPECT_EQ(r.ignored.wrong_address, 3u);
  const SessionMember* alice = s.FindMember(kAlice);
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->name, "Alice");
  EXPECT_EQ(alice->cname, "alice@a");
  EXPECT_FALSE(alice->bye_at);
  EXPECT_EQ(alice->last_heard, kT0);  // ignored packets do not keep a member alive
  // The same host, another port, is another transport address too.
  TransportAddress other_port = kHostA;
  other_port.port = 1234;
  EXPECT_TRUE(s.Receive(t, other_port, {rtp::Bye{{kAlice}, ""}}, 40).byes.empty());
  // Long after, the RTCP-only member still keeps its binding (8.2: until it times out).
  EXPECT_TRUE(s.Receive(kT0 + seconds{10}, kHostB, spoof, 100).byes.empty());
  EXPECT_EQ(s.counters().ignored.wrong_address, 7u);
}

TEST(RtpSession, ByeFromTheBoundAddressMarksTheMemberThenItLeavesAfterTheLinger) {
  WithAlice w;
  RtpSession& s = w.session;
  EXPECT_EQ(s.scheduler().members(), 2);
  const Timestamp t = kT0 + seconds{1};
  const auto r = s.Receive(t, kHostA, {ReceiverReport{kAlice, {}, {}}, rtp::Bye{{kAlice}, "bye"}}, 40);
  ASSERT_EQ(r.byes.size(), 1u);
  EXPECT_EQ(r.byes[0].ssrc, kAlice);
  EXPECT_EQ(r.byes[0].reason, "bye");
  EXPECT_EQ(s.FindMember(kAlice)->bye_at, t);
  EXPECT_EQ(s.scheduler().members(), 1);  // the reporter does not come back with the BYE
  // Strays after the BYE do not revive it.
  EXPECT_EQ(s.OnRtp(t + milliseconds{10}, kAlice, kHostARtp).admission, RtpAdmission::kAfterBye);
  EXPECT_EQ(s.Receive(t + milliseconds{10}, kHostA, RrSdes(kAlice, "alice@a"), 60).ignored.after_bye, 2u);
  EXPECT_TRUE(s.Timeouts(t + milliseconds{1999}).left.empty());
  EXPECT_EQ(s.Timeouts(t + seconds{2}).left, std::vector<std::uint32_t>{kAlice});
  EXPECT_FALSE(s.FindMember(kAlice));
  // Heard again after that, it is a new member.
  EXPECT_TRUE(s.OnRtp(t + seconds{3}, kAlice, kHostARtp).new_member);
}

TEST(RtpSession, RtpBindsToTheHostOfTheRtcpAndConflictsFromAnotherHost) {
  WithAlice w;
  RtpSession& s = w.session;
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{1}, kAlice, kHostBRtp).admission, RtpAdmission::kConflict);
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{2}, kAlice, kHostARtp).admission, RtpAdmission::kAccepted);
  EXPECT_EQ(s.FindMember(kAlice)->rtp_from, kHostARtp);
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{3}, kAlice, kHostBRtp).admission, RtpAdmission::kConflict);
  EXPECT_EQ(s.counters().ignored.wrong_address, 2u);
}

TEST(RtpSession, ASenderThatWentQuietHandsOverToItsNewAddress) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  ASSERT_TRUE(s.OnRtp(kT0, kAlice, kHostARtp).new_member);
  ASSERT_EQ(s.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a"), 60).ignored.wrong_address, 0u);
  // Still alive at A: B is refused.
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{500}, kAlice, kHostARtp).admission, RtpAdmission::kAccepted);
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{1400}, kAlice, kHostBRtp).admission, RtpAdmission::kConflict);
  // Silent for 1 s: the sender restarted at B.
  const auto moved = s.OnRtp(kT0 + milliseconds{1500}, kAlice, kHostBRtp);
  EXPECT_EQ(moved.admission, RtpAdmission::kAccepted);
  EXPECT_TRUE(moved.handover);
  EXPECT_EQ(s.FindMember(kAlice)->rtp_from, kHostBRtp);
  EXPECT_FALSE(s.FindMember(kAlice)->rtcp_from);
  // Its RTCP follows from B; A is now the stranger.
  const auto rtcp = s.Receive(kT0 + milliseconds{1600}, kHostB, RrSdes(kAlice, "alice@b"), 60);
  EXPECT_EQ(rtcp.ignored.wrong_address, 0u);
  EXPECT_EQ(rtcp.renamed, std::vector<std::uint32_t>{kAlice});
  EXPECT_EQ(s.OnRtp(kT0 + milliseconds{1700}, kAlice, kHostARtp).admission, RtpAdmission::kConflict);
  EXPECT_EQ(s.counters().handovers, 1u);
}

// ---- Incoming reports and feedback --------------------------------------------------------

TEST(RtpSession, SenderReportsReportBlocksAndRoundTrip) {
  Script script;
  RtpSession s(BaseConfig(), kT0, script.Bits());
  const NtpTime sent_ntp{0xE000000180000000};  // some wall time, .5 s
  s.SetSenderInfoSource([&] { return SenderInfo{sent_ntp, 1, 2, 3}; });
  s.OnRtpSent(kT0);
  const Timestamp at = s.NextWakeup();
  ASSERT_TRUE(s.Poll(at));
  ReportBlock about_us{kOurs, 25, 3, 1000, 90, sent_ntp.Compact(), 0x1999};  // DLSR 0.1 s
  ReportBlock about_other{0xDEAD, 0, 0, 0, 0, 0, 0};
  const auto r = s.Receive(at + milliseconds{150}, kHostA,
                           {SenderReport{kAlice, NtpTime{42}, 7, 8, 9, {about_us, about_other}, {}},
                            Sdes{{Chunk(kAlice, "alice@a")}}},
                           100);
  ASSERT_EQ(r.sender_reports.size(), 1u);
  EXPECT_EQ(r.sender_reports[0].ssrc, kAlice);
  EXPECT_EQ(r.sender_reports[0].ntp, NtpTime{42});
  EXPECT_EQ(r.sender_reports[0].rtp_timestamp, 7u);
  ASSERT_EQ(r.reports.size(), 1u);  // the block about 0xDEAD is not ours
  EXPECT_EQ(r.reports[0].reporter, kAlice);
  EXPECT_EQ(r.reports[0].block, about_us);
  ASSERT_TRUE(r.reports[0].rtt);
  EXPECT_NEAR(static_cast<double>(r.reports[0].rtt->count()), 50'000, 20);
  // An LSR we never sent gives no round trip.
  about_us.last_sr = 0x12345678;
  const auto r2 = s.Receive(at + milliseconds{200}, kHostA, RrSdes(kAlice, "alice@a", "", {about_us}), 80);
  ASSERT_EQ(r2.reports.size(), 1u);
  EXPECT_FALSE(r2.reports[0].rtt);
}

TEST(RtpSession, FeedbackForUsAndNacksHeardAboutOthers) {
  Script script;
  RtpSessionConfig c = BaseConfig();
  c.repair_ssrcs = {kRtx};
  RtpSession s(c, kT0, script.Bits());
  const RtcpCompound fb{ReceiverReport{kAlice, {}, {}},
                        Sdes{{Chunk(kAlice, "alice@a")}},
                        Pli{kAlice, kOurs},
                        Pli{kAlice, kBob},
                        Fir{kAlice, {FirEntry{kOurs, 3}, FirEntry{kBob, 4}}},
                        Nack{kAlice, kOurs, {NackItem{10, 0}}},
                        Nack{kAlice, kBob, {NackItem{20, 1}}}};
  const auto r = s.Receive(kT0, kHostA, fb, 120);
  ASSERT_EQ(r.keyframe_requests.size(), 2u);
  EXPECT_EQ(r.keyframe_requests[0].media_ssrc, kOurs);
  EXPECT_FALSE(r.keyframe_requests[0].fir_seq);
  EXPECT_EQ(r.keyframe_requests[1].fir_seq, std::optional<std::uint8_t>{3});
  // Keyframe requests about others are heard too: a receiver that wanted one stays quiet.
  ASSERT_EQ(r.keyframe_requests_heard.size(), 2u);
  EXPECT_EQ(r.keyframe_requests_heard[0].media_ssrc, kBob);
  EXPECT_EQ(r.keyframe_requests_heard[1].fir_seq, std::optional<std::uint8_t>{4});
  ASSERT_EQ(r.nacks.size(), 1u);
  EXPECT_EQ(r.nacks[0].media_ssrc, kOurs);
  ASSERT_EQ(r.nacks_heard.size(), 1u);
  EXPECT_EQ(r.nacks_heard[0].media_ssrc, kBob);
  EXPECT_EQ(r.from, kHostA);
  // A reduced-size NACK (RFC 5506) from a new reporter makes it a member.
  const auto lone = s.Receive(kT0, kHostB, {Nack{kBob, kOurs, {NackItem{11, 0}}}}, 16);
  EXPECT_EQ(lone.nacks.size(), 1u);
  EXPECT_EQ(lone.new_members, std::vector<std::uint32_t>{kBob});
  // The same from a third host is ignored.
  EXPECT_TRUE(s.Receive(kT0, Addr(4, 1), {Nack{kBob, kOurs, {NackItem{11, 0}}}}, 16).nacks.empty());
}

// ---- Malformed but parsed -----------------------------------------------------------------

TEST(RtpSession, MalformedButParsedInputIsCountedNeverTrusted) {
  WithAlice w;
  RtpSession& s = w.session;
  rtp::Bye many;
  for (std::uint32_t i = 0; i < 31; ++i) many.ssrcs.push_back(0x9000 + i);
  many.ssrcs[5] = kOurs;
  many.ssrcs[6] = kAlice;  // from the wrong host
  SdesChunk empty_chunk;
  empty_chunk.ssrc = kBob;
  std::vector<ReportBlock> strangers(31);
  for (std::uint32_t i = 0; i < strangers.size(); ++i) strangers[i].ssrc = 0x7000 + i;
  const RtcpCompound junk{ReceiverReport{kBob, strangers, {}},
                          Sdes{},
                          Sdes{{empty_chunk}},
                          many,
                          rtp::Bye{},
                          Nack{kBob, kOurs, {}},
                          Fir{kBob, {}},
                          Pli{kBob, 0},
                          App{1, kBob, {'t', 'e', 's', 't'}, {}},
                          UnknownRtcpPacket{210, 0, {}}};
  const auto r = s.Receive(kT0 + seconds{1}, kHostB, junk, 1400);
  EXPECT_TRUE(r.reports.empty());
  EXPECT_TRUE(r.byes.empty());
  EXPECT_TRUE(r.nacks.empty());
  EXPECT_TRUE(r.keyframe_requests.empty());
  EXPECT_EQ(r.ignored.malformed, 5u);  // empty SDES, empty chunk, empty BYE, empty NACK, empty FIR
  EXPECT_EQ(r.ignored.wrong_address, 1u);
  EXPECT_EQ(r.ignored.own_ssrc_foreign, 1u);
  EXPECT_EQ(r.new_members, std::vector<std::uint32_t>{kBob});
  EXPECT_FALSE(s.FindMember(kAlice)->bye_at);
  EXPECT_EQ(s.members().size(), 2u);  // BYEs of unknown SSRCs create nobody
  EXPECT_TRUE(s.Receive(kT0 + seconds{1}, kHostB, RtcpCompound{}, 0).new_members.empty());
}

}  // namespace
}  // namespace confcast::rtp::session_test
