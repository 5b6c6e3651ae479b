// The SRTP state of one confcast process in a keyed group: an outbound and an inbound
// SrtpSession on the group key, and the DatagramFilters that put them on sockets, so every
// RTP and RTCP datagram is protected just before it leaves and unprotected just after it
// arrives (datagram_filter.h). Failures are counted by reason, never passed on.
//
// Late joiners (RFC 3711 3.3.1): an SRTP receiver must know the sender's rollover counter
// (ROC, how often its 16-bit sequence number wrapped). One that joins after the first wrap
// would guess 0 and fail every packet. The sender's SRTCP sender report says how many packets
// it sent (RFC 3550 6.4.1) and the sequence number started below 2^16, so the ROC is
// packet_count / 2^16 or one more. When an SSRC that never authenticated an RTP packet fails,
// and an authenticated SR of it is known, those candidates are tried on a copy of the packet.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "confcast/net/datagram_filter.h"
#include "confcast/net/srtp.h"

namespace confcast::net {

enum class PacketKind : std::uint8_t { kRtp, kRtcp };

inline constexpr std::size_t kSrtpErrorCodes = 8;  // SrtpErrorCode values

struct SrtpStats {
  std::uint64_t protected_rtp = 0, protected_rtcp = 0;
  std::uint64_t unprotected_rtp = 0, unprotected_rtcp = 0;
  std::uint64_t rollover_recovered = 0;  // late-join ROC found from an SR (see above)
  std::array<std::uint64_t, kSrtpErrorCodes> send_failures{};     // by SrtpErrorCode
  std::array<std::uint64_t, kSrtpErrorCodes> receive_failures{};  // by SrtpErrorCode
  std::uint64_t receive_failed() const;
};

class SrtpGroup : public std::enable_shared_from_this<SrtpGroup> {
 public:
  static std::expected<std::shared_ptr<SrtpGroup>, SrtpError> Create(const SrtpKey& key);

  // Attaches the filter for `kind` to `fd`: both directions, whichever the socket is used for.
  void Attach(int fd, PacketKind kind);
  // Bytes SRTP adds to an RTP packet (the tag), which a packetizer leaves room for.
  std::size_t rtp_overhead() const;
  SrtpSuite suite() const { return suite_; }
  SrtpStats Stats() const;

  // The filters' work, public for tests and benchmarks.
  std::optional<std::size_t> Protect(PacketKind kind, std::span<std::uint8_t> buffer,
                                     std::size_t length);
  std::optional<std::size_t> Unprotect(PacketKind kind, std::span<std::uint8_t> buffer,
                                       std::size_t length);

 private:
  SrtpGroup(SrtpSession out, SrtpSession in, SrtpSuite suite)
      : out_(std::move(out)), in_(std::move(in)), suite_(suite) {}
  std::optional<std::size_t> RecoverRollover(std::uint32_t ssrc, std::span<std::uint8_t> buffer,
                                             std::size_t length);
  void NoteSenderReport(std::span<const std::uint8_t> rtcp);

  SrtpSession out_, in_;
  SrtpSuite suite_;
  std::atomic<std::uint64_t> protected_rtp_{0}, protected_rtcp_{0};
  std::atomic<std::uint64_t> unprotected_rtp_{0}, unprotected_rtcp_{0}, rollover_recovered_{0};
  std::array<std::atomic<std::uint64_t>, kSrtpErrorCodes> send_failures_{};
  std::array<std::atomic<std::uint64_t>, kSrtpErrorCodes> receive_failures_{};
  std::mutex rollover_mutex_;
  std::map<std::uint32_t, std::uint32_t> sr_packet_count_;  // authenticated SRs, by SSRC
  std::set<std::uint32_t> rtp_authenticated_;               // SSRCs with a good RTP packet
};

}  // namespace confcast::net
