#include "recording.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

namespace confcast::receiver {

std::expected<std::unique_ptr<Recording>, std::string> Recording::Open(
    const std::string& spec, const media::RecorderOptions& options) {
  auto r = media::Recorder::Open(spec, options);
  if (!r) return std::unexpected(r.error().message);
  return std::unique_ptr<Recording>(new Recording(spec, options, std::move(*r)));
}

void Recording::WriteVideo(std::span<const std::uint8_t> annexb,
                           std::optional<std::int64_t> capture_us, bool keyframe, bool after_gap) {
  const auto pts = timeline_.Video(capture_us, keyframe, after_gap);
  if (!pts || !recorder_ || !options_.video) return;
  media::EncodedFrame f;
  f.codec = media::Codec::kH264;
  f.data.assign(annexb.begin(), annexb.end());
  f.keyframe = keyframe;
  f.pts = std::chrono::microseconds(*pts);
  f.frame_number = frame_number_++;
  if (auto w = recorder_->WriteVideo(f); !w) Failed(w.error());
}

void Recording::WriteAudio(std::span<const std::uint8_t> opus,
                           std::optional<std::int64_t> capture_us, std::uint32_t rtp_ts) {
  if (!options_.audio || !recorder_) return;
  const auto pts = timeline_.Audio(capture_us, rtp_ts);
  if (!pts) return;
  media::EncodedFrame f;
  f.codec = media::Codec::kOpus;
  f.data.assign(opus.begin(), opus.end());
  f.keyframe = true;
  f.pts = std::chrono::microseconds(*pts);
  if (auto w = recorder_->WriteAudio(f); !w) Failed(w.error());
}

void Recording::Failed(const media::MediaError& e) {
  spdlog::error("record {}: {}; recording stopped", spec_, e.message);
  recorder_.reset();
}

void Recording::Close() {
  if (!recorder_) return;
  if (auto c = recorder_->Close(); !c) {
    spdlog::error("record {}: {}", spec_, c.error().message);
  }
  recorder_.reset();
}

}  // namespace confcast::receiver
