// Opus packet framing, RFC 6716 section 3: a TOC byte, then for code 0 one frame, code 1 two
// frames of equal size, code 2 two frames with the first one's length coded in 1-2 bytes,
// code 3 a frame count byte (VBR flag, padding flag, count), optional padding lengths, and for
// VBR the lengths of all frames but the last. Validation follows the requirements of 3.4.
#include "confcast/rtp/opus_payload.h"

namespace confcast::rtp {
namespace {

constexpr std::size_t kMaxFrameBytes = 1275;

// 48 kHz samples of 2.5, 5, 10, 20, 40 and 60 ms.
constexpr std::uint32_t k2_5ms = 120, k5ms = 240, k10ms = 480, k20ms = 960, k40ms = 1920,
                        k60ms = 2880;

// RFC 6716 3.2.1: a frame length is one byte below 252, else two bytes: b0 + 4 * b1.
// Returns false when the bytes run out.
bool ReadFrameLength(std::span<const std::uint8_t> p, std::size_t& at, std::size_t& length) {
  if (at >= p.size()) return false;
  if (p[at] < 252) {
    length = p[at++];
    return true;
  }
  if (at + 1 >= p.size()) return false;
  length = p[at] + 4u * p[at + 1];
  at += 2;
  return true;
}

}  // namespace

OpusToc ParseOpusToc(std::uint8_t toc) noexcept {
  OpusToc t;
  t.config = toc >> 3;
  t.stereo = (toc & 0x04) != 0;
  t.code = toc & 0x03;
  const std::uint8_t c = t.config;
  if (c < 12) {  // SILK-only: NB, MB, WB x 10, 20, 40, 60 ms
    t.mode = OpusMode::kSilk;
    t.bandwidth = static_cast<OpusBandwidth>(c / 4);
    constexpr std::uint32_t sizes[] = {k10ms, k20ms, k40ms, k60ms};
    t.frame_samples = sizes[c % 4];
  } else if (c < 16) {  // Hybrid: SWB, FB x 10, 20 ms
    t.mode = OpusMode::kHybrid;
    t.bandwidth = c < 14 ? OpusBandwidth::kSuperWideband : OpusBandwidth::kFullband;
    t.frame_samples = c % 2 == 0 ? k10ms : k20ms;
  } else {  // CELT-only: NB, WB, SWB, FB x 2.5, 5, 10, 20 ms (no mediumband)
    t.mode = OpusMode::kCelt;
    constexpr OpusBandwidth bands[] = {OpusBandwidth::kNarrowband, OpusBandwidth::kWideband,
                                       OpusBandwidth::kSuperWideband, OpusBandwidth::kFullband};
    t.bandwidth = bands[(c - 16) / 4];
    constexpr std::uint32_t sizes[] = {k2_5ms, k5ms, k10ms, k20ms};
    t.frame_samples = sizes[c % 4];
  }
  return t;
}

std::expected<OpusPacketInfo, OpusError> ParseOpusPayload(
    std::span<const std::uint8_t> p) noexcept {
  if (p.empty()) return std::unexpected(OpusError::kEmpty);
  OpusPacketInfo info;
  info.toc = ParseOpusToc(p[0]);
  std::size_t at = 1;
  switch (info.toc.code) {
    case 0:
      info.frame_count = 1;
      if (p.size() - 1 > kMaxFrameBytes) return std::unexpected(OpusError::kFrameTooLarge);
      break;
    case 1:
      info.frame_count = 2;
      if ((p.size() - 1) % 2 != 0) return std::unexpected(OpusError::kUnevenCbrLength);
      if ((p.size() - 1) / 2 > kMaxFrameBytes) return std::unexpected(OpusError::kFrameTooLarge);
      break;
    case 2: {
      info.frame_count = 2;
      std::size_t first = 0;
      if (!ReadFrameLength(p, at, first)) return std::unexpected(OpusError::kMissingLength);
      if (first > p.size() - at) return std::unexpected(OpusError::kFrameOverrun);
      if (first > kMaxFrameBytes || p.size() - at - first > kMaxFrameBytes) {
        return std::unexpected(OpusError::kFrameTooLarge);
      }
      break;
    }
    default: {
      if (p.size() < 2) return std::unexpected(OpusError::kMissingFrameCount);
      const bool vbr = (p[1] & 0x80) != 0;
      const bool padded = (p[1] & 0x40) != 0;
      info.frame_count = p[1] & 0x3f;
      at = 2;
      if (info.frame_count == 0) return std::unexpected(OpusError::kZeroFrames);
      if (info.frame_count * info.toc.frame_samples > kOpusMaxPacketSamples) {
        return std::unexpected(OpusError::kTooLong);
      }
      // Padding length: bytes of 255 mean 254 more and another length byte (3.2.5).
      std::size_t padding = 0;
      while (padded) {
        if (at >= p.size()) return std::unexpected(OpusError::kBadPadding);
        const std::uint8_t b = p[at++];
        padding += b == 255 ? 254 : b;
        if (b != 255) break;
      }
      if (padding > p.size() - at) return std::unexpected(OpusError::kBadPadding);
      const std::size_t end = p.size() - padding;
      if (vbr) {
        std::size_t total = 0;
        for (std::uint32_t i = 0; i + 1 < info.frame_count; ++i) {
          std::size_t length = 0;
          if (at >= end || !ReadFrameLength(p.first(end), at, length)) {
            return std::unexpected(OpusError::kMissingLength);
          }
          if (length > kMaxFrameBytes) return std::unexpected(OpusError::kFrameTooLarge);
          total += length;
        }
        if (total > end - at) return std::unexpected(OpusError::kFrameOverrun);
        if (end - at - total > kMaxFrameBytes) return std::unexpected(OpusError::kFrameTooLarge);
      } else {
        if ((end - at) % info.frame_count != 0) return std::unexpected(OpusError::kUnevenCbrLength);
        if ((end - at) / info.frame_count > kMaxFrameBytes) {
          return std::unexpected(OpusError::kFrameTooLarge);
        }
      }
      break;
    }
  }
  info.duration_samples = info.frame_count * info.toc.frame_samples;
  if (info.duration_samples > kOpusMaxPacketSamples) return std::unexpected(OpusError::kTooLong);
  return info;
}

}  // namespace confcast::rtp
