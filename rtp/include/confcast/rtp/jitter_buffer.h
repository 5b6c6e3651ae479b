// Receive-side video jitter buffer: reorders RTP packets, assembles frames, hides jitter and
// turns unrecoverable loss into a keyframe request. Pure: time is passed in.
//
// Packets live in a ring indexed by unwrapped sequence number (seq.h). `head` is the first
// sequence number not yet released or dropped; everything below it is late. In normal mode
// the head is always the first packet of a frame (it follows a released marker or is a
// keyframe start), so the head frame is the packets from head up to the marker (or up to a
// timestamp change, for senders that forget the marker). Frames are released strictly in
// order, only when complete and only once their playout time has come.
//
// Playout time (RFC 3550 6.4.1 / A.8 ideas, as in GStreamer's rtpjitterbuffer): the expected
// completion time of a frame is its RTP time mapped through the minimum transit seen in a
// sliding window (the fastest recent frame defines "on time"); target = clamp(max(k * J, p99 of
// the delay variation), min_delay, max_delay), J the RFC 3550 A.8 smoothed transit variation
// between consecutive frames (see PlayoutTiming). A complete frame plays at expected + (target -
// judder_tolerance), at once when that is past: variation a viewer cannot see is not smoothed, so
// on a clean LAN (a few ms of encoder variation) a frame goes out as soon as it is complete. The
// full target is what a frame with a hole waits for a reordered packet (below).
//
// Loss: a frame with a gap (a missing sequence number below one that arrived) waits until
// expected + target (never less than the target delay after its first packet, never more than
// max_delay); then it is lost, with whatever of it did arrive. A frame whose tail simply has
// not arrived yet has no deadline: the next packet after it turns a lost tail into a gap. The
// stream is assumed to have a single reference chain (low latency H.264), so every later frame is
// undecodable until a keyframe. With salvage_wait set (repair on), the frame is first only
// *overdue*: it has missed its own turn on screen, but a repair that arrives a little later
// (a retransmission of a retransmission, a burst's last packet) still completes it, and then it
// and the frames after it go out at once (late, but whole) instead of the chain breaking until a
// keyframe; a keyframe request goes out at the deadline all the same, and a keyframe that
// arrives first ends the wait. When salvage_wait runs out too, the frame is lost: the buffer enters "waiting for keyframe" (also its state at join
// and after a capacity overflow), counts what it skips, and asks the caller for a keyframe, at
// most once per keyframe_request_interval. It starts again at the first packet of the access unit
// of the first packet marked keyframe_start, and only once that first packet is certain: the
// packet before it arrived and belongs to another frame, or was given up long ago, or has not come
// by the deadline a gap gets (it may be a reordered AUD, SEI or SPS/PPS packet of the same access
// unit, so it is waited for like a hole), or the start itself begins_access_unit (an AUD or SPS:
// nothing needed can precede it, so a join starts on the first keyframe without that wait). A keyframe whose head was already dropped is skipped.
// So every frame released is a contiguous run of packets up to an access unit's marker, from
// its first packet or (when the packets before its keyframe mark never came) from the mark, and
// the first one after any loss is a keyframe with every slice.
#pragma once

#include <confcast/rtp/seq.h>
#include <confcast/rtp/time.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace confcast::rtp {

// Maps RTP time to the receiver's clock and derives an adaptive playout delay. Shared by the
// video and audio buffers.
//   transit(i) = arrival(i) - rtp_time(i)                          (RFC 3550 A.8)
//   base       = min transit over a two-bucket sliding window      (tracks clock drift)
//   J         += (|transit(i) - transit(i-1)| - J) / 16            (RFC 3550 A.8)
//   v(i)       = transit(i) - base, its p99 over the last kWindow samples
//   target     = clamp(max(k * J, p99(v)), floor, ceiling)
// Three samples in a row later than base + ceiling re-anchor the base (a sender that paused its
// clock, a path that got longer). k * J follows smooth jitter; the p99 of v catches heavy tails
// (reordering) that a smoothed mean underestimates. Keyframes set the base but are left out of J
// and v (OnSample). Packets that arrived too late to be used are
// fed in as v samples too, so losses caused by a short delay make the delay grow. The video
// buffer feeds only packets that came over the path, never repairs (VideoPacket::repaired).
class PlayoutTiming {
 public:
  struct Config {
    int clock_rate = 90000;
    Duration floor{0};
    Duration ceiling{50'000};
    double jitter_multiplier = 3.0;
    Duration base_window{5'000'000};  // each of the two min buckets spans this long
  };
  static constexpr std::size_t kWindow = 128;
  static constexpr int kRebaseAfter = 3;  // consecutive samples beyond the ceiling

