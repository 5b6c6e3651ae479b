// Opus: a tone survives the codec; PLC and FEC produce audio for missing packets.
#include "confcast/media/opus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace confcast::media {
namespace {

AudioFrame Tone(double hz, int samples, std::uint64_t index, int channels = 1) {
  AudioFrame f;
  f.channels = channels;
  f.frame_number = index;
  f.samples.resize(static_cast<std::size_t>(samples * channels));
  for (int i = 0; i < samples; ++i) {
    const double t =
        double(index * static_cast<std::uint64_t>(samples) + static_cast<std::uint64_t>(i)) /
        kAudioSampleRate;
    const auto v = static_cast<std::int16_t>(12000 * std::sin(2 * std::numbers::pi * hz * t));
    for (int c = 0; c < channels; ++c) f.samples[static_cast<std::size_t>(i * channels + c)] = v;
  }
  return f;
}

// Frequency by zero crossings of the first channel: robust and enough for a pure tone.
double Frequency(const std::vector<std::int16_t>& pcm, int channels) {
  int crossings = 0;
  const std::size_t n = pcm.size() / static_cast<std::size_t>(channels);
  for (std::size_t i = 1; i < n; ++i) {
    const auto a = pcm[(i - 1) * static_cast<std::size_t>(channels)];
    const auto b = pcm[i * static_cast<std::size_t>(channels)];
    if ((a < 0) != (b < 0)) ++crossings;
  }
  return crossings / 2.0 / (double(n) / kAudioSampleRate);
}

double Rms(const std::vector<std::int16_t>& pcm) {
  double s = 0;
  for (auto v : pcm) s += double(v) * v;
  return pcm.empty() ? 0 : std::sqrt(s / double(pcm.size()));
}

class OpusTone : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(OpusTone, ToneSurvivesEncodeDecode) {
  const auto [frame_ms, channels] = GetParam();
  OpusEncoderConfig c;
  c.frame_ms = frame_ms;
  c.channels = channels;
  c.bitrate_bps = 48000;
  auto enc = OpusEncoder::Create(c);
  ASSERT_TRUE(enc) << enc.error().message;
  auto dec = OpusDecoder::Create(channels);
  ASSERT_TRUE(dec);
  const int n = (*enc)->samples_per_frame();
  EXPECT_EQ(n, 48 * frame_ms);
  std::vector<std::int16_t> out;
  for (std::uint64_t i = 0; i < 50; ++i) {
    auto pkt = (*enc)->Encode(Tone(440, n, i, channels));
    ASSERT_TRUE(pkt) << pkt.error().message;
    auto pcm = (*dec)->Decode(pkt->data);
    ASSERT_TRUE(pcm) << pcm.error().message;
    EXPECT_EQ(pcm->samples_per_channel(), n);
    if (i >= 10) out.insert(out.end(), pcm->samples.begin(), pcm->samples.end());
  }
  EXPECT_NEAR(Frequency(out, channels), 440.0, 10.0);
  EXPECT_GT(Rms(out), 4000.0);
}

INSTANTIATE_TEST_SUITE_P(FramesAndChannels, OpusTone,
                         ::testing::Combine(::testing::Values(10, 20), ::testing::Values(1, 2)));

TEST(Opus, PlcProducesAudioForMissingPacket) {
  auto enc = OpusEncoder::Create({});
  auto dec = OpusDecoder::Create(1);
  ASSERT_TRUE(enc && dec);
  for (std::uint64_t i = 0; i < 20; ++i) {
    auto pkt = (*enc)->Encode(Tone(440, 960, i));
    ASSERT_TRUE(pkt);
    ASSERT_TRUE((*dec)->Decode(pkt->data));
  }
  auto plc = (*dec)->Conceal();
  ASSERT_TRUE(plc) << plc.error().message;
  EXPECT_EQ(plc->samples_per_channel(), 960);
  EXPECT_GT(Rms(plc->samples), 1000.0) << "PLC continues the tone rather than silence";
}

TEST(Opus, FecRecoversLostPacketFromNext) {
  OpusEncoderConfig c;
  c.fec = true;
  c.expected_loss_pct = 0;
  c.bitrate_bps = 32000;
  auto enc = OpusEncoder::Create(c);
  auto dec = OpusDecoder::Create(1);
  ASSERT_TRUE(enc && dec);
  // Loss expectation raised while running: LBRR data appears in later packets. The tone jumps
  // from 440 Hz to 880 Hz at packet 20, the one lost: PLC would continue 440 Hz, FEC gives 880.
  std::vector<EncodedFrame> pkts;
  for (std::uint64_t i = 0; i < 30; ++i) {
    if (i == 5) (*enc)->SetExpectedLoss(20);
    auto pkt = (*enc)->Encode(Tone(i < 20 ? 440 : 880, 960, i));
    ASSERT_TRUE(pkt);
    pkts.push_back(*pkt);
  }
  EXPECT_EQ((*enc)->config().expected_loss_pct, 20);
  // Packet 20 is lost: decode up to 19, recover 20 from 21's FEC, then decode 21.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*dec)->Decode(pkts[static_cast<std::size_t>(i)].data));
  auto rec = (*dec)->RecoverFromNext(pkts[21].data);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->samples_per_channel(), 960);
  // The second half of the recovered frame, past the decoder's cross-fade from the old state.
  const std::vector<std::int16_t> tail(rec->samples.begin() + 480, rec->samples.end());
  EXPECT_NEAR(Frequency(tail, 1), 880.0, 80.0);
  EXPECT_GT(Rms(rec->samples), 3000.0);
  ASSERT_TRUE((*dec)->Decode(pkts[21].data));
}

TEST(Opus, DtxShrinksSilence) {
  OpusEncoderConfig c;
  c.dtx = true;
  auto enc = OpusEncoder::Create(c);
  ASSERT_TRUE(enc);
  std::size_t smallest = 1000;
  for (std::uint64_t i = 0; i < 30; ++i) {
    AudioFrame silence;
    silence.samples.assign(960, 0);
    auto pkt = (*enc)->Encode(silence);
    ASSERT_TRUE(pkt);
    smallest = std::min(smallest, pkt->data.size());
  }
  EXPECT_LE(smallest, 2u);
}

TEST(Opus, RejectsBadConfigAndFrames) {
  OpusEncoderConfig c;
  c.frame_ms = 15;
  auto bad = OpusEncoder::Create(c);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("10 or 20"), std::string::npos);
  auto enc = OpusEncoder::Create({});
  ASSERT_TRUE(enc);
  AudioFrame short_frame;
  short_frame.samples.assign(100, 0);
  EXPECT_FALSE((*enc)->Encode(short_frame));
  auto dec = OpusDecoder::Create(1);
  ASSERT_TRUE(dec);
  const std::vector<std::uint8_t> junk = {0xff, 0xff, 0xff};
  EXPECT_FALSE((*dec)->Decode(junk));
}

}  // namespace
}  // namespace confcast::media
