// The event loop of confcast-sim (see simulation.h for the model). engine.cc holds the loop and
// the sender, engine_receivers.cc the receivers.
#pragma once

#include <confcast/rtp/fec_policy.h>
#include <confcast/rtp/feedback_backoff.h>
#include <confcast/rtp/nack_tracker.h>
#include <confcast/rtp/repair_limiter.h>
#include <confcast/rtp/rtcp_interval.h>
#include <confcast/sender/keyframe_aggregator.h>
#include <confcast/sim/simulation.h>

#include <cstdint>
#include <limits>
#include <queue>
#include <random>
#include <unordered_map>
#include <vector>

#include "keyframe_policy.h"
#include "stream_model.h"

namespace confcast::sim {

inline constexpr rtp::Timestamp kNever = rtp::Timestamp::max();
inline constexpr std::uint32_t kReceiverSsrcBase = 0x20000000;  // receiver r is base + r + 1
inline constexpr rtp::Duration kPacketSpacing{100};      // a frame's burst: 100 us per packet

enum class EventKind : std::uint8_t {
  kFrame,      // the sender emits a frame
  kArrive,     // a media or RTX packet reaches one delay class
  kFrameEnd,   // a frame's last packet reaches one delay class: FEC has done what it can
  kWake,       // a receiver's NACK tracker wants Process()
  kPliDue,     // a receiver's held PLI back-off ends
  kDeadline,   // a frame's playout deadline at a receiver with packets still missing
  kHeard,      // a feedback packet reaches one delay class
  kAtSender,   // a feedback packet reaches the sender
  kRtcp,       // a receiver's regular RTCP timer
  kSenderRtcp  // the sender's RTCP timer
};

struct Event {
  rtp::Timestamp t;
  std::uint64_t order;
  EventKind kind;
  std::uint32_t a, b;
};
struct Later {
  bool operator()(const Event& x, const Event& y) const noexcept {
    return x.t != y.t ? x.t > y.t : x.order > y.order;
  }
};

struct SentPacket {
  std::uint32_t seq = 0;  // unwrapped media sequence number
  rtp::Timestamp sent{0};
  bool rtx = false;
  bool shared_lost = false;
  std::vector<std::uint32_t> lost;  // receivers that lost it on their leaf (media only), ascending
};

struct FrameState {
  Frame frame;
  std::uint64_t shared_media = 0, shared_repair = 0;  // lost upstream: every receiver
  std::uint64_t shared_recovered = 0;
  struct Own {
    std::uint32_t receiver;
    std::uint64_t media, repair, recovered;  // with the shared losses included
  };
  std::vector<Own> own;  // receivers with leaf losses in this frame, ascending
  rtp::Timestamp last_sent{0};
};

struct Pending {
  std::uint32_t seq;
  std::uint32_t frame;
  rtp::Timestamp expected;  // when the original would have arrived
};

struct Receiver {
  explicit Receiver(const rtp::NackTrackerConfig& c) : tracker(c) {}
  rtp::NackTracker tracker;
  std::uint32_t ssrc = 0;
  int cls = 0;
  rtp::Duration leaf{0};
  rtp::Timestamp wake = kNever;
  rtp::Timestamp tp{0}, tn{0};
  rtp::Duration interval{0};
  rtp::EarlyFeedbackRule rule;
  receiver::KeyframePolicy keyframes;  // confcast-recv's, with its large-group back-off
  std::vector<Pending> pending;
  std::uint32_t lost_since_rr = 0;
  std::uint64_t expected_at_rr = 0;
  bool reported = false;  // a report covering only time inside the run went out
  std::int64_t broken_since = -1;  // frame index since which the picture waits for an IDR
};

struct Feedback {
  std::uint32_t from;
  bool pli;
  std::vector<std::uint16_t> seqs;
};

class Engine {
 public:
  explicit Engine(const SimConfig& config);
  SimResult Run();

