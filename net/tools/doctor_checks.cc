// confcast-doctor checks on injected host state. Each function turns text the kernel printed
// into one verdict and, for a problem, the command that fixes it. The firewall walk is in
// doctor_firewall.cc.
#include "doctor_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <map>

#include "confcast/rtp/bytes.h"
#include "doctor_text.h"

namespace confcast::net::doctor {

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kOk:
      return "OK";
    case Status::kSkip:
      return "SKIP";
    case Status::kWarn:
      return "WARN";
    case Status::kFail:
      return "FAIL";
  }
  return "?";
}

// --- interfaces ------------------------------------------------------------------------------

InterfaceKind ClassifyInterface(const InterfaceFacts& f) {
  if (f.type == 772 || f.name == "lo") return InterfaceKind::kLoopback;
  // ARPHRD_NONE (tun, wireguard), IPIP, SIT, GRE: no link layer to carry group addresses.
  if (f.type == 65534 || f.type == 768 || f.type == 776 || f.type == 778) {
    return InterfaceKind::kTunnel;
  }
  if (f.wireless) return InterfaceKind::kWifi;
  if (f.bridge) {
    return f.name == "docker0" || f.name.starts_with("br-") ? InterfaceKind::kDockerBridge
                                                            : InterfaceKind::kBridge;
  }
  if (f.driver == "veth") return InterfaceKind::kVeth;
  if (f.driver == "virtio_net" || f.driver == "vmxnet3" || f.driver == "hv_netvsc" ||
      f.driver == "xen-netfront" || f.driver == "vif") {
    return InterfaceKind::kVm;
  }
  return f.type == 1 ? InterfaceKind::kEthernet : InterfaceKind::kOther;
}

std::string_view KindName(InterfaceKind k) {
  switch (k) {
    case InterfaceKind::kEthernet:
      return "Ethernet";
    case InterfaceKind::kLoopback:
      return "loopback";
    case InterfaceKind::kWifi:
      return "Wi-Fi";
    case InterfaceKind::kDockerBridge:
      return "Docker bridge";
    case InterfaceKind::kBridge:
      return "bridge";
    case InterfaceKind::kVeth:
      return "veth pair: a container or namespace";
    case InterfaceKind::kVm:
      return "virtual machine NIC";
    case InterfaceKind::kTunnel:
      return "tunnel (no link layer)";
    case InterfaceKind::kOther:
      return "other link type";
  }
  return "?";
}

CheckResult CheckInterfaces(const std::vector<InterfaceFacts>& all, std::string_view chosen,
                            std::string_view group) {
  CheckResult r{"interfaces", Status::kOk, "", ""};
  std::string usable;
  for (const auto& f : all) {
    if (f.up && f.multicast && ClassifyInterface(f) != InterfaceKind::kLoopback) {
      usable += (usable.empty() ? "" : ", ") + f.name;
    }
  }
  if (usable.empty()) usable = "none";
  const auto it = std::find_if(all.begin(), all.end(),
                               [&](const InterfaceFacts& f) { return f.name == chosen; });
  if (chosen.empty() || it == all.end()) {
    r.status = Status::kFail;
    r.detail = fmt::format("up and multicast: {}; no interface for {}", usable, group);
    r.fix = "bring the LAN interface up (ip link set IF up multicast on) and pass --iface IF";
    return r;
  }
  const InterfaceKind kind = ClassifyInterface(*it);
  const bool show_driver =
      !it->driver.empty() && (kind == InterfaceKind::kEthernet || kind == InterfaceKind::kVm);
  r.detail = fmt::format("up and multicast: {}; {} uses {} ({}{})", usable, group, chosen,
                         KindName(kind), show_driver ? ", driver " + it->driver : "");
  if (!it->up || !it->multicast) {
    r.status = Status::kFail;
    r.detail += it->up ? " which has multicast off" : " which is down";
    r.fix = fmt::format("ip link set {} up multicast on", chosen);
    return r;
  }
  switch (kind) {
    case InterfaceKind::kWifi:
      r.status = Status::kWarn;
      r.detail += ": access points send multicast at the lowest basic rate and drop it under load";
      r.fix = "use a wired interface (--iface NAME), or enable multicast-to-unicast on the AP";
      break;
    case InterfaceKind::kDockerBridge:
      r.status = Status::kWarn;
      r.detail += ": the stream stays inside Docker's bridge and never reaches the LAN";
      r.fix = "pass --iface with the LAN interface, or ip route add 224.0.0.0/4 dev LAN_IF";
      break;
    case InterfaceKind::kVm:
      r.status = Status::kWarn;
      r.detail += ": hypervisor switches (NAT mode, vSwitch filters) often drop multicast";
      r.fix =
          "use a bridged adapter and allow multicast (promiscuous/forged transmits) on the "
          "virtual switch";
      break;
    case InterfaceKind::kTunnel:
      r.status = Status::kFail;
      r.detail += ": tunnels and VPNs do not carry LAN multicast";
      r.fix = "pass --iface with the LAN interface, or ip route add 224.0.0.0/4 dev LAN_IF";
      break;
    case InterfaceKind::kLoopback:
      r.status = Status::kWarn;
      r.detail += ": only this host will hear the stream";
      r.fix = "pass --iface with the LAN interface";
      break;
    default:
      break;
  }
  return r;
}

