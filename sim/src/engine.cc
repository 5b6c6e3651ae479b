// confcast-sim's event loop and its sender: frames, FEC, loss draws, retransmission through
// the real RepairLimiter, keyframes through the real KeyframeAggregator, sender reports.
#include "engine.h"

#include <confcast/rtp/rtcp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace confcast::sim {
namespace {

constexpr std::uint32_t kSenderSsrc = kMediaSsrc;
constexpr std::size_t kMaxClasses = 8;

rtp::FecPolicyConfig PolicyConfig(bool scaled) {
  rtp::FecPolicyConfig c;
  c.retransmission = true;  // confcast-send's default: NACK/RTX on
  if (!scaled) c.full_level_reporters = std::numeric_limits<std::size_t>::max();
  return c;
}

rtp::RepairLimiterConfig LimiterConfig() {
  rtp::RepairLimiterConfig c;
  c.media_ssrc = kSenderSsrc;
  return c;
}

rtp::RtcpSchedulerConfig RtcpConfig(std::uint32_t own, double bw, rtp::Duration min_interval) {
  rtp::RtcpSchedulerConfig c;
  c.own_ssrc = own;
  c.rtcp_bandwidth_bytes_per_s = bw;
  c.min_interval = min_interval;
  return c;
}

std::size_t CompoundSize(const rtp::RtcpCompound& c) {
  return rtp::SerializedSize(std::span<const rtp::RtcpPacket>(c)) + kUdpIp;
}

}  // namespace

Engine::Engine(const SimConfig& config)
    : config_(config),
      scaled_(config.feedback == FeedbackMode::kScaled),
      n_(std::max(config.receivers, 1)),
      classes_(static_cast<int>(std::min<std::size_t>(kMaxClasses, static_cast<std::size_t>(n_)))),
      shared_delay_(config.rtt / 4),
      end_(rtp::Timestamp{static_cast<std::int64_t>(config.seconds * 1e6)}),
      rng_(config.seed),
      stream_(StreamConfig{config.bitrate_bps, config.fps, config.gop, 5.0, 0.2}, config.seed),
      fec_policy_(PolicyConfig(scaled_)),
      limiter_(LimiterConfig()),
      sender_rtcp_(
          RtcpConfig(kSenderSsrc, 0.05 * config.bitrate_bps / 8,
                     std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(config.bitrate_bps))),
          rtp::Timestamp{0}, 0.5),
      view_(  // receiver 0's view of the session: the other receivers and the sender
          RtcpConfig(kReceiverSsrcBase + 1, 0.05 * config.bitrate_bps / 8,
                     std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(config.bitrate_bps))),
          rtp::Timestamp{0}, 0.5),
      rtcp_bw_bytes_(0.05 * config.bitrate_bps / 8),
      min_interval_(std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(config.bitrate_bps))),
      repair_hist_(100'001, 0) {
  result_.config = config;
  limiter_.SetRtt(config.rtt);
  // Compound sizes from the real serializers: RR with one report block + SDES CNAME; the
  // sender's SR (no blocks: it receives nothing) + SDES; early feedback = RR + SDES + FB.
  const rtp::Sdes sdes{{rtp::SdesChunk{kReceiverSsrcBase, {{1, "receiver-0042@10.1.2.3"}}}}};
  const rtp::ReceiverReport rr{kReceiverSsrcBase, {rtp::ReportBlock{}}, {}};
  rr_size_ = CompoundSize({rr, sdes});
  fb_base_size_ = rr_size_;
  rtp::SenderReport sr;
  sr.sender_ssrc = kSenderSsrc;
  sr_size_ = CompoundSize({sr, rtp::Sdes{{rtp::SdesChunk{kSenderSsrc, {{1, "sender@10.1.2.1"}}}}}});
  reported_loss_.assign(static_cast<std::size_t>(n_), -1.0);
  InitReceivers();
  // Steady state: the sender and the view know every member already, then the receivers'
  // report timers start (they need the interval those members make).
  (void)sender_rtcp_.OnRtpSent(rtp::Timestamp{0});
  view_.OnRtpReceived(kSenderSsrc, rtp::Timestamp{0});
  view_.OnRtcpReceived(kSenderSsrc, rtp::Timestamp{0}, sr_size_);
  for (const Receiver& rx : rx_) {
    sender_rtcp_.OnRtcpReceived(rx.ssrc, rtp::Timestamp{0}, rr_size_);
    view_.OnRtcpReceived(rx.ssrc, rtp::Timestamp{0}, rr_size_);
  }
  StartReportTimers();
  SeedLossReports();
  Push(rtp::Timestamp{0}, EventKind::kFrame, 0);
  Push(sender_rtcp_.next(), EventKind::kSenderRtcp, 0);
}

