#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/packet.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

// V=2, M=1, PT=96, one CSRC, a one-byte extension block with two elements, 3 bytes of payload.
constexpr std::uint8_t kOneByteExt[] = {
    0x91, 0xe0, 0x12, 0x34,  // V=2 P=0 X=1 CC=1 | M=1 PT=96 | seq=0x1234
    0xde, 0xad, 0xbe, 0xef,  // timestamp
    0x01, 0x02, 0x03, 0x04,  // SSRC
    0x0a, 0x0b, 0x0c, 0x0d,  // CSRC[0]
    0xbe, 0xde, 0x00, 0x02,  // profile 0xBEDE, length = 2 words
    0x10, 0xaa, 0x21, 0xbb,  // id=1 len=1: aa | id=2 len=2: bb
    0xcc, 0x00, 0x00, 0x00,  //   cc | padding
    0x61, 0x62, 0x63,        // payload "abc"
};

// Two-byte form (profile 0x1000) with an id above 14 and an empty element; padded packet.
constexpr std::uint8_t kTwoByteExt[] = {
    0xb0, 0x6f, 0xff, 0xff,  // V=2 P=1 X=1 CC=0 | M=0 PT=111 | seq=65535
    0x00, 0x00, 0x00, 0x00,  // timestamp
    0xca, 0xfe, 0xba, 0xbe,  // SSRC
    0x10, 0x00, 0x00, 0x02,  // profile 0x1000, length = 2 words
    0x20, 0x03, 0x01, 0x02,  // id=32 len=3: 01 02
    0x03, 0x05, 0x00, 0x00,  //   03 | id=5 len=0 | padding
    0x99, 0x00, 0x00, 0x03,  // payload 0x99, 3 bytes of padding (count=3)
};

TEST(RtpPacket, ParsesOneByteExtensionGolden) {
  auto v = ParseRtp(kOneByteExt);
  ASSERT_TRUE(v.has_value()) << Describe(v.error());
  EXPECT_TRUE(v->marker);
  EXPECT_EQ(v->payload_type, 96);
  EXPECT_EQ(v->sequence_number, 0x1234);
  EXPECT_EQ(v->timestamp, 0xdeadbeefu);
  EXPECT_EQ(v->ssrc, 0x01020304u);
  ASSERT_EQ(v->csrc_count(), 1u);
  EXPECT_EQ(v->csrc(0), 0x0a0b0c0du);
  EXPECT_EQ(v->extension_profile, kOneByteExtensionProfile);
  EXPECT_EQ(v->header_size, 28u);
  auto e1 = v->FindExtension(1);
  ASSERT_TRUE(e1);
  EXPECT_EQ(Buf(e1->begin(), e1->end()), Buf({0xaa}));
  auto e2 = v->FindExtension(2);
  ASSERT_TRUE(e2);
  EXPECT_EQ(Buf(e2->begin(), e2->end()), Buf({0xbb, 0xcc}));
  EXPECT_FALSE(v->FindExtension(3));
  EXPECT_EQ(Buf(v->payload.begin(), v->payload.end()), Buf({'a', 'b', 'c'}));
  EXPECT_EQ(v->padding_size, 0);
}

TEST(RtpPacket, SerializesOneByteExtensionGoldenExactly) {
  RtpPacket p;
  p.marker = true;
  p.payload_type = 96;
  p.sequence_number = 0x1234;
  p.timestamp = 0xdeadbeef;
  p.ssrc = 0x01020304;
  p.csrcs = {0x0a0b0c0d};
  p.extensions = {{1, {0xaa}}, {2, {0xbb, 0xcc}}};
  p.payload = {'a', 'b', 'c'};
  EXPECT_EQ(Serialize(p), Buf(std::begin(kOneByteExt), std::end(kOneByteExt)));
}

TEST(RtpPacket, ParsesTwoByteExtensionAndPaddingGolden) {
  auto v = ParseRtp(kTwoByteExt);
  ASSERT_TRUE(v.has_value()) << Describe(v.error());
  EXPECT_FALSE(v->marker);
  EXPECT_EQ(v->payload_type, 111);
  EXPECT_EQ(v->sequence_number, 65535);
  EXPECT_EQ(v->padding_size, 3);
  EXPECT_EQ(Buf(v->payload.begin(), v->payload.end()), Buf({0x99}));
  auto e32 = v->FindExtension(32);
  ASSERT_TRUE(e32);
  EXPECT_EQ(Buf(e32->begin(), e32->end()), Buf({1, 2, 3}));
  auto e5 = v->FindExtension(5);
  ASSERT_TRUE(e5);
  EXPECT_TRUE(e5->empty());
  // Re-serializing keeps the two-byte form: id 32 and an empty element do not fit one byte.
  EXPECT_EQ(Serialize(ToPacket(*v)), Buf(std::begin(kTwoByteExt), std::end(kTwoByteExt)));
}

