// One RTP session (RFC 3550 6 and 8): the RTCP side of one port pair, shared by sender and
// receiver. It holds the member table, our own SSRCs, the RTCP interval (RtcpScheduler) and
// timeouts, builds the compound packets to send and says what each received compound meant.
// It owns no socket, reads no clock and has no random generator: `now` (monotonic
// microseconds) comes with every call and random bits from a function the caller passes in.
//
// Members (6.3.3, 6.3.5): one entry per SSRC heard in RTP or RTCP, with CNAME and NAME as
// received (never sanitized here), the transport address it was first heard from on each
// channel, when it was last heard, whether it sends RTP and whether it said BYE. A member times
// out after M * Td without a packet (Td: the deterministic interval with the fixed 5 s minimum,
// as RtcpScheduler computes it), never sooner than a floor the caller sets; a member that sent
// RTP may be given a shorter timeout of its own (media_sender_timeout). A member that said
// BYE is kept for `bye_linger` so stray packets after its BYE do not bring it back (6.2.1).
//
// Source binding (8.2, 6.3.7): an SSRC is bound to the address of its first RTP packet and,
// separately, of its first RTCP packet (the two must come from the same host). A packet about
// a known SSRC from another address -- SR, RR, SDES, BYE, feedback or RTP -- is counted as a
// conflict and ignored, so a forged BYE from another host cannot remove a member. The binding
// moves only when a member that sent RTP has been silent for `handover_silence` (a sender that
// restarted elsewhere with the same SSRC); a member that only sends RTCP keeps its binding
// until it times out, as 8.2 says.
//
// Our SSRCs: the main one (sender of our SR/RR and feedback) and repair SSRCs (FEC, RTX) that
// only get SDES chunks. A packet with our SSRC and our CNAME, or from one of our local
// addresses, is our own multicast loop-back and is ignored. Another CNAME on our SSRC in SDES,
// or RTP with our SSRC from an address that is not ours, is a collision (8.2): the session
// picks a new main SSRC that no member uses, returns the BYE compound for the old one, and the
// old SSRC becomes the other participant's member, bound to the address it came from. A
// collision on a repair SSRC is reported but not resolved: its owner decides.
//
// Outgoing (6.1, 6.4): Poll() returns the regular compound when the RTCP timer says so: SR if
// we sent RTP since the report before last (else RR), report blocks from the caller, split
// into extra RRs beyond 31, and SDES with CNAME (+NAME, +TOOL) for the main SSRC and CNAME for
// each repair SSRC. BuildFeedback() returns an early compound (RFC 4585 3.5: report + SDES +
// PLI/FIR/NACK) whose report blocks are peeked, not consumed. In a group of more than
// `small_group` receivers (FeedbackGroupSize: members that send no RTP; a sender's media, FEC
// and RTX SSRCs would otherwise make 3 receivers a group of 7) it follows RFC 4585
// 3.5.2/3.5.3: one early compound per regular report (allow_early), which moves the next
// regular report to tp + 2 T; feedback asked for while none is allowed is not sent (counted as
// feedback_held; a large group's receivers mostly hear someone else ask, and FEC carries the
// rest). Small groups keep immediate feedback and the regular schedule as it is. Bye() applies BYE reconsideration (6.3.7).
// Compound sizes for the interval are computed from the values (SerializedSize) plus the
// lower-layer overhead.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/report_block.h"
#include "confcast/rtp/rtcp.h"
#include "confcast/rtp/rtcp_interval.h"
#include "confcast/rtp/time.h"

