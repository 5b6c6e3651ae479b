// confcast-doctor's live side: files, commands and the three network tests. Everything here
// stays on this host or its LAN: the self-test uses TTL 0 (the kernel loops the datagram back
// and never transmits it), the two-host test TTL 1.
#include "doctor_live.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "confcast/net/batch_io.h"
#include "confcast/net/socket.h"
#include "doctor_peer.h"
#include "doctor_text.h"

namespace confcast::net::doctor {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

sockaddr_in V4(const IpAddress& ip, std::uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  std::memcpy(&in.sin_addr, ip.bytes.data(), 4);
  return in;
}

std::string Errno(std::string_view what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

// An unconnected UDP socket sending to the group through `iface` with the given TTL.
std::expected<Socket, std::string> GroupSender(const InterfaceChoice& iface, int ttl, bool loop) {
  Socket s(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.valid()) return std::unexpected(Errno("socket"));
  ip_mreqn mreq{};
  mreq.imr_ifindex = static_cast<int>(iface.iface.index);
  const int l = loop ? 1 : 0;
  if (setsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) != 0 ||
      setsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
      setsockopt(s.fd(), IPPROTO_IP, IP_MULTICAST_LOOP, &l, sizeof l) != 0) {
    return std::unexpected(Errno("multicast socket options"));
  }
  return s;
}

bool SendTo(int fd, std::span<const std::uint8_t> data, const IpAddress& to, std::uint16_t port,
            std::string& error) {
  const sockaddr_in addr = V4(to, port);
  if (sendto(fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&addr),
             sizeof addr) < 0) {
    error = Errno(fmt::format("send to {}:{}", to.ToString(), port));
    return false;
  }
  return true;
}

// Waits until one of the fds is readable or `seconds` pass; returns the readable mask.
unsigned WaitReadable(std::span<const int> fds, double seconds) {
  std::array<pollfd, 4> p{};
  for (std::size_t i = 0; i < fds.size() && i < p.size(); ++i) p[i] = {fds[i], POLLIN, 0};
  const int ms = std::max(0, static_cast<int>(seconds * 1000));
  if (poll(p.data(), fds.size(), ms) <= 0) return 0;
  unsigned mask = 0;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (p[i].revents & POLLIN) mask |= 1u << i;
  }
  return mask;
}

std::uint32_t RandomNonce() {
  std::random_device rd;
  return rd() | 1u;
}

// The driver name the kernel gives `ethtool -i`: "veth", "virtio_net", "bridge", "tun", ...
std::string EthtoolDriver(const std::string& name) {
  Socket s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid() || name.size() >= IFNAMSIZ) return "";
  ethtool_drvinfo info{};
  info.cmd = ETHTOOL_GDRVINFO;
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_data = reinterpret_cast<char*>(&info);
  if (ioctl(s.fd(), SIOCETHTOOL, &ifr) != 0) return "";
  return std::string(info.driver, strnlen(info.driver, sizeof info.driver));
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) {
  g_stop = 1;
}

}  // namespace

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::string> RunCommand(const std::string& command) {
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = pclose(p);
  spdlog::debug("{}: exit status {}, {} bytes of output", command, rc, out.size());
  if (rc != 0) return std::nullopt;
  return out;
}

std::vector<InterfaceFacts> GatherInterfaceFacts(const std::vector<Interface>& interfaces) {
  std::vector<InterfaceFacts> out;
  for (const auto& i : interfaces) {
    const fs::path dir = fs::path("/sys/class/net") / i.name;
    std::error_code ec;
    InterfaceFacts f;
    f.name = i.name;
    f.up = i.up;
    f.multicast = i.multicast;
    if (auto t = ReadFile(dir / "type"))
      f.type = static_cast<int>(ParseUnsigned(Trim(*t)).value_or(1));
    if (i.loopback) f.type = 772;
    f.wireless = fs::exists(dir / "wireless", ec) || fs::exists(dir / "phy80211", ec);
    f.bridge = fs::exists(dir / "bridge", ec);
    f.driver = EthtoolDriver(i.name);
    if (auto target = fs::read_symlink(dir / "device" / "driver", ec); f.driver.empty() && !ec) {
      f.driver = target.filename().string();
    }
    if (auto uevent = ReadFile(dir / "uevent");
        uevent && uevent->find("DEVTYPE=wlan") != std::string::npos) {
      f.wireless = true;
    }
    out.push_back(std::move(f));
  }
  return out;
}

