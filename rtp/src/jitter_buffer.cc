// Video jitter buffer and the shared playout timing; the algorithm is described in
// confcast/rtp/jitter_buffer.h.
#include <confcast/rtp/jitter_buffer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace confcast::rtp {

// --- PlayoutTiming ---------------------------------------------------------------------------

PlayoutTiming::PlayoutTiming(Config config) : config_(config) {
  if (config_.clock_rate <= 0) config_.clock_rate = 90000;
  variation_.reserve(kWindow);
  UpdateTarget();
}

Duration PlayoutTiming::RtpToDuration(std::int64_t rtp_units) const noexcept {
  return Duration{rtp_units * 1'000'000 / config_.clock_rate};
}

Duration PlayoutTiming::Transit(std::int64_t uts, Timestamp arrival) noexcept {
  if (!origin_) origin_ = uts;
  return arrival - RtpToDuration(uts - *origin_);
}

void PlayoutTiming::UpdateBase(Duration transit, Timestamp arrival) noexcept {
  // Two buckets: the minimum of the current and the previous window. An old minimum expires
  // after one to two windows, so a drifting sender clock cannot pin the base forever.
  if (!base_cur_) {
    base_cur_ = transit;
    bucket_start_ = arrival;
    return;
  }
  if (arrival - bucket_start_ >= config_.base_window) {
    base_prev_ = base_cur_;
    base_cur_ = transit;
    bucket_start_ = arrival;
  } else {
    base_cur_ = std::min(*base_cur_, transit);
  }
}

Duration PlayoutTiming::Base() const noexcept {
  if (!base_cur_) return provisional_.value_or(Duration{0});
  return base_prev_ ? std::min(*base_prev_, *base_cur_) : *base_cur_;
}

void PlayoutTiming::AddVariation(Duration v) noexcept {
  if (variation_.size() < kWindow) {
    variation_.push_back(v.count());
  } else {
    variation_[variation_next_] = v.count();
    variation_next_ = (variation_next_ + 1) % kWindow;
  }
  // Re-rank at once when the tail may have grown; otherwise every 16 samples is fresh enough
  // (the window is 128) and keeps the cost off the per-packet path.
  if (v <= p99_ && ++since_rank_ < 16) return;
  since_rank_ = 0;
  std::array<std::int64_t, kWindow> sorted;
  std::copy(variation_.begin(), variation_.end(), sorted.begin());
  const std::size_t n = variation_.size();
  const std::size_t k = (n - 1) * 99 / 100;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k),
                   sorted.begin() + static_cast<std::ptrdiff_t>(n));
  p99_ = Duration{std::max<std::int64_t>(0, sorted[k])};
}

void PlayoutTiming::UpdateTarget() noexcept {
  const auto smooth = Duration{std::llround(config_.jitter_multiplier * jitter_us_)};
  target_ = std::max(config_.floor, std::min(std::max(smooth, p99_), config_.ceiling));
}

void PlayoutTiming::OnSample(std::int64_t uts, Timestamp arrival, bool late_by_size) {
  const Duration transit = Transit(uts, arrival);
  // Samples far beyond the ceiling, several in a row, mean the mapping is stale (the sender's
  // clock paused or jumped, the path changed): re-anchor on the present instead of waiting
  // for the old minimum to age out of the window.
  if (base_cur_ && transit - Base() > config_.ceiling) {
    if (++beyond_ceiling_ >= kRebaseAfter) Rebase();
  } else {
    beyond_ceiling_ = 0;
  }
  UpdateBase(transit, arrival);
  if (late_by_size) return;
  if (last_transit_) {
    const double d = std::abs(static_cast<double>((transit - *last_transit_).count()));
    jitter_us_ += (d - jitter_us_) / 16.0;  // RFC 3550 A.8 gain
  }
  last_transit_ = transit;
  AddVariation(transit - Base());
  UpdateTarget();
}

void PlayoutTiming::OnLateSample(std::int64_t uts, Timestamp arrival) {
  if (!has_base()) return;
  AddVariation(Transit(uts, arrival) - Base());
  UpdateTarget();
}

