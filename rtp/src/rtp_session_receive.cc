// RTP session, incoming side (RFC 3550 6.3.3, 6.3.4, 8.2; RFC 4585 6; RFC 5104 4.3.1): what a
// received compound or RTP packet means, after the source-binding and own-SSRC checks. See
// rtp_session.h for the rules.
//
// A compound is handled in two passes. The first looks only at SDES chunks for our SSRCs: our
// CNAME proves a loop-back, another CNAME is a collision, resolved at once so that the rest of
// the compound is read as the other participant's. The second pass takes each packet in turn;
// every SSRC it names as a sender (SR/RR/feedback sender, SDES chunk, BYE entry) must pass
// Admit against that SSRC's RTCP binding before anything it says is used.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <variant>

#include "confcast/rtp/rtp_session.h"

namespace confcast::rtp {
namespace {

constexpr std::uint32_t kLcgMultiplier = 1664525u;  // full period modulo 2^32
constexpr std::uint32_t kLcgIncrement = 1013904223u;
constexpr int kRandomTries = 16;

bool Contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

// The binding rules of rtp_session.h: same address, first address on this channel from the
// host already bound on the other, or hand-over of a media sender that went quiet.
RtpSession::Admission RtpSession::Admit(Timestamp now, std::uint32_t ssrc, Channel channel,
                                        const TransportAddress& from, bool create) {
  auto it = members_.find(ssrc);
  if (it == members_.end()) {
    if (!create) return Admission::kUnknown;
    SessionMember& m = members_[ssrc];
    m.ssrc = ssrc;
    (channel == Channel::kRtp ? m.rtp_from : m.rtcp_from) = from;
    m.first_heard = now;
    m.last_heard = now;
    return Admission::kNew;
  }
  SessionMember& m = it->second;
  if (m.bye_at) return Admission::kAfterBye;
  std::optional<TransportAddress>& bound = channel == Channel::kRtp ? m.rtp_from : m.rtcp_from;
  std::optional<TransportAddress>& other = channel == Channel::kRtp ? m.rtcp_from : m.rtp_from;
  Admission result = Admission::kKnown;
  if (bound == from) {
    // the usual case
  } else if (!bound && (!other || other->SameHost(from))) {
    bound = from;
  } else if (m.rtp_from && now - m.last_heard >= config_.handover_silence) {
    // A sender restarted elsewhere with the same SSRC: the member moves as a whole.
    bound = from;
    other.reset();
    ++counters_.handovers;
    result = Admission::kHandover;
  } else {
    return Admission::kConflict;
  }
  m.last_heard = now;
  return result;
}

std::uint32_t RtpSession::PickSsrc(std::uint32_t old_ssrc) {
  auto taken = [&](std::uint32_t x) {
    return x == 0 || x == old_ssrc || IsLocalSsrc(x) || members_.count(x) > 0;
  };
  std::uint32_t candidate = 0;
  for (int i = 0; i < kRandomTries; ++i) {
    candidate = random_ ? random_() : old_ssrc;
    if (!taken(candidate)) return candidate;
  }
  // A random source that keeps repeating itself: walk a full-period generator, which reaches
  // every 32-bit value, so a free one is found.
  do candidate = candidate * kLcgMultiplier + kLcgIncrement;
  while (taken(candidate));
  return candidate;
}

// 8.2: BYE for the old SSRC, a new one, and the old one handed to the participant that has it.
// A repair SSRC is reported once and left to its owner.
std::optional<SsrcCollision> RtpSession::ResolveCollision(Timestamp now, std::uint32_t ssrc,
                                                          Channel channel,
                                                          const TransportAddress& from,
                                                          const std::string& other_cname) {
  SsrcCollision c;
  c.old_ssrc = ssrc;
  c.other_cname = other_cname;
  if (ssrc != config_.ssrc) {
    if (Contains(repair_collisions_, ssrc)) return std::nullopt;
    repair_collisions_.push_back(ssrc);
    ++counters_.collisions;
    return c;
  }
  ++counters_.collisions;
  c.bye = ByeFor(ssrc, "SSRC collision");
  const std::uint32_t fresh = PickSsrc(ssrc);
  config_.ssrc = fresh;
  scheduler_.set_own_ssrc(fresh);
  c.new_ssrc = fresh;
  members_.erase(ssrc);  // none should exist; start the entry clean
  (void)Admit(now, ssrc, channel, from, true);
  members_[ssrc].cname = other_cname;
  return c;
}

// 6.4.1: RTT = A - LSR - DLSR. A is taken from our monotonic clock: the LSR names an SR we
// sent at a known `now`, so the round trip is the time since then minus the reporter's delay.
std::optional<Duration> RtpSession::RoundTrip(Timestamp now, const ReportBlock& block) const noexcept {
  if (block.last_sr == 0) return std::nullopt;
  const std::size_t n = std::min(sent_sr_count_, sent_srs_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const SentSr& sr = sent_srs_[i];
    if (sr.compact != block.last_sr) continue;
    const Duration rtt = now - sr.at - DurationFromCompactNtp(block.delay_since_last_sr);
    return std::max(rtt, Duration{0});
  }
  return std::nullopt;
}

RtcpReceiveResult RtpSession::Receive(Timestamp now, const TransportAddress& from,
                                      const RtcpCompound& compound, std::size_t datagram_size) {
  RtcpReceiveResult r;
  r.from = from;
  ++counters_.compounds_received;
  const bool local_address = IsLocalAddress(from);

  // Pass 1: SDES about our SSRCs.
  std::vector<std::uint32_t> proven_ours;
  for (const RtcpPacket& packet : compound) {
    const Sdes* sdes = std::get_if<Sdes>(&packet);
    if (!sdes) continue;
    for (const SdesChunk& chunk : sdes->chunks) {
      if (!IsLocalSsrc(chunk.ssrc)) continue;
      const std::string* cname = chunk.Find(SdesType::kCname);
      if (!cname) continue;
      if (*cname == config_.cname) {
        proven_ours.push_back(chunk.ssrc);
      } else if (!Contains(proven_ours, chunk.ssrc) && !local_address) {
        auto c = ResolveCollision(now, chunk.ssrc, Channel::kRtcp, from, *cname);
        if (!c) continue;
        if (c->new_ssrc) r.new_members.push_back(chunk.ssrc);
        r.collisions.push_back(std::move(*c));
      }
    }
  }

  // Pass 2.
  std::size_t size_for_average = datagram_size + config_.lower_layer_overhead;
  bool size_counted = false;
  // The scheduler takes the compound's size once; later calls pass the average back unchanged.
  auto size_once = [&]() -> std::size_t {
    if (size_counted) return static_cast<std::size_t>(std::llround(scheduler_.avg_rtcp_size()));
    size_counted = true;
    return size_for_average;
  };
  std::optional<std::uint32_t> reporter;
  auto ours = [&](std::uint32_t ssrc) {
    if (!IsLocalSsrc(ssrc)) return false;
    if (local_address || Contains(proven_ours, ssrc)) {
      ++r.ignored.own_loopback;
    } else {
      ++r.ignored.own_ssrc_foreign;
    }
    return true;
  };
  auto admit = [&](std::uint32_t ssrc, bool create) {
    switch (Admit(now, ssrc, Channel::kRtcp, from, create)) {
      case Admission::kNew:
        r.new_members.push_back(ssrc);
        return true;
      case Admission::kHandover:
        r.handovers.push_back(ssrc);
        return true;
      case Admission::kKnown:
        return true;
      case Admission::kConflict:
        ++r.ignored.wrong_address;
        return false;
      case Admission::kAfterBye:
        ++r.ignored.after_bye;
        return false;
      case Admission::kUnknown:
        return false;
    }
    return false;
  };
  auto sender = [&](std::uint32_t ssrc) {
    if (ours(ssrc) || !admit(ssrc, true)) return false;
    if (!reporter) reporter = ssrc;
    return true;
  };
  auto blocks = [&](std::uint32_t from_ssrc, const std::vector<ReportBlock>& list) {
    for (const ReportBlock& b : list) {
      if (IsLocalSsrc(b.ssrc)) r.reports.push_back(ReportAboutUs{from_ssrc, b, RoundTrip(now, b)});
    }
  };

  for (const RtcpPacket& packet : compound) {
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, SenderReport>) {
            if (!sender(p.sender_ssrc)) return;
            r.sender_reports.push_back(SenderReportHeard{p.sender_ssrc, p.ntp, p.rtp_timestamp,
                                                         p.packet_count, p.octet_count});
            blocks(p.sender_ssrc, p.report_blocks);
          } else if constexpr (std::is_same_v<T, ReceiverReport>) {
            if (!sender(p.sender_ssrc)) return;
            blocks(p.sender_ssrc, p.report_blocks);
          } else if constexpr (std::is_same_v<T, Sdes>) {
            if (p.chunks.empty()) ++r.ignored.malformed;
            for (const SdesChunk& chunk : p.chunks) {
              if (ours(chunk.ssrc)) continue;
              if (chunk.items.empty()) {
                ++r.ignored.malformed;
                continue;
              }
              if (!admit(chunk.ssrc, true)) continue;
              SessionMember& m = members_[chunk.ssrc];
              bool changed = false;
              if (const std::string* v = chunk.Find(SdesType::kCname); v && *v != m.cname) {
                m.cname = *v;
                changed = true;
              }
              if (const std::string* v = chunk.Find(SdesType::kName); v && *v != m.name) {
                m.name = *v;
                changed = true;
              }
              if (changed && !Contains(r.renamed, chunk.ssrc)) r.renamed.push_back(chunk.ssrc);
            }
          } else if constexpr (std::is_same_v<T, rtp::Bye>) {
            if (p.ssrcs.empty()) ++r.ignored.malformed;
            for (std::uint32_t ssrc : p.ssrcs) {
              if (ours(ssrc)) continue;
              if (!members_.count(ssrc)) {
                // 6.3.7: while we reconsider our own BYE, every BYE counts.
                if (scheduler_.leaving()) (void)scheduler_.OnByeReceived(ssrc, now, size_once());
                continue;
              }
              if (!admit(ssrc, false)) continue;
              SessionMember& m = members_[ssrc];
              m.bye_at = now;
              m.bye_reason = p.reason;
              m.last_rtp.reset();
              r.byes.push_back(ByeHeard{ssrc, p.reason});
              (void)scheduler_.OnByeReceived(ssrc, now, size_once());
            }
          } else if constexpr (std::is_same_v<T, Pli>) {
            if (!sender(p.sender_ssrc)) return;
            (IsLocalSsrc(p.media_ssrc) ? r.keyframe_requests : r.keyframe_requests_heard)
                .push_back(KeyframeRequest{p.sender_ssrc, p.media_ssrc, {}});
          } else if constexpr (std::is_same_v<T, Fir>) {
            if (p.entries.empty()) ++r.ignored.malformed;
            if (!sender(p.sender_ssrc)) return;
            for (const FirEntry& e : p.entries) {
              (IsLocalSsrc(e.ssrc) ? r.keyframe_requests : r.keyframe_requests_heard)
                  .push_back(KeyframeRequest{p.sender_ssrc, e.ssrc, e.seq_nr});
            }
          } else if constexpr (std::is_same_v<T, Nack>) {
            if (p.items.empty()) {
              ++r.ignored.malformed;
              return;
            }
            if (!sender(p.sender_ssrc)) return;
            (IsLocalSsrc(p.media_ssrc) ? r.nacks : r.nacks_heard).push_back(p);
          } else if constexpr (std::is_same_v<T, App>) {
            (void)sender(p.ssrc);
          }
          // UnknownRtcpPacket: nothing we interpret.
        },
        packet);
  }
  // A reporter that said BYE in this compound stays out of the scheduler's table.
  if (reporter && !members_[*reporter].bye_at) {
    scheduler_.OnRtcpReceived(*reporter, now, size_once());
  }
  counters_.ignored += r.ignored;
  return r;
}

