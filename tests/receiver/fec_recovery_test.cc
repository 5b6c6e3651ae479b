// The receive side of repair: FlexFEC routing by protected SSRC, and Opus in-band FEC used
// for a missing audio packet when the next one is already here.
#include "fec_recovery.h"

#include <confcast/media/opus.h>
#include <confcast/media/sink.h>
#include <confcast/rtp/flexfec.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "audio_stream.h"

namespace confcast::receiver {
namespace {

constexpr std::uint32_t kVideo = 0x0000BEEF;

std::vector<std::uint8_t> VideoPacket(std::uint16_t seq) {
  rtp::RtpPacket p;
  p.payload_type = 96;
  p.sequence_number = seq;
  p.timestamp = 3000;
  p.ssrc = kVideo;
  p.payload.assign(100 + seq % 50, static_cast<std::uint8_t>(seq));
  return rtp::Serialize(p);
}

TEST(FecRecovery, RoutesRepairByProtectedSsrcAndRebuildsTheLostPacket) {
  rtp::FlexFecEncoder enc(0xFEC, 10);
  enc.SetScheme({4, 1});
  std::vector<std::vector<std::uint8_t>> media, repair;
  for (std::uint16_t s = 65534; media.size() < 4; ++s) {
    media.push_back(VideoPacket(s));
    enc.Add(media.back(), repair);
  }
  ASSERT_EQ(repair.size(), 1u);
  FecRecovery fec;
  auto known = [](std::uint32_t ssrc) { return ssrc == kVideo; };
  // No repair stream seen yet: media costs nothing and yields nothing.
  EXPECT_TRUE(fec.OnMedia(kVideo, media[0]).empty());
  auto view = rtp::ParseRtp(repair[0]);
  ASSERT_TRUE(view && FecRecovery::IsRepair(*view));
  auto r = fec.OnRepair(*view, repair[0], known);
  ASSERT_EQ(r.media_ssrc, kVideo);
  EXPECT_TRUE(r.recovered.empty());  // three of four missing so far
  EXPECT_TRUE(fec.OnMedia(kVideo, media[0]).empty());
  EXPECT_TRUE(fec.OnMedia(kVideo, media[1]).empty());
  auto got = fec.OnMedia(kVideo, media[3]);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], media[2]);
  // A repair packet for a stream we do not receive is not ours to decode.
  auto other = fec.OnRepair(*view, repair[0], [](std::uint32_t) { return false; });
  EXPECT_FALSE(other.media_ssrc);
}

// --- Opus in-band FEC through the audio stream -----------------------------------------------

class Recorder : public media::AudioSink {
 public:
  void Play(const media::AudioFrame& frame) override { frames.push_back(frame); }
  bool active() const noexcept override { return true; }
  std::vector<media::AudioFrame> frames;
};

media::AudioFrame Tone(double hz, std::uint64_t index) {
  media::AudioFrame f;
  f.samples.resize(960);
  for (std::size_t k = 0; k < 960; ++k) {
    const double n = static_cast<double>(index * 960 + k);
    f.samples[k] =
        static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * hz * n / 48000));
  }
  f.frame_number = index;
  return f;
}

// Goertzel power of one frequency over the second half of a frame (past any cross-fade).
double Power(const media::AudioFrame& f, double hz) {
  const double w = 2 * std::numbers::pi * hz / 48000;
  double s1 = 0, s2 = 0;
  for (std::size_t k = f.samples.size() / 2; k < f.samples.size(); ++k) {
    const double s = f.samples[k] + 2 * std::cos(w) * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - 2 * std::cos(w) * s1 * s2;
}

TEST(AudioStreamFec, MissingPacketIsRebuiltFromTheNextPacketsInbandFec) {
  media::OpusEncoderConfig c;
  c.fec = true;
  c.expected_loss_pct = 20;  // what the sender sets from receiver reports showing loss
  auto enc = media::OpusEncoder::Create(c);
  ASSERT_TRUE(enc);
  StreamConfig sc;
  sc.ssrc = 0xA0D10;
  sc.payload_type = 111;
  sc.channels = 1;
  sc.latency_ceiling = rtp::Duration{500'000};
  AudioStream stream(sc, rtp::Timestamp{0});
  Recorder sink;
  stream.AttachSink(&sink);
  // The tone jumps from 440 Hz to 880 Hz at packet 20, which is lost: concealment would go on
  // at 440 Hz, the in-band FEC of packet 21 gives 880 Hz. Packets arrive two at a time, so
  // packet 21 is here when slot 20 plays.
  const rtp::Timestamp t0{1'700'000'000'000'000};
  std::vector<std::vector<std::uint8_t>> wire;
  for (std::uint64_t i = 0; i < 40; ++i) {
    auto pkt = (*enc)->Encode(Tone(i < 20 ? 440 : 880, i));
    ASSERT_TRUE(pkt);
    rtp::RtpPacket p;
    p.payload_type = 111;
    p.sequence_number = static_cast<std::uint16_t>(1000 + i);
    p.timestamp = static_cast<std::uint32_t>(5000 + 960 * i);
    p.ssrc = 0xA0D10;
    p.payload = pkt->data;
    wire.push_back(rtp::Serialize(p));
  }
  rtp::Timestamp now = t0;
  for (std::size_t i = 0; i < wire.size(); i += 2) {
    for (std::size_t k = i; k < i + 2; ++k) {
      if (k == 20) continue;
      auto v = rtp::ParseRtp(wire[k]);
      ASSERT_TRUE(v);
      ASSERT_FALSE(stream.OnPacket(*v, now).dropped);
    }
    for (int step = 0; step < 20; ++step) {
      (void)stream.Poll(now);
      now += rtp::Duration{2'000};
    }
  }
  // Slot 20, and the buffer playing out past the last packet, count as concealed.
  EXPECT_GE(stream.figures().frames_concealed, 1u);
  ASSERT_GE(sink.frames.size(), 22u);
  // The frames come out in slot order from packet 0: 19 is 440 Hz, 20 (rebuilt) is 880 Hz.
  EXPECT_GT(Power(sink.frames[19], 440), 10 * Power(sink.frames[19], 880));
  EXPECT_GT(Power(sink.frames[20], 880), 10 * Power(sink.frames[20], 440));
}

}  // namespace
}  // namespace confcast::receiver
