// record:PATH.mkv — the received H.264 and Opus stored in Matroska without re-encoding, so a
// recording costs no CPU and keeps exactly what arrived.
#pragma once

#include <expected>
#include <memory>
#include <string_view>

#include "confcast/media/frame.h"

namespace confcast::media {

struct RecorderOptions {
  bool video = true;
  bool audio = true;  // the muxer waits for every stream it has: say false when there is none
  int audio_channels = 1;
};

class Recorder {
 public:
  // `spec` is "record:PATH.mkv" or just the path.
  static std::expected<std::unique_ptr<Recorder>, MediaError> Open(
      std::string_view spec, const RecorderOptions& options = {});
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Access units / packets in order; pts must not go backwards within a stream.
  std::expected<void, MediaError> WriteVideo(const EncodedFrame& access_unit);
  std::expected<void, MediaError> WriteAudio(const EncodedFrame& packet);
  // Finishes the file (index, duration). Also run by the destructor.
  std::expected<void, MediaError> Close();

 private:
  struct Impl;
  explicit Recorder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::media
