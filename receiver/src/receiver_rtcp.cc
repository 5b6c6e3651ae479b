// The RTCP side of confcast-recv: receiver reports, SDES, PLI and NACK out; sender reports
// (lip sync, round-trip time), SDES names, NACKs of other receivers (suppression) and BYE in.
#include <fmt/format.h>

#include <cstdio>

#include "receiver_impl.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

constexpr rtp::Duration kParticipantTimeout = std::chrono::seconds(5);

}  // namespace

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
    const Source from{d.source, d.source_port};
    for (const rtp::RtcpPacket& p : *compound) HandleRtcp(port, p, d.data.size(), from, now);
  }
}

void Receiver::HandleRtcp(Port& port, const rtp::RtcpPacket& packet, std::size_t compound_size,
                          const Source& /*from*/, const Now& now) {
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, rtp::SenderReport>) {
          if (p.sender_ssrc == own_ssrc_) return;
          port.scheduler->OnRtcpReceived(p.sender_ssrc, now.mono, compound_size);
          signal_->OnSenderReport(now.mono);
          if (auto it = streams_.find(p.sender_ssrc); it != streams_.end()) {
            it->second->OnSenderReport(p.ntp, p.rtp_timestamp, now.mono);
          }
          if (auto it = participants_.find(p.sender_ssrc); it != participants_.end()) {
            it->second.last_heard = now.mono;
          }
        } else if constexpr (std::is_same_v<T, rtp::ReceiverReport>) {
          if (p.sender_ssrc != own_ssrc_) port.scheduler->OnRtcpReceived(p.sender_ssrc, now.mono, compound_size);
        } else if constexpr (std::is_same_v<T, rtp::Sdes>) {
          for (const rtp::SdesChunk& c : p.chunks) {
            if (const std::string* v = c.Find(rtp::SdesType::kCname); v && nack_) nack_->OnCname(c.ssrc, *v);
            if (c.ssrc == own_ssrc_) {
              // Our own reports come back to us (multicast loopback) with our CNAME; another
              // CNAME on our SSRC is a collision (RFC 3550 8.2).
              const std::string* cname = c.Find(rtp::SdesType::kCname);
              if (cname && *cname != cname_) OwnSsrcCollision("RTCP from " + *cname, now);
              continue;
            }
            auto it = participants_.find(c.ssrc);
            if (it == participants_.end()) continue;
            const bool was_unnamed = it->second.name.empty();
            if (const std::string* v = c.Find(rtp::SdesType::kCname)) it->second.cname = *v;
            if (const std::string* v = c.Find(rtp::SdesType::kName)) it->second.name = *v;
            if (was_unnamed && !it->second.name.empty() && o_.verbose) {
              std::fprintf(stderr, "confcast-recv: %08x is '%s'\n", c.ssrc, it->second.name.c_str());
            }
            if (was_unnamed && (sinks_->windowed() || !o_.participant.empty())) AttachSinks(now);
          }
        } else if constexpr (std::is_same_v<T, rtp::Nack>) {
          // Another receiver asked for packets: if we miss them too, the retransmission to the
          // group will serve us, so our own request is suppressed (RFC 4585 3.5.2).
          if (p.sender_ssrc != own_ssrc_ && nack_ && port.kind == MediaKind::kVideo) {
            nack_->OnNackHeard(p, now.wall);
          }
        } else if constexpr (std::is_same_v<T, rtp::Bye>) {
          for (std::uint32_t ssrc : p.ssrcs) {
            auto it = participants_.find(ssrc);
            if (ssrc == own_ssrc_ || it == participants_.end() || it->second.bye) continue;
            (void)port.scheduler->OnByeReceived(ssrc, now.mono, compound_size);
            // Keep it a moment: its last frames may still be in the jitter buffer (a sender
            // whose file ended says BYE right after its final burst).
            it->second.bye = true;
            it->second.bye_at = now.mono;
            it->second.bye_reason = p.reason.empty() ? "BYE" : "BYE: " + p.reason;
            signal_->OnBye(now.mono, p.reason);
          }
        }
      },
      packet);
}

