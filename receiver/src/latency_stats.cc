#include <confcast/receiver/latency_stats.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace confcast::receiver {
namespace {

const double kLogRatio = std::log(LatencyStats::kRatio);

}  // namespace

LatencyStats::LatencyStats() : buckets_(kBuckets, 0) {}

std::size_t LatencyStats::BucketOf(double value) {
  const double a = std::fabs(value);
  if (!(a >= kMinMs)) return kLogBuckets;  // zero bucket (and NaN)
  const double k = std::floor(std::log(a / kMinMs) / kLogRatio);
  const auto i = static_cast<std::size_t>(std::min(k, static_cast<double>(kLogBuckets - 1)));
  return value > 0 ? kLogBuckets + 1 + i : kLogBuckets - 1 - i;
}

double LatencyStats::BucketValue(std::size_t bucket) {
  if (bucket == kLogBuckets) return 0.0;
  const bool positive = bucket > kLogBuckets;
  const std::size_t i = positive ? bucket - kLogBuckets - 1 : kLogBuckets - 1 - bucket;
  const double v = kMinMs * std::pow(kRatio, static_cast<double>(i) + 0.5);
  return positive ? v : -v;
}

void LatencyStats::Add(double value) {
  if (std::isnan(value)) return;
  ++buckets_[BucketOf(value)];
  ++count_;
  min_ = count_ == 1 ? value : std::min(min_, value);
  max_ = count_ == 1 ? value : std::max(max_, value);
  sum_ += value;
}

std::optional<Percentiles> LatencyStats::Compute() const {
  if (count_ == 0) return std::nullopt;
  // Nearest rank, as the exact version had it: the sample at round(q * (n - 1)).
  constexpr std::array<double, 3> kQ{0.50, 0.95, 0.99};
  std::array<double, 3> out{};
  std::size_t next = 0;
  std::uint64_t seen = 0;
  const double last = static_cast<double>(count_ - 1);
  for (std::size_t b = 0; b < kBuckets && next < kQ.size(); ++b) {
    seen += buckets_[b];
    while (next < kQ.size() && static_cast<double>(seen) > std::floor(kQ[next] * last + 0.5)) {
      out[next++] = std::clamp(BucketValue(b), min_, max_);
    }
  }
  return Percentiles{out[0], out[1], out[2], max_, sum_ / static_cast<double>(count_), count_};
}

void LatencyStats::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = max_ = sum_ = 0;
}

}  // namespace confcast::receiver
