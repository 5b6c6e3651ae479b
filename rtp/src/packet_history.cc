// Sender packet history with per-packet retransmission dedup. See packet_history.h.
#include <confcast/rtp/packet_history.h>

#include <algorithm>

namespace confcast::rtp {

PacketHistory::PacketHistory(PacketHistoryConfig config)
    : config_(config), ring_(std::max<std::size_t>(1, config.max_packets)) {}

void PacketHistory::Put(std::uint16_t seq, Bytes packet, Timestamp sent_at) {
  Slot& s = ring_[seq % ring_.size()];
  s.used = true;
  s.seq = seq;
  s.sent_at = sent_at;
  s.resent_at.reset();
  s.bytes.assign(packet.begin(), packet.end());  // reuses the slot's capacity
  newest_ = std::max(newest_, sent_at);
  ++stats_.stored;
}

ResendDecision PacketHistory::OnNack(std::uint16_t seq, Timestamp now, Duration rtt) {
  Slot& s = ring_[seq % ring_.size()];
  if (!s.used || s.seq != seq || now - s.sent_at > config_.max_age) {
    ++stats_.unknown;
    return {};
  }
  if (s.resent_at && now - *s.resent_at < rtt) {
    ++stats_.deduplicated;
    return {ResendVerdict::kDeduplicated, {}};
  }
  s.resent_at = now;
  ++stats_.resends;
  return {ResendVerdict::kResend, Bytes(s.bytes)};
}

void PacketHistory::Clear() {
  for (Slot& s : ring_) {
    s.used = false;
    s.resent_at.reset();
  }
}

std::size_t PacketHistory::size() const noexcept {
  return static_cast<std::size_t>(std::count_if(ring_.begin(), ring_.end(), [&](const Slot& s) {
    return s.used && newest_ - s.sent_at <= config_.max_age;
  }));
}

}  // namespace confcast::rtp
