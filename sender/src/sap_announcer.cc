#include "sap_announcer.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace confcast::sender {
namespace {

std::string SysError(std::string_view what) {
  return fmt::format("SAP: {} failed: {}", what, std::strerror(errno));
}

template <typename T>
bool SetOpt(int fd, int level, int name, const T& value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

net::IpAddress SapGroupFor(const net::IpAddress& group) {
  net::IpAddress sap;
  sap.family = group.family;
  if (group.family == net::Family::kIpv4) {
    std::array<std::uint8_t, 4> g{};
    std::copy_n(group.bytes.begin(), 4, g.begin());
    const auto s = rtp::SapGroupForIpv4(g);
    std::copy(s.begin(), s.end(), sap.bytes.begin());
  } else {
    sap.bytes = rtp::SapGroupForIpv6(group.bytes);
  }
  return sap;
}

// A UDP socket that sends to group:9875 on the chosen interface with the session's TTL. Set
// before connect(), which routes once (see net/src/socket.cc).
std::expected<net::Socket, std::string> OpenSendSocket(const net::IpAddress& group,
                                                       const SapAnnouncerConfig& c) {
  const bool v4 = group.family == net::Family::kIpv4;
  net::Socket s(socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.valid()) return std::unexpected(SysError("socket(UDP)"));
  const int loop = c.loopback ? 1 : 0;
  const int ttl = c.ttl;
  if (v4) {
    ip_mreqn mreq{};
    mreq.imr_ifindex = static_cast<int>(c.iface.iface.index);
    std::memcpy(&mreq.imr_address, c.iface.address.bytes.data(), 4);
    if (!SetOpt(s.fd(), IPPROTO_IP, IP_MULTICAST_IF, mreq) ||
        !SetOpt(s.fd(), IPPROTO_IP, IP_MULTICAST_TTL, ttl) ||
        !SetOpt(s.fd(), IPPROTO_IP, IP_MULTICAST_LOOP, loop)) {
      return std::unexpected(SysError("IP_MULTICAST_IF/TTL/LOOP"));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(rtp::kSapPort);
    std::memcpy(&to.sin_addr, group.bytes.data(), 4);
    if (connect(s.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      return std::unexpected(
          SysError(fmt::format("connect to {}:{}", group.ToString(), rtp::kSapPort)));
    }
  } else {
    const int index = static_cast<int>(c.iface.iface.index);
    if (!SetOpt(s.fd(), IPPROTO_IPV6, IPV6_MULTICAST_IF, index) ||
        !SetOpt(s.fd(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) ||
        !SetOpt(s.fd(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, loop)) {
      return std::unexpected(SysError("IPV6_MULTICAST_IF/HOPS/LOOP"));
    }
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(rtp::kSapPort);
    to.sin6_scope_id = c.iface.iface.index;
    std::memcpy(&to.sin6_addr, group.bytes.data(), 16);
    if (connect(s.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      return std::unexpected(
          SysError(fmt::format("connect to [{}]:{}", group.ToString(), rtp::kSapPort)));
    }
  }
  return s;
}

rtp::SapOrigin OriginOf(const net::IpAddress& a) {
  rtp::SapOrigin o;
  o.ipv6 = a.family == net::Family::kIpv6;
  o.bytes = a.bytes;
  if (!o.ipv6) std::fill(o.bytes.begin() + 4, o.bytes.end(), 0);
  return o;
}

}  // namespace

SapAnnouncer::SapAnnouncer(const SapAnnouncerConfig& config, rtp::Timestamp now)
    : config_(config),
      sap_group_(SapGroupFor(config.session_group)),
      schedule_(
          [&] {
            rtp::SapScheduleConfig c;
            c.fixed_interval = config.interval;
            return c;
          }(),
          now),
      rng_(std::random_device{}()) {}

std::expected<std::unique_ptr<SapAnnouncer>, std::string> SapAnnouncer::Open(
    const SapAnnouncerConfig& config, rtp::Timestamp now) {
  std::unique_ptr<SapAnnouncer> a(new SapAnnouncer(config, now));
  auto s = OpenSendSocket(a->sap_group_, config);
  if (!s) return std::unexpected(s.error());
  a->socket_ = std::move(*s);
  // Listening only feeds the interval's count of announcements: if the join fails, announce
  // anyway, as if ours were the only one.
  net::MulticastEndpoint ep;
  ep.group = a->sap_group_;
  ep.port = rtp::kSapPort;
  auto l =
      net::GroupSocket::Open(ep, rtp::kSapPort, config.iface, {.receive_buffer_bytes = 256 << 10});
  if (l) a->listener_.emplace(std::move(*l));
  return a;
}

std::string SapAnnouncer::destination() const {
  net::MulticastEndpoint ep;
  ep.group = sap_group_;
  ep.port = rtp::kSapPort;
  return ep.ToString();
}

void SapAnnouncer::SetDescription(std::string sdp) {
  std::lock_guard lock(mutex_);
  pending_ = std::move(sdp);
}

bool SapAnnouncer::Send(const rtp::SapPacket& packet) {
  auto wire = rtp::Serialize(packet);
  if (!wire) return false;
  if (send(socket_.fd(), wire->data(), wire->size(), 0) < 0) {
    ++send_errors_;
    return false;
  }
  return true;
}

void SapAnnouncer::Tick(rtp::Timestamp now) {
  std::optional<std::string> fresh;
  {
    std::lock_guard lock(mutex_);
    fresh.swap(pending_);
  }
  if (fresh && (!current_ || current_->payload != *fresh)) {
    // RFC 2974 5: a changed description gets a new hash; the old version is deleted.
    if (current_ && schedule_.sent() > 0) SendDeletion();
    rtp::SapPacket p;
    p.msg_id_hash = rtp::SapMessageIdHash(*fresh);
    p.origin = OriginOf(config_.iface.address);
    p.payload = std::move(*fresh);
    current_ = std::move(p);
    schedule_.Restart(now);
  }
  if (!current_ || now < schedule_.next()) return;
  std::size_t others = 0;
  for (const auto& [key, session] : heard_.sessions()) {
    if (key.msg_id_hash != current_->msg_id_hash || key.origin != current_->origin) ++others;
  }
  const std::size_t size = rtp::SerializedSize(*current_).value_or(1024);
  const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (schedule_.OnTimer(now, others + 1, size, u)) (void)Send(*current_);
}

void SapAnnouncer::OnReadable(rtp::Timestamp now) {
  if (!listener_) return;
  auto got = receiver_.Receive(listener_->fd());
  if (!got) return;
  for (const net::Datagram& d : *got) (void)heard_.OnDatagram(d.data, now);
  (void)heard_.Expire(now);
}

void SapAnnouncer::SendDeletion() {
  if (!current_) return;
  rtp::SapPacket deletion = *current_;
  deletion.type = rtp::SapMessageType::kDeletion;
  deletion.payload = std::string(rtp::SdpOriginLine(current_->payload));
  (void)Send(deletion);
}

}  // namespace confcast::sender
