#include "decode_worker.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

namespace confcast::receiver {
namespace {

std::int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Appends a sample for the event loop to take; the oldest half goes beyond 4096, so the list
// stays bounded even if nobody takes the samples for a while.
template <typename T>
void KeepSample(std::vector<T>& samples, T sample) {
  samples.push_back(std::move(sample));
  if (samples.size() > 4096) samples.erase(samples.begin(), samples.begin() + 2048);
}

}  // namespace

VideoDecodeWorker::VideoDecodeWorker(std::size_t max_queue, int decoder_threads,
                                     std::chrono::milliseconds max_wait)
    : max_queue_(std::max<std::size_t>(1, max_queue)),
      decoder_threads_(decoder_threads),
      max_wait_(max_wait),
      thread_([this] { Run(); }) {}

VideoDecodeWorker::~VideoDecodeWorker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void VideoDecodeWorker::Push(DecodeUnit unit) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    const bool stale = !queue_.empty() && now - queue_.front().second > max_wait_;
    if (queue_.size() >= max_queue_ || stale) {
      // The decoder cannot keep up. Dropping this unit breaks the chain: the worker sees the
      // gap on the next unit it takes, and shows nothing until a keyframe.
      ++figures_.queue_overflows;
      if (sink_) ++figures_.frames_dropped;
      keyframe_wanted_ = true;
      overflow_gap_ = true;  // the next unit taken follows a gap
      return;
    }
    if (overflow_gap_) {
      unit.after_gap = true;
      overflow_gap_ = false;
    }
    queue_.emplace_back(std::move(unit), now);
    figures_.queue_high_water = std::max(figures_.queue_high_water, queue_.size());
  }
  wake_.notify_one();
}

void VideoDecodeWorker::SetSink(media::VideoSink* sink) {
  std::unique_lock lock(mutex_);
  sink_ = sink;
  const std::uint64_t generation = ++sink_generation_;
  wake_.notify_one();
  // The worker picks the new sink up before its next unit; wait until it is not inside a unit
  // that may still render into the old one.
  settled_.wait(lock, [&] { return stop_ || active_generation_ >= generation; });
}

DecodeFigures VideoDecodeWorker::Take() {
  std::lock_guard lock(mutex_);
  DecodeFigures out = figures_;
  figures_.latency_samples_ms.clear();
  figures_.stage_samples.clear();
  return out;
}

std::optional<std::pair<std::int64_t, std::int64_t>> VideoDecodeWorker::LastRender() {
  std::lock_guard lock(mutex_);
  return figures_.last_render;
}

void VideoDecodeWorker::Drain() {
  std::unique_lock lock(mutex_);
  settled_.wait(lock, [&] { return stop_ || (queue_.empty() && !busy_); });
}

void VideoDecodeWorker::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty() || active_generation_ != sink_generation_; });
    if (stop_) break;
    if (active_generation_ != sink_generation_) {
      // A new sink (or none): decode afresh from the next keyframe on it.
      active_sink_ = sink_;
      active_generation_ = sink_generation_;
      decoder_.reset();
      broken_ = true;
      last_rendered_at_.reset();
      settled_.notify_all();
    }
    if (queue_.empty()) continue;
    DecodeUnit unit = std::move(queue_.front().first);
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Handle(unit);
    lock.lock();
    busy_ = false;
    settled_.notify_all();
  }
  busy_ = false;
  settled_.notify_all();
}

void VideoDecodeWorker::Drop() {
  std::lock_guard lock(mutex_);
  if (active_sink_) ++figures_.frames_dropped;
}

void VideoDecodeWorker::Handle(DecodeUnit& unit) {
  if (unit.after_gap) broken_ = true;
  if (broken_) {
    if (!unit.decodable_start) {
      // Its references never reached the decoder: showing it would show a wrong picture.
      Drop();
      if (active_sink_) keyframe_wanted_ = true;
      return;
    }
    broken_ = false;
  }
  if (!active_sink_) return;  // nobody watches: keep the chain, skip the work
  if (!decoder_) {
    auto d = media::H264Decoder::Create(decoder_threads_);
    if (!d) {
      Drop();
      broken_ = true;
      return;
    }
    decoder_ = std::move(*d);
  }
  const std::int64_t decode_start = WallMicros();
  media::H264DecodeResult res =
      decoder_->Decode(unit.annexb, rtp::Duration{static_cast<std::int64_t>(unit.rtp_ts) * 100 / 9},
                       rtp::Timestamp{unit.capture_us.value_or(0)});
  if (res.error) {
    // Never show a damaged picture: the last good one stays until the keyframe we ask for.
    {
      std::lock_guard lock(mutex_);
      ++figures_.decode_errors;
      ++figures_.frames_dropped;
    }
    broken_ = true;
    keyframe_wanted_ = true;
    return;
  }
  if (!res.frame) return;  // the decoder holds it (never with our low-delay streams)
  const std::int64_t decoded = WallMicros();
  const bool rendered = active_sink_->Render(*res.frame).has_value();
  const std::int64_t now = WallMicros();
  std::lock_guard lock(mutex_);
  if (!rendered) {
    ++figures_.render_failures;
    ++figures_.frames_dropped;
    return;
  }
  ++figures_.frames_rendered;
  if (last_rendered_at_) {
    figures_.max_render_gap_ms = std::max(figures_.max_render_gap_ms,
                                          static_cast<double>(now - *last_rendered_at_) / 1000.0);
  }
  last_rendered_at_ = now;
  if (!figures_.first_render_us) figures_.first_render_us = now;
  if (unit.capture_us) {
    KeepSample(figures_.latency_samples_ms, static_cast<double>(now - *unit.capture_us) / 1000.0);
    figures_.last_render = std::make_pair(now, *unit.capture_us);
    if (unit.first_arrival_us && unit.complete_us && unit.released_us) {
      auto ms = [](std::int64_t from, std::int64_t to) {
        return static_cast<double>(to - from) / 1000.0;
      };
      KeepSample(figures_.stage_samples, {.send = ms(*unit.capture_us, unit.first_arrival_us),
                                          .spread = ms(unit.first_arrival_us, unit.complete_us),
                                          .buffer = ms(unit.complete_us, unit.released_us),
                                          .queue = ms(unit.released_us, decode_start),
                                          .decode = ms(decode_start, decoded),
                                          .render = ms(decoded, now)});
    }
  }
}

}  // namespace confcast::receiver
