// FEC level from reported loss, with hysteresis (see fec_policy.h for the numbers).
#include <confcast/rtp/fec_policy.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace confcast::rtp {

FecScheme FecPolicy::SchemeOf(int level) noexcept {
  switch (level) {
    case 1:
      return {10, 1};
    case 2:
      return {5, 1};
    case 3:
      return {5, 5};
    case 4:
      return {4, 4};
    default:
      return {0, 1};
  }
}

double FecPolicy::UpThreshold(int level) noexcept {
  static constexpr double kUp[kLevels] = {0.0, 0.005, 0.02, 0.06, 0.10};
  return kUp[std::clamp(level, 0, kLevels - 1)];
}

FecScheme FecPolicy::ForOverheadPercent(int percent) noexcept {
  if (percent <= 0) return {0, 1};
  const int l = static_cast<int>(std::lround(100.0 / percent));
  return {std::clamp(l, 1, static_cast<int>(kFlexFecMaskBits)), 1};
}

std::pair<double, std::optional<FecDriver>> FecPolicy::Combine(
    std::span<const LossReport> reports, const FecPolicyConfig& config) {
  if (reports.empty()) return {0.0, std::nullopt};
  std::vector<LossReport> worst(reports.begin(), reports.end());
  for (LossReport& r : worst) r.fraction_lost = std::clamp(r.fraction_lost, 0.0, 1.0);
  std::stable_sort(worst.begin(), worst.end(), [](const LossReport& a, const LossReport& b) {
    return a.fraction_lost > b.fraction_lost;
  });
  const LossReport& top = worst.front();
  if (worst.size() == 1) return {top.fraction_lost, FecDriver{top.reporter, top.fraction_lost, false}};
  // The quorum-th worst: that many reporters see at least this much loss.
  const std::size_t k = std::clamp<std::size_t>(config.quorum, 1, worst.size());
  const LossReport& agreed = worst[k - 1];
  const double alone = std::min(top.fraction_lost, config.single_reporter_cap);
  if (agreed.fraction_lost >= alone) {
    return {agreed.fraction_lost, FecDriver{agreed.reporter, agreed.fraction_lost, false}};
  }
  return {alone, FecDriver{top.reporter, top.fraction_lost, top.fraction_lost > alone}};
}

FecScheme FecPolicy::Update(std::span<const LossReport> reports, Timestamp now) {
  auto [loss, driver] = Combine(reports, config_);
  if (driver && driver->capped) ++outliers_capped_;
  (void)Update(loss, now);
  driver_ = driver;
  reporters_ = reports.size();
  return scheme();  // the level in use depends on how many reported
}

FecScheme FecPolicy::Update(double worst_fraction_lost, Timestamp now) {
  driver_.reset();
  reporters_ = 0;
  samples_.emplace_back(now, std::clamp(worst_fraction_lost, 0.0, 1.0));
  while (!samples_.empty() && now - samples_.front().first > config_.window) samples_.pop_front();
  // The window's mean: one report's fraction lost is a small sample (a 2% link often reads
  // 4-6% for a second), and reacting to such peaks bought 2-D FEC for a 2% link (85% overhead
  // measured at 640x360 where 20% did nearly as well).
  double worst = 0;
  for (const auto& [t, loss] : samples_) worst += loss;
  worst /= static_cast<double>(samples_.size());

  int wanted = 0;
  for (int l = kLevels - 1; l > 0; --l) {
    if (worst >= UpThreshold(l)) {
      wanted = l;
      break;
    }
  }
  if (wanted > level_) {
    level_ = wanted;
    below_since_.reset();
  } else if (level_ > 0 && worst < UpThreshold(level_) / 2) {
    if (!below_since_) below_since_ = now;
    if (now - *below_since_ >= config_.hold_down) {
      --level_;  // one step at a time, each with its own hold
      below_since_.reset();
    }
  } else {
    below_since_.reset();
  }
  return scheme();
}

}  // namespace confcast::rtp
