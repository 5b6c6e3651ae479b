// RTX (RFC 4588) build, parse and restore: golden packets, round trips, malformed input.
#include <confcast/rtp/rtx.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

// The original: V=2 X=1 CC=1, M=1 PT=96, seq 0x1234, one-byte extension block, payload "abc".
constexpr std::uint8_t kOriginal[] = {
    0x91, 0xe0, 0x12, 0x34,  // V=2 P=0 X=1 CC=1 | M=1 PT=96 | seq=0x1234
    0xde, 0xad, 0xbe, 0xef,  // timestamp
    0x01, 0x02, 0x03, 0x04,  // SSRC (media)
    0x0a, 0x0b, 0x0c, 0x0d,  // CSRC[0]
    0xbe, 0xde, 0x00, 0x01,  // profile 0xBEDE, length = 1 word
    0x10, 0xaa, 0x00, 0x00,  // id=1 len=1: aa | padding
    0x61, 0x62, 0x63,        // payload "abc"
};

// Its retransmission: RTX SSRC 0x55667788, RTX seq 7, PT 97; OSN 0x1234 before the payload.
constexpr std::uint8_t kRtx[] = {
    0x91, 0xe1, 0x00, 0x07,  // V=2 P=0 X=1 CC=1 | M=1 PT=97 | seq=7
    0xde, 0xad, 0xbe, 0xef,  // timestamp (the original's)
    0x55, 0x66, 0x77, 0x88,  // SSRC (RTX)
    0x0a, 0x0b, 0x0c, 0x0d,  // CSRC[0]
    0xbe, 0xde, 0x00, 0x01,  // the original's extension block, unchanged
    0x10, 0xaa, 0x00, 0x00,  //
    0x12, 0x34, 0x61, 0x62,  // OSN=0x1234 | payload "ab..."
    0x63,                    //   "...c"
};

constexpr RtxStreamParams kParams{0x55667788, 97, 7};

RtxAptMap Apt() {
  RtxAptMap m;
  m.Set(97, 96);
  return m;
}

TEST(Rtx, BuildsGolden) {
  auto original = ParseRtp(kOriginal);
  ASSERT_TRUE(original);
  EXPECT_EQ(RtxSize(*original), sizeof kRtx);
  EXPECT_EQ(BuildRtx(*original, kParams), Buf(std::begin(kRtx), std::end(kRtx)));
}

TEST(Rtx, ParsesGolden) {
  auto rtx = ParseRtx(kRtx);
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->osn, 0x1234);
  EXPECT_EQ(rtx->rtp.ssrc, 0x55667788u);
  EXPECT_EQ(rtx->rtp.sequence_number, 7);
  EXPECT_EQ(Buf(rtx->original_payload.begin(), rtx->original_payload.end()), (Buf{'a', 'b', 'c'}));
}

TEST(Rtx, RestoresOriginalBytes) {
  auto rtx = ParseRtx(kRtx);
  ASSERT_TRUE(rtx);
  auto restored = RestoreOriginal(*rtx, Apt(), 0x01020304);
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored, Buf(std::begin(kOriginal), std::end(kOriginal)));
  auto v = ParseRtp(*restored);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->marker);
  EXPECT_EQ(v->payload_type, 96);
  EXPECT_EQ(v->sequence_number, 0x1234);
  EXPECT_EQ(v->timestamp, 0xdeadbeefu);
  EXPECT_EQ(v->FindExtension(1)->size(), 1u);
}

TEST(Rtx, DropsPaddingOfTheOriginal) {
  RtpPacket p;
  p.payload_type = 96;
  p.sequence_number = 65535;
  p.ssrc = 9;
  p.payload = {1, 2, 3};
  p.padding_size = 4;
  const Buf wire = Serialize(p);
  auto original = ParseRtp(wire);
  ASSERT_TRUE(original);
  const Buf rtx = BuildRtx(*original, kParams);
  auto parsed = ParseRtx(rtx);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->rtp.padding_size, 0);
  auto restored = RestoreOriginal(*parsed, Apt(), 9);
  ASSERT_TRUE(restored);
  p.padding_size = 0;
  EXPECT_EQ(*restored, Serialize(p));
}

TEST(Rtx, RoundTripsAnEmptyPayload) {
  RtpPacket p;
  p.marker = false;
  p.payload_type = 96;
  p.sequence_number = 1;
  p.timestamp = 77;
  p.ssrc = 5;
  const Buf wire = Serialize(p);
  const Buf rtx = BuildRtx(*ParseRtp(wire), kParams);
  EXPECT_EQ(rtx.size(), wire.size() + 2);
  auto restored = RestoreOriginal(*ParseRtx(rtx), Apt(), 5);
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored, wire);
}

TEST(Rtx, RejectsMalformed) {
  // A valid RTP header with a 1-byte payload: no room for the OSN.
  constexpr std::uint8_t kShort[] = {
      0x80, 0x61, 0x00, 0x01,  // V=2 | PT=97 | seq=1
      0x00, 0x00, 0x00, 0x00,  // timestamp
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x12,                    // half an OSN
  };
  EXPECT_EQ(ParseRtx(kShort).error(), RtxError::kNoOsn);
  EXPECT_EQ(ParseRtx(Bytes(kShort, 12)).error(), RtxError::kNoOsn);
  EXPECT_EQ(ParseRtx(Bytes(kShort, 11)).error(), RtxError::kBadRtp);
  const std::uint8_t bad_version[] = {0x40, 0x61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(ParseRtx(bad_version).error(), RtxError::kBadRtp);
}

TEST(Rtx, UnknownPayloadTypeIsAnError) {
  auto rtx = ParseRtx(kRtx);
  ASSERT_TRUE(rtx);
  RtxAptMap none;
  EXPECT_EQ(RestoreOriginal(*rtx, none, 1).error(), RtxError::kUnknownPayloadType);
  RtxAptMap other;
  other.Set(98, 96);
  EXPECT_EQ(RestoreOriginal(*rtx, other, 1).error(), RtxError::kUnknownPayloadType);
}

TEST(Rtx, ShortOutputWritesNothing) {
  auto original = ParseRtp(kOriginal);
  Buf out(RtxSize(*original) - 1);
  EXPECT_EQ(WriteRtx(*original, kParams, out), 0u);
  auto rtx = ParseRtx(kRtx);
  Buf small(RestoredSize(*rtx) - 1);
  EXPECT_EQ(RestoreOriginal(*rtx, Apt(), 1, small).value(), 0u);
}

class RtxWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, RtxWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(RtxWrap, OsnCarriesEverySequenceNumber) {
  for (int i = 0; i < 3; ++i) {
    RtpPacket p;
    p.payload_type = 96;
    p.sequence_number = static_cast<std::uint16_t>(GetParam() + i);
    p.ssrc = 1;
    p.payload = {0xaa};
    const Buf wire = Serialize(p);
    const Buf rtx = BuildRtx(*ParseRtp(wire), {2, 97, static_cast<std::uint16_t>(GetParam() - i)});
    auto parsed = ParseRtx(rtx);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->osn, p.sequence_number);
    EXPECT_EQ(*RestoreOriginal(*parsed, Apt(), 1), wire);
  }
}

}  // namespace
}  // namespace confcast::rtp
