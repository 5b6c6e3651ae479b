// KeyframeAggregator shared between the RTCP thread (requests) and the video thread (IDRs).
#pragma once

#include <confcast/sender/keyframe_aggregator.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

namespace confcast::sender {

class KeyframeControl {
 public:
  using Clock = std::chrono::steady_clock;
  // Returns true when the request will force an IDR (now or when the interval ends).
  // A FIR carries its command sequence number; a PLI has none.
  bool Request(Clock::time_point now, std::uint32_t from_ssrc, std::optional<std::uint8_t> fir_seq) {
    std::lock_guard lock(mutex_);
    const bool force = fir_seq ? aggregator_.OnFir(Micros(now), from_ssrc, *fir_seq)
                               : aggregator_.OnPli(Micros(now), from_ssrc);
    if (force) due_ = true;
    return force;
  }
  // Video thread, before encoding a frame: true when an IDR must be forced now.
  bool TakeDue(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const bool due = due_ || aggregator_.Due(Micros(now));
    due_ = false;
    return due;
  }
  void Sent(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    aggregator_.OnKeyframeSent(Micros(now));
  }
  std::uint64_t requests() const {
    std::lock_guard lock(mutex_);
    return aggregator_.requests();
  }
  std::uint64_t forced() const {
    std::lock_guard lock(mutex_);
    return aggregator_.forced();
  }
  // Requests ignored because their requester asked too often (a PLI flood).
  std::uint64_t rate_limited() const {
    std::lock_guard lock(mutex_);
    return aggregator_.rate_limited();
  }

 private:
  static rtp::Timestamp Micros(Clock::time_point t) {
    return std::chrono::duration_cast<rtp::Timestamp>(t.time_since_epoch());
  }
  mutable std::mutex mutex_;
  KeyframeAggregator aggregator_;
  bool due_ = false;
};

}  // namespace confcast::sender