void Engine::Push(rtp::Timestamp t, EventKind kind, std::uint32_t a, std::uint32_t b) {
  events_.push(Event{t, order_++, kind, a, b});
}

double Engine::Uniform() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

// Receivers that lose a packet on their own leaf, drawn by geometric skips so that the cost
// follows the losses, not the group size.
std::vector<std::uint32_t> Engine::DrawLeafLosses() {
  std::vector<std::uint32_t> out;
  const double p = config_.independent_loss;
  if (!(p > 0)) return out;
  if (p >= 1) {
    for (int r = 0; r < n_; ++r) out.push_back(static_cast<std::uint32_t>(r));
    return out;
  }
  const double lq = std::log1p(-p);
  double r = -1;
  while (true) {
    const double u = 1.0 - Uniform();  // (0, 1]
    r += 1 + std::floor(std::log(u) / lq);
    if (r >= n_) break;
    out.push_back(static_cast<std::uint32_t>(r));
  }
  return out;
}

// As RtpSession::FeedbackGroupSize: the members that send no RTP (the receivers).
int Engine::Group() const noexcept {
  return std::max(1, view_.members() - view_.senders());
}

rtp::Duration Engine::ClassDelay(int cls) const noexcept {
  const double f = classes_ > 1 ? 0.5 + static_cast<double>(cls) / (classes_ - 1) : 1.0;
  return rtp::Duration{
      static_cast<std::int64_t>(static_cast<double>((config_.rtt / 4).count()) * f)};
}

std::uint32_t Engine::Unwrap(std::uint16_t seq) const noexcept {
  // The newest number sent with these 16 bits.
  const std::uint32_t base = next_seq_ & ~0xFFFFu;
  std::uint32_t u = base | seq;
  if (u >= next_seq_ && u >= 0x10000u) u -= 0x10000u;
  return u;
}

// Steady state for FEC too: every receiver has reported before t = 0, as a real report reads:
// the fraction lost over one report interval of media, i.e. its path's loss p plus binomial
// noise (normal approximation, sd sqrt(p (1 - p) / packets)). The sender starts at the level
// FecPolicy picks from those (UpdateFec at the first frame); a receiver's first report in the
// run still covers time before it and is not counted (OnRtcp).
void Engine::SeedLossReports() {
  const double p = 1.0 - (1.0 - config_.shared_loss) * (1.0 - config_.independent_loss);
  const double packets_per_second =
      config_.bitrate_bps / 8.0 / static_cast<double>(kMaxPayload + kRtpHeader + kUdpIp);
  for (std::size_t r = 0; r < rx_.size(); ++r) {
    const double interval_s = static_cast<double>(rx_[r].interval.count()) / 1e6;
    const double packets = std::max(1.0, packets_per_second * interval_s);
    // Box-Muller: one standard normal draw from two uniform ones.
    const double u1 = 1.0 - Uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793 * Uniform());
    reported_loss_[r] = std::clamp(p + z * std::sqrt(p * (1.0 - p) / packets), 0.0, 1.0);
  }
}

