#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/lip_sync.h>
#include <confcast/rtp/packet.h>
#include <confcast/rtp/stamper.h>
#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace confcast::rtp {
namespace {

TEST(RtpStamper, WritesAHeaderLikeTheRfcDiagram) {
  RtpStamper s(0x01020304, 96, 0x1234);
  const std::uint8_t payload[] = {0x65, 0x88};
  std::array<std::uint8_t, 64> out{};
  const std::size_t n = s.Write(payload, true, 0xdeadbeef, {}, out);
  constexpr std::uint8_t kExpected[] = {
      0x80, 0xe0, 0x12, 0x34,  // V=2 | M=1 PT=96 | seq
      0xde, 0xad, 0xbe, 0xef,  // timestamp
      0x01, 0x02, 0x03, 0x04,  // SSRC
      0x65, 0x88,              // payload
  };
  ASSERT_EQ(n, sizeof(kExpected));
  EXPECT_TRUE(std::equal(std::begin(kExpected), std::end(kExpected), out.begin()));
  EXPECT_EQ(s.next_sequence(), 0x1235);
  EXPECT_EQ(s.packets_sent(), 1u);
  EXPECT_EQ(s.octets_sent(), 2u);
}

TEST(RtpStamper, ExtensionsParseBackAndSequenceWraps) {
  RtpStamper s(7, 111, 65535);
  const AbsCaptureTime t{NtpTime{0x1122334455667788ull}, std::nullopt};
  std::uint8_t ext[16];
  const ExtensionView exts[] = {{3, Bytes(ext, SerializeTo(t, ext))}};
  std::vector<std::uint8_t> out(1500);
  const std::vector<std::uint8_t> payload(1000, 0xab);
  for (int expected : {65535, 0, 1}) {
    const std::size_t n = s.Write(payload, false, 48000, exts, out);
    ASSERT_EQ(n, RtpStamper::HeaderSize(exts) + payload.size());
    auto v = ParseRtp(Bytes(out.data(), n));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->sequence_number, expected);
    EXPECT_EQ(v->payload.size(), payload.size());
    auto data = v->FindExtension(3);
    ASSERT_TRUE(data);
    EXPECT_EQ(*ParseAbsCaptureTime(*data), t);
  }
}

TEST(RtpStamper, RefusesWithoutAdvancing) {
  RtpStamper s(7, 96, 10);
  std::vector<std::uint8_t> small(20);
  const std::vector<std::uint8_t> payload(100, 1);
  EXPECT_EQ(s.Write(payload, false, 0, {}, small), 0u);
  const std::uint8_t big[17] = {};
  const ExtensionView bad[] = {{1, Bytes(big, 17)}};
  std::vector<std::uint8_t> out(1500);
  EXPECT_EQ(s.Write(payload, false, 0, bad, out), 0u);
  EXPECT_EQ(s.next_sequence(), 10);
  EXPECT_EQ(s.packets_sent(), 0u);
}

TEST(RtpClock, TicksAtTheClockRateAndWraps) {
  const RtpClock video(90000, 0xfffff000u);
  const std::int64_t t0 = 1'700'000'000'000'000;
  EXPECT_EQ(TsDiff(video.ToRtp(t0 + 1'000'000), video.ToRtp(t0)), 90000);
  EXPECT_EQ(TsDiff(video.ToRtp(t0 + 33'333), video.ToRtp(t0)), 2999);
  const RtpClock audio(48000, 0);
  EXPECT_EQ(TsDiff(audio.ToRtp(t0 + 20'000), audio.ToRtp(t0)), 960);
}

TEST(LipSync, SenderReportRecoversCaptureTime) {
  const RtpClock clock(90000, 12345);
  RtpToNtp map(90000);
  EXPECT_FALSE(map.CaptureTimeUs(0));
  const std::int64_t sr_time = 1'700'000'000'000'000;
  map.OnSenderReport(NtpFromUnixMicros(sr_time), clock.ToRtp(sr_time));
  for (std::int64_t dt : {-2'000'000, -33'333, 0, 33'333, 5'000'000}) {
    auto capture = map.CaptureTimeUs(clock.ToRtp(sr_time + dt));
    ASSERT_TRUE(capture);
    EXPECT_NEAR(static_cast<double>(*capture - (sr_time + dt)), 0.0, 12.0) << dt;
  }
}

TEST(LipSync, OffsetIsTheDifferenceOfEndToEndDelays) {
  AvSync sync;
  EXPECT_FALSE(sync.Offset());
  for (int i = 0; i < 100; ++i) {
    const std::int64_t capture = 1'000'000 + i * 20'000;
    sync.OnVideoRendered(capture + 45'000, capture);
    sync.OnAudioRendered(capture + 30'000, capture);
  }
  ASSERT_TRUE(sync.Offset());
  EXPECT_EQ(sync.Offset()->count(), 15'000);
  EXPECT_EQ(sync.VideoDelay()->count(), 45'000);
}

}  // namespace
}  // namespace confcast::rtp
