// Feedback back-off (SRM / NORM RFC 5740 5.5) and the RFC 4585 early rule; see the header.
#include <confcast/rtp/feedback_backoff.h>

#include <algorithm>
#include <cmath>

namespace confcast::rtp {
namespace {

double Clamp01(double u) noexcept {
  if (!(u >= 0)) return 0;  // NaN too
  return std::min(u, 1.0);
}

}  // namespace

Duration MaxBackoff(int group_size, Duration rtt, const FeedbackBackoffConfig& config) noexcept {
  if (!IsLargeGroup(group_size, config)) return config.small_group_max;
  const auto k_rtt = Duration{static_cast<std::int64_t>(
      config.rtt_multiple * static_cast<double>(std::max(rtt, Duration{0}).count()))};
  const Duration cap = std::max(config.latency_budget / 3, config.min_backoff);
  return std::clamp(k_rtt, config.min_backoff, cap);
}

Duration DrawBackoff(int group_size, Duration rtt, double uniform01,
                     const FeedbackBackoffConfig& config) noexcept {
  const double u = Clamp01(uniform01);
  const double t_max = static_cast<double>(MaxBackoff(group_size, rtt, config).count());
  if (!IsLargeGroup(group_size, config)) return Duration{std::llround(u * t_max)};
  const double lambda = std::log(static_cast<double>(group_size)) + 1.0;
  const double t = t_max / lambda * std::log1p(u * std::expm1(lambda));
  return Duration{std::llround(std::clamp(t, 0.0, t_max))};
}

std::optional<Timestamp> EarlyFeedbackRule::OnEarlySent(
    int group_size, Timestamp last_regular, Duration regular_interval,
    const FeedbackBackoffConfig& config) noexcept {
  if (!IsLargeGroup(group_size, config)) return std::nullopt;
  allow_early_ = false;
  return last_regular + 2 * RegularInterval(regular_interval);
}

}  // namespace confcast::rtp
