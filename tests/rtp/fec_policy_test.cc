#include <confcast/rtp/fec_policy.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

Timestamp Sec(double s) {
  return Timestamp{static_cast<std::int64_t>(s * 1e6)};
}

TEST(FecPolicy, NoLossNoFec) {
  FecPolicy p;
  for (int s = 0; s < 30; ++s) EXPECT_EQ(p.Update(0.0, Sec(s)), (FecScheme{0, 1}));
  EXPECT_EQ(p.level(), 0);
}

TEST(FecPolicy, LevelsFollowTheWorstReportedLoss) {
  struct Case {
    double loss;
    FecScheme scheme;
  };
  for (const Case& c : {Case{0.004, {0, 1}}, Case{0.01, {10, 1}}, Case{0.03, {5, 1}},
                        Case{0.05, {5, 1}}, Case{0.08, {5, 5}}, Case{0.12, {4, 4}}}) {
    FecPolicy p;
    EXPECT_EQ(p.Update(c.loss, Sec(0)), c.scheme) << c.loss;
  }
}

TEST(FecPolicy, WithRetransmissionOneLevelLighter) {
  struct Case {
    double loss;
    FecScheme scheme;
  };
  for (const Case& c : {Case{0.01, {0, 1}}, Case{0.03, {10, 1}}, Case{0.08, {5, 1}},
                        Case{0.12, {5, 5}}}) {
    FecPolicy p(FecPolicyConfig{.retransmission = true});
    EXPECT_EQ(p.Update(c.loss, Sec(0)), c.scheme) << c.loss;
    EXPECT_EQ(p.scheme(), c.scheme) << c.loss;
  }
}

TEST(FecPolicy, GoesUpAtOnceAndDownSlowlyOneStepAtATime) {
  FecPolicy p;  // window 5 s, hold 10 s
  (void)p.Update(0.0, Sec(0));
  EXPECT_EQ(p.Update(0.20, Sec(1)), (FecScheme{4, 4}));  // mean 10%: straight to the top
  // Loss gone: the 20% report leaves the window after 5 s, then 10 s of hold before each step.
  std::vector<double> steps;
  int last = p.level();
  for (double t = 2; t < 80; t += 1) {
    (void)p.Update(0.0, Sec(t));
    if (p.level() != last) {
      EXPECT_EQ(p.level(), last - 1) << t;
      steps.push_back(t);
      last = p.level();
    }
  }
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_GE(steps[0], 11.0);
  for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_GE(steps[i] - steps[i - 1], 10.0);
  EXPECT_EQ(p.level(), 0);
}

TEST(FecPolicy, DoesNotFlapAroundAThreshold) {
  FecPolicy p;
  int changes = 0;
  int last = -1;
  // Reports alternating 1.5% and 2.7% around the 2% threshold, one a second for a minute:
  // a peak-following policy would step between L=10 and L=5 all the time.
  for (int s = 0; s < 60; ++s) {
    (void)p.Update(s % 2 ? 0.015 : 0.027, Sec(s));
    if (p.level() != last) ++changes;
    last = p.level();
  }
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(p.level(), 2);
  // Between half the threshold (1%) and the threshold: stays up for good.
  for (int s = 60; s < 200; ++s) (void)p.Update(0.012, Sec(s));
  EXPECT_EQ(p.level(), 2);
}

TEST(FecPolicy, OneNoisyReportDoesNotBuyTwoDimensionalFec) {
  FecPolicy p;
  for (int s = 0; s < 10; ++s) (void)p.Update(0.02, Sec(s));
  EXPECT_EQ(p.Update(0.07, Sec(10)), (FecScheme{5, 1}));  // mean ~2.8%: rows, not 5x5
}

TEST(FecPolicy, OneReporterClaimingTotalLossDoesNotBuyTheTopLevelForEverybody) {
  FecPolicy p;
  const std::vector<LossReport> reports{{0xa, 0.01}, {0xb, 1.0}, {0xc, 0.0}};
  for (int s = 0; s < 30; ++s) (void)p.Update(reports, Sec(s));
  EXPECT_EQ(p.scheme(), (FecScheme{5, 1}));  // the cap (5%): L=5 rows, 20%, not 4x4 (50%)
  ASSERT_TRUE(p.driver());
  EXPECT_EQ(p.driver()->reporter, 0xbu);
  EXPECT_DOUBLE_EQ(p.driver()->fraction_lost, 1.0);
  EXPECT_TRUE(p.driver()->capped);
  EXPECT_EQ(p.outliers_capped(), 30u);
  // The same claim without the cap rule (the worst alone) would have bought the top level.
  FecPolicy worst_only;
  EXPECT_EQ(worst_only.Update(1.0, Sec(0)), (FecScheme{4, 4}));
}

TEST(FecPolicy, AnOutlierBelowTheCapIsServed) {
  FecPolicy p;
  const std::vector<LossReport> reports{{0xa, 0.0}, {0xb, 0.03}};
  EXPECT_EQ(p.Update(reports, Sec(0)), (FecScheme{5, 1}));
  ASSERT_TRUE(p.driver());
  EXPECT_EQ(p.driver()->reporter, 0xbu);
  EXPECT_FALSE(p.driver()->capped);
}

