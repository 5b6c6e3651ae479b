// Where each recorded access unit / Opus packet goes on the file's timeline. Both streams are
// placed by their capture time at the sender (capture_clock.h: abs-capture-time or the sender
// report's RTP/NTP mapping, RFC 3550 6.4.1), so audio and video line up in the file as they
// were captured, whatever each stream's jitter buffer delay was.
//
// How it works: the file starts at the first video keyframe (pts 0 = its capture time). Video
// after a gap (loss the jitter buffer skipped, a new source) waits for the next keyframe, so the
// file never holds a frame that references one it lacks. A source that comes back (restart,
// new SSRC) keeps writing into the same file: its capture times are the sender's wall clock,
// so the outage becomes a gap of the same length; if its clock lies behind what was written
// (another machine, a clock step) the timeline is moved on so that pts never goes backwards.
// Audio is written only once the file has started and only moving forward (an audio-only
// recording starts at its first packet). Pure: no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace confcast::receiver {

class RecordTimeline {
 public:
  // Without video (an audio-only recording) the file starts at the first placeable packet.
  explicit RecordTimeline(bool has_video = true) : has_video_(has_video) {}
  // A video access unit: its capture time (Unix us, if known), whether a decoder can start at
  // it, and whether units before it were lost or came from another source. Returns its pts
  // (us from the file's start), or nothing when it must not be written.
  [[nodiscard]] std::optional<std::int64_t> Video(std::optional<std::int64_t> capture_us,
                                                  bool keyframe, bool after_gap);
  // An Opus packet in playout order, with its RTP timestamp (48 kHz, RFC 7587). Packets are
  // placed by their RTP timestamps, which advance exactly with the samples, anchored to the
  // capture times: each capture time pulls the anchor an eighth of the way towards it, and
  // one more than kReanchorUs away from it (a restart, a clock step) moves it at once. So a
  // capture time that wobbles by a packet or two neither overlaps packets nor leaves holes.
  [[nodiscard]] std::optional<std::int64_t> Audio(std::optional<std::int64_t> capture_us,
                                                  std::uint32_t rtp_ts);

  bool started() const { return origin_.has_value(); }
  std::uint64_t video_dropped() const { return video_dropped_; }
  std::uint64_t audio_dropped() const { return audio_dropped_; }

  // Where a restarted source's first keyframe goes when its clock lies behind the file.
  static constexpr std::int64_t kRestartStepUs = 40'000;
  static constexpr std::int64_t kReanchorUs = 100'000;

 private:
  bool has_video_;
  std::optional<std::int64_t> origin_;  // capture time of pts 0
  bool wait_keyframe_ = true;
  std::optional<std::int64_t> last_video_, last_audio_;
  std::optional<std::pair<std::uint32_t, std::int64_t>> audio_anchor_;  // rtp ts, capture us
  std::uint64_t video_dropped_ = 0, audio_dropped_ = 0;
};

}  // namespace confcast::receiver
