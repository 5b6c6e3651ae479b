// Opus over RTP (RFC 7587): exactly one Opus packet per RTP payload, RTP clock always 48 kHz
// (RFC 7587 4.1) whatever rate the encoder runs at internally. The packet's duration, read from
// its TOC byte and frame count (RFC 6716 3.1, 3.2), is what the sender adds to the RTP timestamp
// and what a receiver uses to validate and schedule the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>

namespace confcast::rtp {

inline constexpr std::uint32_t kOpusRtpClockRate = 48000;
// RFC 6716 3.2.5: a packet carries at most 120 ms of audio.
inline constexpr std::uint32_t kOpusMaxPacketSamples = 120 * kOpusRtpClockRate / 1000;

enum class OpusMode : std::uint8_t { kSilk, kHybrid, kCelt };
enum class OpusBandwidth : std::uint8_t {
  kNarrowband,     // 4 kHz
  kMediumband,     // 6 kHz
  kWideband,       // 8 kHz
  kSuperWideband,  // 12 kHz
  kFullband        // 20 kHz
};

// The table-of-contents byte (RFC 6716 3.1): | config (5) | s | c (2) |
struct OpusToc {
  std::uint8_t config = 0;  // 0..31, RFC 6716 Table 2
  OpusMode mode = OpusMode::kSilk;
  OpusBandwidth bandwidth = OpusBandwidth::kNarrowband;
  std::uint32_t frame_samples = 0;  // one frame's duration in 48 kHz samples
  bool stereo = false;
  std::uint8_t code = 0;  // 0: 1 frame, 1: 2 equal frames, 2: 2 frames, 3: count byte follows
  friend constexpr bool operator==(const OpusToc&, const OpusToc&) = default;
};

OpusToc ParseOpusToc(std::uint8_t toc) noexcept;

enum class OpusError {
  kEmpty,              // zero-length payload (RFC 6716 R1)
  kUnevenCbrLength,    // code 1 or 3 CBR: frame bytes not divisible by the count (R3, R6)
  kMissingLength,      // code 2 or code 3 VBR without its frame length bytes (R4, R6)
  kFrameOverrun,       // a frame length beyond the payload (R4, R6, R7)
  kMissingFrameCount,  // code 3 without the frame count byte (R6)
  kZeroFrames,         // code 3 with a frame count of 0 (R5)
  kTooLong,            // more than 120 ms of audio (R5)
  kBadPadding,         // code 3 padding longer than the payload (R6, R7)
  kFrameTooLarge       // a frame longer than 1275 bytes (R2)
};

struct OpusPacketInfo {
  OpusToc toc;
  std::uint32_t frame_count = 0;
  std::uint32_t duration_samples = 0;  // 48 kHz samples: the RTP timestamp step
  friend constexpr bool operator==(const OpusPacketInfo&, const OpusPacketInfo&) = default;
};

// Validates one RTP payload as an Opus packet (RFC 6716 3.4 requirements R1-R7) and returns
// its TOC, frame count and duration.
std::expected<OpusPacketInfo, OpusError> ParseOpusPayload(
    std::span<const std::uint8_t> payload) noexcept;

}  // namespace confcast::rtp
