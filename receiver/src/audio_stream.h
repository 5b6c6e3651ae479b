// The audio tail of a received stream: the audio jitter buffer (a steady 20 ms cadence),
// Opus decoding with FEC recovery from the next packet when it is already here and
// packet-loss concealment otherwise, a lip-sync hold, and the audio sink. Opus decodes a
// 20 ms frame in well under a millisecond, so it stays on the event loop.
#pragma once

#include <confcast/media/opus.h>
#include <confcast/media/sink.h>
#include <confcast/rtp/audio_jitter_buffer.h>
#include <confcast/rtp/lip_sync.h>

#include <deque>
#include <memory>
#include <optional>

#include "receive_stream.h"
#include "recording.h"

namespace confcast::receiver {

class AudioStream final : public ReceiveStream {
 public:
  AudioStream(const StreamConfig& config, rtp::Timestamp since);
  [[nodiscard]] StreamActions Poll(rtp::Timestamp now) override;
  bool has_sink() const override { return sink_ != nullptr; }
  void AttachSink(media::AudioSink* sink) { sink_ = sink; }
  // record:PATH.mkv: the Opus packets are also written there, in playout order (recording.h).
  void AttachRecording(Recording* recording) { recording_ = recording; }
  bool has_recording() const { return recording_ != nullptr; }
  // Lip sync: decoded audio waits this long before it is played, so that it meets the video
  // of the same participant (RFC 3550 7.1: both streams mapped to the sender's capture clock).
  void SetLipSyncDelay(rtp::Duration delay) { lip_sync_delay_ = delay; }
  rtp::Duration lip_sync_delay() const { return lip_sync_delay_; }
  // The last sample played, as lip sync sees it: when it was handed to the sink, after which
  // hold, and how long the sink takes to make it heard. None before the first one with a
  // capture time, or while the sink does not know its latency yet.
  std::optional<rtp::OutputSample> LastOutput();

 private:
  StreamActions Insert(const rtp::RtpView& packet, rtp::Timestamp arrival, PacketOrigin origin) override;
  struct Pending;
  void Play(const Pending& p, rtp::Timestamp now);
  void Drain(rtp::Timestamp now);

  rtp::AudioJitterBuffer jitter_;
  std::unique_ptr<media::OpusDecoder> decoder_;
  media::AudioSink* sink_ = nullptr;
  Recording* recording_ = nullptr;
  rtp::Duration lip_sync_delay_{0};
  struct Pending {
    rtp::Timestamp due;
    media::AudioFrame frame;
    std::uint32_t rtp_ts;
    rtp::Duration hold;  // the lip-sync hold it waited
  };
  std::deque<Pending> pending_;  // decoded, waiting for lip sync
  rtp::Duration last_hold_{0};   // of the last sample played
};

}  // namespace confcast::receiver
