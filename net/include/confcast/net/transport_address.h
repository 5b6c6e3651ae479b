// The socket layer's addresses as rtp::TransportAddress, the opaque value the RTP session
// binds members to (RFC 3550 8.2).
#pragma once

#include <confcast/rtp/rtp_session.h>

#include <cstdint>
#include <optional>

#include "confcast/net/endpoint.h"

namespace confcast::net {

rtp::TransportAddress ToTransportAddress(const IpAddress& ip, std::uint16_t port);
// Where our packets on `fd` come from: a connected socket's source address and port, which is
// what our own multicast loop-back shows as its source. Empty when the kernel cannot say.
std::optional<rtp::TransportAddress> LocalTransportAddress(int fd);

}  // namespace confcast::net
