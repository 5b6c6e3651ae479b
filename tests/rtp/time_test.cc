#include <confcast/rtp/time.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace confcast::rtp {
namespace {

TEST(NtpTime, UnixEpochIsNtpOffset) {
  const NtpTime t = NtpFromUnixMicros(0);
  EXPECT_EQ(t.seconds(), kNtpUnixOffsetSeconds);
  EXPECT_EQ(t.fraction(), 0u);
}

TEST(NtpTime, RoundTripsMicroseconds) {
  for (std::int64_t us : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999'999},
                          std::int64_t{1'700'000'000'500'000}, std::int64_t{2'000'000'000'123'457}}) {
    EXPECT_EQ(UnixMicrosFromNtp(NtpFromUnixMicros(us)), us);
  }
}

TEST(NtpTime, HalfSecondIsHalfTheFraction) {
  EXPECT_EQ(NtpFromUnixMicros(500'000).fraction(), 0x80000000u);
}

TEST(NtpTime, CompactIsTheMiddleBits) {
  const NtpTime t{0x12345678'9abcdef0ull};
  EXPECT_EQ(t.Compact(), 0x56789abcu);
}

TEST(NtpTime, CompactDurations) {
  EXPECT_EQ(CompactNtpFromDuration(Duration{1'000'000}), 0x10000u);
  EXPECT_EQ(DurationFromCompactNtp(0x10000u), Duration{1'000'000});
  EXPECT_EQ(DurationFromCompactNtp(0x8000u), Duration{500'000});
  EXPECT_EQ(CompactNtpFromDuration(Duration{-5}), 0u);
  // 1/65536 s resolution: round trip within 16 us.
  const Duration d{123'456};
  EXPECT_LE(std::abs((DurationFromCompactNtp(CompactNtpFromDuration(d)) - d).count()), 16);
}

}  // namespace
}  // namespace confcast::rtp
