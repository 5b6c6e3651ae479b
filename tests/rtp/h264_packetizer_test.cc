#include "confcast/rtp/h264_packetizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

const Buf kSps = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16};
const Buf kPps = {0x68, 0xce, 0x3c, 0x80};

std::vector<Payload> All(H264Packetizer& p) {
  std::vector<Payload> out;
  while (auto payload = p.Next()) out.push_back(std::move(*payload));
  return out;
}

std::vector<Payload> Packetize(const std::vector<Buf>& nals, std::size_t max_payload,
                               H264PacketizerOptions options = {}) {
  std::vector<std::span<const std::uint8_t>> spans(nals.begin(), nals.end());
  H264Packetizer p(spans, max_payload, options);
  return All(p);
}

Buf Nal(std::uint8_t header, std::size_t size) {
  Buf nal(size);
  nal[0] = header;
  for (std::size_t i = 1; i < size; ++i) nal[i] = static_cast<std::uint8_t>(0x10 + i - 1);
  return nal;
}

TEST(H264Packetizer, SingleNalUnitPacket) {
  const Buf idr = Nal(0x65, 50);
  const auto out = Packetize({idr}, 1200);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (Payload{idr, true}));
}

// RFC 6184 Figure 7 layout: an STAP-A with SPS and PPS, then the IDR that does not fit.
TEST(H264Packetizer, StapAGoldenBytes) {
  constexpr std::uint8_t kStapA[] = {
      0x78, 0x00, 0x08, 0x67,  // STAP-A NAL HDR (F=0 NRI=3 Type=24) | NALU 1 Size=8 | NALU 1 HDR
      0x42, 0xc0, 0x1f, 0xda,  // NALU 1 Data (SPS)
      0x01, 0x40, 0x16, 0x00,  //             ...  | NALU 2 Size=4
      0x04, 0x68, 0xce, 0x3c,  //                  | NALU 2 HDR | NALU 2 Data (PPS)
      0x80,                    //  ...
  };
  const Buf idr = Nal(0x65, 20);
  const auto out = Packetize({kSps, kPps, idr}, 20);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].bytes, Buf(std::begin(kStapA), std::end(kStapA)));
  EXPECT_FALSE(out[0].last_of_access_unit);
  EXPECT_EQ(out[1], (Payload{idr, true}));
}

TEST(H264Packetizer, StapAHeaderTakesHighestNriAndForbiddenBit) {
  const Buf sei = Nal(0x06, 5);  // NRI 0
  const Buf sps = Nal(0x27, 6);  // NRI 1
  const Buf bad = Nal(0xc1, 4);  // F=1, NRI 2
  auto out = Packetize({sei, sps}, 1200);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes[0], 0x38);  // F=0 NRI=1 Type=24
  EXPECT_TRUE(out[0].last_of_access_unit);
  out = Packetize({sei, bad, sps}, 1200);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes[0], 0xd8);  // F=1 NRI=2 Type=24
  EXPECT_EQ(out[0].bytes.size(), 1u + 2 + 5 + 2 + 4 + 2 + 6);
}

TEST(H264Packetizer, AggregationCanBeTurnedOff) {
  const auto out = Packetize({kSps, kPps}, 1200, {.aggregate = false, .drop_aud = true});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (Payload{kSps, false}));
  EXPECT_EQ(out[1], (Payload{kPps, true}));
}

// RFC 6184 Figure 14 layout: an IDR of 1 + 10 bytes with 6-byte payloads: 10 bytes over
// 3 fragments of 4 bytes of room are 4, 3, 3 (not 4, 4, 2).
TEST(H264Packetizer, FuAGoldenBytes) {
  const Buf idr = Nal(0x65, 11);
  constexpr std::uint8_t kStart[] = {
      0x7c, 0x85, 0x10, 0x11,  // FU indicator (F=0 NRI=3 Type=28) | FU header (S=1 Type=5) | data
      0x12, 0x13,              // data
  };
  constexpr std::uint8_t kMiddle[] = {
      0x7c, 0x05, 0x14, 0x15,  // FU indicator | FU header (S=0 E=0 Type=5) | data
      0x16,
  };
  constexpr std::uint8_t kEnd[] = {
      0x7c, 0x45, 0x17, 0x18,  // FU indicator | FU header (E=1 Type=5) | data
      0x19,
  };
  const auto out = Packetize({idr}, 6);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (Payload{Buf(std::begin(kStart), std::end(kStart)), false}));
  EXPECT_EQ(out[1], (Payload{Buf(std::begin(kMiddle), std::end(kMiddle)), false}));
  EXPECT_EQ(out[2], (Payload{Buf(std::begin(kEnd), std::end(kEnd)), true}));
}

