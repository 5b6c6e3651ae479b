// Retransmission limits: hold-off per packet, per-source feedback rate and plausibility, and a
// byte budget tied to the media rate. See repair_limiter.h for the rules and the numbers.
#include <confcast/rtp/repair_limiter.h>

#include <algorithm>

namespace confcast::rtp {
namespace {
constexpr double kWindowUs = 1'000'000;  // the meter's kSlots x kSlotUs
}  // namespace

FeedbackSource FeedbackSource::OfSsrc(std::uint32_t ssrc) noexcept {
  FeedbackSource s;
  s.kind = Kind::kSsrc;
  s.ssrc = ssrc;
  return s;
}

FeedbackSource FeedbackSource::OfAddress(bool ipv6, std::span<const std::uint8_t> address,
                                         std::uint16_t port) noexcept {
  FeedbackSource s;
  s.kind = ipv6 ? Kind::kIpv6 : Kind::kIpv4;
  std::copy_n(address.begin(), std::min(address.size(), ipv6 ? std::size_t{16} : std::size_t{4}),
              s.address.begin());
  s.port = port;
  return s;
}

RepairLimiter::RepairLimiter(RepairLimiterConfig config)
    : config_(config),
      ring_(std::max<std::size_t>(1, config.history_packets)),
      budget_tokens_(static_cast<double>(config.min_burst_bytes)) {}

void RepairLimiter::AdvanceMeter(Timestamp now) {
  static_assert(kSlotUs * static_cast<std::int64_t>(kSlots) == static_cast<std::int64_t>(kWindowUs));
  const std::int64_t slot = now.count() / kSlotUs;
  if (slot <= meter_.newest_slot) return;
  // Empty the slots between the newest one written and this one (all of them after a pause).
  const std::int64_t from = std::max(meter_.newest_slot + 1, slot - static_cast<std::int64_t>(kSlots) + 1);
  for (std::int64_t s = from; s <= slot; ++s) {
    const auto i = static_cast<std::size_t>(s % static_cast<std::int64_t>(kSlots));
    meter_.bytes[i] = 0;
    meter_.packets[i] = 0;
  }
  meter_.newest_slot = slot;
}

double RepairLimiter::media_bytes_per_second(Timestamp now) const noexcept {
  // Slots of the last second only: after a pause the old ones no longer count.
  const std::int64_t slot = now.count() / kSlotUs;
  std::uint64_t bytes = 0;
  for (std::size_t k = 0; k < kSlots; ++k) {
    const std::int64_t id = meter_.newest_slot - static_cast<std::int64_t>(k);
    if (id < 0 || id <= slot - static_cast<std::int64_t>(kSlots)) break;
    bytes += meter_.bytes[static_cast<std::size_t>(id % static_cast<std::int64_t>(kSlots))];
  }
  return static_cast<double>(bytes) * 1e6 / kWindowUs;
}

double RepairLimiter::BudgetDepth(Timestamp now) const {
  const double burst_s = std::chrono::duration<double>(config_.burst).count();
  return std::max(static_cast<double>(config_.min_burst_bytes),
                  media_bytes_per_second(now) * burst_s);
}

double RepairLimiter::RequestDepth(Timestamp now) const {
  const std::int64_t slot = now.count() / kSlotUs;
  std::uint64_t packets = 0;
  for (std::size_t k = 0; k < kSlots; ++k) {
    const std::int64_t id = meter_.newest_slot - static_cast<std::int64_t>(k);
    if (id < 0 || id <= slot - static_cast<std::int64_t>(kSlots)) break;
    packets += meter_.packets[static_cast<std::size_t>(id % static_cast<std::int64_t>(kSlots))];
  }
  const double per_second = static_cast<double>(packets) * 1e6 / kWindowUs;
  const double burst_s = std::chrono::duration<double>(config_.burst).count();
  return std::max(static_cast<double>(config_.min_plausible_burst), per_second * burst_s);
}

double RepairLimiter::PlausibleShare(const SourceState& s) const {
  if (!s.reported_loss) return config_.plausible_share;
  return std::clamp(config_.plausible_headroom * *s.reported_loss, config_.min_plausible_share,
                    config_.max_plausible_share);
}

void RepairLimiter::OnMediaSent(std::uint16_t seq, std::size_t bytes, Timestamp now) {
  Sent& s = ring_[seq % ring_.size()];
  s.used = true;
  s.seq = seq;
  s.bytes = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, 0xFFFF'FFFFu));
  s.sent_at = now;
  s.resent_at.reset();
  AdvanceMeter(now);
  const auto i = static_cast<std::size_t>(meter_.newest_slot % static_cast<std::int64_t>(kSlots));
  meter_.bytes[i] += bytes;
  ++meter_.packets[i];
  ++media_packets_;
  budget_tokens_ = std::min(BudgetDepth(now),
                            budget_tokens_ + config_.budget_share * static_cast<double>(bytes));
}

RepairLimiter::SourceState& RepairLimiter::Source(const FeedbackSource& source, Timestamp now) {
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    if (sources_.size() >= std::max<std::size_t>(1, config_.max_sources)) {
      auto oldest = std::min_element(sources_.begin(), sources_.end(), [](const auto& a, const auto& b) {
        return a.second.last_heard < b.second.last_heard;
      });
      sources_.erase(oldest);
      ++counters_.sources_evicted;
    }
    SourceState fresh;
    fresh.feedback_tokens = config_.feedback_burst;
    fresh.feedback_at = now;
    fresh.request_tokens = static_cast<double>(config_.min_plausible_burst);
    fresh.media_packets_at = media_packets_;
    it = sources_.emplace(source, fresh).first;
  }
  it->second.last_heard = now;
  return it->second;
}

