// The RTCP report block (RFC 3550 6.4.1), shared by the RTCP codec (rtcp.h) and the receive
// statistics that produce it (receive_stats.h).
#pragma once

#include <cstdint>

namespace confcast::rtp {

struct ReportBlock {
  std::uint32_t ssrc = 0;                  // the source this block reports on
  std::uint8_t fraction_lost = 0;          // fixed point, lost/expected * 256 since last report
  std::int32_t cumulative_lost = 0;        // 24-bit signed on the wire
  std::uint32_t extended_highest_seq = 0;  // cycles << 16 | highest sequence number
  std::uint32_t jitter = 0;                // interarrival jitter, RTP timestamp units
  std::uint32_t last_sr = 0;               // LSR: middle 32 bits of the last SR's NTP time
  std::uint32_t delay_since_last_sr = 0;   // DLSR: units of 1/65536 s
  friend constexpr bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

inline constexpr std::int32_t kMaxCumulativeLost = 0x7FFFFF;
inline constexpr std::int32_t kMinCumulativeLost = -0x800000;

}  // namespace confcast::rtp
