// confcast-sim: determinism for a seed, figures for a small group, suppression under shared
// loss (against the classic immediate NACKs), the RTCP budget, and the stream model's FEC.
#include <confcast/sim/simulation.h>
#include <gtest/gtest.h>

#include "stream_model.h"

namespace confcast::sim {
namespace {

SimConfig Small(int receivers, double seconds) {
  SimConfig c;
  c.receivers = receivers;
  c.seconds = seconds;
  c.seed = 7;
  return c;
}

std::string Figures(SimResult r) {
  r.wall_seconds = 0;
  return ToJson({r});
}

TEST(Simulator, SameSeedSameFigures) {
  const SimConfig c = Small(60, 4);
  const std::string a = Figures(Simulate(c));
  EXPECT_EQ(a, Figures(Simulate(c)));
  SimConfig other = c;
  other.seed = 8;
  EXPECT_NE(a, Figures(Simulate(other)));
}

TEST(Simulator, LosslessSmallGroupNeedsNoFeedback) {
  SimConfig c = Small(3, 5);
  c.shared_loss = 0;
  c.independent_loss = 0;
  const SimResult r = Simulate(c);
  EXPECT_EQ(r.lost_packets, 0u);
  EXPECT_EQ(r.feedback_packets, 0u);
  EXPECT_EQ(r.rtx_packets, 0u);
  EXPECT_DOUBLE_EQ(r.frames_complete_pct, 100.0);
  EXPECT_DOUBLE_EQ(r.fec_overhead_pct, 0.0);  // FecPolicy: no loss, no FEC
  EXPECT_EQ(r.frames, 150u);
  EXPECT_EQ(r.keyframes, 3u);  // GOP 60 at 30 fps: one every 2 s
  // Reports flow (three receivers report several times a second with the reduced minimum)
  // and stay inside RTCP's 5%.
  EXPECT_GT(r.receiver_reports, 30u);
  EXPECT_GT(r.rtcp_share_pct, 0.5);
  EXPECT_LT(r.rtcp_share_pct, 5.0);
}

TEST(Simulator, SmallGroupRepairsNearlyEverything) {
  const SimResult r = Simulate(Small(3, 10));
  EXPECT_GT(r.lost_packets, 100u);
  EXPECT_GT(r.frames_complete_pct, 99.0);
  EXPECT_GT(r.rtx_recovered + r.fec_recovered, r.receiver_losses * 9 / 10);
  EXPECT_LT(r.repair_p95_ms, r.repair_bound_ms);
  EXPECT_EQ(r.nacks_not_early, 0u);  // small groups are not held by the early rule
}

TEST(Simulator, SharedLossIsSuppressed) {
  SimConfig c = Small(200, 5);
  c.independent_loss = 0;
  c.rtt = rtp::Duration{2'000};  // a LAN: others' requests are heard within ~1 ms
  const SimResult scaled = Simulate(c);
  c.feedback = FeedbackMode::kClassic;
  const SimResult classic = Simulate(c);
  // Every receiver misses the same packets; with the back-off one request serves them all.
  EXPECT_GT(scaled.nacks_suppressed, 10 * scaled.nack_packets);
  EXPECT_LT(scaled.nack_requests_per_nacked_packet, 4.0);
  EXPECT_LT(scaled.feedback_packets_per_lost_packet, 2.0);
  // Classic: many receivers ask before anyone hears the first request.
  EXPECT_GT(classic.nack_requests_per_nacked_packet, 5 * scaled.nack_requests_per_nacked_packet);
  EXPECT_GT(classic.feedback_packets, 5 * scaled.feedback_packets);
}

TEST(Simulator, LargeGroupStaysInsideTheRtcpBudget) {
  const SimResult r = Simulate(Small(2000, 6));
  EXPECT_LE(r.rtcp_share_pct, 5.0);
  EXPECT_LE(r.feedback_packets_per_lost_packet, 2.0);
  EXPECT_GT(r.nacks_not_early, 0u);  // the early rule did hold requests back
  EXPECT_GT(r.frames_complete_pct, 98.0);
}

TEST(Simulator, SweepGoesFromOneToTenThousand) {
  const std::vector<int> sizes = SweepSizes();
  EXPECT_EQ(sizes.front(), 1);
  EXPECT_EQ(sizes.back(), 10'000);
  EXPECT_TRUE(std::is_sorted(sizes.begin(), sizes.end()));
  std::vector<SimResult> results{Simulate(Small(1, 1)), Simulate(Small(10, 1))};
  const std::string svg = SweepSvg(results);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(FormatSweepTable(results).find("| 10 |"), std::string::npos);
  EXPECT_NE(ToJson(results).find("\"feedback_packets_per_lost_packet\""), std::string::npos);
}

TEST(StreamModel, RealDecoderDecidesRecovery) {
  StreamModel model(StreamConfig{}, 1);
  const Frame f = model.Next(rtp::Timestamp{0}, false, rtp::FecScheme{5, 1});
  ASSERT_TRUE(f.keyframe);  // the first frame
  ASSERT_GE(f.media, 10);
  EXPECT_EQ(f.repair, (f.media + 4) / 5);  // one repair packet per row of 5
  // One loss in a row: rebuilt. Two in the same row: not. One in each of two rows: both.
  EXPECT_EQ(model.Recover(f, 0b1, 0), 0b1u);
  EXPECT_EQ(model.Recover(f, 0b11, 0), 0u);
  EXPECT_EQ(model.Recover(f, 0b100001, 0), 0b100001u);
  // The row's repair packet lost too: nothing to rebuild from.
  EXPECT_EQ(model.Recover(f, 0b1, 0b1), 0u);
  EXPECT_EQ(model.mismatches(), 0u);
  const auto decodes = model.decodes();
  EXPECT_EQ(model.Recover(f, 0b1, 0), 0b1u);  // remembered, not decoded again
  EXPECT_EQ(model.decodes(), decodes);
}

TEST(StreamModel, TwoDimensionalRepairRebuildsARowPair) {
  StreamModel model(StreamConfig{}, 2);
  const Frame f = model.Next(rtp::Timestamp{0}, true, rtp::FecScheme{5, 5});
  ASSERT_GE(f.media, 25);
  // Packets 0 and 1 share a row but not a column: the columns rebuild both.
  EXPECT_EQ(model.Recover(f, 0b11, 0), 0b11u);
  EXPECT_EQ(model.mismatches(), 0u);
}

}  // namespace
}  // namespace confcast::sim
