// Lip sync at the sources: the video and audio of one file, opened as two sources at different
// moments, stamp the file's flash and its tone with one capture time (the shared timeline,
// gst_util.h); the test sources' sync mark and tone start at the wall-clock second.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <thread>

#include "confcast/media/source.h"

namespace confcast::media {
namespace {

using std::chrono::milliseconds;

double MeanLuma(const VideoFrame& f, bool corner) {
  const int x0 = corner ? f.width - f.width / 8 : 0, y0 = corner ? f.height - f.height / 8 : 0;
  double sum = 0;
  int n = 0;
  for (int y = y0; y < f.height; ++y)
    for (int x = x0; x < f.width; ++x, ++n) sum += f.Y()[static_cast<std::size_t>(y * f.width + x)];
  return n ? sum / n : 0;
}

// Capture time of the first frame whose luma (whole picture or the bottom right corner) turns
// bright after a dark one, within `max_frames`.
std::optional<rtp::Timestamp> FirstFlash(VideoSource& src, bool corner, int max_frames) {
  bool dark_seen = false;
  for (int i = 0; i < max_frames * 3 && max_frames > 0;) {
    auto f = src.Pull(milliseconds(500));
    if (!f || !f->has_value()) continue;
    ++i;
    const bool bright = MeanLuma(**f, corner) > 128;
    if (bright && dark_seen) return (*f)->capture_time;
    dark_seen = dark_seen || !bright;
    if (i >= max_frames) break;
  }
  return std::nullopt;
}

// Capture time of the first sample louder than a tenth of full scale after at least 10 ms
// without one (a sine's zero crossings are not silence).
std::optional<rtp::Timestamp> FirstTone(AudioSource& src, int max_frames) {
  int quiet_run = 0;
  for (int i = 0; i < max_frames;) {
    auto f = src.Pull(milliseconds(500));
    if (!f || !f->has_value()) continue;
    ++i;
    const AudioFrame& a = **f;
    for (int s = 0; s < a.samples_per_channel(); ++s) {
      const bool loud = std::abs(a.samples[static_cast<std::size_t>(s * a.channels)]) > 3277;
      if (loud && quiet_run >= a.sample_rate / 100)
        return a.capture_time + rtp::Duration{std::int64_t{s} * 1'000'000 / a.sample_rate};
      quiet_run = loud ? 0 : quiet_run + 1;
    }
  }
  return std::nullopt;
}

TEST(SyncSources, OneFilesVideoAndAudioShareOneTimeline) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_flash.mkv");
  // A white flash and a 1 kHz tone from t = 0.5 s for 100 ms.
  const std::string cmd =
      "ffmpeg -nostdin -v error -y -f lavfi -i "
      "\"color=c=black:s=96x64:r=30:d=2,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:"
      "enable='between(t,0.5,0.599)',format=yuv420p\" -f lavfi -i "
      "\"aevalsrc='if(between(t,0.5,0.6),0.8*sin(2*PI*1000*t),0)':s=48000:d=2\" "
      "-c:v mjpeg -c:a pcm_s16le " +
      path.string();
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "ffmpeg with lavfi unavailable";
  VideoSourceOptions vo;
  vo.width = 96;
  vo.height = 64;
  auto video = CreateVideoSource("file:" + path.string(), vo);
  ASSERT_TRUE(video) << video.error().message;
  // The audio starts well after the video, as a sender's setup may; on separate timelines the
  // tone would be stamped this much after its flash.
  std::this_thread::sleep_for(milliseconds(150));
  auto audio = CreateAudioSource("file:" + path.string(), AudioSourceOptions{});
  ASSERT_TRUE(audio) << audio.error().message;
  const auto flash = FirstFlash(**video, false, 40);
  const auto tone = FirstTone(**audio, 60);
  ASSERT_TRUE(flash) << "no flash in the video source";
  ASSERT_TRUE(tone) << "no tone in the audio source";
  const auto offset_us = (*tone - *flash).count();
  EXPECT_LE(std::abs(offset_us), 5'000) << "tone minus flash, us: " << offset_us;
  std::filesystem::remove(path);
}

TEST(SyncSources, TestSourcesMarkTheWallClockSecond) {
  VideoSourceOptions vo;
  vo.width = 160;
  vo.height = 120;
  vo.fps = 30;
  auto video = CreateVideoSource("test", vo);
  ASSERT_TRUE(video) << video.error().message;
  auto audio = CreateAudioSource("test", AudioSourceOptions{});
  ASSERT_TRUE(audio) << audio.error().message;
  ASSERT_NE(*audio, nullptr);
  // Up to a little over two seconds of each: at least one whole second passes.
  const auto flash = FirstFlash(**video, true, 70);
  const auto tone = FirstTone(**audio, 110);
  ASSERT_TRUE(flash) << "the test video source shows no sync mark";
  ASSERT_TRUE(tone) << "the test audio source plays no tone burst";
  // The mark's first frame is the one nearest to the second: within half a frame (16.7 ms).
  auto phase = [](rtp::Timestamp t) {
    const std::int64_t p = t.count() % 1'000'000;
    return p >= 500'000 ? p - 1'000'000 : p;
  };
  EXPECT_LE(std::abs(phase(*flash)), 1'000'000 / 30 / 2 + 1) << "flash at " << flash->count();
  EXPECT_LE(std::abs(phase(*tone)), 300) << "tone at " << tone->count();
}

}  // namespace
}  // namespace confcast::media
