// Private: conversions between IpAddress and sockaddr_storage, without casting onto buffers
// (sockaddr structs are filled field by field and copied with memcpy).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "confcast/net/endpoint.h"

namespace confcast::net {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get_mut() { return reinterpret_cast<sockaddr*>(&storage); }
};

inline SockAddr MakeSockAddr(const IpAddress& ip, std::uint16_t port, unsigned scope_id = 0) {
  SockAddr out;
  if (ip.family == Family::kIpv4) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, ip.bytes.data(), 4);
    std::memcpy(&out.storage, &in, sizeof in);
    out.len = sizeof in;
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_scope_id = scope_id;
    std::memcpy(&in6.sin6_addr, ip.bytes.data(), 16);
    std::memcpy(&out.storage, &in6, sizeof in6);
    out.len = sizeof in6;
  }
  return out;
}

inline SockAddr AnySockAddr(Family family, std::uint16_t port) {
  IpAddress any;
  any.family = family;
  return MakeSockAddr(any, port);
}

}  // namespace confcast::net
