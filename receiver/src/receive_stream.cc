#include "receive_stream.h"

#include <algorithm>
#include <chrono>

namespace confcast::receiver {

RepairBudget VideoRepairBudget(rtp::Duration latency_ceiling, bool nack) {
  RepairBudget b;
  // With NACK on, a hole may wait the whole ceiling for its retransmission.
  b.repair_wait = nack ? latency_ceiling : rtp::Duration{0};
  // A retry of a lost retransmission often lands just after the ceiling: waiting one more
  // ceiling for it costs one late picture, where giving up costs every picture until a
  // keyframe.
  b.salvage_wait = b.repair_wait;
  // The tracker asks until both waits are over (and not for nothing with --latency 0); it
  // also counts what is lost for good with NACK off, so it keeps the same deadline then.
  b.nack_deadline = 2 * std::max(latency_ceiling, rtp::Duration{std::chrono::milliseconds(1)});
  return b;
}

ReceiveStream::ReceiveStream(MediaKind kind, const StreamConfig& config, std::uint32_t clock_rate,
                             std::size_t capture_depth, rtp::Timestamp since)
    : config_(config),
      capture_(clock_rate, config.abs_capture_time_id, capture_depth),
      since_(since),
      kind_(kind),
      // The source gate validated the source already (RFC 3550 A.1 has one owner): the first
      // packet handed over starts the statistics.
      stats_(config.ssrc, clock_rate, /*min_sequential=*/1) {}

StreamActions ReceiveStream::OnPacket(const rtp::RtpView& packet, rtp::Timestamp arrival,
                                      PacketOrigin origin) {
  if (packet.payload_type != config_.payload_type) {
    ++figures_.wrong_payload_type;
    return {.dropped = true, .drop_reason = "wrong_payload_type"};
  }
  if (origin == PacketOrigin::kMedia) {
    // Repaired packets are counted in the repair figures, not as received (RFC 3550 A.3 counts
    // what the network delivered).
    const rtp::PacketVerdict v =
        stats_.OnPacket(packet.sequence_number, packet.timestamp, arrival, packet.payload.size());
    if (v == rtp::PacketVerdict::kBadJump || v == rtp::PacketVerdict::kProbation) {
      return {.dropped = true, .drop_reason = "bad_sequence_jump"};
    }
    ++figures_.packets;
    figures_.bytes += packet.payload.size();
  }
  capture_.OnPacket(packet);
  return Insert(packet, arrival, origin);
}

void ReceiveStream::OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp,
                                   rtp::Timestamp arrival) {
  capture_.OnSenderReport(ntp, rtp_timestamp);
  stats_.OnSenderReport(ntp, arrival);
}

}  // namespace confcast::receiver
