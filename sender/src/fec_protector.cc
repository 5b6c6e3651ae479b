#include "fec_protector.h"

namespace confcast::sender {

FecProtector::FecProtector(int fec_percent, std::uint32_t fec_ssrc, std::uint16_t first_sequence,
                           StreamCounters& counters, bool retransmission)
    : fec_percent_(fec_percent),
      policy_(rtp::FecPolicyConfig{.retransmission = retransmission}),
      encoder_(fec_ssrc, first_sequence),
      counters_(counters) {
  if (fec_percent_ > 0) encoder_.SetScheme(rtp::FecPolicy::ForOverheadPercent(fec_percent_));
}

void FecProtector::BeginFrame(double worst_fraction_lost, rtp::Timestamp now) {
  out_.clear();
  if (fec_percent_ < 0) {
    const rtp::FecScheme s = policy_.Update(worst_fraction_lost, now);
    if (!(s == encoder_.scheme())) encoder_.SetScheme(s);
  }
}

void FecProtector::BeginFrame(std::span<const rtp::LossReport> reports, rtp::Timestamp now) {
  out_.clear();
  if (fec_percent_ < 0) {
    const rtp::FecScheme s = policy_.Update(reports, now);
    if (!(s == encoder_.scheme())) encoder_.SetScheme(s);
  }
}

void FecProtector::OnMedia(std::span<const std::uint8_t> datagram) {
  if (fec_percent_ == 0) return;
  encoder_.Add(datagram, out_);
}

std::span<const std::vector<std::uint8_t>> FecProtector::EndFrame() {
  if (fec_percent_ != 0) encoder_.Flush(out_);
  for (const auto& d : out_) {
    counters_.fec_packets.fetch_add(1, std::memory_order_relaxed);
    counters_.fec_bytes.fetch_add(d.size(), std::memory_order_relaxed);
  }
  if (fec_percent_ < 0) counters_.SetFecDriver(policy_.driver());
  counters_.fec_level.store(encoder_.scheme().columns == 0 ? 0
                            : fec_percent_ < 0             ? policy_.level()
                                                           : -1,
                            std::memory_order_relaxed);
  return out_;
}

}  // namespace confcast::sender
