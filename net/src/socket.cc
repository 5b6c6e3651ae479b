// Socket setup for multicast streams. The order matters: options that affect routing
// (outgoing interface, TTL, loopback, DSCP) are set before connect(), because connect() routes
// once and caches the result. Joins use the protocol-independent MCAST_JOIN_GROUP and
// MCAST_JOIN_SOURCE_GROUP (RFC 3678 section 5.2), which take an interface index for both
// families and give IGMPv3/MLDv2 source filtering for source-specific groups.
#include "confcast/net/socket.h"

#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "confcast/net/datagram_filter.h"
#include "sockaddr.h"

namespace confcast::net {
namespace {

Error SysError(std::string_view what, std::string_view fix) {
  return Error{ErrorCode::kSystem,
               fmt::format("{} failed: {}; {}", what, std::strerror(errno), fix)};
}

template <typename T>
bool SetOpt(int fd, int level, int name, const T& value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

std::expected<Socket, Error> NewUdpSocket(Family family) {
  const int fd = socket(family == Family::kIpv4 ? AF_INET : AF_INET6,
                        SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(SysError("socket(UDP)", "check the process's fd limit"));
  return Socket(fd);
}

// Asks for `bytes` of receive buffer and reports when the kernel clamps it to rmem_max. Linux
// doubles the value for bookkeeping, so the granted size is half of what getsockopt returns.
int SetReceiveBuffer(int fd, int bytes, std::vector<std::string>& warnings) {
  SetOpt(fd, SOL_SOCKET, SO_RCVBUF, bytes);
  int granted = 0;
  socklen_t len = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
  if (granted / 2 < bytes) {
    warnings.push_back(fmt::format(
        "receive buffer is {} KB, asked for {} KB: the kernel clamped it to net.core.rmem_max; "
        "raise it with: sysctl -w net.core.rmem_max={}",
        granted / 2 / 1024, bytes / 1024, bytes));
  }
  return granted / 2;
}

// Outgoing interface, TTL/hops, loopback and DSCP for a sending socket.
std::expected<void, Error> SetSendOptions(int fd, const IpAddress& group,
                                          const InterfaceChoice& iface,
                                          const SenderOptions& options) {
  const int loop = options.loopback ? 1 : 0;
  const int tos = options.dscp ? static_cast<int>(*options.dscp) << 2 : 0;
  if (group.family == Family::kIpv4) {
    ip_mreqn mreq{};
    mreq.imr_ifindex = static_cast<int>(iface.iface.index);
    std::memcpy(&mreq.imr_address, iface.address.bytes.data(), 4);
    if (!SetOpt(fd, IPPROTO_IP, IP_MULTICAST_IF, mreq)) {
      return std::unexpected(SysError(fmt::format("IP_MULTICAST_IF {}", iface.iface.name),
                                      "choose another interface with --iface"));
    }
    const int ttl = options.ttl;
    if (!SetOpt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl) ||
        !SetOpt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, loop)) {
      return std::unexpected(SysError("IP_MULTICAST_TTL/LOOP", "give a TTL in 0-255"));
    }
    if (options.dscp && !SetOpt(fd, IPPROTO_IP, IP_TOS, tos)) {
      return std::unexpected(SysError("IP_TOS", "run without DSCP marking"));
    }
  } else {
    const int index = static_cast<int>(iface.iface.index);
    const int hops = options.ttl;
    if (!SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, index)) {
      return std::unexpected(SysError(fmt::format("IPV6_MULTICAST_IF {}", iface.iface.name),
                                      "choose another interface with --iface"));
    }
    if (!SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops) ||
        !SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, loop)) {
      return std::unexpected(SysError("IPV6_MULTICAST_HOPS/LOOP", "give a hop limit in 0-255"));
    }
    if (options.dscp && !SetOpt(fd, IPPROTO_IPV6, IPV6_TCLASS, tos)) {
      return std::unexpected(SysError("IPV6_TCLASS", "run without DSCP marking"));
    }
  }
  return {};
}

std::expected<void, Error> Connect(int fd, const IpAddress& group, std::uint16_t port,
                                   unsigned if_index) {
  SockAddr to = MakeSockAddr(group, port, if_index);
  if (connect(fd, to.get(), to.len) != 0) {
    return std::unexpected(SysError(
        fmt::format("connect to {}:{}", group.ToString(), port),
        group.family == Family::kIpv4
            ? "add a route for the group (ip route add 224.0.0.0/4 dev IFACE) or pass --iface"
            : "add a route for the group (ip -6 route add ff00::/8 dev IFACE table local) or "
              "pass --iface"));
  }
  return {};
}

int MembershipOption(bool join, bool ssm) {
  if (ssm) return join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP;
  return join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP;
}

