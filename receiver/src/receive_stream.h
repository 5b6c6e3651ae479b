// One received source (one SSRC) of either kind, as a short chain of stages with one owner
// each:
//
//   payload-type check -> capture clock -> statistics (RFC 3550 A.3, A.8) -> media pipeline
//
// The media pipeline is the kind-specific tail: video (jitter buffer, H.264 depacketizer, a
// decode worker thread, sink: video_stream.h) or audio (audio jitter buffer, Opus with FEC and
// concealment, lip-sync hold, sink: audio_stream.h). Source validation (RFC 3550 A.1
// probation) happened before a stream exists (source_gate.h); repair (RTX unwrap, FEC
// recovery, NACK) sits in front of it in the receiver and feeds rebuilt packets in with their
// origin. A stream never sends or reads a clock: it returns what the receiver should do.
#pragma once

#include <confcast/rtp/packet.h>
#include <confcast/rtp/receive_stats.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "capture_clock.h"
#include "media_kind.h"
#include "stream_stats.h"

namespace confcast::receiver {

// Where a packet handed to a stream came from.
enum class PacketOrigin { kMedia, kRtx, kFec };

struct StreamConfig {
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 96;
  std::uint8_t abs_capture_time_id = 1;
  int channels = 1;  // audio
  rtp::Duration latency_ceiling{40'000};
  // How long a frame with a hole waits for a repair (NACK/RTX, FEC); 0 without repair.
  rtp::Duration repair_wait{0};
  // How much longer a frame past its deadline waits for a late repair before the reference
  // chain is given up (rtp::VideoJitterConfig::salvage_wait); 0 without NACK.
  rtp::Duration salvage_wait{0};
};

// The video repair budget for a --latency ceiling, in one place for the jitter buffer and the
// NACK tracker: a frame with a hole waits the ceiling for its repair (with NACK on) and as long
// again past its deadline for a late one (salvage), so the tracker keeps asking for both.
struct RepairBudget {
  rtp::Duration repair_wait{0};
  rtp::Duration salvage_wait{0};
  rtp::Duration nack_deadline{0};  // the tracker gives a packet up after this long
};
RepairBudget VideoRepairBudget(rtp::Duration latency_ceiling, bool nack);

// What the receiver should do after a stream handled an event.
struct StreamActions {
  bool request_keyframe = false;
  bool dropped = false;  // the packet was not used (wrong payload type, bad sequence jump)
  const char* drop_reason = nullptr;
};

class ReceiveStream {
 public:
  ReceiveStream(MediaKind kind, const StreamConfig& config, std::uint32_t clock_rate,
                std::size_t capture_depth, rtp::Timestamp since);
  virtual ~ReceiveStream() = default;
  ReceiveStream(const ReceiveStream&) = delete;
  ReceiveStream& operator=(const ReceiveStream&) = delete;

  // A packet of this SSRC, validated by the source gate (media), or rebuilt by repair.
  [[nodiscard]] StreamActions OnPacket(const rtp::RtpView& packet, rtp::Timestamp arrival,
                                       PacketOrigin origin = PacketOrigin::kMedia);
  // Releases what is due at `now`.
  [[nodiscard]] virtual StreamActions Poll(rtp::Timestamp now) = 0;
  void OnSenderReport(rtp::NtpTime ntp, std::uint32_t rtp_timestamp, rtp::Timestamp arrival);

  virtual bool has_sink() const = 0;
  MediaKind kind() const { return kind_; }
  std::uint32_t ssrc() const { return config_.ssrc; }
  rtp::ReceiveStatistics& stats() { return stats_; }
  const StreamFigures& figures() const { return figures_; }
  StreamFigures& figures() { return figures_; }
  const CaptureClock& capture_clock() const { return capture_; }
  // (output wall time, capture wall time) of the last frame shown or played, microseconds.
  std::optional<std::pair<std::int64_t, std::int64_t>> last_output() const { return last_output_; }

 protected:
  // The kind-specific tail, after the statistics stage.
  [[nodiscard]] virtual StreamActions Insert(const rtp::RtpView& packet, rtp::Timestamp arrival,
                                             PacketOrigin origin) = 0;

  const StreamConfig config_;
  CaptureClock capture_;
  StreamFigures figures_;
  const rtp::Timestamp since_;  // first packet (or the receiver's start, for the first stream)
  std::optional<std::pair<std::int64_t, std::int64_t>> last_output_;

 private:
  const MediaKind kind_;
  rtp::ReceiveStatistics stats_;
};

}  // namespace confcast::receiver