void Engine::UpdateFec(rtp::Timestamp t) {
  std::vector<rtp::LossReport> reports;
  for (std::size_t r = 0; r < reported_loss_.size(); ++r) {
    if (reported_loss_[r] >= 0) reports.push_back({rx_[r].ssrc, reported_loss_[r]});
  }
  (void)fec_policy_.Update(reports, t);
}

void Engine::OnFrame(rtp::Timestamp t) {
  const auto next = rtp::Timestamp{static_cast<std::int64_t>(
      static_cast<double>(frames_.size() + 1) * 1e6 / std::max(config_.fps, 1))};
  if (next < end_) Push(next, EventKind::kFrame, 0);
  if (frames_.size() % static_cast<std::size_t>(std::max(config_.fps, 1)) == 0) UpdateFec(t);
  const bool force = std::exchange(force_keyframe_, false) || keyframes_.Due(t);
  FrameState fs;
  fs.frame = stream_.Next(t, force, fec_policy_.scheme());
  const Frame& f = fs.frame;
  if (f.keyframe) {
    keyframes_.OnKeyframeSent(t);
    ++result_.keyframes;
    if (force) ++result_.keyframes_forced;
  }
  view_.OnRtpReceived(kSenderSsrc, t);
  (void)sender_rtcp_.OnRtpSent(t);
  // Media: one record per packet, delivered class by class.
  std::unordered_map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> own;
  for (int i = 0; i < f.media; ++i) {
    const std::uint32_t seq = f.first_seq + static_cast<std::uint32_t>(i);
    const rtp::Timestamp sent = t + i * kPacketSpacing;
    const std::uint32_t bytes = f.media_bytes[static_cast<std::size_t>(i)];
    next_seq_ = seq + 1;
    media_bytes_.push_back(bytes);
    frame_of_.push_back(f.index);
    limiter_.OnMediaSent(static_cast<std::uint16_t>(seq), bytes, sent);
    media_bytes_total_ += bytes;
    ++result_.media_packets;
    SentPacket p{seq, sent, false, Lost(config_.shared_loss), {}};
    if (p.shared_lost) {
      fs.shared_media |= std::uint64_t{1} << i;
      result_.receiver_losses += static_cast<std::uint64_t>(n_);
    } else {
      p.lost = DrawLeafLosses();
      result_.receiver_losses += p.lost.size();
      for (std::uint32_t r : p.lost) own[r].first |= std::uint64_t{1} << i;
    }
    if (p.shared_lost || !p.lost.empty()) ++result_.lost_packets;
    const auto id = static_cast<std::uint32_t>(packets_.size());
    packets_.push_back(std::move(p));
    for (int c = 0; c < classes_; ++c) {
      Push(sent + shared_delay_ + ClassDelay(c), EventKind::kArrive, id,
           static_cast<std::uint32_t>(c));
    }
  }
  // Repair packets: only their loss pattern matters to a receiver.
  for (int j = 0; j < f.repair; ++j) {
    repair_bytes_ += f.repair_bytes[static_cast<std::size_t>(j)];
    if (Lost(config_.shared_loss)) {
      fs.shared_repair |= std::uint64_t{1} << j;
      continue;
    }
    for (std::uint32_t r : DrawLeafLosses()) own[r].second |= std::uint64_t{1} << j;
  }
  fs.shared_recovered = stream_.Recover(f, fs.shared_media, fs.shared_repair);
  for (const auto& [r, masks] : own) {
    const std::uint64_t m = masks.first | fs.shared_media;
    const std::uint64_t rp = masks.second | fs.shared_repair;
    fs.own.push_back({r, m, rp, 0});
  }
  std::sort(fs.own.begin(), fs.own.end(), [](const FrameState::Own& a, const FrameState::Own& b) {
    return a.receiver < b.receiver;
  });
  for (FrameState::Own& o : fs.own) o.recovered = stream_.Recover(f, o.media, o.repair);
  fs.last_sent = t + (f.media + f.repair - 1) * kPacketSpacing;
  const auto index = static_cast<std::uint32_t>(frames_.size());
  for (int c = 0; c < classes_; ++c) {
    Push(fs.last_sent + shared_delay_ + ClassDelay(c), EventKind::kFrameEnd, index,
         static_cast<std::uint32_t>(c));
  }
  if (t + shared_delay_ + ClassDelay(classes_ - 1) + config_.latency_budget <= end_)
    ++frames_judged_;
  frames_.push_back(std::move(fs));
}

