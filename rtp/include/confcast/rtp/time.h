// Time as plain values. rtp/ never reads a clock: callers pass time in, so every state
// machine can be driven by a fake clock in tests.
#pragma once

#include <chrono>
#include <cstdint>

namespace confcast::rtp {

// A point in time, in microseconds since an epoch the caller chooses (a monotonic clock for
// receive-side state machines). Durations use the same unit.
using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::microseconds;
inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;

// A duration in seconds, for arithmetic and messages.
constexpr double ToSeconds(Duration d) noexcept {
  return static_cast<double>(d.count()) / static_cast<double>(kMicrosPerSecond);
}

// 64-bit NTP time (RFC 3550 4, RFC 5905): seconds since 1900 in the high word, fraction in the
// low word.
struct NtpTime {
  std::uint64_t value = 0;

  constexpr std::uint32_t seconds() const noexcept { return static_cast<std::uint32_t>(value >> 32); }
  constexpr std::uint32_t fraction() const noexcept { return static_cast<std::uint32_t>(value); }
  // The middle 32 bits, as carried in LSR and DLSR (RFC 3550 6.4.1), units of 1/65536 s.
  constexpr std::uint32_t Compact() const noexcept { return static_cast<std::uint32_t>(value >> 16); }
  friend constexpr bool operator==(NtpTime, NtpTime) = default;
  friend constexpr auto operator<=>(NtpTime, NtpTime) = default;
};

// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch).
inline constexpr std::uint64_t kNtpUnixOffsetSeconds = 2208988800ull;

// Converts microseconds since the Unix epoch to NTP time.
constexpr NtpTime NtpFromUnixMicros(std::int64_t unix_us) noexcept {
  const auto us = static_cast<std::uint64_t>(unix_us);
  const std::uint64_t secs = us / 1'000'000 + kNtpUnixOffsetSeconds;
  const std::uint64_t frac = ((us % 1'000'000) << 32) / 1'000'000;
  return NtpTime{secs << 32 | frac};
}
// Converts NTP time to microseconds since the Unix epoch (rounded to nearest).
constexpr std::int64_t UnixMicrosFromNtp(NtpTime t) noexcept {
  const std::int64_t secs = static_cast<std::int64_t>(t.seconds()) -
                            static_cast<std::int64_t>(kNtpUnixOffsetSeconds);
  const std::int64_t frac_us =
      static_cast<std::int64_t>((std::uint64_t{t.fraction()} * 1'000'000 + (1ull << 31)) >> 32);
  return secs * 1'000'000 + frac_us;
}
// Compact NTP (16.16 seconds) to a duration, and back.
constexpr Duration DurationFromCompactNtp(std::uint32_t compact) noexcept {
  return Duration{static_cast<std::int64_t>((std::uint64_t{compact} * 1'000'000 + 0x8000) >> 16)};
}
constexpr std::uint32_t CompactNtpFromDuration(Duration d) noexcept {
  if (d.count() <= 0) return 0;
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(d.count()) << 16) / 1'000'000);
}

}  // namespace confcast::rtp
