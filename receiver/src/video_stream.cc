#include "video_stream.h"

#include <confcast/rtp/h264_bitstream.h>

#include <algorithm>

namespace confcast::receiver {

VideoStream::VideoStream(const StreamConfig& config, rtp::Timestamp since)
    : ReceiveStream(MediaKind::kVideo, config, 90000, 256, since),
      jitter_([&] {
        rtp::VideoJitterConfig c;
        c.max_delay = config.latency_ceiling;
        c.repair_wait = config.repair_wait;
        c.salvage_wait = config.salvage_wait;
        return c;
      }()) {}

void VideoStream::AttachSink(media::VideoSink* sink) {
  sink_ = sink;
  worker_.SetSink(sink);
  presentation_delay_ = rtp::Duration{0};  // a new sink starts without one
}

void VideoStream::SetPresentationDelay(rtp::Duration delay) {
  if (delay == presentation_delay_ || !sink_) return;
  if (sink_->SetPresentationDelay(delay)) presentation_delay_ = delay;
}

std::optional<rtp::OutputSample> VideoStream::LastOutput() {
  const auto last = worker_.LastRender();
  if (!last || !sink_) return std::nullopt;
  const std::optional<rtp::Duration> latency = sink_->PlayoutLatency();
  if (!latency) return std::nullopt;
  // The decode worker stamps a picture when the sink has it; the presentation delay comes
  // after that stamp, so it is no part of the hand-off time (hold 0).
  return rtp::OutputSample{.handed_us = last->first,
                           .capture_us = last->second,
                           .sink_latency = *latency};
}

StreamActions VideoStream::Insert(const rtp::RtpView& packet, rtp::Timestamp arrival,
                                  PacketOrigin origin) {
  rtp::VideoPacket p;
  p.seq = packet.sequence_number;
  p.rtp_ts = packet.timestamp;
  p.marker = packet.marker;
  p.keyframe_start = rtp::StartsKeyframe(packet.payload);
  p.begins_access_unit = rtp::BeginsAccessUnit(packet.payload);
  p.repaired = origin != PacketOrigin::kMedia;
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
  const bool broken = Deliver(r.frames);
  SyncBufferFigures();
  return {.request_keyframe = r.request_keyframe || broken || worker_.TakeKeyframeRequest()};
}

StreamActions VideoStream::Poll(rtp::Timestamp now) {
  bool request = worker_.TakeKeyframeRequest();
  const auto wake = jitter_.NextWakeup();
  if (wake && *wake <= now) {
    rtp::PollResult r = jitter_.Poll(now);
    request |= Deliver(r.frames) || r.request_keyframe;
    SyncBufferFigures();
  }
  return {.request_keyframe = request};
}

// Turns released frames into access units for the decode worker. The jitter buffer releases
// only complete frames in order; when it skipped some (loss, waiting for a keyframe) the
// depacketizer starts afresh and the worker is told, since the frames after a gap reference
// what it never saw.
bool VideoStream::Deliver(std::vector<rtp::VideoFrame>& frames) {
  bool need_keyframe = false;
  if (frames.empty()) return false;
  const std::int64_t released = media::WallClockNow().count();
  for (rtp::VideoFrame& frame : frames) {
    if (last_pushed_seq_ && static_cast<std::uint16_t>(*last_pushed_seq_ + 1) != frame.first_seq) {
      depacketizer_.Reset();
      gap_ = true;
      record_gap_ = true;
    }
    last_pushed_seq_ = frame.last_seq;
    for (std::size_t i = 0; i < frame.payloads.size(); ++i) {
      const auto seq = static_cast<std::uint16_t>(frame.first_seq + i);
      const bool last = i + 1 == frame.payloads.size();
      rtp::PushResult pr = depacketizer_.Push(frame.payloads[i], seq, frame.rtp_ts, last);
      for (rtp::AccessUnit& au : pr.access_units) {
        if (!au.complete) {
          // Never hand a damaged access unit to the decoder: libavcodec conceals it without an
          // error, and every frame after it inherits the damage.
          ++incomplete_;
          gap_ = true;
          record_gap_ = true;
          need_keyframe = true;
          continue;
        }
        DecodeUnit unit;
        unit.rtp_ts = au.timestamp;
        unit.capture_us = capture_.CaptureTimeOf(au.timestamp);
        unit.decodable_start = au.decodable_start;
        unit.after_gap = std::exchange(gap_, false);
        unit.first_arrival_us = frame.first_arrival.count();
        unit.complete_us = frame.last_arrival.count();
        unit.released_us = released;
        if (recording_) {
          recording_->WriteVideo(au.annexb, unit.capture_us, au.decodable_start,
                                 std::exchange(record_gap_, false));
        }
        unit.annexb = std::move(au.annexb);
        worker_.Push(std::move(unit));
      }
    }
  }
  return need_keyframe;
}

void VideoStream::SyncBufferFigures() {
  const rtp::VideoJitterStats s = jitter_.stats();
  figures_.lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, stats().CumulativeLost()));
  figures_.late = s.late;
  figures_.duplicates = s.duplicates;
  figures_.reordered = s.reordered;
  figures_.keyframe_requests = s.keyframe_requests;
  figures_.jitter_ms = static_cast<double>(stats().JitterDuration().count()) / 1000.0;
  figures_.target_delay_ms = static_cast<double>(s.playout_hold.count()) / 1000.0;
}

void VideoStream::SyncFigures() {
  DecodeFigures d = worker_.Take();
  figures_.frames_rendered = d.frames_rendered;
  figures_.decode_errors = d.decode_errors;
  figures_.frames_dropped = jitter_.stats().frames_dropped + incomplete_ + d.frames_dropped;
  figures_.frames_salvaged = jitter_.stats().frames_salvaged;
  figures_.decoder_queue_overflows = d.queue_overflows;
  figures_.decoder_queue_high_water = d.queue_high_water;
  figures_.max_render_gap_ms = d.max_render_gap_ms;
  if (!figures_.first_frame_ms && d.first_render_us) {
    figures_.first_frame_ms = static_cast<double>(*d.first_render_us - since_.count()) / 1000.0;
  }
  // Capture to the end of our own waiting, as for audio (whose figure includes its lip-sync
  // hold): the presentation delay the window adds is part of it.
  const double delay_ms = static_cast<double>(presentation_delay_.count()) / 1000.0;
  for (double ms : d.latency_samples_ms) figures_.latency_ms.Add(ms + delay_ms);
  for (const StageSample& st : d.stage_samples) figures_.stages.Add(st);
  if (d.last_render) last_output_ = d.last_render;
}

}  // namespace confcast::receiver