void PlayoutTiming::SeedBase(std::int64_t uts, Timestamp arrival) {
  if (base_cur_ || provisional_) return;
  provisional_ = Transit(uts, arrival);
}

Timestamp PlayoutTiming::Expected(std::int64_t uts) const noexcept {
  return RtpToDuration(uts - origin_.value_or(uts)) + Base();
}

void PlayoutTiming::Rebase() noexcept {
  base_cur_.reset();
  base_prev_.reset();
  provisional_.reset();
  last_transit_.reset();  // the step itself is not jitter
  beyond_ceiling_ = 0;
}

Duration PlayoutTiming::jitter() const noexcept {
  return Duration{std::llround(jitter_us_)};
}

void PlayoutTiming::Reset() noexcept {
  origin_.reset();
  provisional_.reset();
  base_cur_.reset();
  base_prev_.reset();
  last_transit_.reset();
  beyond_ceiling_ = 0;
  jitter_us_ = 0;
  variation_.clear();
  variation_next_ = 0;
  since_rank_ = 0;
  p99_ = Duration{0};
  UpdateTarget();
}

// --- VideoJitterBuffer -----------------------------------------------------------------------

namespace {
PlayoutTiming::Config TimingConfig(const VideoJitterConfig& c) {
  return {.clock_rate = c.clock_rate,
          .floor = c.min_delay,
          .ceiling = c.max_delay,
          .jitter_multiplier = c.jitter_multiplier};
}
}  // namespace

VideoJitterBuffer::VideoJitterBuffer(VideoJitterConfig config)
    : config_(config), timing_(TimingConfig(config_)) {
  if (config_.capacity == 0) config_.capacity = 1;
  ring_.resize(config_.capacity);
  for (auto& slot : ring_) slot.useq = std::numeric_limits<std::int64_t>::min();
}

VideoJitterBuffer::Slot& VideoJitterBuffer::At(std::int64_t useq) noexcept {
  const auto cap = static_cast<std::int64_t>(ring_.size());
  return ring_[static_cast<std::size_t>(((useq % cap) + cap) % cap)];
}
const VideoJitterBuffer::Slot& VideoJitterBuffer::At(std::int64_t useq) const noexcept {
  const auto cap = static_cast<std::int64_t>(ring_.size());
  return ring_[static_cast<std::size_t>(((useq % cap) + cap) % cap)];
}
bool VideoJitterBuffer::Present(std::int64_t useq) const noexcept {
  const Slot& s = At(useq);
  return s.useq == useq && s.state == SlotState::kPresent;
}

InsertResult VideoJitterBuffer::Insert(VideoPacket packet, Timestamp arrival) {
  InsertResult result;
  ++stats_.packets_received;
  if (started_) {
    const std::int64_t useq = seq_unwrapper_.Peek(packet.seq);
    if (std::abs(useq - highest_) > config_.restart_seq_distance) {
      // Far from the stream: a stray packet, or the first of a restarted sender. Only a second
      // packet that follows it tells them apart (like the probation of RFC 3550 A.1).
      if (restart_probe_ && packet.seq == static_cast<std::uint16_t>(restart_probe_->seq + 1)) {
        VideoPacket probe = std::move(*restart_probe_);
        const Timestamp probe_arrival = restart_probe_arrival_;
        ResetStream();
        ++stats_.restarts;
        (void)Store(probe, probe_arrival, result);
        (void)Store(packet, arrival, result);
        result.status = InsertStatus::kRestarted;
      } else {
        if (restart_probe_) ++stats_.late;
        restart_probe_ = std::move(packet);
        restart_probe_arrival_ = arrival;
        result.status = InsertStatus::kRestartProbe;
        return result;
      }
    } else {
      if (restart_probe_) {
        ++stats_.late;
        restart_probe_.reset();
      }
      result.status = Store(packet, arrival, result);
    }
  } else {
    result.status = Store(packet, arrival, result);
  }
  Advance(arrival, result.frames, result.request_keyframe);
  return result;
}

