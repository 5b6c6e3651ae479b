// When each sample of a stream was captured at the sender (Unix microseconds): from the
// abs-capture-time header extension when the sender stamps it, otherwise from the RTP/NTP
// mapping of its last sender report (RFC 3550 6.4.1). One per received stream; the end-to-end
// latency figures and lip sync both read it.
#pragma once

#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/lip_sync.h>
#include <confcast/rtp/packet.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace confcast::receiver {

class CaptureClock {
 public:
  CaptureClock(std::uint32_t clock_rate, std::uint8_t extension_id, std::size_t depth)
      : extension_id_(extension_id), depth_(depth), rtp_to_ntp_(clock_rate) {}

  // Remembers the packet's capture time, if it carries one (once per RTP timestamp).
  void OnPacket(const rtp::RtpView& packet) {
    if (!times_.empty() && times_.back().first == packet.timestamp) return;
    auto ext = packet.FindExtension(extension_id_);
    if (!ext) return;
    auto t = rtp::ParseAbsCaptureTime(*ext);
    if (!t) return;
    times_.emplace_back(packet.timestamp, rtp::UnixMicrosFromNtp(t->capture_time));
    if (times_.size() > depth_) times_.pop_front();
  }
  void OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp) {
    rtp_to_ntp_.OnSenderReport(ntp, rtp_timestamp);
  }
  std::optional<std::int64_t> CaptureTimeOf(std::uint32_t rtp_ts) const {
    for (auto it = times_.rbegin(); it != times_.rend(); ++it) {
      if (it->first == rtp_ts) return it->second;
    }
    return rtp_to_ntp_.CaptureTimeUs(rtp_ts);
  }
  const rtp::RtpToNtp& rtp_to_ntp() const { return rtp_to_ntp_; }

 private:
  std::uint8_t extension_id_;
  std::size_t depth_;
  rtp::RtpToNtp rtp_to_ntp_;
  std::deque<std::pair<std::uint32_t, std::int64_t>> times_;  // rtp ts -> capture us
};

}  // namespace confcast::receiver
