#include "fec_recovery.h"

namespace confcast::receiver {
namespace {

// At 2.5 Mbit/s and 1200-byte packets, 512 packets is about 2 s of video: far more than the
// jitter buffer waits, and enough for a 2-D block spanning a large keyframe.
constexpr std::size_t kWindowPackets = 512;
constexpr std::size_t kMaxRepairPackets = 128;

}  // namespace

FecRecovery::RepairResult FecRecovery::OnRepair(
    const rtp::RtpView& view, rtp::Bytes datagram,
    const std::function<bool(std::uint32_t)>& is_video_stream) {
  RepairResult out;
  // Only single-stream repair packets help a per-SSRC decoder; the CSRC names the stream.
  if (view.csrc_count() != 1) {
    ++malformed_;
    return out;
  }
  const std::uint32_t media = view.csrc(0);
  if (!is_video_stream(media)) return out;
  auto it = decoders_.find(media);
  if (it == decoders_.end()) {
    it = decoders_.emplace(media, rtp::FlexFecDecoder({media, kWindowPackets, kMaxRepairPackets}))
             .first;
  }
  rtp::FecDecodeResult r = it->second.OnRepair(datagram);
  if (r.error) {
    ++malformed_;
    return out;
  }
  out.media_ssrc = media;
  out.recovered = std::move(r.recovered);
  out.last_protected = r.last_protected;
  return out;
}

FecRecovery::Datagrams FecRecovery::OnMedia(std::uint32_t ssrc, rtp::Bytes datagram) {
  auto it = decoders_.find(ssrc);
  if (it == decoders_.end()) return {};
  return std::move(it->second.OnMedia(datagram).recovered);
}

}  // namespace confcast::receiver
