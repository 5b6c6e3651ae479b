#include "keyframe_policy.h"

#include <gtest/gtest.h>

namespace confcast::receiver {
namespace {

using rtp::Timestamp;
constexpr std::uint32_t kSsrc = 0x1234;
Timestamp Ms(std::int64_t ms) { return Timestamp{ms * 1000}; }

TEST(KeyframePolicy, FirstRequestGoesOutAtOnce) {
  KeyframePolicy p;
  EXPECT_TRUE(p.Request(kSsrc, Ms(1000)));
  EXPECT_EQ(p.sent(), 1u);
}

TEST(KeyframePolicy, AtMostOnePerIntervalWhileAnswered) {
  KeyframePolicy p;
  ASSERT_TRUE(p.Request(kSsrc, Ms(0)));
  EXPECT_FALSE(p.Request(kSsrc, Ms(100)));
  EXPECT_EQ(p.suppressed(), 1u);
  p.OnPacket(kSsrc, /*keyframe_start=*/true);  // the source answered
  EXPECT_TRUE(p.Request(kSsrc, Ms(200)));
  p.OnPacket(kSsrc, true);
  EXPECT_FALSE(p.Request(kSsrc, Ms(399)));
  EXPECT_TRUE(p.Request(kSsrc, Ms(400)));
}

TEST(KeyframePolicy, UnansweredSourceIsAskedAtDoublingIntervalsUpTo32x) {
  KeyframePolicy p;
  std::int64_t t = 0;
  ASSERT_TRUE(p.Request(kSsrc, Ms(t)));
  std::int64_t expected_gap = 200;
  for (int i = 0; i < 8; ++i) {
    p.OnPacket(kSsrc, false);  // it keeps sending, never a keyframe
    // Ask every millisecond: the next request goes out exactly one gap later.
    std::int64_t sent_at = -1;
    for (std::int64_t u = t + 1; u <= t + 7000; ++u) {
      if (p.Request(kSsrc, Ms(u))) {
        sent_at = u;
        break;
      }
    }
    ASSERT_GT(sent_at, 0) << "round " << i;
    EXPECT_EQ(sent_at - t, expected_gap) << "round " << i;
    t = sent_at;
    // Each gap is computed from the requests left unanswered before it.
    expected_gap = std::min<std::int64_t>(expected_gap * 2, 6400);
  }
}

TEST(KeyframePolicy, SilenceIsNotUnanswered) {
  KeyframePolicy p;
  ASSERT_TRUE(p.Request(kSsrc, Ms(0)));
  // No packet at all since (an outage): the back-off does not grow.
  EXPECT_TRUE(p.Request(kSsrc, Ms(200)));
  EXPECT_TRUE(p.Request(kSsrc, Ms(400)));
}

TEST(KeyframePolicy, SourcesAreIndependentAndForgotten) {
  KeyframePolicy p;
  ASSERT_TRUE(p.Request(1, Ms(0)));
  EXPECT_TRUE(p.Request(2, Ms(1)));
  EXPECT_FALSE(p.Request(1, Ms(2)));
  p.Forget(1);
  EXPECT_TRUE(p.Request(1, Ms(3)));
}

TEST(KeyframePolicy, SmallGroupsAskAtOnce) {
  KeyframePolicy p;
  p.SetGroup(8, rtp::Duration{10'000});
  EXPECT_TRUE(p.Request(kSsrc, Ms(0), 1.0));
  EXPECT_TRUE(p.Due(Ms(100)).empty());
}

TEST(KeyframePolicy, LargeGroupsHoldTheRequestForItsBackoff) {
  KeyframePolicy p;
  p.SetGroup(1000, rtp::Duration{2'000});
  const rtp::Duration backoff = rtp::DrawBackoff(1000, rtp::Duration{2'000}, 0.5);
  EXPECT_FALSE(p.Request(kSsrc, Ms(0), 0.5));
  EXPECT_EQ(p.sent(), 0u);
  EXPECT_FALSE(p.Request(kSsrc, Ms(1), 0.5));  // already held
  EXPECT_EQ(p.NextDue(), Ms(0) + backoff);
  EXPECT_TRUE(p.Due(Ms(0) + backoff - rtp::Duration{1}).empty());
  EXPECT_EQ(p.Due(Ms(0) + backoff), std::vector<std::uint32_t>{kSsrc});
  EXPECT_TRUE(p.Due(Ms(100)).empty());  // once
  EXPECT_EQ(p.sent(), 1u);
}

TEST(KeyframePolicy, AHeardRequestOrAKeyframeCancelsTheHeldOne) {
  KeyframePolicy p;
  p.SetGroup(1000, rtp::Duration{2'000});
  EXPECT_FALSE(p.Request(kSsrc, Ms(0), 0.9));
  p.OnRequestHeard(kSsrc);  // another receiver asked for the same source
  EXPECT_TRUE(p.Due(Ms(100)).empty());
  EXPECT_FALSE(p.Request(kSsrc, Ms(300), 0.9));
  p.OnPacket(kSsrc, /*keyframe_start=*/true);  // the IDR came first
  EXPECT_TRUE(p.Due(Ms(400)).empty());
  EXPECT_EQ(p.cancelled(), 2u);
  EXPECT_EQ(p.sent(), 0u);
}

}  // namespace
}  // namespace confcast::receiver
