#include <confcast/receiver/source_gate.h>
#include <confcast/rtp/seq.h>

#include <algorithm>

namespace confcast::receiver {

void SourceGate::Evict(std::uint32_t random, std::optional<std::uint32_t> keep) {
  if (keys_.empty() || (keep && keys_.size() == 1)) return;
  std::size_t slot = random % keys_.size();
  if (keep && keys_[slot] == *keep) slot = (slot + 1) % keys_.size();
  auto it = entries_.find(keys_[slot]);
  held_dropped_ += it->second.held.size();
  held_total_ -= it->second.held.size();
  entries_.erase(it);
  keys_[slot] = keys_.back();
  keys_.pop_back();
  if (slot < keys_.size()) entries_[keys_[slot]].slot = slot;
  ++evicted_;
}

// True when the held packets include `min_sequential` consecutive sequence numbers.
bool SourceGate::ShowsSequence(const Candidate& c) const {
  if (c.held.empty()) return false;
  std::vector<std::int32_t> rel;
  rel.reserve(c.held.size());
  for (const Held& h : c.held) rel.push_back(rtp::SeqDiff(h.seq, c.held.front().seq));
  std::sort(rel.begin(), rel.end());
  int run = 1;
  for (std::size_t i = 1; i < rel.size(); ++i) {
    run = rel[i] == rel[i - 1] + 1 ? run + 1 : 1;
    if (run >= config_.min_sequential) return true;
  }
  return run >= config_.min_sequential;
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
    const bool duplicate = rtp::SeqDiff(seq, c.last_seq) == 0 ||
                           std::any_of(c.held.begin(), c.held.end(), [&](const Held& h) { return h.seq == seq; });
    if (duplicate) {  // a duplicate proves nothing and is not worth holding
      ++held_dropped_;
      return std::nullopt;
    }
    c.run = rtp::SeqDiff(seq, c.last_seq) == 1 ? c.run : 0;  // A.1: out of sequence restarts the count
    c.last_seq = seq;
  }
  ++it->second.run;
  if (it->second.held.size() < config_.max_held) {
    if (held_total_ >= config_.max_held_total) Evict(random, ssrc);
    it = entries_.find(ssrc);  // eviction may have moved entries
    it->second.held.push_back(Held{std::vector<std::uint8_t>(datagram.begin(), datagram.end()), arrival, seq});
    ++held_total_;
  } else {
    ++held_dropped_;
  }
  Candidate& c = it->second;
  if (c.run < config_.min_sequential && !ShowsSequence(c)) return std::nullopt;
  std::vector<Held> out = std::move(c.held);
  held_total_ -= out.size();
  const std::uint16_t ref = out.front().seq;
  std::stable_sort(out.begin(), out.end(), [ref](const Held& a, const Held& b) {
    return rtp::SeqDiff(a.seq, ref) < rtp::SeqDiff(b.seq, ref);
  });
  const std::size_t slot = c.slot;
  entries_.erase(it);
  keys_[slot] = keys_.back();
  keys_.pop_back();
  if (slot < keys_.size()) entries_[keys_[slot]].slot = slot;
  return out;
}

}  // namespace confcast::receiver