// --- routes ----------------------------------------------------------------------------------

namespace {

// /proc/net/route prints each __be32 with %08X, i.e. the bytes of the network-order word read
// as a native integer: on little-endian hosts "0000A8C0" is 192.168.0.0.
std::optional<std::uint32_t> ProcHexAddress(std::string_view hex) {
  auto v = ParseHex32(hex);
  if (!v) return std::nullopt;
  return std::endian::native == std::endian::little ? std::byteswap(*v) : *v;
}

std::uint32_t HostOrder(const IpAddress& a) {
  return rtp::ReadU32(std::span<const std::uint8_t>(a.bytes.data(), 4), 0);
}

IpAddress FromHostOrder(std::uint32_t v) {
  return IpAddress::V4(static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v));
}

std::string RouteText(const Route& r) {
  return fmt::format("{}/{} dev {}", FromHostOrder(r.destination).ToString(), std::popcount(r.mask),
                     r.iface);
}

constexpr std::uint32_t kRtfUp = 0x1;

}  // namespace

std::vector<Route> ParseProcNetRoute(std::string_view text) {
  std::vector<Route> out;
  for (std::string_view line : Lines(text)) {
    auto f = Fields(line);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    if (f.size() < 8 || f[0] == "Iface") continue;
    auto dest = ProcHexAddress(f[1]);
    auto flags = ParseHex32(f[3]);
    auto metric = ParseUnsigned(f[6]);
    auto mask = ProcHexAddress(f[7]);
    if (!dest || !flags || !metric || !mask || (*flags & kRtfUp) == 0) continue;
    out.push_back(Route{std::string(f[0]), *dest, *mask, static_cast<std::uint32_t>(*metric)});
  }
  return out;
}

std::optional<Route> LookupRoute(const std::vector<Route>& routes, const IpAddress& to) {
  if (to.family != Family::kIpv4) return std::nullopt;
  const std::uint32_t addr = HostOrder(to);
  const Route* best = nullptr;
  for (const auto& r : routes) {
    if ((addr & r.mask) != (r.destination & r.mask)) continue;
    if (best == nullptr || std::popcount(r.mask) > std::popcount(best->mask) ||
        (r.mask == best->mask && r.metric < best->metric)) {
      best = &r;
    }
  }
  if (best == nullptr || best->iface == "*") return std::nullopt;  // "*": unreachable/blackhole
  return *best;
}

CheckResult CheckMulticastRoute(const std::vector<Route>& routes, const IpAddress& group,
                                std::string_view iface) {
  CheckResult r{"route", Status::kOk, "", ""};
  const std::string dev = iface.empty() ? std::string("IF") : std::string(iface);
  auto route = LookupRoute(routes, group);
  if (!route) {
    // confcast names the interface (IP_MULTICAST_IF, joins by index), which the kernel accepts
    // without a route; tools that follow the route (ffplay, VLC, gst-launch) do not.
    r.status = iface.empty() ? Status::kFail : Status::kWarn;
    r.detail = fmt::format(
        "no route to {}: {}programs that follow the route (ffplay, VLC, "
        "gst-launch) fail with 'Network is unreachable'",
        group.ToString(), iface.empty() ? "" : "confcast still works as it names the interface; ");
    r.fix = fmt::format("ip route add 224.0.0.0/4 dev {}", dev);
    return r;
  }
  if (!iface.empty() && route->iface != iface) {
    r.status = Status::kWarn;
    r.detail = fmt::format("{} follows {} but confcast uses {}", group.ToString(),
                           RouteText(*route), iface);
    r.fix =
        fmt::format("ip route add 224.0.0.0/4 dev {} (or pass --iface {})", iface, route->iface);
    return r;
  }
  r.detail = fmt::format("{} via {}{}", group.ToString(), RouteText(*route),
                         route->mask == 0 ? " (the default route)" : "");
  return r;
}

