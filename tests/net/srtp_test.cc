// SRTP/SRTCP through confcast::net::SrtpSession: round trips for every suite, authentication
// failures (wrong key, tampering, plain RTP), replay, late join across a sequence wrap.
#include <confcast/net/srtp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace confcast::net {
namespace {

constexpr std::size_t kBuffer = 1500;

// RTP (RFC 3550 5.1): V=2, PT 96, the given sequence number and SSRC, `payload` bytes.
std::vector<std::uint8_t> Rtp(std::uint16_t seq, std::uint32_t ssrc, std::size_t payload = 100) {
  std::vector<std::uint8_t> p = {
      0x80,
      0x60,
      std::uint8_t(seq >> 8),
      std::uint8_t(seq),  // V=2 PT=96 sequence number
      0x00,
      0x01,
      0x02,
      0x03,  // timestamp
      std::uint8_t(ssrc >> 24),
      std::uint8_t(ssrc >> 16),
      std::uint8_t(ssrc >> 8),
      std::uint8_t(ssrc),  // SSRC
  };
  for (std::size_t i = 0; i < payload; ++i) p.push_back(std::uint8_t(0x7c + i));
  return p;
}

// An RTCP sender report without report blocks (RFC 3550 6.4.1).
std::vector<std::uint8_t> Sr(std::uint32_t ssrc, std::uint32_t packet_count) {
  return {
      0x80,
      0xc8,
      0x00,
      0x06,  // V=2, PT=SR, length=6
      std::uint8_t(ssrc >> 24),
      std::uint8_t(ssrc >> 16),
      std::uint8_t(ssrc >> 8),
      std::uint8_t(ssrc),  // SSRC of sender
      0xe0,
      0x00,
      0x00,
      0x01,  // NTP seconds
      0x80,
      0x00,
      0x00,
      0x00,  // NTP fraction
      0x00,
      0x00,
      0x10,
      0x00,  // RTP timestamp
      std::uint8_t(packet_count >> 24),
      std::uint8_t(packet_count >> 16),
      std::uint8_t(packet_count >> 8),
      std::uint8_t(packet_count),  // sender's packet count
      0x00,
      0x01,
      0x00,
      0x00,  // sender's octet count
  };
}

SrtpKey Key(SrtpSuite suite, std::uint8_t fill) {
  std::vector<std::uint8_t> m(SrtpMasterLength(suite));
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = std::uint8_t(fill + i * 7);
  return SrtpKey{suite, m};
}

struct Packet {
  std::vector<std::uint8_t> buf;
  std::size_t len = 0;
  std::span<std::uint8_t> span() { return buf; }
  std::vector<std::uint8_t> bytes() const { return {buf.begin(), buf.begin() + long(len)}; }
};
Packet Buffered(const std::vector<std::uint8_t>& p) {
  Packet out{std::vector<std::uint8_t>(kBuffer, 0xee), p.size()};
  std::copy(p.begin(), p.end(), out.buf.begin());
  return out;
}

std::size_t TagLength(SrtpSuite s) {
  return s == SrtpSuite::kAesCm128HmacSha1_80 ? 10 : 16;
}

class SrtpSuites : public ::testing::TestWithParam<SrtpSuite> {
 protected:
  void SetUp() override {
    if (!SrtpSuiteAvailable(GetParam()))
      GTEST_SKIP() << SrtpSuiteName(GetParam()) << " unavailable";
    out_ = std::make_unique<SrtpSession>(
        *SrtpSession::Create(Key(GetParam(), 1), SrtpDirection::kOutbound));
    in_ = std::make_unique<SrtpSession>(
        *SrtpSession::Create(Key(GetParam(), 1), SrtpDirection::kInbound));
  }
  Packet Protect(const std::vector<std::uint8_t>& plain) {
    Packet p = Buffered(plain);
    auto n = out_->ProtectRtp(p.span(), p.len);
    EXPECT_TRUE(n.has_value());
    p.len = n.value_or(0);
    return p;
  }
  std::unique_ptr<SrtpSession> out_, in_;
};

INSTANTIATE_TEST_SUITE_P(All, SrtpSuites,
                         ::testing::Values(SrtpSuite::kAesCm128HmacSha1_80,
                                           SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm),
                         [](const auto& p) { return std::string(SrtpSuiteName(p.param)); });

TEST_P(SrtpSuites, RtpRoundTripKeepsHeaderClearAndHidesPayload) {
  const auto plain = Rtp(1000, 0x11223344);
  Packet p = Protect(plain);
  ASSERT_EQ(p.len, plain.size() + TagLength(GetParam()));
  EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 12, p.buf.begin()));  // header clear
  EXPECT_FALSE(std::equal(plain.begin() + 12, plain.end(), p.buf.begin() + 12));
  auto n = in_->UnprotectRtp(p.span(), p.len);
  ASSERT_TRUE(n.has_value()) << ToString(n.error());
  p.len = *n;
  EXPECT_EQ(p.bytes(), plain);
}

