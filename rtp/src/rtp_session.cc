// RTP session, outgoing side and timeouts (RFC 3550 6.1-6.4, 6.3.5, 6.3.7; RFC 4585 3.5):
// the compounds we send and when, and which members are gone. Incoming packets, source
// binding and collisions are in rtp_session_receive.cc. See rtp_session.h.
#include <algorithm>
#include <cmath>
#include <utility>

#include "confcast/rtp/rtp_session.h"

namespace confcast::rtp {
namespace {

constexpr std::size_t kMaxSdesValue = 255;
constexpr double kTwoTo32 = 4294967296.0;

std::string Cut(std::string_view text) {
  return std::string(text.substr(0, kMaxSdesValue));
}

SdesItem Item(SdesType type, const std::string& value) {
  return SdesItem{static_cast<std::uint8_t>(type), value};
}

}  // namespace

IgnoredCounts& IgnoredCounts::operator+=(const IgnoredCounts& o) noexcept {
  wrong_address += o.wrong_address;
  own_loopback += o.own_loopback;
  own_ssrc_foreign += o.own_ssrc_foreign;
  after_bye += o.after_bye;
  malformed += o.malformed;
  return *this;
}

RtpSession::RtpSession(RtpSessionConfig config, Timestamp now, RandomBits random)
    : config_(std::move(config)),
      random_(std::move(random)),
      scheduler_(
          RtcpSchedulerConfig{config_.ssrc, config_.rtcp_bandwidth_bytes_per_s,
                              config_.min_interval, config_.initial_avg_rtcp_size},
          now, Uniform()) {
  config_.cname = Cut(config_.cname);
  config_.name = Cut(config_.name);
  config_.tool = Cut(config_.tool);
}

double RtpSession::Uniform() {
  return random_ ? static_cast<double>(random_()) / kTwoTo32 : 0.5;
}

void RtpSession::AddRepairSsrc(std::uint32_t ssrc) {
  if (!IsLocalSsrc(ssrc)) config_.repair_ssrcs.push_back(ssrc);
}

void RtpSession::AddLocalAddress(const TransportAddress& address) {
  if (!IsLocalAddress(address)) config_.local_addresses.push_back(address);
}

bool RtpSession::IsLocalSsrc(std::uint32_t ssrc) const noexcept {
  return ssrc == config_.ssrc || std::find(config_.repair_ssrcs.begin(), config_.repair_ssrcs.end(),
                                           ssrc) != config_.repair_ssrcs.end();
}

bool RtpSession::IsLocalAddress(const TransportAddress& address) const noexcept {
  return std::find(config_.local_addresses.begin(), config_.local_addresses.end(), address) !=
         config_.local_addresses.end();
}

const SessionMember* RtpSession::FindMember(std::uint32_t ssrc) const {
  const auto it = members_.find(ssrc);
  return it == members_.end() ? nullptr : &it->second;
}

// 6.3.5: M * Td, Td from the fixed 5 s minimum (6.2: the reduced minimum must not time out
// participants that do not use it), never below the caller's floor.
Duration RtpSession::MemberTimeout() const noexcept {
  const Duration td = DeterministicInterval(
      scheduler_.members(), scheduler_.senders(), config_.rtcp_bandwidth_bytes_per_s, false,
      scheduler_.avg_rtcp_size(), false, std::max(config_.min_interval, kRtcpMinInterval));
  return std::max(config_.member_timeout_floor, kRtcpMemberTimeoutIntervals * td);
}

Duration RtpSession::TimeoutOf(const SessionMember& member, Duration member_timeout) const noexcept {
  return member.rtp_from && config_.media_sender_timeout ? *config_.media_sender_timeout
                                                         : member_timeout;
}

void RtpSession::OnRtpSent(Timestamp now) {
  if (done_ || leaving_) return;
  last_rtp_sent_ = now;
  (void)scheduler_.OnRtpSent(now);  // next() already reflects a pulled-in timer
}

// 6.4: an SR when we sent RTP since the report before the last one.
bool RtpSession::SendSr() const noexcept {
  if (!sender_info_ || !last_rtp_sent_) return false;
  return !report_before_last_ || *last_rtp_sent_ >= *report_before_last_;
}

Sdes RtpSession::BuildSdes() const {
  Sdes sdes;
  SdesChunk& main = sdes.chunks.emplace_back();
  main.ssrc = config_.ssrc;
  main.items.push_back(Item(SdesType::kCname, config_.cname));
  if (!config_.name.empty()) main.items.push_back(Item(SdesType::kName, config_.name));
  if (!config_.tool.empty()) main.items.push_back(Item(SdesType::kTool, config_.tool));
  for (std::uint32_t repair : config_.repair_ssrcs) {
    if (sdes.chunks.size() >= kRtcpMaxCount) break;
    SdesChunk& chunk = sdes.chunks.emplace_back();
    chunk.ssrc = repair;
    chunk.items.push_back(Item(SdesType::kCname, config_.cname));
  }
  return sdes;
}

// 6.1: a compound starts with SR or RR (more RRs when there are over 31 blocks, 6.4.2) and
// carries SDES CNAME.
RtcpCompound RtpSession::BuildReport(Timestamp now, bool consume) {
  std::vector<ReportBlock> blocks;
  if (report_blocks_) blocks = report_blocks_(now, consume);
  RtcpCompound compound;
  if (SendSr()) {
    const SenderInfo info = sender_info_();
    SenderReport sr;
    sr.sender_ssrc = config_.ssrc;
    sr.ntp = info.ntp;
    sr.rtp_timestamp = info.rtp_timestamp;
    sr.packet_count = info.packet_count;
    sr.octet_count = info.octet_count;
    sr.report_blocks = std::move(blocks);
    compound = SplitReportBlocks(std::move(sr));
    // Remembered so that a report block naming this SR in LSR gives the round trip exactly.
    sent_srs_[sent_sr_count_ % sent_srs_.size()] = SentSr{info.ntp.Compact(), now};
    ++sent_sr_count_;
  } else {
    ReceiverReport rr;
    rr.sender_ssrc = config_.ssrc;
    rr.report_blocks = std::move(blocks);
    compound = SplitReportBlocks(std::move(rr));
  }
  compound.emplace_back(BuildSdes());
  return compound;
}

// 6.6: the BYE names every SSRC we send with, repair SSRCs included.
RtcpCompound RtpSession::BuildBye(Timestamp now) {
  RtcpCompound compound = BuildReport(now, false);
  rtp::Bye bye;
  bye.ssrcs.push_back(config_.ssrc);
  for (std::uint32_t repair : config_.repair_ssrcs) {
    if (bye.ssrcs.size() < kRtcpMaxCount) bye.ssrcs.push_back(repair);
  }
  bye.reason = bye_reason_;
  compound.emplace_back(std::move(bye));
  return compound;
}

// A BYE for an SSRC we no longer use: an empty RR from it (6.1: a compound starts with a
// report), its CNAME, and the BYE.
RtcpCompound RtpSession::ByeFor(std::uint32_t ssrc, std::string_view reason) const {
  Sdes sdes;
  sdes.chunks.push_back(SdesChunk{ssrc, {Item(SdesType::kCname, config_.cname)}});
  RtcpCompound compound;
  compound.emplace_back(ReceiverReport{ssrc, {}, {}});
  compound.emplace_back(std::move(sdes));
  compound.emplace_back(rtp::Bye{{ssrc}, Cut(reason)});
  return compound;
}

std::optional<RtcpCompound> RtpSession::ChangeSsrc(std::uint32_t ssrc) {
  if (ssrc == 0 || IsLocalSsrc(ssrc) || members_.count(ssrc) || done_) return std::nullopt;
  const std::uint32_t old = config_.ssrc;
  config_.ssrc = ssrc;
  scheduler_.set_own_ssrc(ssrc);
  return ByeFor(old, "SSRC changed");
}

std::size_t RtpSession::WireSize(const RtcpCompound& compound) const noexcept {
  return SerializedSize(std::span<const RtcpPacket>(compound)) + config_.lower_layer_overhead;
}

std::optional<RtcpCompound> RtpSession::Poll(Timestamp now) {
  if (done_ || now < scheduler_.next()) return std::nullopt;
  const RtcpTimerDecision decision = scheduler_.OnTimer(now, Uniform());
  switch (decision.action) {
    case RtcpAction::kReschedule:
      return std::nullopt;
    case RtcpAction::kStopped:
      done_ = true;
      return std::nullopt;
    case RtcpAction::kSendBye:
      done_ = true;
      leaving_ = false;
      return BuildBye(now);
    case RtcpAction::kSendReport:
      break;
  }
  if (config_.trr_interval > Duration{0} && last_report_ &&
      now - *last_report_ < config_.trr_interval) {
    // RFC 4585 3.5.3: the slot passes without a report (tp moves on, early feedback is allowed
    // again); the loss interval of the report blocks runs on to the next report sent.
    const auto avg = static_cast<std::size_t>(std::llround(scheduler_.avg_rtcp_size()));
    (void)scheduler_.OnReportSent(now, avg, Uniform());
    ++counters_.reports_skipped;
    return std::nullopt;
  }
  RtcpCompound compound = BuildReport(now, true);
  (void)scheduler_.OnReportSent(now, WireSize(compound), Uniform());
  report_before_last_ = last_report_;
  last_report_ = now;
  ++counters_.reports_sent;
  return compound;
}

Timestamp RtpSession::NextWakeup() const {
  Timestamp next = done_ ? Timestamp::max() : scheduler_.next();
  const Duration timeout = MemberTimeout();
  for (const auto& [ssrc, m] : members_) {
    next = std::min(next, m.bye_at ? *m.bye_at + config_.bye_linger
                                   : m.last_heard + TimeoutOf(m, timeout));
  }
  return next;
}

int RtpSession::FeedbackGroupSize() const noexcept {
  return std::max(1, scheduler_.members() - scheduler_.senders());
}

bool RtpSession::MayEarly() const noexcept {
  return FeedbackGroupSize() <= config_.small_group || !scheduler_.early_since_report();
}

std::optional<RtcpCompound> RtpSession::BuildFeedback(Timestamp now, const Feedback& feedback) {
  if (done_ || leaving_ || feedback.empty()) return std::nullopt;
  if (!MayEarly()) {
    ++counters_.feedback_held;
    return std::nullopt;
  }
  // Peeked blocks, and no OnReportSent: the regular reports keep their loss intervals. In a
  // large group the early packet takes the next regular slot (RFC 4585 3.5.3).
  if (FeedbackGroupSize() > config_.small_group) (void)scheduler_.OnEarlySent(now, Uniform());
  RtcpCompound compound = BuildReport(now, false);
  for (std::uint32_t media : feedback.pli) compound.emplace_back(Pli{config_.ssrc, media});
  if (!feedback.fir.empty()) compound.emplace_back(Fir{config_.ssrc, feedback.fir});
  for (const FeedbackNack& n : feedback.nack) {
    if (!n.items.empty()) compound.emplace_back(Nack{config_.ssrc, n.media_ssrc, n.items});
  }
  ++counters_.feedback_sent;
  return compound;
}

std::optional<RtcpCompound> RtpSession::Bye(Timestamp now, std::string_view reason) {
  if (done_ || leaving_) return std::nullopt;
  bye_reason_ = Cut(reason);
  RtcpCompound compound = BuildBye(now);
  const ByeDecision decision = scheduler_.Leave(now, WireSize(compound), Uniform());
  switch (decision.action) {
    case ByeAction::kNone:
      done_ = true;
      return std::nullopt;
    case ByeAction::kSendNow:
      done_ = true;
      return compound;
    case ByeAction::kScheduled:
      leaving_ = true;
      return std::nullopt;
  }
  return std::nullopt;
}

SessionTimeouts RtpSession::Timeouts(Timestamp now) {
  SessionTimeouts out;
  const Duration timeout = MemberTimeout();  // before the scheduler's table shrinks
  const RtcpTimeouts demoted = scheduler_.CheckTimeouts(now);
  for (std::uint32_t ssrc : demoted.now_receivers) {
    const auto it = members_.find(ssrc);
    if (it == members_.end() || !it->second.last_rtp) continue;
    it->second.last_rtp.reset();
    out.now_receivers.push_back(ssrc);
  }
  for (auto it = members_.begin(); it != members_.end();) {
    const SessionMember& m = it->second;
    if (m.bye_at && now - *m.bye_at >= config_.bye_linger) {
      out.left.push_back(it->first);
    } else if (!m.bye_at && now - m.last_heard > TimeoutOf(m, timeout)) {
      out.timed_out.push_back(it->first);
      // Gone before the scheduler's own (longer) timeout: take it out of the interval's count
      // as a departure (6.3.4), with the average size left as it is.
      if (!scheduler_.leaving()) {
        (void)scheduler_.OnByeReceived(
            it->first, now, static_cast<std::size_t>(std::llround(scheduler_.avg_rtcp_size())));
      }
    } else {
      ++it;
      continue;
    }
    it = members_.erase(it);
  }
  return out;
}

}  // namespace confcast::rtp