TEST(FecPolicy, ALoneReceiverIsBelievedWhole) {
  FecPolicy p;
  const std::vector<LossReport> reports{{0xa, 0.12}};
  EXPECT_EQ(p.Update(reports, Sec(0)), (FecScheme{4, 4}));
  ASSERT_TRUE(p.driver());
  EXPECT_EQ(p.driver()->reporter, 0xau);
  EXPECT_FALSE(p.driver()->capped);
}

TEST(FecPolicy, AQuorumOfReportersLiftsTheLevelAboveTheCap) {
  // Two receivers behind the same bad link agree: they get the level their loss needs.
  FecPolicy p;
  const std::vector<LossReport> reports{{0xa, 0.0}, {0xb, 0.12}, {0xc, 0.11}};
  EXPECT_EQ(p.Update(reports, Sec(0)), (FecScheme{4, 4}));
  ASSERT_TRUE(p.driver());
  EXPECT_EQ(p.driver()->reporter, 0xcu);  // the quorum-th worst sets the loss: 11%
  EXPECT_DOUBLE_EQ(p.driver()->fraction_lost, 0.11);
  // With a quorum of three the same reports count for the cap only.
  FecPolicy strict(FecPolicyConfig{.quorum = 3});
  EXPECT_EQ(strict.Update(reports, Sec(0)), (FecScheme{5, 1}));
  EXPECT_EQ(strict.driver()->reporter, 0xbu);
  EXPECT_TRUE(strict.driver()->capped);
}

TEST(FecPolicy, CombineFollowsTheRule) {
  const FecPolicyConfig c;  // quorum 2, cap 5%
  EXPECT_EQ(FecPolicy::Combine({}, c).first, 0.0);
  EXPECT_FALSE(FecPolicy::Combine({}, c).second);
  const std::vector<LossReport> two{{1, 0.5}, {2, 0.08}};
  EXPECT_DOUBLE_EQ(FecPolicy::Combine(two, c).first, 0.08);
  const std::vector<LossReport> bad{{1, -3.0}, {2, 7.0}};  // out of range: clamped
  EXPECT_DOUBLE_EQ(FecPolicy::Combine(bad, c).first, 0.05);
  EXPECT_EQ(FecPolicy::Combine(bad, c).second->reporter, 2u);
}

TEST(FecPolicy, TheOutlierRuleKeepsTheWindowAndHysteresis) {
  FecPolicy p(FecPolicyConfig{.retransmission = true});
  const std::vector<LossReport> attack{{0xa, 0.01}, {0xb, 1.0}};
  EXPECT_EQ(p.Update(attack, Sec(0)), (FecScheme{10, 1}));  // 5% with RTX: one level lighter
  const std::vector<LossReport> calm{{0xa, 0.0}};
  int level = p.level();
  for (int s = 1; s < 40; ++s) {
    (void)p.Update(calm, Sec(s));
    EXPECT_LE(p.level(), level);
    level = p.level();
  }
  EXPECT_EQ(p.level(), 0);
}

TEST(FecPolicy, LargeGroupsKeepTheFullLevelWithRetransmission) {
  // Eight reporters at 3%: RTX takes part of the repair, one level lighter (L=10).
  FecPolicy few(FecPolicyConfig{.retransmission = true});
  std::vector<LossReport> reports;
  for (std::uint32_t r = 1; r <= 8; ++r) reports.push_back({r, 0.03});
  EXPECT_EQ(few.Update(reports, Sec(0)), (FecScheme{10, 1}));
  EXPECT_EQ(few.reporters(), 8u);
  // Nine: the early-feedback rule limits every receiver's NACKs, so FEC keeps its full level.
  reports.push_back({9, 0.03});
  FecPolicy many(FecPolicyConfig{.retransmission = true});
  EXPECT_EQ(many.Update(reports, Sec(0)), (FecScheme{5, 1}));
  EXPECT_EQ(many.level(), 2);
  // The single-value form has no reporter count: the lighter level.
  EXPECT_EQ(many.Update(0.03, Sec(1)), (FecScheme{10, 1}));
}

TEST(FecPolicy, ForcedOverheadPicksRowLength) {
  EXPECT_EQ(FecPolicy::ForOverheadPercent(20), (FecScheme{5, 1}));
  EXPECT_EQ(FecPolicy::ForOverheadPercent(10), (FecScheme{10, 1}));
  EXPECT_EQ(FecPolicy::ForOverheadPercent(33), (FecScheme{3, 1}));
  EXPECT_EQ(FecPolicy::ForOverheadPercent(100), (FecScheme{1, 1}));
  EXPECT_EQ(FecPolicy::ForOverheadPercent(0), (FecScheme{0, 1}));
  EXPECT_EQ(FecPolicy::ForOverheadPercent(1).columns, 100);
}

}  // namespace
}  // namespace confcast::rtp
