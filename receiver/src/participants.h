// Who is in the session: one entry per SSRC heard (RTP or RTCP), with its SDES names, its
// transport address (RFC 3550 8.2 collision detection), and when it was last heard or left.
#pragma once

#include <confcast/net/endpoint.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace confcast::receiver {

struct Participant {
  std::uint32_t ssrc = 0;
  std::string kind;  // "video" or "audio"
  std::string cname, name;
  std::optional<std::pair<net::IpAddress, std::uint16_t>> rtp_source;
  std::chrono::steady_clock::time_point first_heard;
  std::chrono::steady_clock::time_point last_heard;
  bool bye = false;
  std::string bye_reason;
  std::chrono::steady_clock::time_point bye_at;  // removed a moment later: frames in flight play
};

}  // namespace confcast::receiver
