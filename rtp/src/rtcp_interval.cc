// RFC 3550 6.2, 6.3 and A.7: RTCP interval computation and the timer rules; see the header.
#include "confcast/rtp/rtcp_interval.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace confcast::rtp {
namespace {

// Intervals are capped far beyond any real session so that the conversion cannot overflow.
constexpr double kMaxIntervalSeconds = 1e9;

Duration FromSeconds(double seconds) noexcept {
  if (!(seconds > 0)) return Duration{0};
  return Duration{std::llround(std::min(seconds, kMaxIntervalSeconds) * static_cast<double>(kMicrosPerSecond))};
}

// A.7 rtcp_interval() before randomization, in seconds.
double DeterministicSeconds(int members, int senders, double rtcp_bw, bool we_sent,
                            double avg_rtcp_size, bool initial, Duration min_interval) noexcept {
  double min_time = ToSeconds(min_interval);
  if (initial) min_time /= 2;  // a newcomer reports sooner, but not at once (6.2)
  const int all = std::max(members, 1);
  const int sending = std::clamp(senders, 0, all);
  int n = all;
  double bw = rtcp_bw;
  // The 25% rule: with few senders, SRs get a quarter of the bandwidth among the senders.
  if (sending <= all * kRtcpSenderBandwidthFraction) {
    if (we_sent) {
      bw *= kRtcpSenderBandwidthFraction;
      n = sending;
    } else {
      bw *= kRtcpReceiverBandwidthFraction;
      n -= sending;
    }
  }
  double t = 0;
  if (bw > 0 && std::isfinite(bw) && avg_rtcp_size > 0) t = avg_rtcp_size * n / bw;
  return std::max(t, min_time);
}

double ClampDraw(double draw) noexcept {
  if (!(draw >= 0)) return 0;  // also catches NaN
  return std::min(draw, 1.0);
}

// tn - now (or now - tp) scaled by a ratio, in exact integer microseconds.
Duration Scale(Duration d, std::int64_t numerator, std::int64_t denominator) noexcept {
  return Duration{d.count() * numerator / denominator};
}

}  // namespace

Duration ReducedMinInterval(double session_bandwidth_bits_per_s) noexcept {
  if (!(session_bandwidth_bits_per_s > 0)) return kRtcpMinInterval;
  return FromSeconds(360.0 / (session_bandwidth_bits_per_s / 1000.0));
}

Duration DeterministicInterval(int members, int senders, double rtcp_bandwidth_bytes_per_s,
                               bool we_sent, double avg_rtcp_size_bytes, bool initial,
                               Duration min_interval) noexcept {
  return FromSeconds(DeterministicSeconds(members, senders, rtcp_bandwidth_bytes_per_s, we_sent,
                                          avg_rtcp_size_bytes, initial, min_interval));
}

Duration ComputeInterval(int members, int senders, double rtcp_bandwidth_bytes_per_s, bool we_sent,
                         double avg_rtcp_size_bytes, bool initial, double random_draw,
                         Duration min_interval) noexcept {
  const double t = DeterministicSeconds(members, senders, rtcp_bandwidth_bytes_per_s, we_sent,
                                        avg_rtcp_size_bytes, initial, min_interval);
  // Random factor in [0.5, 1.5) against synchronisation; compensation for reconsideration.
  return FromSeconds(t * (ClampDraw(random_draw) + 0.5) / kRtcpCompensation);
}

RtcpScheduler::RtcpScheduler(const RtcpSchedulerConfig& config, Timestamp now,
                             double random_draw) noexcept
    : config_(config),
      tp_(now),
      tn_(now),
      avg_rtcp_size_(static_cast<double>(config.initial_avg_rtcp_size)) {
  tn_ = now + Interval(random_draw);
}

Duration RtcpScheduler::Interval(double random_draw) const noexcept {
  return ComputeInterval(members_, senders_, config_.rtcp_bandwidth_bytes_per_s, we_sent_,
                         avg_rtcp_size_, initial_, random_draw, config_.min_interval);
}