TEST_P(SrtpSuites, RtcpRoundTripAddsIndexWithEFlagAndTag) {
  const auto plain = Sr(0x55667788, 42);
  Packet p = Buffered(plain);
  auto n = out_->ProtectRtcp(p.span(), p.len);
  ASSERT_TRUE(n.has_value());
  ASSERT_EQ(*n, plain.size() + 4 + TagLength(GetParam()));
  // E flag (encrypted) and SRTCP index: before the tag for AES-CM (RFC 3711 3.4), after it
  // for AEAD (RFC 7714 9, the tag is part of the ciphertext).
  const std::size_t index_at = GetParam() == SrtpSuite::kAesCm128HmacSha1_80
                                   ? plain.size()
                                   : plain.size() + TagLength(GetParam());
  EXPECT_EQ(p.buf[index_at] & 0x80, 0x80);
  EXPECT_EQ(p.buf[index_at + 3], 1);  // the first SRTCP index is 1
  p.len = *n;
  auto m = in_->UnprotectRtcp(p.span(), p.len);
  ASSERT_TRUE(m.has_value()) << ToString(m.error());
  p.len = *m;
  EXPECT_EQ(p.bytes(), plain);
}

TEST_P(SrtpSuites, WrongKeyIsAnAuthenticationFailure) {
  auto other = SrtpSession::Create(Key(GetParam(), 2), SrtpDirection::kInbound);
  ASSERT_TRUE(other.has_value());
  Packet p = Protect(Rtp(7, 1));
  EXPECT_EQ(other->UnprotectRtp(p.span(), p.len).error(), SrtpErrorCode::kAuthFail);
  Packet r = Buffered(Sr(1, 1));
  r.len = *out_->ProtectRtcp(r.span(), r.len);
  EXPECT_EQ(other->UnprotectRtcp(r.span(), r.len).error(), SrtpErrorCode::kAuthFail);
}

TEST_P(SrtpSuites, AnyTamperedByteIsAnAuthenticationFailure) {
  const Packet original = Protect(Rtp(9, 0xabcdef01, 40));
  for (std::size_t at : {std::size_t{1}, std::size_t{3}, std::size_t{11}, std::size_t{12},
                         original.len / 2, original.len - 1}) {
    Packet p = original;
    p.buf[at] ^= 0x01;
    auto n = in_->UnprotectRtp(p.span(), p.len);
    ASSERT_FALSE(n.has_value()) << "byte " << at;
    EXPECT_EQ(n.error(), SrtpErrorCode::kAuthFail) << "byte " << at;
  }
  Packet good = original;
  EXPECT_TRUE(in_->UnprotectRtp(good.span(), good.len).has_value());  // tampering left no trace
}

TEST_P(SrtpSuites, ReplayIsRefusedAndOldIndexIsTooOld) {
  const Packet first = Protect(Rtp(100, 5));
  Packet a = first;
  ASSERT_TRUE(in_->UnprotectRtp(a.span(), a.len).has_value());
  Packet again = first;
  EXPECT_EQ(in_->UnprotectRtp(again.span(), again.len).error(), SrtpErrorCode::kReplayFail);
  for (std::uint16_t s = 101; s < 400; ++s) {
    Packet p = Protect(Rtp(s, 5));
    ASSERT_TRUE(in_->UnprotectRtp(p.span(), p.len).has_value());
  }
  Packet old = first;  // 299 packets behind: outside the 128-packet window
  EXPECT_EQ(in_->UnprotectRtp(old.span(), old.len).error(), SrtpErrorCode::kReplayOld);
}

TEST_P(SrtpSuites, ReorderedPacketsInsideTheWindowAreAccepted) {
  std::vector<Packet> ps;
  for (std::uint16_t s = 0; s < 20; ++s) ps.push_back(Protect(Rtp(s, 6)));
  std::reverse(ps.begin() + 5, ps.end());
  for (Packet& p : ps) EXPECT_TRUE(in_->UnprotectRtp(p.span(), p.len).has_value());
}

TEST_P(SrtpSuites, EverySsrcOfTheGroupIsAcceptedWithOneKey) {
  // Two senders and a repair stream (RTX on its own SSRC) share the key; seq numbers collide.
  for (std::uint32_t ssrc : {0x1u, 0x2u, 0xfeedbeefu}) {
    Packet p = Protect(Rtp(500, ssrc));
    EXPECT_TRUE(in_->UnprotectRtp(p.span(), p.len).has_value()) << ssrc;
  }
}

