// One received Opus source (one SSRC): validation and statistics, the audio jitter buffer
// (a steady 20 ms cadence), decoding with FEC recovery from the next packet when it is already
// here and packet-loss concealment otherwise, and the audio sink.
#pragma once

#include <confcast/media/opus.h>
#include <confcast/media/sink.h>
#include <confcast/rtp/audio_jitter_buffer.h>
#include <confcast/rtp/lip_sync.h>
#include <confcast/rtp/packet.h>
#include <confcast/rtp/receive_stats.h>

#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "stream_stats.h"

namespace confcast::receiver {

struct AudioStreamConfig {
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 111;
  std::uint8_t abs_capture_time_id = 1;
  int channels = 1;
  rtp::Duration latency_ceiling{40'000};
};

class AudioStream {
 public:
  AudioStream(const AudioStreamConfig& config, rtp::Timestamp now);
  void OnPacket(const rtp::RtpView& packet, rtp::Timestamp arrival);
  void Poll(rtp::Timestamp now);
  void OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp, rtp::Timestamp arrival);
  void AttachSink(media::AudioSink* sink) { sink_ = sink; }
  // Lip sync: decoded audio waits this long before it is played, so that it meets the video
  // of the same participant (RFC 3550 7.1: both streams mapped to the sender's capture clock).
  void SetLipSyncDelay(rtp::Duration delay) { lip_sync_delay_ = delay; }
  rtp::Duration lip_sync_delay() const { return lip_sync_delay_; }

  rtp::ReceiveStatistics& stats() { return stats_; }
  const StreamFigures& figures() const { return figures_; }
  std::uint32_t ssrc() const { return config_.ssrc; }
  std::optional<std::pair<std::int64_t, std::int64_t>> last_play() const { return last_play_; }

 private:
  void Play(const media::AudioFrame& frame, std::uint32_t rtp_ts, rtp::Timestamp now);
  void Drain(rtp::Timestamp now);
  std::optional<std::int64_t> CaptureTimeOf(std::uint32_t rtp_ts) const;

  AudioStreamConfig config_;
  rtp::ReceiveStatistics stats_;
  rtp::AudioJitterBuffer jitter_;
  std::unique_ptr<media::OpusDecoder> decoder_;
  media::AudioSink* sink_ = nullptr;
  rtp::RtpToNtp rtp_to_ntp_{48000};
  std::deque<std::pair<std::uint32_t, std::int64_t>> capture_times_;
  StreamFigures figures_;
  rtp::Timestamp first_packet_;
  std::optional<std::pair<std::int64_t, std::int64_t>> last_play_;
  rtp::Duration lip_sync_delay_{0};
  struct Pending {
    rtp::Timestamp due;
    media::AudioFrame frame;
    std::uint32_t rtp_ts;
  };
  std::deque<Pending> pending_;  // decoded, waiting for lip sync
};

}  // namespace confcast::receiver