Duration RtcpScheduler::CurrentDeterministic() const noexcept {
  return DeterministicInterval(members_, senders_, config_.rtcp_bandwidth_bytes_per_s, we_sent_,
                               avg_rtcp_size_, initial_, config_.min_interval);
}

// A.7 OnExpire. T is drawn again with the current state (timer reconsideration, 6.3.6), so a
// session that grew since the timer was set postpones its report instead of flooding.
RtcpTimerDecision RtcpScheduler::OnTimer(Timestamp now, double random_draw) noexcept {
  if (finished_) return {RtcpAction::kStopped, std::nullopt};
  const Timestamp due = tp_ + Interval(random_draw);
  if (leaving_) {
    // BYE reconsideration (6.3.7): members counts the BYEs heard since we decided to leave.
    if (due <= now) {
      finished_ = true;
      return {RtcpAction::kSendBye, std::nullopt};
    }
    tn_ = due;
    return {RtcpAction::kReschedule, tn_};
  }
  pmembers_ = members_;
  // RFC 4585 3.5.3: after an early packet the regular report is due at tp + 2 T.
  const Timestamp regular = early_since_report_ ? tp_ + 2 * Interval(random_draw) : due;
  if (regular <= now) return {RtcpAction::kSendReport, std::nullopt};
  tn_ = regular;
  return {RtcpAction::kReschedule, tn_};
}

Timestamp RtcpScheduler::OnReportSent(Timestamp now, std::size_t packet_size,
                                      double random_draw) noexcept {
  avg_rtcp_size_ = UpdateAvgRtcpSize(avg_rtcp_size_, packet_size);
  tp_ = now;
  sent_anything_ = true;
  // A fresh draw: the T that allowed this send is biased towards small values (A.7). As in
  // A.7, it is drawn before `initial` is cleared.
  tn_ = now + Interval(random_draw);
  initial_ = false;
  early_since_report_ = false;
  return tn_;
}

Timestamp RtcpScheduler::OnEarlySent(Timestamp now, double random_draw) noexcept {
  if (leaving_ || finished_) return tn_;
  sent_anything_ = true;
  early_since_report_ = true;
  tn_ = std::max(now, tp_ + 2 * Interval(random_draw));
  return tn_;
}

RtcpScheduler::Member& RtcpScheduler::Touch(std::uint32_t ssrc, Timestamp now) noexcept {
  auto [it, inserted] = table_.try_emplace(ssrc);
  if (inserted) ++members_;
  it->second.last_heard = now;
  return it->second;
}

void RtcpScheduler::OnRtpReceived(std::uint32_t ssrc, Timestamp now) noexcept {
  // While leaving, only BYEs count (6.3.7): senders stays 0.
  if (ssrc == config_.own_ssrc || leaving_ || finished_) return;
  Member& member = Touch(ssrc, now);
  if (!member.last_rtp) ++senders_;
  member.last_rtp = now;
}

void RtcpScheduler::OnRtcpReceived(std::uint32_t ssrc, Timestamp now,
                                   std::size_t packet_size) noexcept {
  if (ssrc == config_.own_ssrc || leaving_ || finished_) return;
  Touch(ssrc, now);
  avg_rtcp_size_ = UpdateAvgRtcpSize(avg_rtcp_size_, packet_size);
}

// Reverse reconsideration (6.3.4): when members shrink, pull tn and tp in proportionally so
// that the remaining members do not fall silent while their old, long intervals run out.
std::optional<Timestamp> RtcpScheduler::ReverseReconsider(Timestamp now) noexcept {
  if (leaving_ || finished_ || members_ >= pmembers_) return std::nullopt;
  tn_ = now + Scale(tn_ - now, members_, pmembers_);
  tp_ = now - Scale(now - tp_, members_, pmembers_);
  pmembers_ = members_;
  return tn_;
}

