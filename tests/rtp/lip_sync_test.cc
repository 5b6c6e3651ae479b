// Lip sync measured where the user meets the media: each side's delay to the moment it is heard
// or seen, and the hold that puts the earlier stream back in step.
#include <confcast/rtp/lip_sync.h>
#include <gtest/gtest.h>

namespace confcast::rtp {
namespace {

using std::chrono::milliseconds;

TEST(OutputDelay, AddsTheSinkLatencyAndLeavesOutOurHold) {
  OutputSample s;
  s.capture_us = 1'000'000;
  s.handed_us = 1'090'000;  // 90 ms after capture, 30 ms of which we held it
  s.hold = milliseconds(30);
  s.sink_latency = milliseconds(40);
  EXPECT_EQ(OutputDelayUs(s), 100'000);  // 90 - 30 + 40
}

TEST(OutputDelay, WithoutHoldOrLatencyIsHandOffMinusCapture) {
  EXPECT_EQ(OutputDelayUs(OutputSample{.handed_us = 5'045'000, .capture_us = 5'000'000}), 45'000);
}

// The case the window and audio sink showed (issue 17): the video is handed over 30 ms after
// the audio, but the audio sink plays 200 ms after it gets a sample. Measured at the hand-off
// the audio looks early by 30 ms; heard, it is late by 170 ms, so it is the picture that waits.
TEST(LipSync, AnAudioSinkBufferTurnsEarlyAudioIntoLateAudio) {
  AvSync at_handoff, heard;
  for (int i = 0; i < 50; ++i) {
    const std::int64_t capture = 1'000'000 + i * 20'000;
    at_handoff.OnVideoRendered(capture + 60'000, capture);
    at_handoff.OnAudioRendered(capture + 30'000, capture);
    heard.OnVideoOutput({.handed_us = capture + 60'000, .capture_us = capture});
    heard.OnAudioOutput({.handed_us = capture + 30'000, .capture_us = capture,
                         .sink_latency = milliseconds(200)});
  }
  EXPECT_EQ(at_handoff.Offset()->count(), 30'000);
  EXPECT_EQ(heard.Offset()->count(), -170'000);
  EXPECT_EQ(SplitHolds(*heard.Offset(), milliseconds(200)),
            (Holds{.audio = {}, .video = milliseconds(170)}));
}

// The hold we add must not feed back into the offset: once the audio waits 15 ms, its own
// delay (and so the offset that asked for the wait) stays the same.
TEST(LipSync, OurHoldDoesNotMoveTheOffset) {
  AvSync sync;
  Duration hold{0};
  for (int i = 0; i < 200; ++i) {
    const std::int64_t capture = 1'000'000 + i * 20'000;
    sync.OnVideoOutput({.handed_us = capture + 55'000, .capture_us = capture});
    sync.OnAudioOutput({.handed_us = capture + 30'000 + hold.count(), .capture_us = capture,
                        .hold = hold, .sink_latency = milliseconds(10)});
    hold = SplitHolds(*sync.Offset(), milliseconds(200)).audio;
  }
  EXPECT_EQ(sync.Offset()->count(), 15'000);
  EXPECT_EQ(hold, milliseconds(15));
}

TEST(SplitHolds, HoldsTheEarlierStreamOnly) {
  EXPECT_EQ(SplitHolds(milliseconds(25), milliseconds(200)),
            (Holds{.audio = milliseconds(25), .video = {}}));
  EXPECT_EQ(SplitHolds(milliseconds(-25), milliseconds(200)),
            (Holds{.audio = {}, .video = milliseconds(25)}));
  EXPECT_EQ(SplitHolds(Duration{0}, milliseconds(200)), Holds{});
}

TEST(SplitHolds, NeitherWaitsLongerThanTheLimit) {
  EXPECT_EQ(SplitHolds(milliseconds(900), milliseconds(200)).audio, milliseconds(200));
  EXPECT_EQ(SplitHolds(milliseconds(-900), milliseconds(200)).video, milliseconds(200));
}

}  // namespace
}  // namespace confcast::rtp
