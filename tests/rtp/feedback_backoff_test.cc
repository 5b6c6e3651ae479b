// Large-group feedback: the back-off distribution (bounds, shape, small-group immediacy), the
// RFC 4585 early rule, a held request, and the NACK tracker's use of them (cancellation by a
// heard request or by the repair, retries that back off again). Time is fake (microseconds).
#include <confcast/rtp/feedback_backoff.h>
#include <confcast/rtp/nack_tracker.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace confcast::rtp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(FeedbackBackoff, SmallGroupsStayWithinThreeMilliseconds) {
  for (int n : {1, 2, 3, 8}) {
    EXPECT_EQ(MaxBackoff(n, milliseconds(10)), milliseconds(3)) << n;
    EXPECT_EQ(DrawBackoff(n, milliseconds(10), 0.0), Duration{0});
    EXPECT_EQ(DrawBackoff(n, milliseconds(10), 1.0), milliseconds(3));
    EXPECT_EQ(DrawBackoff(n, milliseconds(10), 0.5), microseconds(1'500));
  }
  EXPECT_FALSE(IsLargeGroup(8));
  EXPECT_TRUE(IsLargeGroup(9));
}

TEST(FeedbackBackoff, MaximumIsSixRttsCappedAtAThirdOfTheBudget) {
  EXPECT_EQ(MaxBackoff(100, milliseconds(1)), milliseconds(6));
  EXPECT_EQ(MaxBackoff(100, milliseconds(2)), milliseconds(12));
  EXPECT_EQ(MaxBackoff(100, milliseconds(10)), microseconds(13'333));  // 40 ms / 3
  EXPECT_EQ(MaxBackoff(100, microseconds(100)), milliseconds(3));      // the floor
  FeedbackBackoffConfig wide;
  wide.latency_budget = milliseconds(300);
  EXPECT_EQ(MaxBackoff(100, milliseconds(10), wide), milliseconds(60));
}

TEST(FeedbackBackoff, DrawsStayInBoundsAndAreMonotonic) {
  for (int n : {9, 100, 10'000, 1'000'000}) {
    const Duration t_max = MaxBackoff(n, milliseconds(2));
    Duration last{-1};
    for (int i = 0; i <= 1000; ++i) {
      const Duration d = DrawBackoff(n, milliseconds(2), i / 1000.0);
      EXPECT_GE(d, Duration{0});
      EXPECT_LE(d, t_max);
      EXPECT_GE(d, last);  // the inverse CDF grows with u
      last = d;
    }
    EXPECT_EQ(DrawBackoff(n, milliseconds(2), 0.0), Duration{0});
    EXPECT_EQ(DrawBackoff(n, milliseconds(2), 1.0), t_max);
    // Out-of-range draws are clamped, NaN counts as 0.
    EXPECT_EQ(DrawBackoff(n, milliseconds(2), -3.0), Duration{0});
    EXPECT_EQ(DrawBackoff(n, milliseconds(2), 7.0), t_max);
    EXPECT_EQ(DrawBackoff(n, milliseconds(2), std::nan("")), Duration{0});
  }
}

TEST(FeedbackBackoff, MostOfTheGroupWaitsNearTheMaximum) {
  // The truncated exponential's CDF is (e^(lambda t/T) - 1) / (e^lambda - 1): with N = 10,000
  // (lambda = ln N + 1 = 10.2) half the draws land in the last 7% of [0, T].
  const int n = 10'000;
  const Duration t_max = MaxBackoff(n, milliseconds(2));
  const double lambda = std::log(n) + 1;
  const double t_median = static_cast<double>(DrawBackoff(n, milliseconds(2), 0.5).count()) /
                          static_cast<double>(t_max.count());
  EXPECT_NEAR(t_median, std::log1p(0.5 * std::expm1(lambda)) / lambda, 1e-3);
  EXPECT_GT(t_median, 0.9);
  // The draw that 1 receiver in N makes: about e / N of the mass lies below 1/lambda of T.
  const double u_first = 1.0 / n;
  EXPECT_LT(DrawBackoff(n, milliseconds(2), u_first), t_max / 5);
}

TEST(EarlyFeedbackRule, OneEarlyPacketPerRegularReportInLargeGroups) {
  EarlyFeedbackRule rule;
  EXPECT_TRUE(rule.MayEarly(100));
  const auto next = rule.OnEarlySent(100, Timestamp{1'000'000}, std::chrono::seconds(4));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, Timestamp{9'000'000});  // tp + 2 T_rr
  EXPECT_FALSE(rule.MayEarly(100));
  EXPECT_TRUE(rule.MayEarly(5));  // small groups are not held back
  rule.OnRegularSent();
  EXPECT_TRUE(rule.MayEarly(100));
}

TEST(EarlyFeedbackRule, SmallGroupsKeepTheirSchedule) {
  EarlyFeedbackRule rule;
  EXPECT_FALSE(rule.OnEarlySent(3, Timestamp{0}, std::chrono::seconds(1)));
  EXPECT_TRUE(rule.allow_early());
}

TEST(EarlyFeedbackRule, TrrIntervalIsAFloor) {
  EarlyFeedbackRule rule(std::chrono::seconds(2));
  EXPECT_EQ(rule.RegularInterval(milliseconds(500)), std::chrono::seconds(2));
  EXPECT_EQ(rule.RegularInterval(std::chrono::seconds(3)), std::chrono::seconds(3));
  EXPECT_EQ(*rule.OnEarlySent(50, Timestamp{0}, milliseconds(100)), Timestamp{4'000'000});
}

TEST(HeldRequest, ArmedOnceCancelledOrDueOnce) {
  HeldRequest r;
  EXPECT_TRUE(r.Arm(Timestamp{0}, milliseconds(5)));
  EXPECT_FALSE(r.Arm(Timestamp{1'000}, milliseconds(1)));  // the first one stands
  EXPECT_FALSE(r.Due(Timestamp{4'999}));
  EXPECT_TRUE(r.Due(Timestamp{5'000}));
  EXPECT_FALSE(r.Due(Timestamp{6'000}));
  EXPECT_TRUE(r.Arm(Timestamp{10'000}, milliseconds(5)));
  EXPECT_TRUE(r.Cancel());  // someone else asked
  EXPECT_FALSE(r.Due(Timestamp{20'000}));
  EXPECT_FALSE(r.Cancel());
}

// Packet 3 goes missing and three newer ones make it a certain loss at once.
constexpr std::uint16_t kGapAtThree[] = {0, 1, 2, 4, 5, 6};

NackTrackerConfig TrackerConfig() {
  NackTrackerConfig c;
  c.initial_rtt = milliseconds(2);  // large-group T_max = 12 ms
  c.max_attempts = 5;
  return c;
}

TEST(NackTrackerLargeGroup, SmallGroupRequestsWithinThreeMilliseconds) {
  NackTracker t(TrackerConfig());
  t.SetGroupSize(8);
  for (std::uint16_t s : kGapAtThree) (void)t.OnPacket(s, Timestamp{0});  // 3 certain
  EXPECT_TRUE(t.Process(Timestamp{2'999}, 1.0).nack.empty());             // certain at 0, + 3 ms
  EXPECT_EQ(t.Process(Timestamp{3'000}, 1.0).nack, std::vector<std::uint16_t>{3});
}

TEST(NackTrackerLargeGroup, FirstRequestWaitsTheBackoff) {
  NackTracker t(TrackerConfig());
  t.SetGroupSize(10'000);
  for (std::uint16_t s : kGapAtThree) (void)t.OnPacket(s, Timestamp{0});
  const Duration delay = t.RequestDelay(0.5);
  EXPECT_EQ(delay, DrawBackoff(10'000, milliseconds(2), 0.5));
  EXPECT_GT(delay, milliseconds(10));
  EXPECT_TRUE(t.Process(Timestamp{0}, 0.5).nack.empty());  // certain now, scheduled
  EXPECT_TRUE(t.Process(Timestamp{0} + delay - microseconds(1), 0.9).nack.empty());
  EXPECT_EQ(t.Process(Timestamp{0} + delay, 0.9).nack, std::vector<std::uint16_t>{3});
}

TEST(NackTrackerLargeGroup, AHeardRequestCancelsOurs) {
  NackTracker t(TrackerConfig());
  t.SetGroupSize(500);
  for (std::uint16_t s : kGapAtThree) (void)t.OnPacket(s, Timestamp{0});
  EXPECT_TRUE(t.Process(Timestamp{0}, 0.99).nack.empty());
  const std::uint16_t three = 3;
  EXPECT_EQ(t.OnNackHeard({&three, 1}, Timestamp{2'000}), 1u);
  // Nothing goes out at the old time, and the retry waits the interval plus a back-off.
  for (std::int64_t now = 2'000; now < 2'000 + 3'000; now += 250) {
    EXPECT_TRUE(t.Process(Timestamp{now}, 0.99).nack.empty()) << now;
  }
  EXPECT_EQ(t.stats().nacks_sent, 0u);
  EXPECT_EQ(t.stats().nacks_suppressed, 1u);
  // The repair arrives: nothing is ever sent.
  EXPECT_TRUE(t.OnRecovered(3, Timestamp{6'000}, Repair::kRetransmission));
  EXPECT_TRUE(t.Process(Timestamp{100'000}, 0.0).nack.empty());
  EXPECT_EQ(t.stats().nacks_sent, 0u);
}

TEST(NackTrackerLargeGroup, RetriesBackOffAgain) {
  NackTracker t(TrackerConfig());
  t.SetGroupSize(500);
  for (std::uint16_t s : kGapAtThree) (void)t.OnPacket(s, Timestamp{0});
  EXPECT_EQ(t.Process(Timestamp{0}, 0.0).nack, std::vector<std::uint16_t>{3});  // delay 0
  // The retry interval (3 ms) passes; the retry still waits a back-off drawn then.
  const Duration interval = t.RetryInterval();
  EXPECT_TRUE(t.Process(Timestamp{0} + interval, 1.0).nack.empty());
  const Duration backoff = MaxBackoff(500, milliseconds(2));
  EXPECT_TRUE(t.Process(Timestamp{0} + interval + backoff - microseconds(1), 0.0).nack.empty());
  EXPECT_EQ(t.Process(Timestamp{0} + interval + backoff, 0.0).nack, std::vector<std::uint16_t>{3});
}

TEST(NackTrackerLargeGroup, ManyReceiversOneRequest) {
  // 200 receivers lose the same packet; each sends at its own back-off unless it heard an
  // earlier request at least `hear` before its timer ran out. Draws are spread evenly.
  const int n = 200;
  const Duration hear = microseconds(500);
  std::vector<Duration> delays;
  for (int i = 0; i < n; ++i) {
    NackTracker t(TrackerConfig());
    t.SetGroupSize(n);
    delays.push_back(t.RequestDelay((i + 0.5) / n));
  }
  const Duration first = *std::min_element(delays.begin(), delays.end());
  const auto sent =
      std::count_if(delays.begin(), delays.end(), [&](Duration d) { return d < first + hear; });
  EXPECT_LE(sent, 3);
}

}  // namespace
}  // namespace confcast::rtp
