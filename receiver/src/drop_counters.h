// What confcast-recv dropped, by reason, before or instead of playing it: malformed datagrams
// (each parser error has its own name), oversize datagrams, kernel queue overflows, packets of
// sources that never validated, SSRC conflicts, strays after BYE. --stats-json reports them as
// "dropped": {reason: count}. Network input never crashes a receiver: it ends up here.
#pragma once

#include <confcast/rtp/packet.h>
#include <confcast/rtp/rtcp.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace confcast::receiver {

std::string_view DropReason(rtp::RtpError error) noexcept;
std::string_view DropReason(rtp::RtcpError error) noexcept;

class DropCounters {
 public:
  DropCounters();
  void Count(std::string_view reason, std::uint64_t n = 1) {
    auto it = by_reason_.find(reason);
    if (it == by_reason_.end()) it = by_reason_.emplace(std::string(reason), 0).first;
    it->second += n;
  }
  void Set(std::string_view reason, std::uint64_t n) { by_reason_[std::string(reason)] = n; }
  std::uint64_t Total() const {
    std::uint64_t t = 0;
    for (const auto& [k, v] : by_reason_) t += v;
    return t;
  }
  const std::map<std::string, std::uint64_t, std::less<>>& by_reason() const { return by_reason_; }

 private:
  std::map<std::string, std::uint64_t, std::less<>> by_reason_;
};

}  // namespace confcast::receiver
