// The two-host test's datagram (confcast-doctor --peer ADDR here, --listen on ADDR):
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        magic "CCDR"                           |
//  +---------------+-----------------------------------------------+
//  |     type      |                   zero                        |
//  +---------------+-----------------------------------------------+
//  |                            nonce                              |
//  +---------------------------------------------------------------+
//  |                   sequence (probe) / received (report)        |
//  +---------------------------------------------------------------+
//  |                            total                              |
//  +---------------------------------------------------------------+
//
// The asker sends `total` kProbe datagrams to the group; the listener, once it has heard them
// (or 300 ms passed without another), sends one kReport (how many it received) by unicast to the
// asker's address and port, then `total` kEcho datagrams to the group with the same nonce.
// The asker so learns both directions: what the peer heard, and what it hears from the peer.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <vector>

#include "confcast/rtp/bytes.h"

namespace confcast::net::doctor {

inline constexpr std::uint32_t kPeerMagic = 0x43434452;  // "CCDR"
inline constexpr std::size_t kPeerMessageSize = 20;

enum class PeerType : std::uint8_t { kProbe = 1, kReport = 2, kEcho = 3 };

struct PeerMessage {
  PeerType type = PeerType::kProbe;
  std::uint32_t nonce = 0;
  std::uint32_t value = 0;  // sequence number (kProbe, kEcho) or datagrams received (kReport)
  std::uint32_t total = 0;
  bool operator==(const PeerMessage&) const = default;
};

enum class PeerParseError : std::uint8_t { kTooShort, kBadMagic, kBadType, kBadReserved };

inline std::size_t SerializedSize(const PeerMessage&) {
  return kPeerMessageSize;
}

inline std::size_t SerializeTo(const PeerMessage& m, std::span<std::uint8_t> out) {
  if (out.size() < kPeerMessageSize) return 0;
  rtp::WriteU32(out, 0, kPeerMagic);
  rtp::WriteU32(out, 4, std::uint32_t{static_cast<std::uint8_t>(m.type)} << 24);
  rtp::WriteU32(out, 8, m.nonce);
  rtp::WriteU32(out, 12, m.value);
  rtp::WriteU32(out, 16, m.total);
  return kPeerMessageSize;
}

inline std::vector<std::uint8_t> Serialize(const PeerMessage& m) {
  std::vector<std::uint8_t> out(kPeerMessageSize);
  SerializeTo(m, out);
  return out;
}

inline std::expected<PeerMessage, PeerParseError> ParsePeerMessage(
    std::span<const std::uint8_t> d) {
  if (d.size() < kPeerMessageSize) return std::unexpected(PeerParseError::kTooShort);
  if (rtp::ReadU32(d, 0) != kPeerMagic) return std::unexpected(PeerParseError::kBadMagic);
  const std::uint8_t type = d[4];
  if (type < 1 || type > 3) return std::unexpected(PeerParseError::kBadType);
  if (rtp::ReadU24(d, 5) != 0) return std::unexpected(PeerParseError::kBadReserved);
  return PeerMessage{static_cast<PeerType>(type), rtp::ReadU32(d, 8), rtp::ReadU32(d, 12),
                     rtp::ReadU32(d, 16)};
}

}  // namespace confcast::net::doctor
