// RFC 3550 A.1 (validation), A.3 (loss), A.8 (jitter) and 6.4.1 (LSR/DLSR); see the header.
#include "confcast/rtp/receive_stats.h"

#include <algorithm>
#include <cstdlib>

#include "confcast/rtp/seq.h"

namespace confcast::rtp {
namespace {

constexpr std::uint32_t kSeqMod = 1u << 16;
constexpr std::uint32_t kNoBadSeq = kSeqMod + 1;  // never equal to a 16-bit sequence number

// DLSR in 1/65536 s. Unlike CompactNtpFromDuration this saturates instead of wrapping when
// the last SR is more than 65536 s old, so a stale SR never looks recent.
std::uint32_t SaturatingCompactNtp(Duration d) noexcept {
  if (d.count() <= 0) return 0;
  const auto us = static_cast<std::uint64_t>(d.count());
  constexpr std::uint64_t kMaxMicros = (std::uint64_t{0xFFFFFFFF} * kMicrosPerSecond) >> 16;
  if (us >= kMaxMicros) return 0xFFFFFFFF;
  return static_cast<std::uint32_t>((us << 16) / kMicrosPerSecond);
}

}  // namespace

ReceiveStatistics::ReceiveStatistics(std::uint32_t ssrc, std::uint32_t clock_rate_hz,
                                     int min_sequential) noexcept
    : ssrc_(ssrc),
      clock_rate_hz_(clock_rate_hz == 0 ? 1 : clock_rate_hz),
      min_sequential_(std::max(1, min_sequential)),
      probation_(min_sequential_) {}

// A.1 init_seq: restart the sequence state at `sequence` (validation or sender restart).
void ReceiveStatistics::InitSequence(std::uint16_t sequence) noexcept {
  base_seq_ = sequence;
  max_seq_ = sequence;
  bad_seq_ = kNoBadSeq;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
}

PacketVerdict ReceiveStatistics::OnPacket(std::uint16_t sequence, std::uint32_t rtp_timestamp,
                                          Timestamp arrival, std::size_t payload_bytes) noexcept {
  if (!seen_first_) {
    // A.1: the first packet starts probation as if it followed max_seq.
    seen_first_ = true;
    InitSequence(sequence);
    max_seq_ = static_cast<std::uint16_t>(sequence - 1);
    probation_ = min_sequential_;
  }
  const auto udelta = static_cast<std::uint16_t>(sequence - max_seq_);
  PacketVerdict verdict = PacketVerdict::kValid;

  if (probation_ > 0) {
    if (sequence == static_cast<std::uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = sequence;
      if (probation_ == 0) {
        // Validated: statistics start at this packet (the earlier probation packets are not
        // counted, so that expected and received stay consistent).
        InitSequence(sequence);
        ++received_;
        ++counters_.packets;
        counters_.payload_bytes += payload_bytes;
        UpdateJitter(rtp_timestamp, arrival);
        return PacketVerdict::kValid;
      }
    } else {
      // Not in sequence: probation restarts with this packet as the first one. Its timing
      // may belong to another stream, so the jitter reference restarts too.
      probation_ = min_sequential_ - 1;
      max_seq_ = sequence;
      last_transit_.reset();
    }
    ++counters_.discarded;
    UpdateJitter(rtp_timestamp, arrival);  // only sets the transit reference on probation
    return PacketVerdict::kProbation;
  }

  if (udelta < kMaxDropout) {
    if (udelta == 0) {
      // A duplicate of the highest packet: A.1 counts it like any packet; we report it.
      verdict = PacketVerdict::kDuplicateOrOld;
    } else {
      if (sequence < max_seq_) cycles_ += kSeqMod;  // in order, with permissible gap: wrapped
      max_seq_ = sequence;
    }
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump. Once is a stray packet; twice in sequence is a restarted sender.
    if (sequence == bad_seq_) {
      InitSequence(sequence);
      last_transit_.reset();  // a restarted sender draws a new random timestamp base
      ++counters_.resyncs;
      verdict = PacketVerdict::kResync;
    } else {
      bad_seq_ = (std::uint32_t{sequence} + 1) & (kSeqMod - 1);
      ++counters_.discarded;
      return PacketVerdict::kBadJump;
    }
  } else {
    // Up to MAX_MISORDER behind the highest: duplicate or reordered.
    verdict = PacketVerdict::kDuplicateOrOld;
  }

  ++received_;
  ++counters_.packets;
  if (verdict == PacketVerdict::kDuplicateOrOld) ++counters_.duplicate_or_old;
  counters_.payload_bytes += payload_bytes;
  // A.8: every packet counts, in order of arrival (not necessarily in sequence).
  UpdateJitter(rtp_timestamp, arrival);
  return verdict;
}

// Arrival time on the source's RTP clock, modulo 2^32 like RTP timestamps. Seconds and the
// remainder are scaled separately so that large epochs cannot overflow.
std::uint32_t ReceiveStatistics::ArrivalInRtpUnits(Timestamp arrival) const noexcept {
  std::int64_t secs = arrival.count() / kMicrosPerSecond;
  std::int64_t rem = arrival.count() % kMicrosPerSecond;
  if (rem < 0) {
    rem += kMicrosPerSecond;
    --secs;
  }
  const std::uint64_t units = static_cast<std::uint64_t>(secs) * clock_rate_hz_ +
                              static_cast<std::uint64_t>(rem) * clock_rate_hz_ /
                                  static_cast<std::uint64_t>(kMicrosPerSecond);
  return static_cast<std::uint32_t>(units);
}

// A.8: transit = arrival - timestamp (both in RTP units, modulo 2^32); D is the change in
// transit between consecutive arrivals; J moves 1/16 of the way towards |D|.
void ReceiveStatistics::UpdateJitter(std::uint32_t rtp_timestamp, Timestamp arrival) noexcept {
  const std::uint32_t transit = ArrivalInRtpUnits(arrival) - rtp_timestamp;
  if (last_transit_) {
    const std::int64_t d = std::llabs(TsDiff(transit, *last_transit_));
    jitter_q8_ += ((d << 8) - jitter_q8_) / 16;
  }
  last_transit_ = transit;
}

void ReceiveStatistics::OnSenderReport(NtpTime ntp, Timestamp arrival) noexcept {
  last_sr_ = ntp.Compact();
  last_sr_arrival_ = arrival;
}

std::uint32_t ReceiveStatistics::ExtendedHighestSequence() const noexcept {
  return static_cast<std::uint32_t>(cycles_ + max_seq_);
}

std::int64_t ReceiveStatistics::Expected() const noexcept {
  if (!validated()) return 0;
  return static_cast<std::int64_t>(cycles_ + max_seq_) - static_cast<std::int64_t>(base_seq_) + 1;
}

std::int64_t ReceiveStatistics::CumulativeLost() const noexcept {
  return Expected() - received_;
}

std::uint32_t ReceiveStatistics::JitterRtpUnits() const noexcept {
  return static_cast<std::uint32_t>((jitter_q8_ + 128) >> 8);
}

Duration ReceiveStatistics::JitterDuration() const noexcept {
  const std::int64_t denominator = std::int64_t{clock_rate_hz_} * 256;
  return Duration{(jitter_q8_ * kMicrosPerSecond + denominator / 2) / denominator};
}

// A.3 and 6.4.1: one report block, with the interval measured from the given priors.
ReportBlock ReceiveStatistics::FillBlock(Timestamp now, std::int64_t expected_prior,
                                         std::int64_t received_prior) const noexcept {
  ReportBlock block;
  block.ssrc = ssrc_;
  const std::int64_t expected = Expected();
  block.cumulative_lost = static_cast<std::int32_t>(
      std::clamp<std::int64_t>(expected - received_, kMinCumulativeLost, kMaxCumulativeLost));
  const std::int64_t expected_interval = expected - expected_prior;
  const std::int64_t received_interval = received_ - received_prior;
  const std::int64_t lost_interval = expected_interval - received_interval;
  if (expected_interval > 0 && lost_interval > 0) {
    // A counted packet always moves max_seq, so lost < expected and this stays below 256;
    // the clamp only guards the 8-bit field.
    block.fraction_lost = static_cast<std::uint8_t>(
        std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255));
  }
  block.extended_highest_seq = ExtendedHighestSequence();
  block.jitter = JitterRtpUnits();
  if (last_sr_arrival_) {
    block.last_sr = last_sr_;
    block.delay_since_last_sr = SaturatingCompactNtp(now - *last_sr_arrival_);
  }
  return block;
}

std::optional<ReportBlock> ReceiveStatistics::PeekReportBlock(Timestamp now) const noexcept {
  if (!validated()) return std::nullopt;
  return FillBlock(now, expected_prior_, received_prior_);
}

std::optional<ReportBlock> ReceiveStatistics::MakeReportBlock(Timestamp now) noexcept {
  if (!validated()) return std::nullopt;
  ReportBlock block = FillBlock(now, expected_prior_, received_prior_);
  expected_prior_ = Expected();
  received_prior_ = received_;
  return block;
}

std::optional<Duration> RoundTripTime(const ReportBlock& block,
                                      NtpTime arrival_of_report) noexcept {
  if (block.last_sr == 0) return std::nullopt;
  // Modular 32-bit arithmetic, as the compact NTP fields wrap every 65536 s.
  const std::uint32_t rtt = arrival_of_report.Compact() - block.last_sr - block.delay_since_last_sr;
  if (rtt >= 0x80000000u) return Duration{0};  // negative: clock skew between the two ends
  return DurationFromCompactNtp(rtt);
}

}  // namespace confcast::rtp
