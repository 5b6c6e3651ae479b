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
//     goes out at once.
// Pure: time is passed in.
#pragma once

#include <confcast/rtp/time.h>

#include <cstdint>
#include <unordered_map>

namespace confcast::receiver {

class KeyframePolicy {
 public:
  explicit KeyframePolicy(rtp::Duration min_interval = rtp::Duration{200'000})
      : min_interval_(min_interval) {}

  // A packet of `ssrc` arrived; `keyframe_start` when it begins a decodable point.
  void OnPacket(std::uint32_t ssrc, bool keyframe_start);
  // `ssrc` needs a keyframe at `now`. True when a PLI should be sent now.
  [[nodiscard]] bool Request(std::uint32_t ssrc, rtp::Timestamp now);
  void Forget(std::uint32_t ssrc) { state_.erase(ssrc); }

  std::uint64_t sent() const { return sent_; }
  std::uint64_t suppressed() const { return suppressed_; }

 private:
  struct State {
    bool asked = false;
    rtp::Timestamp last{0};
    int unanswered = 0;
    std::uint64_t packets_since = 0;  // packets of the source since the last request
    bool keyframe_since = false;      // a keyframe start arrived since the last request
  };
  rtp::Duration min_interval_;
  std::unordered_map<std::uint32_t, State> state_;
  std::uint64_t sent_ = 0, suppressed_ = 0;
};

}  // namespace confcast::receiver