std::optional<Timestamp> RtcpScheduler::OnByeReceived(std::uint32_t ssrc, Timestamp now,
                                                      std::size_t packet_size) noexcept {
  if (ssrc == config_.own_ssrc || finished_) return std::nullopt;
  avg_rtcp_size_ = UpdateAvgRtcpSize(avg_rtcp_size_, packet_size);
  if (leaving_) {
    // 6.3.7: every BYE counts, known member or not.
    ++members_;
    return std::nullopt;
  }
  const auto it = table_.find(ssrc);
  if (it == table_.end()) return std::nullopt;
  if (it->second.last_rtp) --senders_;
  table_.erase(it);
  --members_;
  return ReverseReconsider(now);
}

std::optional<Timestamp> RtcpScheduler::OnRtpSent(Timestamp now) noexcept {
  if (leaving_ || finished_) return std::nullopt;
  sent_anything_ = true;
  last_rtp_sent_ = now;
  if (we_sent_) return std::nullopt;
  const Duration before = CurrentDeterministic();
  we_sent_ = true;
  ++senders_;
  const Duration after = CurrentDeterministic();
  // 6.3.8 asks for reverse reconsideration here: a new sender may be owed a shorter interval
  // (the 25% rule), so the pending wait shrinks by the same ratio. It never grows here; timer
  // reconsideration handles that when the timer fires.
  if (after >= before || tn_ <= now || before.count() == 0) return std::nullopt;
  tn_ = now + Scale(tn_ - now, after.count(), before.count());
  return tn_;
}

RtcpTimeouts RtcpScheduler::CheckTimeouts(Timestamp now) noexcept {
  RtcpTimeouts result;
  if (leaving_ || finished_) return result;
  // Td: the receiver's deterministic interval with the fixed 5 s minimum, so that members
  // using the reduced minimum do not time out those that do not (6.2, 6.3.5).
  const Duration td = DeterministicInterval(members_, senders_, config_.rtcp_bandwidth_bytes_per_s,
                                            false, avg_rtcp_size_, false,
                                            std::max(config_.min_interval, kRtcpMinInterval));
  const Timestamp member_deadline = now - kRtcpMemberTimeoutIntervals * td;
  const Timestamp sender_deadline = now - kRtcpSenderTimeoutIntervals * td;
  for (auto it = table_.begin(); it != table_.end();) {
    Member& member = it->second;
    if (member.last_heard < member_deadline) {
      if (member.last_rtp) --senders_;
      --members_;
      result.timed_out.push_back(it->first);
      it = table_.erase(it);
      continue;
    }
    if (member.last_rtp && *member.last_rtp < sender_deadline) {
      member.last_rtp.reset();
      --senders_;
      result.now_receivers.push_back(it->first);
    }
    ++it;
  }
  if (we_sent_ && last_rtp_sent_ && *last_rtp_sent_ < sender_deadline) {
    we_sent_ = false;
    --senders_;
    result.we_stopped_sending = true;
  }
  // The table is unordered; sorted results keep callers and logs deterministic.
  std::sort(result.timed_out.begin(), result.timed_out.end());
  std::sort(result.now_receivers.begin(), result.now_receivers.end());
  if (!result.timed_out.empty()) result.next = ReverseReconsider(now);
  return result;
}

ByeDecision RtcpScheduler::Leave(Timestamp now, std::size_t bye_size, double random_draw) noexcept {
  if (leaving_) return {ByeAction::kScheduled, tn_};  // already reconsidering
  if (finished_) return {ByeAction::kNone, std::nullopt};
  if (!sent_anything_) {
    finished_ = true;  // 6.3.7: never sent anything, so nobody needs to hear we left
    return {ByeAction::kNone, std::nullopt};
  }
  if (members_ < kRtcpByeReconsiderationThreshold) {
    finished_ = true;
    return {ByeAction::kSendNow, std::nullopt};
  }
  // BYE reconsideration: start as if we were alone and count the BYEs of others, so that a
  // mass departure does not flood the group with BYEs.
  leaving_ = true;
  table_.clear();
  tp_ = now;
  members_ = 1;
  pmembers_ = 1;
  senders_ = 0;
  initial_ = true;
  we_sent_ = false;
  avg_rtcp_size_ = static_cast<double>(bye_size);
  tn_ = now + Interval(random_draw);
  return {ByeAction::kScheduled, tn_};
}

}  // namespace confcast::rtp
