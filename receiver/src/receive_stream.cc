#include "receive_stream.h"

namespace confcast::receiver {

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
