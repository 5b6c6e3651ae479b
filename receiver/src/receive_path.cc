// The RTP side of confcast-recv: datagrams in, through repair and admission, into the SSRC's
// ReceiveStream; NACKs and keyframe requests out. See receiver_impl.h for the chain.
#include <confcast/net/transport_address.h>
#include <confcast/rtp/h264_bitstream.h>
#include <confcast/rtp/packet.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "audio_stream.h"
#include "receiver_impl.h"
#include "video_stream.h"

namespace confcast::receiver {
void Receiver::OnRtp(Port& port) {
  auto got = port.rtp_in.Receive(port.rx->rtp_fd());
  if (!got) return;
  const Now now = Now::Read();
  if (!got->empty()) signal_->OnPacket(now.mono);
  for (const net::Datagram& d : *got) {
    ++port.datagrams;
    auto view = rtp::ParseRtp(d.data);
    if (!view) {
      ++port.malformed_rtp;
      drops_.Count(DropReason(view.error()));
      continue;
    }
    const rtp::Timestamp arrival =
        d.arrival.count() ? std::chrono::duration_cast<rtp::Timestamp>(d.arrival) : now.wall;
    const Source source{d.source, d.source_port};
    const bool video = port.kind == MediaKind::kVideo;
    // Retransmissions share the video port (SSRC multiplexing) but are never a participant.
    if (video && nack_ && nack_->IsRtx(*view)) {
      HandleRtx(d, arrival, now);
      continue;
    }
    if (video && FecRecovery::IsRepair(*view)) {  // FlexFEC: its own SSRC, PT 98
      auto r = fec_.OnRepair(*view, d.data, [&](std::uint32_t ssrc) { return Stream(ssrc, MediaKind::kVideo) != nullptr; });
      if (r.media_ssrc) ++streams_.at(*r.media_ssrc)->figures().repair.fec_received;
      DeliverRecovered(r.recovered, arrival, now);
      // After the rebuilt packets: what FEC restored is not asked for.
      if (nack_ && r.media_ssrc && r.last_protected) {
        nack_->OnProtected(*r.media_ssrc, *r.last_protected, arrival);
      }
      continue;
    }
    if (!srtp_ && video) encrypted_hint_.OnVideoPayload(view->payload);
    if (streams_.count(view->ssrc)) {
      HandleRtp(port, *view, d.data, source, arrival, now);
      continue;
    }
    // A new SSRC: probation (RFC 3550 A.1) before any per-source state exists.
    auto validated = port.gate.Offer(view->ssrc, view->sequence_number, d.data, arrival,
                                     static_cast<std::uint32_t>(rng_()));
    if (!validated) continue;
    for (const SourceGate::Held& h : *validated) {
      if (auto hv = rtp::ParseRtp(h.datagram)) HandleRtp(port, *hv, h.datagram, source, h.arrival, now);
    }
  }
}

// The stream of a packet's SSRC, created when new. The port's RTP session admits the source
// first (RFC 3550 8.2): null when the packet must be dropped: a stray of a participant that
// said BYE, the same SSRC from another transport address while the first one is alive, or our
// own SSRC (a collision: we move to a new one and the other participant keeps it).
ReceiveStream* Receiver::Admit(Port& port, const rtp::RtpView& view, const Source& source,
                               rtp::Timestamp arrival, const Now& now) {
  const std::uint32_t ssrc = view.ssrc;
  const rtp::RtpReceiveResult a =
      port.session->OnRtp(now.mono, ssrc, net::ToTransportAddress(source.first, source.second));
  if (a.collision) OnCollision(port, *a.collision);
  switch (a.admission) {
    case rtp::RtpAdmission::kAccepted:
      break;
    case rtp::RtpAdmission::kOwnLoopback:
      drops_.Count("own_loopback");
      return nullptr;
    case rtp::RtpAdmission::kConflict:
      drops_.Count("ssrc_conflict");
      if (auto s = streams_.find(ssrc); s != streams_.end()) ++s->second->figures().ssrc_conflicts;
      return nullptr;
    case rtp::RtpAdmission::kAfterBye:
      ++stray_after_bye_;
      drops_.Count("after_bye");
      return nullptr;
  }
  if (a.handover) {  // a restarted sender at another address: start afresh
    if (streams_.erase(ssrc)) sinks_->Forget(ssrc);
  }
  auto& s = streams_[ssrc];
  if (!s) {
    const rtp::Timestamp since = first_stream_ ? start_wall_ : arrival;
    first_stream_ = false;
    StreamConfig c;
    c.ssrc = ssrc;
    c.payload_type = port.plan.payload_type;
    c.abs_capture_time_id = port.plan.abs_capture_time_id;
    c.channels = port.plan.channels;
    c.latency_ceiling = std::chrono::milliseconds(o_.latency_ms);
    if (port.kind == MediaKind::kVideo) {
      const RepairBudget budget = VideoRepairBudget(c.latency_ceiling, o_.nack);
      c.repair_wait = budget.repair_wait;
      c.salvage_wait = budget.salvage_wait;
      s = std::make_unique<VideoStream>(c, since);
      if (nack_) nack_->AddMedia(ssrc);
    } else {
      s = std::make_unique<AudioStream>(c, since);
    }
    spdlog::debug("new {} source {:08x}", Name(port.kind), ssrc);
    AttachSinks(now, ssrc);
  }
  return s.get();
}

void Receiver::HandleRtp(Port& port, const rtp::RtpView& view, rtp::Bytes bytes,
                         const Source& source, rtp::Timestamp arrival, const Now& now) {
  ReceiveStream* s = Admit(port, view, source, arrival, now);
  if (!s || s->kind() != port.kind) return;
  if (port.kind == MediaKind::kVideo) keyframes_.OnPacket(view.ssrc, rtp::StartsKeyframe(view.payload));
  Feed(*s, view, arrival, PacketOrigin::kMedia, now);
  if (port.kind != MediaKind::kVideo) return;
  if (nack_) {
    nack_->OnMedia(view.ssrc, view.sequence_number, view.marker, arrival, view.payload);
  }
  DeliverRecovered(fec_.OnMedia(view.ssrc, bytes), arrival, now);
  SendNacks(now);  // a burst may have made a loss certain
}

void Receiver::Feed(ReceiveStream& s, const rtp::RtpView& view, rtp::Timestamp arrival,
                    PacketOrigin origin, const Now& now) {
  const StreamActions a = s.OnPacket(view, arrival, origin);
  if (a.dropped && a.drop_reason) drops_.Count(a.drop_reason);
  if (a.request_keyframe) RequestKeyframe(s.ssrc(), now);
}

// RFC 4588: restore the original packet and feed it where the media would have gone.
void Receiver::HandleRtx(const net::Datagram& d, rtp::Timestamp arrival, const Now& now) {
  auto restored = nack_->Restore(d.data);
  if (!restored) return;
  ReceiveStream* s = Stream(restored->media_ssrc, MediaKind::kVideo);
  if (!s) return;
  ++s->figures().repair.rtx_received;
  auto view = rtp::ParseRtp(restored->bytes);
  if (!view) return;
  Feed(*s, *view, arrival, PacketOrigin::kRtx, now);
  (void)nack_->OnRecovered(restored->media_ssrc, restored->seq, arrival,
                           rtp::Repair::kRetransmission);
}

void Receiver::DeliverRecovered(const FecRecovery::Datagrams& packets, rtp::Timestamp arrival,
                                const Now& now) {
  for (const auto& bytes : packets) {
    auto view = rtp::ParseRtp(bytes);
    ReceiveStream* s = view ? Stream(view->ssrc, MediaKind::kVideo) : nullptr;
    if (!s) continue;
    Feed(*s, *view, arrival, PacketOrigin::kFec, now);
    // No NACK for it; a rebuilt tail nobody missed yet counts as arrived.
    if (nack_ &&
        !nack_->OnRecovered(view->ssrc, view->sequence_number, arrival, rtp::Repair::kRebuilt)) {
      nack_->OnMedia(view->ssrc, view->sequence_number, view->marker, arrival);
    }
  }
}

void Receiver::SendNacks(const Now& now) {
  if (!nack_) return;
  if (video_port_.session) nack_->SetGroupSize(video_port_.session->FeedbackGroupSize());
  std::vector<NackRequest> due = nack_->Process(now.wall, Draw());
  rtp::Feedback fb;
  for (NackRequest& r : due) {
    spdlog::debug("NACK {} packets of {:08x}", r.seqs.size(), r.media_ssrc);
    fb.nack.push_back(rtp::FeedbackNack{r.media_ssrc, std::move(r.items)});
  }
  if (!fb.empty()) Send(video_port_, video_port_.session->BuildFeedback(now.mono, fb));
  for (auto& [ssrc, s] : streams_) {
    const rtp::NackTracker* t = nack_->TrackerFor(ssrc);
    if (!t) continue;
    RepairFigures& f = s->figures().repair;
    f.nacks_sent = t->stats().nacks_sent;
    f.nacks_suppressed = t->stats().nacks_suppressed;
    f.lost_for_good = t->stats().lost_for_good;
    if (t->stats().rtt_samples > 0) f.rtt_ms = static_cast<double>(t->rtt().count()) / 1000.0;
  }
}

// A stream needs a keyframe; the policy (keyframe_policy.h) decides whether a PLI goes out.
// A source we do not show is never asked: attaching a sink asks then.
void Receiver::RequestKeyframe(std::uint32_t ssrc, const Now& now) {
  ReceiveStream* s = Stream(ssrc, MediaKind::kVideo);
  if (!s || !s->has_sink()) return;
  if (video_port_.session) {
    const rtp::NackTracker* t = nack_ ? nack_->TrackerFor(ssrc) : nullptr;
    keyframes_.SetGroup(video_port_.session->FeedbackGroupSize(),
                        t ? t->rtt() : rtp::Duration{5'000});
  }
  if (!keyframes_.Request(ssrc, now.mono, Draw())) return;  // in a large group: held (Due)
  SendPli(ssrc, now);
}

void Receiver::SendPli(std::uint32_t ssrc, const Now& now) {
  spdlog::debug("PLI to {:08x}", ssrc);
  rtp::Feedback fb;
  fb.pli.push_back(ssrc);
  Send(video_port_, video_port_.session->BuildFeedback(now.mono, fb));
}

}  // namespace confcast::receiver
