#include "rtx_sender.h"

#include <algorithm>

namespace confcast::sender {
namespace {

rtp::RepairLimiterConfig LimitsOf(const RtxSenderConfig& c) {
  rtp::RepairLimiterConfig l = c.limits;
  l.media_ssrc = c.media_ssrc;
  l.history_packets = c.history.max_packets;
  l.max_age = c.history.max_age;
  return l;
}

}  // namespace

RtxSender::RtxSender(RtxSenderConfig config)
    : config_(config),
      history_(config.history),
      limiter_(LimitsOf(config)),
      next_seq_(config.first_sequence_number),
      rtt_(config.default_rtt) {
  limiter_.SetRtt(rtt_);
}

void RtxSender::Remember(rtp::Bytes packet, rtp::Timestamp now) {
  if (packet.size() < rtp::kRtpHeaderSize) return;
  const std::uint16_t seq = rtp::ReadU16(packet, 2);
  history_.Put(seq, packet, now);
  limiter_.OnMediaSent(seq, packet.size(), now);
}

void RtxSender::SetRtt(std::optional<rtp::Duration> rtt) {
  rtt_ = rtt ? std::clamp(*rtt, config_.min_rtt, config_.max_rtt) : config_.default_rtt;
  limiter_.SetRtt(rtt_);
}

void RtxSender::SetMediaSsrc(std::uint32_t ssrc) {
  config_.media_ssrc = ssrc;
  limiter_.SetMediaSsrc(ssrc);
}

void RtxSender::OnLossReport(const rtp::FeedbackSource& source, double fraction_lost,
                             rtp::Timestamp now) {
  limiter_.OnLossReport(source, fraction_lost, now);
}

std::vector<std::vector<std::uint8_t>> RtxSender::OnNack(const rtp::Nack& nack, rtp::Timestamp now,
                                                         std::optional<rtp::FeedbackSource> source) {
  std::vector<std::vector<std::uint8_t>> out;
  const std::vector<std::uint16_t> seqs = rtp::ExpandNack(nack.items);
  const rtp::RepairDecision decision = limiter_.OnNack(
      now, source.value_or(rtp::FeedbackSource::OfSsrc(nack.sender_ssrc)), nack.media_ssrc, seqs);
  if (nack.media_ssrc != config_.media_ssrc) return out;  // not about us: not counted as ours
  stats_.nacked += seqs.size();
  stats_.retransmissions_deduplicated += decision.deduplicated;
  for (std::uint16_t seq : decision.resend) {
    // The limiter owns the hold-off; the history only hands out the bytes.
    const rtp::ResendDecision d = history_.OnNack(seq, now, rtp::Duration{0});
    if (d.verdict != rtp::ResendVerdict::kResend) {
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
  RtxSenderStats s = stats_;
  s.not_in_history += limiter_.counters().refused_unknown;
  s.limiter = limiter_.counters();
  return s;
}

rtp::FeedbackSource FeedbackSourceOf(const net::IpAddress& address, std::uint16_t port) {
  return rtp::FeedbackSource::OfAddress(address.family == net::Family::kIpv6, address.bytes, port);
}

rtp::FeedbackSource FeedbackSourceOf(const rtp::TransportAddress& from) {
  return rtp::FeedbackSource::OfAddress(from.v6, std::span(from.ip).first(from.v6 ? 16 : 4), from.port);
}

}  // namespace confcast::sender
