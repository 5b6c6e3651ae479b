#include "confcast/net/gilbert_elliott.h"

#include <algorithm>

namespace confcast::net {

GilbertElliottParams GilbertElliottParams::FromRateAndBurst(double rate, double mean_burst) {
  GilbertElliottParams g;
  rate = std::clamp(rate, 0.0, 0.999);
  g.r = 1.0 / std::max(mean_burst, 1.0);
  g.p = rate * g.r / (1 - rate);
  return g;
}

GilbertElliott::GilbertElliott(GilbertElliottParams params, std::uint64_t seed)
    : params_(params), rng_(seed) {}

bool GilbertElliott::Drop() {
  const bool drop = unit_(rng_) < (bad_ ? params_.loss_bad : params_.loss_good);
  // The transition follows the packet, so the first packet after a burst starts is in Bad.
  if (bad_) {
    if (unit_(rng_) < params_.r) bad_ = false;
  } else if (unit_(rng_) < params_.p) {
    bad_ = true;
  }
  return drop;
}

}  // namespace confcast::net
