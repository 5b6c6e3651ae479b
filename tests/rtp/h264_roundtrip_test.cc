// Packetize -> depacketize over random access units, single packet loss, and sequence number
// wrap-around. Random data comes from a seeded std::mt19937, so every run is the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/h264_depacketizer.h"
#include "confcast/rtp/h264_packetizer.h"

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

// A NAL unit of `size` bytes with random content and emulation prevention applied, so that
// it can sit in an Annex-B stream: no 00 00 0x (x <= 3) inside, and no trailing zero.
Buf RandomNal(std::mt19937& rng, std::uint8_t header, std::size_t size) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::bernoulli_distribution zero(0.2);  // plenty of zeros to exercise the start code scan
  Buf nal = {header};
  int zeros = 0;
  while (nal.size() < size) {
    std::uint8_t b = zero(rng) ? 0 : static_cast<std::uint8_t>(byte(rng));
    if (zeros >= 2 && b <= 3) {
      nal.push_back(3);
      zeros = 0;
      continue;
    }
    zeros = b == 0 ? zeros + 1 : 0;
    nal.push_back(b);
  }
  if (nal.back() == 0) nal.back() = 0x80;
  return nal;
}

std::vector<Buf> RandomAccessUnit(std::mt19937& rng) {
  static constexpr std::uint8_t kTypes[] = {1, 5, 6, 7, 8};
  std::uniform_int_distribution<std::size_t> count(1, 12);
  std::uniform_int_distribution<int> type(0, 4), nri(0, 3), kind(0, 3);
  std::uniform_int_distribution<std::size_t> small(1, 60), medium(61, 1500), large(1501, 20000);
  std::vector<Buf> nals(count(rng));
  for (auto& nal : nals) {
    const int k = kind(rng);
    const std::size_t size = k < 2 ? small(rng) : k == 2 ? medium(rng) : large(rng);
    nal = RandomNal(
        rng, MakeNalHeader(false, static_cast<std::uint8_t>(nri(rng)), kTypes[type(rng)]), size);
  }
  return nals;
}

Buf ToAnnexB(const std::vector<Buf>& nals) {
  std::vector<std::span<const std::uint8_t>> spans(nals.begin(), nals.end());
  return JoinAnnexB(spans);
}

std::vector<Payload> Packetize(std::span<const std::uint8_t> annexb, std::size_t max_payload) {
  H264Packetizer p(annexb, max_payload);
  std::vector<Payload> out;
  while (auto payload = p.Next()) out.push_back(std::move(*payload));
  return out;
}

TEST(H264RoundTrip, RandomAccessUnitsAndPayloadSizes) {
  std::mt19937 rng(6184);
  std::uniform_int_distribution<std::size_t> max_payload(3, 1500);
  std::uniform_int_distribution<int> seq0(0, 65535);
  for (int i = 0; i < 400; ++i) {
    const auto nals = RandomAccessUnit(rng);
    // Mix 3- and 4-byte start codes on the input; the output always uses 4.
    Buf input;
    for (std::size_t n = 0; n < nals.size(); ++n) {
      if (n % 2 == 0) input.push_back(0);
      input.insert(input.end(), {0, 0, 1});
      input.insert(input.end(), nals[n].begin(), nals[n].end());
    }
    const std::size_t max = i % 4 == 0 ? 1200 : max_payload(rng);
    const auto payloads = Packetize(input, max);
    H264Depacketizer d;
    auto seq = static_cast<std::uint16_t>(seq0(rng));
    std::vector<AccessUnit> aus;
    for (const auto& p : payloads) {
      ASSERT_LE(p.bytes.size(), max);
      auto r = d.Push(p.bytes, seq++, 0x1234, p.last_of_access_unit);
      ASSERT_EQ(r.status, PacketStatus::kAccepted);
      for (auto& au : r.access_units) aus.push_back(std::move(au));
    }
    ASSERT_EQ(aus.size(), 1u) << "iteration " << i;
    EXPECT_TRUE(aus[0].complete);
    EXPECT_TRUE(aus[0].ended_by_marker);
    ASSERT_EQ(aus[0].annexb, ToAnnexB(nals)) << "iteration " << i << " max " << max;
  }
}