InsertStatus VideoJitterBuffer::Store(VideoPacket& packet, Timestamp arrival,
                                      InsertResult& result) {
  if (!started_) {
    started_ = true;
    const std::int64_t first = seq_unwrapper_.Unwrap(packet.seq);
    head_ = first;
    highest_ = first - 1;
  }
  const std::int64_t useq = seq_unwrapper_.Unwrap(packet.seq);
  const auto cap = static_cast<std::int64_t>(ring_.size());
  Slot& slot = At(useq);
  if (useq < head_) {
    if (head_fixed_ || highest_ - useq >= cap) {
      if (slot.useq == useq && slot.state == SlotState::kConsumed) {
        ++stats_.duplicates;
        return InsertStatus::kDuplicate;
      }
      ++stats_.late;
      // How late it was tells the delay estimate what it missed (a late repair tells nothing
      // about the path).
      if (!packet.repaired) timing_.OnLateSample(ts_unwrapper_.Peek(packet.rtp_ts), arrival);
      return InsertStatus::kLate;
    }
    head_ = useq;  // nothing left yet: an earlier packet arriving late still belongs
  }
  if (slot.useq == useq && slot.state != SlotState::kEmpty) {
    ++stats_.duplicates;
    return InsertStatus::kDuplicate;
  }
  bool request = false;
  if (useq >= head_ + cap) {
    // Overflow: the head is stuck behind something that never came. Make room, and since what
    // is dropped breaks the reference chain, wait for a keyframe.
    // Flush to the next keyframe that leaves room, or everything: dropping just enough would
    // overflow again on the very next packet.
    ++stats_.overflows;
    EnterWaiting(arrival, request);
    const auto key = keyframe_starts_.lower_bound(useq - cap + 1);
    DropUntil(key != keyframe_starts_.end() ? *key : useq);
    result.request_keyframe |= request;
  }
  if (useq > highest_ + 1) {
    for (std::int64_t from = highest_ + 1; from < useq;) {
      const auto count = static_cast<std::uint16_t>(std::min<std::int64_t>(useq - from, 0xFFFF));
      result.new_gaps.push_back({static_cast<std::uint16_t>(from), count});
      from += count;
    }
  } else if (useq < highest_) {
    ++stats_.reordered;
  }
  highest_ = std::max(highest_, useq);
  const std::int64_t uts = ts_unwrapper_.Unwrap(packet.rtp_ts);
  if (!timing_.has_base()) timing_.SeedBase(uts, arrival);

  Slot& s = At(useq);
  s.useq = useq;
  s.state = SlotState::kPresent;
  s.marker = packet.marker;
  s.keyframe_start = packet.keyframe_start;
  s.begins_access_unit = packet.begins_access_unit;
  s.repaired = packet.repaired;
  s.rtp_ts = packet.rtp_ts;
  s.uts = uts;
  s.arrival = arrival;
  s.payload = std::move(packet.payload);
  ++buffered_;
  if (s.keyframe_start) keyframe_starts_.insert(useq);
  // At join, a whole frame went by and no keyframe is in sight: ask for one.
  if (waiting_ && s.marker && keyframe_starts_.lower_bound(head_) == keyframe_starts_.end()) {
    need_keyframe_ = true;
  }
  return InsertStatus::kStored;
}

PollResult VideoJitterBuffer::Poll(Timestamp now) {
  PollResult result;
  Advance(now, result.frames, result.request_keyframe);
  return result;
}

void VideoJitterBuffer::MaybeRequestKeyframe(Timestamp now, bool& request_keyframe) {
  if (last_request_ && now - *last_request_ < config_.keyframe_request_interval) return;
  last_request_ = now;
  request_keyframe = true;
  ++stats_.keyframe_requests;
}

void VideoJitterBuffer::EnterWaiting(Timestamp now, bool& request_keyframe) {
  waiting_ = true;
  need_keyframe_ = true;
  MaybeRequestKeyframe(now, request_keyframe);
}

