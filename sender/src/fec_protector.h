// FlexFEC (RFC 8627) for the video stream: repair packets on the video port, in their own SSRC
// and sequence space (PT 98), sent right after the media packets of each frame so that a
// receiver can repair a frame as soon as it has it, without waiting for the next one.
// `--fec auto` picks the scheme from the worst loss the video receivers report (FecPolicy),
// `--fec PCT` forces one repair packet per round(100 / PCT) media packets, `--fec off` none.
// Video thread only; the counters it updates are atomics read by the statistics.
#pragma once

#include <confcast/rtp/fec_policy.h>
#include <confcast/rtp/flexfec.h>

#include <span>
#include <vector>

#include "send_counters.h"

namespace confcast::sender {

class FecProtector {
 public:
  // fec_percent: -1 auto, 0 off, 1..100 forced overhead. retransmission: RTX is on, so auto
  // picks a lighter level (rtp/fec_policy.h).
  FecProtector(int fec_percent, std::uint32_t fec_ssrc, std::uint16_t first_sequence,
               StreamCounters& counters, bool retransmission = false);

  // Before a frame: the scheme for it, from the worst fraction lost (0..1) reported lately.
  void BeginFrame(double worst_fraction_lost, rtp::Timestamp now);
  // Before a frame: the scheme for it, from every video receiver's recent loss. One reporter's
  // claim counts only up to a cap unless others confirm it (rtp/fec_policy.h); the counters
  // then name the receiver that sets the level.
  void BeginFrame(std::span<const rtp::LossReport> reports, rtp::Timestamp now);
  // Each media datagram of the frame, as sent.
  void OnMedia(std::span<const std::uint8_t> datagram);
  // After the frame's media: repair datagrams to send next (valid until BeginFrame).
  std::span<const std::vector<std::uint8_t>> EndFrame();

  bool active() const noexcept { return fec_percent_ != 0; }
  std::uint32_t ssrc() const noexcept { return encoder_.ssrc(); }
  rtp::FecScheme scheme() const noexcept { return encoder_.scheme(); }
  const rtp::FecPolicy& policy() const noexcept { return policy_; }

 private:
  int fec_percent_;
  rtp::FecPolicy policy_;
  rtp::FlexFecEncoder encoder_;
  StreamCounters& counters_;
  std::vector<std::vector<std::uint8_t>> out_;
};

}  // namespace confcast::sender
