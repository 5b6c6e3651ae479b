// Percentiles of a stream of latency samples in fixed memory, for receivers left on for days.
// How it works: a log-linear histogram. |value| >= kMinMs falls in bucket k = floor(log_r(|v| /
// kMinMs)) with r = 1.02, so a bucket spans 2% and its geometric middle is within 1% of every
// value in it; |value| < kMinMs shares one bucket around zero, and negative values (a sender
// clock a little ahead) mirror the positive buckets. Add is O(1); Compute walks the buckets once
// (O(buckets), no copy, no sort). Count, mean and max are exact; percentiles are the middle of the
// bucket that holds the nearest-rank sample, clamped to the exact min and max.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace confcast::receiver {

struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
  std::uint64_t count = 0;
};

class LatencyStats {
 public:
  static constexpr double kMinMs = 0.01;      // below this, a value counts as zero
  static constexpr double kRatio = 1.02;      // bucket width: 2% (1% from the middle)
  static constexpr std::size_t kLogBuckets = 931;  // kMinMs * 1.02^931 > 1e6 ms (1000 s)
  static constexpr std::size_t kBuckets = 2 * kLogBuckets + 1;

  LatencyStats();
  void Add(double value);
  std::optional<Percentiles> Compute() const;
  std::uint64_t count() const { return count_; }
  void Clear();

  // The bucket a value falls in and the value that bucket reports (for tests).
  static std::size_t BucketOf(double value);
  static double BucketValue(std::size_t bucket);

 private:
  std::vector<std::uint64_t> buckets_;  // kBuckets counters, allocated once
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0, sum_ = 0;
};

}  // namespace confcast::receiver
