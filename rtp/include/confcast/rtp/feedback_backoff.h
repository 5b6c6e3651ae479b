// Feedback made for large multicast groups: a randomized back-off before a NACK or PLI, and
// the RFC 4585 early-feedback rule that keeps feedback inside the RTCP bandwidth.
//
// Why: loss upstream of many receivers makes every one of them miss the same packet at once.
// If each asks as soon as it sees the gap, the sender gets N requests for one packet (NACK
// implosion). Each receiver therefore waits a random time first and stays quiet if, meanwhile,
// it hears another receiver's request (or the repair itself): the first request serves all.
//
// Distribution (SRM; NORM, RFC 5740 5.5 "feedback suppression"): a truncated exponential on
// [0, T_max] with lambda = ln(N) + 1,
//
//     t = T_max / lambda * ln(1 + u * (e^lambda - 1)),   u uniform in [0, 1],
//
// which puts most receivers near T_max and lets few (about e of N draws) come early, so the
// expected number of requests sent before the first one is heard grows like ln(N), not N
// (Nonnenmacher and Biersack, "Scalable feedback for large groups", 1999). NORM uses
// T_max = K x GRTT with K = 4 to 6; here K = 6 x RTT, capped at a third of the receiver's
// latency budget so that a request still leaves time for the repair to arrive (a LAN RTT of a
// few ms against a 40 ms jitter-buffer budget). In a small group (at most `small_group`
// receivers, RtpSession::FeedbackGroupSize) an immediate request costs nothing worth saving:
// the delay stays uniform in [0, small_group_max] (3 ms), the behaviour confcast had before.
//
// Early feedback (RFC 4585 3.5.2, 3.5.3): in AVPF, feedback is RTCP and counts inside the RTCP
// bandwidth (5% of the session). A member may send one early (out-of-schedule) compound; after
// it, allow_early is false and the next regular report moves to tp + 2 x T_rr (the early packet
// used one regular slot), and allow_early comes back when that regular report goes out.
// Feedback that cannot go early waits for the next regular report. RFC 4585's own dither
// (T_dither_max = T_rr / 2 in groups) would be seconds in a large group, far beyond any repair
// deadline; the back-off above takes its place. T_rr_interval (the "trr-int" parameter, 3.6)
// is a floor on the regular interval. RtpSession (with RtcpScheduler::OnEarlySent) applies
// this rule; EarlyFeedbackRule is the same state for a caller that keeps its own report timer
// (confcast-sim's receivers). It is enforced only above `small_group` receivers, where the
// RTCP interval, not the loss, limits feedback.
#pragma once

#include <confcast/rtp/time.h>

#include <optional>

namespace confcast::rtp {

struct FeedbackBackoffConfig {
  int small_group = 8;              // receivers at or below: near-immediate requests
  Duration small_group_max{3'000};  // uniform [0, this] in small groups
  double rtt_multiple = 6.0;        // K: T_max = K x RTT ...
  Duration latency_budget{40'000};  // ... at most a third of this (the jitter-buffer ceiling)
  Duration min_backoff{3'000};      // T_max never below this (very small RTTs)
};

// The longest back-off for a group of `group_size` receivers (RtpSession::FeedbackGroupSize)
// with round-trip time `rtt`.
[[nodiscard]] Duration MaxBackoff(int group_size, Duration rtt,
                                  const FeedbackBackoffConfig& config = {}) noexcept;

// One back-off draw from the distribution above. `uniform01` is a fresh draw in [0, 1]
// (clamped); rtp/ has no random source.
[[nodiscard]] Duration DrawBackoff(int group_size, Duration rtt, double uniform01,
                                   const FeedbackBackoffConfig& config = {}) noexcept;

// True when the group is large enough for the back-off and the early-feedback rule to apply.
[[nodiscard]] constexpr bool IsLargeGroup(int group_size,
                                          const FeedbackBackoffConfig& config = {}) noexcept {
  return group_size > config.small_group;
}

// RFC 4585 3.5.2/3.5.3 for one member: whether feedback may go out early now, and when the
// next regular report is due. The caller owns the regular RTCP timer; it reports what it sent.
class EarlyFeedbackRule {
 public:
  // `trr_interval`: RFC 4585 3.6 T_rr_interval, 0 when not signalled.
  explicit EarlyFeedbackRule(Duration trr_interval = Duration{0}) noexcept
      : trr_interval_(trr_interval) {}

  // May an early compound go out now? Always true in a small group.
  [[nodiscard]] bool MayEarly(int group_size,
                              const FeedbackBackoffConfig& config = {}) const noexcept {
    return !IsLargeGroup(group_size, config) || allow_early_;
  }
  // An early compound went out. `last_regular` is tp (the last regular report) and
  // `regular_interval` the current T_rr: returns the time the next regular report moves to
  // (tp + 2 x T_rr), or nothing in a small group (the schedule stays as it is).
  std::optional<Timestamp> OnEarlySent(int group_size, Timestamp last_regular,
                                       Duration regular_interval,
                                       const FeedbackBackoffConfig& config = {}) noexcept;
  // A regular report went out: early feedback is allowed again.
  void OnRegularSent() noexcept { allow_early_ = true; }
  // The regular interval with the T_rr_interval floor applied.
  [[nodiscard]] Duration RegularInterval(Duration computed) const noexcept {
    return computed < trr_interval_ ? trr_interval_ : computed;
  }
  bool allow_early() const noexcept { return allow_early_; }

 private:
  Duration trr_interval_;
  bool allow_early_ = true;
};

// One request held for its back-off (a PLI, say): armed once, cancelled when someone else's
// request or the answer is heard, due once.
class HeldRequest {
 public:
  // Arms the request at `now + backoff` unless one is pending already. True when armed now.
  bool Arm(Timestamp now, Duration backoff) noexcept {
    if (due_) return false;
    due_ = now + backoff;
    return true;
  }
  // Another member asked for the same thing, or the answer arrived: nothing to send.
  bool Cancel() noexcept {
    const bool was = due_.has_value();
    due_.reset();
    return was;
  }
  // True once, when the back-off has run out at `now`; the request is then spent.
  [[nodiscard]] bool Due(Timestamp now) noexcept {
    if (!due_ || *due_ > now) return false;
    due_.reset();
    return true;
  }
  std::optional<Timestamp> due() const noexcept { return due_; }

 private:
  std::optional<Timestamp> due_;
};

}  // namespace confcast::rtp
