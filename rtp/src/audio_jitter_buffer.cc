// Audio jitter buffer; the algorithm is described in confcast/rtp/audio_jitter_buffer.h.
#include <confcast/rtp/audio_jitter_buffer.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace confcast::rtp {

namespace {
PlayoutTiming::Config TimingConfig(const AudioJitterConfig& c) {
  return {.clock_rate = c.clock_rate,
          .floor = c.min_delay,
          .ceiling = c.max_delay,
          .jitter_multiplier = c.jitter_multiplier};
}
}  // namespace

AudioJitterBuffer::AudioJitterBuffer(AudioJitterConfig config)
    : config_(config), timing_(TimingConfig(config_)) {
  if (config_.frame_samples == 0) config_.frame_samples = 960;
  if (config_.capacity == 0) config_.capacity = 1;
}

AudioInsertStatus AudioJitterBuffer::Insert(std::uint16_t seq, std::uint32_t rtp_ts,
                                            std::vector<std::uint8_t> payload, Timestamp arrival) {
  ++stats_.packets_received;
  if (started_ &&
      std::abs(seq_unwrapper_.Peek(seq) - highest_useq_) > config_.restart_seq_distance) {
    // Far from the stream: a stray packet or a restarted sender; a second packet that follows
    // it decides (the probation of RFC 3550 A.1).
    if (restart_probe_ && seq == static_cast<std::uint16_t>(restart_probe_->seq + 1)) {
      Probe probe = std::move(*restart_probe_);
      ResetStream();
      ++stats_.restarts;
      (void)Store(probe.seq, probe.rtp_ts, probe.payload, probe.arrival);
      (void)Store(seq, rtp_ts, payload, arrival);
      return AudioInsertStatus::kRestarted;
    }
    if (restart_probe_) ++stats_.late;
    restart_probe_ = Probe{seq, rtp_ts, std::move(payload), arrival};
    return AudioInsertStatus::kRestartProbe;
  }
  if (restart_probe_) {
    ++stats_.late;
    restart_probe_.reset();
  }
  return Store(seq, rtp_ts, payload, arrival);
}

AudioInsertStatus AudioJitterBuffer::Store(std::uint16_t seq, std::uint32_t rtp_ts,
                                           std::vector<std::uint8_t>& payload, Timestamp arrival) {
  const std::int64_t useq = seq_unwrapper_.Unwrap(seq);
  const std::int64_t uts = ts_unwrapper_.Unwrap(rtp_ts);
  if (!started_) {
    started_ = true;
    next_uts_ = uts;
    highest_useq_ = useq;
    highest_uts_ = uts;
  }
  if (WasPlayed(useq) || packets_.contains(uts)) {
    ++stats_.duplicates;
    return AudioInsertStatus::kDuplicate;
  }
  const bool newer_than_played = !last_played_useq_ || useq > *last_played_useq_;
  if (ConcealedEnough() && newer_than_played) {
    // Idle: resume at this packet's time, even if the sender's timestamps fell behind the
    // concealment played meanwhile (its clock paused); nothing is played for the gap, and the
    // time mapping starts afresh from this packet.
    next_uts_ = uts;
    timing_.Rebase();
  }
  if (uts < next_uts_) {
    ++stats_.late;
    timing_.OnLateSample(uts, arrival);  // how late it was tells the delay what it missed
    return AudioInsertStatus::kLate;
  }
  if (packets_.size() >= config_.capacity) {
    ++stats_.overflows;
    return AudioInsertStatus::kOverflow;
  }
  if (useq < highest_useq_) ++stats_.reordered;
  highest_useq_ = std::max(highest_useq_, useq);
  highest_uts_ = std::max(highest_uts_, uts);
  timing_.OnSample(uts, arrival);
  packets_.emplace(uts, Entry{useq, seq, rtp_ts, std::move(payload)});
  return AudioInsertStatus::kStored;
}

