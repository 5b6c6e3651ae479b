// Who the receiver shows: one entry per source it has a stream for, with the SDES names the
// RTP session heard for it (rtp::RtpSession holds the members; this is the view the reports
// and sinks read).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "media_kind.h"

namespace confcast::receiver {

struct Participant {
  std::uint32_t ssrc = 0;
  MediaKind kind = MediaKind::kVideo;
  std::string cname, name;
};

using Participants = std::map<std::uint32_t, Participant>;

}  // namespace confcast::receiver
