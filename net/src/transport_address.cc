#include "confcast/net/transport_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace confcast::net {

rtp::TransportAddress ToTransportAddress(const IpAddress& ip, std::uint16_t port) {
  rtp::TransportAddress a;
  a.v6 = ip.family == Family::kIpv6;
  std::copy_n(ip.bytes.begin(), a.v6 ? 16 : 4, a.ip.begin());
  a.port = port;
  return a;
}

std::optional<rtp::TransportAddress> LocalTransportAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  rtp::TransportAddress a;
  if (ss.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &ss, sizeof in);
    std::memcpy(a.ip.data(), &in.sin_addr, 4);
    a.port = ntohs(in.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &ss, sizeof in6);
    std::memcpy(a.ip.data(), &in6.sin6_addr, 16);
    a.port = ntohs(in6.sin6_port);
    a.v6 = true;
  } else {
    return std::nullopt;
  }
  return a;
}

}  // namespace confcast::net