TEST(RtpPacket, OneByteIdFifteenStopsProcessing) {
  constexpr std::uint8_t k[] = {
      0x90, 0x60, 0x00, 0x01,  // X=1
      0x00, 0x00, 0x00, 0x01,  //
      0x00, 0x00, 0x00, 0x02,  //
      0xbe, 0xde, 0x00, 0x01,  // one word
      0x10, 0x11, 0xf0, 0x77,  // id=1 len=1 | id=15: stop, the rest is ignored
  };
  auto v = ParseRtp(k);
  ASSERT_TRUE(v.has_value());
  int count = 0;
  v->ForEachExtension([&](const ExtensionView&) { ++count; });
  EXPECT_EQ(count, 1);
}

TEST(RtpPacket, UnknownExtensionProfileIsKeptRaw) {
  constexpr std::uint8_t k[] = {
      0x90, 0x60, 0x00, 0x01,  //
      0x00, 0x00, 0x00, 0x01,  //
      0x00, 0x00, 0x00, 0x02,  //
      0xab, 0xcd, 0x00, 0x01,  // profile 0xABCD, one word
      0x01, 0x02, 0x03, 0x04,  //
  };
  auto v = ParseRtp(k);
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->has_rfc8285_extensions());
  EXPECT_FALSE(v->FindExtension(0));
  RtpPacket p = ToPacket(*v);
  ASSERT_TRUE(p.raw_extension);
  EXPECT_EQ(p.raw_extension->profile, 0xabcd);
  EXPECT_EQ(Serialize(p), Buf(std::begin(k), std::end(k)));
}

struct Malformed {
  const char* name;
  Buf bytes;
  RtpError error;
};

class RtpMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(RtpMalformed, ReturnsItsError) {
  auto v = ParseRtp(GetParam().bytes);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error(), GetParam().error) << Describe(v.error());
  EXPECT_FALSE(Describe(v.error()).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RtpMalformed,
    ::testing::Values(
        Malformed{"Empty", {}, RtpError::kTooShort},
        Malformed{"ElevenBytes", Buf(11, 0x80), RtpError::kTooShort},
        Malformed{"VersionOne", {0x40, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, RtpError::kBadVersion},
        Malformed{"VersionZero", {0x00, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, RtpError::kBadVersion},
        Malformed{"CsrcOverrun",  // CC=2 but one CSRC present
                  {0x82, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4},
                  RtpError::kCsrcOverrun},
        Malformed{"ExtensionHeaderMissing", {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde},
                  RtpError::kExtensionOverrun},
        Malformed{"ExtensionLengthLies",  // claims 2 words, has 1
                  {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 2, 0x10, 1, 0, 0},
                  RtpError::kExtensionOverrun},
        Malformed{"OneByteElementOverrun",  // id=1 len=4 in a one-word block
                  {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 0x13, 1, 2, 3},
                  RtpError::kBadExtensionElement},
        Malformed{"TwoByteElementOverrun",  // id=1 len=9 in a one-word block
                  {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 1, 0x01, 9, 0, 0},
                  RtpError::kBadExtensionElement},
        Malformed{"OneByteIdZeroWithLength",  // 0x01 is id 0, length 2: reserved (fuzz find)
                  {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 0x01, 1, 2, 0},
                  RtpError::kBadExtensionElement},
        Malformed{"TwoByteLengthByteMissing",  // id at the last byte of the block
                  {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 1, 0, 0, 0, 0x07},
                  RtpError::kBadExtensionElement},
        Malformed{"PaddingZero", {0xa0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x55, 0x00},
                  RtpError::kBadPadding},
        Malformed{"PaddingLargerThanPayload", {0xa0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x55, 0x03},
                  RtpError::kBadPadding},
        Malformed{"PaddingWithNoRoomAtAll", {0xa0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                  RtpError::kBadPadding}),
    [](const auto& case_info) { return std::string(case_info.param.name); });

TEST(RtpPacket, PaddingThatFillsEverythingAfterHeaderIsValid) {
  const Buf b = {0xa0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
  auto v = ParseRtp(b);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->payload.empty());
  EXPECT_EQ(v->padding_size, 4);
}

TEST(RtpPacket, RoundTripsManyShapes) {
  for (int csrcs = 0; csrcs <= 15; csrcs += 5) {
    for (int ext = 0; ext < 4; ++ext) {
      for (int pad : {0, 1, 4, 255}) {
        const auto padding = static_cast<std::uint8_t>(pad);
        RtpPacket p;
        p.marker = ext % 2 == 1;
        p.payload_type = static_cast<std::uint8_t>(96 + ext);
        p.sequence_number = static_cast<std::uint16_t>(65530 + csrcs);
        p.timestamp = 0xfffffff0u + static_cast<std::uint32_t>(ext);
        p.ssrc = 0x11223344;
        for (int i = 0; i < csrcs; ++i) p.csrcs.push_back(static_cast<std::uint32_t>(i * 7919));
        if (ext == 1) p.extensions = {{3, Buf(16, 0x42)}};                  // one-byte, max size
        if (ext == 2) p.extensions = {{14, {1}}, {200, Buf(255, 0x17)}};   // forces two-byte
        if (ext == 3) p.raw_extension = RawExtension{0x4242, Buf(8, 0x01)};
        p.payload = Buf(static_cast<std::size_t>(csrcs * 10 + ext), 0x5a);
        p.padding_size = padding;
        const Buf wire = Serialize(p);
        ASSERT_EQ(wire.size(), SerializedSize(p));
        auto v = ParseRtp(wire);
        ASSERT_TRUE(v.has_value()) << Describe(v.error());
        EXPECT_EQ(ToPacket(*v), p);
      }
    }
  }
}

TEST(RtpPacket, SerializeRefusesWhatItCannotRepresent) {
  RtpPacket p;
  p.csrcs.assign(16, 1);
  Buf out(1024);
  EXPECT_EQ(SerializeTo(p, out), 0u);
  p.csrcs.clear();
  p.extensions = {{0, {1}}};  // id 0 is padding in both forms
  EXPECT_EQ(SerializeTo(p, out), 0u);
  p.extensions = {{1, Buf(256, 0)}};  // longer than the two-byte form's 255
  EXPECT_EQ(SerializeTo(p, out), 0u);
  p.extensions.clear();
  Buf tiny(11);
  EXPECT_EQ(SerializeTo(p, tiny), 0u);
  EXPECT_EQ(SerializeTo(p, out), 12u);
}

TEST(RtpPacket, SetExtensionReplacesOrAppends) {
  RtpPacket p;
  const Buf a = {1}, b = {2, 3};
  p.SetExtension(4, a);
  p.SetExtension(5, a);
  p.SetExtension(4, b);
  ASSERT_EQ(p.extensions.size(), 2u);
  ASSERT_NE(p.FindExtension(4), nullptr);
  EXPECT_EQ(p.FindExtension(4)->data, b);
  EXPECT_EQ(p.FindExtension(6), nullptr);
}

TEST(RtpPacket, TellsRtcpFromRtp) {
  EXPECT_TRUE(LooksLikeRtcp(Buf{0x80, 200}));   // SR
  EXPECT_TRUE(LooksLikeRtcp(Buf{0x81, 206}));   // PSFB
  EXPECT_FALSE(LooksLikeRtcp(Buf{0x80, 96}));   // PT 96
  EXPECT_FALSE(LooksLikeRtcp(Buf{0x80, 0xe0})); // PT 96 with marker
  EXPECT_FALSE(LooksLikeRtcp(Buf{0x80}));
}

TEST(AbsCaptureTime, RoundTripsBothForms) {
  for (auto t : {AbsCaptureTime{NtpTime{0xe1234567'89abcdefull}, std::nullopt},
                 AbsCaptureTime{NtpTime{1}, std::int64_t{-(std::int64_t{1} << 32)}}}) {
    std::uint8_t buf[16];
    const std::size_t n = SerializeTo(t, buf);
    ASSERT_EQ(n, SerializedSize(t));
    auto back = ParseAbsCaptureTime(std::span<const std::uint8_t>(buf, n));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, t);
  }
}

TEST(AbsCaptureTime, GoldenBytesAndBadSizes) {
  constexpr std::uint8_t k[] = {
      0xe1, 0x23, 0x45, 0x67,  // NTP seconds
      0x80, 0x00, 0x00, 0x00,  // NTP fraction: half a second
  };
  auto t = ParseAbsCaptureTime(k);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->capture_time.seconds(), 0xe1234567u);
  EXPECT_EQ(t->capture_time.fraction(), 0x80000000u);
  EXPECT_FALSE(t->estimated_capture_clock_offset);
  EXPECT_FALSE(ParseAbsCaptureTime(std::span<const std::uint8_t>(k, 7)).has_value());
  EXPECT_FALSE(ParseAbsCaptureTime({}).has_value());
}

TEST(AbsCaptureTime, TravelsInAnRtpPacket) {
  const AbsCaptureTime t{NtpFromUnixMicros(1'700'000'000'123'456), std::nullopt};
  std::uint8_t buf[16];
  RtpPacket p;
  p.SetExtension(3, std::span<const std::uint8_t>(buf, SerializeTo(t, buf)));
  const Buf wire = Serialize(p);
  auto v = ParseRtp(wire);
  ASSERT_TRUE(v.has_value());
  auto data = v->FindExtension(3);
  ASSERT_TRUE(data);
  auto back = ParseAbsCaptureTime(*data);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(UnixMicrosFromNtp(back->capture_time), 1'700'000'000'123'456);
}

}  // namespace
}  // namespace confcast::rtp