namespace confcast::rtp {

// Where a datagram came from, as the caller's socket layer reported it: an opaque, comparable
// value (the session only compares whole addresses and hosts).
struct TransportAddress {
  std::array<std::uint8_t, 16> ip{};  // network order; IPv4 uses the first 4 bytes
  std::uint16_t port = 0;
  bool v6 = false;
  bool SameHost(const TransportAddress& other) const noexcept {
    return v6 == other.v6 && ip == other.ip;
  }
  friend constexpr bool operator==(const TransportAddress&, const TransportAddress&) = default;
  friend constexpr auto operator<=>(const TransportAddress&, const TransportAddress&) = default;
};

// 32 fresh random bits per call, from the caller's generator.
using RandomBits = std::function<std::uint32_t()>;

struct RtpSessionConfig {
  std::uint32_t ssrc = 0;                   // our main SSRC: sender of our reports and feedback
  std::vector<std::uint32_t> repair_ssrcs;  // FEC, RTX: SDES CNAME chunks, no reports
  std::string cname;                        // SDES items longer than 255 bytes are cut
  std::string name;                         // SDES NAME; empty: none
  std::string tool;                         // SDES TOOL; empty: none
  double rtcp_bandwidth_bytes_per_s = 0;    // usually 5% of the session bandwidth
  Duration min_interval = kRtcpMinInterval;  // or ReducedMinInterval(...) on a LAN
  std::size_t initial_avg_rtcp_size = 100;
  // Added to every compound's size for the interval's average (6.2: UDP and IP headers).
  std::size_t lower_layer_overhead = kUdpIpv4HeaderBytes;
  Duration member_timeout_floor = std::chrono::seconds{5};
  // When set, a member that has sent RTP times out after this much silence instead (a
  // receiver that shows senders wants a crashed one gone in seconds, not after 5 intervals).
  std::optional<Duration> media_sender_timeout;
  Duration handover_silence = std::chrono::seconds{1};
  Duration bye_linger = std::chrono::seconds{2};
  std::vector<TransportAddress> local_addresses;  // where our own packets come from
  // Above this many receivers (FeedbackGroupSize) the RFC 4585 early-feedback rule applies.
  int small_group = 8;
  // RFC 4585 3.6 T_rr_interval (SDP a=rtcp-fb trr-int): a regular report due less than this
  // after the last one sent is left out, the schedule moving on as if it had gone. 0: none.
  Duration trr_interval{0};
};

// What only the sender knows when an SR goes out (read at that moment).
struct SenderInfo {
  NtpTime ntp;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};
using SenderInfoSource = std::function<SenderInfo()>;
// Report blocks for the sources we receive. `consume` is true for a regular report (start a
// new loss interval: ReceiveStatistics::MakeReportBlock) and false for early feedback and BYE
// (PeekReportBlock).
using ReportBlockSource = std::function<std::vector<ReportBlock>(Timestamp now, bool consume)>;

struct FeedbackNack {
  std::uint32_t media_ssrc = 0;
  std::vector<NackItem> items;
};
// Early feedback to send (RFC 4585 6.2.1, 6.3.1; RFC 5104 4.3.1).
struct Feedback {
  std::vector<std::uint32_t> pli;  // media SSRCs
  std::vector<FirEntry> fir;       // one FIR packet with these entries
  std::vector<FeedbackNack> nack;  // one NACK packet per entry
  bool empty() const noexcept { return pli.empty() && fir.empty() && nack.empty(); }
};

struct SsrcCollision {
  std::uint32_t old_ssrc = 0;
  std::optional<std::uint32_t> new_ssrc;  // empty for a repair SSRC: reported once, not changed
  std::string other_cname;                // empty when found by RTP
  RtcpCompound bye;                       // RR + SDES + BYE for old_ssrc, to send at once
};

struct SenderReportHeard {
  std::uint32_t ssrc = 0;
  NtpTime ntp;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};

struct ReportAboutUs {
  std::uint32_t reporter = 0;
  ReportBlock block;           // block.ssrc is one of ours
  std::optional<Duration> rtt;  // A - LSR - DLSR when LSR names an SR we sent (6.4.1)
};

struct KeyframeRequest {
  std::uint32_t reporter = 0;
  std::uint32_t media_ssrc = 0;           // one of ours
  std::optional<std::uint8_t> fir_seq;  // FIR command sequence number; empty for PLI
};

struct ByeHeard {
  std::uint32_t ssrc = 0;
  std::string reason;
};

// Packets (or SSRC entries of BYE and SDES) left unused, by reason.
struct IgnoredCounts {
  std::uint64_t wrong_address = 0;     // a known SSRC from another transport address (8.2)
  std::uint64_t own_loopback = 0;      // ours: our SSRC with our CNAME or from a local address
  std::uint64_t own_ssrc_foreign = 0;  // our SSRC from elsewhere with no CNAME to tell
  std::uint64_t after_bye = 0;         // a member that said BYE, during the linger
  std::uint64_t malformed = 0;         // parsed but meaningless: empty BYE, SDES or NACK ...
  IgnoredCounts& operator+=(const IgnoredCounts& o) noexcept;
  friend bool operator==(const IgnoredCounts&, const IgnoredCounts&) = default;
};

struct RtcpReceiveResult {
  TransportAddress from;
  std::vector<SenderReportHeard> sender_reports;  // accepted SRs (lip sync, LSR)
  std::vector<ReportAboutUs> reports;             // report blocks about our SSRCs
  std::vector<KeyframeRequest> keyframe_requests;  // PLI and FIR for our SSRCs
  std::vector<KeyframeRequest> keyframe_requests_heard;  // PLI and FIR for others (suppression)
  std::vector<Nack> nacks;                         // NACKs for our SSRCs
  std::vector<Nack> nacks_heard;                   // NACKs for other SSRCs (suppression)
  std::vector<std::uint32_t> new_members;
  std::vector<std::uint32_t> renamed;  // CNAME or NAME first given or changed
  std::vector<std::uint32_t> handovers;
  std::vector<ByeHeard> byes;  // accepted BYEs only
  std::vector<SsrcCollision> collisions;
  IgnoredCounts ignored;
};

enum class RtpAdmission : std::uint8_t {
  kAccepted,     // a member's RTP (new, known, handed over, or the other side of a collision)
  kOwnLoopback,  // our SSRC from one of our addresses
  kConflict,     // a known SSRC from another address (8.2): drop the packet
  kAfterBye,     // a member that said BYE: drop the packet
};

struct RtpReceiveResult {
  RtpAdmission admission = RtpAdmission::kAccepted;
  bool new_member = false;
  bool handover = false;  // the SSRC moved to this address: restart its receive state
  std::optional<SsrcCollision> collision;
};

struct SessionTimeouts {
  std::vector<std::uint32_t> timed_out;      // silent too long: removed
  std::vector<std::uint32_t> left;           // said BYE and the linger ended: removed
  std::vector<std::uint32_t> now_receivers;  // stopped sending RTP (6.3.5)
};

struct SessionMember {
  std::uint32_t ssrc = 0;
  std::string cname, name;  // as received
  std::optional<TransportAddress> rtp_from, rtcp_from;
  Timestamp first_heard{};
  Timestamp last_heard{};
  std::optional<Timestamp> last_rtp;  // set while it counts as a sender
  std::optional<Timestamp> bye_at;
  std::string bye_reason;
  bool sender() const noexcept { return last_rtp.has_value(); }
};

struct RtpSessionCounters {
  std::uint64_t reports_sent = 0;   // regular compounds returned by Poll
  std::uint64_t feedback_sent = 0;  // compounds returned by BuildFeedback
  std::uint64_t feedback_held = 0;  // BuildFeedback calls refused by the early rule
  std::uint64_t reports_skipped = 0;  // regular reports left out by trr_interval
  std::uint64_t compounds_received = 0;
  std::uint64_t collisions = 0;  // our SSRCs found in use by another participant
  std::uint64_t handovers = 0;
  IgnoredCounts ignored;  // totals over Receive and OnRtp
};

class RtpSession {
 public:
  // Starts the session at `now` (6.3.2: first report after half the minimum interval).
  RtpSession(RtpSessionConfig config, Timestamp now, RandomBits random);

