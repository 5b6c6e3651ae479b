// RTP retransmission payload format (RFC 4588), SSRC-multiplexed (RFC 4588 5, as WebRTC does:
// the retransmission stream has its own SSRC and sequence space on the media port).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         RTP Header                            |   RTX SSRC, RTX seq,
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   RTX PT; timestamp,
//   |            OSN                |                               |   marker, CSRCs and
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |   extensions of the
//   |                  Original RTP Packet Payload                  |   original (RFC 4588 4)
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Building copies the original header block (fixed header, CSRCs, extension block) byte for byte
// and patches PT, sequence number and SSRC, so extensions survive unchanged; the original's
// padding is not carried (RFC 4588 4: padding is not part of the original payload). Restoring
// does the reverse: PT from the apt map (RFC 4588 8.6 "apt"), SSRC of the media stream the caller
// associated (ssrc-group FID or same CNAME), sequence number = OSN.
#pragma once

#include <confcast/rtp/bytes.h>
#include <confcast/rtp/packet.h>

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>
#include <vector>

namespace confcast::rtp {

enum class RtxError {
  kBadRtp,              // not a valid RTP packet (see RtpError)
  kNoOsn,               // payload shorter than the 2-byte original sequence number
  kUnknownPayloadType,  // the RTX payload type has no apt mapping
};
std::string_view Describe(RtxError error) noexcept;

inline constexpr std::size_t kRtxOsnSize = 2;

// RTX payload type -> original payload type (a=fmtp:<rtx> apt=<original>).
class RtxAptMap {
 public:
  void Set(std::uint8_t rtx_pt, std::uint8_t original_pt) noexcept {
    apt_[rtx_pt & 0x7F] = static_cast<std::int16_t>(original_pt & 0x7F);
  }
  std::optional<std::uint8_t> Find(std::uint8_t rtx_pt) const noexcept {
    const std::int16_t v = apt_[rtx_pt & 0x7F];
    if (v < 0) return std::nullopt;
    return static_cast<std::uint8_t>(v);
  }

 private:
  std::array<std::int16_t, 128> apt_ = [] {
    std::array<std::int16_t, 128> a{};
    a.fill(-1);
    return a;
  }();
};

// An RTX packet: the RTP view of the retransmission and the original sequence number.
struct RtxView {
  RtpView rtp;             // the RTX packet itself (its SSRC, sequence number, PT)
  std::uint16_t osn = 0;   // original sequence number
  Bytes original_payload;  // the payload after the OSN
  Bytes header;            // the RTX packet's header block (fixed header, CSRCs, extension)
};

// Parses an RTX packet (any payload type; the caller decided it is RTX).
std::expected<RtxView, RtxError> ParseRtx(Bytes datagram) noexcept;

struct RtxStreamParams {
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence_number = 0;
};

// Size of the RTX packet built from `original`.
std::size_t RtxSize(const RtpView& original) noexcept;
// Writes the RTX packet of `original`; returns the bytes written, 0 when `out` is too small.
std::size_t WriteRtx(const RtpView& original, const RtxStreamParams& rtx,
                     MutableBytes out) noexcept;
std::vector<std::uint8_t> BuildRtx(const RtpView& original, const RtxStreamParams& rtx);

// Size of the original packet that `rtx` restores to.
std::size_t RestoredSize(const RtxView& rtx) noexcept;
// Writes the original packet back: PT = apt(rtx PT), SSRC = media_ssrc, seq = OSN. Returns the
// bytes written; kUnknownPayloadType when the map has no entry. 0 bytes when `out` is too small.
std::expected<std::size_t, RtxError> RestoreOriginal(const RtxView& rtx, const RtxAptMap& apt,
                                                     std::uint32_t media_ssrc,
                                                     MutableBytes out) noexcept;
std::expected<std::vector<std::uint8_t>, RtxError> RestoreOriginal(const RtxView& rtx,
                                                                   const RtxAptMap& apt,
                                                                   std::uint32_t media_ssrc);

}  // namespace confcast::rtp
