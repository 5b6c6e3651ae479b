// SrtpGroup on sockets: SendBatch/SendOne protect, BatchReceiver unprotects, failures are
// counted by reason, and a late joiner finds the sender's rollover counter from its SR.
#include <confcast/net/batch_io.h>
#include <confcast/net/datagram_filter.h>
#include <confcast/net/socket.h>
#include <confcast/net/srtp_group.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <vector>

namespace confcast::net {
namespace {

std::vector<std::uint8_t> Rtp(std::uint16_t seq, std::uint32_t ssrc) {
  std::vector<std::uint8_t> p = {0x80,
                                 0x60,
                                 std::uint8_t(seq >> 8),
                                 std::uint8_t(seq),
                                 0,
                                 0,
                                 0,
                                 1,
                                 std::uint8_t(ssrc >> 24),
                                 std::uint8_t(ssrc >> 16),
                                 std::uint8_t(ssrc >> 8),
                                 std::uint8_t(ssrc)};
  for (int i = 0; i < 60; ++i) p.push_back(std::uint8_t(i));
  return p;
}

std::vector<std::uint8_t> Sr(std::uint32_t ssrc, std::uint32_t packets) {
  std::vector<std::uint8_t> p = {0x80,
                                 0xc8,
                                 0x00,
                                 0x06,  // V=2, PT=SR, length=6
                                 std::uint8_t(ssrc >> 24),
                                 std::uint8_t(ssrc >> 16),
                                 std::uint8_t(ssrc >> 8),
                                 std::uint8_t(ssrc)};
  for (int i = 0; i < 12; ++i) p.push_back(0);  // NTP, RTP timestamp
  for (int s : {24, 16, 8, 0}) p.push_back(std::uint8_t(packets >> s));
  for (int i = 0; i < 4; ++i) p.push_back(0);  // octet count
  return p;
}

SrtpKey Key(std::uint8_t fill) {
  return SrtpKey{SrtpSuite::kAesCm128HmacSha1_80, std::vector<std::uint8_t>(30, fill)};
}

class Pair : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds), 0);
    a_ = Socket(fds[0]);
    b_ = Socket(fds[1]);
  }
  std::vector<std::vector<std::uint8_t>> ReceiveAll() {
    std::vector<std::vector<std::uint8_t>> out;
    auto got = rx_.Receive(b_.fd());
    EXPECT_TRUE(got.has_value());
    for (const Datagram& d : *got) out.emplace_back(d.data.begin(), d.data.end());
    return out;
  }
  Socket a_, b_;
  BatchReceiver rx_{16, 2048};
};

TEST_F(Pair, SendBatchProtectsAndReceiveUnprotects) {
  auto tx = SrtpGroup::Create(Key(1));
  auto rx = SrtpGroup::Create(Key(1));
  (*tx)->Attach(a_.fd(), PacketKind::kRtp);
  (*rx)->Attach(b_.fd(), PacketKind::kRtp);
  const auto p1 = Rtp(1, 77), p2 = Rtp(2, 77);
  std::vector<std::span<const std::uint8_t>> batch{p1, p2};
  ASSERT_EQ(SendBatch(a_.fd(), batch).value_or(0), 2u);
  const auto got = ReceiveAll();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], p1);
  EXPECT_EQ(got[1], p2);
  EXPECT_EQ((*tx)->Stats().protected_rtp, 2u);
  EXPECT_EQ((*rx)->Stats().unprotected_rtp, 2u);
}

TEST_F(Pair, PlainReceiverSeesAuthenticatedCiphertext) {
  auto tx = SrtpGroup::Create(Key(1));
  (*tx)->Attach(a_.fd(), PacketKind::kRtcp);
  const auto sr = Sr(5, 10);
  ASSERT_TRUE(SendOne(a_.fd(), sr).value_or(false));
  const auto got = ReceiveAll();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), sr.size() + 4 + 10);                         // SRTCP index and tag
  EXPECT_TRUE(std::equal(sr.begin(), sr.begin() + 8, got[0].begin()));  // header and SSRC clear
  EXPECT_FALSE(std::equal(sr.begin() + 8, sr.end(), got[0].begin() + 8));
}

TEST_F(Pair, WrongKeyDeliversNothingAndCountsAuthFailures) {
  auto tx = SrtpGroup::Create(Key(1));
  auto rx = SrtpGroup::Create(Key(2));
  (*tx)->Attach(a_.fd(), PacketKind::kRtp);
  (*rx)->Attach(b_.fd(), PacketKind::kRtp);
  for (std::uint16_t s = 0; s < 5; ++s) ASSERT_TRUE(SendOne(a_.fd(), Rtp(s, 9)).value_or(false));
  EXPECT_TRUE(ReceiveAll().empty());
  const SrtpStats st = (*rx)->Stats();
  EXPECT_EQ(st.receive_failures[static_cast<std::size_t>(SrtpErrorCode::kAuthFail)], 5u);
  EXPECT_EQ(st.receive_failed(), 5u);
  EXPECT_EQ(st.unprotected_rtp, 0u);
}

TEST_F(Pair, ClosingASocketDetachesItsFilter) {
  auto tx = SrtpGroup::Create(Key(1));
  const int fd = a_.fd();
  (*tx)->Attach(fd, PacketKind::kRtp);
  EXPECT_NE(DatagramFilterOf(fd), nullptr);
  a_.Reset();
  EXPECT_EQ(DatagramFilterOf(fd), nullptr);
}

TEST(SrtpGroup, LateJoinerFindsTheRolloverCounterFromTheSenderReport) {
  auto tx = SrtpGroup::Create(Key(3));
  auto late = SrtpGroup::Create(Key(3));
  std::vector<std::vector<std::uint8_t>> wire;
  // 20 packets from 65530: the sender is in rollover 1 when the receiver joins, and its SR
  // says 20 packets, so the rollover is 20 / 2^16 = 0 or one more.
  for (std::uint32_t i = 0; i < 20; ++i) {
    auto p = Rtp(std::uint16_t(65530 + i), 0x1234);
    p.resize(p.size() + 256);
    auto n = (*tx)->Protect(PacketKind::kRtp, p, p.size() - 256);
    ASSERT_TRUE(n.has_value());
    p.resize(*n);
    if (i >= 10) wire.push_back(std::move(p));
  }
  auto first = wire[0];
  EXPECT_FALSE((*late)->Unprotect(PacketKind::kRtp, first, first.size()).has_value());
  auto sr = Sr(0x1234, 20);
  sr.resize(sr.size() + 256);
  auto n = (*tx)->Protect(PacketKind::kRtcp, sr, sr.size() - 256);
  ASSERT_TRUE(n.has_value());
  ASSERT_TRUE((*late)->Unprotect(PacketKind::kRtcp, sr, *n).has_value());
  for (auto& p : wire) {
    const auto len = p.size();
    EXPECT_TRUE((*late)->Unprotect(PacketKind::kRtp, p, len).has_value());
  }
  EXPECT_EQ((*late)->Stats().rollover_recovered, 1u);
}

}  // namespace
}  // namespace confcast::net
