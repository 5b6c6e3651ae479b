#include "video_stream.h"

#include <confcast/rtp/abs_capture_time.h>

#include <algorithm>
#include <chrono>

namespace confcast::receiver {

VideoStream::VideoStream(const VideoStreamConfig& config, rtp::Timestamp now)
    : config_(config),
      stats_(config.ssrc, 90000),
      jitter_([&] {
        rtp::VideoJitterConfig c;
        c.max_delay = config.latency_ceiling;
        c.repair_wait = config.repair_wait;
        return c;
      }()),
      first_packet_(now) {}

void VideoStream::RecordCaptureTime(const rtp::RtpView& packet) {
  if (!capture_times_.empty() && capture_times_.back().first == packet.timestamp) return;
  auto ext = packet.FindExtension(config_.abs_capture_time_id);
  if (!ext) return;
  auto t = rtp::ParseAbsCaptureTime(*ext);
  if (!t) return;
  capture_times_.emplace_back(packet.timestamp, rtp::UnixMicrosFromNtp(t->capture_time));
  if (capture_times_.size() > 256) capture_times_.pop_front();
}

std::optional<std::int64_t> VideoStream::CaptureTimeOf(std::uint32_t rtp_ts) const {
  for (auto it = capture_times_.rbegin(); it != capture_times_.rend(); ++it) {
    if (it->first == rtp_ts) return it->second;
  }
  return rtp_to_ntp_.CaptureTimeUs(rtp_ts);  // SR mapping when the extension is absent
}

void VideoStream::OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp,
                                 rtp::Timestamp arrival) {
  rtp_to_ntp_.OnSenderReport(ntp, rtp_timestamp);
  stats_.OnSenderReport(ntp, arrival);
}

bool VideoStream::OnPacket(const rtp::RtpView& packet, rtp::Timestamp arrival,
                           PacketOrigin origin) {
  if (packet.payload_type != config_.payload_type) {
    ++figures_.wrong_payload_type;
    return false;
  }
  RecordCaptureTime(packet);
  if (origin == PacketOrigin::kMedia) {
    ++figures_.packets;
    figures_.bytes += packet.payload.size();
  }
  rtp::VideoPacket p;
  p.seq = packet.sequence_number;
  p.rtp_ts = packet.timestamp;
  p.marker = packet.marker;
  p.keyframe_start = rtp::StartsKeyframe(packet.payload);
  p.payload.assign(packet.payload.begin(), packet.payload.end());
  rtp::InsertResult r = jitter_.Insert(std::move(p), arrival);
  if (origin != PacketOrigin::kMedia) {
    if (r.status == rtp::InsertStatus::kStored) {
      ++(origin == PacketOrigin::kRtx ? figures_.repair.recovered_rtx : figures_.repair.recovered_fec);
    } else if (r.status == rtp::InsertStatus::kLate) {
      ++figures_.repair.rtx_late;
    } else {
      ++figures_.repair.duplicates;
    }
  }
  if (r.status == rtp::InsertStatus::kRestarted) depacketizer_.Reset();
  const bool broken = Deliver(r.frames, arrival);
  SyncFigures();
  return r.request_keyframe || broken;
}

bool VideoStream::Poll(rtp::Timestamp now) {
  const auto wake = jitter_.NextWakeup();
  if (!wake || *wake > now) return false;
  rtp::PollResult r = jitter_.Poll(now);
  const bool broken = Deliver(r.frames, now);
  SyncFigures();
  return r.request_keyframe || broken;
}