SelfTest RunSelfTest(const MulticastEndpoint& ep, const InterfaceChoice& iface,
                     const std::function<void()>& while_joined) {
  SelfTest t;
  // A source-specific join names this host as the source: the datagrams come from it.
  MulticastEndpoint self = ep;
  if (self.source) self.source = iface.address;
  auto sock = GroupSocket::Open(self, self.RtpPort(), iface, {});
  if (!sock) {
    t.error = sock.error().message;
    while_joined();
    return t;
  }
  while_joined();
  auto sender = GroupSender(iface, 0, true);
  if (!sender) {
    t.error = sender.error();
    return t;
  }
  const std::uint32_t nonce = RandomNonce();
  constexpr int kCount = 5;
  for (int i = 0; i < kCount; ++i) {
    auto msg =
        Serialize(PeerMessage{PeerType::kProbe, nonce, static_cast<std::uint32_t>(i), kCount});
    if (!SendTo(sender->fd(), msg, ep.group, ep.port, t.error)) return t;
    ++t.sent;
  }
  BatchReceiver receiver(16, 2048);
  const auto start = Clock::now();
  const int fds[] = {sock->fd()};
  while (t.received < kCount && Since(start) < 0.5) {
    if (!WaitReadable(fds, 0.5 - Since(start))) continue;
    auto batch = receiver.Receive(sock->fd());
    if (!batch) {
      t.error = batch.error().message;
      break;
    }
    for (const auto& d : *batch) {
      auto m = ParsePeerMessage(d.data);
      if (m && m->nonce == nonce && m->type == PeerType::kProbe) ++t.received;
    }
  }
  return t;
}

CheckResult CheckSelfTest(const SelfTest& t, const MulticastEndpoint& ep, std::string_view iface) {
  CheckResult r{"loopback", Status::kOk, "", ""};
  r.detail = fmt::format("{}/{} datagrams sent to {} with TTL 0 came back on {}", t.received,
                         t.sent, ep.ToString(), iface);
  if (!t.error.empty()) r.detail += fmt::format(" ({})", t.error);
  if (t.sent > 0 && t.received == t.sent) return r;
  r.status = Status::kFail;
  r.fix = t.sent == 0 ? "fix the error above (route or interface lines)"
                      : "this host drops its own multicast: see the firewall and rp_filter "
                        "lines (looped-back datagrams pass the INPUT chain too)";
  return r;
}

PeerTest RunPeerTest(const MulticastEndpoint& ep, const InterfaceChoice& iface,
                     const IpAddress& peer, double timeout_s) {
  PeerTest t;
  // A source-specific join names the peer: its echoes are what this socket must hear.
  MulticastEndpoint from_peer = ep;
  if (from_peer.source) from_peer.source = peer;
  auto sock = GroupSocket::Open(from_peer, from_peer.RtpPort(), iface, {});
  if (!sock) {
    t.error = sock.error().message;
    return t;
  }
  auto sender = GroupSender(iface, 1, false);
  if (!sender) {
    t.error = sender.error();
    return t;
  }
  const std::uint32_t nonce = RandomNonce();
  constexpr std::uint32_t kCount = 20;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    auto msg = Serialize(PeerMessage{PeerType::kProbe, nonce, i, kCount});
    if (!SendTo(sender->fd(), msg, ep.group, ep.port, t.error)) return t;
    ++t.sent;
    usleep(2000);  // spread the probes a little, like a paced stream
  }
  BatchReceiver group_rx(32, 2048), unicast_rx(4, 2048);
  const auto start = Clock::now();
  std::optional<Clock::time_point> reported_at;
  const int fds[] = {sock->fd(), sender->fd()};
  while (Since(start) < timeout_s) {
    if (reported_at && (t.echoes >= static_cast<int>(kCount) || Since(*reported_at) > 0.5)) break;
    const unsigned ready = WaitReadable(fds, std::min(0.05, timeout_s - Since(start)));
    if (ready & 1u) {
      auto batch = group_rx.Receive(sock->fd());
      for (const auto& d : batch ? *batch : std::span<const Datagram>{}) {
        auto m = ParsePeerMessage(d.data);
        if (m && m->nonce == nonce && m->type == PeerType::kEcho) ++t.echoes;
      }
    }
    if (ready & 2u) {
      auto batch = unicast_rx.Receive(sender->fd());
      for (const auto& d : batch ? *batch : std::span<const Datagram>{}) {
        auto m = ParsePeerMessage(d.data);
        if (m && m->nonce == nonce && m->type == PeerType::kReport && d.source == peer) {
          t.reported = m->value;
          reported_at = Clock::now();
        }
      }
    }
  }
  return t;
}

