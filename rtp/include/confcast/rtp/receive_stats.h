// Per-source receive statistics: the receiver's side of an RTCP report block.
//
// Follows RFC 3550:
//   - A.1 source validation: a new source is on probation until MIN_SEQUENTIAL packets arrive
//     in sequence; afterwards a packet is accepted when it is less than MAX_DROPOUT ahead of
//     the highest sequence number or less than MAX_MISORDER behind it. A larger jump is
//     discarded, unless the very next packet follows it in sequence: then the sender is taken
//     to have restarted and the sequence state is re-initialised (resync).
//   - A.3 loss: expected = extended highest - base + 1, lost = expected - received (which may
//     go negative with duplicates), fraction lost over the interval since the last report.
//   - A.8 interarrival jitter: D = (R_j - R_i) - (S_j - S_i) in RTP units, J += (|D| - J)/16.
//   - 6.4.1 LSR/DLSR: the compact NTP time of the last sender report and the delay since it.
// Pure: time is passed in by the caller (microseconds, rtp/time.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "confcast/rtp/report_block.h"
#include "confcast/rtp/time.h"

namespace confcast::rtp {

// What OnPacket decided about one packet.
enum class PacketVerdict : std::uint8_t {
  kValid,           // accepted and counted: in sequence, or ahead by less than MAX_DROPOUT
  kProbation,       // source not yet validated (A.1 probation); not counted
  kDuplicateOrOld,  // at or up to MAX_MISORDER behind the highest seq; counted (as in A.1)
  kResync,          // confirmed a sender restart: statistics restarted from this packet
  kBadJump,         // a jump beyond MAX_DROPOUT/MAX_MISORDER; discarded, remembered for resync
};

// Lifetime totals (they survive a resync, unlike the A.1 `received` used for loss).
struct ReceiveCounters {
  std::uint64_t packets = 0;           // counted packets (kValid, kDuplicateOrOld, kResync)
  std::uint64_t duplicate_or_old = 0;  // kDuplicateOrOld packets (duplicates and reordered)
  std::uint64_t payload_bytes = 0;     // payload bytes of counted packets
  std::uint64_t discarded = 0;         // kProbation and kBadJump packets
  std::uint64_t resyncs = 0;           // kResync packets
  friend constexpr bool operator==(const ReceiveCounters&, const ReceiveCounters&) = default;
};

class ReceiveStatistics {
 public:
  // RFC 3550 A.1 constants.
  static constexpr int kMinSequential = 2;
  static constexpr std::uint32_t kMaxDropout = 3000;
  static constexpr std::uint32_t kMaxMisorder = 100;

  // `clock_rate_hz` is the RTP clock rate of the source's payload type (90000 for video,
  // 48000 for Opus); it must be positive. `min_sequential`: packets in sequence before the
  // source counts as valid (A.1 MIN_SEQUENTIAL); 1 when a gate in front already validated it.
  ReceiveStatistics(std::uint32_t ssrc, std::uint32_t clock_rate_hz,
                    int min_sequential = kMinSequential) noexcept;

  // Feeds one RTP packet of this source. `arrival` is the local receive time.
  [[nodiscard]] PacketVerdict OnPacket(std::uint16_t sequence, std::uint32_t rtp_timestamp,
                                       Timestamp arrival, std::size_t payload_bytes) noexcept;

  // Remembers a sender report from this source: LSR (compact NTP) and when it arrived.
  void OnSenderReport(NtpTime ntp, Timestamp arrival) noexcept;

  // The report block for an RR/SR sent at `now`; starts a new fraction-lost interval. Empty
  // while the source is still on probation (there is nothing to report yet).
  [[nodiscard]] std::optional<ReportBlock> MakeReportBlock(Timestamp now) noexcept;
  // The same block without starting a new interval (for displays and logs).
  [[nodiscard]] std::optional<ReportBlock> PeekReportBlock(Timestamp now) const noexcept;

  std::uint32_t ssrc() const noexcept { return ssrc_; }
  std::uint32_t clock_rate_hz() const noexcept { return clock_rate_hz_; }
  // True once the source passed probation.
  bool validated() const noexcept { return probation_ == 0; }
  const ReceiveCounters& counters() const noexcept { return counters_; }
  // A.1 `received`: counted packets since the source was validated or last resynchronised.
  std::uint64_t received() const noexcept { return received_; }
  // cycles << 16 | highest sequence number (wraps after 2^32, as on the wire).
  std::uint32_t ExtendedHighestSequence() const noexcept;
  // A.3 expected packets since validation/resync (0 on probation).
  std::int64_t Expected() const noexcept;
  // A.3 cumulative number of packets lost, unclamped (negative with duplicates).
  std::int64_t CumulativeLost() const noexcept;
  // Interarrival jitter in RTP timestamp units (rounded), and as a duration.
  std::uint32_t JitterRtpUnits() const noexcept;
  Duration JitterDuration() const noexcept;
  // True when a packet was counted since the last MakeReportBlock (RFC 3550 6.4: report
  // blocks are only sent for sources heard since the last report).
  bool ReceivedSinceLastReport() const noexcept { return received_ != received_prior_; }

 private:
  void InitSequence(std::uint16_t sequence) noexcept;
  void UpdateJitter(std::uint32_t rtp_timestamp, Timestamp arrival) noexcept;
  std::uint32_t ArrivalInRtpUnits(Timestamp arrival) const noexcept;
  ReportBlock FillBlock(Timestamp now, std::int64_t expected_prior,
                        std::int64_t received_prior) const noexcept;

  std::uint32_t ssrc_;
  std::uint32_t clock_rate_hz_;

  // A.1 state.
  std::uint16_t max_seq_ = 0;
  std::uint64_t cycles_ = 0;  // shifted count of wraps (multiples of 65536)
  std::uint32_t base_seq_ = 0;
  std::uint32_t bad_seq_ = 0;  // 65537 means "none"; a jump sets it to jump + 1
  int min_sequential_ = kMinSequential;
  int probation_ = kMinSequential;
  bool seen_first_ = false;
  std::int64_t received_ = 0;
  std::int64_t expected_prior_ = 0;
  std::int64_t received_prior_ = 0;

  // A.8 state. Jitter is kept in 1/256 RTP units so that J converges to within 1/16 unit of
  // the true mean |D| (the RFC's integer version, scaled by 16, stops up to one unit short).
  std::optional<std::uint32_t> last_transit_;
  std::int64_t jitter_q8_ = 0;

  // 6.4.1 state.
  std::uint32_t last_sr_ = 0;
  std::optional<Timestamp> last_sr_arrival_;

  ReceiveCounters counters_;
};

// Round-trip time seen by a sender from a report block about its own stream (RFC 3550 6.4.1,
// figure 2): RTT = A - LSR - DLSR in compact NTP, where A is the arrival time of the report in
// the sender's NTP clock. Empty when LSR is 0 (the reporter has not heard an SR yet). When the
// difference is negative (the reporter's clock runs fast or rounding on a very short path),
// the result is 0 rather than a huge wrapped value.
[[nodiscard]] std::optional<Duration> RoundTripTime(const ReportBlock& block,
                                                    NtpTime arrival_of_report) noexcept;

}  // namespace confcast::rtp
