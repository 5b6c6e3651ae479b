#include <confcast/receiver/source_gate.h>
#include <confcast/rtp/seq.h>

namespace confcast::receiver {

void SourceGate::Evict(std::uint32_t random) {
  const std::size_t slot = random % keys_.size();
  auto it = entries_.find(keys_[slot]);
  held_dropped_ += it->second.held.size();
  entries_.erase(it);
  keys_[slot] = keys_.back();
  keys_.pop_back();
  if (slot < keys_.size()) entries_[keys_[slot]].slot = slot;
  ++evicted_;
}

std::optional<std::vector<SourceGate::Held>> SourceGate::Offer(
    std::uint32_t ssrc, std::uint16_t seq, std::span<const std::uint8_t> datagram,
    rtp::Timestamp arrival, std::uint32_t random) {
  auto it = entries_.find(ssrc);
  if (it == entries_.end()) {
    if (!entries_.empty() && entries_.size() >= config_.capacity) Evict(random);
    it = entries_.emplace(ssrc, Candidate{}).first;
    it->second.slot = keys_.size();
    it->second.last_seq = seq;
    keys_.push_back(ssrc);
  } else {
    Candidate& c = it->second;
    const std::int32_t step = rtp::SeqDiff(seq, c.last_seq);
    if (step == 0) {  // a duplicate proves nothing and is not worth holding
      ++held_dropped_;
      return std::nullopt;
    }
    c.run = step == 1 ? c.run : 0;  // A.1: out of sequence restarts the count
    c.last_seq = seq;
  }
  Candidate& c = it->second;
  ++c.run;
  if (c.held.size() < config_.max_held) {
    c.held.push_back(Held{std::vector<std::uint8_t>(datagram.begin(), datagram.end()), arrival});
  } else {
    ++held_dropped_;
  }
  if (c.run < config_.min_sequential) return std::nullopt;
  std::vector<Held> out = std::move(c.held);
  const std::size_t slot = c.slot;
  entries_.erase(it);
  keys_[slot] = keys_.back();
  keys_.pop_back();
  if (slot < keys_.size()) entries_[keys_[slot]].slot = slot;
  return out;
}

}  // namespace confcast::receiver
