// Sender side of NACK/RTX repair for the multicast video stream (RFC 4585 6.2.1, RFC 4588).
//
// One thread owns it (the event loop): the video thread's packets reach Remember() through a
// SentPacketRing (send_chain.h), so no lock is taken per packet. The event loop hands every
// generic NACK about our video SSRC, from any receiver in the group, to OnNack(), which returns
// the RTX packets to send to the group (own SSRC, own sequence numbers, PT 97, OSN first).
// rtp::RepairLimiter decides which requested packets to resend (rtp/repair_limiter.h): one
// retransmission reaches every receiver, so a packet is resent at most once per hold-off
// (max(5 ms, RTT)) however many receivers ask; the retransmitted bytes stay within a budget
// (`--rtx-budget`, 25% of the media bytes, 200 ms deep), and each source of feedback within a
// NACK rate and a plausible share of the packets, so a hostile host on the LAN cannot turn
// NACKs into a flood. The RTT is the smallest one the receivers' reports give (RFC 3550 6.4.1
// LSR/DLSR). PacketHistory holds the bytes.
#pragma once

#include <confcast/rtp/rtp_session.h>

#include <confcast/net/endpoint.h>
#include <confcast/rtp/packet_history.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/repair_limiter.h>
#include <confcast/rtp/rtx.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

namespace confcast::sender {

struct RtxSenderConfig {
  std::uint32_t media_ssrc = 0;
  std::uint32_t rtx_ssrc = 0;
  std::uint8_t rtx_payload_type = 97;
  std::uint16_t first_sequence_number = 0;
  rtp::PacketHistoryConfig history;
  rtp::Duration default_rtt{2'000};  // until a receiver report gives one
  rtp::Duration min_rtt{1'000};
  rtp::Duration max_rtt{100'000};
  // Limits (media_ssrc and the history's size and age are taken from above).
  rtp::RepairLimiterConfig limits;
};

struct RtxSenderStats {
  std::uint64_t nacked = 0;  // sequence numbers requested about our SSRC
  std::uint64_t retransmissions_sent = 0;
  std::uint64_t retransmissions_deduplicated = 0;
  std::uint64_t not_in_history = 0;
  rtp::RepairLimiterCounters limiter;  // every decision, refusals by reason
};

class RtxSender {
 public:
  explicit RtxSender(RtxSenderConfig config);

  // A media packet (serialized RTP) went out at `now`.
  void Remember(rtp::Bytes packet, rtp::Timestamp now);
  // Event loop: a NACK arrived from `source` (its transport address; none: the NACK's sender
  // SSRC stands in). Returns the RTX packets to send now (empty when the NACK is not about our
  // media SSRC, or the limits refuse it).
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> OnNack(
      const rtp::Nack& nack, rtp::Timestamp now,
      std::optional<rtp::FeedbackSource> source = std::nullopt);
  // The loss a receiver reports about our video (0..1): how much it may plausibly ask for.
  void OnLossReport(const rtp::FeedbackSource& source, double fraction_lost, rtp::Timestamp now);
  // The smallest receiver RTT known (none: the default).
  void SetRtt(std::optional<rtp::Duration> rtt);
  // Our video SSRC changed (RFC 3550 8.2 collision): NACKs about the new one are ours.
  void SetMediaSsrc(std::uint32_t ssrc);

  std::uint32_t ssrc() const noexcept { return config_.rtx_ssrc; }
  std::uint8_t payload_type() const noexcept { return config_.rtx_payload_type; }
  RtxSenderStats stats() const;

 private:
  RtxSenderConfig config_;
  rtp::PacketHistory history_;
  rtp::RepairLimiter limiter_;
  std::uint16_t next_seq_;
  rtp::Duration rtt_;
  RtxSenderStats stats_;
};

// The transport address a datagram came from, as the limiter keys it.
rtp::FeedbackSource FeedbackSourceOf(const net::IpAddress& address, std::uint16_t port);
// The same for the address the RTP session saw a packet come from.
rtp::FeedbackSource FeedbackSourceOf(const rtp::TransportAddress& from);

}  // namespace confcast::sender
