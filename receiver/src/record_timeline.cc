#include "record_timeline.h"

namespace confcast::receiver {

std::optional<std::int64_t> RecordTimeline::Video(std::optional<std::int64_t> capture_us,
                                                  bool keyframe, bool after_gap) {
  if (after_gap) wait_keyframe_ = true;
  if (!capture_us) {
    // Not placeable; what follows it references it.
    wait_keyframe_ = true;
    ++video_dropped_;
    return std::nullopt;
  }
  if (wait_keyframe_ && !keyframe) {
    ++video_dropped_;
    return std::nullopt;
  }
  if (!origin_) origin_ = *capture_us;
  std::int64_t pts = *capture_us - *origin_;
  if (last_video_ && pts <= *last_video_) {
    if (!keyframe) {
      // Within one source capture times only grow; a unit that goes back is not written and
      // the stream resumes at a keyframe.
      wait_keyframe_ = true;
      ++video_dropped_;
      return std::nullopt;
    }
    origin_ = *capture_us - (*last_video_ + kRestartStepUs);
    pts = *last_video_ + kRestartStepUs;
  }
  wait_keyframe_ = false;
  last_video_ = pts;
  return pts;
}

std::optional<std::int64_t> RecordTimeline::Audio(std::optional<std::int64_t> capture_us,
                                                  std::uint32_t rtp_ts) {
  std::optional<std::int64_t> at;
  if (audio_anchor_) {
    const auto ticks = static_cast<std::int32_t>(rtp_ts - audio_anchor_->first);
    at = audio_anchor_->second + std::int64_t{ticks} * 1'000'000 / 48'000;
    if (capture_us) {
      const std::int64_t error = *capture_us - *at;
      *at = (error > kReanchorUs || error < -kReanchorUs) ? *capture_us : *at + error / 8;
    }
  } else {
    at = capture_us;
  }
  if (at) audio_anchor_ = std::make_pair(rtp_ts, *at);
  if (!at || (!origin_ && has_video_)) {
    ++audio_dropped_;
    return std::nullopt;
  }
  if (!origin_) origin_ = *at;
  const std::int64_t pts = *at - *origin_;
  if (pts < 0 || (last_audio_ && pts <= *last_audio_)) {
    ++audio_dropped_;
    return std::nullopt;
  }
  last_audio_ = pts;
  return pts;
}

}  // namespace confcast::receiver