  explicit PlayoutTiming(Config config);

  // One arrival sample of unwrapped RTP time `uts`: updates base, jitter and variation. A
  // sample `late_by_size` (a keyframe: several times a delta frame to encode and to send, once
  // a GOP) sets the base only: holding every frame for it would cost each frame what one frame
  // a GOP gains (a 1080p30 stream on a loaded sender: 4.4 ms on every frame).
  void OnSample(std::int64_t uts, Timestamp arrival, bool late_by_size = false);
  // A sample that came too late to be used: counts in the variation only.
  void OnLateSample(std::int64_t uts, Timestamp arrival);
  // A provisional base from a packet, used only until the first real sample exists.
  void SeedBase(std::int64_t uts, Timestamp arrival);
  bool has_base() const noexcept { return base_cur_.has_value() || provisional_.has_value(); }
  // The time `uts` is expected to arrive (min transit), without the target delay.
  Timestamp Expected(std::int64_t uts) const noexcept;
  // Expected(uts) + target_delay().
  Timestamp Playout(std::int64_t uts) const noexcept { return Expected(uts) + target_; }
  Duration target_delay() const noexcept { return target_; }
  Duration jitter() const noexcept;
  // Converts an RTP duration to microseconds.
  Duration RtpToDuration(std::int64_t rtp_units) const noexcept;
  // Forgets the base (keeps jitter and variation): the next sample anchors the mapping.
  void Rebase() noexcept;
  void Reset() noexcept;

 private:
  Duration Transit(std::int64_t uts, Timestamp arrival) noexcept;
  void UpdateBase(Duration transit, Timestamp arrival) noexcept;
  Duration Base() const noexcept;
  void AddVariation(Duration v) noexcept;
  void UpdateTarget() noexcept;