  void AddRepairSsrc(std::uint32_t ssrc);
  void AddLocalAddress(const TransportAddress& address);
  // Without a sender-info source we never send SR; without a block source reports carry none.
  void SetSenderInfoSource(SenderInfoSource source) { sender_info_ = std::move(source); }
  void SetReportBlockSource(ReportBlockSource source) { report_blocks_ = std::move(source); }

  // The regular compound due at `now`, if any (A.7 OnExpire with timer reconsideration), or
  // the BYE that reconsideration held back. The interval moves on as if it was sent.
  [[nodiscard]] std::optional<RtcpCompound> Poll(Timestamp now);
  // The earliest time Poll or Timeouts has something to do.
  Timestamp NextWakeup() const;
  // Whether an early compound may go out now (always in a small group).
  bool MayEarly() const noexcept;
  // The members that could send the same feedback as we do: those sending no RTP (ourselves
  // included when we send none), at least 1. The size feedback back-off and the early rule
  // scale with.
  int FeedbackGroupSize() const noexcept;
  // An early feedback compound; empty when there is nothing to ask, we left, or the early
  // rule allows none now (see above).
  [[nodiscard]] std::optional<RtcpCompound> BuildFeedback(Timestamp now, const Feedback& feedback);
  // We leave: the BYE compound to send now, or nothing (we never sent anything, or BYE
  // reconsideration holds it back: Poll returns it when due). Later calls return nothing.
  [[nodiscard]] std::optional<RtcpCompound> Bye(Timestamp now, std::string_view reason);
  // We sent an RTP packet (6.3.8): SR from now on, and maybe a shorter interval.
  void OnRtpSent(Timestamp now);
  // Moves our main SSRC to `ssrc`, chosen elsewhere (a participant with one SSRC on two ports
  // follows a collision found on the other port). Returns the BYE for the old one; nothing
  // when `ssrc` is 0, already ours, used by a member, or we left.
  [[nodiscard]] std::optional<RtcpCompound> ChangeSsrc(std::uint32_t ssrc);

