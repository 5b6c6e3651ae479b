// confcast-sim's receivers: each runs a real rtp::NackTracker (with the large-group back-off),
// the RFC 4585 early rule, a held PLI, and A.7 report timers with the real interval function.
#include <confcast/rtp/rtcp.h>

#include <algorithm>
#include <utility>

#include "engine.h"

namespace confcast::sim {

void Engine::InitReceivers() {
  rtp::NackTrackerConfig tc;
  tc.deadline = config_.latency_budget;
  tc.backoff.latency_budget = config_.latency_budget;
  rx_.reserve(static_cast<std::size_t>(n_));
  for (int r = 0; r < n_; ++r) {
    Receiver& rx = rx_.emplace_back(tc);
    rx.ssrc = kReceiverSsrcBase + static_cast<std::uint32_t>(r) + 1;
    rx.cls = static_cast<int>(static_cast<std::int64_t>(r) * classes_ / n_);
    rx.leaf = ClassDelay(rx.cls);
    // The receiver knows its round trip from RTCP (LSR/DLSR) by now.
    rx.tracker.SetRtt(2 * (shared_delay_ + rx.leaf));
  }
  for (Receiver& rx : rx_) rx.tracker.SetGroupSize(scaled_ ? n_ : 1);  // FeedbackGroupSize
}

// The session has run for a long time before t = 0: each receiver's report timer is run
// from several cycles back (timers only, with the membership of t = 0), so that at t = 0 it
// stands where that process leaves it. In a large group with loss every member has feedback to
// give, so each report is followed at once by one early packet and the next report waits for
// tp + 2 T (RFC 4585 3.5.3); otherwise (small group, or no loss) the cycle is the plain T.
void Engine::StartReportTimers() {
  const bool busy =
      scaled_ && rtp::IsLargeGroup(Group()) && config_.shared_loss + config_.independent_loss > 0;
  for (std::uint32_t r = 0; r < rx_.size(); ++r) {
    Receiver& rx = rx_[r];
    const rtp::Duration typical = RegularInterval(rx, 0.5);
    auto slot = [&](rtp::Duration drawn) { return busy ? 2 * drawn : drawn; };
    rx.tp = rtp::Timestamp{0} - 8 * slot(typical) -
            rtp::Duration{static_cast<std::int64_t>(Uniform() * 2 * static_cast<double>(
                                                                     slot(typical).count()))};
    rx.interval = RegularInterval(rx, Uniform());
    rx.tn = rx.tp + slot(rx.interval);
    while (rx.tn < rtp::Timestamp{0}) {  // A.7 OnExpire with reconsideration, as OnRtcp
      const rtp::Duration drawn = RegularInterval(rx, Uniform());
      if (rx.tp + slot(drawn) > rx.tn) {
        rx.tn = rx.tp + slot(drawn);
        continue;
      }
      rx.tp = rx.tn;
      rx.interval = RegularInterval(rx, Uniform());
      rx.tn = rx.tp + slot(rx.interval);
    }
    if (busy) (void)rx.rule.OnEarlySent(Group(), rx.tp, rx.interval);
    Push(rx.tn, EventKind::kRtcp, r);
  }
}

rtp::Duration Engine::RegularInterval(const Receiver& rx, double u) const noexcept {
  return rx.rule.RegularInterval(rtp::ComputeInterval(view_.members(), view_.senders(),
                                                      rtcp_bw_bytes_, false, view_.avg_rtcp_size(),
                                                      false, u, min_interval_));
}

void Engine::ScheduleWake(std::uint32_t r, rtp::Timestamp now) {
  Receiver& rx = rx_[r];
  const auto w = rx.tracker.NextWakeup();
  if (!w) return;
  const rtp::Timestamp at = std::max(*w, now);
  if (at >= rx.wake) return;
  rx.wake = at;
  Push(at, EventKind::kWake, r);
}

void Engine::OnArrive(std::uint32_t packet, int cls, rtp::Timestamp t) {
  SentPacket& p = packets_[packet];
  if (p.rtx) {
    OnRtxArrive(p, cls, t);
    return;
  }
  const auto lo =
      static_cast<std::uint32_t>((static_cast<std::int64_t>(cls) * n_ + classes_ - 1) / classes_);
  const auto hi = static_cast<std::uint32_t>(
      (static_cast<std::int64_t>(cls + 1) * n_ + classes_ - 1) / classes_);
  auto lost = std::lower_bound(p.lost.begin(), p.lost.end(), lo);
  const auto seq = static_cast<std::uint16_t>(p.seq);
  for (std::uint32_t r = lo; r < hi; ++r) {
    Receiver& rx = rx_[r];
    if (p.shared_lost || (lost != p.lost.end() && *lost == r)) {
      if (!p.shared_lost) ++lost;
      ++rx.lost_since_rr;
      continue;
    }
    (void)rx.tracker.OnPacket(seq, t);
    if (rx.tracker.tracked() > 0) ScheduleWake(r, t);
  }
  if (cls == classes_ - 1) {
    p.lost.clear();
    p.lost.shrink_to_fit();
  }
}

void Engine::OnRtxArrive(SentPacket& p, int cls, rtp::Timestamp t) {
  if (p.shared_lost) return;
  auto it = needers_.find(p.seq);
  if (it == needers_.end()) return;
  std::vector<std::uint32_t>& list = it->second;
  std::erase_if(list, [&](std::uint32_t r) {
    Receiver& rx = rx_[r];
    if (rx.cls != cls) return false;
    auto pend = std::find_if(rx.pending.begin(), rx.pending.end(),
                             [&](const Pending& x) { return x.seq == p.seq; });
    if (pend == rx.pending.end()) return true;  // repaired or given up already
    if (Lost(config_.independent_loss)) return false;
    RecordRepair(t - pend->expected);
    rx.pending.erase(pend);
    ++result_.rtx_recovered;
    (void)rx.tracker.OnRecovered(static_cast<std::uint16_t>(p.seq), t,
                                 rtp::Repair::kRetransmission);
    ScheduleWake(r, t);
    return true;
  });
  if (list.empty()) needers_.erase(it);
}

void Engine::OnFrameEnd(std::uint32_t index, int cls, rtp::Timestamp t) {
  FrameState& fs = frames_[index];
  const Frame& f = fs.frame;
  const auto lo =
      static_cast<std::uint32_t>((static_cast<std::int64_t>(cls) * n_ + classes_ - 1) / classes_);
  const auto hi = static_cast<std::uint32_t>(
      (static_cast<std::int64_t>(cls + 1) * n_ + classes_ - 1) / classes_);
  auto own =
      std::lower_bound(fs.own.begin(), fs.own.end(), lo,
                       [](const FrameState::Own& o, std::uint32_t r) { return o.receiver < r; });
  for (std::uint32_t r = lo; r < hi; ++r) {
    Receiver& rx = rx_[r];
    std::uint64_t media = fs.shared_media, recovered = fs.shared_recovered;
    if (own != fs.own.end() && own->receiver == r) {
      media = own->media;
      recovered = own->recovered;
      ++own;
    }
    const std::uint64_t residual = media & ~recovered;
    const rtp::Timestamp arrival0 = f.sent + shared_delay_ + rx.leaf;
    for (int i = 0; i < f.media; ++i) {
      if (!(media >> i & 1)) continue;
      const std::uint32_t seq = f.first_seq + static_cast<std::uint32_t>(i);
      const rtp::Timestamp expected = arrival0 + i * kPacketSpacing;
      if (recovered >> i & 1) {
        ++result_.fec_recovered;
        RecordRepair(t - expected);
        // A rebuilt packet the tracker has not yet missed (the frame's tail) counts as arrived.
        if (!rx.tracker.OnRecovered(static_cast<std::uint16_t>(seq), t, rtp::Repair::kRebuilt)) {
          (void)rx.tracker.OnPacket(static_cast<std::uint16_t>(seq), t);
        }
        continue;
      }
      rx.pending.push_back({seq, index, expected});
      needers_[seq].push_back(r);
    }
    if (residual != 0) {
      // The frame's tail is missing and nothing follows until the next frame: NackController
      // presumes it lost after a short silence (receiver/src/nack_controller.h).
      if (residual >> (f.media - 1) & 1) (void)rx.tracker.SuspectNext(t);
      Push(arrival0 + config_.latency_budget, EventKind::kDeadline, r, index);
      ScheduleWake(r, t);
    } else if (f.keyframe && rx.broken_since >= 0) {
      undecodable_ += index - static_cast<std::uint64_t>(rx.broken_since);
      rx.broken_since = -1;
    }
    // The policy learns whether its requests are answered (a keyframe start, or just packets).
    rx.keyframes.OnPacket(kMediaSsrc, f.keyframe && residual == 0);
  }
  if (cls == classes_ - 1) {  // the farthest class had it last: the loss lists are done
    fs.own.clear();
    fs.own.shrink_to_fit();
  }
}

void Engine::OnWake(std::uint32_t r, rtp::Timestamp t) {
  Receiver& rx = rx_[r];
  if (rx.wake != t) return;  // superseded by an earlier wake-up
  rx.wake = kNever;
  rtp::NackDue due = rx.tracker.Process(t, Uniform());
  for (std::uint16_t s : due.lost_for_good) {
    result_.unrepaired += std::erase_if(
        rx.pending, [&](const Pending& p) { return static_cast<std::uint16_t>(p.seq) == s; });
  }
  if (!due.nack.empty()) {
    if (!scaled_ || rx.rule.MayEarly(Group())) {
      SendFeedback(r, t, false, std::move(due.nack));
    } else {
      result_.nacks_not_early += due.nack.size();  // RFC 4585: waits for a regular report
    }
  }
  const auto w = rx.tracker.NextWakeup();
  if (w) {
    rx.wake = std::max(*w, t + rtp::Duration{1});
    Push(rx.wake, EventKind::kWake, r);
  }
}

void Engine::OnDeadline(std::uint32_t r, std::uint32_t frame, rtp::Timestamp t) {
  Receiver& rx = rx_[r];
  const bool missing = std::any_of(rx.pending.begin(), rx.pending.end(),
                                   [&](const Pending& p) { return p.frame == frame; });
  if (!missing) {
    if (frames_[frame].frame.keyframe && rx.broken_since >= 0) {
      undecodable_ += frame - static_cast<std::uint64_t>(rx.broken_since);
      rx.broken_since = -1;
      rx.keyframes.OnPacket(kMediaSsrc, true);  // repaired in time: the answer
    }
    return;
  }
  if (frame < frames_judged_) ++incomplete_;
  if (rx.broken_since < 0) rx.broken_since = frame;
  RequestKeyframe(r, t);
}

void Engine::RequestKeyframe(std::uint32_t r, rtp::Timestamp t) {
  Receiver& rx = rx_[r];
  rx.keyframes.SetGroup(scaled_ ? Group() : 1, rx.tracker.rtt());
  if (rx.keyframes.Request(kMediaSsrc, t, Uniform())) {
    if (!scaled_ || rx.rule.MayEarly(Group())) {
      SendFeedback(r, t, true, {});
    } else {
      ++result_.nacks_not_early;
    }
    return;
  }
  if (const auto due = rx.keyframes.NextDue()) {  // held for the large-group back-off
    pli_armed_.push_back(r);
    Push(*due, EventKind::kPliDue, r);
  }
}

void Engine::OnPliDue(std::uint32_t r, rtp::Timestamp t) {
  Receiver& rx = rx_[r];
  for (std::uint32_t ssrc : rx.keyframes.Due(t)) {  // none if cancelled: heard, or answered
    (void)ssrc;
    if (rx.rule.MayEarly(Group())) {
      SendFeedback(r, t, true, {});
    } else {
      ++result_.nacks_not_early;
    }
  }
}

void Engine::SendFeedback(std::uint32_t r, rtp::Timestamp t, bool pli,
                          std::vector<std::uint16_t> seqs) {
  Receiver& rx = rx_[r];
  std::size_t size = fb_base_size_;
  if (pli) {
    size += rtp::SerializedSize(rtp::Pli{rx.ssrc, 0});
    ++result_.pli_packets;
  } else {
    size += rtp::SerializedSize(rtp::Nack{rx.ssrc, 0, rtp::BuildNackItems(seqs)});
    ++result_.nack_packets;
    nack_seq_requests_ += seqs.size();
    for (std::uint16_t s : seqs) nacked_[Unwrap(s)] = true;
  }
  feedback_bytes_ += size;
  view_.OnRtcpReceived(rx.ssrc, t, size);
  sender_rtcp_.OnRtcpReceived(rx.ssrc, t, size);
  if (scaled_) {
    if (auto next = rx.rule.OnEarlySent(Group(), rx.tp, rx.interval)) {
      rx.tn = *next;
      Push(rx.tn, EventKind::kRtcp, r);
    }
  }
  if (Lost(config_.independent_loss)) return;  // lost on the receiver's own leaf
  const auto id = static_cast<std::uint32_t>(feedback_.size());
  feedback_.push_back(Feedback{r, pli, std::move(seqs)});
  for (int c = 0; c < classes_; ++c) {
    Push(t + rx.leaf + ClassDelay(c), EventKind::kHeard, id, static_cast<std::uint32_t>(c));
  }
  if (!Lost(config_.shared_loss)) Push(t + rx.leaf + shared_delay_, EventKind::kAtSender, id);
}

void Engine::OnHeard(std::uint32_t fb, int cls, rtp::Timestamp t) {
  const Feedback& f = feedback_[fb];
  if (f.pli) {
    std::erase_if(pli_armed_, [&](std::uint32_t r) {
      Receiver& rx = rx_[r];
      if (!rx.keyframes.NextDue()) return true;
      if (rx.cls != cls || r == f.from || Lost(config_.independent_loss)) return false;
      rx.keyframes.OnRequestHeard(kMediaSsrc);
      return true;
    });
    return;
  }
  // Every receiver of the class still missing something hears it: a NACK can go out before
  // the frame's FEC has arrived, so its hearers are not only those FEC left wanting.
  const auto lo =
      static_cast<std::uint32_t>((static_cast<std::int64_t>(cls) * n_ + classes_ - 1) / classes_);
  const auto hi = static_cast<std::uint32_t>(
      (static_cast<std::int64_t>(cls + 1) * n_ + classes_ - 1) / classes_);
  for (std::uint32_t r = lo; r < hi; ++r) {
    Receiver& rx = rx_[r];
    if (r == f.from || rx.tracker.tracked() == 0) continue;
    if (Lost(config_.independent_loss)) continue;
    if (rx.tracker.OnNackHeard(f.seqs, t) > 0) ScheduleWake(r, t);
  }
}

void Engine::OnRtcp(std::uint32_t r, rtp::Timestamp t) {
  Receiver& rx = rx_[r];
  if (rx.tn != t) return;  // moved by an early packet
  // Timer reconsideration (RFC 3550 6.3.6) with a fresh draw, the regular slot doubled after
  // an early packet (RFC 4585 3.5.3), as RtcpScheduler::OnTimer does.
  const rtp::Duration drawn = RegularInterval(rx, Uniform());
  const rtp::Duration interval = rx.rule.allow_early() ? drawn : 2 * drawn;
  if (rx.tp + interval > t) {  // not yet
    rx.tn = rx.tp + interval;
    Push(rx.tn, EventKind::kRtcp, r);
    return;
  }
  rtcp_bytes_ += rr_size_;
  ++result_.receiver_reports;
  view_.OnRtcpReceived(rx.ssrc, t, rr_size_);
  sender_rtcp_.OnRtcpReceived(rx.ssrc, t, rr_size_);
  // The first report's interval began before t = 0, where nothing was counted: the loss
  // reported before the run (the steady-state start) stands until the second.
  const std::uint64_t expected = result_.media_packets - rx.expected_at_rr;
  if (std::exchange(rx.reported, true) && expected > 0) {
    reported_loss_[r] = static_cast<double>(rx.lost_since_rr) / static_cast<double>(expected);
  }
  rx.lost_since_rr = 0;
  rx.expected_at_rr = result_.media_packets;
  rx.rule.OnRegularSent();
  rx.tp = t;
  rx.interval = RegularInterval(rx, Uniform());
  rx.tn = t + rx.interval;
  Push(rx.tn, EventKind::kRtcp, r);
}

}  // namespace confcast::sim
