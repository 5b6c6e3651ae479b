// Parsing and validation of multicast endpoints. Address literals go through inet_pton; the
// rules below follow RFC 5771 (IPv4 multicast blocks), RFC 4291 section 2.7 (IPv6 multicast
// scopes and flags), RFC 4607 (source-specific ranges), RFC 1112 and RFC 2464 (Ethernet maps).
#include "confcast/net/endpoint.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <utility>

namespace confcast::net {
namespace {

Error Fail(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// 224.0.0.0/24 carries routing and discovery protocols (IGMP, OSPF, mDNS's cousins); routers
// never forward it and media there collides with control traffic.
bool InV4ControlBlock(const IpAddress& a) {
  return a.bytes[0] == 224 && a.bytes[1] == 0 && a.bytes[2] == 0;
}

// The IPv6 analogue: permanent (T flag clear) groups of interface- or link-local scope such as
// ff02::1 (all nodes), ff02::2 (routers), ff02::1:ffxx:xxxx (solicited node).
bool InV6ControlBlock(const IpAddress& a) {
  const int flags = a.bytes[1] >> 4;
  const int scope = a.bytes[1] & 0x0f;
  return (flags & 0x1) == 0 && (scope == 1 || scope == 2);
}

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

IpAddress IpAddress::V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

bool IpAddress::IsMulticast() const {
  return family == Family::kIpv4 ? (bytes[0] & 0xf0) == 0xe0 : bytes[0] == 0xff;
}

bool IpAddress::IsSourceSpecific() const {
  // ff3x::/16 with a zero prefix length and network prefix, RFC 4607 section 1; accept the
  // whole ff3x::/16 as the issue asks (the kernel does the same for MCAST_JOIN_SOURCE_GROUP).
  return family == Family::kIpv4 ? bytes[0] == 232 : bytes[0] == 0xff && (bytes[1] >> 4) == 0x3;
}

bool IpAddress::IsUnspecified() const {
  const std::size_t n = family == Family::kIpv4 ? 4 : 16;
  for (std::size_t i = 0; i < n; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::kIpv4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::expected<IpAddress, Error> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = Family::kIpv4;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = Family::kIpv6;
    return ip;
  }
  return std::unexpected(Fail(ErrorCode::kBadAddress,
                              fmt::format("'{}' is not an IP address; write e.g. 239.0.0.11 or "
                                          "[ff15::11]",
                                          text)));
}

std::string MacToString(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

MacAddress EthernetAddressOf(const IpAddress& group) {
  if (group.family == Family::kIpv4) {
    return {0x01,           0x00,          0x5e, static_cast<std::uint8_t>(group.bytes[1] & 0x7f),
            group.bytes[2], group.bytes[3]};
  }
  return {0x33, 0x33, group.bytes[12], group.bytes[13], group.bytes[14], group.bytes[15]};
}

std::string MulticastEndpoint::ToString() const {
  std::string g =
      group.family == Family::kIpv4 ? group.ToString() : fmt::format("[{}]", group.ToString());
  std::string out = fmt::format("{}:{}", g, port);
  if (source) out += fmt::format(" from {}", source->ToString());
  return out;
}

std::expected<MulticastEndpoint, Error> MakeEndpoint(const IpAddress& group, std::uint16_t port,
                                                     std::optional<IpAddress> source, Role role) {
  const std::string g = group.ToString();
  if (!group.IsMulticast()) {
    return std::unexpected(Fail(
        ErrorCode::kNotMulticast,
        fmt::format("{} is not a multicast address; use a group in 239.0.0.0/8 (e.g. 239.0.0.11)"
                    " or ff15::/16 (e.g. ff15::11)",
                    g)));
  }
  if (group.family == Family::kIpv4 ? InV4ControlBlock(group) : InV6ControlBlock(group)) {
    return std::unexpected(Fail(
        ErrorCode::kControlBlock,
        fmt::format("{} is in the link-local control block ({}), reserved for routing and "
                    "discovery protocols; use a group in {} for media",
                    g, group.family == Family::kIpv4 ? "224.0.0.0/24" : "permanent ff01::/ff02::",
                    group.family == Family::kIpv4 ? "239.0.0.0/8" : "ff15::/16")));
  }
  if (port == 0) {
    return std::unexpected(
        Fail(ErrorCode::kZeroPort,
             "port 0 cannot be joined or announced; give an even port such as --port 15550"));
  }
  if (port % 2 != 0) {
    return std::unexpected(Fail(
        ErrorCode::kOddPort,
        fmt::format("port {} is odd: RTP uses the even port of an even/odd pair; use --port {}",
                    port, port - 1)));
  }
  if (source) {
    if (source->family != group.family) {
      return std::unexpected(Fail(
          ErrorCode::kFamilyMismatch,
          fmt::format("source {} is {} but group {} is {}; give a source of the group's family",
                      source->ToString(), FamilyName(source->family), g,
                      FamilyName(group.family))));
    }
    if (!group.IsSourceSpecific()) {
      return std::unexpected(Fail(
          ErrorCode::kSourceNotAllowed,
          fmt::format("group {} is any-source, so a source filter is not used; drop --source or "
                      "use a source-specific group ({})",
                      g, group.family == Family::kIpv4 ? "232.0.0.0/8" : "ff35::/16")));
    }
    if (source->IsMulticast() || source->IsUnspecified()) {
      return std::unexpected(Fail(
          ErrorCode::kBadAddress,
          fmt::format("source {} must be the sender's unicast address; give the sending host's "
                      "IP address",
                      source->ToString())));
    }
  } else if (group.IsSourceSpecific() && role == Role::kReceiver) {
    return std::unexpected(
        Fail(ErrorCode::kSourceRequired,
             fmt::format("{} is a source-specific group: receivers must name the sender; add "
                         "--source <sender address> or use an any-source group ({})",
                         g, group.family == Family::kIpv4 ? "239.0.0.0/8" : "ff15::/16")));
  }
  return MulticastEndpoint{group, port, source};
}

std::expected<MulticastEndpoint, Error> ParseEndpoint(std::string_view text,
                                                      std::optional<std::uint16_t> default_port,
                                                      std::string_view source, Role role) {
  std::string_view addr = text;
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected(Fail(
          ErrorCode::kBadAddress,
          fmt::format("'{}' has no closing ']'; write IPv6 groups as [ff15::11]:15550", text)));
    }
    addr = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::unexpected(
            Fail(ErrorCode::kBadAddress,
                 fmt::format("unexpected '{}' after '{}'; write [ff15::11]:15550", rest, addr)));
      }
      port_text = rest.substr(1);
    }
  } else if (const auto colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    addr = text.substr(0, colon);  // exactly one colon: IPv4 with a port
    port_text = text.substr(colon + 1);
  }
  auto group = ParseIpAddress(addr);
  if (!group) return std::unexpected(group.error());

