#include <confcast/rtp/fec_policy.h>
#include <gtest/gtest.h>

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

TEST(FecPolicy, GoesUpAtOnceAndDownSlowlyOneStepAtATime) {
  FecPolicy p;  // window 5 s, hold 10 s
  EXPECT_EQ(p.Update(0.08, Sec(0)).rows, 5);
  EXPECT_EQ(p.level(), 3);
  // Loss gone: the 8% report stays in the 5 s window, then 10 s of hold before each step.
  double t = 1;
  for (; t < 15.5; t += 1) EXPECT_EQ(p.Update(0.0, Sec(t)).rows, 5) << t;
  int steps = 0;
  int last = p.level();
  for (; t < 60; t += 1) {
    (void)p.Update(0.0, Sec(t));
    if (p.level() != last) {
      EXPECT_EQ(p.level(), last - 1);
      ++steps;
      last = p.level();
    }
  }
  EXPECT_EQ(steps, 3);
  EXPECT_EQ(p.level(), 0);
}

TEST(FecPolicy, DoesNotFlapAroundAThreshold) {
  FecPolicy p;
  int changes = 0;
  int last = -1;
  // Reports alternating 1.5% and 2.5% around the 2% threshold, one a second for a minute.
  for (int s = 0; s < 60; ++s) {
    (void)p.Update(s % 2 ? 0.015 : 0.025, Sec(s));
    if (p.level() != last) ++changes;
    last = p.level();
  }
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(p.level(), 2);
  // Between half the threshold (1%) and the threshold: stays up for good.
  for (int s = 60; s < 200; ++s) (void)p.Update(0.012, Sec(s));
  EXPECT_EQ(p.level(), 2);
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
