#include "audio_stream.h"

#include <algorithm>
#include <chrono>

namespace confcast::receiver {

AudioStream::AudioStream(const StreamConfig& config, rtp::Timestamp since)
    : ReceiveStream(MediaKind::kAudio, config, 48000, 64, since),
      jitter_([&] {
        rtp::AudioJitterConfig c;
        // A 10 ms floor: audio capture and encode share the CPU with video, and a late audio
        // packet is an audible click, where a late video frame is merely a repeated picture.
        c.min_delay = std::min<rtp::Duration>(std::chrono::milliseconds(10), config.latency_ceiling);
        c.max_delay = config.latency_ceiling;
        return c;
      }()) {
  if (auto d = media::OpusDecoder::Create(config.channels)) decoder_ = std::move(*d);
}

StreamActions AudioStream::Insert(const rtp::RtpView& packet, rtp::Timestamp arrival, PacketOrigin) {
  (void)jitter_.Insert(packet.sequence_number, packet.timestamp,
                       std::vector<std::uint8_t>(packet.payload.begin(), packet.payload.end()),
                       arrival);
  return {};
}

StreamActions AudioStream::Poll(rtp::Timestamp now) {
  Drain(now);
  const auto wake = jitter_.NextWakeup();
  if (!wake || *wake > now || !decoder_) return {};
  rtp::AudioPollResult r = jitter_.Poll(now);
  for (const rtp::AudioSlot& slot : r.slots) {
    std::expected<media::AudioFrame, media::MediaError> frame =
        std::unexpected(media::MediaError{});
    switch (slot.kind) {
      case rtp::AudioSlotKind::kPacket:
        if (recording_) {
          recording_->WriteAudio(slot.payload, capture_.CaptureTimeOf(slot.rtp_ts), slot.rtp_ts);
        }
        frame = decoder_->Decode(slot.payload);
        if (!frame) ++figures_.decode_errors;
        break;
      case rtp::AudioSlotKind::kMissing:
        // Opus in-band FEC: the next packet carries a coarse copy of this one (RFC 7587 3.2).
        frame = slot.next_available ? decoder_->RecoverFromNext(slot.next_payload) : decoder_->Conceal();
        ++figures_.frames_concealed;
        break;
      case rtp::AudioSlotKind::kSilence:
        frame = decoder_->Conceal();  // DTX: let the decoder fade out
        break;
    }
    if (frame)
      pending_.push_back(Pending{now + lip_sync_delay_, std::move(*frame), slot.rtp_ts, lip_sync_delay_});
  }
  Drain(now);
  const rtp::AudioJitterStats s = jitter_.stats();
  // Lost means lost on the network (RFC 3550 A.3); packets that came after their slot are
  // counted as late, not lost.
  figures_.lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, stats().CumulativeLost()));
  figures_.late = s.late;
  figures_.duplicates = s.duplicates;
  figures_.reordered = s.reordered;
  figures_.jitter_ms = static_cast<double>(stats().JitterDuration().count()) / 1000.0;
  figures_.target_delay_ms = static_cast<double>(s.target_delay.count()) / 1000.0;
  return {};
}

void AudioStream::Drain(rtp::Timestamp now) {
  while (!pending_.empty() && pending_.front().due <= now) {
    Play(pending_.front(), now);
    pending_.pop_front();
  }
}

void AudioStream::Play(const Pending& p, rtp::Timestamp now) {
  const std::uint32_t rtp_ts = p.rtp_ts;
  if (sink_) sink_->Play(p.frame);
  ++figures_.frames_rendered;
  if (!figures_.first_frame_ms) {
    figures_.first_frame_ms = static_cast<double>((now - since_).count()) / 1000.0;
  }
  if (auto capture = capture_.CaptureTimeOf(rtp_ts)) {
    figures_.latency_ms.Add(static_cast<double>(now.count() - *capture) / 1000.0);
    last_output_ = std::make_pair(now.count(), *capture);
    last_hold_ = p.hold;
  }
}

std::optional<rtp::OutputSample> AudioStream::LastOutput() {
  if (!last_output_) return std::nullopt;
  const std::optional<rtp::Duration> latency = sink_ ? sink_->PlayoutLatency() : rtp::Duration{0};
  if (!latency) return std::nullopt;
  return rtp::OutputSample{.handed_us = last_output_->first,
                           .capture_us = last_output_->second,
                           .hold = last_hold_,
                           .sink_latency = *latency};
}

}  // namespace confcast::receiver