  std::uint16_t port = 0;
  if (port_text) {
    auto p = ParsePort(*port_text);
    if (!p) {
      return std::unexpected(
          Fail(ErrorCode::kBadPort,
               fmt::format("'{}' is not a port number; give an even port 2-65534 such as 15550",
                           *port_text)));
    }
    port = *p;
  } else if (default_port) {
    port = *default_port;
  } else {
    return std::unexpected(
        Fail(ErrorCode::kBadPort,
             fmt::format("'{}' has no port; write {}:15550", text,
                         group->family == Family::kIpv4 ? group->ToString()
                                                        : fmt::format("[{}]", group->ToString()))));
  }

  std::optional<IpAddress> src;
  if (!source.empty()) {
    auto s = ParseIpAddress(source);
    if (!s) return std::unexpected(s.error());
    src = *s;
  }
  return MakeEndpoint(*group, port, src, role);
}

std::vector<std::string> EthernetCollisions(std::span<const MulticastEndpoint> in_use) {
  std::vector<std::string> warnings;
  std::vector<std::pair<IpAddress, IpAddress>> reported;  // each pair of groups once
  for (std::size_t i = 0; i < in_use.size(); ++i) {
    for (std::size_t j = i + 1; j < in_use.size(); ++j) {
      const IpAddress& a = in_use[i].group;
      const IpAddress& b = in_use[j].group;
      if (a == b || a.family != b.family) continue;
      if (EthernetAddressOf(a) != EthernetAddressOf(b)) continue;
      bool seen = false;
      for (const auto& [x, y] : reported) seen |= (x == a && y == b) || (x == b && y == a);
      if (seen) continue;
      reported.emplace_back(a, b);
      warnings.push_back(fmt::format(
          "groups {} and {} both map to Ethernet address {}: every host on either group also "
          "receives the other's traffic at the NIC; pick groups that differ in the low {} bits",
          a.ToString(), b.ToString(), MacToString(EthernetAddressOf(a)),
          a.family == Family::kIpv4 ? 23 : 32));
    }
  }
  return warnings;
}

}  // namespace confcast::net