// --- reverse-path filtering ------------------------------------------------------------------

namespace {

std::string_view RpMode(int v) {
  return v == 0 ? "off" : v == 1 ? "strict" : "loose";
}

// The sysctl that makes max(all, iface) equal `target`: lower every key above it; raising needs
// only the interface key, since the larger of the two wins.
std::string RpSysctl(int all, int ifv, std::string_view iface, int target) {
  std::string keys;
  if (all > target) keys += fmt::format(" net.ipv4.conf.all.rp_filter={}", target);
  if (ifv > target || std::max(all, ifv) < target) {
    keys += fmt::format(" net.ipv4.conf.{}.rp_filter={}", iface, target);
  }
  return "sysctl -w" + keys;
}

}  // namespace

CheckResult CheckRpFilter(std::optional<int> all, std::optional<int> iface_value,
                          std::string_view iface, std::optional<IpAddress> sender,
                          const std::vector<Route>& routes) {
  CheckResult r{"rp_filter", Status::kOk, "", ""};
  if (!all || !iface_value) {
    r.status = Status::kSkip;
    r.detail = fmt::format("cannot read /proc/sys/net/ipv4/conf/{{all,{}}}/rp_filter", iface);
    return r;
  }
  const int a = std::clamp(*all, 0, 2), i = std::clamp(*iface_value, 0, 2);
  const int eff = std::max(a, i);
  const std::string values = fmt::format("all={}, {}={}", a, iface, i);
  if (eff == 0) {
    r.detail = fmt::format("off ({})", values);
    return r;
  }
  if (sender && sender->family == Family::kIpv4) {
    const auto back = LookupRoute(routes, *sender);
    const std::string s = sender->ToString();
    if (eff == 1 && (!back || back->iface != iface)) {
      r.status = Status::kFail;
      r.detail = fmt::format(
          "strict ({}) and the route back to sender {} {}: its multicast "
          "arriving on {} is dropped silently",
          values, s, back ? "leaves on " + back->iface : "is missing", iface);
      r.fix = fmt::format("{} (loose), or ip route add {}/32 dev {}", RpSysctl(a, i, iface, 2), s,
                          iface);
      return r;
    }
    if (eff == 2 && !back) {
      r.status = Status::kFail;
      r.detail = fmt::format(
          "loose ({}) and no route back to sender {}: its multicast is "
          "dropped silently",
          values, s);
      r.fix = fmt::format("ip route add {}/32 dev {} (or any route to it), or {}", s, iface,
                          RpSysctl(a, i, iface, 0));
      return r;
    }
    r.detail =
        fmt::format("{} ({}); route back to sender {} via {}", RpMode(eff), values, s, back->iface);
    return r;
  }
  if (eff == 1) {
    r.status = Status::kWarn;
    r.detail = fmt::format(
        "strict ({}): multicast from a sender whose route back does not leave "
        "on {} is dropped silently (pass --peer ADDR to check one)",
        values, iface);
    r.fix = RpSysctl(a, i, iface, 2) + " (loose)";
    return r;
  }
  r.detail = fmt::format(
      "loose ({}): a sender needs some route back (pass --peer ADDR to check "
      "one)",
      values);
  return r;
}

// --- buffers and drop counters ---------------------------------------------------------------

CheckResult CheckReceiveBuffer(std::optional<long long> rmem_max, long long asked) {
  CheckResult r{"rmem_max", Status::kOk, "", ""};
  if (!rmem_max) {
    r.status = Status::kSkip;
    r.detail = "cannot read /proc/sys/net/core/rmem_max";
    return r;
  }
  r.detail = fmt::format("net.core.rmem_max = {} KB, confcast asks for {} KB per socket",
                         *rmem_max / 1024, asked / 1024);
  if (*rmem_max >= asked) return r;
  // Below 128 KB (for the 4 MB ask) one 720p keyframe burst no longer fits: every keyframe
  // loses packets the moment the receiving thread is a little late.
  r.status = *rmem_max < asked / 32 ? Status::kFail : Status::kWarn;
  r.detail += ": the kernel clamps the buffer and keyframe bursts overflow it (RcvbufErrors)";
  r.fix = fmt::format("sysctl -w net.core.rmem_max={} (persist it in /etc/sysctl.d/)", asked);
  return r;
}