bool AudioJitterBuffer::WasPlayed(std::int64_t useq) const noexcept {
  if (!last_played_useq_ || useq > *last_played_useq_) return false;
  const std::int64_t back = *last_played_useq_ - useq;
  return back < 64 && (played_mask_ >> back & 1u) != 0;
}

void AudioJitterBuffer::MarkPlayed(std::int64_t useq) noexcept {
  if (!last_played_useq_) {
    last_played_useq_ = useq;
    played_mask_ = 1;
    return;
  }
  if (useq > *last_played_useq_) {
    const std::int64_t shift = useq - *last_played_useq_;
    played_mask_ = shift >= 64 ? 0 : played_mask_ << shift;
    played_mask_ |= 1;
    last_played_useq_ = useq;
  } else if (*last_played_useq_ - useq < 64) {
    played_mask_ |= std::uint64_t{1} << (*last_played_useq_ - useq);
  }
}

bool AudioJitterBuffer::ConcealedEnough() const noexcept {
  const std::int64_t conceal = config_.max_concealment.count() * config_.clock_rate / 1'000'000;
  return packets_.empty() && next_uts_ >= highest_uts_ + config_.frame_samples + conceal;
}

std::optional<Timestamp> AudioJitterBuffer::NextWakeup() const noexcept {
  if (!started_ || ConcealedEnough()) return std::nullopt;
  return timing_.Playout(next_uts_);
}

AudioPollResult AudioJitterBuffer::Poll(Timestamp now) {
  AudioPollResult result;
  if (!started_) return result;
  const std::int64_t frame = config_.frame_samples;
  while (!ConcealedEnough()) {
    const Timestamp due = timing_.Playout(next_uts_);
    if (now < due) break;
    AudioSlot slot;
    slot.playout_time = due;
    slot.rtp_ts = static_cast<std::uint32_t>(next_uts_);
    const auto it = packets_.begin();
    if (it != packets_.end() && it->first < next_uts_ + frame) {
      Entry& e = it->second;
      slot.kind = AudioSlotKind::kPacket;
      slot.rtp_ts = e.rtp_ts;
      slot.seq = e.seq;
      slot.payload = std::move(e.payload);
      if (last_played_useq_ && e.useq > *last_played_useq_ + 1) {
        stats_.lost += static_cast<std::uint64_t>(e.useq - *last_played_useq_ - 1);
      }
      MarkPlayed(e.useq);
      next_uts_ = it->first + frame;
      packets_.erase(it);
      ++stats_.slots_packet;
    } else if (it != packets_.end()) {
      const Entry& e = it->second;
      if (last_played_useq_ && e.useq == *last_played_useq_ + 1) {
        slot.kind = AudioSlotKind::kSilence;  // DTX: time moved on, no packet is missing
        ++stats_.slots_silence;
      } else {
        slot.kind = AudioSlotKind::kMissing;
        if (it->first < next_uts_ + 2 * frame) {
          slot.next_available = true;
          slot.next_payload = e.payload;
        }
        ++stats_.slots_missing;
      }
      next_uts_ += frame;
    } else {
      slot.kind = AudioSlotKind::kMissing;  // underrun: loss or DTX, not known yet
      ++stats_.slots_underrun;
      next_uts_ += frame;
    }
    result.slots.push_back(std::move(slot));
  }
  return result;
}

void AudioJitterBuffer::ResetStream() {
  timing_.Reset();
  seq_unwrapper_.Reset();
  ts_unwrapper_.Reset();
  packets_.clear();
  started_ = false;
  next_uts_ = 0;
  highest_useq_ = 0;
  highest_uts_ = 0;
  last_played_useq_.reset();
  played_mask_ = 0;
  restart_probe_.reset();
}

void AudioJitterBuffer::Reset() {
  ResetStream();
  ++stats_.restarts;
}

AudioJitterStats AudioJitterBuffer::stats() const noexcept {
  AudioJitterStats s = stats_;
  s.target_delay = timing_.target_delay();
  s.jitter = timing_.jitter();
  return s;
}

}  // namespace confcast::rtp
