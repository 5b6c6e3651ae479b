// Sources and sinks on a machine without camera, sound card or display: the synthetic and file
// sources really capture; device sources fail with errors that name what is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "confcast/media/sink.h"
#include "confcast/media/source.h"

namespace confcast::media {
namespace {

using std::chrono::milliseconds;

bool Contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// Sets or clears DISPLAY for one test.
class ScopedDisplay {
 public:
  explicit ScopedDisplay(const char* value) {
    if (const char* old = std::getenv("DISPLAY")) old_ = old;
    if (value)
      ::setenv("DISPLAY", value, 1);
    else
      ::unsetenv("DISPLAY");
  }
  ~ScopedDisplay() {
    if (old_)
      ::setenv("DISPLAY", old_->c_str(), 1);
    else
      ::unsetenv("DISPLAY");
  }

 private:
  std::optional<std::string> old_;
};

TEST(VideoSource, TestPatternIsLiveMovingAndStamped) {
  VideoSourceOptions o;
  o.width = 160;
  o.height = 120;
  o.fps = 30;
  const rtp::Timestamp before = WallClockNow();
  auto src = CreateVideoSource("test", o);
  ASSERT_TRUE(src) << src.error().message;
  std::vector<VideoFrame> frames;
  while (frames.size() < 4) {
    auto f = (*src)->Pull(milliseconds(2000));
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_TRUE(f->has_value()) << "a live test source delivers within 2 s";
    frames.push_back(std::move(**f));
  }
  const rtp::Timestamp after = WallClockNow();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].width, 160);
    EXPECT_EQ(frames[i].height, 120);
    EXPECT_EQ(frames[i].frame_number, i);
    EXPECT_GE(frames[i].capture_time, before - std::chrono::seconds(1));
    EXPECT_LE(frames[i].capture_time, after);
    if (i > 0) {
      EXPECT_GT(frames[i].capture_time, frames[i - 1].capture_time);
    }
  }
  EXPECT_NE(frames.front().i420, frames.back().i420) << "the pattern moves";
}

TEST(VideoSource, MissingCameraListsWhatExists) {
  auto src = CreateVideoSource("v4l2:/dev/video77");
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, MediaErrorCode::kNotFound);
  EXPECT_TRUE(Contains(src.error().message, "video source 'v4l2:/dev/video77' not found"))
      << src.error().message;
  EXPECT_TRUE(Contains(src.error().message, "cameras present: "));
  if (ListCameras().empty()) {
    EXPECT_TRUE(Contains(src.error().message, "none found"));
    auto dflt = CreateVideoSource("v4l2");
    ASSERT_FALSE(dflt);
    EXPECT_TRUE(Contains(dflt.error().message, "none found")) << dflt.error().message;
  }
}

TEST(VideoSource, ScreenWithoutDisplayExplains) {
  ScopedDisplay none(nullptr);
  auto src = CreateVideoSource("screen");
  ASSERT_FALSE(src);
  EXPECT_TRUE(Contains(src.error().message, "DISPLAY is not set")) << src.error().message;
}

TEST(VideoSource, MissingFileAndUnknownSpec) {
  auto f = CreateVideoSource("file:/no/such/movie.mkv");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, MediaErrorCode::kNotFound);
  EXPECT_TRUE(Contains(f.error().message, "/no/such/movie.mkv"));
  auto u = CreateVideoSource("webcam");
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, MediaErrorCode::kBadSpec);
  EXPECT_TRUE(Contains(u.error().message, "unknown video source 'webcam'"));
}

TEST(VideoSource, FilePlaysDecodedFramesAndEnds) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_clip.mkv");
  const std::string cmd =
      "gst-launch-1.0 -q videotestsrc num-buffers=6 ! "
      "video/x-raw,width=96,height=64,framerate=30/1 ! x264enc ! matroskamux ! "
      "filesink location=" +
      path.string() + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "gst-launch-1.0 with x264enc unavailable";
  VideoSourceOptions o;
  o.width = 96;
  o.height = 64;
  auto src = CreateVideoSource("file:" + path.string(), o);
  ASSERT_TRUE(src) << src.error().message;
  int frames = 0;
  for (int tries = 0; tries < 100; ++tries) {
    auto f = (*src)->Pull(milliseconds(500));
    if (!f) {
      EXPECT_EQ(f.error().code, MediaErrorCode::kEndOfStream) << f.error().message;
      break;
    }
    if (f->has_value()) {
      EXPECT_EQ((*f)->width, 96);
      ++frames;
    }
  }
  EXPECT_GE(frames, 5);

  // --loop: the 6-frame clip plays again instead of ending.
  o.loop = true;
  auto looped = CreateVideoSource("file:" + path.string(), o);
  ASSERT_TRUE(looped) << looped.error().message;
  int loop_frames = 0;
  for (int tries = 0; tries < 200 && loop_frames < 14; ++tries) {
    auto f = (*looped)->Pull(milliseconds(500));
    ASSERT_TRUE(f) << "a looping file must not end: " << f.error().message;
    if (f->has_value()) ++loop_frames;
  }
  EXPECT_GE(loop_frames, 14);
  std::filesystem::remove(path);
}

