// When the receiver sends a keyframe request (PLI, RFC 4585 6.3.1) for a source. Streams say
// when they need a keyframe (the jitter buffer after an unrecoverable loss or at join, the
// decode worker after a broken chain); this policy is the one place that decides what goes on
// the wire:
//   - a source we do not show (no sink) is never asked: attaching a sink asks then;
//   - at most one request per `min_interval` (200 ms) per source;
//   - a source that keeps sending but never answers with a keyframe start is asked at doubling
//     intervals up to 32 x min_interval (6.4 s), so a stream that only looks like ours cannot
//     make us send PLIs forever;
//   - silence (an outage) is not "not answering": when the path comes back the first request
//     goes out at once;
//   - in a large group (more than 8 receivers) a loss upstream makes every receiver want a
//     keyframe at once, so a request waits a random back-off first (rtp/feedback_backoff.h:
//     up to 6 x RTT, at most a third of the latency budget) and is dropped if another
//     receiver's PLI/FIR for the same source is heard (OnRequestHeard) or a keyframe start
//     arrives meanwhile: the sender's one IDR answers everyone. Due() gives the requests
//     whose back-off ran out.
// Pure: time and random draws are passed in.
#pragma once

#include <confcast/rtp/feedback_backoff.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace confcast::receiver {

class KeyframePolicy {
 public:
  explicit KeyframePolicy(rtp::Duration min_interval = rtp::Duration{200'000})
      : min_interval_(min_interval) {}

  // A packet of `ssrc` arrived; `keyframe_start` when it begins a decodable point.
  void OnPacket(std::uint32_t ssrc, bool keyframe_start);
  // `ssrc` needs a keyframe at `now`. True when a PLI should be sent now. In a large group it
  // is held for a back-off drawn from `uniform01` (false now; Due() gives it later).
  [[nodiscard]] bool Request(std::uint32_t ssrc, rtp::Timestamp now, double uniform01 = 0.0);
  // The receivers in the group (RtpSession::FeedbackGroupSize) and the round-trip time, for
  // the back-off.
  void SetGroup(int members, rtp::Duration rtt) {
    members_ = members;
    rtt_ = rtt;
  }
  // Another receiver asked for a keyframe of `ssrc`: a held request of ours is dropped.
  void OnRequestHeard(std::uint32_t ssrc);
  // Held requests whose back-off ran out at `now`: send a PLI for each.
  [[nodiscard]] std::vector<std::uint32_t> Due(rtp::Timestamp now);
  // When the earliest held request is due, if any.
  std::optional<rtp::Timestamp> NextDue() const;
  void Forget(std::uint32_t ssrc) { state_.erase(ssrc); }

  std::uint64_t sent() const { return sent_; }
  std::uint64_t suppressed() const { return suppressed_; }
  std::uint64_t cancelled() const { return cancelled_; }  // held, then heard or answered

 private:
  struct State {
    bool asked = false;
    rtp::Timestamp last{0};
    int unanswered = 0;
    std::uint64_t packets_since = 0;  // packets of the source since the last request
    bool keyframe_since = false;      // a keyframe start arrived since the last request
    rtp::HeldRequest held;            // large group: waiting for its back-off
  };
  rtp::Duration min_interval_;
  std::unordered_map<std::uint32_t, State> state_;
  int members_ = 1;
  rtp::Duration rtt_{5'000};
  std::uint64_t sent_ = 0, suppressed_ = 0, cancelled_ = 0;
};

}  // namespace confcast::receiver
