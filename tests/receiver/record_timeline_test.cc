// The recording's timeline: starts at the first keyframe, audio placed against video by capture
// time, gaps wait for a keyframe, a restarted source never takes pts backwards.
#include "record_timeline.h"

#include <gtest/gtest.h>

namespace confcast::receiver {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // a capture time, Unix us

TEST(RecordTimeline, StartsAtTheFirstKeyframe) {
  RecordTimeline t;
  EXPECT_FALSE(t.Audio(kT0 - 20'000));  // before the file starts
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
  EXPECT_FALSE(t.Audio(kT0 - 10'000));  // captured before the first picture
  EXPECT_EQ(t.Audio(kT0 + 5'000), 5'000);
  EXPECT_EQ(t.Audio(kT0 + 25'000), 25'000);
  EXPECT_FALSE(t.Audio(kT0 + 25'000));  // never twice at one instant, never backwards
  EXPECT_FALSE(t.Audio(kT0 + 15'000));
  EXPECT_FALSE(t.Audio(std::nullopt));  // not placeable yet (no sender report)
  EXPECT_EQ(t.Audio(kT0 + 45'000), 45'000);
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
  EXPECT_EQ(t.Audio(kT0 + 4'010'000), 4'010'000);
}

TEST(RecordTimeline, ASourceWhoseClockLiesBehindMovesTheTimelineOn) {
  RecordTimeline t;
  ASSERT_EQ(t.Video(kT0, true, false), 0);
  ASSERT_EQ(t.Audio(kT0 + 500'000), 500'000);
  ASSERT_EQ(t.Video(kT0 + 1'000'000, false, false), 1'000'000);
  const std::int64_t other = kT0 - 60'000'000;  // another machine's clock, a minute behind
  EXPECT_FALSE(t.Video(other, false, true));
  const std::int64_t resumed = 1'000'000 + RecordTimeline::kRestartStepUs;
  EXPECT_EQ(t.Video(other + 33'000, true, false), resumed);
  EXPECT_EQ(t.Video(other + 66'000, false, false), resumed + 33'000);
  EXPECT_EQ(t.Audio(other + 40'000), resumed + 7'000);
  // Within one source a unit that goes back is dropped and waits for a keyframe.
  EXPECT_FALSE(t.Video(other + 50'000, false, false));
  EXPECT_FALSE(t.Video(other + 100'000, false, false));
  EXPECT_EQ(t.Video(other + 133'000, true, false), resumed + 100'000);
}

TEST(RecordTimeline, AnAudioOnlyRecordingStartsAtItsFirstPacket) {
  RecordTimeline t(/*has_video=*/false);
  EXPECT_FALSE(t.Audio(std::nullopt));
  EXPECT_EQ(t.Audio(kT0), 0);
  EXPECT_EQ(t.Audio(kT0 + 20'000), 20'000);
}

}  // namespace
}  // namespace confcast::receiver
