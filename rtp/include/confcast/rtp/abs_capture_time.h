// The abs-capture-time RTP header extension
// (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time).
//
//   data (8 bytes):  absolute capture timestamp, 64-bit NTP (Q32.32 since 1900)
//   data (16 bytes): the same, then the estimated capture clock offset, signed Q32.32 seconds
//
// The sender puts it on the first packet of each frame, so every receiver can compute true
// end-to-end latency from the capture clock (the sender's wall clock, NTP-synchronized on a LAN).
#pragma once

#include <confcast/rtp/bytes.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

namespace confcast::rtp {

inline constexpr std::string_view kAbsCaptureTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

struct AbsCaptureTime {
  NtpTime capture_time;
  std::optional<std::int64_t> estimated_capture_clock_offset;  // Q32.32 seconds
  friend constexpr bool operator==(const AbsCaptureTime&, const AbsCaptureTime&) = default;
};

enum class AbsCaptureTimeError { kBadSize };

constexpr std::size_t SerializedSize(const AbsCaptureTime& t) noexcept {
  return t.estimated_capture_clock_offset ? 16 : 8;
}

constexpr std::size_t SerializeTo(const AbsCaptureTime& t, MutableBytes out) noexcept {
  const std::size_t size = SerializedSize(t);
  if (out.size() < size) return 0;
  WriteU64(out, 0, t.capture_time.value);
  if (t.estimated_capture_clock_offset) {
    WriteU64(out, 8, static_cast<std::uint64_t>(*t.estimated_capture_clock_offset));
  }
  return size;
}

constexpr std::expected<AbsCaptureTime, AbsCaptureTimeError> ParseAbsCaptureTime(
    Bytes data) noexcept {
  if (data.size() != 8 && data.size() != 16) {
    return std::unexpected(AbsCaptureTimeError::kBadSize);
  }
  AbsCaptureTime t{NtpTime{ReadU64(data, 0)}, std::nullopt};
  if (data.size() == 16) t.estimated_capture_clock_offset = static_cast<std::int64_t>(ReadU64(data, 8));
  return t;
}

}  // namespace confcast::rtp