VideoJitterBuffer::HeadFrame VideoJitterBuffer::ExamineHead() const noexcept {
  HeadFrame h;
  bool missing = false;
  bool have_ts = false;
  h.first_arrival = Timestamp::max();
  Timestamp last_arrival = Timestamp::min();
  for (std::int64_t s = head_; s <= highest_; ++s) {
    if (!Present(s)) {
      missing = true;
      continue;
    }
    const Slot& slot = At(s);
    if (!have_ts) {
      have_ts = true;
      h.uts = slot.uts;
    } else if (slot.uts != h.uts && !missing) {
      // The timestamp changed without a marker: the frame ended at s - 1.
      h.kind = HeadFrame::kComplete;
      h.last = s - 1;
      h.last_arrival = last_arrival;
      return h;
    }
    h.first_arrival = std::min(h.first_arrival, slot.arrival);
    last_arrival = std::max(last_arrival, slot.arrival);
    if (missing) {
      h.kind = HeadFrame::kGap;  // a hole below a packet that arrived
      return h;
    }
    if (slot.marker) {
      h.kind = HeadFrame::kComplete;
      h.last = s;
      h.last_arrival = last_arrival;
      return h;
    }
  }
  return h;  // empty, or the frame's tail simply has not arrived yet
}

Duration VideoJitterBuffer::PlayoutHold() const noexcept {
  return std::max(Duration{0}, timing_.target_delay() - config_.judder_tolerance);
}

bool VideoJitterBuffer::KeyframeAfter(std::int64_t head_uts) const noexcept {
  for (auto it = keyframe_starts_.lower_bound(head_); it != keyframe_starts_.end(); ++it) {
    if (At(*it).uts != head_uts) return true;
  }
  return false;
}

Timestamp VideoJitterBuffer::GapDeadline(std::int64_t uts, Timestamp first_arrival) const noexcept {
  return std::min(std::max({timing_.Playout(uts), first_arrival + timing_.target_delay(),
                            first_arrival + config_.repair_wait}),
                  first_arrival + config_.max_delay);
}

// Where a stream waiting for a keyframe may start again (the waiting branch of Advance).
//
// Only the first packet of an access unit may start a frame, but the packet marked
// keyframe_start need not be that packet: an AUD, SEI or the SPS/PPS may come in packets of
// their own before it. So the start walks back from the mark over present packets of the same
// timestamp, and then asks what comes before it:
//   - a present (or consumed) packet of another timestamp: the previous access unit ends there,
//     the start is certain;
//   - a consumed packet of the same timestamp: part of this access unit was already dropped, so
//     it can never be whole: drop the rest of it too;
//   - a sequence number that never arrived (or, at join, nothing at all): it may be a reordered
//     packet of this access unit. That is a frame with a gap: wait for it until the gap deadline
//     (GapDeadline, from the access unit's first arrival), and only then start without it, at
//     the marked packet itself: packets before it may begin inside a fragmented NAL unit. What
//     is left out is then at worst an AUD, SEI or parameter sets, never a slice: the mark is on
//     an SPS or on the top slice of the IDR picture;
//   - a sequence number already given up as lost: it can no longer arrive, start at the marked
//     packet now;
//   - the start packet begins_access_unit (an AUD or SPS first): whatever may precede it is not
//     needed, start there now. At join this saves the whole gap deadline (40 ms with NACK on)
//     on the first picture.
VideoJitterBuffer::Resume VideoJitterBuffer::TryResume(Timestamp now) {
  const auto key = keyframe_starts_.lower_bound(head_);
  if (key == keyframe_starts_.end()) return Resume::kNoKeyframe;
  const std::int64_t uts = At(*key).uts;
  std::int64_t start = *key;
  while (start > head_ && Present(start - 1) && At(start - 1).uts == uts) --start;
  const std::int64_t before = start - 1;
  const Slot& prev = At(before);
  const bool seen = prev.useq == before && prev.state != SlotState::kEmpty;
  if (seen && prev.state == SlotState::kConsumed && prev.uts == uts) {
    // The head of this access unit is gone: skip the whole of it.
    std::int64_t end = start + 1;
    while (end <= highest_ && !(Present(end) && At(end).uts != uts)) ++end;
    DropUntil(end);
    need_keyframe_ = true;
    return Resume::kDropped;
  }
  const bool given_up = !seen && before < head_ && head_fixed_;
  if (!seen && !given_up && !At(start).begins_access_unit) {
    Timestamp first_arrival = Timestamp::max();
    for (std::int64_t s = start; s <= highest_; ++s) {
      if (!Present(s)) continue;
      const Slot& slot = At(s);
      if (slot.uts != uts) break;
      first_arrival = std::min(first_arrival, slot.arrival);
      if (slot.marker) break;
    }
    const Timestamp deadline = GapDeadline(uts, first_arrival);
    if (now < deadline) {
      wakeup_ = deadline;
      return Resume::kWait;
    }
  }
  DropUntil(start);
  // Without a known end of the previous access unit, only the marked packet is certain to
  // begin a NAL unit (what comes before it may be the tail of a fragmented SEI). Leaving out
  // those packets of its own access unit does not drop the frame.
  if (!seen) DropUntil(*key, /*whole_frames=*/false);
  // From here on the head is the first packet of a frame: anything older is late.
  head_fixed_ = true;
  waiting_ = false;
  need_keyframe_ = false;
  return Resume::kResumed;
}

