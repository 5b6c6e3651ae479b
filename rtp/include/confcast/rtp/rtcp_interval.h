// RTCP transmission interval and timer rules (RFC 3550 6.2, 6.3 and appendix A.7).
//
// The interval scales with the session so that all RTCP together uses a fixed share of the
// bandwidth (normally 5% of the session bandwidth): T = n * avg_rtcp_size / rtcp_bw, floored at
// a minimum (5 s, halved before the first report), multiplied by a random factor in [0.5, 1.5)
// to avoid synchronisation and divided by e - 3/2 to compensate for timer reconsideration.
// When senders are at most a quarter of the members, senders share 25% of the RTCP bandwidth
// and receivers the other 75%, so that SRs (lip sync) keep coming in large sessions.
//
// RtcpScheduler keeps the A.7 state (tp, tn, pmembers, members, senders, avg_rtcp_size,
// initial, we_sent) and a member table, and applies timer reconsideration (6.3.6), reverse
// reconsideration (6.3.4), BYE reconsideration (6.3.7) and timeouts (6.3.5). It never reads a
// clock or a random generator: callers pass `now` and a uniform draw in [0, 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "confcast/rtp/time.h"

namespace confcast::rtp {

// RFC 3550 6.2/A.7 constants.
inline constexpr Duration kRtcpMinInterval = std::chrono::seconds{5};
inline constexpr double kRtcpSenderBandwidthFraction = 0.25;
inline constexpr double kRtcpReceiverBandwidthFraction = 1.0 - kRtcpSenderBandwidthFraction;
// e - 3/2: the randomized interval is divided by this (6.3.1).
inline constexpr double kRtcpCompensation = 2.718281828459045 - 1.5;
// Members time out after this many deterministic intervals without a packet (6.3.5, M).
inline constexpr int kRtcpMemberTimeoutIntervals = 5;
// Senders become receivers after this many intervals without RTP (6.3.5, 6.3.8).
inline constexpr int kRtcpSenderTimeoutIntervals = 2;
// Above this many members a leaving participant reconsiders its BYE (6.3.7).
inline constexpr int kRtcpByeReconsiderationThreshold = 50;
// RTCP sizes include lower-layer headers (6.2); for UDP over IPv4 that is 8 + 20 bytes.
inline constexpr std::size_t kUdpIpv4HeaderBytes = 28;

// The RFC 3550 6.2 "reduced minimum" for sessions with a large bandwidth: 360 / (session
// bandwidth in kbit/s) seconds. Below 72 kbit/s it is larger than 5 s; callers normally use
// std::min with kRtcpMinInterval. A non-positive bandwidth gives kRtcpMinInterval.
[[nodiscard]] Duration ReducedMinInterval(double session_bandwidth_bits_per_s) noexcept;

// The deterministic part of the interval (no random factor, no compensation): n * avg / bw with
// the 25% senders rule, floored at `min_interval` (halved when `initial`). Used for timeouts
// (Td, 6.3.5). A non-positive bandwidth means the minimum. `members` below 1 counts as 1.
[[nodiscard]] Duration DeterministicInterval(int members, int senders,
                                             double rtcp_bandwidth_bytes_per_s, bool we_sent,
                                             double avg_rtcp_size_bytes, bool initial,
                                             Duration min_interval = kRtcpMinInterval) noexcept;

// A.7 rtcp_interval(): the deterministic interval times (0.5 + random_draw), divided by
// kRtcpCompensation. `random_draw` is uniform in [0, 1) (clamped into [0, 1]).
[[nodiscard]] Duration ComputeInterval(int members, int senders, double rtcp_bandwidth_bytes_per_s,
                                       bool we_sent, double avg_rtcp_size_bytes, bool initial,
                                       double random_draw,
                                       Duration min_interval = kRtcpMinInterval) noexcept;

// 6.3.3: avg_rtcp_size = 1/16 * packet_size + 15/16 * avg_rtcp_size.
[[nodiscard]] constexpr double UpdateAvgRtcpSize(double avg_rtcp_size_bytes,
                                                 std::size_t packet_size_bytes) noexcept {
  return static_cast<double>(packet_size_bytes) / 16.0 + avg_rtcp_size_bytes * 15.0 / 16.0;
}

struct RtcpSchedulerConfig {
  std::uint32_t own_ssrc = 0;                // packets from ourselves (multicast loop) are ignored
  double rtcp_bandwidth_bytes_per_s = 0;     // usually 5% of the session bandwidth
  Duration min_interval = kRtcpMinInterval;  // or ReducedMinInterval(...) on a LAN
  std::size_t initial_avg_rtcp_size = 100;   // probable size of our first compound packet
};

// What the caller should do when the timer fires.
enum class RtcpAction : std::uint8_t {
  kReschedule,  // not yet: set the timer to `next`
  kSendReport,  // send a compound report now, then call OnReportSent() for the next time
  kSendBye,     // send the BYE now; the scheduler is finished
  kStopped,     // finished (BYE sent or decided): nothing more to send
};

struct RtcpTimerDecision {
  RtcpAction action = RtcpAction::kReschedule;
  std::optional<Timestamp> next;  // set for kReschedule only
  friend constexpr bool operator==(const RtcpTimerDecision&, const RtcpTimerDecision&) = default;
};

// What Leave() decided.
enum class ByeAction : std::uint8_t {
  kNone,       // we never sent RTP or RTCP: no BYE at all (6.3.7)
  kSendNow,    // fewer than 50 members: the BYE may go out immediately
  kScheduled,  // BYE reconsideration: wait for the timer at `next`
};

struct ByeDecision {
  ByeAction action = ByeAction::kNone;
  std::optional<Timestamp> next;  // set for kScheduled only
  friend constexpr bool operator==(const ByeDecision&, const ByeDecision&) = default;
};

// Result of CheckTimeouts().
struct RtcpTimeouts {
  std::vector<std::uint32_t> timed_out;      // members removed (not heard for M * Td)
  std::vector<std::uint32_t> now_receivers;  // senders demoted (no RTP for 2 * Td)
  bool we_stopped_sending = false;           // we_sent went false
  std::optional<Timestamp> next;             // new timer time when reverse reconsideration ran
};

class RtcpScheduler {
 public:
  // 6.3.2 initialisation at `now`: tp = now, members = pmembers = 1 (ourselves), senders = 0,
  // initial = true, we_sent = false, and the first report scheduled at now + T.
  RtcpScheduler(const RtcpSchedulerConfig& config, Timestamp now, double random_draw) noexcept;

