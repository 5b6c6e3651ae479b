// The RTCP side of confcast-recv, around each port's rtp::RtpSession: receiver reports and
// SDES at the RFC 3550 interval, sender reports in (lip sync, round-trip time), SDES names,
// NACKs of other receivers (suppression), BYE and timeouts, and collisions with our SSRC.
// PLI and NACK go out as early feedback from receive_path.cc through the same session.
#include <confcast/net/transport_address.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "receiver_impl.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

// A source silent this long is gone (the session's RFC timeout for members that only send RTCP
// is 25 s or more; one that sends media and stops is gone much sooner for a viewer).
constexpr rtp::Duration kSenderTimeout = std::chrono::seconds(5);

}  // namespace

void Receiver::StartSession(Port& port) {
  rtp::RtpSessionConfig c;
  c.ssrc = own_ssrc_;
  c.cname = cname_;
  c.name = o_.name;
  c.rtcp_bandwidth_bytes_per_s = 0.05 * port.bandwidth_bps / 8;
  c.min_interval = std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(2.5e6 + 64e3));
  c.media_sender_timeout = kSenderTimeout;
  // Strays after a BYE are ignored for longer than anything the jitter buffer holds.
  c.bye_linger = std::max<rtp::Duration>(std::chrono::seconds(2), 2 * ByeGrace());
  if (auto a = net::LocalTransportAddress(port.tx->rtcp_fd())) c.local_addresses.push_back(*a);
  port.session.emplace(c, Now::Read().mono, [this] { return static_cast<std::uint32_t>(rng_()); });
  Port* raw = &port;
  port.session->SetReportBlockSource([this, raw](rtp::Timestamp now, bool consume) {
    std::vector<rtp::ReportBlock> blocks;
    for (auto& [ssrc, s] : streams_) {
      if (s->kind() != raw->kind) continue;
      auto b = consume ? s->stats().MakeReportBlock(now) : s->stats().PeekReportBlock(now);
      if (b) blocks.push_back(*b);
    }
    return blocks;
  });
}

void Receiver::Send(Port& port, const std::optional<rtp::RtcpCompound>& compound) {
  if (!compound || !port.tx) return;
  auto wire = rtp::Serialize(*compound);
  if (wire) (void)net::SendOne(port.tx->rtcp_fd(), *wire);
}

// RFC 3550 8.2: another participant uses our SSRC. The session that found it picked a new one
// and gives the BYE for the old; the other port's session follows (one SSRC for both).
void Receiver::OnCollision(Port& port, const rtp::SsrcCollision& c) {
  if (!c.new_ssrc) return;
  Send(port, c.bye);
  Port& other = &port == &video_port_ ? audio_port_ : video_port_;
  if (other.session) Send(other, other.session->ChangeSsrc(*c.new_ssrc));
  own_ssrc_ = *c.new_ssrc;
  ++own_ssrc_changes_;
  const std::string who = c.other_cname.empty() ? "RTP" : "RTCP from " + rtp::SafeText(c.other_cname);
  spdlog::warn("our SSRC {:08x} is also used by another participant ({}); now {:08x}", c.old_ssrc,
               who, *c.new_ssrc);
}

void Receiver::OnRtcp(Port& port) {
  auto got = port.rtcp_in.Receive(port.rx->rtcp_fd());
  if (!got) return;
  const Now now = Now::Read();
  for (const net::Datagram& d : *got) {
    auto compound = rtp::ParseRtcp(d.data, rtp::RtcpParseOptions{.strict = false});
    if (!compound) {
      ++port.malformed_rtcp;
      drops_.Count(DropReason(compound.error()));
      continue;
    }
    const rtp::RtcpReceiveResult r = port.session->Receive(
        now.mono, net::ToTransportAddress(d.source, d.source_port), *compound, d.data.size());
    for (const rtp::SenderReportHeard& sr : r.sender_reports) {
      signal_->OnSenderReport(now.mono);
      if (auto it = streams_.find(sr.ssrc); it != streams_.end()) {
        it->second->OnSenderReport(sr.ntp, sr.rtp_timestamp, now.mono);
      }
    }
    // Another receiver asked for packets: if we miss them too, the retransmission to the group
    // will serve us, so our own request is suppressed (RFC 4585 3.5.2).
    if (nack_ && port.kind == MediaKind::kVideo) {
      for (const rtp::Nack& n : r.nacks_heard) nack_->OnNackHeard(n, now.wall);
    }
    // The same for keyframe requests: the sender's one IDR answers every receiver.
    for (const rtp::KeyframeRequest& k : r.keyframe_requests_heard) {
      keyframes_.OnRequestHeard(k.media_ssrc);
    }
    bool named = false;
    for (const auto& list : {r.new_members, r.renamed}) {
      for (std::uint32_t ssrc : list) {
        const rtp::SessionMember* m = port.session->FindMember(ssrc);
        if (!m) continue;
        if (nack_ && !m->cname.empty()) nack_->OnCname(ssrc, m->cname);
        if (!m->name.empty()) {
          named = true;
          spdlog::debug("{:08x} is '{}'", ssrc, rtp::SafeText(m->name));
        }
      }
    }
    if (named && (sinks_->windowed() || !o_.participant.empty())) AttachSinks(now);
    for (const rtp::ByeHeard& bye : r.byes) {
      if (!streams_.count(bye.ssrc) || leaving_.count(bye.ssrc)) continue;
      // Kept a moment: its last frames may still be in the jitter buffer (a sender whose file
      // ended says BYE right after its final burst).
      leaving_[bye.ssrc] = Leaving{now.mono, bye.reason.empty() ? "BYE" : "BYE: " + bye.reason};
      signal_->OnBye(now.mono, bye.reason);
    }
    for (const rtp::SsrcCollision& c : r.collisions) OnCollision(port, c);
  }
}

void Receiver::RtcpTick() {
  const Now now = Now::Read();
  signal_->Tick(now.mono);
  if (sinks_->pending()) AttachSinks(now);  // a window that finished opening or waited enough
  std::vector<std::pair<std::uint32_t, std::string>> gone;
  for (const auto& [ssrc, l] : leaving_) {
    if (now.mono - l.at > ByeGrace()) gone.emplace_back(ssrc, l.why);
  }
  for (Port* port : {&video_port_, &audio_port_}) {
    if (!port->session) continue;
    Send(*port, port->session->Poll(now.mono));
    if (signal_->no_signal()) {
      // With no signal at all the path may come back: keep the participants and their
      // pictures, and let the watchdog say why.
      for (const auto& [ssrc, s] : streams_) {
        const rtp::SessionMember* m = port->session->FindMember(ssrc);
        if (m && now.mono - m->last_heard > kSenderTimeout) signal_->OnTimeout(now.mono);
      }
      continue;
    }
    const rtp::SessionTimeouts t = port->session->Timeouts(now.mono);
    for (std::uint32_t ssrc : t.timed_out) gone.emplace_back(ssrc, "timed out: nothing heard for 5 s");
    for (std::uint32_t ssrc : t.left) {
      if (!leaving_.count(ssrc)) gone.emplace_back(ssrc, "BYE");
    }
  }
  for (const auto& [ssrc, why] : gone) Remove(ssrc, why, now);
}

}  // namespace confcast::receiver