TEST(AudioSource, TestToneInOpusSizedFrames) {
  AudioSourceOptions o;
  o.frame_ms = 10;
  auto src = CreateAudioSource("test", o);
  ASSERT_TRUE(src) << src.error().message;
  ASSERT_NE(*src, nullptr);
  rtp::Timestamp last{0};
  for (int i = 0; i < 5; ++i) {
    auto f = (**src).Pull(milliseconds(2000));
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_TRUE(f->has_value());
    EXPECT_EQ((*f)->samples_per_channel(), 480);
    EXPECT_EQ((*f)->sample_rate, 48000);
    EXPECT_GT((*f)->capture_time, last);
    last = (*f)->capture_time;
  }
}

TEST(AudioSource, NoneIsNullAndUnknownIsError) {
  auto none = CreateAudioSource("none");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  auto bad = CreateAudioSource("microphone");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(Contains(bad.error().message, "unknown audio source 'microphone'"));
  auto bad_frame = CreateAudioSource("test", AudioSourceOptions{.channels = 1, .frame_ms = 15});
  ASSERT_FALSE(bad_frame);
  EXPECT_TRUE(Contains(bad_frame.error().message, "10 or 20 ms"));
  auto f = CreateAudioSource("file:/no/such.ogg");
  ASSERT_FALSE(f);
  EXPECT_TRUE(Contains(f.error().message, "/no/such.ogg"));
}

TEST(AudioSource, MissingDevicesGiveClearErrors) {
  std::ifstream cards("/proc/asound/cards");
  std::string first;
  std::getline(cards, first);
  if (!Contains(first, "no soundcards") && cards.good())
    GTEST_SKIP() << "hardware: this machine has a sound card";
  auto alsa = CreateAudioSource("alsa:hw:3");
  ASSERT_FALSE(alsa);
  EXPECT_TRUE(Contains(alsa.error().message, "audio source 'alsa:hw:3'")) << alsa.error().message;
  EXPECT_TRUE(Contains(alsa.error().message, "none found") ||
              Contains(alsa.error().message, "gstreamer1.0-alsa"))
      << alsa.error().message;
  auto automatic = CreateAudioSource("auto");
  if (!automatic) {
    EXPECT_TRUE(Contains(automatic.error().message, "audio source 'auto'"));
    EXPECT_TRUE(Contains(automatic.error().message, "use --audio test or none"))
        << automatic.error().message;
  }
  if (std::getenv("PULSE_SERVER") == nullptr &&
      std::system("pgrep -x pulseaudio >/dev/null") != 0) {
    auto pulse = CreateAudioSource("pulse");
    ASSERT_FALSE(pulse);
    EXPECT_TRUE(Contains(pulse.error().message, "audio source 'pulse'")) << pulse.error().message;
  }
}

TEST(VideoSink, NullCountsAndDefaultFollowsDisplay) {
  {
    ScopedDisplay none(nullptr);
    EXPECT_EQ(DefaultVideoSinkSpec(), "null");
    auto sink = CreateVideoSink("");
    ASSERT_TRUE(sink);
    ASSERT_TRUE((*sink)->Render(SyntheticFrame(16, 16, 0)));
    EXPECT_EQ((*sink)->frames_rendered(), 1u);
    auto window = CreateVideoSink("window");
    ASSERT_FALSE(window);
    EXPECT_TRUE(Contains(window.error().message, "DISPLAY is not set"));
  }
  {
    ScopedDisplay fake(":99");
    EXPECT_EQ(DefaultVideoSinkSpec(), "window");
  }
  auto bad = CreateVideoSink("hdmi");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(Contains(bad.error().message, "unknown video sink 'hdmi'"));
}

TEST(VideoSink, PngSnapshotsEveryIntervalAndOnClose) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("confcast_media_" + std::to_string(::getpid()) + "_png");
  std::filesystem::create_directories(dir);
  VideoSinkOptions o;
  o.title = "cam";
  o.png_interval_s = 1;
  {
    auto sink = CreateVideoSink("png:" + dir.string(), o);
    ASSERT_TRUE(sink) << sink.error().message;
    for (int i = 0; i < 45; ++i) {  // 1.5 s of capture time at 30 fps
      VideoFrame f = SyntheticFrame(32, 24, static_cast<std::uint64_t>(i));
      f.capture_time = rtp::Timestamp{1'000'000'000 + i * 100'000 / 3};
      ASSERT_TRUE((*sink)->Render(f));
    }
    ASSERT_TRUE((*sink)->Close());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "cam-000000.png"));
  EXPECT_TRUE(std::filesystem::exists(dir / "cam-000030.png"));
  EXPECT_FALSE(std::filesystem::exists(dir / "cam-000015.png"));
  ASSERT_TRUE(std::filesystem::exists(dir / "cam-last.png"));
  std::ifstream png(dir / "cam-last.png", std::ios::binary);
  char sig[8] = {};
  png.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  std::filesystem::remove_all(dir);

  auto missing = CreateVideoSink("png:/no/such/dir");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(Contains(missing.error().message, "/no/such/dir"));
}

