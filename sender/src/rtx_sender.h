// Sender side of NACK/RTX repair for the multicast video stream (RFC 4585 6.2.1, RFC 4588).
//
// The video thread hands every packet it sends to Remember(); the event loop hands every
// generic NACK about our video SSRC, from any receiver in the group, to OnNack(), which returns
// the RTX packets to send to the group (own SSRC, own sequence numbers, PT 97, OSN first). One
// retransmission reaches every receiver, so a packet is resent at most once per round-trip time
// however many receivers ask (PacketHistory); later requests within that time are counted as
// deduplicated. The RTT is the smallest one the receivers' reports give (RFC 3550 6.4.1 LSR/DLSR):
// a request that arrives sooner than any receiver could have seen the retransmission is surely
// redundant, while a longer window could swallow a real retry from a nearby receiver.
#pragma once

#include <confcast/rtp/packet_history.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/rtx.h>

#include <atomic>
#include <cstdint>
#include <mutex>
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
};

struct RtxSenderStats {
  std::uint64_t nacked = 0;  // sequence numbers requested about our SSRC
  std::uint64_t retransmissions_sent = 0;
  std::uint64_t retransmissions_deduplicated = 0;
  std::uint64_t not_in_history = 0;
};

class RtxSender {
 public:
  explicit RtxSender(RtxSenderConfig config);

  // Video thread: a media packet (serialized RTP) went out at `now`.
  void Remember(rtp::Bytes packet, rtp::Timestamp now);
  // Event loop: a NACK arrived. Returns the RTX packets to send now (empty when the NACK is not
  // about our media SSRC).
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> OnNack(const rtp::Nack& nack,
                                                              rtp::Timestamp now);
  // The smallest receiver RTT known (none: the default).
  void SetRtt(std::optional<rtp::Duration> rtt);

  std::uint32_t ssrc() const noexcept { return config_.rtx_ssrc; }
  std::uint8_t payload_type() const noexcept { return config_.rtx_payload_type; }
  RtxSenderStats stats() const;

 private:
  RtxSenderConfig config_;
  mutable std::mutex mutex_;
  rtp::PacketHistory history_;
  std::uint16_t next_seq_;
  rtp::Duration rtt_;
  RtxSenderStats stats_;
};

}  // namespace confcast::sender