bool Membership(int fd, const MulticastEndpoint& ep, unsigned if_index, bool join) {
  const int level = ep.group.family == Family::kIpv4 ? IPPROTO_IP : IPPROTO_IPV6;
  SockAddr group = MakeSockAddr(ep.group, 0);
  if (ep.source) {
    group_source_req req{};
    req.gsr_interface = if_index;
    SockAddr source = MakeSockAddr(*ep.source, 0);
    std::memcpy(&req.gsr_group, &group.storage, sizeof req.gsr_group);
    std::memcpy(&req.gsr_source, &source.storage, sizeof req.gsr_source);
    return SetOpt(fd, level, MembershipOption(join, true), req);
  }
  group_req req{};
  req.gr_interface = if_index;
  std::memcpy(&req.gr_group, &group.storage, sizeof req.gr_group);
  return SetOpt(fd, level, MembershipOption(join, false), req);
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Socket::~Socket() {
  Reset();
}

void Socket::Reset() {
  if (fd_ >= 0) {
    SetDatagramFilter(fd_, nullptr);  // a reused descriptor must not inherit it
    close(fd_);
  }
  fd_ = -1;
}

std::expected<GroupSocket, Error> GroupSocket::Open(const MulticastEndpoint& endpoint,
                                                    std::uint16_t port,
                                                    const InterfaceChoice& iface,
                                                    const Options& options) {
  auto sock = NewUdpSocket(endpoint.group.family);
  if (!sock) return std::unexpected(sock.error());
  GroupSocket g;
  g.socket_ = std::move(*sock);
  g.endpoint_ = endpoint;
  g.if_index_ = iface.iface.index;
  const int fd = g.socket_.fd();
  const int on = 1;
  const int off = 0;
  if (!SetOpt(fd, SOL_SOCKET, SO_REUSEADDR, on)) {
    return std::unexpected(SysError("SO_REUSEADDR", "check the kernel's socket options"));
  }
  // Without this, a socket bound to the wildcard gets every group any socket on the host
  // joined; bound to the group it is belt and braces.
  if (endpoint.group.family == Family::kIpv4) {
    SetOpt(fd, IPPROTO_IP, IP_MULTICAST_ALL, off);
  } else {
#ifdef IPV6_MULTICAST_ALL
    SetOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, off);
#endif
    SetOpt(fd, IPPROTO_IPV6, IPV6_V6ONLY, on);
  }
  SetOpt(fd, SOL_SOCKET, SO_TIMESTAMPNS, on);
  SetOpt(fd, SOL_SOCKET, SO_RXQ_OVFL, on);
  g.receive_buffer_ = SetReceiveBuffer(fd, options.receive_buffer_bytes, g.warnings_);

  SockAddr local = MakeSockAddr(endpoint.group, port, iface.iface.index);
  if (bind(fd, local.get(), local.len) != 0) {
    return std::unexpected(SysError(fmt::format("bind to {}:{}", endpoint.group.ToString(), port),
                                    "another program may hold the port without SO_REUSEADDR; "
                                    "stop it or use another --port"));
  }
  if (options.join) {
    if (!Membership(fd, endpoint, iface.iface.index, true)) {
      return std::unexpected(
          SysError(fmt::format("joining {} on {}", endpoint.ToString(), iface.iface.name),
                   "check that the interface is up with multicast on, or raise "
                   "net.ipv4.igmp_max_memberships"));
    }
    g.joined_ = true;
  }
  return g;
}

GroupSocket& GroupSocket::operator=(GroupSocket&& other) noexcept {
  if (this != &other) {
    (void)Leave();
    socket_ = std::move(other.socket_);
    endpoint_ = other.endpoint_;
    if_index_ = other.if_index_;
    joined_ = std::exchange(other.joined_, false);
    receive_buffer_ = other.receive_buffer_;
    warnings_ = std::move(other.warnings_);
  }
  return *this;
}

GroupSocket::~GroupSocket() {
  (void)Leave();
}

std::expected<void, Error> GroupSocket::Leave() {
  if (!joined_ || !socket_.valid()) return {};
  joined_ = false;
  if (!Membership(socket_.fd(), endpoint_, if_index_, false)) {
    return std::unexpected(SysError(fmt::format("leaving {}", endpoint_.ToString()),
                                    "closing the socket drops the membership anyway"));
  }
  return {};
}

std::expected<void, Error> GroupSocket::Join() {
  if (joined_ || !socket_.valid()) return {};
  if (!Membership(socket_.fd(), endpoint_, if_index_, true)) {
    return std::unexpected(SysError(fmt::format("joining {} again", endpoint_.ToString()),
                                    "check that the interface is still up with multicast on"));
  }
  joined_ = true;
  return {};
}

