// The recording's timeline: starts at the first keyframe, audio placed against video by capture
// time, gaps wait for a keyframe, a restarted source never takes pts backwards.
#include "record_timeline.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace confcast::receiver {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // a capture time, Unix us

TEST(RecordTimeline, StartsAtTheFirstKeyframe) {
  RecordTimeline t;
  EXPECT_FALSE(t.Audio(kT0 - 20'000, 0));  // before the file starts
  EXPECT_FALSE(t.Video(kT0, false, false));
  EXPECT_FALSE(t.started());
  EXPECT_EQ(t.Video(kT0 + 33'333, true, false), 0);
  EXPECT_TRUE(t.started());
  EXPECT_EQ(t.Video(kT0 + 66'666, false, false), 33'333);
  EXPECT_EQ(t.video_dropped(), 1u);
  EXPECT_EQ(t.audio_dropped(), 1u);
}

TEST(RecordTimeline, AudioIsPlacedByCaptureTimeAgainstVideo) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  EXPECT_FALSE(t.Audio(kT0 - 10'000, 1000));  // captured before the first picture
  EXPECT_EQ(t.Audio(kT0 + 5'000, 1000 + 720), 5'000);
  EXPECT_EQ(t.Audio(kT0 + 25'000, 1000 + 1680), 25'000);
  EXPECT_FALSE(t.Audio(kT0 + 25'000, 1000 + 1680));  // never twice at one instant
  // Without a capture time (no sender report yet) the RTP timestamp places it.
  EXPECT_EQ(t.Audio(std::nullopt, 1000 + 2640), 45'000);
}

TEST(RecordTimeline, AudioFollowsItsRtpTimestampsThroughCaptureTimeWobble) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  std::uint32_t rtp = 0xffff'f000;  // wraps on the way
  ASSERT_EQ(t.Audio(kT0 + 10'000, rtp), 10'000);
  std::int64_t last = 10'000;
  for (int i = 1; i <= 100; ++i) {
    rtp += 960;
    const std::int64_t wobble = (i % 3 == 0) ? 40'000 : (i % 3 == 1 ? -40'000 : 0);
    const auto pts = t.Audio(kT0 + 10'000 + i * 20'000 + wobble, rtp);
    ASSERT_TRUE(pts) << i;
    // Each 20 ms packet lands 20 ms after the last, give or take an eighth of the wobble.
    EXPECT_LE(std::abs(*pts - last - 20'000), 10'000) << i;
    EXPECT_LE(std::abs(*pts - (10'000 + i * 20'000)), 12'000) << i;
    last = *pts;
  }
  // A step beyond kReanchorUs (the sender restarted its audio) is taken at once.
  rtp += 123'456;
  EXPECT_EQ(t.Audio(kT0 + 10'000 + 101 * 20'000 + 500'000, rtp), 10'000 + 101 * 20'000 + 500'000);
}

TEST(RecordTimeline, AGapWaitsForTheNextKeyframe) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  EXPECT_FALSE(t.Video(kT0 + 100'000, false, true));
  EXPECT_FALSE(t.Video(kT0 + 133'000, false, false));
  EXPECT_EQ(t.Video(kT0 + 166'000, true, false), 166'000);
  EXPECT_EQ(t.Video(kT0 + 200'000, false, false), 200'000);
  // A unit without a capture time cannot be placed, and the ones after it reference it.
  EXPECT_FALSE(t.Video(std::nullopt, false, false));
  EXPECT_FALSE(t.Video(kT0 + 266'000, false, false));
  EXPECT_EQ(t.Video(kT0 + 300'000, true, false), 300'000);
}

TEST(RecordTimeline, ASenderRestartOnTheSameClockLeavesAGapOfTheOutage) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  ASSERT_EQ(t.Video(kT0 + 1'000'000, false, false), 1'000'000);
  EXPECT_EQ(t.Video(kT0 + 4'000'000, true, true), 4'000'000);
  EXPECT_EQ(t.Audio(kT0 + 4'010'000, 5555), 4'010'000);
}

TEST(RecordTimeline, ASourceWhoseClockLiesBehindMovesTheTimelineOn) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  ASSERT_EQ(t.Audio(kT0 + 500'000, 0), 500'000);
  ASSERT_EQ(t.Video(kT0 + 1'000'000, false, false), 1'000'000);
  const std::int64_t other = kT0 - 60'000'000;  // another machine's clock, a minute behind
  EXPECT_FALSE(t.Video(other, false, true));
  const std::int64_t resumed = 1'000'000 + RecordTimeline::kRestartStepUs;
  EXPECT_EQ(t.Video(other + 33'000, true, false), resumed);
  EXPECT_EQ(t.Video(other + 66'000, false, false), resumed + 33'000);
  EXPECT_EQ(t.Audio(other + 40'000, 4'000'000), resumed + 7'000);
  // Within one source a unit that goes back is dropped and waits for a keyframe.
  EXPECT_FALSE(t.Video(other + 50'000, false, false));
  EXPECT_FALSE(t.Video(other + 100'000, false, false));
  EXPECT_EQ(t.Video(other + 133'000, true, false), resumed + 100'000);
}

TEST(RecordTimeline, AnAudioOnlyRecordingStartsAtItsFirstPacket) {
  RecordTimeline t(/*has_video=*/false);
  EXPECT_FALSE(t.Audio(std::nullopt, 0));
  EXPECT_EQ(t.Audio(kT0, 960), 0);
  EXPECT_EQ(t.Audio(kT0 + 20'000, 1920), 20'000);
}

}  // namespace
}  // namespace confcast::receiver
