// Receive-side NACK state machine for one media stream in a multicast group (RFC 4585 3.5,
// 6.2.1; RFC 4588 for the repair).
//
// Gap detection: every media sequence number that arrives is fed in (unwrapped, seq.h). A number
// skipped by a newer arrival becomes a *suspect*; it becomes a *certain* loss once it has stayed
// missing for `reorder_window` or once `reorder_packets` newer packets arrived (a LAN reorders
// little, so either proves the loss quickly without NACKing every reordered packet). Both
// adapt to the path: a missing number that turns up as media after all was reordered, not
// lost, and how long it was missing (and how many newer packets came first) raises the window
// to cover such reordering (x1.25, up to `max_reorder_window` / `max_reorder_packets`); the
// estimate decays back over a few seconds of in-order arrivals. On a Wi-Fi-like path (4 +- 3 ms)
// a fixed 2 ms window NACKed nearly every reordered packet, and the duplicate retransmissions
// ate the repair budget that real losses needed. Counting
// arrivals rather than sequence distance keeps a burst together: all its numbers become
// certain at the same moment and go out in one NACK.
//
// Tail loss: a lost last packet of a frame shows only when the next frame arrives, a frame
// interval later, which would leave little of the latency budget for the repair. The caller,
// who sees marker bits, calls SuspectNext when the newest packet did not end its frame and
// nothing followed for a while (a sender writes a frame in one burst): the next number is then
// treated as a certain loss at once. If it turns up after all, it simply fills the entry.
// A FEC repair packet sent after the frame names the numbers it protects, so a lost tail of
// several packets shows when it arrives (OnProtected): those numbers become suspects like any
// gap, subject to the reorder window (the repair packet may overtake the media it protects).
//
// Scheduling (RFC 4585 3.5.2/3.5.3 adapted to NACK with RTX): a certain loss is NACKed after a
// random delay uniform in [0, suppression_window] (the draw is passed in by the caller; rtp/ has
// no random source). If another receiver's NACK for the same packet is heard first (OnNackHeard),
// ours is suppressed: the sender's one retransmission to the group serves both, so we schedule the
// next try as if we had sent it. Retries are one retry interval apart (the larger of 1.5 RTT and
// RTT + 4 x its mean deviation, at least `min_retry_interval`; the deviation term never pushes a
// retry past one RTT before the deadline, where its answer could still arrive), up to
// `max_attempts`; a packet still missing one interval after the last attempt, or `deadline` after
// it went missing (the jitter buffer's latency budget), is lost for good and the caller falls
// back to a keyframe request.
//
// Large groups (feedback_backoff.h): after SetGroupSize(N) with N above the small-group size,
// the delay before the first request is a truncated-exponential back-off of up to 6 x RTT
// (capped at a third of the latency budget) instead of the 3 ms window, and every retry waits
// a fresh back-off on top of the retry interval too: the receivers that missed a repair are
// as many and as synchronised as those that missed the packet. A request heard from another
// receiver (OnNackHeard) or the repair (OnRecovered, or the packet itself) cancels ours.
//
// RTT: starts at `initial_rtt` (or SetRtt from RTCP) and is refined by Karn's rule: only a
// packet retransmitted after exactly one NACK of our own gives a sample, NACK sent -> repair
// arrived (a FEC rebuild times the parity, not the path), smoothed as in RFC 6298 (alpha 1/8,
// and its mean deviation beta 1/4). On a path whose delay varies (Wi-Fi), a retry one plain
// RTT after the request mostly duplicates a repair still on its way and spends an attempt:
// the deviation term waits for the slow repairs too.
//
// Memory: at most `max_tracked` numbers are tracked; a jump of more than `reset_distance` seen
// twice in a row is a new stream (restarted sender) and resets the tracker instead of NACKing
// thousands of numbers; a single far packet is ignored as a stray.
#pragma once

#include <confcast/rtp/feedback_backoff.h>
#include <confcast/rtp/seq.h>
#include <confcast/rtp/time.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace confcast::rtp {

