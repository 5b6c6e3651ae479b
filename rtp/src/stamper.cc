#include <confcast/rtp/stamper.h>

#include <cstring>

namespace confcast::rtp {

std::size_t RtpStamper::HeaderSize(std::span<const ExtensionView> extensions) noexcept {
  if (extensions.empty()) return kRtpHeaderSize;
  std::size_t block = 0;
  for (const ExtensionView& e : extensions) block += 1 + e.data.size();
  return kRtpHeaderSize + 4 + ((block + 3) & ~std::size_t{3});
}

std::size_t RtpStamper::Write(Bytes payload, bool marker, std::uint32_t rtp_timestamp,
                              std::span<const ExtensionView> extensions,
                              MutableBytes out) noexcept {
  for (const ExtensionView& e : extensions) {
    if (e.id < 1 || e.id > 14 || e.data.empty() || e.data.size() > 16) return 0;
  }
  const std::size_t header = HeaderSize(extensions);
  const std::size_t size = header + payload.size();
  if (out.size() < size) return 0;

  out[0] = static_cast<std::uint8_t>(0x80 | (extensions.empty() ? 0 : 0x10));
  out[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | (payload_type_ & 0x7F));
  WriteU16(out, 2, next_sequence_);
  WriteU32(out, 4, rtp_timestamp);
  WriteU32(out, 8, ssrc_);
  if (!extensions.empty()) {
    WriteU16(out, 12, kOneByteExtensionProfile);
    WriteU16(out, 14, static_cast<std::uint16_t>((header - kRtpHeaderSize - 4) / 4));
    std::size_t at = 16;
    for (const ExtensionView& e : extensions) {
      out[at++] = static_cast<std::uint8_t>(e.id << 4 | (e.data.size() - 1));
      std::memcpy(&out[at], e.data.data(), e.data.size());
      at += e.data.size();
    }
    std::memset(&out[at], 0, header - at);
  }
  if (!payload.empty()) std::memcpy(&out[header], payload.data(), payload.size());

  ++next_sequence_;
  ++packets_sent_;
  octets_sent_ += static_cast<std::uint32_t>(payload.size());
  last_rtp_timestamp_ = rtp_timestamp;
  return size;
}

}  // namespace confcast::rtp
