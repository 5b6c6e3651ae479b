// Lip sync (RFC 3550 6.4.1, 7.1): every sender report pairs an NTP wall-clock time with the
// RTP timestamp of the same instant, so the receiver can turn any RTP timestamp of that stream
// into the sender's capture time. Audio and video of one participant share the sender's wall
// clock, so comparing the end-to-end delay of each (render time minus capture time) gives the
// A/V offset, and delaying the stream that is ahead by that offset aligns them.
#pragma once

#include <confcast/rtp/seq.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <optional>

namespace confcast::rtp {

// Maps RTP timestamps of one stream to the sender's capture time, from its sender reports.
// Uses the nominal clock rate (sender clocks on a LAN drift by parts per million, far below a
// frame over any realistic report interval) anchored on the latest report.
class RtpToNtp {
 public:
  explicit RtpToNtp(std::uint32_t clock_rate) noexcept : clock_rate_(clock_rate) {}

  void OnSenderReport(NtpTime ntp, std::uint32_t rtp_timestamp) noexcept {
    anchor_ntp_us_ = UnixMicrosFromNtp(ntp);
    anchor_rtp_ = rtp_timestamp;
  }
  bool valid() const noexcept { return anchor_ntp_us_.has_value(); }

  // Capture time (microseconds since the Unix epoch) of the sample with this RTP timestamp;
  // none until a sender report has been heard.
  std::optional<std::int64_t> CaptureTimeUs(std::uint32_t rtp_timestamp) const noexcept {
    if (!anchor_ntp_us_) return std::nullopt;
    const std::int64_t ticks = TsDiff(rtp_timestamp, anchor_rtp_);
    return *anchor_ntp_us_ + ticks * 1'000'000 / static_cast<std::int64_t>(clock_rate_);
  }
  void Reset() noexcept { anchor_ntp_us_.reset(); }

 private:
  std::uint32_t clock_rate_;
  std::optional<std::int64_t> anchor_ntp_us_;
  std::uint32_t anchor_rtp_ = 0;
};

// Tracks the end-to-end delay of audio and video of one participant and reports the offset.
// Positive offset: video is rendered later (relative to capture) than audio.
class AvSync {
 public:
  // Delays are render time minus capture time, in microseconds, smoothed (1/8 gain) so that a
  // single late frame does not swing the offset.
  void OnVideoRendered(std::int64_t render_unix_us, std::int64_t capture_unix_us) noexcept {
    Smooth(video_delay_us_, render_unix_us - capture_unix_us);
  }
  void OnAudioRendered(std::int64_t render_unix_us, std::int64_t capture_unix_us) noexcept {
    Smooth(audio_delay_us_, render_unix_us - capture_unix_us);
  }
  std::optional<Duration> Offset() const noexcept {
    if (!video_delay_us_ || !audio_delay_us_) return std::nullopt;
    return Duration{*video_delay_us_ - *audio_delay_us_};
  }
  std::optional<Duration> VideoDelay() const noexcept {
    return video_delay_us_ ? std::optional<Duration>(*video_delay_us_) : std::nullopt;
  }
  std::optional<Duration> AudioDelay() const noexcept {
    return audio_delay_us_ ? std::optional<Duration>(*audio_delay_us_) : std::nullopt;
  }

 private:
  static void Smooth(std::optional<std::int64_t>& state, std::int64_t sample) noexcept {
    state = state ? *state + (sample - *state) / 8 : sample;
  }
  std::optional<std::int64_t> video_delay_us_;
  std::optional<std::int64_t> audio_delay_us_;
};

}  // namespace confcast::rtp