TEST_P(SrtpSuites, PlainRtpIsRefused) {
  Packet p = Buffered(Rtp(3, 3));
  EXPECT_FALSE(in_->UnprotectRtp(p.span(), p.len).has_value());
  Packet r = Buffered(Sr(3, 3));
  EXPECT_FALSE(in_->UnprotectRtcp(r.span(), r.len).has_value());
}

TEST_P(SrtpSuites, LateJoinerRecoversTheRolloverCounter) {
  // The sender starts at 65530, so its 11th packet is in rollover 1 (RFC 3711 3.3.1). A
  // receiver that joins then guesses rollover 0 and fails, until told the counter.
  std::vector<Packet> ps;
  for (std::uint32_t i = 0; i < 12; ++i) ps.push_back(Protect(Rtp(std::uint16_t(65530 + i), 9)));
  Packet sr = Buffered(Sr(9, 12));
  sr.len = *out_->ProtectRtcp(sr.span(), sr.len);
  auto late = SrtpSession::Create(Key(GetParam(), 1), SrtpDirection::kInbound);
  EXPECT_FALSE(late->SetRolloverCounter(9, 1));  // no stream for SSRC 9 yet
  ASSERT_TRUE(late->UnprotectRtcp(sr.span(), sr.len).has_value());
  Packet p = ps[10];
  EXPECT_EQ(late->UnprotectRtp(p.span(), p.len).error(), SrtpErrorCode::kAuthFail);
  ASSERT_TRUE(late->SetRolloverCounter(9, 1));
  p = ps[10];
  ASSERT_TRUE(late->UnprotectRtp(p.span(), p.len).has_value());
  EXPECT_EQ(late->RolloverCounter(9), 1u);
  p = ps[11];
  EXPECT_TRUE(late->UnprotectRtp(p.span(), p.len).has_value());
}

TEST(Srtp, ProtectNeedsTailroom) {
  auto out = SrtpSession::Create(Key(SrtpSuite::kAesCm128HmacSha1_80, 1), SrtpDirection::kOutbound);
  auto plain = Rtp(1, 1);
  std::vector<std::uint8_t> tight(plain.size() + kSrtpTailroom - 1);
  std::copy(plain.begin(), plain.end(), tight.begin());
  EXPECT_EQ(out->ProtectRtp(tight, plain.size()).error(), SrtpErrorCode::kNoRoom);
  tight.push_back(0);
  EXPECT_TRUE(out->ProtectRtp(tight, plain.size()).has_value());
}

TEST(Srtp, ShortAndEmptyInputIsMalformedNotACrash) {
  auto in = SrtpSession::Create(Key(SrtpSuite::kAesCm128HmacSha1_80, 1), SrtpDirection::kInbound);
  std::vector<std::uint8_t> buf(64, 0x80);
  for (std::size_t len = 0; len < 32; ++len) {
    auto copy = buf;
    EXPECT_FALSE(in->UnprotectRtp(copy, len).has_value()) << len;
    copy = buf;
    EXPECT_FALSE(in->UnprotectRtcp(copy, len).has_value()) << len;
  }
  EXPECT_EQ(in->UnprotectRtp(buf, 65).error(), SrtpErrorCode::kMalformed);  // beyond the buffer
}

TEST(Srtp, WrongKeyLengthIsRefused) {
  SrtpKey k = Key(SrtpSuite::kAesCm128HmacSha1_80, 1);
  k.master.pop_back();
  auto s = SrtpSession::Create(k, SrtpDirection::kInbound);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, SrtpErrorCode::kBadKey);
}

TEST(Srtp, SuiteNames) {
  EXPECT_EQ(ParseSrtpSuite("AES_CM_128_HMAC_SHA1_80"), SrtpSuite::kAesCm128HmacSha1_80);
  EXPECT_EQ(ParseSrtpSuite("aes-cm"), SrtpSuite::kAesCm128HmacSha1_80);
  EXPECT_EQ(ParseSrtpSuite("gcm"), SrtpSuite::kAeadAes128Gcm);
  EXPECT_EQ(ParseSrtpSuite("AEAD_AES_256_GCM"), SrtpSuite::kAeadAes256Gcm);
  EXPECT_EQ(ParseSrtpSuite("AES_CM_128_HMAC_SHA1_32"), std::nullopt);
  EXPECT_EQ(SrtpMasterLength(SrtpSuite::kAesCm128HmacSha1_80), 30u);
  EXPECT_EQ(SrtpMasterLength(SrtpSuite::kAeadAes128Gcm), 28u);
  EXPECT_EQ(SrtpMasterLength(SrtpSuite::kAeadAes256Gcm), 44u);
  EXPECT_EQ(ToString(SrtpErrorCode::kAuthFail), "auth_fail");
  EXPECT_EQ(ToString(SrtpErrorCode::kReplayOld), "replay_old");
}

}  // namespace
}  // namespace confcast::net
