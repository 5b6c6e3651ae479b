// Gilbert-Elliott burst loss: a two-state Markov chain (Good, Bad) advanced once per packet.
//
// In state Good a packet is lost with probability loss_good (1-k in Elliott's notation), in Bad
// with loss_bad (1-h); after each packet the chain moves Good->Bad with probability p and
// Bad->Good with probability r. The stationary share of Bad is p/(p+r), so the mean loss rate
// is (r*loss_good + p*loss_bad)/(p+r); with loss_good=0 and loss_bad=1 (the simple Gilbert
// model) a loss burst lasts 1/r packets on average. This is the model netem's `loss gemodel`
// implements; confcast-impair uses it where the kernel has no netem.
#pragma once

#include <cstdint>
#include <random>

namespace confcast::net {

struct GilbertElliottParams {
  double p = 0;          // P(Good -> Bad) per packet
  double r = 1;          // P(Bad -> Good) per packet
  double loss_bad = 1;   // 1 - h
  double loss_good = 0;  // 1 - k

  // The simple Gilbert model with a given mean loss rate (0..1) and mean burst length (>= 1
  // packets): r = 1/burst, p = rate*r/(1-rate).
  static GilbertElliottParams FromRateAndBurst(double rate, double mean_burst);

  double StationaryBad() const { return p + r > 0 ? p / (p + r) : 0; }
  double MeanLossRate() const {
    return StationaryBad() * loss_bad + (1 - StationaryBad()) * loss_good;
  }
};

class GilbertElliott {
 public:
  GilbertElliott(GilbertElliottParams params, std::uint64_t seed);

  // Decides the fate of one packet (true: drop it) and advances the chain.
  [[nodiscard]] bool Drop();

  bool bad() const { return bad_; }
  const GilbertElliottParams& params() const { return params_; }

 private:
  GilbertElliottParams params_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  bool bad_ = false;
};

}  // namespace confcast::net
