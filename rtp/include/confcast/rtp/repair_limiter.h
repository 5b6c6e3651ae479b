// Retransmission that a hostile host cannot turn into a flood (RFC 4585 6.2.1 generic NACK,
// RFC 4588 RTX; RFC 4585 section 9 asks senders to guard against exactly this).
//
// Anyone on the LAN can send NACKs to the group. Measured before this component: 175 NACKs of
// ~48 bytes, each naming the last ~136 packets, made the sender retransmit 23,800 packets
// (~28 MB) of a stream of 2,714 packets: ~3,000 bytes out per byte in. The limiter decides, for
// each sequence number a NACK names, whether to resend it. Checks, in order:
//
//  1. SSRC: a NACK about another media SSRC is refused whole (wrong_ssrc).
//  2. Feedback rate per source: a source (transport address and port, or the NACK's sender SSRC
//     while the address is not known) has a token bucket of NACK packets, 100/s with a burst of
//     50. A NACK beyond it is refused whole (feedback_rate): what one host makes us parse and
//     look up stays bounded.
//  3. History: a number not among the last `history_packets` sent, or sent more than `max_age`
//     ago, or never sent, is refused (unknown).
//  4. Hold-off: a packet resent less than max(hold_off_floor, RTT) ago is not resent again
//     (deduplicated). In a multicast group one retransmission reaches everyone who lost it,
//     however many ask; the floor is 5 ms because our receivers retry 1.5 RTT (>= 3 ms) apart,
//     five times within their 40 ms budget, and a 20 ms floor would leave them one try.
//  5. Plausibility per source: a source may ask for a share of the media packets sent, from a
//     token bucket refilled by every media packet sent and `burst` of media deep (losing all of
//     200 ms is plausible, once). The share is 15% by default; once the source's own loss
//     report is known (OnLossReport) it is 3x that loss, within 5%..50%. A new source starts
//     with `min_plausible_burst` tokens. Beyond: implausible.
//  6. Budget: retransmitted bytes (RTX header included) come from one token bucket refilled with
//     `budget_share` (25%) of every media byte sent and `burst` (200 ms) of media deep. Beyond:
//     budget. The bucket starts with `min_burst_bytes`, so the first losses of a stream are
//     served too. This bound holds whatever the sources: spoofed addresses or SSRCs only spread
//     an attack over more per-source buckets, never past the budget.
//
// So retransmission can cost at most budget_share of the media rate plus one burst; a single
// hostile source takes at most its plausible share of that and leaves the rest to real
// receivers (15% + 5% sparse loss < 25%). The per-source table is bounded (`max_sources`, the
// least recently heard is evicted). Each refusal reason has its counter.
#pragma once

#include <confcast/rtp/time.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace confcast::rtp {

// Who sent a piece of feedback. Until the transport address is known, the sender SSRC the
// packet claims stands in (weaker: an attacker can pick a new one per packet, which only the
// global budget then bounds).
struct FeedbackSource {
  enum class Kind : std::uint8_t { kSsrc, kIpv4, kIpv6 };
  Kind kind = Kind::kSsrc;
  std::array<std::uint8_t, 16> address{};  // IPv4 in the first four bytes
  std::uint16_t port = 0;
  std::uint32_t ssrc = 0;

  static FeedbackSource OfSsrc(std::uint32_t ssrc) noexcept;
  static FeedbackSource OfAddress(bool ipv6, std::span<const std::uint8_t> address,
                                  std::uint16_t port) noexcept;
  friend auto operator<=>(const FeedbackSource&, const FeedbackSource&) = default;
};

