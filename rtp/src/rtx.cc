// RTX build and restore (RFC 4588 4, 8.6). See rtx.h.
#include <confcast/rtp/rtx.h>

#include <algorithm>

namespace confcast::rtp {
namespace {

// Copies a header block and patches the fields RTX changes; clears the padding bit.
void WriteHeader(Bytes header, bool marker, std::uint8_t pt, std::uint16_t seq, std::uint32_t ssrc,
                 MutableBytes out) noexcept {
  std::copy(header.begin(), header.end(), out.begin());
  out[0] = static_cast<std::uint8_t>(out[0] & ~0x20);
  out[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | (pt & 0x7F));
  WriteU16(out, 2, seq);
  WriteU32(out, 8, ssrc);
}

Bytes HeaderOf(const RtpView& v, Bytes datagram_start) noexcept {
  return datagram_start.first(v.header_size);
}

}  // namespace

std::string_view Describe(RtxError error) noexcept {
  switch (error) {
    case RtxError::kBadRtp:
      return "not a valid RTP packet";
    case RtxError::kNoOsn:
      return "RTX payload shorter than the 2-byte original sequence number";
    case RtxError::kUnknownPayloadType:
      return "RTX payload type has no apt mapping";
  }
  return "unknown RTX error";
}

std::expected<RtxView, RtxError> ParseRtx(Bytes datagram) noexcept {
  auto rtp = ParseRtp(datagram);
  if (!rtp) return std::unexpected(RtxError::kBadRtp);
  if (rtp->payload.size() < kRtxOsnSize) return std::unexpected(RtxError::kNoOsn);
  RtxView v;
  v.rtp = *rtp;
  v.osn = ReadU16(rtp->payload, 0);
  v.original_payload = rtp->payload.subspan(kRtxOsnSize);
  v.header = HeaderOf(*rtp, datagram);
  return v;
}

std::size_t RtxSize(const RtpView& original) noexcept {
  return original.header_size + kRtxOsnSize + original.payload.size();
}

std::size_t WriteRtx(const RtpView& original, const RtxStreamParams& rtx,
                     MutableBytes out) noexcept {
  const std::size_t size = RtxSize(original);
  if (out.size() < size) return 0;
  // The view's header block is the bytes just before its payload in the same datagram.
  const Bytes header(original.payload.data() - original.header_size, original.header_size);
  WriteHeader(header, original.marker, rtx.payload_type, rtx.sequence_number, rtx.ssrc, out);
  WriteU16(out, original.header_size, original.sequence_number);
  std::copy(original.payload.begin(), original.payload.end(),
            out.begin() + static_cast<std::ptrdiff_t>(original.header_size + kRtxOsnSize));
  return size;
}

std::vector<std::uint8_t> BuildRtx(const RtpView& original, const RtxStreamParams& rtx) {
  std::vector<std::uint8_t> out(RtxSize(original));
  out.resize(WriteRtx(original, rtx, out));
  return out;
}

std::size_t RestoredSize(const RtxView& rtx) noexcept {
  return rtx.header.size() + rtx.original_payload.size();
}

std::expected<std::size_t, RtxError> RestoreOriginal(const RtxView& rtx, const RtxAptMap& apt,
                                                     std::uint32_t media_ssrc,
                                                     MutableBytes out) noexcept {
  const auto pt = apt.Find(rtx.rtp.payload_type);
  if (!pt) return std::unexpected(RtxError::kUnknownPayloadType);
  const std::size_t size = RestoredSize(rtx);
  if (out.size() < size) return 0;
  WriteHeader(rtx.header, rtx.rtp.marker, *pt, rtx.osn, media_ssrc, out);
  std::copy(rtx.original_payload.begin(), rtx.original_payload.end(),
            out.begin() + static_cast<std::ptrdiff_t>(rtx.header.size()));
  return size;
}

std::expected<std::vector<std::uint8_t>, RtxError> RestoreOriginal(const RtxView& rtx,
                                                                   const RtxAptMap& apt,
                                                                   std::uint32_t media_ssrc) {
  std::vector<std::uint8_t> out(RestoredSize(rtx));
  auto n = RestoreOriginal(rtx, apt, media_ssrc, out);
  if (!n) return std::unexpected(n.error());
  out.resize(*n);
  return out;
}

}  // namespace confcast::rtp