// RFC 3550 8.2: another participant uses our SSRC. Say BYE for it and continue with a new
// random one that nobody in the session uses.
void Receiver::OwnSsrcCollision(const std::string& why, const Now& now) {
  const std::uint32_t old_ssrc = own_ssrc_;
  for (Port* port : {&video_port_, &audio_port_}) {
    SendCompound(*port, std::nullopt, std::string("SSRC collision"), now);
  }
  do own_ssrc_ = static_cast<std::uint32_t>(rng_());
  while (own_ssrc_ == 0 || own_ssrc_ == old_ssrc || participants_.count(own_ssrc_));
  ++own_ssrc_changes_;
  std::fprintf(stderr, "confcast-recv: our SSRC %08x is also used by another participant (%s); now %08x\n",
               old_ssrc, why.c_str(), own_ssrc_);
}

void Receiver::SendCompound(Port& port, std::optional<std::uint32_t> pli_for,
                            const std::optional<std::string>& bye_reason, const Now& now,
                            std::vector<rtp::Nack> nacks) {
  if (!port.tx) return;
  // Early feedback (PLI, NACK) must not reset the interval statistics of the regular reports.
  const bool early = pli_for.has_value() || !nacks.empty();
  rtp::ReceiverReport rr;
  rr.sender_ssrc = own_ssrc_;
  for (auto& [ssrc, s] : streams_) {
    if (s->kind() != port.kind) continue;
    if (rr.report_blocks.size() >= 31) break;
    if (auto b = early ? s->stats().PeekReportBlock(now.mono) : s->stats().MakeReportBlock(now.mono)) {
      rr.report_blocks.push_back(*b);
    }
  }
  rtp::Sdes sdes;
  rtp::SdesChunk& chunk = sdes.chunks.emplace_back();
  chunk.ssrc = own_ssrc_;
  chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kCname), cname_});
  if (!o_.name.empty()) chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kName), o_.name});
  rtp::RtcpCompound compound;
  compound.emplace_back(std::move(rr));
  compound.emplace_back(std::move(sdes));
  if (pli_for) compound.emplace_back(rtp::Pli{own_ssrc_, *pli_for});
  for (rtp::Nack& n : nacks) compound.emplace_back(std::move(n));
  if (bye_reason) {
    rtp::Bye bye;
    bye.ssrcs.push_back(own_ssrc_);
    bye.reason = bye_reason->substr(0, 255);
    compound.emplace_back(std::move(bye));
  }
  auto wire = rtp::Serialize(compound);
  if (!wire) return;
  if (net::SendOne(port.tx->rtcp_fd(), *wire) && !early && !bye_reason) {
    (void)port.scheduler->OnReportSent(now.mono, wire->size(), Draw());
  }
}

void Receiver::RtcpTick() {
  const Now now = Now::Read();
  for (Port* port : {&video_port_, &audio_port_}) {
    if (!port->scheduler) continue;
    if (now.mono >= port->scheduler->next()) {
      const auto d = port->scheduler->OnTimer(now.mono, Draw());
      if (d.action == rtp::RtcpAction::kSendReport) SendCompound(*port, std::nullopt, std::nullopt, now);
    }
    (void)port->scheduler->CheckTimeouts(now.mono);
  }
  signal_->Tick(now.mono);
  if (sinks_->opening()) AttachSinks(now);  // a window that finished opening
  std::vector<std::pair<std::uint32_t, std::string>> gone;
  for (const auto& [ssrc, p] : participants_) {
    if (p.bye && now.mono - p.bye_at > ByeGrace()) {
      gone.emplace_back(ssrc, p.bye_reason);
    } else if (!p.bye && now.mono - p.last_heard > kParticipantTimeout) {
      // With no signal at all the path may come back: keep the participant and its picture.
      if (signal_->no_signal()) {
        signal_->OnTimeout(now.mono);
        continue;
      }
      gone.emplace_back(ssrc, "timed out: nothing heard for 5 s");
    }
  }
  for (const auto& [ssrc, why] : gone) Remove(ssrc, why, now);
  std::erase_if(departed_, [&](const auto& kv) { return now.mono - kv.second > std::chrono::seconds(10); });
}

}  // namespace confcast::receiver
