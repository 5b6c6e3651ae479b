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

TEST(RtxSender, ThreeReceiversAskingForOnePacketGetOneRetransmissionPerHoldOff) {
  RtxSender s(Config());  // RTT 2 ms: the hold-off is its 5 ms floor
  s.Remember(Media(7), Ms(0));
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(5)).size(), 1u);
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(5)).empty());
  EXPECT_TRUE(s.OnNack(NackFrom(0xc, {7}), Ms(6)).empty());
  EXPECT_TRUE(s.OnNack(NackFrom(0xa, {7}), Ms(8)).empty());  // a retry 3 ms later: too soon
  // Receiver a's next retry: the retransmission was lost on its link.
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(11)).size(), 1u);
  EXPECT_EQ(s.stats().retransmissions_sent, 2u);
  EXPECT_EQ(s.stats().retransmissions_deduplicated, 3u);
  EXPECT_EQ(s.stats().nacked, 5u);
}

TEST(RtxSender, RttFromReportsWidensTheDedupWindow) {
  RtxSender s(Config());
  s.Remember(Media(7), Ms(0));
  s.SetRtt(milliseconds(10));
  EXPECT_EQ(s.OnNack(NackFrom(0xa, {7}), Ms(1)).size(), 1u);
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(10)).empty());
  EXPECT_EQ(s.OnNack(NackFrom(0xb, {7}), Ms(11)).size(), 1u);
  s.SetRtt(std::nullopt);  // back to the default 2 ms, under the 5 ms floor
  EXPECT_TRUE(s.OnNack(NackFrom(0xb, {7}), Ms(15)).empty());
  EXPECT_EQ(s.OnNack(NackFrom(0xb, {7}), Ms(16)).size(), 1u);
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

TEST(RtxSender, FollowsANewMediaSsrcAfterACollision) {
  RtxSender s(Config());
  s.Remember(Media(7), Ms(0));
  s.SetMediaSsrc(0x3333);
  EXPECT_TRUE(s.OnNack(NackFrom(0xa, {7}), Ms(1)).empty());  // about the old SSRC
  EXPECT_EQ(s.OnNack(rtp::Nack{0xa, 0x3333, rtp::BuildNackItems(std::vector<std::uint16_t>{7})},
                     Ms(1))
                .size(),
            1u);
}

// The measured attack through the sender's path: 175 NACKs in 4 s, each naming the last 136
// packets of a 2.5 Mbit/s stream, from one host, then from a new port every time.
TEST(RtxSender, NackFloodCostsLessThanHalfTheMediaBytes) {
  for (const bool spoofed : {false, true}) {
    RtxSender s(Config());
    std::uint16_t seq = 100;
    std::uint64_t media = 0, rtx = 0;
    double t_us = 0;
    const double interval_us = 1150 * 8 / 2.5;
    auto send_until = [&](double until_us, bool count) {
      for (; t_us <= until_us; t_us += interval_us) {
        rtp::RtpPacket p;
        p.payload_type = 96;
        p.sequence_number = seq++;
        p.ssrc = 0x1111;
        p.payload.assign(1150 - rtp::kRtpHeaderSize, 0x42);
        const auto bytes = rtp::Serialize(p);
        s.Remember(bytes, rtp::Timestamp{static_cast<std::int64_t>(t_us)});
        if (count) media += bytes.size();
      }
    };
    send_until(2e6, false);
    for (int i = 0; i < 175; ++i) {
      const double at = 2e6 + i * 4e6 / 175;
      send_until(at, true);
      std::vector<std::uint16_t> last;
      for (int k = 136; k >= 1; --k) last.push_back(static_cast<std::uint16_t>(seq - k));
      const net::IpAddress attacker = net::IpAddress::V4(10, 0, 0, 66);
      const auto port = static_cast<std::uint16_t>(spoofed ? 20000 + i : 15551);
      for (const auto& d : s.OnNack(NackFrom(0xbad, last), rtp::Timestamp{static_cast<std::int64_t>(at)},
                                    FeedbackSourceOf(attacker, port))) {
        rtx += d.size();
      }
    }
    send_until(6e6, true);
    EXPECT_LT(static_cast<double>(rtx), 0.5 * static_cast<double>(media)) << spoofed;
    const RtxSenderStats st = s.stats();
    EXPECT_EQ(st.limiter.requested, 175u * 136u);
    EXPECT_EQ(st.limiter.resent_bytes, rtx);
    EXPECT_GT(st.limiter.refused(), 175u * 136u / 2) << spoofed;
    EXPECT_EQ(st.retransmissions_sent, st.limiter.resent);
  }
}

TEST(RtxSender, FeedbackSourceOfAnAddressKeepsFamilyAddressAndPort) {
  const auto a = FeedbackSourceOf(net::IpAddress::V4(10, 0, 0, 1), 15551);
  EXPECT_EQ(a.kind, rtp::FeedbackSource::Kind::kIpv4);
  EXPECT_EQ(a.address[0], 10);
  EXPECT_EQ(a.address[3], 1);
  EXPECT_EQ(a.port, 15551);
  net::IpAddress v6;
  v6.family = net::Family::kIpv6;
  v6.bytes[0] = 0xfd;
  v6.bytes[15] = 1;
  const auto b = FeedbackSourceOf(v6, 15551);
  EXPECT_EQ(b.kind, rtp::FeedbackSource::Kind::kIpv6);
  EXPECT_EQ(b.address[15], 1);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace confcast::sender
