// Renderers chosen by a spec string (the --video-sink / --audio-sink options):
//   video: window (default with a display) | null (default without) | y4m:PATH | y4m:- |
//          png:DIR (a snapshot every N seconds of capture time, and of the last frame on Close)
//   audio: auto (the default audio output; with no device it warns once and drops) | null
// Lip sync needs to know when the user actually meets what a sink is given: PlayoutLatency()
// says how long after Render()/Play() that is, and a window can show its pictures later on
// request (SetPresentationDelay) when the sound takes longer than the picture.
// record:PATH.mkv stores the received streams without re-encoding: see record.h.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "confcast/media/frame.h"

namespace confcast::media {

struct VideoSinkOptions {
  std::string title = "confcast";  // window title; png file name prefix
  int fps_num = 30;                // y4m header
  int fps_den = 1;
  int png_interval_s = 5;
};

class VideoSink {
 public:
  virtual ~VideoSink() = default;
  // Errors when the output is gone (window closed, pipe broken).
  virtual std::expected<void, MediaError> Render(const VideoFrame& frame) = 0;
  // Finishes the output (flushes files, writes the last png snapshot). Also run by the destructor.
  virtual std::expected<void, MediaError> Close() { return {}; }
  virtual std::uint64_t frames_rendered() const noexcept = 0;
  // How long after Render() a picture is on screen, any presentation delay set below not
  // included (0: at once, or nobody watches in real time); none while it is not known yet.
  virtual std::optional<rtp::Duration> PlayoutLatency() { return rtp::Duration{0}; }
  // Shows every picture `delay` after it is rendered, so that it meets slower sound. False
  // when the sink has no screen to be in step with (files, pipes, null): nothing changes then.
  virtual bool SetPresentationDelay(rtp::Duration /*delay*/) { return false; }
};

// True when an X11 display is configured (DISPLAY set), so `window` can work.
bool HaveDisplay();
// The default video sink spec: "window" with a display, "null" without.
std::string DefaultVideoSinkSpec();

std::expected<std::unique_ptr<VideoSink>, MediaError> CreateVideoSink(
    std::string_view spec, const VideoSinkOptions& options = {});

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  virtual void Play(const AudioFrame& frame) = 0;
  // False once the sink has fallen back to dropping audio (no output device).
  virtual bool active() const noexcept = 0;
  // How long after Play() a sample is heard: the output's buffer, as the GStreamer latency
  // query reports it once the device is open and playing (0 for null); none until then.
  virtual std::optional<rtp::Duration> PlayoutLatency() { return rtp::Duration{0}; }
};

std::expected<std::unique_ptr<AudioSink>, MediaError> CreateAudioSink(std::string_view spec);

}  // namespace confcast::media