RtpReceiveResult RtpSession::OnRtp(Timestamp now, std::uint32_t ssrc, const TransportAddress& from) {
  RtpReceiveResult r;
  if (IsLocalSsrc(ssrc)) {
    if (IsLocalAddress(from)) {
      ++counters_.ignored.own_loopback;
      r.admission = RtpAdmission::kOwnLoopback;
      return r;
    }
    r.collision = ResolveCollision(now, ssrc, Channel::kRtp, from, std::string());
    if (!r.collision || !r.collision->new_ssrc) {
      // A repair SSRC stays ours: the packet is not a member's.
      ++counters_.ignored.own_ssrc_foreign;
      r.admission = RtpAdmission::kConflict;
      return r;
    }
    r.new_member = true;
  } else {
    switch (Admit(now, ssrc, Channel::kRtp, from, true)) {
      case Admission::kNew:
        r.new_member = true;
        break;
      case Admission::kHandover:
        r.handover = true;
        break;
      case Admission::kKnown:
      case Admission::kUnknown:
        break;
      case Admission::kConflict:
        ++counters_.ignored.wrong_address;
        r.admission = RtpAdmission::kConflict;
        return r;
      case Admission::kAfterBye:
        ++counters_.ignored.after_bye;
        r.admission = RtpAdmission::kAfterBye;
        return r;
    }
  }
  members_[ssrc].last_rtp = now;
  scheduler_.OnRtpReceived(ssrc, now);
  return r;
}

}  // namespace confcast::rtp