// A typical IDR access unit: SPS, PPS, SEI and slices, some fragmented.
std::vector<Buf> KeyFrame(std::mt19937& rng) {
  return {RandomNal(rng, 0x67, 12),   RandomNal(rng, 0x68, 4),   RandomNal(rng, 0x06, 30),
          RandomNal(rng, 0x65, 2500), RandomNal(rng, 0x65, 700), RandomNal(rng, 0x65, 3100)};
}

// Loses each packet of an access unit in turn: the access unit is reported damaged and
// contains only NAL units that were sent whole; the next access unit still comes out.
TEST(H264RoundTrip, LossOfAnySinglePacketIsReported) {
  std::mt19937 rng(42);
  const auto nals = KeyFrame(rng);
  const Buf annexb = ToAnnexB(nals);
  const auto payloads = Packetize(annexb, 1000);
  ASSERT_GE(payloads.size(), 8u);
  const std::set<Buf> sent(nals.begin(), nals.end());
  const Buf next = {0x41, 0x9a, 0x01};

  for (std::size_t lost = 0; lost < payloads.size(); ++lost) {
    H264Depacketizer d;
    std::vector<AccessUnit> aus;
    // The access unit before, so that a loss at the very start is a visible gap.
    std::uint16_t seq = 65529;  // wraps inside the access unit, too
    ASSERT_EQ(d.Push(next, seq++, 87000, true).access_units.size(), 1u);
    for (std::size_t i = 0; i < payloads.size(); ++i, ++seq) {
      if (i == lost) continue;
      auto r = d.Push(payloads[i].bytes, seq, 90000, payloads[i].last_of_access_unit);
      for (auto& au : r.access_units) aus.push_back(std::move(au));
    }
    auto r = d.Push(next, seq, 93000, true);
    for (auto& au : r.access_units) aus.push_back(std::move(au));

    ASSERT_EQ(aus.size(), 2u) << "lost " << lost;
    EXPECT_FALSE(aus[0].complete) << "lost " << lost;
    EXPECT_FALSE(aus[0].decodable_start);
    EXPECT_NE(aus[0].damage, AuDamage::kNone);
    EXPECT_EQ(aus[0].timestamp, 90000u);
    // Every NAL unit that came out is one that went in, whole.
    for (const auto nal : SplitAnnexB(aus[0].annexb)) {
      EXPECT_TRUE(sent.contains(Buf(nal.begin(), nal.end()))) << "lost " << lost;
    }
    EXPECT_LT(SplitAnnexB(aus[0].annexb).size(), nals.size());
    EXPECT_EQ(aus[1].annexb, ToAnnexB({next}));
    // Losing the marker packet hides where the next access unit starts.
    EXPECT_EQ(aus[1].complete, lost + 1 != payloads.size()) << "lost " << lost;
  }
}

class H264SeqWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, H264SeqWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(H264SeqWrap, AccessUnitsAcrossTheWrap) {
  std::mt19937 rng(GetParam());
  const auto nals = KeyFrame(rng);
  const Buf annexb = ToAnnexB(nals);
  const auto payloads = Packetize(annexb, 600);
  H264Depacketizer d;
  std::uint16_t seq = GetParam();
  for (std::uint32_t ts = 0; ts < 3 * 3000; ts += 3000) {
    const std::uint16_t first = seq;
    std::vector<AccessUnit> aus;
    for (const auto& p : payloads) {
      auto r = d.Push(p.bytes, seq++, ts, p.last_of_access_unit);
      EXPECT_EQ(r.status, PacketStatus::kAccepted);
      for (auto& au : r.access_units) aus.push_back(std::move(au));
    }
    ASSERT_EQ(aus.size(), 1u);
    EXPECT_TRUE(aus[0].complete);
    EXPECT_TRUE(aus[0].decodable_start);
    EXPECT_EQ(aus[0].first_seq, first);
    EXPECT_EQ(aus[0].last_seq, static_cast<std::uint16_t>(seq - 1));
    EXPECT_EQ(aus[0].annexb, annexb);
  }
  // A gap across the wrap is still a gap.
  (void)d.Push(payloads[0].bytes, seq, 9000, false);
  const auto r = d.Push(payloads.back().bytes, static_cast<std::uint16_t>(seq + 2), 9000, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kSequenceGap);
  EXPECT_EQ(d.stats().sequence_gaps, 1u);
}

}  // namespace
}  // namespace confcast::rtp
