// The video tail of a received stream: jitter buffer (reorders, assembles frames, waits for
// repairs, turns unrecoverable loss into a keyframe request), RFC 6184 depacketizer, and a
// decode worker thread that decodes and renders (decode_worker.h). The event loop only moves
// bytes: a slow decoder or sink delays pictures, never the sockets, NACKs or RTCP.
#pragma once

#include <confcast/media/sink.h>
#include <confcast/rtp/h264_depacketizer.h>
#include <confcast/rtp/jitter_buffer.h>
#include <confcast/rtp/lip_sync.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "decode_worker.h"
#include "receive_stream.h"
#include "recording.h"

namespace confcast::receiver {

class VideoStream final : public ReceiveStream {
 public:
  VideoStream(const StreamConfig& config, rtp::Timestamp since);

  [[nodiscard]] StreamActions Poll(rtp::Timestamp now) override;
  bool has_sink() const override { return sink_ != nullptr; }
  // The sink is attached by the receiver once it knows what to render into (or never). A new
  // sink (or none) starts decoding afresh, at the next keyframe.
  void AttachSink(media::VideoSink* sink);
  // record:PATH.mkv: complete access units are also written there as released, before
  // decoding (recording.h). The first one after attaching waits for a keyframe.
  void AttachRecording(Recording* recording) {
    recording_ = recording;
    record_gap_ = true;
  }
  bool has_recording() const { return recording_ != nullptr; }
  // Copies the decode worker's figures into figures() (event-loop thread, once per report).
  void SyncFigures();
  // The last picture shown, as lip sync sees it: when it was handed to the sink and how long
  // the sink takes to show it (the presentation delay not included). None before the first
  // one with a capture time, or while the sink does not know its latency.
  std::optional<rtp::OutputSample> LastOutput();
  // Lip sync: the window shows each picture this much later, so that it meets slower sound.
  // Ignored (stays 0) by sinks nobody watches in step (files, null).
  void SetPresentationDelay(rtp::Duration delay);
  rtp::Duration presentation_delay() const { return presentation_delay_; }
  // Waits for the decode worker to finish what it was given (tests, shutdown).
  void DrainDecoder() { worker_.Drain(); }

 private:
  StreamActions Insert(const rtp::RtpView& packet, rtp::Timestamp arrival, PacketOrigin origin) override;
  bool Deliver(std::vector<rtp::VideoFrame>& frames);
  void SyncBufferFigures();

  rtp::VideoJitterBuffer jitter_;
  rtp::H264Depacketizer depacketizer_;
  media::VideoSink* sink_ = nullptr;
  Recording* recording_ = nullptr;
  bool record_gap_ = true;  // the recording has not seen the unit before the next one
  std::optional<std::uint16_t> last_pushed_seq_;  // into the depacketizer
  bool gap_ = false;              // frames were skipped since the last unit handed to the worker
  std::uint64_t incomplete_ = 0;  // access units the depacketizer found damaged
  rtp::Duration presentation_delay_{0};  // what the sink accepted
  VideoDecodeWorker worker_;      // last: its thread stops before the rest is destroyed
};

}  // namespace confcast::receiver
