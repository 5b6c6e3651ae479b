// Percentiles of a stream of latency samples: exact over the last `capacity` samples (a ring),
// which at 30 fps covers minutes; cheap to add to, sorted only when a report is asked for.
#pragma once

#include <algorithm>
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
  explicit LatencyStats(std::size_t capacity = 1 << 16) : capacity_(capacity) {
    samples_.reserve(std::min<std::size_t>(capacity, 4096));
  }
  void Add(double value) {
    if (samples_.size() < capacity_) {
      samples_.push_back(value);
    } else {
      samples_[next_] = value;
      next_ = (next_ + 1) % capacity_;
    }
    ++count_;
    max_ = count_ == 1 ? value : std::max(max_, value);
    sum_ += value;
  }
  std::optional<Percentiles> Compute() const {
    if (samples_.empty()) return std::nullopt;
    std::vector<double> s = samples_;
    std::sort(s.begin(), s.end());
    auto at = [&](double q) {
      const auto i = static_cast<std::size_t>(q * static_cast<double>(s.size() - 1) + 0.5);
      return s[std::min(i, s.size() - 1)];
    };
    return Percentiles{at(0.50), at(0.95), at(0.99), max_, sum_ / static_cast<double>(count_), count_};
  }
  std::uint64_t count() const { return count_; }
  void Clear() {
    samples_.clear();
    next_ = 0;
    count_ = 0;
    max_ = sum_ = 0;
  }

 private:
  std::size_t capacity_;
  std::vector<double> samples_;
  std::size_t next_ = 0;
  std::uint64_t count_ = 0;
  double max_ = 0, sum_ = 0;
};

}  // namespace confcast::receiver
