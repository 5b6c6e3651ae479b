// The Gilbert-Elliott model behind confcast-impair --ge: seeded runs of a million packets
// reproduce the model's loss rate, time in Bad and burst lengths within tolerances (about
// five standard deviations) that a swapped p/r, a loss probability applied in the wrong state
// or a chain that never leaves Bad would all exceed.
#include "confcast/net/gilbert_elliott.h"

#include <gtest/gtest.h>

#include <cmath>

namespace confcast::net {
namespace {

struct Measured {
  double loss_rate = 0;
  double mean_burst = 0;  // consecutive drops
  double bad_share = 0;
};

Measured Simulate(const GilbertElliottParams& params, std::uint64_t seed, int packets) {
  GilbertElliott ge(params, seed);
  long drops = 0, bursts = 0, bad = 0;
  bool prev = false;
  for (int i = 0; i < packets; ++i) {
    bad += ge.bad();
    const bool d = ge.Drop();
    drops += d;
    if (d && !prev) ++bursts;
    prev = d;
  }
  return {static_cast<double>(drops) / packets,
          bursts ? static_cast<double>(drops) / static_cast<double>(bursts) : 0,
          static_cast<double>(bad) / packets};
}

class GilbertSeeds : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(GilbertSeeds, SimpleGilbertMatchesRateAndBurstLength) {
  // 5% loss in bursts of 4 packets on average: r = 0.25, p = 0.05*0.25/0.95.
  const auto params = GilbertElliottParams::FromRateAndBurst(0.05, 4);
  EXPECT_NEAR(params.r, 0.25, 1e-12);
  EXPECT_NEAR(params.MeanLossRate(), 0.05, 1e-12);
  const Measured m = Simulate(params, GetParam(), 1'000'000);
  EXPECT_NEAR(m.loss_rate, 0.05, 0.004);
  EXPECT_NEAR(m.mean_burst, 4.0, 0.2);  // bursts are geometric with mean 1/r
}

TEST_P(GilbertSeeds, ElliottLossInBothStates) {
  // p=2%, r=20%: Bad 1/11 of the time; lose 60% there and 1% in Good.
  const GilbertElliottParams params{.p = 0.02, .r = 0.2, .loss_bad = 0.6, .loss_good = 0.01};
  const double expected = (0.02 * 0.6 + 0.2 * 0.01) / 0.22;
  EXPECT_NEAR(params.MeanLossRate(), expected, 1e-12);
  const Measured m = Simulate(params, GetParam(), 1'000'000);
  EXPECT_NEAR(m.bad_share, 0.02 / 0.22, 0.006);
  EXPECT_NEAR(m.loss_rate, expected, 0.004);
  // Losses cluster: mean run of drops is longer than independent loss at the same rate gives.
  EXPECT_GT(m.mean_burst, 1.0 / (1.0 - expected) + 0.1);
}

INSTANTIATE_TEST_SUITE_P(Seeds, GilbertSeeds, ::testing::Values(1, 2, 42, 1234567));

TEST(GilbertElliott, NoTransitionsMeansNoLoss) {
  GilbertElliott ge({.p = 0, .r = 1, .loss_bad = 1, .loss_good = 0}, 7);
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(ge.Drop());
}

TEST(GilbertElliott, StuckInBadLosesEverything) {
  GilbertElliott ge({.p = 1, .r = 0, .loss_bad = 1, .loss_good = 0}, 7);
  (void)ge.Drop();  // the first packet is in Good; the chain then enters Bad and stays
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(ge.Drop());
}

TEST(GilbertElliott, SameSeedSameSequence) {
  const auto params = GilbertElliottParams::FromRateAndBurst(0.1, 3);
  GilbertElliott a(params, 99), b(params, 99);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(a.Drop(), b.Drop());
}

}  // namespace
}  // namespace confcast::net
