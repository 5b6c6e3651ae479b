// Keyframe requests (RTCP PLI, FIR) from many receivers, turned into few IDR frames.
//
// Over multicast one loss can make every receiver ask at once. An IDR costs several times a
// delta frame, so requests are aggregated: a request forces an IDR at once unless a forced one
// went out within `min_interval`; then it is held and served by a single IDR when the interval
// ends. A periodic IDR does not start the interval (see Allowed).
// Every IDR (forced or periodic) answers every request that arrived before it. FIR carries a
// command sequence number per requester (RFC 5104 4.3.1.1): a repeated number is the same
// request and is not counted again.
//
// Anyone on the LAN can send PLIs. However many arrive, requests force at most one IDR per
// `min_interval`. On top of that each requester (its SSRC now, its transport address once the
// RTCP layer passes it) has a token bucket: `per_source_burst` requests (6), refilled one per
// `per_source_refill` (500 ms): under 8% burst loss a real receiver asked 3-4 times a second
// and a 1/s refill froze its picture for seconds. A real receiver asks a few times around a loss and then waits for
// the answer, so it never notices; a flood from one host forces three IDRs and then one a
// second, instead of one every 300 ms. Its other requests are counted as rate limited. The
// per-requester table is bounded (`max_requesters`, least recently heard evicted).
#pragma once

#include <confcast/rtp/time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace confcast::sender {

struct KeyframeAggregatorConfig {
  rtp::Duration min_interval = std::chrono::milliseconds(300);
  double per_source_burst = 6;
  rtp::Duration per_source_refill = std::chrono::milliseconds(500);  // one request per this
  std::size_t max_requesters = 1024;
};

class KeyframeAggregator {
 public:
  explicit KeyframeAggregator(KeyframeAggregatorConfig config = {}) : config_(config) {}
  explicit KeyframeAggregator(rtp::Duration min_interval)
      : KeyframeAggregator(KeyframeAggregatorConfig{.min_interval = min_interval}) {}

  // A PLI from `requester_ssrc` arrived. Returns true when the encoder should produce an IDR now.
  [[nodiscard]] bool OnPli(rtp::Timestamp now, std::uint32_t requester_ssrc) {
    Requester& r = Touch(requester_ssrc, now);
    if (!Admit(r)) return false;
    ++requests_;
    return Request(now);
  }
  // A FIR from `requester_ssrc` with command sequence number `seq`.
  [[nodiscard]] bool OnFir(rtp::Timestamp now, std::uint32_t requester_ssrc, std::uint8_t seq) {
    Requester& r = Touch(requester_ssrc, now);
    if (r.fir_seq == seq) return false;  // a retransmitted FIR
    if (!Admit(r)) return false;    // its number is not taken: a later FIR may repeat it
    r.fir_seq = seq;
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
  void OnKeyframeSent(rtp::Timestamp) { pending_ = false; }

  std::uint64_t requests() const { return requests_; }
  std::uint64_t forced() const { return forced_; }
  // Requests that cost no IDR of their own.
  std::uint64_t aggregated() const { return requests_ - forced_; }
  // Requests ignored because their requester had used up its bucket.
  std::uint64_t rate_limited() const { return rate_limited_; }
  std::size_t requesters() const { return requesters_.size(); }

 private:
  struct Requester {
    std::optional<std::uint8_t> fir_seq;
    double tokens = 0;
    rtp::Timestamp last_heard{0};
  };

  Requester& Touch(std::uint32_t ssrc, rtp::Timestamp now) {
    auto it = requesters_.find(ssrc);
    if (it == requesters_.end()) {
      if (requesters_.size() >= std::max<std::size_t>(1, config_.max_requesters)) {
        requesters_.erase(std::min_element(
            requesters_.begin(), requesters_.end(),
            [](const auto& a, const auto& b) { return a.second.last_heard < b.second.last_heard; }));
      }
      it = requesters_.emplace(ssrc, Requester{std::nullopt, config_.per_source_burst, now}).first;
    }
    Requester& r = it->second;
    if (now > r.last_heard && config_.per_source_refill.count() > 0) {
      const double refill = static_cast<double>((now - r.last_heard).count()) /
                            static_cast<double>(config_.per_source_refill.count());
      r.tokens = std::min(config_.per_source_burst, r.tokens + refill);
    }
    r.last_heard = std::max(r.last_heard, now);
    return r;
  }
  bool Admit(Requester& r) {
    if (r.tokens < 1) {
      ++rate_limited_;
      return false;
    }
    r.tokens -= 1;
    return true;
  }
  // Only forced IDRs start the interval. A request that arrives after a periodic IDR comes
  // from a receiver that could not use it (joined after its first packet, or lost it beyond
  // repair): holding it for the interval froze that receiver for 300 ms (10 frames at the
  // start of every session whose first IDR lost a packet on a shared link).
  bool Allowed(rtp::Timestamp now) const {
    return !last_forced_ || now - *last_forced_ >= config_.min_interval;
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

  KeyframeAggregatorConfig config_;
  std::optional<rtp::Timestamp> last_forced_;
  bool pending_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t forced_ = 0;
  std::uint64_t rate_limited_ = 0;
  std::map<std::uint32_t, Requester> requesters_;
};

}  // namespace confcast::sender
