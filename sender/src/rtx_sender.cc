#include "rtx_sender.h"

#include <algorithm>

namespace confcast::sender {

RtxSender::RtxSender(RtxSenderConfig config)
    : config_(config),
      history_(config.history),
      next_seq_(config.first_sequence_number),
      rtt_(config.default_rtt) {}

void RtxSender::Remember(rtp::Bytes packet, rtp::Timestamp now) {
  if (packet.size() < rtp::kRtpHeaderSize) return;
  const std::uint16_t seq = rtp::ReadU16(packet, 2);
  std::lock_guard lock(mutex_);
  history_.Put(seq, packet, now);
}

void RtxSender::SetRtt(std::optional<rtp::Duration> rtt) {
  std::lock_guard lock(mutex_);
  rtt_ = rtt ? std::clamp(*rtt, config_.min_rtt, config_.max_rtt) : config_.default_rtt;
}

std::vector<std::vector<std::uint8_t>> RtxSender::OnNack(const rtp::Nack& nack,
                                                         rtp::Timestamp now) {
  std::vector<std::vector<std::uint8_t>> out;
  if (nack.media_ssrc != config_.media_ssrc) return out;
  const std::vector<std::uint16_t> seqs = rtp::ExpandNack(nack.items);
  std::lock_guard lock(mutex_);
  for (std::uint16_t seq : seqs) {
    ++stats_.nacked;
    const rtp::ResendDecision d = history_.OnNack(seq, now, rtt_);
    if (d.verdict == rtp::ResendVerdict::kDeduplicated) {
      ++stats_.retransmissions_deduplicated;
      continue;
    }
    if (d.verdict == rtp::ResendVerdict::kUnknown) {
      ++stats_.not_in_history;
      continue;
    }
    auto original = rtp::ParseRtp(d.packet);
    if (!original) continue;  // we wrote it ourselves; cannot happen, but never crash
    out.push_back(
        rtp::BuildRtx(*original, {config_.rtx_ssrc, config_.rtx_payload_type, next_seq_}));
    ++next_seq_;
    ++stats_.retransmissions_sent;
  }
  return out;
}

RtxSenderStats RtxSender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace confcast::sender
