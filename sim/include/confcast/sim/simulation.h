// confcast-sim: a discrete-event simulation of one sender and N receivers on a multicast tree,
// driving confcast's real rtp/ state machines, to see what feedback, RTCP and repair cost in a
// group far larger than a test LAN can hold. Nothing is sent on any network.
//
// Tree: sender --(shared link: loss S, delay RTT/4)--> switch --(leaf r: loss I, delay
// RTT/4 x 0.5..1.5)--> receiver r. A packet lost on the shared link is lost for every receiver
// at once (the hard case for feedback); a leaf loss hits one receiver. Feedback goes up the
// receiver's leaf and down every other leaf (suppression) and across the shared link to the
// sender; it can be lost on the way like media. Receivers are put into 8 delay classes (the
// leaf delay), so that one event delivers a packet to a whole class.
//
// Stream: 720p30 H.264 at 2.5 Mbit/s, GOP 60 with IDRs 5x a delta frame, frame sizes +-20%,
// 1172-byte payloads sent as one burst per frame (100 us apart), FlexFEC repair after each
// frame at the level FecPolicy picks from the receivers' reports (RTX on: lighter levels only
// in groups of at most 8 reporters), IDRs on request through the sender's KeyframeAggregator.
//
// What is real: rtp::NackTracker per receiver (gap detection, large-group back-off,
// suppression by heard NACKs, retries, deadline), rtp::FlexFecEncoder on every frame and
// rtp::FlexFecDecoder deciding what a receiver's FEC rebuilds (memoised by loss pattern: the
// result depends only on which packets of a frame arrived), rtp::FecPolicy, rtp::RepairLimiter
// (the sender's one retransmission per packet per RTT, budget), sender::KeyframeAggregator,
// rtp::RtcpScheduler for the sender and rtp::ComputeInterval with A.7 timer reconsideration
// for every receiver, rtp::EarlyFeedbackRule (RFC 4585) and rtp::HeldRequest for PLIs, and RTCP
// sizes from rtp's serializers. What is modelled: the receivers' membership view is one
// RtcpScheduler fed with every RTCP packet (every receiver hears the same multicast RTCP),
// the session starts in steady state (every member known, report timers spread over one
// interval), a frame is complete when all its media packets arrived or were rebuilt by its
// playout deadline (sent + path delay + 40 ms), and no jitter buffer or decoder runs.
#pragma once

#include <confcast/rtp/time.h>

#include <cstdint>
#include <string>
#include <vector>

namespace confcast::sim {

enum class FeedbackMode {
  kScaled,   // large-group back-off and the RFC 4585 early rule above 8 receivers (confcast now)
  kClassic,  // every receiver requests within 3 ms of a loss, no early rule (confcast before)
};

struct SimConfig {
  int receivers = 100;
  double shared_loss = 0.05;       // fraction, upstream of every receiver
  double independent_loss = 0.01;  // fraction, per receiver
  rtp::Duration rtt{10'000};       // sender <-> receiver round trip (leaf delays spread it)
  double seconds = 60;
  std::uint64_t seed = 1;
  FeedbackMode feedback = FeedbackMode::kScaled;
  double bitrate_bps = 2.5e6;  // the session bandwidth RTCP's 5% is taken from
  int fps = 30;
  int gop = 60;
  rtp::Duration latency_budget{40'000};
};

struct SimResult {
  SimConfig config;
  // Headline figures.
  double feedback_packets_per_lost_packet = 0;  // NACK + PLI compounds / distinct lost packets
  double rtcp_share_pct = 0;                    // SR + RR + feedback bits / session bandwidth
  double repair_p95_ms = 0;        // loss to repair (FEC or RTX), over repaired receiver losses
  double frames_complete_pct = 0;  // receiver-frames complete by their playout deadline
  double retransmissions_per_lost_packet = 0;
  // Details.
  double repair_p50_ms = 0, repair_p99_ms = 0;
  double repair_bound_ms = 0;  // 3 x RTT + the largest back-off: the target for p95
  double max_backoff_ms = 0;
  double frames_decodable_pct = 0;  // complete and no broken reference since the last IDR
  double fec_overhead_pct = 0;      // repair packets' bytes / media bytes
  double rtx_overhead_pct = 0;
  double feedback_share_pct = 0;  // NACK + PLI compounds alone, of the session bandwidth
  double nack_requests_per_nacked_packet = 0;  // sequence numbers in NACKs / distinct ones
  std::uint64_t media_packets = 0, lost_packets = 0, receiver_losses = 0;
  std::uint64_t fec_recovered = 0, rtx_recovered = 0, unrepaired = 0;
  std::uint64_t feedback_packets = 0, nack_packets = 0, pli_packets = 0;
  std::uint64_t nacks_suppressed = 0;  // requests a receiver did not send: it heard another
  std::uint64_t nacks_not_early = 0;   // requests due while RFC 4585 allowed no early packet
  std::uint64_t plis_cancelled = 0;
  std::uint64_t rtx_packets = 0, rtx_refused = 0, rtx_deduplicated = 0;
  std::uint64_t receiver_reports = 0, sender_reports = 0;
  std::uint64_t keyframes = 0, keyframes_forced = 0;
  std::uint64_t frames = 0;
  double rtcp_interval_s = 0;  // a receiver's deterministic report interval at the end
  int fec_level_final = 0;
  double wall_seconds = 0;
};

// Runs one simulation. Deterministic: the same config gives the same result (wall_seconds
// aside).
SimResult Simulate(const SimConfig& config);

// The receiver counts of --sweep, 1 to 10,000.
std::vector<int> SweepSizes();

// Output: a table row per result, JSON, and an SVG plot of a sweep.
std::string FormatText(const SimResult& r);
std::string FormatSweepTable(const std::vector<SimResult>& results);
std::string ToJson(const std::vector<SimResult>& results);
std::string SweepSvg(const std::vector<SimResult>& results);

}  // namespace confcast::sim
