// Capture sources chosen by a spec string (the --video / --audio options):
//   video: test (default) | v4l2[:/dev/videoN] | screen | file:PATH | y4m:PATH | y4m:-
//   audio: test | auto | alsa[:DEVICE] | pulse[:DEVICE] | file:PATH | none
// (confcast/media/device_monitor.h lists the devices with the spec for each)
// The test sources carry a sync mark for checking lip sync from outside: the video's bottom
// right box (1/kSyncMarkFraction of each side) turns white and the audio plays a 1 kHz tone
// for kSyncMarkOn at the start of every wall-clock second of capture time. The video and
// audio of one file share one timeline, so a file keeps its own sync.
// A source that cannot start fails at creation with one line naming what is missing and what
// exists ("video source 'v4l2:/dev/video3' not found; cameras present: none found").
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/media/frame.h"

namespace confcast::media {

inline constexpr std::chrono::milliseconds kSyncMarkOn{100};
inline constexpr int kSyncMarkFraction = 4;

struct VideoSourceOptions {
  int width = 640;  // live sources are scaled to this; y4m keeps its own size
  int height = 480;
  int fps = 30;
  bool loop = false;  // file: start again at the end
};

class VideoSource {
 public:
  virtual ~VideoSource() = default;
  // Waits up to `timeout` for the next frame; nullopt when none came in time. kEndOfStream at
  // the end of a file or pipe. y4m sources block until the producer writes (the pipe paces).
  virtual std::expected<std::optional<VideoFrame>, MediaError> Pull(
      std::chrono::milliseconds timeout) = 0;
  virtual const std::string& spec() const noexcept = 0;
};

std::expected<std::unique_ptr<VideoSource>, MediaError> CreateVideoSource(
    std::string_view spec, const VideoSourceOptions& options = {});

struct AudioSourceOptions {
  int channels = 1;
  int frame_ms = 20;  // every AudioFrame holds exactly this much (the Opus frame)
  bool loop = false;
};

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual std::expected<std::optional<AudioFrame>, MediaError> Pull(
      std::chrono::milliseconds timeout) = 0;
  virtual const std::string& spec() const noexcept = 0;
};

// "none" succeeds with a null pointer: there is no audio.
std::expected<std::unique_ptr<AudioSource>, MediaError> CreateAudioSource(
    std::string_view spec, const AudioSourceOptions& options = {});

// /dev/video* device nodes present, for error messages and --list.
std::vector<std::string> ListCameras();

}  // namespace confcast::media