TEST(H264Packetizer, ExactFitBoundaries) {
  // A NAL unit of exactly max_payload bytes goes whole; one byte more is fragmented in two.
  auto out = Packetize({Nal(0x41, 100)}, 100);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes.size(), 100u);
  out = Packetize({Nal(0x41, 101)}, 100);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].bytes.size(), 2u + 50);
  EXPECT_EQ(out[1].bytes.size(), 2u + 50);
  // Two NAL units whose STAP-A is exactly max_payload: 1 + 2 + 40 + 2 + 55 = 100.
  out = Packetize({Nal(0x41, 40), Nal(0x41, 55)}, 100);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes.size(), 100u);
  EXPECT_EQ(out[0].bytes[0], 0x58);  // NRI=2 Type=24
  // One byte more and they go as two single NAL unit packets.
  out = Packetize({Nal(0x41, 40), Nal(0x41, 56)}, 100);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].bytes.size(), 40u);
  EXPECT_EQ(out[1].bytes.size(), 56u);
}

TEST(H264Packetizer, FragmentsAreNearEqualAndFit) {
  for (std::size_t max_payload : {3u, 4u, 7u, 100u, 1200u, 1400u}) {
    for (std::size_t size : {max_payload + 1, max_payload * 2, max_payload * 2 + 1,
                             max_payload * 7 + 3, std::size_t{150000}}) {
      if (size <= max_payload) continue;
      const auto out = Packetize({Nal(0x65, size)}, max_payload);
      const std::size_t room = max_payload - 2;
      ASSERT_EQ(out.size(), (size - 1 + room - 1) / room) << max_payload << " " << size;
      std::size_t smallest = SIZE_MAX, largest = 0, total = 0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& b = out[i].bytes;
        ASSERT_LE(b.size(), max_payload);
        ASSERT_GE(b.size(), 3u);
        EXPECT_EQ(b[0] & 0x1f, 28);
        EXPECT_EQ((b[1] & 0x80) != 0, i == 0);
        EXPECT_EQ((b[1] & 0x40) != 0, i + 1 == out.size());
        EXPECT_EQ(out[i].last_of_access_unit, i + 1 == out.size());
        smallest = std::min(smallest, b.size());
        largest = std::max(largest, b.size());
        total += b.size() - 2;
      }
      EXPECT_LE(largest - smallest, 1u) << max_payload << " " << size;
      EXPECT_EQ(total, size - 1);
    }
  }
}

TEST(H264Packetizer, MarkerOnlyOnTheLastPayload) {
  const auto out = Packetize({kSps, kPps, Nal(0x65, 3000), Nal(0x06, 10), Nal(0x65, 800)}, 1000);
  ASSERT_GE(out.size(), 5u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].last_of_access_unit, i + 1 == out.size()) << i;
  }
}

TEST(H264Packetizer, FromAnnexBDropsAccessUnitDelimiters) {
  const Buf au = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a, 0x22, 0, 0, 1, 0x09, 0x10};
  H264Packetizer p(au, 1200);
  const auto out = All(p);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (Payload{{0x41, 0x9a, 0x22}, true}));

  H264Packetizer keep(au, 1200, {.aggregate = true, .drop_aud = false});
  const auto kept = All(keep);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].bytes, (Buf{0x58, 0, 2, 0x09, 0xf0, 0, 3, 0x41, 0x9a, 0x22, 0, 2, 0x09, 0x10}));
}

TEST(H264Packetizer, EmptyAccessUnitHasNoPayloads) {
  const Buf no_start_code = {0x12, 0x34};
  H264Packetizer p(no_start_code, 1200);
  EXPECT_TRUE(p.Done());
  EXPECT_FALSE(p.Next().has_value());
  const Buf aud = {0, 0, 1, 0x09, 0xf0};
  H264Packetizer only_aud(aud, 1200);
  EXPECT_FALSE(only_aud.Next().has_value());
}

TEST(H264Packetizer, NextIntoNeedsRoomForAFullPayload) {
  const Buf idr = Nal(0x65, 50);
  std::vector<std::span<const std::uint8_t>> spans = {idr};
  H264Packetizer p(spans, 100);
  Buf small(99), big(100);
  EXPECT_FALSE(p.NextInto(small).has_value());
  EXPECT_FALSE(p.Done());
  const auto info = p.NextInto(big);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(*info, (PayloadInfo{50, true}));
  EXPECT_TRUE(std::equal(idr.begin(), idr.end(), big.begin()));
  EXPECT_TRUE(p.Done());
  EXPECT_FALSE(p.NextInto(big).has_value());
}

TEST(H264Packetizer, TinyMaxPayloadIsRaisedToTheMinimum) {
  const auto out = Packetize({Nal(0x65, 4)}, 0);
  ASSERT_EQ(out.size(), 3u);  // three FU-A fragments of one byte each
  for (const auto& p : out) EXPECT_EQ(p.bytes.size(), H264Packetizer::kMinPayload);
}

}  // namespace
}  // namespace confcast::rtp

namespace confcast::rtp {
namespace {

TEST(H264Packetizer, SkipsNalTypesThatWouldBeMisread) {
  const Buf au = {0, 0, 1, 0x7c, 0x85, 0x01,  // looks like an FU-A start
                  0, 0, 1, 0x00, 0x11,        // type 0
                  0, 0, 1, 0x78, 0x00,        // looks like a STAP-A
                  0, 0, 1, 0x41, 0x22};
  H264Packetizer p(au, 1200);
  const auto out = All(p);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (Payload{{0x41, 0x22}, true}));
}

}  // namespace
}  // namespace confcast::rtp
