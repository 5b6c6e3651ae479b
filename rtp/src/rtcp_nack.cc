// Generic NACK entries <-> lost sequence numbers (RFC 4585 6.2.1).
//
// An entry covers a window of 17 sequence numbers: PID itself and PID+1..PID+16 through the
// bits of BLP (bit 0 = PID+1). Building walks the lost list in RTP order and greedily opens a
// new entry at the first number its current window cannot reach; for sorted input that greedy
// cover is minimal, since every entry must start at some lost number and starting at the
// earliest uncovered one reaches furthest. All distances are modular (seq.h), so windows span
// the 65535 -> 0 wrap.
#include "confcast/rtp/rtcp.h"
#include "confcast/rtp/seq.h"

namespace confcast::rtp {

std::vector<std::uint16_t> ExpandNack(std::span<const NackItem> items) {
  std::vector<std::uint16_t> lost;
  lost.reserve(items.size() * 2);
  for (const NackItem& item : items) {
    lost.push_back(item.pid);
    for (int bit = 0; bit < 16; ++bit) {
      if ((item.blp >> bit) & 1) lost.push_back(static_cast<std::uint16_t>(item.pid + bit + 1));
    }
  }
  return lost;
}

std::vector<NackItem> BuildNackItems(std::span<const std::uint16_t> lost) {
  std::vector<NackItem> items;
  for (std::uint16_t seq : lost) {
    if (!items.empty()) {
      NackItem& last = items.back();
      const std::int32_t d = SeqDiff(seq, last.pid);
      if (d == 0) continue;  // duplicate of the PID
      if (d >= 1 && d <= 16) {
        last.blp = static_cast<std::uint16_t>(last.blp | (1u << (d - 1)));
        continue;
      }
    }
    items.push_back(NackItem{seq, 0});
  }
  return items;
}

}  // namespace confcast::rtp
