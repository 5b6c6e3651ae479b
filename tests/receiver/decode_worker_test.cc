// The decode worker with real H.264 from libx264: it shows intact chains, never a frame whose
// references it did not see, asks for a keyframe when the chain breaks, and lets the sink be
// swapped while it runs.
#include "decode_worker.h"

#include <confcast/media/h264.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

namespace confcast::receiver {
namespace {

constexpr int kW = 160, kH = 96;

// A sink that keeps what it was given (a real VideoSink implementation, like the y4m one).
class KeepingSink final : public media::VideoSink {
 public:
  std::expected<void, media::MediaError> Render(const media::VideoFrame& f) override {
    std::lock_guard lock(mutex_);
    frames_.push_back(f.pts);
    return {};
  }
  std::uint64_t frames_rendered() const noexcept override {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  std::vector<rtp::Duration> pts() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<rtp::Duration> frames_;
};

media::VideoFrame Picture(int n) {
  media::VideoFrame f = media::VideoFrame::Blank(kW, kH);
  for (std::size_t i = 0; i < f.Y().size(); ++i) f.Y()[i] = static_cast<std::uint8_t>(i * 7 + n * 13);
  f.pts = rtp::Duration{n * 33'333};
  return f;
}

// `count` access units, an IDR at 0 and every `gop` frames.
std::vector<DecodeUnit> Encode(int count, int gop) {
  media::H264EncoderConfig c;
  c.width = kW;
  c.height = kH;
  c.gop = gop;
  auto enc = media::H264Encoder::Create(c);
  EXPECT_TRUE(enc.has_value());
  std::vector<DecodeUnit> out;
  for (int n = 0; n < count; ++n) {
    auto au = (*enc)->Encode(Picture(n));
    EXPECT_TRUE(au && *au);
    DecodeUnit u;
    u.annexb = (*au)->data;
    u.rtp_ts = static_cast<std::uint32_t>(n * 3000);
    u.decodable_start = n % gop == 0;
    u.capture_us = 1'000'000 + n;
    out.push_back(std::move(u));
  }
  return out;
}

TEST(VideoDecodeWorker, ShowsAnIntactChain) {
  KeepingSink sink;
  VideoDecodeWorker w(64);
  w.SetSink(&sink);
  for (DecodeUnit& u : Encode(20, 10)) w.Push(std::move(u));
  w.Drain();
  EXPECT_EQ(sink.frames_rendered(), 20u);
  const DecodeFigures f = w.Take();
  EXPECT_EQ(f.frames_rendered, 20u);
  EXPECT_EQ(f.frames_dropped, 0u);
  EXPECT_EQ(f.latency_samples_ms.size(), 20u);
  EXPECT_FALSE(w.TakeKeyframeRequest());
  EXPECT_TRUE(w.Take().latency_samples_ms.empty()) << "samples are handed over once";
}

// Each shown frame's latency split where it was: the stages the caller timed come out as given,
// the worker's own (queue, decode, render) are never negative, and the six add up to the
// capture-to-render sample. A unit without arrival times gives no split.
TEST(VideoDecodeWorker, SplitsEachFramesLatencyIntoStagesThatAddUp) {
  KeepingSink sink;
  VideoDecodeWorker w(64);
  w.SetSink(&sink);
  std::vector<DecodeUnit> units = Encode(10, 10);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  for (std::size_t i = 0; i < units.size(); ++i) {
    DecodeUnit& u = units[i];
    u.capture_us = now - 20'000;
    if (i == 9) continue;  // no arrival times
    u.first_arrival_us = *u.capture_us + 3'000;
    u.complete_us = u.first_arrival_us + 500;
    u.released_us = u.complete_us + 1'250;
  }
  for (DecodeUnit& u : units) w.Push(std::move(u));
  w.Drain();
  const DecodeFigures f = w.Take();
  ASSERT_EQ(f.latency_samples_ms.size(), 10u);
  ASSERT_EQ(f.stage_samples.size(), 9u);
  for (std::size_t i = 0; i < f.stage_samples.size(); ++i) {
    const StageSample& s = f.stage_samples[i];
    EXPECT_DOUBLE_EQ(s.send, 3.0);
    EXPECT_DOUBLE_EQ(s.spread, 0.5);
    EXPECT_DOUBLE_EQ(s.buffer, 1.25);
    EXPECT_GE(s.queue, 0.0);
    EXPECT_GE(s.decode, 0.0);
    EXPECT_GE(s.render, 0.0);
    EXPECT_NEAR(s.send + s.spread + s.buffer + s.queue + s.decode + s.render,
                f.latency_samples_ms[i], 1e-6);
  }
  LatencyStages stages;
  for (const StageSample& s : f.stage_samples) stages.Add(s);
  EXPECT_EQ(stages.by_stage[0].count(), 9u);                // send
  EXPECT_NEAR(stages.by_stage[1].Compute()->p50, 0.5, 0.01);  // spread
}

// A file sent faster than real time: the jitter buffer releases 90 frames at once. The decoder
// catches up within the wait bound, so nothing is dropped (a 16-unit cap showed 17 of 90).
TEST(VideoDecodeWorker, ABurstTheDecoderCatchesUpWithIsNotDropped) {
  KeepingSink sink;
  VideoDecodeWorker w;
  w.SetSink(&sink);
  for (DecodeUnit& u : Encode(90, 60)) w.Push(std::move(u));
  w.Drain();
  EXPECT_EQ(sink.frames_rendered(), 90u);
  EXPECT_EQ(w.Take().queue_overflows, 0u);
}

TEST(VideoDecodeWorker, AfterAGapShowsNothingUntilTheNextKeyframe) {
  KeepingSink sink;
  VideoDecodeWorker w(64);
  w.SetSink(&sink);
  std::vector<DecodeUnit> units = Encode(20, 10);
  for (int n = 0; n < 20; ++n) {
    if (n == 4) continue;            // frame 4 never arrives
    if (n == 5) units[n].after_gap = true;
    w.Push(std::move(units[n]));
  }
  w.Drain();
  // 0-3 shown; 5-9 reference the missing 4: never shown; 10-19 from the IDR on.
  EXPECT_EQ(sink.frames_rendered(), 4u + 10u);
  const DecodeFigures f = w.Take();
  EXPECT_EQ(f.frames_dropped, 5u);
  EXPECT_TRUE(w.TakeKeyframeRequest());
  EXPECT_FALSE(w.TakeKeyframeRequest()) << "one request per raise";
  for (rtp::Duration pts : sink.pts()) {
    const auto n = pts.count() / 33'333;
    EXPECT_TRUE(n < 4 || n >= 10) << "frame " << n << " shown without its reference";
  }
}

TEST(VideoDecodeWorker, StartsAtAKeyframeAndNeverShowsGarbage) {
  KeepingSink sink;
  VideoDecodeWorker w(64);
  w.SetSink(&sink);
  std::vector<DecodeUnit> units = Encode(15, 10);
  for (int n = 3; n < 15; ++n) w.Push(std::move(units[n]));  // joined mid-GOP
  w.Drain();
  EXPECT_EQ(sink.frames_rendered(), 5u);  // 10..14
  EXPECT_EQ(w.Take().decode_errors, 0u);
}

TEST(VideoDecodeWorker, WithoutASinkDecodesNothingAndCountsNothing) {
  VideoDecodeWorker w(64);
  for (DecodeUnit& u : Encode(5, 10)) w.Push(std::move(u));
  w.Drain();
  const DecodeFigures f = w.Take();
  EXPECT_EQ(f.frames_rendered, 0u);
  EXPECT_EQ(f.frames_dropped, 0u);
}

TEST(VideoDecodeWorker, ANewSinkStartsAtTheNextKeyframe) {
  KeepingSink first, second;
  VideoDecodeWorker w(64);
  std::vector<DecodeUnit> units = Encode(20, 10);
  w.SetSink(&first);
  for (int n = 0; n < 5; ++n) w.Push(std::move(units[n]));
  w.Drain();
  w.SetSink(&second);
  for (int n = 5; n < 20; ++n) w.Push(std::move(units[n]));
  w.Drain();
  EXPECT_EQ(first.frames_rendered(), 5u);
  EXPECT_EQ(second.frames_rendered(), 10u);  // from the IDR at 10
}

TEST(VideoDecodeWorker, AFullQueueDropsAndBreaksTheChain) {
  KeepingSink sink;
  std::vector<DecodeUnit> units = Encode(40, 20);
  VideoDecodeWorker w(2);
  w.SetSink(&sink);
  // Pushed faster than any decoder: most do not fit; what is shown is still an intact chain.
  for (DecodeUnit& u : units) w.Push(std::move(u));
  w.Drain();
  const DecodeFigures f = w.Take();
  EXPECT_GT(f.queue_overflows, 0u);
  EXPECT_LE(f.queue_high_water, 2u);
  EXPECT_EQ(f.decode_errors, 0u);
  EXPECT_EQ(f.frames_rendered + f.frames_dropped, 40u) << "every unit counted once";
  // The frames shown form runs that start at a keyframe and have no hole.
  std::vector<rtp::Duration> shown = sink.pts();
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const auto n = shown[i].count() / 33'333;
    const bool starts_chain = n % 20 == 0;
    const bool follows = i > 0 && shown[i - 1].count() / 33'333 == n - 1;
    EXPECT_TRUE(starts_chain || follows) << "frame " << n << " shown after a dropped reference";
  }
}

}  // namespace
}  // namespace confcast::receiver
