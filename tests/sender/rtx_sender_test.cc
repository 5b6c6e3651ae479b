// RtxSender: NACKs from several receivers of a multicast group produce one retransmission per
// packet per RTT, as RFC 4588 RTX packets of our own SSRC and sequence space.
#include "rtx_sender.h"

#include <confcast/rtp/packet.h>
#include <confcast/rtp/rtx.h>
#include <gtest/gtest.h>

namespace confcast::sender {
namespace {

using std::chrono::milliseconds;

rtp::Timestamp Ms(int ms) {
  return rtp::Timestamp{milliseconds(ms)};
}

std::vector<std::uint8_t> Media(std::uint16_t seq) {
  rtp::RtpPacket p;
  p.payload_type = 96;
  p.sequence_number = seq;
  p.timestamp = 1000u + seq;
  p.ssrc = 0x1111;
  p.payload = {static_cast<std::uint8_t>(seq), 0x42};
  return rtp::Serialize(p);
}

RtxSenderConfig Config() {
  RtxSenderConfig c;
  c.media_ssrc = 0x1111;
  c.rtx_ssrc = 0x2222;
  c.first_sequence_number = 65535;
  c.default_rtt = milliseconds(2);
  return c;
}

rtp::Nack NackFrom(std::uint32_t receiver, std::vector<std::uint16_t> seqs) {
  return rtp::Nack{receiver, 0x1111, rtp::BuildNackItems(seqs)};
}

TEST(RtxSender, RetransmitsAsRtxWithItsOwnSequenceNumbers) {
  RtxSender s(Config());
  for (std::uint16_t seq = 10; seq < 20; ++seq) s.Remember(Media(seq), Ms(0));
  const auto out = s.OnNack(NackFrom(0xa, {12, 15}), Ms(5));
  ASSERT_EQ(out.size(), 2u);
  rtp::RtxAptMap apt;
  apt.Set(97, 96);
  const std::uint16_t expected_osn[] = {12, 15};
  const std::uint16_t expected_seq[] = {65535, 0};  // wraps
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto rtx = rtp::ParseRtx(out[i]);
    ASSERT_TRUE(rtx);
    EXPECT_EQ(rtx->rtp.ssrc, 0x2222u);
    EXPECT_EQ(rtx->rtp.payload_type, 97);
    EXPECT_EQ(rtx->rtp.sequence_number, expected_seq[i]);
    EXPECT_EQ(rtx->osn, expected_osn[i]);
    EXPECT_EQ(*rtp::RestoreOriginal(*rtx, apt, 0x1111), Media(expected_osn[i]));
  }
  EXPECT_EQ(s.stats().retransmissions_sent, 2u);
}

TEST(RtxSender, ThreeReceiversAskingForOnePacketGetOneRetransmissionPerRtt) {
  RtxSender s(Config());
  s.Remember(Media(7), Ms(0));
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(5)).size(), 1u);
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(5)).empty());
  EXPECT_TRUE(s.OnNack(NackFrom(0xc, {7}), Ms(6)).empty());
  // Receiver a's retry one RTT later: the retransmission was lost on its link.
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(7)).size(), 1u);
  EXPECT_EQ(s.stats().retransmissions_sent, 2u);
  EXPECT_EQ(s.stats().retransmissions_deduplicated, 2u);
  EXPECT_EQ(s.stats().nacked, 4u);
}

TEST(RtxSender, RttFromReportsWidensTheDedupWindow) {
  RtxSender s(Config());
  s.Remember(Media(7), Ms(0));
  s.SetRtt(milliseconds(10));
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(1)).size(), 1u);
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(10)).empty());
  EXPECT_EQ(s.OnNack(NackFrom(0xb, {7}), Ms(11)).size(), 1u);
  s.SetRtt(std::nullopt);  // back to the default 2 ms
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(12)).empty());
  EXPECT_EQ(s.OnNack(NackFrom(0xb, {7}), Ms(13)).size(), 1u);
}

TEST(RtxSender, IgnoresOtherMediaAndUnknownPackets) {
  RtxSender s(Config());
  s.Remember(Media(7), Ms(0));
  EXPECT_TRUE(
      s.OnNack(rtp::Nack{0xa, 0x9999, rtp::BuildNackItems(std::vector<std::uint16_t>{7})}, Ms(1))
          .empty());
  EXPECT_TRUE(s.OnNack(NackFrom(0xa, {8}), Ms(1)).empty());
  EXPECT_EQ(s.stats().not_in_history, 1u);
  s.Remember(std::vector<std::uint8_t>{1, 2, 3}, Ms(0));  // not RTP: ignored, no crash
}

}  // namespace
}  // namespace confcast::sender