TEST(VideoSink, PngNamesFromAHostileParticipantStayInTheDirectory) {
  // The title is the participant's SDES NAME: anyone on the LAN picks it.
  const auto base = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_hostile");
  const auto dir = base / "shots";
  std::filesystem::create_directories(dir);
  VideoSinkOptions o;
  o.title = "../escaped\x1b]0;x\x07";
  {
    auto sink = CreateVideoSink("png:" + dir.string(), o);
    ASSERT_TRUE(sink) << sink.error().message;
    VideoFrame f = SyntheticFrame(32, 24, 0);
    ASSERT_TRUE((*sink)->Render(f));
    ASSERT_TRUE((*sink)->Close());
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename());
  ASSERT_EQ(names.size(), 2u);  // the first snapshot and the last, both inside DIR
  for (const std::string& n : names) {
    EXPECT_TRUE(n.starts_with("_._escaped")) << n;
    EXPECT_EQ(n.find('\x1b'), std::string::npos) << n;
    EXPECT_EQ(n.find('\x07'), std::string::npos) << n;
  }
  std::size_t outside = 0;
  for (const auto& e : std::filesystem::directory_iterator(base)) outside += e.path() != dir;
  EXPECT_EQ(outside, 0u);
  std::filesystem::remove_all(base);
}

TEST(AudioSink, AutoWithoutDeviceFallsBackInsteadOfFailing) {
  auto sink = CreateAudioSink("auto");
  ASSERT_TRUE(sink) << sink.error().message;
  AudioFrame f;
  f.samples.assign(960, 100);
  for (int i = 0; i < 3; ++i) (*sink)->Play(f);  // must not crash either way
  std::ifstream cards("/proc/asound/cards");
  std::string first;
  std::getline(cards, first);
  if (Contains(first, "no soundcards") && std::getenv("PULSE_SERVER") == nullptr &&
      std::system("pgrep -x pulseaudio >/dev/null") != 0) {
    EXPECT_FALSE((*sink)->active()) << "no device here: the sink must know it is dropping";
  }
  auto null = CreateAudioSink("null");
  ASSERT_TRUE(null);
  (*null)->Play(f);
  EXPECT_FALSE((*null)->active());
  EXPECT_FALSE(CreateAudioSink("speakers"));
}

}  // namespace
}  // namespace confcast::media

namespace confcast::media {
namespace {

// Runs only with a display (ctest media.screen_xvfb runs it under xvfb-run).
TEST(ScreenCapture, CapturesTheXScreen) {
  if (!HaveDisplay()) GTEST_SKIP() << "covered by media.screen_xvfb: no DISPLAY here, and that test runs this one under Xvfb";
  VideoSourceOptions o;
  o.width = 160;
  o.height = 120;
  o.fps = 10;
  auto src = CreateVideoSource("screen", o);
  ASSERT_TRUE(src) << src.error().message;
  for (int i = 0; i < 2; ++i) {
    auto f = (*src)->Pull(std::chrono::milliseconds(3000));
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_TRUE(f->has_value());
    EXPECT_EQ((*f)->width, 160);
    EXPECT_EQ((*f)->height, 120);
    EXPECT_GT((*f)->capture_time.count(), 0);
  }
}

TEST(AudioSource, FilePlaysInOpusSizedFrames) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_tone.wav");
  const std::string cmd =
      "gst-launch-1.0 -q audiotestsrc num-buffers=10 samplesperbuffer=4410 ! "
      "audio/x-raw,rate=44100,channels=2 ! wavenc ! filesink location=" +
      path.string() + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "gst-launch-1.0 cannot write a wav file";
  auto src = CreateAudioSource("file:" + path.string());
  ASSERT_TRUE(src) << src.error().message;
  int frames = 0;
  while (frames < 200) {
    auto f = (**src).Pull(std::chrono::milliseconds(2000));
    if (!f) {
      EXPECT_EQ(f.error().code, MediaErrorCode::kEndOfStream) << f.error().message;
      break;
    }
    if (!f->has_value()) continue;
    EXPECT_EQ((*f)->channels, 1) << "downmixed to the requested channel count";
    EXPECT_EQ((*f)->samples_per_channel(), 960) << "resampled 44.1 kHz -> 48 kHz, cut in 20 ms";
    ++frames;
  }
  EXPECT_GE(frames, 45);  // 1 s of audio = 50 frames of 20 ms, less a partial last one
  EXPECT_LE(frames, 50);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace confcast::media
