// How much FlexFEC to send, from the loss receivers report (RFC 3550 6.4.1 fraction lost).
//
// The sender feeds the worst fraction lost among its video receivers' recent report blocks.
// With independent loss p, a media packet in a row of L (plus one repair packet) stays lost
// only if another packet of the row is lost too: residual ~= p * (1 - (1-p)^L). In 2-D
// (L x D) it also needs a second loss in its column: ~= p * (1-(1-p)^L) * (1-(1-p)^D). We pick
// the cheapest level that keeps the residual near or below ~0.2% per packet (a 10-packet
// frame then breaks about once in 50 frames, the rest is left to NACK/PLI):
//
//   worst loss   scheme      overhead  residual at the upper end of its band
//   < 0.5%       none        0         0.5% (one lost packet per ~200: NACK's job)
//   0.5% - 2%    L=10        10%       2%: 0.37%   (1%: 0.10%)
//   2% - 6%      L=5         20%       5%: 1.1%    (3%: 0.42%)
//   6% - 10%     L=5 x D=5   40%       10%: 1.7%   (6%: 0.42%)
//   >= 10%       L=4 x D=4   50%       15%: 1.4%   (10%: 1.2%)
//
// (Overheads are nominal: groups end with each frame, so small frames pay more; a 2-D level
// on 9-packet frames costs ~80%.) Reports are noisy (one RR per second or so, a few hundred
// packets each), so the level follows the mean of the worst loss over the last few seconds:
// it goes up as soon as that mean crosses the next threshold, and comes down one step only
// after the mean has stayed below half the current level's threshold for the hold time, so a
// link hovering around a threshold does not flap between levels.
//
// With retransmission on (RTX, RFC 4588) FEC is not the only repair: on a LAN a NACK round
// trip takes a few ms against a 40 ms jitter-buffer budget, so several retries fit and RTX
// mends what FEC leaves. The scheme is then one level lighter (none below 2%, L=10 up to 6%,
// L=5 up to 10%, 5x5 above): FEC trims the latency tail and the NACK traffic rather than
// carrying all the repair. Measured at 720p with three receivers at 2% loss, the full levels
// sent 70% overhead (5x5 on small frames) for frames that RTX alone nearly always saved.
//
// In a large group (more than `full_level_reporters` reporters, 8) the lighter level is not
// used: under RFC 4585's early-feedback rule each receiver may send about one NACK per two
// RTCP intervals (over a minute with 10,000 receivers), so retransmission cannot carry each
// receiver's own losses there, while one parity packet repairs different losses at different
// receivers at once (the NORM argument, RFC 5740 1). Measured with confcast-sim at 10,000
// receivers (5% shared, 1% independent loss): see the README's "Scaling to many receivers".
//
// Reports come from anyone on the LAN, so one reporter must not buy the top level for all:
// given every reporter's recent loss (Update with LossReports), the loss the level follows is
//
//   max( the quorum-th worst loss,  min(the worst loss, single_reporter_cap) )
//
// with quorum 2 and the cap 5% (inside the L=5 band: 20% overhead at most). A loss above the
// cap counts only when `quorum` reporters report at least that much; a lone receiver (the only
// reporter) is believed whole, as nobody contradicts it and it is the whole audience. So a host
// claiming 100% among receivers that see 1% costs L=5 rows, not 4x4 (50%); two receivers on a
// bad Wi-Fi link together still get the level their loss needs. Forged SSRCs from one host
// could still fake a quorum: grouping reporters by transport address is the RTCP layer's job.
// driver() names the reporter whose loss sets the level, for the status line.
#pragma once

#include <confcast/rtp/flexfec.h>
#include <confcast/rtp/time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <utility>

namespace confcast::rtp {

struct FecPolicyConfig {
  Duration window{5'000'000};      // the worst loss is averaged over this long
  Duration hold_down{10'000'000};  // time below the lower threshold before stepping down
  bool retransmission = false;     // RTX repairs too: one level lighter (see above)
  double single_reporter_cap = 0.05;  // the most one reporter's loss counts for alone
  std::size_t quorum = 2;             // reporters that must agree on a loss above the cap
  std::size_t full_level_reporters = 8;  // more reporters than this: no lighter level for RTX
};

// One receiver's recent loss about our stream (RFC 3550 6.4.1, over a few of its reports).
struct LossReport {
  std::uint32_t reporter = 0;  // its SSRC
  double fraction_lost = 0;    // 0..1
};

// Who sets the loss the level follows (from the latest Update with reports).
struct FecDriver {
  std::uint32_t reporter = 0;
  double fraction_lost = 0;  // what it reported
  bool capped = false;       // it reported more than counted: an outlier nobody confirms
};

class FecPolicy {
 public:
  static constexpr int kLevels = 5;  // 0 = none .. 4
  explicit FecPolicy(FecPolicyConfig config = {}) : config_(config) {}

  // A new worst fraction lost (0..1) at `now`; returns the scheme to use from now on.
  [[nodiscard]] FecScheme Update(double worst_fraction_lost, Timestamp now);
  // Every reporter's recent loss at `now` (the rule above); returns the scheme to use.
  [[nodiscard]] FecScheme Update(std::span<const LossReport> reports, Timestamp now);
  // The loss the reports amount to under the rule above, and who sets it.
  static std::pair<double, std::optional<FecDriver>> Combine(std::span<const LossReport> reports,
                                                             const FecPolicyConfig& config);
  // The reporter whose loss set the last update (none: no reports, or the single-value Update).
  const std::optional<FecDriver>& driver() const noexcept { return driver_; }
  // Updates in which the worst reporter was capped as an unconfirmed outlier.
  std::uint64_t outliers_capped() const noexcept { return outliers_capped_; }
  // The level in use: the loss-driven level, one lighter with retransmission.
  int level() const noexcept {
    const bool lighter = config_.retransmission && reporters_ <= config_.full_level_reporters;
    return lighter ? std::max(level_ - 1, 0) : level_;
  }
  // Reporters in the latest Update with reports (0 after the single-value Update).
  std::size_t reporters() const noexcept { return reporters_; }
  FecScheme scheme() const noexcept { return SchemeOf(level()); }

  static FecScheme SchemeOf(int level) noexcept;
  static double UpThreshold(int level) noexcept;  // loss at which `level` starts
  // `--fec PCT`: rows of L = round(100 / PCT) packets, so one repair packet per L media packets.
  static FecScheme ForOverheadPercent(int percent) noexcept;

 private:
  FecPolicyConfig config_;
  int level_ = 0;
  std::deque<std::pair<Timestamp, double>> samples_;
  std::optional<Timestamp> below_since_;  // windowed worst below the step-down threshold since
  std::optional<FecDriver> driver_;
  std::uint64_t outliers_capped_ = 0;
  std::size_t reporters_ = 0;
};

}  // namespace confcast::rtp