  // The time the caller should arm its timer for.
  Timestamp next() const noexcept { return tn_; }

  // Our SSRC changed (RFC 3550 8.2 collision): packets from the new one are ours and ignored,
  // and the old one may now be counted as another participant's.
  void set_own_ssrc(std::uint32_t ssrc) noexcept { config_.own_ssrc = ssrc; }
  std::uint32_t own_ssrc() const noexcept { return config_.own_ssrc; }

  // 6.3.6 / A.7 OnExpire: the timer fired at `now`. Recomputes T with the current state; if
  // tp + T <= now the report (or BYE, when leaving) is due, otherwise the timer moves to tp + T.
  [[nodiscard]] RtcpTimerDecision OnTimer(Timestamp now, double random_draw) noexcept;
  // After sending the report that OnTimer asked for: updates avg_rtcp_size with its size
  // (including lower-layer headers), tp = now, draws the next interval and returns tn.
  [[nodiscard]] Timestamp OnReportSent(Timestamp now, std::size_t packet_size,
                                       double random_draw) noexcept;

  // RFC 4585 3.5.3: an early (out-of-schedule feedback) compound went out at `now`. It used
  // a regular slot, so the next regular report moves to tp + 2 T (T redrawn at each timer, as
  // for any report) until that report goes out. Returns the new tn.
  Timestamp OnEarlySent(Timestamp now, double random_draw) noexcept;
  // An early compound went out since the last regular report (RFC 4585: allow_early false).
  bool early_since_report() const noexcept { return early_since_report_; }

  // 6.3.3: an RTP packet from `ssrc` (already validated by the caller, 6.2.1).
  void OnRtpReceived(std::uint32_t ssrc, Timestamp now) noexcept;
  // 6.3.3: an RTCP compound packet from `ssrc` of `packet_size` bytes (with UDP/IP headers).
  void OnRtcpReceived(std::uint32_t ssrc, Timestamp now, std::size_t packet_size) noexcept;
  // 6.3.4: a BYE from `ssrc`. Returns the new timer time when reverse reconsideration pulled
  // it in. While we are leaving (6.3.7) it only counts the BYE.
  [[nodiscard]] std::optional<Timestamp> OnByeReceived(std::uint32_t ssrc, Timestamp now,
                                                       std::size_t packet_size) noexcept;
  // 6.3.8: we sent an RTP packet. Becoming a sender may shorten the interval: returns the new
  // timer time when tn was pulled in (by the ratio of the new to the old deterministic T).
  [[nodiscard]] std::optional<Timestamp> OnRtpSent(Timestamp now) noexcept;

  // 6.3.5: times out members silent for M * Td and demotes senders (ourselves included, 6.3.8)
  // without RTP for 2 * Td. Td is the deterministic receiver interval with the fixed 5 s
  // minimum; the RFC's sender rule says 2 T, and using Td there too keeps a sender that pauses
  // briefly on a LAN with the reduced minimum from flapping. Call at least once per interval.
  [[nodiscard]] RtcpTimeouts CheckTimeouts(Timestamp now) noexcept;

  // 6.3.7: we want to leave and send a BYE of `bye_size` bytes (with UDP/IP headers).
  [[nodiscard]] ByeDecision Leave(Timestamp now, std::size_t bye_size, double random_draw) noexcept;

  int members() const noexcept { return members_; }
  int pmembers() const noexcept { return pmembers_; }
  int senders() const noexcept { return senders_; }
  bool we_sent() const noexcept { return we_sent_; }
  bool initial() const noexcept { return initial_; }
  bool leaving() const noexcept { return leaving_; }
  double avg_rtcp_size() const noexcept { return avg_rtcp_size_; }
  Timestamp tp() const noexcept { return tp_; }
  Timestamp tn() const noexcept { return tn_; }

 private:
  struct Member {
    Timestamp last_heard{};
    std::optional<Timestamp> last_rtp;  // set while the member counts as a sender
  };

  Duration Interval(double random_draw) const noexcept;
  Duration CurrentDeterministic() const noexcept;
  Member& Touch(std::uint32_t ssrc, Timestamp now) noexcept;
  std::optional<Timestamp> ReverseReconsider(Timestamp now) noexcept;

  RtcpSchedulerConfig config_;
  Timestamp tp_;
  Timestamp tn_;
  int pmembers_ = 1;
  int members_ = 1;
  int senders_ = 0;
  double avg_rtcp_size_;
  bool initial_ = true;
  bool we_sent_ = false;
  bool leaving_ = false;
  bool finished_ = false;
  bool sent_anything_ = false;  // RTP or RTCP: a participant that sent nothing sends no BYE
  bool early_since_report_ = false;
  std::optional<Timestamp> last_rtp_sent_;
  std::unordered_map<std::uint32_t, Member> table_;
};

}  // namespace confcast::rtp
