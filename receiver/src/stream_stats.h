// Per-stream receive figures shared by the video and audio pipelines and the reporters.
#pragma once

#include <confcast/receiver/latency_stats.h>

#include "repair_figures.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace confcast::receiver {

// One rendered frame's capture-to-render latency split at the moments it passed (ms); the
// six add up to the whole. `send` crosses from the sender's clock to ours.
struct StageSample {
  double send = 0;    // capture to the first packet's arrival: encode, packetize, the network
  double spread = 0;  // first packet to the one that completed the frame
  double buffer = 0;  // complete to released: reading the socket, playout hold, repair wait
  double queue = 0;   // released to the start of decoding: the decode thread's wake-up, backlog
  double decode = 0;
  double render = 0;  // the sink's Render call (a pipe write, a window's queue)
  std::array<double, 6> InOrder() const { return {send, spread, buffer, queue, decode, render}; }
};

// StageSample's stages in pipeline order, as --stats-json names them (latency_stages_ms).
inline constexpr std::array<const char*, 6> kLatencyStageNames{"send",  "spread", "buffer",
                                                               "queue", "decode", "render"};

// Video: where the capture-to-render latency went, one histogram per stage, in the order of
// kLatencyStageNames. Their means add up to the latency's mean, less any presentation delay a
// window adds for lip sync.
struct LatencyStages {
  std::array<LatencyStats, kLatencyStageNames.size()> by_stage;
  void Add(const StageSample& s) {
    const std::array<double, 6> v = s.InOrder();
    for (std::size_t i = 0; i < v.size(); ++i) by_stage[i].Add(v[i]);
  }
};

struct StreamFigures {
  std::uint64_t packets = 0;         // RTP packets accepted from this source
  std::uint64_t bytes = 0;           // their payload bytes
  std::uint64_t lost = 0;            // sequence numbers never received
  std::uint64_t late = 0;            // arrived after their playout
  std::uint64_t duplicates = 0;
  std::uint64_t reordered = 0;
  std::uint64_t frames_rendered = 0;  // video frames shown / audio frames played
  std::uint64_t frames_dropped = 0;   // undecodable or broken, never shown
  std::uint64_t frames_salvaged = 0;  // video: completed by a repair after their deadline, shown late
  std::uint64_t frames_concealed = 0; // audio: PLC or FEC frames
  std::uint64_t decode_errors = 0;
  std::uint64_t keyframe_requests = 0;
  std::uint64_t wrong_payload_type = 0;
  std::uint64_t ssrc_conflicts = 0;   // same SSRC from another transport address (RFC 3550 8.2)
  std::uint64_t decoder_queue_overflows = 0;  // video: access units the decoder had no room for
  std::size_t decoder_queue_high_water = 0;   // video: most access units waiting to decode
  double jitter_ms = 0;
  double target_delay_ms = 0;
  double max_render_gap_ms = 0;         // longest wait between two rendered frames (outages)
  std::optional<double> first_frame_ms;  // from the first packet to the first rendered frame
  LatencyStats latency_ms;               // capture (abs-capture-time) to render
  LatencyStages stages;                  // video: latency_ms split where the frame was
  RepairFigures repair;                  // video: NACK/RTX and FEC
};

}  // namespace confcast::receiver