void Engine::SendRtx(std::uint32_t seq, rtp::Timestamp t) {
  const std::uint32_t bytes =
      media_bytes_[seq] + static_cast<std::uint32_t>(rtp::RepairLimiter::kRtxOverheadBytes);
  rtx_bytes_ += bytes;
  ++result_.rtx_packets;
  SentPacket p{seq, t, true, Lost(config_.shared_loss), {}};
  const auto id = static_cast<std::uint32_t>(packets_.size());
  packets_.push_back(std::move(p));
  for (int c = 0; c < classes_; ++c) {
    Push(t + shared_delay_ + ClassDelay(c), EventKind::kArrive, id, static_cast<std::uint32_t>(c));
  }
}

void Engine::OnAtSender(std::uint32_t fb, rtp::Timestamp t) {
  const Feedback& f = feedback_[fb];
  const std::uint32_t from = rx_[f.from].ssrc;
  if (f.pli) {
    if (keyframes_.OnPli(t, from)) force_keyframe_ = true;
    return;
  }
  const rtp::RepairDecision d =
      limiter_.OnNack(t, rtp::FeedbackSource::OfSsrc(from), kSenderSsrc, f.seqs);
  result_.rtx_deduplicated += d.deduplicated;
  result_.rtx_refused += d.refused;
  rtp::Timestamp at = t;
  for (std::uint16_t s : d.resend) {
    SendRtx(Unwrap(s), at);
    at += kPacketSpacing;
  }
}

void Engine::OnSenderRtcp(rtp::Timestamp t) {
  const rtp::RtcpTimerDecision d = sender_rtcp_.OnTimer(t, Uniform());
  if (d.action == rtp::RtcpAction::kSendReport) {
    rtcp_bytes_ += sr_size_;
    ++result_.sender_reports;
    view_.OnRtcpReceived(kSenderSsrc, t, sr_size_);
    Push(sender_rtcp_.OnReportSent(t, sr_size_, Uniform()), EventKind::kSenderRtcp, 0);
  } else if (d.action == rtp::RtcpAction::kReschedule && d.next) {
    Push(*d.next, EventKind::kSenderRtcp, 0);
  }
}

SimResult Engine::Run() {
  const auto start = std::chrono::steady_clock::now();
  while (!events_.empty()) {
    const Event e = events_.top();
    if (e.t > end_) break;
    events_.pop();
    switch (e.kind) {
      case EventKind::kFrame:
        OnFrame(e.t);
        break;
      case EventKind::kArrive:
        OnArrive(e.a, static_cast<int>(e.b), e.t);
        break;
      case EventKind::kFrameEnd:
        OnFrameEnd(e.a, static_cast<int>(e.b), e.t);
        break;
      case EventKind::kWake:
        OnWake(e.a, e.t);
        break;
      case EventKind::kPliDue:
        OnPliDue(e.a, e.t);
        break;
      case EventKind::kDeadline:
        OnDeadline(e.a, e.b, e.t);
        break;
      case EventKind::kHeard:
        OnHeard(e.a, static_cast<int>(e.b), e.t);
        break;
      case EventKind::kAtSender:
        OnAtSender(e.a, e.t);
        break;
      case EventKind::kRtcp:
        OnRtcp(e.a, e.t);
        break;
      case EventKind::kSenderRtcp:
        OnSenderRtcp(e.t);
        break;
    }
  }
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  return Finish(wall.count());
}

void Engine::RecordRepair(rtp::Duration latency) {
  const auto bin = std::clamp<std::int64_t>(latency.count() / 10, 0,
                                            static_cast<std::int64_t>(repair_hist_.size()) - 1);
  ++repair_hist_[static_cast<std::size_t>(bin)];
}