bool VideoStream::Deliver(std::vector<rtp::VideoFrame>& frames, rtp::Timestamp now) {
  bool need_keyframe = false;
  for (rtp::VideoFrame& frame : frames) {
    // The jitter buffer releases only complete frames in a decodable order. When it skipped
    // frames (loss, waiting for a keyframe) the depacketizer starts afresh, or it would count
    // the skipped sequence numbers as damage to the very keyframe we asked for.
    // Skipped packets between two released frames are a skipped frame, and the frames after it
    // reference it: decode nothing more until a keyframe.
    if (last_pushed_seq_ && static_cast<std::uint16_t>(*last_pushed_seq_ + 1) != frame.first_seq) {
      depacketizer_.Reset();
      broken_chain_ = true;
    }
    last_pushed_seq_ = frame.last_seq;
    std::vector<rtp::AccessUnit> units;
    for (std::size_t i = 0; i < frame.payloads.size(); ++i) {
      const auto seq = static_cast<std::uint16_t>(frame.first_seq + i);
      const bool last = i + 1 == frame.payloads.size();
      rtp::PushResult pr = depacketizer_.Push(frame.payloads[i], seq, frame.rtp_ts, last);
      for (auto& au : pr.access_units) units.push_back(std::move(au));
    }
    for (rtp::AccessUnit& au : units) {
      if (!au.complete) {
        ++own_dropped_;
        need_keyframe = true;
        broken_chain_ = true;
        continue;
      }
      if (broken_chain_) {
        if (!au.decodable_start) {
          ++own_dropped_;
          need_keyframe = true;  // rate-limited by the receiver
          continue;
        }
        broken_chain_ = false;
      }
      if (!sink_) continue;  // not shown: no need to decode
      if (!decoder_) {
        // Attached mid-stream (the sink moved from another participant): start at a keyframe,
        // which the receiver asked for when it attached the sink, never at a frame whose
        // references the decoder has not seen.
        if (!au.decodable_start) continue;
        auto d = media::H264Decoder::Create(2);
        if (!d) return false;
        decoder_ = std::move(*d);
      }
      const std::optional<std::int64_t> capture = CaptureTimeOf(au.timestamp);
      media::H264DecodeResult res =
          decoder_->Decode(au.annexb, rtp::Duration{static_cast<std::int64_t>(au.timestamp) * 100 / 9},
                           rtp::Timestamp{capture.value_or(0)});
      depacketizer_.Recycle(std::move(au.annexb));
      if (res.error) {
        // Never show a damaged picture: the last good one stays on screen until the
        // keyframe we ask for arrives.
        ++figures_.decode_errors;
        ++own_dropped_;
        need_keyframe = true;
        broken_chain_ = true;
        continue;
      }
      if (!res.frame) continue;
      ++frames_decoded_;
      if (!sink_->Render(*res.frame)) {
        ++own_dropped_;
        continue;
      }
      ++figures_.frames_rendered;
      const std::int64_t rendered_at = std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
      if (last_rendered_at_) {
        figures_.max_render_gap_ms = std::max(
            figures_.max_render_gap_ms, static_cast<double>(rendered_at - *last_rendered_at_) / 1000.0);
      }
      last_rendered_at_ = rendered_at;
      if (!figures_.first_frame_ms) {
        figures_.first_frame_ms = static_cast<double>((now - first_packet_).count()) / 1000.0 +
                                  static_cast<double>(rendered_at - now.count()) / 1000.0;
      }
      if (capture) {
        figures_.latency_ms.Add(static_cast<double>(rendered_at - *capture) / 1000.0);
        last_render_ = std::make_pair(rendered_at, *capture);
      }
    }
  }
  return need_keyframe;
}

void VideoStream::SyncFigures() {
  const rtp::VideoJitterStats s = jitter_.stats();
  figures_.lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, stats_.CumulativeLost()));
  figures_.late = s.late;
  figures_.duplicates = s.duplicates;
  figures_.reordered = s.reordered;
  figures_.keyframe_requests = s.keyframe_requests;
  figures_.frames_dropped = s.frames_dropped + own_dropped_;
  figures_.jitter_ms = static_cast<double>(stats_.JitterDuration().count()) / 1000.0;
  figures_.target_delay_ms = static_cast<double>(s.target_delay.count()) / 1000.0;
}

}  // namespace confcast::receiver
