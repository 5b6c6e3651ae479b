// Counters a media thread updates and the event loop reads (RTCP sender reports, statistics).
#pragma once

#include <confcast/rtp/fec_policy.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace confcast::sender {

struct StreamCounters {
  std::atomic<std::uint64_t> packets{0};
  std::atomic<std::uint64_t> payload_octets{0};
  std::atomic<std::uint64_t> wire_bytes{0};  // RTP header + payload
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> keyframes{0};
  // Frame-size peaks (access unit bytes): how long the largest frames take on the wire at the
  // bitrate is latency every receiver pays (rate-control choices are judged on them).
  std::atomic<std::uint64_t> keyframe_bytes{0};  // all IDRs together (mean = / keyframes)
  std::atomic<std::uint64_t> keyframe_bytes_max{0};
  std::atomic<std::uint64_t> delta_frame_bytes_max{0};
  std::atomic<std::uint64_t> send_errors{0};
  // Where a frame's time goes in the sender, summed over the frames (mean = / frames): capture
  // to the encoder's output, and from there to the end of the send call that took its packets
  // and FEC (packetizing, protecting, sendmmsg).
  std::atomic<std::uint64_t> encode_us{0};
  std::atomic<std::uint64_t> send_out_us{0};
  std::atomic<std::uint64_t> fec_packets{0};  // FlexFEC repair packets (own SSRC, not in SRs)
  std::atomic<std::uint64_t> fec_bytes{0};    // their datagram bytes
  std::atomic<int> fec_level{0};              // FecPolicy level; -1 when forced by --fec PCT
  // Video repair (RTX, RFC 4588), written by the event loop.
  std::atomic<std::uint64_t> retransmissions_sent{0};
  std::atomic<std::uint64_t> retransmissions_deduplicated{0};
  // Sent media packets whose copy found the history's hand-over ring full (send_chain.h): they
  // cannot be retransmitted.
  std::atomic<std::uint64_t> history_ring_dropped{0};

  // One encoded frame of `bytes` went out (written by the media thread only).
  void CountFrame(std::uint64_t bytes, bool idr) {
    frames.fetch_add(1, std::memory_order_relaxed);
    auto& peak = idr ? keyframe_bytes_max : delta_frame_bytes_max;
    if (bytes > peak.load(std::memory_order_relaxed)) peak.store(bytes, std::memory_order_relaxed);
    if (!idr) return;
    keyframes.fetch_add(1, std::memory_order_relaxed);
    keyframe_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }

  // One frame's times (media thread only); negative spans (a clock step) count as 0.
  void CountTimes(std::int64_t encode, std::int64_t out) {
    encode_us.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, encode)),
                        std::memory_order_relaxed);
    send_out_us.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, out)),
                          std::memory_order_relaxed);
  }

  // The (capture time, RTP timestamp) pair of the last frame sent: sender reports extrapolate
  // from it, so their NTP/RTP mapping matches the stream even where audio timestamps count
  // samples rather than follow the wall clock.
  void SetMapping(std::int64_t capture_us, std::uint32_t rtp) {
    std::lock_guard lock(mapping_mutex_);
    mapping_ = {capture_us, rtp};
  }
  std::optional<std::pair<std::int64_t, std::uint32_t>> Mapping() const {
    std::lock_guard lock(mapping_mutex_);
    return mapping_;
  }
  // The receiver whose reported loss sets the automatic FEC level (FecPolicy::driver).
  void SetFecDriver(const std::optional<rtp::FecDriver>& d) {
    std::lock_guard lock(mapping_mutex_);
    fec_driver_ = d;
  }
  std::optional<rtp::FecDriver> FecDriver() const {
    std::lock_guard lock(mapping_mutex_);
    return fec_driver_;
  }

 private:
  mutable std::mutex mapping_mutex_;
  std::optional<std::pair<std::int64_t, std::uint32_t>> mapping_;
  std::optional<rtp::FecDriver> fec_driver_;
};

}  // namespace confcast::sender