CheckResult CheckPeer(const PeerTest& t, const IpAddress& peer, const MulticastEndpoint& ep) {
  CheckResult r{"peer", Status::kOk, "", ""};
  const std::string p = peer.ToString();
  if (t.sent == 0) {
    r.status = Status::kFail;
    r.detail = fmt::format("could not send probes to {}: {}", ep.ToString(), t.error);
    r.fix = "fix the error above (route or interface lines)";
    return r;
  }
  if (!t.reported && t.echoes == 0) {
    r.status = Status::kFail;
    r.detail = fmt::format(
        "no answer from {} to {} probes on {}: it is not running --listen, "
        "did not hear us, or this host drops its answers (lines above)",
        p, t.sent, ep.ToString());
    r.fix = fmt::format(
        "run `confcast-doctor --listen --group {} --port {}` on {} (and plain "
        "confcast-doctor there); check both firewalls, rp_filter and the switch",
        ep.group.ToString(), ep.port, p);
    return r;
  }
  if (!t.reported) {
    r.status = Status::kWarn;
    r.detail = fmt::format(
        "{} heard us and we heard {}/{} of its probes, but its unicast report "
        "did not arrive",
        p, t.echoes, t.sent);
    r.fix = fmt::format("allow UDP from {} in this host's firewall", p);
    return r;
  }
  r.detail = fmt::format("{} heard {}/{} of our probes on {}; we heard {}/{} of its", p,
                         *t.reported, t.sent, ep.ToString(), t.echoes, t.sent);
  if (t.echoes == 0) {
    r.status = Status::kFail;
    r.detail += ": this host does not receive the group";
    r.fix =
        "see the rp_filter, firewall and membership lines; on the peer, its route and "
        "interface";
  } else if (*t.reported < static_cast<std::uint32_t>(t.sent) || t.echoes < t.sent) {
    r.status = Status::kWarn;
    r.detail += ": loss on the path";
    r.fix = "check the link (Wi-Fi?), the switch and both hosts' udp_drops lines";
  }
  return r;
}

int RunListener(const MulticastEndpoint& endpoint, const InterfaceChoice& iface, double seconds) {
  // The asker is not known in advance: listen any-source, even on a source-specific group.
  MulticastEndpoint ep = endpoint;
  ep.source.reset();
  auto sock = GroupSocket::Open(ep, ep.RtpPort(), iface, {});
  if (!sock) {
    spdlog::error("{}", sock.error().message);
    return 2;
  }
  auto sender = GroupSender(iface, 1, false);
  if (!sender) {
    spdlog::error("{}", sender.error());
    return 2;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  struct Asker {
    IpAddress address;
    std::uint16_t port = 0;
    std::uint32_t received = 0, total = 0;
    Clock::time_point last;  // the latest probe heard
    bool done = false;
  };
  std::map<std::uint32_t, Asker> askers;  // by nonce
  BatchReceiver rx(32, 2048);
  fmt::print("listening on {} via {}\n", ep.ToString(), iface.iface.name);
  std::fflush(stdout);
  const auto start = Clock::now();
  const int fds[] = {sock->fd()};
  while (!g_stop && (seconds <= 0 || Since(start) < seconds)) {
    if (WaitReadable(fds, 0.05)) {
      auto batch = rx.Receive(sock->fd());
      for (const auto& d : batch ? *batch : std::span<const Datagram>{}) {
        auto m = ParsePeerMessage(d.data);
        if (!m || m->type != PeerType::kProbe || m->total == 0 || m->total > 1000) continue;
        auto [it, fresh] = askers.try_emplace(m->nonce);
        if (fresh) it->second = Asker{d.source, d.source_port, 0, m->total, {}, false};
        if (!it->second.done) {
          ++it->second.received;
          it->second.last = Clock::now();
        }
      }
    }
    for (auto& [nonce, a] : askers) {
      // All heard, or 300 ms without another: the rest were lost (an asker that was slow to
      // send, on a loaded machine, is still waited for).
      if (a.done || (a.received < a.total && Since(a.last) < 0.3)) continue;
      a.done = true;
      std::string error;
      SendTo(sender->fd(), Serialize(PeerMessage{PeerType::kReport, nonce, a.received, a.total}),
             a.address, a.port, error);
      for (std::uint32_t i = 0; i < a.total; ++i) {
        SendTo(sender->fd(), Serialize(PeerMessage{PeerType::kEcho, nonce, i, a.total}), ep.group,
               ep.port, error);
      }
      fmt::print("served {}:{}: heard {}/{}{}\n", a.address.ToString(), a.port, a.received, a.total,
                 error.empty() ? "" : " (" + error + ")");
      std::fflush(stdout);
    }
    std::erase_if(askers, [](const auto& e) { return e.second.done && Since(e.second.last) > 10; });
  }
  return 0;
}

std::expected<std::optional<IgmpQuery>, std::string> ListenForQuerier(const Interface& iface,
                                                                      double seconds) {
  Socket s(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IGMP));
  if (!s.valid()) return std::unexpected(Errno("raw IGMP socket (needs root or CAP_NET_RAW)"));
  if (setsockopt(s.fd(), SOL_SOCKET, SO_BINDTODEVICE, iface.name.c_str(),
                 static_cast<socklen_t>(iface.name.size())) != 0) {
    return std::unexpected(Errno(fmt::format("bind the raw socket to {}", iface.name)));
  }
  std::array<std::uint8_t, 2048> buf{};
  const auto start = Clock::now();
  const int fds[] = {s.fd()};
  while (Since(start) < seconds) {
    if (!WaitReadable(fds, seconds - Since(start))) continue;
    const ssize_t n = recv(s.fd(), buf.data(), buf.size(), 0);
    if (n <= 0) continue;
    if (auto q = ParseIgmpQuery(
            std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)))) {
      return *q;
    }
  }
  return std::optional<IgmpQuery>{};
}

}  // namespace confcast::net::doctor