std::expected<void, Error> Rejoin(std::span<GroupSocket* const> sockets) {
  std::vector<GroupSocket*> renew;
  for (GroupSocket* s : sockets) {
    if (s != nullptr && s->joined()) renew.push_back(s);
  }
  std::expected<void, Error> result;
  for (GroupSocket* s : renew) {
    if (auto r = s->Leave(); !r && result) result = r;
  }
  for (GroupSocket* s : renew) {
    if (auto r = s->Join(); !r && result) result = r;
  }
  return result;
}

std::expected<SenderStream, Error> SenderStream::Open(const MulticastEndpoint& endpoint,
                                                      const InterfaceChoice& iface,
                                                      const SenderOptions& options) {
  if (options.local_port % 2 != 0) {
    return std::unexpected(Error{
        ErrorCode::kOddPort,
        fmt::format("local port {} is odd: RTP uses the even port of an even/odd pair; use {}",
                    options.local_port, options.local_port - 1)});
  }
  if (options.ttl < 0 || options.ttl > 255) {
    return std::unexpected(
        Error{ErrorCode::kBadPort, fmt::format("TTL {} is out of range; give 0-255 (1 keeps "
                                               "media on the LAN)",
                                               options.ttl)});
  }
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> pick(512, 32766);  // port / 2: [1024, 65534)
  const int attempts = options.local_port != 0 ? 1 : 64;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const std::uint16_t port =
        options.local_port != 0 ? options.local_port : static_cast<std::uint16_t>(pick(rng) * 2);
    auto rtp = NewUdpSocket(endpoint.group.family);
    auto rtcp = NewUdpSocket(endpoint.group.family);
    if (!rtp) return std::unexpected(rtp.error());
    if (!rtcp) return std::unexpected(rtcp.error());
    SockAddr a = AnySockAddr(endpoint.group.family, port);
    SockAddr b = AnySockAddr(endpoint.group.family, static_cast<std::uint16_t>(port + 1));
    if (bind(rtp->fd(), a.get(), a.len) != 0 || bind(rtcp->fd(), b.get(), b.len) != 0) {
      if (errno == EADDRINUSE && attempt + 1 < attempts) continue;
      return std::unexpected(SysError(fmt::format("bind to local ports {}/{}", port, port + 1),
                                      "another program holds these ports: stop it, or let confcast pick free ones"));
    }
    SenderStream s;
    for (Socket* sock : {&*rtp, &*rtcp}) {
      if (auto r = SetSendOptions(sock->fd(), endpoint.group, iface, options); !r) {
        return std::unexpected(r.error());
      }
    }
    if (auto r = Connect(rtp->fd(), endpoint.group, endpoint.RtpPort(), iface.iface.index); !r) {
      return std::unexpected(r.error());
    }
    if (auto r = Connect(rtcp->fd(), endpoint.group, endpoint.RtcpPort(), iface.iface.index); !r) {
      return std::unexpected(r.error());
    }
    s.rtp_ = std::move(*rtp);
    s.rtcp_ = std::move(*rtcp);
    s.local_port_ = port;
    if (options.listen_rtcp) {
      MulticastEndpoint listen = endpoint;
      listen.source.reset();  // feedback comes from receivers, not from the SSM source
      auto l = GroupSocket::Open(listen, endpoint.RtcpPort(), iface,
                                 {.receive_buffer_bytes = options.receive_buffer_bytes});
      if (!l) return std::unexpected(l.error());
      s.warnings_ = l->warnings();
      s.listener_.emplace(std::move(*l));
    }
    return s;
  }
  return std::unexpected(Error{ErrorCode::kSystem,
                               "no free even/odd local port pair found after 64 tries; "
                               "other programs hold most local ports: stop some"});
}

std::expected<ReceiverStream, Error> ReceiverStream::Open(const MulticastEndpoint& endpoint,
                                                          const InterfaceChoice& iface,
                                                          const GroupSocket::Options& options) {
  auto rtp = GroupSocket::Open(endpoint, endpoint.RtpPort(), iface, options);
  if (!rtp) return std::unexpected(rtp.error());
  auto rtcp = GroupSocket::Open(endpoint, endpoint.RtcpPort(), iface, options);
  if (!rtcp) return std::unexpected(rtcp.error());
  return ReceiverStream(std::move(*rtp), std::move(*rtcp));
}

std::expected<void, Error> ReceiverStream::Rejoin() {
  GroupSocket* both[] = {&rtp_, &rtcp_};
  return net::Rejoin(both);
}

std::vector<std::string> ReceiverStream::warnings() const {
  std::vector<std::string> w = rtp_.warnings();
  if (w.empty()) w = rtcp_.warnings();  // the same clamp twice says nothing new
  return w;
}

}  // namespace confcast::net
