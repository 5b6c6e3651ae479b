// One received video source (one SSRC): validation and statistics (RFC 3550 A.1, A.3, A.8),
// jitter buffer, H.264 depacketizer, decoder and sink. It never sends anything: it returns
// what the receiver should do (ask for a keyframe) and counts everything it drops.
#pragma once

#include <confcast/media/h264.h>
#include <confcast/media/sink.h>
#include <confcast/rtp/h264_bitstream.h>  // rtp::StartsKeyframe, for receiver.cc too
#include <confcast/rtp/h264_depacketizer.h>
#include <confcast/rtp/jitter_buffer.h>
#include <confcast/rtp/lip_sync.h>
#include <confcast/rtp/packet.h>
#include <confcast/rtp/receive_stats.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "stream_stats.h"

namespace confcast::receiver {

struct VideoStreamConfig {
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 96;
  std::uint8_t abs_capture_time_id = 1;
  rtp::Duration latency_ceiling{40'000};
  // How long a frame with a hole waits for a repair (NACK/RTX, FEC); 0 without repair.
  rtp::Duration repair_wait{0};
};

// Where a packet handed to VideoStream::OnPacket came from.
enum class PacketOrigin { kMedia, kRtx, kFec };

class VideoStream {
 public:
  explicit VideoStream(const VideoStreamConfig& config, rtp::Timestamp now);

  // A validated RTP packet of this SSRC arrived (wall-clock microseconds). Returns true when
  // the receiver should send a PLI.
  // Repaired packets (restored from RTX or FEC) take the same path; they are counted in the
  // repair figures (recovered or duplicate), not in the stream's packets.
  [[nodiscard]] bool OnPacket(const rtp::RtpView& packet, rtp::Timestamp arrival,
                              PacketOrigin origin = PacketOrigin::kMedia);
  // Releases frames whose playout time has come. Returns true when a PLI is needed.
  [[nodiscard]] bool Poll(rtp::Timestamp now);
  void OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp, rtp::Timestamp arrival);

  // The sink is attached by the receiver once it knows what to render into (or never).
  // A new sink (or none) starts decoding afresh, at the next keyframe.
  void AttachSink(media::VideoSink* sink) {
    sink_ = sink;
    decoder_.reset();
  }
  bool has_sink() const { return sink_ != nullptr; }
  std::uint64_t frames_decoded() const { return frames_decoded_; }

  rtp::ReceiveStatistics& stats() { return stats_; }
  const StreamFigures& figures() const { return figures_; }
  StreamFigures& figures() { return figures_; }
  std::uint32_t ssrc() const { return config_.ssrc; }
  const rtp::RtpToNtp& rtp_to_ntp() const { return rtp_to_ntp_; }
  // (render wall time, capture wall time) of the last rendered frame, for lip sync.
  std::optional<std::pair<std::int64_t, std::int64_t>> last_render() const { return last_render_; }

 private:
  bool Deliver(std::vector<rtp::VideoFrame>& frames, rtp::Timestamp now);
  void RecordCaptureTime(const rtp::RtpView& packet);
  std::optional<std::int64_t> CaptureTimeOf(std::uint32_t rtp_ts) const;
  void SyncFigures();

  VideoStreamConfig config_;
  rtp::ReceiveStatistics stats_;
  rtp::VideoJitterBuffer jitter_;
  rtp::H264Depacketizer depacketizer_;
  std::unique_ptr<media::H264Decoder> decoder_;
  media::VideoSink* sink_ = nullptr;
  rtp::RtpToNtp rtp_to_ntp_{90000};
  std::deque<std::pair<std::uint32_t, std::int64_t>> capture_times_;  // rtp ts -> capture us
  StreamFigures figures_;
  rtp::Timestamp first_packet_;
  std::uint64_t frames_decoded_ = 0;
  std::uint64_t own_dropped_ = 0;  // damaged access units and failed renders
  std::optional<std::uint16_t> last_pushed_seq_;  // into the depacketizer
  // An access unit was dropped as damaged or failed to decode: the frames after it reference
  // what the decoder never saw, and libavcodec decodes them without an error, concealing from
  // a wrong picture. Nothing is decoded until the next keyframe.
  bool broken_chain_ = false;
  std::optional<std::pair<std::int64_t, std::int64_t>> last_render_;
  std::optional<std::int64_t> last_rendered_at_;  // wall microseconds
};

}  // namespace confcast::receiver