void VideoJitterBuffer::Advance(Timestamp now, std::vector<VideoFrame>& frames,
                                bool& request_keyframe) {
  wakeup_.reset();
  for (;;) {
    if (waiting_) {
      const Resume r = TryResume(now);
      if (r == Resume::kResumed || r == Resume::kDropped) continue;
      if (r == Resume::kWait) return;
      // No keyframe in the buffer: drop what can no longer be played (or is simply old), keep
      // the rest in case a keyframe's first packet is only late, and keep asking.
      for (std::int64_t s = head_; s <= highest_; ++s) {
        if (!Present(s)) continue;
        const Slot& slot = At(s);
        if (timing_.Expected(slot.uts) + config_.max_delay >= now &&
            slot.arrival + config_.max_frame_age >= now) {
          break;
        }
        DropUntil(s + 1);
      }
      if (need_keyframe_) {
        MaybeRequestKeyframe(now, request_keyframe);
        wakeup_ = *last_request_ + config_.keyframe_request_interval;
      }
      return;
    }
    const HeadFrame h = ExamineHead();
    if (h.kind == HeadFrame::kNothing) return;
    if (h.kind == HeadFrame::kComplete) {
      // Held only for the variation a viewer would see, and never longer than the ceiling,
      // whatever the mapping says.
      const Timestamp playout =
          std::min(timing_.Expected(h.uts) + PlayoutHold(), h.last_arrival + config_.max_delay);
      if (now < playout) {
        wakeup_ = playout;
        return;
      }
      if (overdue_uts_ == h.uts) ++stats_.frames_salvaged;
      overdue_uts_.reset();
      frames.push_back(Release(h.last, playout));
      continue;
    }
    // A frame with a hole waits for it until its playout time, but never less than the target
    // delay after its first packet (a stale base must not turn reordering into loss) nor than
    // the repair wait (a retransmission or FEC may still fill it), and never more than the
    // ceiling.
    const Timestamp deadline = GapDeadline(h.uts, h.first_arrival);
    if (now < deadline) {
      wakeup_ = deadline;
      return;
    }
    // Past its deadline the frame can no longer be shown on time, but while the salvage wait
    // lasts a late repair may still complete it and keep the chain: wait for that or for a
    // keyframe (requested now), whichever comes first.
    const Timestamp salvage_end = deadline + config_.salvage_wait;
    if (now < salvage_end && !KeyframeAfter(h.uts)) {
      if (overdue_uts_ != h.uts) {
        overdue_uts_ = h.uts;
        ++stats_.frames_overdue;
        MaybeRequestKeyframe(now, request_keyframe);
      }
      wakeup_ = salvage_end;
      return;
    }
    overdue_uts_.reset();
    // The gap is past its deadline: this frame is lost, and with it the reference chain.
    // Drop the whole broken frame (up to the next packet with another timestamp), so that
    // neither it nor a straggler of it is picked up again.
    EnterWaiting(now, request_keyframe);
    std::int64_t end = head_ + 1;
    while (end <= highest_ && !(Present(end) && At(end).uts != h.uts)) ++end;
    DropUntil(end);
  }
}