  Config config_;
  std::optional<std::int64_t> origin_;  // the first uts, keeps the arithmetic small
  std::optional<Duration> provisional_;
  std::optional<Duration> base_cur_;
  std::optional<Duration> base_prev_;
  Timestamp bucket_start_{0};
  std::optional<Duration> last_transit_;
  int beyond_ceiling_ = 0;
  double jitter_us_ = 0;
  std::vector<std::int64_t> variation_;  // ring of the last kWindow v samples, microseconds
  std::size_t variation_next_ = 0;
  int since_rank_ = 0;
  Duration p99_{0};
  Duration target_{0};
};

struct VideoJitterConfig {
  int clock_rate = 90000;
  // Floor of the target delay: the least time a frame may wait for a reordered packet. 2 ms
  // covers LAN reordering at a cost of 2 ms on every frame; 0 gives up any reordering slack
  // unless measured jitter provides it.
  Duration min_delay{2'000};
  Duration max_delay{50'000};   // ceiling (the --latency option)
  // Arrival variation a viewer does not see: a complete frame is held only for the part of the
  // target delay beyond this (a 60 Hz display shows a ready frame up to 16.7 ms later anyway, so
  // smoothing the encoder's few milliseconds of variation costs latency and buys nothing). The
  // full target still sets how long a frame with a hole waits for a reordered packet.
  Duration judder_tolerance{4'000};
  // With loss repair on (NACK/RTX, FEC), a frame with a hole waits at least this long after its
  // first packet for the repair before it is given up (still never past max_delay). 0: no
  // repair, a hole is lost at the frame's playout time.
  Duration repair_wait{0};
  // How much longer than its deadline a frame with a hole may wait for the repair before the
  // reference chain is given up (see above). 0: given up at the deadline.
  Duration salvage_wait{0};
  std::size_t capacity = 2048;  // packets held at most
  // While waiting for a keyframe, packets older than this (or past their latest possible
  // playout) are dropped.
  Duration max_frame_age{1'000'000};
  Duration keyframe_request_interval{200'000};
  double jitter_multiplier = 3.0;
  // Two consecutive packets this far (in sequence numbers) from the stream are a sender
  // restart: the buffer resets and follows the new numbering.
  std::int64_t restart_seq_distance = 3000;
};

// One packet as the caller hands it over; the buffer owns the payload from then on.
struct VideoPacket {
  std::uint16_t seq = 0;
  std::uint32_t rtp_ts = 0;
  bool marker = false;
  // The first packet of a keyframe's access unit that a decoder needs: for H.264 an SPS or the
  // top slice of an IDR picture (rtp::StartsKeyframe), never a later slice of it.
  bool keyframe_start = false;
  std::vector<std::uint8_t> payload;
  // Nothing of its access unit that a decoder needs can come before it (for H.264 it begins
  // with an AUD or SPS: rtp::BeginsAccessUnit). At join the buffer starts a keyframe there at
  // once instead of waiting a gap's deadline for packets before it.
  bool begins_access_unit = false;
  // Came as a repair (retransmission or FEC), not over the path: its arrival says how long the
  // repair took, not how much the path varies, so it does not move the playout delay (a frame
  // that waits for a repair waits by repair_wait, alone, instead of every frame waiting as
  // long as the slowest repair of the last few seconds).
  bool repaired = false;
  friend bool operator==(const VideoPacket&, const VideoPacket&) = default;
};

struct VideoFrame {
  std::uint32_t rtp_ts = 0;
  bool keyframe = false;
  std::uint16_t first_seq = 0;
  std::uint16_t last_seq = 0;
  Timestamp first_arrival{0};
  Timestamp last_arrival{0};
  Timestamp playout_time{0};
  std::vector<std::vector<std::uint8_t>> payloads;  // in sequence order
  friend bool operator==(const VideoFrame&, const VideoFrame&) = default;
};

// A run of missing sequence numbers, first..first+count-1 (mod 2^16).
struct SeqRange {
  std::uint16_t first = 0;
  std::uint16_t count = 0;
  friend bool operator==(SeqRange, SeqRange) = default;
};

enum class InsertStatus {
  kStored,
  kDuplicate,
  kLate,          // older than the last released or dropped packet
  kRestartProbe,  // far from the stream: held until the next packet confirms a restart
  kRestarted,     // the previous packet and this one started a new stream
};

struct InsertResult {
  InsertStatus status = InsertStatus::kStored;
  std::vector<SeqRange> new_gaps;  // sequence numbers newly known missing (for NACK)
  std::vector<VideoFrame> frames;  // released by this insert (ready at `arrival`)
  bool request_keyframe = false;
};

struct PollResult {
  std::vector<VideoFrame> frames;
  bool request_keyframe = false;
};

struct VideoJitterStats {
  std::uint64_t packets_received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;
  std::uint64_t reordered = 0;        // arrived after a higher sequence number
  std::uint64_t lost = 0;             // sequence numbers skipped without ever arriving
  std::uint64_t frames_complete = 0;  // released
  std::uint64_t frames_dropped = 0;   // skipped as undecodable
  std::uint64_t frames_overdue = 0;   // still incomplete at their deadline
  std::uint64_t frames_salvaged = 0;  // of those, completed later and released (late)
  std::uint64_t keyframe_requests = 0;
  std::uint64_t overflows = 0;
  std::uint64_t restarts = 0;
  Duration target_delay{0};  // how long a frame with a hole waits for reordered packets
  Duration playout_hold{0};  // how long a complete frame is held (target - judder_tolerance)
  Duration jitter{0};
};

class VideoJitterBuffer {
 public:
  explicit VideoJitterBuffer(VideoJitterConfig config = {});

  // Stores the packet and releases whatever became ready at `arrival`.
  [[nodiscard]] InsertResult Insert(VideoPacket packet, Timestamp arrival);
  // Releases frames whose playout time has come and declares overdue gaps lost.
  [[nodiscard]] PollResult Poll(Timestamp now);
  // When Poll has something to do next (a playout time or a loss deadline), if anything.
  std::optional<Timestamp> NextWakeup() const noexcept { return wakeup_; }
  // Forgets the stream (new SSRC): back to the join state. Statistics are kept.
  void Reset();

  // Sequence numbers still missing between the release point and the newest packet, oldest
  // first (what a NACK component would ask for now). Empty while waiting for a keyframe.
  std::vector<SeqRange> MissingRanges() const;

  VideoJitterStats stats() const noexcept;
  std::size_t packets_buffered() const noexcept { return buffered_; }
  bool waiting_for_keyframe() const noexcept { return waiting_; }

 private:
  enum class SlotState : std::uint8_t { kEmpty, kPresent, kConsumed };
  struct Slot {
    std::int64_t useq = 0;
    SlotState state = SlotState::kEmpty;
    bool marker = false;
    bool keyframe_start = false;
    bool begins_access_unit = false;
    bool repaired = false;
    std::uint32_t rtp_ts = 0;
    std::int64_t uts = 0;
    Timestamp arrival{0};
    std::vector<std::uint8_t> payload;
  };
  // What the head frame looks like.
  struct HeadFrame {
    enum Kind { kNothing, kComplete, kGap } kind = kNothing;
    std::int64_t last = 0;       // kComplete: its last sequence number
    std::int64_t uts = 0;        // the frame's (or, after a missing head, next known) time
    Timestamp first_arrival{0};  // earliest arrival among its present packets
    Timestamp last_arrival{0};   // kComplete: when it became complete
  };

  enum class Resume { kResumed, kWait, kDropped, kNoKeyframe };

  Slot& At(std::int64_t useq) noexcept;
  const Slot& At(std::int64_t useq) const noexcept;
  bool Present(std::int64_t useq) const noexcept;
  InsertStatus Store(VideoPacket& packet, Timestamp arrival, InsertResult& result);
  void Advance(Timestamp now, std::vector<VideoFrame>& frames, bool& request_keyframe);
  // While waiting for a keyframe: starts again at the first packet of a keyframe's access unit
  // once it is certain (kResumed), drops a keyframe that can no longer be whole (kDropped).
  Resume TryResume(Timestamp now);
  // How long a complete frame is held behind its expected arrival (target - judder_tolerance).
  Duration PlayoutHold() const noexcept;
  // How long a frame of time `uts` whose first packet came at `first_arrival` waits for a hole.
  Timestamp GapDeadline(std::int64_t uts, Timestamp first_arrival) const noexcept;
  HeadFrame ExamineHead() const noexcept;
  // A keyframe start beyond the head frame (of time `head_uts`) is in the buffer.
  bool KeyframeAfter(std::int64_t head_uts) const noexcept;
  VideoFrame Release(std::int64_t last, Timestamp playout);
  // Drops [head_, end) and moves head_ to end, counting lost numbers and (with whole_frames)
  // the frames dropped. Fixes the head only when it moved.
  void DropUntil(std::int64_t end, bool whole_frames = true);
  void EnterWaiting(Timestamp now, bool& request_keyframe);
  void MaybeRequestKeyframe(Timestamp now, bool& request_keyframe);
  void ResetStream();

  VideoJitterConfig config_;
  PlayoutTiming timing_;
  std::vector<Slot> ring_;
  SeqUnwrapper seq_unwrapper_;
  TsUnwrapper ts_unwrapper_;
  std::set<std::int64_t> keyframe_starts_;  // present packets marked keyframe_start
  bool started_ = false;
  bool head_fixed_ = false;   // released, dropped or resumed at a keyframe: head_ cannot move back
  std::int64_t head_ = 0;     // first sequence number not yet released or dropped
  std::int64_t highest_ = 0;  // highest sequence number received
  std::size_t buffered_ = 0;
  bool waiting_ = true;         // for a keyframe
  bool need_keyframe_ = false;  // a request is due while waiting
  std::optional<Timestamp> last_request_;
  std::optional<std::int64_t> last_dropped_uts_;  // counts a dropped frame once
  std::optional<std::int64_t> overdue_uts_;       // the head frame past its deadline
  std::optional<Timestamp> wakeup_;
  std::optional<VideoPacket> restart_probe_;
  Timestamp restart_probe_arrival_{0};
  VideoJitterStats stats_;
};

}  // namespace confcast::rtp
