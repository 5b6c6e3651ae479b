// Probation ahead of any per-source state. RFC 3550 A.1 keeps a new SSRC on probation until
// MIN_SEQUENTIAL packets arrive in sequence; confcast-recv used to create a participant, a
// jitter buffer and statistics for the first packet of every SSRC, so a flood of valid-looking
// packets with random SSRCs grew its tables (and the 2 ms playout tick that walks them)
// without bound. The gate keeps a bounded table of candidate sources and holds their first
// packets (usually the IDR a new sender starts with); a candidate becomes a source once it has
// shown `min_sequential` consecutive sequence numbers, in whatever order they arrived: a
// keyframe burst reordered on the way (Wi-Fi, a relay) shows its sequence as surely as an
// ordered one, and waiting for two arrivals in a row could hold it past max_held and lose the
// keyframe's first packets. The held packets are released in sequence order. When the table is
// full, or all candidates together hold max_held_total packets, a random candidate makes room:
// a real source sends its packets close together (a frame is one burst), so it validates
// before the flood evicts it, while a random-SSRC flood never validates at all.
#pragma once

#include <confcast/rtp/time.h>

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace confcast::receiver {

struct SourceGateConfig {
  std::size_t capacity = 256;    // candidate sources remembered at once
  std::size_t max_held = 32;     // packets held per candidate (a keyframe's worth)
  std::size_t max_held_total = 1024;  // packets held by all candidates together
  int min_sequential = 2;        // RFC 3550 A.1 MIN_SEQUENTIAL
};

class SourceGate {
 public:
  struct Held {
    std::vector<std::uint8_t> datagram;
    rtp::Timestamp arrival;
    std::uint16_t seq = 0;
  };

  explicit SourceGate(SourceGateConfig config = {}) : config_(config) {}

  // A packet of an SSRC that has no pipeline yet. Once the source validates, returns the
  // packets held for it plus this one, in sequence order (the candidate is then forgotten);
  // until then returns nothing. `random` picks the candidate evicted when the table is full.
  [[nodiscard]] std::optional<std::vector<Held>> Offer(std::uint32_t ssrc, std::uint16_t seq,
                                                       std::span<const std::uint8_t> datagram,
                                                       rtp::Timestamp arrival,
                                                       std::uint32_t random);

  std::size_t candidates() const { return entries_.size(); }
  std::size_t held() const { return held_total_; }  // packets held by all candidates
  std::uint64_t evicted() const { return evicted_; }            // candidates pushed out
  std::uint64_t held_dropped() const { return held_dropped_; }  // packets never released

 private:
  struct Candidate {
    std::uint16_t last_seq = 0;
    int run = 0;
    std::size_t slot = 0;  // index in keys_
    std::vector<Held> held;
  };
  void Evict(std::uint32_t random, std::optional<std::uint32_t> keep = std::nullopt);
  bool ShowsSequence(const Candidate& c) const;

  SourceGateConfig config_;
  std::unordered_map<std::uint32_t, Candidate> entries_;
  std::vector<std::uint32_t> keys_;  // for O(1) random eviction
  std::size_t held_total_ = 0;
  std::uint64_t evicted_ = 0, held_dropped_ = 0;
};

}  // namespace confcast::receiver
