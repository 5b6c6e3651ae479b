// LatencyStats: fixed memory, percentiles within 2% of the exact ones (nearest rank) on random
// data of several shapes, exact count/mean/max, negative values, Clear.
#include <confcast/receiver/latency_stats.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace confcast::receiver {
namespace {

double Exact(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void ExpectWithin2Percent(const std::vector<double>& v) {
  LatencyStats s;
  double sum = 0, max = v.front();
  for (double x : v) {
    s.Add(x);
    sum += x;
    max = std::max(max, x);
  }
  const auto p = s.Compute();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count, v.size());
  EXPECT_DOUBLE_EQ(p->max, max);
  EXPECT_NEAR(p->mean, sum / static_cast<double>(v.size()), 1e-9 * std::fabs(sum));
  for (auto [q, got] : {std::pair{0.50, p->p50}, {0.95, p->p95}, {0.99, p->p99}}) {
    const double want = Exact(v, q);
    EXPECT_LE(std::fabs(got - want), 0.02 * std::fabs(want) + 1e-12)
        << "q " << q << " exact " << want << " sketch " << got << " n " << v.size();
  }
}

TEST(LatencyStats, EmptyHasNoPercentiles) {
  LatencyStats s;
  EXPECT_FALSE(s.Compute());
  EXPECT_EQ(s.count(), 0u);
}

TEST(LatencyStats, PercentilesOfAKnownDistribution) {
  LatencyStats s;
  for (int i = 1; i <= 100; ++i) s.Add(i);
  auto p = s.Compute();
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->p50, 51, 51 * 0.01);  // nearest rank round(0.5 * 99) = 50 -> 51
  EXPECT_NEAR(p->p95, 95, 95 * 0.01);
  EXPECT_NEAR(p->p99, 99, 99 * 0.01);
  EXPECT_EQ(p->max, 100);
  EXPECT_DOUBLE_EQ(p->mean, 50.5);
  EXPECT_EQ(p->count, 100u);
}

TEST(LatencyStats, RandomDataWithin2PercentOfExact) {
  std::mt19937_64 rng(20261204);
  for (int round = 0; round < 20; ++round) {
    const std::size_t n = 1 + rng() % 20000;
    std::vector<double> v(n);
    std::uniform_real_distribution<double> uniform(0.5, 400.0);
    std::lognormal_distribution<double> lognormal(std::log(40.0), 0.6);
    std::exponential_distribution<double> expo(1.0 / 25.0);
    for (double& x : v) {
      switch (round % 3) {
        case 0: x = uniform(rng); break;
        case 1: x = lognormal(rng); break;
        default: x = 5.0 + expo(rng); break;
      }
    }
    ExpectWithin2Percent(v);
  }
}

TEST(LatencyStats, BimodalAndTinyValues) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> fast(20.0, 2.0), slow(900.0, 50.0);
  std::vector<double> v;
  for (int i = 0; i < 10000; ++i) v.push_back(i % 10 == 0 ? slow(rng) : fast(rng));
  ExpectWithin2Percent(v);
  std::uniform_real_distribution<double> tiny(0.02, 0.2);
  std::vector<double> t(5000);
  for (double& x : t) x = tiny(rng);
  ExpectWithin2Percent(t);
}

TEST(LatencyStats, NegativeValuesKeepTheirOrder) {
  // A sender clock slightly ahead makes some latencies negative.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> d(-30.0, 10.0);
  std::vector<double> v(8000);
  for (double& x : v) x = d(rng);
  LatencyStats s;
  for (double x : v) s.Add(x);
  const auto p = s.Compute();
  ASSERT_TRUE(p);
  for (auto [q, got] : {std::pair{0.50, p->p50}, {0.95, p->p95}, {0.99, p->p99}}) {
    const double want = Exact(v, q);
    EXPECT_LE(std::fabs(got - want), 0.02 * std::fabs(want) + LatencyStats::kMinMs) << q;
  }
  EXPECT_LT(LatencyStats::BucketOf(-5), LatencyStats::BucketOf(-1));
  EXPECT_LT(LatencyStats::BucketOf(-1), LatencyStats::BucketOf(0));
  EXPECT_LT(LatencyStats::BucketOf(0), LatencyStats::BucketOf(1));
}

TEST(LatencyStats, EveryBucketValueLiesWithinOnePercentOfItsMembers) {
  for (double v = 0.011; v < 1e6; v *= 1.0037) {
    const double b = LatencyStats::BucketValue(LatencyStats::BucketOf(v));
    EXPECT_LE(std::fabs(b - v), 0.0101 * v) << v;
  }
  // Beyond the top bucket the value is clamped to the exact maximum, not lost.
  LatencyStats s;
  s.Add(5e6);
  EXPECT_DOUBLE_EQ(s.Compute()->p99, 5e6);
}

TEST(LatencyStats, MemoryDoesNotGrowWithSamples) {
  // Days of samples (simulated) change counts, never the structure: a far-away bucket still
  // reports correctly after millions of others.
  LatencyStats s;
  for (int i = 0; i < 3'000'000; ++i) s.Add(30.0 + (i % 7));
  for (int i = 0; i < 100'000; ++i) s.Add(2000.0);
  const auto p = s.Compute();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count, 3'100'000u);
  EXPECT_NEAR(p->p50, 33.0, 33.0 * 0.02);
  EXPECT_NEAR(p->p99, 2000.0, 2000.0 * 0.02);
}

TEST(LatencyStats, ClearStartsOver) {
  LatencyStats s;
  for (int i = 0; i < 100; ++i) s.Add(1000);
  s.Clear();
  EXPECT_EQ(s.count(), 0u);
  EXPECT_FALSE(s.Compute());
  s.Add(7);
  EXPECT_NEAR(s.Compute()->p50, 7, 0.07);
  EXPECT_EQ(s.Compute()->max, 7);
}

}  // namespace
}  // namespace confcast::receiver
