// Multicast NACK tracker (RFC 4585 3.5, 6.2.1). See nack_tracker.h for the algorithm.
#include <confcast/rtp/nack_tracker.h>

#include <algorithm>

namespace confcast::rtp {

NackTracker::NackTracker(NackTrackerConfig config) : config_(config), rtt_(config.initial_rtt) {}

void NackTracker::Reset() {
  unwrapper_.Reset();
  started_ = false;
  highest_ = 0;
  stray_.reset();
  missing_.clear();
}

void NackTracker::SetRtt(Duration rtt) noexcept {
  rtt_ = std::clamp(rtt, config_.min_rtt, config_.max_rtt);
}

Duration NackTracker::RequestDelay(double uniform01) const noexcept {
  const double u = std::clamp(uniform01, 0.0, 1.0);
  if (IsLargeGroup(group_size_, config_.backoff)) {
    return DrawBackoff(group_size_, rtt_, u, config_.backoff);
  }
  return Duration{
      static_cast<std::int64_t>(u * static_cast<double>(config_.suppression_window.count()))};
}

Duration NackTracker::PlainRetryInterval() const noexcept {
  return std::max(config_.min_retry_interval, rtt_ * 3 / 2);
}

Duration NackTracker::RetryInterval() const noexcept {
  return std::max(PlainRetryInterval(), rtt_ + 4 * rtt_deviation_);
}

Timestamp NackTracker::NextTry(const Entry& e, Timestamp now) const noexcept {
  // The deviation term waits for the slow repairs of a varying path, but a retry later than one
  // RTT before the deadline could no longer be answered in time: there the plain interval rules.
  const Duration plain = PlainRetryInterval();
  const Timestamp last_useful = e.detected + config_.deadline - rtt_;
  return std::max(now + plain, std::min(now + RetryInterval(), last_useful));
}

Duration NackTracker::ReorderWindow() const noexcept {
  const auto adaptive = Duration{static_cast<std::int64_t>(reorder_us_ * 1.25)};
  return std::clamp(adaptive, config_.reorder_window,
                    std::max(config_.reorder_window, config_.max_reorder_window));
}

std::int64_t NackTracker::ReorderPackets() const noexcept {
  const auto adaptive = static_cast<std::int64_t>(reorder_packets_ * 1.25) + 1;
  return std::clamp(adaptive, config_.reorder_packets,
                    std::max(config_.reorder_packets, config_.max_reorder_packets));
}

void NackTracker::OnReordered(const Entry& e, Timestamp arrival) noexcept {
  ++stats_.reordered;
  reorder_us_ = std::max(reorder_us_, static_cast<double>((arrival - e.detected).count()));
  reorder_packets_ = std::max(reorder_packets_, static_cast<double>(arrivals_ - e.seen_at));
}

Timestamp NackTracker::CertainAt(const Entry& e) const noexcept {
  const Timestamp by_time = e.detected + ReorderWindow();
  return e.certain_by_count ? std::min(by_time, *e.certain_by_count) : by_time;
}

void NackTracker::GiveUp(std::map<std::int64_t, Entry>::iterator it,
                         std::vector<std::uint16_t>* out) {
  if (!it->second.look_back) ++stats_.lost_for_good;
  if (out) out->push_back(static_cast<std::uint16_t>(it->first));
  missing_.erase(it);
}

void NackTracker::AddMissing(std::int64_t from, std::int64_t to, Timestamp arrival,
                             bool look_back) {
  // Only the newest max_tracked numbers of a long run are worth asking for: older ones could
  // not be repaired within the deadline anyway.
  const auto cap = static_cast<std::int64_t>(config_.max_tracked);
  if (to - from > cap) {
    stats_.gaps_detected += static_cast<std::uint64_t>(to - from - cap);
    stats_.lost_for_good += static_cast<std::uint64_t>(to - from - cap);
    from = to - cap;
  }
  for (std::int64_t s = from; s < to; ++s) {
    Entry e{arrival, arrivals_ - 1, {}, {}, {}, 0, true, false, look_back};
    if (missing_.emplace(s, e).second && !look_back) ++stats_.gaps_detected;
  }
  while (missing_.size() > config_.max_tracked) GiveUp(missing_.begin(), nullptr);
}

NackPacketOutcome NackTracker::OnPacket(std::uint16_t seq, Timestamp arrival) {
  if (!started_) {
    started_ = true;
    highest_ = unwrapper_.Unwrap(seq);
    return NackPacketOutcome::kInOrder;
  }
  const std::int64_t peek = unwrapper_.Peek(seq);
  if (peek - highest_ > config_.reset_distance || highest_ - peek > config_.reset_distance) {
    // Far from the stream: a stray, or the first packet of a restarted sender. Two in a row
    // make a restart (as the jitter buffer decides too).
    if (stray_ && static_cast<std::uint16_t>(*stray_ + 1) == seq) {
      Reset();
      ++stats_.resets;
      started_ = true;
      highest_ = unwrapper_.Unwrap(seq);
      return NackPacketOutcome::kReset;
    }
    stray_ = seq;
    return NackPacketOutcome::kStray;
  }
  stray_.reset();
  const std::int64_t useq = unwrapper_.Unwrap(seq);
  if (useq == highest_) return NackPacketOutcome::kDuplicate;
  if (useq < highest_) {
    auto it = missing_.find(useq);
    if (it == missing_.end()) return NackPacketOutcome::kOld;
    ++stats_.arrived_late;
    OnReordered(it->second, arrival);
    missing_.erase(it);
    return NackPacketOutcome::kFilledGap;
  }
  ++arrivals_;
  // The estimate decays over ~1000 in-order packets (a few seconds of video) so one odd
  // straggler does not slow loss detection for good.
  reorder_us_ -= reorder_us_ / 1024;
  reorder_packets_ -= reorder_packets_ / 1024;
  if (auto it = missing_.find(useq); it != missing_.end()) {  // a tail suspect that did come
    ++stats_.arrived_late;
    missing_.erase(it);
  }
  if (useq > highest_ + 1) AddMissing(highest_ + 1, useq, arrival);
  highest_ = useq;
  // Numbers that now have reorder_packets newer arrivals are certain losses. seen_at grows
  // with the sequence number, so the walk stops at the first one still short of them.
  for (auto& [s, e] : missing_) {
    if (e.certain_by_count) continue;
    if (arrivals_ - e.seen_at < static_cast<std::uint64_t>(ReorderPackets())) break;
    e.certain_by_count = arrival;
  }
  return NackPacketOutcome::kInOrder;
}

bool NackTracker::OnRecovered(std::uint16_t seq, Timestamp now, Repair how) {
  if (!started_) return false;
  auto it = missing_.find(unwrapper_.Peek(seq));
  if (it == missing_.end()) return false;
  const Entry& e = it->second;
  if (how == Repair::kRetransmission && e.attempts == 1 && e.only_ours && e.last_attempt) {
    // Karn: one request, so this repair answers it. RFC 6298 smoothing, alpha = 1/8, beta = 1/4
    // (the deviation against the estimate before this sample).
    const Duration sample = std::max(Duration{0}, now - *e.last_attempt);
    const Duration off = sample > rtt_ ? sample - rtt_ : rtt_ - sample;
    rtt_deviation_ = std::min(rtt_deviation_ + (off - rtt_deviation_) / 4, config_.max_rtt);
    SetRtt(rtt_ + (sample - rtt_) / 8);
    ++stats_.rtt_samples;
  }
  ++stats_.recovered;
  missing_.erase(it);
  return true;
}

bool NackTracker::SuspectNext(Timestamp now) {
  if (!started_) return false;
  const auto [it, added] =
      missing_.emplace(highest_ + 1, Entry{now, arrivals_, now, {}, {}, 0, true, false});
  if (!added) return false;
  ++stats_.tail_suspects;
  while (missing_.size() > config_.max_tracked) GiveUp(missing_.begin(), nullptr);
  return true;
}

std::size_t NackTracker::OnProtected(std::uint16_t last_protected, Timestamp now) {
  if (!started_) return 0;
  const std::int64_t last = unwrapper_.Peek(last_protected);
  if (last <= highest_ || last - highest_ > kMaxProtectedAhead) return 0;
  const std::size_t before = missing_.size();
  AddMissing(highest_ + 1, last + 1, now);
  return missing_.size() > before ? missing_.size() - before : 0;
}

std::size_t NackTracker::OnJoinedInsideKeyframe(Timestamp now) {
  if (!AtFirstPacket()) return 0;
  AddMissing(highest_ - kJoinLookBack, highest_, now, /*look_back=*/true);
  stats_.look_back += missing_.size();
  return missing_.size();
}

std::size_t NackTracker::OnNackHeard(std::span<const std::uint16_t> seqs, Timestamp now) {
  if (!started_) return 0;
  std::size_t suppressed = 0;
  const Duration plain = PlainRetryInterval();
  for (std::uint16_t seq : seqs) {
    auto it = missing_.find(unwrapper_.Peek(seq));
    if (it == missing_.end()) continue;
    Entry& e = it->second;
    // A request heard right after one (ours or another's) belongs to the same round: the
    // sender serves both with one retransmission, so it changes nothing.
    if (e.last_attempt && now - *e.last_attempt < plain / 2) continue;
    ++e.attempts;
    e.last_attempt = now;
    e.only_ours = false;
    e.next_send = NextTry(e, now);
    e.backoff_pending = IsLargeGroup(group_size_, config_.backoff);
    ++suppressed;
  }
  stats_.nacks_suppressed += suppressed;
  return suppressed;
}

NackDue NackTracker::Process(Timestamp now, double uniform01) {
  NackDue due;
  const Duration delay = RequestDelay(uniform01);
  const bool large = IsLargeGroup(group_size_, config_.backoff);
  for (auto it = missing_.begin(); it != missing_.end();) {
    Entry& e = it->second;
    if (now - e.detected >= config_.deadline) {
      auto next = std::next(it);
      GiveUp(it, &due.lost_for_good);
      it = next;
      continue;
    }
    if (!e.next_send) {
      const Timestamp certain = CertainAt(e);
      if (certain > now) {
        ++it;
        continue;
      }
      e.next_send = certain + delay;
    }
    if (*e.next_send <= now && e.backoff_pending) {
      // A retry in a large group: the others who missed the repair retry now too.
      e.backoff_pending = false;
      e.next_send = *e.next_send + delay;
    }
    if (*e.next_send > now) {
      ++it;
      continue;
    }
    if (e.attempts >= config_.max_attempts) {
      auto next = std::next(it);
      GiveUp(it, &due.lost_for_good);
      it = next;
      continue;
    }
    due.nack.push_back(static_cast<std::uint16_t>(it->first));
    ++e.attempts;
    e.last_attempt = now;
    e.next_send = NextTry(e, now);
    e.backoff_pending = large;
    ++stats_.nacks_sent;
    ++it;
  }
  return due;
}

std::optional<Timestamp> NackTracker::NextWakeup() const {
  std::optional<Timestamp> wake;
  for (const auto& [useq, e] : missing_) {
    Timestamp t = e.next_send ? *e.next_send : CertainAt(e);
    t = std::min(t, e.detected + config_.deadline);
    if (!wake || t < *wake) wake = t;
  }
  return wake;
}

std::vector<std::uint16_t> NackTracker::Missing() const {
  std::vector<std::uint16_t> out;
  out.reserve(missing_.size());
  for (const auto& [useq, e] : missing_) out.push_back(static_cast<std::uint16_t>(useq));
  return out;
}

}  // namespace confcast::rtp
