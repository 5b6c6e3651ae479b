#include <confcast/receiver/watchdog.h>
#include <gtest/gtest.h>

namespace confcast::receiver {
namespace {

using std::chrono::milliseconds;
using Kind = WatchdogEvent::Kind;
rtp::Timestamp Ms(int ms) {
  return rtp::Timestamp{milliseconds(ms)};
}

WatchdogEvent Event(Kind kind, int outage_ms, std::vector<LikelyCause> causes = {},
                    std::string bye_reason = {}) {
  WatchdogEvent e;
  e.kind = kind;
  e.outage = milliseconds(outage_ms);
  e.causes = std::move(causes);
  e.bye_reason = std::move(bye_reason);
  return e;
}

// A membership probe that must not be consulted.
std::optional<bool> NotAsked() {
  ADD_FAILURE() << "membership probed when no outage was due";
  return std::nullopt;
}
std::optional<bool> Listed() {
  return true;
}
std::optional<bool> NotListed() {
  return false;
}
std::optional<bool> Unknown() {
  return std::nullopt;
}

// Packets every 33 ms from `from` to `to` (exclusive); none of them may report an event.
void Stream(Watchdog& w, int from, int to) {
  for (int t = from; t < to; t += 33) {
    EXPECT_FALSE(w.OnPacket(Ms(t))) << "at " << t;
    EXPECT_FALSE(w.Poll(Ms(t), NotAsked)) << "at " << t;
  }
}

TEST(Watchdog, SilenceBeforeTheFirstPacketIsNotAnOutage) {
  Watchdog w;
  EXPECT_EQ(w.state(), SignalState::kWaiting);
  EXPECT_FALSE(w.Due(Ms(60'000)));
  EXPECT_FALSE(w.Poll(Ms(60'000), NotAsked));
  EXPECT_EQ(w.outages(), 0u);
}

TEST(Watchdog, SteadyPacketsNeverRaiseAnything) {
  Watchdog w;
  Stream(w, 0, 10'000);
  EXPECT_EQ(w.state(), SignalState::kReceiving);
  EXPECT_EQ(w.silence(Ms(10'000)), rtp::Duration{});
}

TEST(Watchdog, DeclaresNoSignalOnceWhenTheSilenceThresholdPasses) {
  WatchdogConfig config;
  config.silence = milliseconds(1000);
  Watchdog w(config);
  Stream(w, 0, 1000);  // last packet at 990
  EXPECT_FALSE(w.Poll(Ms(1989), NotAsked));
  auto e = w.Poll(Ms(1990), Listed);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Kind::kNoSignal);
  EXPECT_EQ(e->outage, milliseconds(1000));
  EXPECT_EQ(w.state(), SignalState::kNoSignal);
  EXPECT_EQ(w.silence(Ms(2490)), milliseconds(1500));
  EXPECT_FALSE(w.Poll(Ms(2000), NotAsked)) << "declared twice";
  EXPECT_FALSE(w.Poll(Ms(9000), NotAsked)) << "declared twice";
  EXPECT_EQ(w.outages(), 1u);
}

TEST(Watchdog, ByeWithTheLastPacketsMeansTheSenderLeft) {
  Watchdog w;
  Stream(w, 0, 1000);
  w.OnBye(Ms(995), "file ended");
  auto e = w.Poll(Ms(2000), NotAsked);  // a BYE is certain: no need to look further
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes, std::vector<LikelyCause>{LikelyCause::kSenderLeft});
  EXPECT_EQ(e->bye_reason, "file ended");
}

TEST(Watchdog, AnOldByeFromAnotherParticipantDoesNotExplainTheOutage) {
  Watchdog w;
  Stream(w, 0, 500);
  w.OnBye(Ms(400), "");
  Stream(w, 500, 3000);  // the other participant went on
  auto e = w.Poll(Ms(4000), Unknown);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes.front(), LikelyCause::kSenderGone);
}

TEST(Watchdog, RtpAndReportsStoppingTogetherRanksSenderThenMembershipThenPath) {
  Watchdog w;
  for (int t = 0; t < 1000; t += 250) w.OnSenderReport(Ms(t));
  Stream(w, 0, 1000);
  auto e = w.Poll(Ms(2000), Listed);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes,
            (std::vector<LikelyCause>{LikelyCause::kSenderGone,
                                      LikelyCause::kMembershipLostInNetwork, LikelyCause::kPath}));
}

TEST(Watchdog, AReportInFlightWhenThePathWasCutIsNotTakenForALiveSender) {
  // Found by e2e.watchdog: an SR a few ms after the last RTP packet, both sent before the cut,
  // made the receiver say "the sender stopped sending media" instead of sender/path.
  Watchdog w;
  Stream(w, 0, 1000);
  w.OnSenderReport(Ms(1005));
  auto e = w.Poll(Ms(2100), Listed);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes.front(), LikelyCause::kSenderGone);
}

TEST(Watchdog, ReportsWithoutMediaMeanTheSenderStoppedMedia) {
  Watchdog w;
  Stream(w, 0, 1000);
  w.OnSenderReport(Ms(1500));
  auto e = w.Poll(Ms(2000), Listed);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes,
            (std::vector<LikelyCause>{LikelyCause::kSenderStoppedMedia, LikelyCause::kPath}));
}

TEST(Watchdog, AGroupMissingFromTheKernelsListComesFirst) {
  Watchdog w;
  Stream(w, 0, 1000);
  auto e = w.Poll(Ms(2000), NotListed);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->causes.front(), LikelyCause::kMembershipLostHere);
}

TEST(Watchdog, RecoversOnTheNextPacketWithTheOutageDuration) {
  Watchdog w;
  Stream(w, 0, 1000);  // last at 990
  ASSERT_TRUE(w.Poll(Ms(2000), Listed));
  auto e = w.OnPacket(Ms(4190));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Kind::kRecovered);
  EXPECT_EQ(e->outage, milliseconds(3200));
  EXPECT_EQ(w.state(), SignalState::kReceiving);
  EXPECT_EQ(w.longest_outage(), milliseconds(3200));
  EXPECT_FALSE(w.OnPacket(Ms(4200))) << "recovered twice";
  // A second, shorter outage is counted and does not shorten the longest.
  Stream(w, 4200, 5000);
  ASSERT_TRUE(w.Poll(Ms(6000), Listed));
  ASSERT_TRUE(w.OnPacket(Ms(6500)));
  EXPECT_EQ(w.outages(), 2u);
  EXPECT_EQ(w.longest_outage(), milliseconds(3200));
}

TEST(Watchdog, AShortGapIsNotAnOutage) {
  Watchdog w;
  Stream(w, 0, 1000);
  EXPECT_FALSE(w.Poll(Ms(1900), NotAsked));
  EXPECT_FALSE(w.OnPacket(Ms(1950)));
  EXPECT_EQ(w.outages(), 0u);
}

TEST(Watchdog, OutOfOrderArrivalsAcrossSocketsDoNotMoveTimeBack) {
  Watchdog w;
  EXPECT_FALSE(w.OnPacket(Ms(1000)));
  EXPECT_FALSE(w.OnPacket(Ms(990)));  // audio stamped a moment earlier, handed in later
  EXPECT_FALSE(w.Poll(Ms(1995), NotAsked));
  EXPECT_TRUE(w.Poll(Ms(2000), Listed));
}

TEST(Watchdog, RtcpTimeoutConfirmsTheSenderIsGoneOncePerOutage) {
  Watchdog w;
  EXPECT_FALSE(w.OnRtcpTimeout(Ms(10))) << "no outage yet";
  Stream(w, 0, 1000);
  EXPECT_FALSE(w.OnRtcpTimeout(Ms(500))) << "still receiving";
  ASSERT_TRUE(w.Poll(Ms(2000), Listed));
  auto e = w.OnRtcpTimeout(Ms(6000));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Kind::kSenderTimedOut);
  EXPECT_EQ(e->outage, milliseconds(5010));
  EXPECT_EQ(e->causes.front(), LikelyCause::kSenderGone);
  EXPECT_FALSE(w.OnRtcpTimeout(Ms(6100))) << "reported twice";
  ASSERT_TRUE(w.OnPacket(Ms(7000)));
  ASSERT_TRUE(w.Poll(Ms(8000), Listed));
  EXPECT_TRUE(w.OnRtcpTimeout(Ms(9000))) << "a new outage may time out again";
}

TEST(WatchdogText, NoSignalLineNamesTheStateAndRanksTheCauses) {
  const WatchdogEvent e =
      Event(Kind::kNoSignal, 1020,
            {LikelyCause::kSenderGone, LikelyCause::kMembershipLostInNetwork, LikelyCause::kPath});
  const std::string line = DescribeEvent(e, "239.0.0.11:15550 on vl0");
  EXPECT_EQ(line.find("no signal: nothing received on 239.0.0.11:15550 on vl0 for 1.0 s"), 0u)
      << line;
  const auto sender = line.find("1) the sender is gone");
  const auto membership = line.find("2) the network dropped our membership");
  const auto path = line.find("3) the path");
  EXPECT_NE(sender, std::string::npos) << line;
  EXPECT_LT(sender, membership) << line;
  EXPECT_LT(membership, path) << line;
  EXPECT_NE(line.find("confcast-doctor"), std::string::npos) << line;
  EXPECT_NE(line.find("--rejoin-every"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line";
}

TEST(WatchdogText, ByeLineQuotesTheReason) {
  const WatchdogEvent e = Event(Kind::kNoSignal, 1000, {LikelyCause::kSenderLeft}, "bye now");
  EXPECT_NE(DescribeEvent(e, "g").find("the sender left (RTCP BYE: \"bye now\")"),
            std::string::npos);
}

TEST(WatchdogText, AHostileByeReasonIsShownSafely) {
  // Anyone on the LAN can send a BYE with our sender's SSRC and any reason.
  const WatchdogEvent e =
      Event(Kind::kNoSignal, 1000, {LikelyCause::kSenderLeft}, "\x1b]0;PWNED\x07\nfake line");
  const std::string line = DescribeEvent(e, "g");
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\x07'), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line";
  EXPECT_NE(line.find("]0;PWNED\xef\xbf\xbd\xef\xbf\xbd" "fake line"), std::string::npos) << line;
}

TEST(WatchdogText, RecoveryLineGivesTheOutage) {
  const WatchdogEvent e = Event(Kind::kRecovered, 3240);
  EXPECT_EQ(DescribeEvent(e, "239.0.0.11:15550 on vl0"),
            "signal back on 239.0.0.11:15550 on vl0: packets arrive again after 3.2 s without any");
}

TEST(WatchdogText, StateNames) {
  EXPECT_EQ(SignalStateName(SignalState::kWaiting), "waiting");
  EXPECT_EQ(SignalStateName(SignalState::kReceiving), "receiving");
  EXPECT_EQ(SignalStateName(SignalState::kNoSignal), "no signal");
}

// /proc/net/igmp as this kernel writes it (tabs and all).
constexpr std::string_view kProcIgmp =
    "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
    "1\tlo        :     1      V3\n"
    "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
    "3\tvl0       :     2      V3\n"
    "\t\t\t\t0B0000EF     2 0:00000000\t\t0\n"
    "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
    "4\tinterface-long0: 1      V3\n"
    "\t\t\t\t0C0000EF     1 1:000001F4\t\t1\n";

TEST(KernelListsGroup, FindsTheGroupOnItsInterfaceOnly) {
  const auto g11 = net::IpAddress::V4(239, 0, 0, 11);
  const auto g12 = net::IpAddress::V4(239, 0, 0, 12);
  EXPECT_EQ(KernelListsGroup(kProcIgmp, "vl0", g11), true);
  EXPECT_EQ(KernelListsGroup(kProcIgmp, "lo", g11), false);
  EXPECT_EQ(KernelListsGroup(kProcIgmp, "vl0", g12), false);
  EXPECT_EQ(KernelListsGroup(kProcIgmp, "interface-long0", g12), true);
  EXPECT_EQ(KernelListsGroup(kProcIgmp, "wifi0", g11), std::nullopt) << "no such interface";
  EXPECT_EQ(KernelListsGroup("", "vl0", g11), std::nullopt);
}

TEST(KernelListsGroup, ReadsIgmp6) {
  constexpr std::string_view kProcIgmp6 =
      "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
      "3    vl0             ff150000000000000000000000000011     2 00000004 0\n"
      "3    vl0             ff020000000000000000000000000001     1 0000000C 0\n";
  auto g = *net::ParseIpAddress("ff15::11");
  EXPECT_EQ(KernelListsGroup(kProcIgmp6, "vl0", g), true);
  EXPECT_EQ(KernelListsGroup(kProcIgmp6, "lo", g), false);
  EXPECT_EQ(KernelListsGroup(kProcIgmp6, "lan0", g), std::nullopt);
}

}  // namespace
}  // namespace confcast::receiver
