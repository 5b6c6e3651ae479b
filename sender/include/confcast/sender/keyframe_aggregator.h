// Keyframe requests (RTCP PLI, FIR) from many receivers, turned into few IDR frames.
//
// Over multicast one loss can make every receiver ask at once. An IDR costs several times a
// delta frame, so requests are aggregated: a request forces an IDR at once unless one went out
// within `min_interval`; then it is held and served by a single IDR when the interval ends.
// Every IDR (forced or periodic) answers every request that arrived before it. FIR carries a
// command sequence number per requester (RFC 5104 4.3.1.1): a repeated number is the same
// request and is not counted again.
#pragma once

#include <confcast/rtp/time.h>

#include <cstdint>
#include <map>
#include <optional>

namespace confcast::sender {

class KeyframeAggregator {
 public:
  explicit KeyframeAggregator(rtp::Duration min_interval = std::chrono::milliseconds(300))
      : min_interval_(min_interval) {}

  // A PLI, or a FIR with a new sequence number, arrived. Returns true when the encoder should
  // produce an IDR now.
  [[nodiscard]] bool OnPli(rtp::Timestamp now) {
    ++requests_;
    return Request(now);
  }
  [[nodiscard]] bool OnFir(rtp::Timestamp now, std::uint32_t requester_ssrc, std::uint8_t seq) {
    auto [it, inserted] = fir_seq_.try_emplace(requester_ssrc, seq);
    if (!inserted && it->second == seq) return false;  // a retransmitted FIR
    it->second = seq;
    ++requests_;
    return Request(now);
  }
  // Called on every frame: true when a held request is due now.
  [[nodiscard]] bool Due(rtp::Timestamp now) {
    if (!pending_ || !Allowed(now)) return false;
    pending_ = false;
    ++forced_;
    last_forced_ = now;
    return true;
  }
  // The encoder produced an IDR (forced or periodic): it answers every request so far.
  void OnKeyframeSent(rtp::Timestamp now) {
    pending_ = false;
    last_keyframe_ = now;
  }

  std::uint64_t requests() const { return requests_; }
  std::uint64_t forced() const { return forced_; }
  // Requests that cost no IDR of their own.
  std::uint64_t aggregated() const { return requests_ - forced_; }

 private:
  bool Allowed(rtp::Timestamp now) const {
    const auto last = last_forced_ ? last_forced_ : last_keyframe_;
    return !last || now - *last >= min_interval_;
  }
  bool Request(rtp::Timestamp now) {
    if (Allowed(now) && !pending_) {
      ++forced_;
      last_forced_ = now;
      return true;
    }
    pending_ = true;
    return false;
  }

  rtp::Duration min_interval_;
  std::optional<rtp::Timestamp> last_keyframe_;
  std::optional<rtp::Timestamp> last_forced_;
  bool pending_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t forced_ = 0;
  std::map<std::uint32_t, std::uint8_t> fir_seq_;
};

}  // namespace confcast::sender
