// Counters a media thread updates and the event loop reads (RTCP sender reports, statistics).
#pragma once

#include <confcast/rtp/fec_policy.h>

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
  std::atomic<std::uint64_t> send_errors{0};
  std::atomic<std::uint64_t> fec_packets{0};  // FlexFEC repair packets (own SSRC, not in SRs)
  std::atomic<std::uint64_t> fec_bytes{0};    // their datagram bytes
  std::atomic<int> fec_level{0};              // FecPolicy level; -1 when forced by --fec PCT
  // Video repair (RTX, RFC 4588), written by the event loop.
  std::atomic<std::uint64_t> retransmissions_sent{0};
  std::atomic<std::uint64_t> retransmissions_deduplicated{0};
  // Sent media packets whose copy found the history's hand-over ring full (send_chain.h): they
  // cannot be retransmitted.
  std::atomic<std::uint64_t> history_ring_dropped{0};

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