SimResult Engine::Finish(double wall_seconds) {
  SimResult& r = result_;
  r.wall_seconds = wall_seconds;
  r.frames = frames_.size();
  const double seconds = std::max(config_.seconds, 1e-6);
  const double session_bytes = config_.bitrate_bps / 8 * seconds;
  const double lost = static_cast<double>(std::max<std::uint64_t>(r.lost_packets, 1));
  r.feedback_packets = r.nack_packets + r.pli_packets;
  r.feedback_packets_per_lost_packet = static_cast<double>(r.feedback_packets) / lost;
  r.retransmissions_per_lost_packet = static_cast<double>(r.rtx_packets) / lost;
  r.rtcp_share_pct = 100.0 * static_cast<double>(rtcp_bytes_ + feedback_bytes_) / session_bytes;
  r.feedback_share_pct = 100.0 * static_cast<double>(feedback_bytes_) / session_bytes;
  const double media = static_cast<double>(std::max<std::uint64_t>(media_bytes_total_, 1));
  r.fec_overhead_pct = 100.0 * static_cast<double>(repair_bytes_) / media;
  r.rtx_overhead_pct = 100.0 * static_cast<double>(rtx_bytes_) / media;
  r.nack_requests_per_nacked_packet = nacked_.empty() ? 0
                                                      : static_cast<double>(nack_seq_requests_) /
                                                            static_cast<double>(nacked_.size());
  // Repair latency percentiles from the 10 us histogram.
  std::uint64_t total = 0;
  for (std::uint64_t c : repair_hist_) total += c;
  auto percentile = [&](double q) {
    if (total == 0) return 0.0;
    const auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < repair_hist_.size(); ++i) {
      seen += repair_hist_[i];
      if (seen >= want) return static_cast<double>(i + 1) * 0.01;
    }
    return static_cast<double>(repair_hist_.size()) * 0.01;
  };
  r.repair_p50_ms = percentile(0.50);
  r.repair_p95_ms = percentile(0.95);
  r.repair_p99_ms = percentile(0.99);
  const rtp::Duration backoff =
      scaled_ ? rtp::MaxBackoff(Group(), config_.rtt) : rtp::Duration{3'000};
  r.max_backoff_ms = static_cast<double>(backoff.count()) / 1000.0;
  r.repair_bound_ms = 3 * static_cast<double>(config_.rtt.count()) / 1000.0 + r.max_backoff_ms;
  // Frames: each receiver's frames whose deadline fell inside the run.
  const double judged = static_cast<double>(frames_judged_) * n_;
  if (judged > 0) {
    std::uint64_t undecodable = undecodable_;
    for (const Receiver& rx : rx_) {
      if (rx.broken_since >= 0 && rx.broken_since < frames_judged_) {
        undecodable += frames_judged_ - static_cast<std::uint64_t>(rx.broken_since);
      }
    }
    r.frames_complete_pct = 100.0 * (judged - static_cast<double>(incomplete_)) / judged;
    r.frames_decodable_pct = 100.0 * (judged - static_cast<double>(undecodable)) / judged;
  }
  for (const Receiver& rx : rx_) {
    r.nacks_suppressed += rx.tracker.stats().nacks_suppressed;
    r.plis_cancelled += rx.keyframes.cancelled();
    r.unrepaired += rx.pending.size();
  }
  r.rtcp_interval_s = static_cast<double>(rtp::DeterministicInterval(
                                              view_.members(), view_.senders(), rtcp_bw_bytes_,
                                              false, view_.avg_rtcp_size(), false, min_interval_)
                                              .count()) /
                      1e6;
  r.fec_level_final = fec_policy_.level();
  return r;
}

SimResult Simulate(const SimConfig& config) {
  Engine engine(config);
  return engine.Run();
}

std::vector<int> SweepSizes() {
  return {1, 3, 10, 30, 100, 300, 1'000, 3'000, 10'000};
}

}  // namespace confcast::sim