  // One parsed compound (or reduced-size packet) from `from`, `datagram_size` bytes.
  [[nodiscard]] RtcpReceiveResult Receive(Timestamp now, const TransportAddress& from,
                                          const RtcpCompound& compound, std::size_t datagram_size);
  // One valid RTP packet (after the caller's A.1 checks) of `ssrc` from `from`.
  [[nodiscard]] RtpReceiveResult OnRtp(Timestamp now, std::uint32_t ssrc,
                                       const TransportAddress& from);
  // Removes members that timed out or whose BYE linger ended; demotes silent senders.
  [[nodiscard]] SessionTimeouts Timeouts(Timestamp now);

  std::uint32_t ssrc() const noexcept { return config_.ssrc; }
  const std::vector<std::uint32_t>& repair_ssrcs() const noexcept { return config_.repair_ssrcs; }
  const std::string& cname() const noexcept { return config_.cname; }
  bool IsLocalSsrc(std::uint32_t ssrc) const noexcept;
  bool IsLocalAddress(const TransportAddress& address) const noexcept;
  const SessionMember* FindMember(std::uint32_t ssrc) const;
  const std::map<std::uint32_t, SessionMember>& members() const noexcept { return members_; }
  // The current member timeout: max(floor, M * Td).
  Duration MemberTimeout() const noexcept;
  // The timeout that applies to `member`: media_sender_timeout for one that sent RTP, if set.
  Duration TimeoutOf(const SessionMember& member, Duration member_timeout) const noexcept;
  const RtcpScheduler& scheduler() const noexcept { return scheduler_; }
  const RtpSessionCounters& counters() const noexcept { return counters_; }
  bool left() const noexcept { return done_ || leaving_; }

 private:
  enum class Channel : std::uint8_t { kRtp, kRtcp };
  enum class Admission : std::uint8_t { kKnown, kNew, kHandover, kConflict, kAfterBye, kUnknown };
  struct SentSr {
    std::uint32_t compact = 0;
    Timestamp at{};
  };

  double Uniform();
  Admission Admit(Timestamp now, std::uint32_t ssrc, Channel channel, const TransportAddress& from,
                  bool create);
  std::optional<SsrcCollision> ResolveCollision(Timestamp now, std::uint32_t ssrc, Channel channel,
                                 const TransportAddress& from, const std::string& other_cname);
  std::uint32_t PickSsrc(std::uint32_t old_ssrc);
  bool SendSr() const noexcept;
  RtcpCompound BuildReport(Timestamp now, bool consume);
  RtcpCompound BuildBye(Timestamp now);
  RtcpCompound ByeFor(std::uint32_t ssrc, std::string_view reason) const;
  Sdes BuildSdes() const;
  std::size_t WireSize(const RtcpCompound& compound) const noexcept;
  std::optional<Duration> RoundTrip(Timestamp now, const ReportBlock& block) const noexcept;

  RtpSessionConfig config_;
  RandomBits random_;
  RtcpScheduler scheduler_;
  SenderInfoSource sender_info_;
  ReportBlockSource report_blocks_;
  std::map<std::uint32_t, SessionMember> members_;
  std::optional<Timestamp> last_rtp_sent_;
  std::optional<Timestamp> last_report_, report_before_last_;
  std::array<SentSr, 16> sent_srs_{};
  std::size_t sent_sr_count_ = 0;
  bool leaving_ = false;  // BYE reconsideration running
  bool done_ = false;     // BYE sent or not needed: nothing more goes out
  std::string bye_reason_;
  std::vector<std::uint32_t> repair_collisions_;  // reported once each
  RtpSessionCounters counters_;
};

}  // namespace confcast::rtp