void RepairLimiter::OnLossReport(const FeedbackSource& source, double fraction_lost,
                                 Timestamp now) {
  Source(source, now).reported_loss = std::clamp(fraction_lost, 0.0, 1.0);
}

RepairDecision RepairLimiter::OnNack(Timestamp now, const FeedbackSource& source,
                                     std::uint32_t media_ssrc,
                                     std::span<const std::uint16_t> seqs) {
  RepairDecision d;
  ++counters_.nacks;
  counters_.requested += seqs.size();
  if (media_ssrc != config_.media_ssrc) {
    counters_.refused_wrong_ssrc += seqs.size();
    d.refused = seqs.size();
    return d;
  }
  SourceState& src = Source(source, now);
  if (now > src.feedback_at) {
    const double elapsed = std::chrono::duration<double>(now - src.feedback_at).count();
    src.feedback_tokens = std::min(config_.feedback_burst,
                                   src.feedback_tokens + elapsed * config_.feedback_per_second);
    src.feedback_at = now;
  }
  if (src.feedback_tokens < 1) {
    ++counters_.nacks_rate_limited;
    counters_.refused_feedback_rate += seqs.size();
    d.refused = seqs.size();
    return d;
  }
  src.feedback_tokens -= 1;
  src.request_tokens =
      std::min(RequestDepth(now),
               src.request_tokens + PlausibleShare(src) *
                                        static_cast<double>(media_packets_ - src.media_packets_at));
  src.media_packets_at = media_packets_;

  const Duration hold = std::max(config_.hold_off_floor, rtt_);
  for (std::uint16_t seq : seqs) {
    Sent& s = ring_[seq % ring_.size()];
    if (!s.used || s.seq != seq || now - s.sent_at > config_.max_age) {
      ++counters_.refused_unknown;
      ++d.refused;
      continue;
    }
    if (s.resent_at && now - *s.resent_at < hold) {
      ++counters_.deduplicated;
      ++d.deduplicated;
      continue;
    }
    if (src.request_tokens < 1) {
      ++counters_.refused_implausible;
      ++d.refused;
      continue;
    }
    const double cost = static_cast<double>(s.bytes + kRtxOverheadBytes);
    if (budget_tokens_ < cost) {
      ++counters_.refused_budget;  // not the source's fault: its request token stays
      ++d.refused;
      continue;
    }
    src.request_tokens -= 1;
    budget_tokens_ -= cost;
    s.resent_at = now;
    ++counters_.resent;
    counters_.resent_bytes += static_cast<std::uint64_t>(cost);
    d.resend.push_back(seq);
  }
  return d;
}

}  // namespace confcast::rtp