VideoFrame VideoJitterBuffer::Release(std::int64_t last, Timestamp playout) {
  VideoFrame f;
  const Slot& first = At(head_);
  f.rtp_ts = first.rtp_ts;
  f.keyframe = false;  // set below if any packet of the frame starts a decodable point
  f.first_seq = static_cast<std::uint16_t>(head_);
  f.last_seq = static_cast<std::uint16_t>(last);
  f.first_arrival = Timestamp::max();
  f.last_arrival = Timestamp::min();
  f.playout_time = playout;
  f.payloads.reserve(static_cast<std::size_t>(last - head_ + 1));
  const std::int64_t uts = first.uts;
  std::optional<Timestamp> path_last;  // the last packet that came over the path
  for (std::int64_t s = head_; s <= last; ++s) {
    Slot& slot = At(s);
    f.first_arrival = std::min(f.first_arrival, slot.arrival);
    f.last_arrival = std::max(f.last_arrival, slot.arrival);
    if (!slot.repaired) path_last = std::max(path_last.value_or(slot.arrival), slot.arrival);
    f.payloads.push_back(std::move(slot.payload));
    slot.payload = {};
    slot.state = SlotState::kConsumed;
    if (slot.keyframe_start) {
      f.keyframe = true;
      keyframe_starts_.erase(s);
    }
    --buffered_;
  }
  head_ = last + 1;
  head_fixed_ = true;
  ++stats_.frames_complete;
  if (path_last) timing_.OnSample(uts, *path_last, f.keyframe);
  return f;
}

void VideoJitterBuffer::DropUntil(std::int64_t end, bool whole_frames) {
  for (std::int64_t s = head_; s < end; ++s) {
    if (!Present(s)) {
      ++stats_.lost;
      continue;
    }
    Slot& slot = At(s);
    if (whole_frames) {
      if (!last_dropped_uts_ || *last_dropped_uts_ != slot.uts) ++stats_.frames_dropped;
      last_dropped_uts_ = slot.uts;
    }
    slot.payload = {};
    slot.state = SlotState::kConsumed;
    if (slot.keyframe_start) keyframe_starts_.erase(s);
    --buffered_;
  }
  // Dropping nothing fixes nothing: an earlier packet arriving a moment later still belongs.
  if (end <= head_) return;
  head_ = end;
  highest_ = std::max(highest_, head_ - 1);
  head_fixed_ = true;
}

void VideoJitterBuffer::ResetStream() {
  for (auto& slot : ring_) {
    slot.useq = std::numeric_limits<std::int64_t>::min();
    slot.state = SlotState::kEmpty;
    slot.payload = {};
  }
  seq_unwrapper_.Reset();
  ts_unwrapper_.Reset();
  timing_.Reset();
  keyframe_starts_.clear();
  started_ = false;
  head_fixed_ = false;
  head_ = 0;
  highest_ = 0;
  buffered_ = 0;
  waiting_ = true;
  need_keyframe_ = false;
  last_request_.reset();
  last_dropped_uts_.reset();
  overdue_uts_.reset();
  wakeup_.reset();
  restart_probe_.reset();
}

void VideoJitterBuffer::Reset() {
  ResetStream();
  ++stats_.restarts;
}

std::vector<SeqRange> VideoJitterBuffer::MissingRanges() const {
  std::vector<SeqRange> out;
  if (!started_ || waiting_) return out;
  for (std::int64_t s = head_; s <= highest_; ++s) {
    if (Present(s)) continue;
    if (!out.empty() && out.back().count < 0xFFFF &&
        static_cast<std::uint16_t>(out.back().first + out.back().count) ==
            static_cast<std::uint16_t>(s)) {
      ++out.back().count;
    } else {
      out.push_back({static_cast<std::uint16_t>(s), 1});
    }
  }
  return out;
}

VideoJitterStats VideoJitterBuffer::stats() const noexcept {
  VideoJitterStats s = stats_;
  s.target_delay = timing_.target_delay();
  s.playout_hold = PlayoutHold();
  s.jitter = timing_.jitter();
  return s;
}

}  // namespace confcast::rtp