CheckResult CheckEncryption(int ttl, bool key_file) {
  CheckResult r{"encryption", Status::kOk, "", ""};
  if (key_file) {
    r.detail = fmt::format("TTL {}, SRTP with a group key (--key-file)", ttl);
    return r;
  }
  if (ttl <= 1) {
    r.detail = "TTL 1 without --key-file: the session stays on this link, unencrypted";
    return r;
  }
  r.status = Status::kWarn;
  r.detail = fmt::format(
      "TTL {} without --key-file: the session crosses routers unencrypted; anyone on those "
      "networks can watch it and send media or RTCP into it",
      ttl);
  r.fix = "confcast-keygen -o group.key; give --key-file group.key to confcast-send and every "
          "confcast-recv (or keep --ttl 1)";
  return r;
}

std::optional<UdpCounters> ParseProcNetSnmpUdp(std::string_view text) {
  std::vector<std::string_view> names, values;
  for (std::string_view line : Lines(text)) {
    if (!line.starts_with("Udp: ")) continue;
    (names.empty() ? names : values) = Fields(line.substr(5));
    if (!values.empty()) break;
  }
  if (names.empty() || names.size() != values.size()) return std::nullopt;
  std::map<std::string_view, std::uint64_t> m;
  for (std::size_t k = 0; k < names.size(); ++k) {
    auto v = ParseUnsigned(values[k]);
    if (!v) return std::nullopt;
    m[names[k]] = *v;
  }
  if (!m.contains("InDatagrams") || !m.contains("InErrors")) return std::nullopt;
  return UdpCounters{m["InDatagrams"], m["InErrors"], m["RcvbufErrors"], m["InCsumErrors"],
                     m["MemErrors"]};
}

CheckResult CheckUdpDrops(const std::optional<UdpCounters>& c) {
  CheckResult r{"udp_drops", Status::kOk, "", ""};
  if (!c) {
    r.status = Status::kSkip;
    r.detail = "cannot read the Udp: lines of /proc/net/snmp";
    return r;
  }
  r.detail = fmt::format(
      "since boot (this network namespace): InDatagrams={} InErrors={} "
      "RcvbufErrors={} InCsumErrors={} MemErrors={}",
      c->in_datagrams, c->in_errors, c->rcvbuf_errors, c->in_csum_errors, c->mem_errors);
  if (c->rcvbuf_errors + c->mem_errors > 0) {
    r.status = Status::kWarn;
    r.detail += ": datagrams were dropped because a socket's receive buffer was full";
    r.fix = "raise net.core.rmem_max (see rmem_max) and check that receivers keep up (CPU)";
  } else if (c->in_csum_errors > 0) {
    r.status = Status::kWarn;
    r.detail += ": datagrams arrived corrupted";
    r.fix = "check the cable, NIC and switch port (ethtool -S IF for CRC errors)";
  }
  return r;
}

// --- IGMP ------------------------------------------------------------------------------------

