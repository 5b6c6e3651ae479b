// RTP packets (RFC 3550 5.1) with RFC 8285 header extensions.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           synchronization source (SSRC) identifier            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |            contributing source (CSRC) identifiers             |
//   |                             ....                              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  defined by profile (0xBEDE)  |           length              |  if X
//   |                     extension elements                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      payload  ...  | padding | padding count  |  if P
//
// RtpView borrows the datagram and is what the receive path works with; RtpPacket owns its
// bytes and is what a packet becomes when it must outlive the datagram (or for building one).
// ParseRtp checks everything a header claims against the datagram, including every extension
// element in the RFC 8285 one-byte (profile 0xBEDE) and two-byte (0x100X) forms, so that later
// accessors need no error paths.
#pragma once

#include <confcast/rtp/bytes.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>
#include <vector>

namespace confcast::rtp {

enum class RtpError {
  kTooShort,              // fewer than 12 bytes
  kBadVersion,            // V != 2
  kCsrcOverrun,           // CC claims more CSRCs than the datagram holds
  kExtensionOverrun,      // the extension block's length runs past the datagram
  kBadExtensionElement,   // an RFC 8285 element runs past its extension block
  kBadPadding,            // padding count is 0 or larger than what follows the header
};
std::string_view Describe(RtpError error) noexcept;

inline constexpr std::size_t kRtpHeaderSize = 12;
inline constexpr std::size_t kMaxCsrcs = 15;
inline constexpr std::uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr std::uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits: app bits

// One header extension element (RFC 8285). One-byte form: id 1..14, 1..16 bytes.
// Two-byte form: id 1..255, 0..255 bytes.
struct ExtensionView {
  std::uint8_t id = 0;
  Bytes data;
};

struct RtpView {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence_number = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  Bytes csrc_bytes;             // 4 bytes per CSRC
  bool has_extension = false;   // X bit
  std::uint16_t extension_profile = 0;
  Bytes extension_data;         // the extension block after its 4-byte header
  Bytes payload;                // without padding
  std::uint8_t padding_size = 0;  // including the count byte; 0 when P is clear
  std::size_t header_size = 0;    // fixed header + CSRCs + extension block

  std::size_t csrc_count() const noexcept { return csrc_bytes.size() / 4; }
  std::uint32_t csrc(std::size_t i) const noexcept { return ReadU32(csrc_bytes, 4 * i); }
  // True when the extension block uses the RFC 8285 one-byte or two-byte form.
  bool has_rfc8285_extensions() const noexcept;
  // The first element with this id, if the block is in an RFC 8285 form.
  std::optional<Bytes> FindExtension(std::uint8_t id) const noexcept;
  // Calls f(ExtensionView) for every element, in order.
  template <typename F>
  void ForEachExtension(F&& f) const;
};

std::expected<RtpView, RtpError> ParseRtp(Bytes datagram) noexcept;

// Cheap pre-check used to tell RTP from RTCP on a shared port (RFC 5761 4): payload types
// 64..95 (with the marker bit folded in, second byte 192..223) are RTCP.
bool LooksLikeRtcp(Bytes datagram) noexcept;

struct Extension {
  std::uint8_t id = 0;
  std::vector<std::uint8_t> data;
  friend bool operator==(const Extension&, const Extension&) = default;
};

// An extension block in a profile other than RFC 8285's, kept as raw bytes.
struct RawExtension {
  std::uint16_t profile = 0;
  std::vector<std::uint8_t> data;  // a multiple of 4 bytes
  friend bool operator==(const RawExtension&, const RawExtension&) = default;
};

struct RtpPacket {
  bool marker = false;
  std::uint8_t payload_type = 0;  // 7 bits
  std::uint16_t sequence_number = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::vector<std::uint32_t> csrcs;  // at most 15
  // RFC 8285 elements. Serialization picks the one-byte form when every element fits it and
  // the two-byte form otherwise; the choice is derived, never stored.
  std::vector<Extension> extensions;
  std::optional<RawExtension> raw_extension;  // used only when `extensions` is empty
  std::vector<std::uint8_t> payload;
  std::uint8_t padding_size = 0;  // 0, or 1..255 bytes including the count byte

  const Extension* FindExtension(std::uint8_t id) const noexcept;
  // Replaces the element with this id, or appends it.
  void SetExtension(std::uint8_t id, Bytes data);
  friend bool operator==(const RtpPacket&, const RtpPacket&) = default;
};

// Copies a view into an owning packet.
RtpPacket ToPacket(const RtpView& view);

// True when every element fits the one-byte form (id 1..14, 1..16 bytes).
bool FitsOneByteForm(const std::vector<Extension>& extensions) noexcept;

std::size_t SerializedSize(const RtpPacket& packet) noexcept;
// Writes the packet into `out`; returns the bytes written, or 0 when `out` is smaller than
// SerializedSize(packet) or the packet cannot be represented (more than 15 CSRCs, an element
// id or size outside both RFC 8285 forms).
std::size_t SerializeTo(const RtpPacket& packet, MutableBytes out) noexcept;
std::vector<std::uint8_t> Serialize(const RtpPacket& packet);

// --- implementation of the template --------------------------------------------------------

namespace detail {
// Walks validated RFC 8285 elements; returns false if the block is malformed.
template <typename F>
constexpr bool WalkExtensions(std::uint16_t profile, Bytes block, F&& f) {
  const bool one_byte = profile == kOneByteExtensionProfile;
  std::size_t at = 0;
  while (at < block.size()) {
    const std::uint8_t first = block[at];
    if (first == 0) {  // padding
      ++at;
      continue;
    }
    std::uint8_t id;
    std::size_t size;
    std::size_t header;
    if (one_byte) {
      id = first >> 4;
      if (id == 0) return false;  // RFC 8285 4.2: id 0 is only ever a zero padding byte
      if (id == 15) return true;  // RFC 8285 4.2: stop processing at id 15
      size = (first & 0x0F) + 1u;
      header = 1;
    } else {
      if (at + 1 >= block.size()) return false;
      id = first;
      size = block[at + 1];
      header = 2;
    }
    if (at + header + size > block.size()) return false;
    f(ExtensionView{id, block.subspan(at + header, size)});
    at += header + size;
  }
  return true;
}
}  // namespace detail

template <typename F>
void RtpView::ForEachExtension(F&& f) const {
  if (!has_rfc8285_extensions()) return;
  detail::WalkExtensions(extension_profile, extension_data, f);
}

}  // namespace confcast::rtp
