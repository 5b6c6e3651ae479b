#include "nack_controller.h"

#include <confcast/rtp/h264_bitstream.h>

namespace confcast::receiver {

NackController::NackController(NackControllerConfig config) : config_(config) {
  apt_.Set(config_.rtx_payload_type, config_.media_payload_type);
}

bool NackController::IsRtx(const rtp::RtpView& packet) const {
  return packet.payload_type == config_.rtx_payload_type || fid_.count(packet.ssrc) != 0;
}

std::optional<std::uint32_t> NackController::MediaFor(std::uint32_t rtx_ssrc) const {
  if (auto it = fid_.find(rtx_ssrc); it != fid_.end()) return it->second;
  if (auto c = cnames_.find(rtx_ssrc); c != cnames_.end()) {
    for (const auto& [ssrc, stream] : trackers_) {
      auto m = cnames_.find(ssrc);
      if (m != cnames_.end() && m->second == c->second) return ssrc;
    }
  }
  // Before any SDES arrived: with a single video source there is no ambiguity.
  if (trackers_.size() == 1) return trackers_.begin()->first;
  return std::nullopt;
}

std::expected<RestoredPacket, RtxDrop> NackController::Restore(rtp::Bytes datagram) {
  auto rtx = rtp::ParseRtx(datagram);
  if (!rtx) {
    ++rtx_malformed_;
    return std::unexpected(RtxDrop::kMalformed);
  }
  const auto media = MediaFor(rtx->rtp.ssrc);
  if (!media) {
    ++rtx_unresolved_;
    return std::unexpected(RtxDrop::kUnknownMedia);
  }
  rtp::RtxAptMap apt = apt_;
  // An SDP-declared RTX stream may use another payload type: map it to our media type.
  if (!apt.Find(rtx->rtp.payload_type)) apt.Set(rtx->rtp.payload_type, config_.media_payload_type);
  auto bytes = rtp::RestoreOriginal(*rtx, apt, *media);
  if (!bytes) {
    ++rtx_malformed_;
    return std::unexpected(RtxDrop::kMalformed);
  }
  return RestoredPacket{*media, rtx->osn, std::move(*bytes)};
}

void NackController::AddMedia(std::uint32_t ssrc) {
  auto [it, added] = trackers_.try_emplace(ssrc, config_.tracker);
  if (added) it->second.tracker.SetGroupSize(group_size_);
}

void NackController::SetGroupSize(int members) {
  if (members == group_size_) return;
  group_size_ = members;
  for (auto& [ssrc, s] : trackers_) s.tracker.SetGroupSize(members);
}

void NackController::Forget(std::uint32_t ssrc) {
  trackers_.erase(ssrc);
  // Its RTX SSRC goes with it: the CNAMEs of untracked SSRCs that share the leaver's CNAME, and
  // any FID pairing that names it, so a room where people come and go for days keeps nothing of
  // someone who left.
  if (auto it = cnames_.find(ssrc); it != cnames_.end()) {
    const std::string cname = it->second;
    std::erase_if(cnames_, [&](const auto& kv) {
      return kv.first == ssrc || (kv.second == cname && !trackers_.contains(kv.first));
    });
  }
  std::erase_if(fid_, [&](const auto& kv) {
    if (kv.second != ssrc && kv.first != ssrc) return false;
    cnames_.erase(kv.first);
    return true;
  });
}

void NackController::OnCname(std::uint32_t ssrc, const std::string& cname) {
  cnames_[ssrc] = cname;
  if (cnames_.size() > 4096) cnames_.erase(cnames_.begin());  // bounded against floods
}

void NackController::AddFid(std::uint32_t media_ssrc, std::uint32_t rtx_ssrc) {
  fid_[rtx_ssrc] = media_ssrc;
}

void NackController::OnMedia(std::uint32_t ssrc, std::uint16_t seq, bool marker,
                             rtp::Timestamp arrival, std::span<const std::uint8_t> payload) {
  if (!config_.send_nacks) return;  // the trackers would only fill up
  auto it = trackers_.find(ssrc);
  if (it == trackers_.end()) return;
  Stream& s = it->second;
  const rtp::NackPacketOutcome o = s.tracker.OnPacket(seq, arrival);
  if (o == rtp::NackPacketOutcome::kInOrder || o == rtp::NackPacketOutcome::kReset) {
    s.newest_ends_frame = marker;
    s.newest_arrival = arrival;
    s.tail_suspected = false;
    if (s.tracker.AtFirstPacket() && rtp::InsideKeyframe(payload))
      (void)s.tracker.OnJoinedInsideKeyframe(arrival);
  }
}

bool NackController::OnRecovered(std::uint32_t ssrc, std::uint16_t seq, rtp::Timestamp now,
                                 rtp::Repair how) {
  auto it = trackers_.find(ssrc);
  return it != trackers_.end() && it->second.tracker.OnRecovered(seq, now, how);
}

void NackController::OnProtected(std::uint32_t ssrc, std::uint16_t last_protected,
                                 rtp::Timestamp arrival) {
  if (!config_.send_nacks) return;
  auto it = trackers_.find(ssrc);
  if (it == trackers_.end()) return;
  // The tail is known now: the marker-bit guess (SuspectNext) has nothing left to add.
  if (it->second.tracker.OnProtected(last_protected, arrival) > 0) it->second.tail_suspected = true;
}

void NackController::OnNackHeard(const rtp::Nack& nack, rtp::Timestamp now) {
  auto it = trackers_.find(nack.media_ssrc);
  if (it == trackers_.end()) return;
  const std::vector<std::uint16_t> seqs = rtp::ExpandNack(nack.items);
  (void)it->second.tracker.OnNackHeard(seqs, now);
}

std::vector<NackRequest> NackController::Process(rtp::Timestamp now, double uniform01) {
  std::vector<NackRequest> out;
  if (!config_.send_nacks) return out;
  for (auto& [ssrc, s] : trackers_) {
    if (!s.newest_ends_frame && !s.tail_suspected && now - s.newest_arrival >= config_.tail_wait) {
      s.tail_suspected = s.tracker.SuspectNext(now);
    }
    rtp::NackDue due = s.tracker.Process(now, uniform01);
    if (due.nack.empty()) continue;
    NackRequest r;
    r.media_ssrc = ssrc;
    r.items = rtp::BuildNackItems(due.nack);
    r.seqs = std::move(due.nack);
    out.push_back(std::move(r));
  }
  return out;
}

const rtp::NackTracker* NackController::TrackerFor(std::uint32_t ssrc) const {
  auto it = trackers_.find(ssrc);
  return it == trackers_.end() ? nullptr : &it->second.tracker;
}

}  // namespace confcast::receiver