std::vector<IgmpDevice> ParseProcNetIgmp(std::string_view text) {
  // Device lines: "%d\t%-10s: %5d %7s" (index, name, group count, "V3");
  // group lines: "\t\t\t\t%08X %5d %d:%08lX\t\t%d" (group as a raw __be32, users, timer, ...).
  std::vector<IgmpDevice> out;
  for (std::string_view line : Lines(text)) {
    if (line.empty() || line.starts_with("Idx")) continue;
    if (line.front() == '\t' || line.front() == ' ') {
      auto f = Fields(line);
      auto hex = f.empty() ? std::nullopt : ProcHexAddress(f[0]);
      if (hex && !out.empty()) out.back().groups.push_back(FromHostOrder(*hex));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto head = Fields(line.substr(0, colon));
    auto tail = Fields(line.substr(colon + 1));
    if (head.size() != 2) continue;
    auto index = ParseUnsigned(head[0]);
    if (!index) continue;
    IgmpDevice d;
    d.index = static_cast<int>(*index);
    d.name = std::string(head[1]);
    if (tail.size() >= 2 && tail[1].size() == 2 && tail[1][0] == 'V') {
      d.version = tail[1][1] - '0';
    }
    out.push_back(std::move(d));
  }
  return out;
}

CheckResult CheckMembership(const std::vector<IgmpDevice>& devices, std::string_view iface,
                            const IpAddress& group, bool source_specific) {
  CheckResult r{"membership", Status::kOk, "", ""};
  const auto dev = std::find_if(devices.begin(), devices.end(),
                                [&](const IgmpDevice& d) { return d.name == iface; });
  const bool listed = dev != devices.end() &&
                      std::find(dev->groups.begin(), dev->groups.end(), group) != dev->groups.end();
  if (!listed) {
    r.status = Status::kFail;
    r.detail = fmt::format("after a join, {} is not listed for {} in /proc/net/igmp",
                           group.ToString(), iface);
    r.fix = fmt::format(
        "check that {} is up with multicast on and has an IPv4 address; or choose "
        "the LAN interface with --iface",
        iface);
    return r;
  }
  r.detail = fmt::format("joined {} on {}; the kernel reports in IGMPv{}", group.ToString(), iface,
                         dev->version);
  if (source_specific && dev->version != 0 && dev->version < 3) {
    r.status = Status::kWarn;
    r.detail += ": source-specific joins need IGMPv3 (a v1/v2 querier or force_igmp_version)";
    r.fix = fmt::format(
        "sysctl -w net.ipv4.conf.{}.force_igmp_version=0 and make the querier "
        "speak IGMPv3",
        iface);
  } else if (dev->version == 1) {
    r.detail += " (v1 has no leave: streams linger after receivers quit)";
  }
  return r;
}

std::expected<IgmpQuery, IgmpParseError> ParseIgmpQuery(std::span<const std::uint8_t> d) {
  if (d.size() < 20) return std::unexpected(IgmpParseError::kTooShort);
  if ((d[0] >> 4) != 4) return std::unexpected(IgmpParseError::kNotIpv4);
  const std::size_t ihl = static_cast<std::size_t>(d[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > d.size()) return std::unexpected(IgmpParseError::kBadHeaderLength);
  if (d[9] != 2) return std::unexpected(IgmpParseError::kNotIgmp);
  // RFC 3376 section 7.1: an 8-byte query with Max Resp Code 0 is IGMPv1, 8 bytes otherwise
  // IGMPv2, 12 or more IGMPv3. The IP total length bounds the message (trailing padding).
  const std::size_t total = std::min<std::size_t>(rtp::ReadU16(d, 2), d.size());
  if (total < ihl + 8) return std::unexpected(IgmpParseError::kTooShort);
  if (d[ihl] != 0x11) return std::unexpected(IgmpParseError::kNotQuery);
  const std::size_t len = total - ihl;
  IgmpQuery q;
  q.querier = IpAddress::V4(d[12], d[13], d[14], d[15]);
  q.group = IpAddress::V4(d[ihl + 4], d[ihl + 5], d[ihl + 6], d[ihl + 7]);
  q.version = len >= 12 ? 3 : d[ihl + 1] == 0 ? 1 : 2;
  return q;
}

CheckResult CheckQuerier(const std::optional<IgmpQuery>& heard, double waited_seconds,
                         std::string_view skip_reason) {
  CheckResult r{"querier", Status::kOk, "", ""};
  if (waited_seconds <= 0) {
    r.status = Status::kSkip;
    r.detail = std::string(skip_reason);
    return r;
  }
  if (heard) {
    r.detail = fmt::format("IGMPv{} querier {} heard ({} query)", heard->version,
                           heard->querier.ToString(),
                           heard->group.IsUnspecified() ? "general" : heard->group.ToString());
    return r;
  }
  r.status = Status::kWarn;
  r.detail = fmt::format(
      "no IGMP query heard in {:.0f} s{}: with IGMP-snooping switches and no "
      "querier, memberships expire and streams stop after a few minutes",
      waited_seconds, waited_seconds < 125 ? " (queries come every 125 s by default)" : "");
  r.fix =
      "enable an IGMP querier on the switch or router (Linux bridge: ip link set BR type "
      "bridge mcast_querier 1), or turn IGMP snooping off";
  return r;
}

}  // namespace confcast::net::doctor
