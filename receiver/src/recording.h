// record:PATH.mkv on the receiving side: one participant's H.264 access units and Opus packets
// written as they arrived (no re-encoding) through media::Recorder, placed on one timeline by
// their capture times (record_timeline.h). The video stream taps its complete access units as
// the jitter buffer releases them, before decoding; the audio stream taps its packets in
// playout order. Event-loop thread only. A write error is reported once and ends the recording;
// reception goes on.
#pragma once

#include <confcast/media/record.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "record_timeline.h"

namespace confcast::receiver {

class Recording {
 public:
  static std::expected<std::unique_ptr<Recording>, std::string> Open(
      const std::string& spec, const media::RecorderOptions& options);

  void WriteVideo(std::span<const std::uint8_t> annexb, std::optional<std::int64_t> capture_us,
                  bool keyframe, bool after_gap);
  void WriteAudio(std::span<const std::uint8_t> opus, std::optional<std::int64_t> capture_us,
                  std::uint32_t rtp_ts);
  void Close();
  const std::string& spec() const { return spec_; }
  bool records_video() const { return options_.video; }
  bool records_audio() const { return options_.audio; }

 private:
  Recording(std::string spec, const media::RecorderOptions& o,
            std::unique_ptr<media::Recorder> recorder)
      : spec_(std::move(spec)), options_(o), recorder_(std::move(recorder)), timeline_(o.video) {}
  void Failed(const media::MediaError& e);

  std::string spec_;
  media::RecorderOptions options_;
  std::unique_ptr<media::Recorder> recorder_;  // null once closed or failed
  RecordTimeline timeline_;
  std::uint64_t frame_number_ = 0;
};

}  // namespace confcast::receiver
