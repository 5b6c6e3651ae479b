// Decodes and renders one video source on a thread of its own, so that the event loop that
// drains the sockets, asks for repairs and sends RTCP never waits on libavcodec or on a sink.
//
// The event loop hands over complete access units in decoding order through a bounded queue.
// The worker owns the reference chain: an access unit after a gap (`after_gap`, set by the
// caller when frames were skipped before it), one that fails to decode, or one dropped because
// the queue was full, breaks the chain, and nothing is decoded again until an access unit that
// starts a decodable point (IDR with its parameter sets). Every access unit that is not shown
// is counted once, and the worker raises a keyframe request for the event loop to collect;
// the last good picture stays on the sink meanwhile.
//
// Figures (frames shown, dropped, decode errors, render gaps, latency samples) are kept under
// a mutex and taken by the event loop once per report; latency samples are handed over and
// cleared so the event loop's statistics stay single-threaded.
#pragma once

#include <confcast/media/h264.h>
#include <confcast/media/sink.h>
#include <confcast/rtp/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "stream_stats.h"

namespace confcast::receiver {

// One access unit, ready to decode.
struct DecodeUnit {
  std::vector<std::uint8_t> annexb;
  std::uint32_t rtp_ts = 0;
  std::optional<std::int64_t> capture_us;  // sender capture time (Unix microseconds)
  bool decodable_start = false;            // IDR with SPS/PPS: a new reference chain starts
  bool after_gap = false;                  // frames before this one were never handed over
  // Wall-clock microseconds (0: not known): the kernel's arrival stamp of the frame's first
  // packet and of the packet that completed it, and the moment the jitter buffer let it go.
  std::int64_t first_arrival_us = 0;
  std::int64_t complete_us = 0;
  std::int64_t released_us = 0;
};

struct DecodeFigures {
  std::uint64_t frames_rendered = 0;
  std::uint64_t frames_dropped = 0;  // handed over but never shown (broken chain, errors, overflow)
  std::uint64_t decode_errors = 0;
  std::uint64_t queue_overflows = 0;
  std::uint64_t render_failures = 0;
  std::size_t queue_high_water = 0;
  double max_render_gap_ms = 0;
  std::optional<std::int64_t> first_render_us;                 // Unix microseconds
  std::optional<std::pair<std::int64_t, std::int64_t>> last_render;  // (render, capture) us
  std::vector<double> latency_samples_ms;  // since the last Take(): capture to render
  std::vector<StageSample> stage_samples;  // since the last Take(), frames with every time
};

class VideoDecodeWorker {
 public:
  // Beyond `max_queue` access units waiting, or `max_wait` of waiting for the oldest, the newest
  // is dropped: the decoder is hopelessly behind, and a growing queue would only add latency
  // to every later frame. A burst the decoder catches up with (a file sent faster than real
  // time, a jitter buffer releasing many frames at once) is not dropped.
  explicit VideoDecodeWorker(std::size_t max_queue = 256, int decoder_threads = 2,
                             std::chrono::milliseconds max_wait = std::chrono::milliseconds(500));
  ~VideoDecodeWorker();
  VideoDecodeWorker(const VideoDecodeWorker&) = delete;
  VideoDecodeWorker& operator=(const VideoDecodeWorker&) = delete;

  // Event-loop thread. Never blocks on decoding.
  void Push(DecodeUnit unit);
  // Swaps the sink (or none). Returns once the worker no longer touches the old one; the next
  // picture shown on the new sink starts at a decodable point.
  void SetSink(media::VideoSink* sink);
  // True once after the worker broke the chain and needs a keyframe (any thread).
  bool TakeKeyframeRequest() noexcept { return keyframe_wanted_.exchange(false); }
  // A copy of the figures; latency samples are moved out (event-loop thread).
  DecodeFigures Take();
  // The last picture rendered (render, capture) us, without taking the figures (lip sync reads
  // it ten times a second).
  std::optional<std::pair<std::int64_t, std::int64_t>> LastRender();
  // Waits until every access unit pushed so far was decoded or dropped (tests, shutdown).
  void Drain();

 private:
  void Run();
  void Handle(DecodeUnit& unit);
  void Drop();

  const std::size_t max_queue_;
  const int decoder_threads_;
  const std::chrono::milliseconds max_wait_;
  std::mutex mutex_;
  std::condition_variable wake_;     // work for the worker
  std::condition_variable settled_;  // the worker finished a unit or a sink change
  std::deque<std::pair<DecodeUnit, std::chrono::steady_clock::time_point>> queue_;
  bool busy_ = false;          // the worker is inside Handle
  bool overflow_gap_ = false;  // a unit was dropped at Push: the next one follows a gap
  bool stop_ = false;
  media::VideoSink* sink_ = nullptr;  // guarded by mutex_; the worker uses its own copy
  std::uint64_t sink_generation_ = 0;
  DecodeFigures figures_;            // guarded by mutex_
  std::atomic<bool> keyframe_wanted_{false};
  // Worker-thread state.
  std::unique_ptr<media::H264Decoder> decoder_;
  media::VideoSink* active_sink_ = nullptr;
  std::uint64_t active_generation_ = 0;
  bool broken_ = true;  // nothing decodable until a keyframe
  std::optional<std::int64_t> last_rendered_at_;
  std::thread thread_;
};

}  // namespace confcast::receiver