struct NackTrackerConfig {
  Duration reorder_window{2'000};  // the floor of the adaptive window
  std::int64_t reorder_packets = 3;
  Duration max_reorder_window{15'000};
  std::int64_t max_reorder_packets = 64;
  Duration initial_rtt{5'000};
  Duration min_rtt{500};
  Duration max_rtt{200'000};
  Duration min_retry_interval{3'000};
  Duration suppression_window{3'000};
  int max_attempts = 5;
  Duration deadline{40'000};
  std::size_t max_tracked = 512;
  std::int64_t reset_distance = 3000;
  FeedbackBackoffConfig backoff;  // used above backoff.small_group members (SetGroupSize)
};

enum class NackPacketOutcome {
  kInOrder,    // the next expected number, or newer (gaps created, if any)
  kFilledGap,  // a missing number arrived (reordered, late, or repaired)
  kOld,        // older than the newest and not missing (duplicate or already given up)
  kDuplicate,  // the newest again
  kStray,      // far from the stream: ignored unless the next packet confirms a restart
  kReset,      // a confirmed restart: the tracker follows the new numbering
};

struct NackDue {
  std::vector<std::uint16_t> nack;           // NACK these now, in RTP order
  std::vector<std::uint16_t> lost_for_good;  // given up, in RTP order
};

struct NackTrackerStats {
  std::uint64_t gaps_detected = 0;     // numbers that went missing
  std::uint64_t nacks_sent = 0;        // numbers requested in our NACKs (retries included)
  std::uint64_t nacks_suppressed = 0;  // requests we did not send because another receiver did
  std::uint64_t recovered = 0;         // missing numbers filled by a repair (OnRecovered)
  std::uint64_t arrived_late = 0;      // missing numbers that arrived as media after all
  std::uint64_t lost_for_good = 0;
  std::uint64_t resets = 0;
  std::uint64_t rtt_samples = 0;
  std::uint64_t tail_suspects = 0;  // SuspectNext calls that added an entry
  std::uint64_t reordered = 0;      // missing numbers that arrived as media (reorder samples)
  std::uint64_t look_back = 0;      // numbers before a join inside a keyframe, asked for
};

// How a missing packet came back. Only a retransmission answers a request, so only it can
// measure the round trip (Karn); a packet rebuilt by FEC arrives when its row's parity does.
enum class Repair { kRetransmission, kRebuilt };

class NackTracker {
 public:
  explicit NackTracker(NackTrackerConfig config = {});

  // A media packet arrived (original stream, not a repair).
  [[nodiscard]] NackPacketOutcome OnPacket(std::uint16_t seq, Timestamp arrival);
  // A repair (RTX or FEC) restored `seq`. True when it filled a missing number.
  [[nodiscard]] bool OnRecovered(std::uint16_t seq, Timestamp now, Repair how);
  // Another receiver's NACK for these numbers was heard. Returns how many of our pending
  // requests it suppressed.
  // The packet after the newest is presumed lost (see "Tail loss" above). False when it is
  // tracked already or nothing arrived yet.
  [[nodiscard]] bool SuspectNext(Timestamp now);
  // A repair packet protects numbers up to `last_protected`: those newer than the newest
  // arrival were sent and are missing for now (suspects). Returns how many were added; nothing
  // when `last_protected` is not ahead, or more than kMaxProtectedAhead ahead (not our stream's
  // numbering: a stray or forged repair packet must not make us NACK a range).
  static constexpr std::int64_t kMaxProtectedAhead = 64;
  std::size_t OnProtected(std::uint16_t last_protected, Timestamp now);
  // The first packet of the stream is inside a keyframe's access unit (rtp::InsideKeyframe):
  // its head (the SPS, PPS, top slice) was lost or sent just before we joined, and without it
  // the picture waits for a new keyframe. The kJoinLookBack numbers before the first packet
  // become missing, asked for like any gap (a sender that never sent some of them ignores
  // those). Only while the first packet is the only one; returns how many were added.
  static constexpr std::int64_t kJoinLookBack = 16;
  std::size_t OnJoinedInsideKeyframe(Timestamp now);
  // Only the stream's first packet has arrived (since the start or a reset): the moment
  // OnJoinedInsideKeyframe applies to, so callers parse the payload only then.
  bool AtFirstPacket() const noexcept { return started_ && arrivals_ == 0 && missing_.empty(); }
  [[nodiscard]] std::size_t OnNackHeard(std::span<const std::uint16_t> seqs, Timestamp now);
  // What to NACK or give up at `now`. `uniform01` is a fresh random draw in [0, 1], used for the
  // suppression delay of the losses that became certain since the last call.
  [[nodiscard]] NackDue Process(Timestamp now, double uniform01);
  // When Process has something to do next.
  std::optional<Timestamp> NextWakeup() const;

  void SetRtt(Duration rtt) noexcept;
  // The receivers in the group (RtpSession::FeedbackGroupSize): above the small-group size,
  // requests wait the large-group back-off (see "Large groups").
  void SetGroupSize(int members) noexcept { group_size_ = members < 1 ? 1 : members; }
  int group_size() const noexcept { return group_size_; }
  // The delay a request waits at this group size for the draw `uniform01`.
  Duration RequestDelay(double uniform01) const noexcept;
  Duration rtt() const noexcept { return rtt_; }
  Duration rtt_deviation() const noexcept { return rtt_deviation_; }
  Duration RetryInterval() const noexcept;
  // 1.5 RTT, at least min_retry_interval: the interval without the deviation term.
  Duration PlainRetryInterval() const noexcept;
  // The reorder tolerance in force (see "Gap detection").
  Duration ReorderWindow() const noexcept;
  std::int64_t ReorderPackets() const noexcept;
  // Numbers currently missing (suspect or certain), oldest first.
  std::vector<std::uint16_t> Missing() const;
  std::size_t tracked() const noexcept { return missing_.size(); }
  const NackTrackerStats& stats() const noexcept { return stats_; }
  void Reset();

 private:
  struct Entry {
    Timestamp detected{0};
    std::uint64_t seen_at = 0;                  // arrivals_ before the packet that revealed it
    std::optional<Timestamp> certain_by_count;  // when reorder_packets newer ones had arrived
    std::optional<Timestamp> next_send;         // set once certain
    std::optional<Timestamp> last_attempt;      // ours or a heard one
    int attempts = 0;
    bool only_ours = true;  // every attempt was a NACK we sent (Karn)
    bool backoff_pending = false;  // large group: a retry still owes its back-off
    bool look_back = false;  // OnJoinedInsideKeyframe: maybe never sent, not counted as lost
  };
  void AddMissing(std::int64_t from, std::int64_t to, Timestamp arrival, bool look_back = false);
  void GiveUp(std::map<std::int64_t, Entry>::iterator it, std::vector<std::uint16_t>* out);
  Timestamp CertainAt(const Entry& e) const noexcept;
  // When the request sent (or heard) at `now` is retried.
  Timestamp NextTry(const Entry& e, Timestamp now) const noexcept;
  void OnReordered(const Entry& e, Timestamp arrival) noexcept;

  NackTrackerConfig config_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  std::int64_t highest_ = 0;
  std::uint64_t arrivals_ = 0;  // packets that advanced highest_
  std::optional<std::uint16_t> stray_;
  std::map<std::int64_t, Entry> missing_;
  Duration rtt_;
  Duration rtt_deviation_{0};  // RFC 6298 RTTVAR, from our own samples only
  int group_size_ = 1;
  double reorder_us_ = 0;       // decaying maximum of how long reordered packets were missing
  double reorder_packets_ = 0;  // ... and how many newer packets came before them
  NackTrackerStats stats_;
};

}  // namespace confcast::rtp
