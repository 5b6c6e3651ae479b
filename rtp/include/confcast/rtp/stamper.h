// The sender's per-stream RTP state: SSRC, payload type, sequence numbers and the mapping from
// capture time to RTP timestamps. Packetizers cut payloads; the stamper turns each payload
// into a datagram. Random initial values (RFC 3550 5.1) are drawn by the caller, since rtp/
// has no source of randomness.
#pragma once

#include <confcast/rtp/bytes.h>
#include <confcast/rtp/packet.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <span>

namespace confcast::rtp {

// Maps capture time (microseconds since the Unix epoch, the sender's wall clock) to RTP
// timestamps: rtp = offset + capture * clock_rate. Sender reports use the same mapping, so a
// receiver's NTP/RTP pair from an SR recovers every frame's capture time.
class RtpClock {
 public:
  constexpr RtpClock(std::uint32_t clock_rate, std::uint32_t random_offset) noexcept
      : clock_rate_(clock_rate), offset_(random_offset) {}

  constexpr std::uint32_t ToRtp(std::int64_t unix_us) const noexcept {
    // Whole seconds and the remainder apart, so the product never overflows 64 bits.
    const std::int64_t secs = unix_us / 1'000'000;
    const std::int64_t rest = unix_us % 1'000'000;
    const std::int64_t ticks = secs * clock_rate_ + rest * clock_rate_ / 1'000'000;
    return offset_ + static_cast<std::uint32_t>(static_cast<std::uint64_t>(ticks));
  }
  constexpr std::uint32_t clock_rate() const noexcept { return clock_rate_; }

 private:
  std::uint32_t clock_rate_;
  std::uint32_t offset_;
};

class RtpStamper {
 public:
  constexpr RtpStamper(std::uint32_t ssrc, std::uint8_t payload_type,
                       std::uint16_t first_sequence) noexcept
      : ssrc_(ssrc), payload_type_(payload_type), next_sequence_(first_sequence) {}

  // Header size for a packet carrying these one-byte-form extensions.
  static std::size_t HeaderSize(std::span<const ExtensionView> extensions) noexcept;

  // Writes one RTP packet (header, one-byte-form extensions, payload) into `out` and advances
  // the sequence number. Returns the size, or 0 if `out` is too small or an extension does
  // not fit the one-byte form (id 1..14, 1..16 bytes); nothing advances then.
  std::size_t Write(Bytes payload, bool marker, std::uint32_t rtp_timestamp,
                    std::span<const ExtensionView> extensions, MutableBytes out) noexcept;

  std::uint32_t ssrc() const noexcept { return ssrc_; }
  void set_ssrc(std::uint32_t ssrc) noexcept { ssrc_ = ssrc; }  // after an SSRC collision
  std::uint8_t payload_type() const noexcept { return payload_type_; }
  std::uint16_t next_sequence() const noexcept { return next_sequence_; }
  // For sender reports (RFC 3550 6.4.1): packets and payload octets sent.
  std::uint32_t packets_sent() const noexcept { return packets_sent_; }
  std::uint32_t octets_sent() const noexcept { return octets_sent_; }
  std::uint32_t last_rtp_timestamp() const noexcept { return last_rtp_timestamp_; }

 private:
  std::uint32_t ssrc_;
  std::uint8_t payload_type_;
  std::uint16_t next_sequence_;
  std::uint32_t packets_sent_ = 0;
  std::uint32_t octets_sent_ = 0;
  std::uint32_t last_rtp_timestamp_ = 0;
};

}  // namespace confcast::rtp