 private:
  // engine.cc: loop, randomness, sender
  void Push(rtp::Timestamp t, EventKind kind, std::uint32_t a, std::uint32_t b = 0);
  double Uniform();  // [0, 1)
  bool Lost(double p) { return p > 0 && Uniform() < p; }
  std::vector<std::uint32_t> DrawLeafLosses();
  int Group() const noexcept;
  void OnFrame(rtp::Timestamp t);
  void OnAtSender(std::uint32_t fb, rtp::Timestamp t);
  void OnSenderRtcp(rtp::Timestamp t);
  void SendRtx(std::uint32_t seq, rtp::Timestamp t);
  void UpdateFec(rtp::Timestamp t);
  void SeedLossReports();
  std::uint32_t Unwrap(std::uint16_t seq) const noexcept;
  rtp::Duration ClassDelay(int cls) const noexcept;
  SimResult Finish(double wall_seconds);
  // engine_receivers.cc
  void InitReceivers();
  void StartReportTimers();
  void OnArrive(std::uint32_t packet, int cls, rtp::Timestamp t);
  void OnRtxArrive(SentPacket& p, int cls, rtp::Timestamp t);
  void OnFrameEnd(std::uint32_t frame, int cls, rtp::Timestamp t);
  void OnWake(std::uint32_t r, rtp::Timestamp t);
  void OnPliDue(std::uint32_t r, rtp::Timestamp t);
  void OnDeadline(std::uint32_t r, std::uint32_t frame, rtp::Timestamp t);
  void OnHeard(std::uint32_t fb, int cls, rtp::Timestamp t);
  void OnRtcp(std::uint32_t r, rtp::Timestamp t);
  void ScheduleWake(std::uint32_t r, rtp::Timestamp now);
  void RequestKeyframe(std::uint32_t r, rtp::Timestamp t);
  void SendFeedback(std::uint32_t r, rtp::Timestamp t, bool pli, std::vector<std::uint16_t> seqs);
  rtp::Duration RegularInterval(const Receiver& rx, double u) const noexcept;
  void RecordRepair(rtp::Duration latency);

  SimConfig config_;
  bool scaled_;
  int n_;
  int classes_;
  rtp::Duration shared_delay_;
  rtp::Timestamp end_;
  std::mt19937_64 rng_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::uint64_t order_ = 0;

  // Sender.
  StreamModel stream_;
  rtp::FecPolicy fec_policy_;
  rtp::RepairLimiter limiter_;
  sender::KeyframeAggregator keyframes_;
  rtp::RtcpScheduler sender_rtcp_;
  bool force_keyframe_ = false;
  std::uint32_t next_seq_ = 0;
  std::vector<std::uint32_t> media_bytes_;  // by unwrapped seq
  std::vector<std::uint32_t> frame_of_;     // by unwrapped seq
  std::vector<double> reported_loss_;       // by receiver, -1: none yet

  // The membership every receiver sees (all hear the same multicast RTCP).
  rtp::RtcpScheduler view_;
  double rtcp_bw_bytes_;
  rtp::Duration min_interval_;
  std::size_t rr_size_ = 0, sr_size_ = 0, fb_base_size_ = 0;

  std::vector<Receiver> rx_;
  std::vector<SentPacket> packets_;
  std::vector<FrameState> frames_;
  std::vector<Feedback> feedback_;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> needers_;  // seq -> receivers
  std::vector<std::uint32_t> pli_armed_;

  // Counters.
  SimResult result_;
  std::uint64_t media_bytes_total_ = 0, repair_bytes_ = 0, rtx_bytes_ = 0;
  std::uint64_t rtcp_bytes_ = 0, feedback_bytes_ = 0;
  std::uint64_t nack_seq_requests_ = 0;
  std::unordered_map<std::uint32_t, bool> nacked_;  // distinct seqs named in NACKs
  std::uint64_t incomplete_ = 0, undecodable_ = 0;
  std::uint32_t frames_judged_ = 0;         // frames whose deadline passes within the run
  std::vector<std::uint64_t> repair_hist_;  // 10 us bins
};

}  // namespace confcast::sim
