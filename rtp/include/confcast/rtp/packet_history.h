// Sender-side history of recently sent RTP packets, for retransmission on NACK (RFC 4585 6.2.1,
// RFC 4588 3).
//
// A ring of `max_packets` slots indexed by sequence number modulo the ring size holds the
// serialized packets; a slot is valid only for the exact 16-bit sequence number stored in it and
// only while it is younger than `max_age`, so the history is bounded by count and by age. Each
// packet remembers when it was last retransmitted: in a multicast group every receiver that lost
// it may ask, but one retransmission to the group serves them all, so a request that comes less
// than one round-trip time after the previous retransmission is deduplicated (the earlier
// retransmission is still on its way to the asker).
#pragma once

#include <confcast/rtp/bytes.h>
#include <confcast/rtp/time.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace confcast::rtp {

struct PacketHistoryConfig {
  std::size_t max_packets = 1024;
  Duration max_age{1'000'000};
};

enum class ResendVerdict {
  kResend,        // send it now (the history marked it retransmitted at `now`)
  kDeduplicated,  // retransmitted less than one RTT ago
  kUnknown,       // never sent, evicted or too old
};

struct ResendDecision {
  ResendVerdict verdict = ResendVerdict::kUnknown;
  Bytes packet;  // kResend: the original packet, valid until the next Put
};

struct PacketHistoryStats {
  std::uint64_t stored = 0;
  std::uint64_t resends = 0;
  std::uint64_t deduplicated = 0;
  std::uint64_t unknown = 0;
};

class PacketHistory {
 public:
  explicit PacketHistory(PacketHistoryConfig config = {});

  // Remembers a sent packet (a serialized RTP packet with sequence number `seq`).
  void Put(std::uint16_t seq, Bytes packet, Timestamp sent_at);
  // A receiver asked for `seq`. `rtt` is the current round-trip estimate: a packet is resent at
  // most once per `rtt`.
  [[nodiscard]] ResendDecision OnNack(std::uint16_t seq, Timestamp now, Duration rtt);
  // Drops everything (new SSRC or sequence space).
  void Clear();

  std::size_t size() const noexcept;  // packets held and not yet too old at the last Put
  const PacketHistoryStats& stats() const noexcept { return stats_; }

 private:
  struct Slot {
    bool used = false;
    std::uint16_t seq = 0;
    Timestamp sent_at{0};
    std::optional<Timestamp> resent_at;
    std::vector<std::uint8_t> bytes;
  };
  PacketHistoryConfig config_;
  std::vector<Slot> ring_;
  Timestamp newest_{0};
  PacketHistoryStats stats_;
};

}  // namespace confcast::rtp
