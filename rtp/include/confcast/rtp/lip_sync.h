// Lip sync (RFC 3550 6.4.1, 7.1): every sender report pairs an NTP wall-clock time with the
// RTP timestamp of the same instant, so the receiver can turn any RTP timestamp of that stream
// into the sender's capture time. Audio and video of one participant share the sender's wall
// clock, so comparing the end-to-end delay of each (render time minus capture time) gives the
// A/V offset, and delaying the stream that is ahead by that offset aligns them.
//
// What counts is when the user meets a sample, not when it is handed to an output: an audio
// sink plays a sample some tens of ms after it gets it (its buffer), a window shows a picture
// at once or after a presentation delay. So each side's delay is measured to the moment it is
// heard or seen (OutputDelayUs: hand-off plus the sink's playout latency, minus any hold of
// ours already in the hand-off time), and SplitHolds turns the offset into a hold of the
// earlier stream: the audio waits before it is played, or the video waits in its window.
#pragma once

#include <confcast/rtp/seq.h>
#include <confcast/rtp/time.h>

#include <algorithm>
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

// One output of one sample: handed to its sink at `handed_us` (Unix microseconds) for the
// sample captured at `capture_us`. `hold` is how long we had it wait before that hand-off
// (already inside handed_us); `sink_latency` how long the sink takes from the hand-off until it
// is heard or seen, our presentation delay not included.
struct OutputSample {
  std::int64_t handed_us = 0;
  std::int64_t capture_us = 0;
  Duration hold{0};
  Duration sink_latency{0};
};

// Capture to heard/seen, without our hold: the stream's own end-to-end delay, which lip sync
// compares between audio and video.
constexpr std::int64_t OutputDelayUs(const OutputSample& s) noexcept {
  return s.handed_us - s.capture_us - s.hold.count() + s.sink_latency.count();
}

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
  // The same, measured to the moment the user sees or hears the sample (OutputDelayUs).
  void OnVideoOutput(const OutputSample& s) noexcept { Smooth(video_delay_us_, OutputDelayUs(s)); }
  void OnAudioOutput(const OutputSample& s) noexcept { Smooth(audio_delay_us_, OutputDelayUs(s)); }
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

// How long each stream waits so that both meet the user together.
struct Holds {
  Duration audio{0};  // decoded audio waits this long before its sink gets it
  Duration video{0};  // the window shows each picture this much later (presentation delay)
  friend bool operator==(const Holds&, const Holds&) = default;
};

// `offset`: how much later (own delay, AvSync::Offset) the video meets the user than the audio.
// Positive: the audio is early and waits; negative: the picture is early and waits (a window
// shows it later; a file or null sink, which nobody watches in step, keeps no such hold, and
// the audio cannot be played before it is decoded, so then nothing waits). Each hold is at most
// `max_hold`: beyond that, waiting costs more than being apart.
constexpr Holds SplitHolds(Duration offset, Duration max_hold) noexcept {
  Holds h;
  if (offset > Duration{0}) {
    h.audio = std::min(offset, max_hold);
  } else {
    h.video = std::min(-offset, max_hold);
  }
  return h;
}

}  // namespace confcast::rtp