struct RepairLimiterConfig {
  std::uint32_t media_ssrc = 0;
  std::size_t history_packets = 1024;  // as the PacketHistory that holds the bytes
  Duration max_age{1'000'000};
  Duration hold_off_floor{5'000};
  double budget_share = 0.25;  // --rtx-budget PCT / 100
  Duration burst{200'000};     // depth of the byte budget and of each source's request bucket
  std::size_t min_burst_bytes = 16 * 1200;  // before the media rate is known, and at low rates
  double feedback_per_second = 100;         // NACK packets per source
  double feedback_burst = 50;
  double plausible_share = 0.15;      // of the media packets, for a source that reported no loss
  double plausible_headroom = 3.0;    // x its reported loss once it has reported
  double min_plausible_share = 0.05;
  double max_plausible_share = 0.5;
  std::size_t min_plausible_burst = 32;  // packets; also what a new source starts with
  std::size_t max_sources = 256;
};

struct RepairLimiterCounters {
  std::uint64_t nacks = 0;      // NACK packets considered
  std::uint64_t requested = 0;  // sequence numbers they named
  std::uint64_t resent = 0;
  std::uint64_t resent_bytes = 0;  // RTX datagram bytes (original + 2-byte OSN)
  std::uint64_t deduplicated = 0;  // within the hold-off of an earlier retransmission
  std::uint64_t refused_wrong_ssrc = 0;
  std::uint64_t refused_feedback_rate = 0;  // numbers in NACKs over their source's rate
  std::uint64_t nacks_rate_limited = 0;     // those NACK packets
  std::uint64_t refused_unknown = 0;        // not (or no longer) in the history
  std::uint64_t refused_implausible = 0;    // beyond what the source's loss explains
  std::uint64_t refused_budget = 0;         // the retransmission budget was spent
  std::uint64_t sources_evicted = 0;        // per-source state dropped to stay bounded

  std::uint64_t refused() const noexcept {
    return refused_wrong_ssrc + refused_feedback_rate + refused_unknown + refused_implausible +
           refused_budget;
  }
};

struct RepairDecision {
  std::vector<std::uint16_t> resend;  // in the order requested
  std::size_t deduplicated = 0;
  std::size_t refused = 0;  // for any reason but deduplication
};

class RepairLimiter {
 public:
  static constexpr std::size_t kRtxOverheadBytes = 2;  // the OSN (RFC 4588 4)

  explicit RepairLimiter(RepairLimiterConfig config = {});

  // A media packet of `bytes` (datagram size) with sequence number `seq` was sent at `now`.
  void OnMediaSent(std::uint16_t seq, std::size_t bytes, Timestamp now);
  // A generic NACK from `source` about `media_ssrc` names `seqs` (ExpandNack's output). Returns
  // what to resend now; the limiter counts it as resent.
  [[nodiscard]] RepairDecision OnNack(Timestamp now, const FeedbackSource& source,
                                      std::uint32_t media_ssrc,
                                      std::span<const std::uint16_t> seqs);
  // The fraction lost (0..1) the source's receiver reports about our media (RFC 3550 6.4.1).
  void OnLossReport(const FeedbackSource& source, double fraction_lost, Timestamp now);
  // The round-trip time the hold-off follows (at least hold_off_floor).
  void SetRtt(Duration rtt) noexcept { rtt_ = rtt; }
  // The media stream got a new SSRC (RFC 3550 8.2 collision).
  void SetMediaSsrc(std::uint32_t ssrc) noexcept { config_.media_ssrc = ssrc; }

  const RepairLimiterCounters& counters() const noexcept { return counters_; }
  double budget_bytes() const noexcept { return budget_tokens_; }  // left to spend now
  double media_bytes_per_second(Timestamp now) const noexcept;
  std::size_t sources() const noexcept { return sources_.size(); }

 private:
  struct Sent {
    bool used = false;
    std::uint16_t seq = 0;
    std::uint32_t bytes = 0;
    Timestamp sent_at{0};
    std::optional<Timestamp> resent_at;
  };
  struct SourceState {
    double feedback_tokens = 0;
    Timestamp feedback_at{0};
    double request_tokens = 0;
    std::uint64_t media_packets_at = 0;  // media_packets_ when request_tokens was refilled
    std::optional<double> reported_loss;
    Timestamp last_heard{0};
  };
  // Media sent per 100 ms slot over the last second: the rate the bucket depths follow.
  static constexpr std::int64_t kSlotUs = 100'000;
  static constexpr std::size_t kSlots = 10;
  struct Meter {
    std::array<std::uint64_t, kSlots> bytes{};
    std::array<std::uint64_t, kSlots> packets{};
    std::int64_t newest_slot = -1;
  };

  SourceState& Source(const FeedbackSource& source, Timestamp now);
  void AdvanceMeter(Timestamp now);
  double BudgetDepth(Timestamp now) const;
  double RequestDepth(Timestamp now) const;
  double PlausibleShare(const SourceState& s) const;

  RepairLimiterConfig config_;
  std::vector<Sent> ring_;
  Meter meter_;
  std::uint64_t media_packets_ = 0;
  double budget_tokens_ = 0;
  Duration rtt_{0};
  std::map<FeedbackSource, SourceState> sources_;
  RepairLimiterCounters counters_;
};

}  // namespace confcast::rtp
