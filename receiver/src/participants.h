// Who is in the session: one entry per SSRC heard (RTP or RTCP), with its SDES names, its
// transport address (RFC 3550 8.2 collision detection), and when it was last heard or left.
// Times are monotonic (Now::mono).
#pragma once

#include <confcast/net/endpoint.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "media_kind.h"

namespace confcast::receiver {

struct Participant {
  std::uint32_t ssrc = 0;
  MediaKind kind = MediaKind::kVideo;
  std::string cname, name;
  std::optional<std::pair<net::IpAddress, std::uint16_t>> rtp_source;
  rtp::Timestamp first_heard{0};
  rtp::Timestamp last_heard{0};
  bool bye = false;
  std::string bye_reason;
  rtp::Timestamp bye_at{0};  // removed a moment later: frames in flight play
};

}  // namespace confcast::receiver
