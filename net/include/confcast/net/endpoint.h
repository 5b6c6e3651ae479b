// Multicast endpoints: a group address, an even RTP port (RTCP on port + 1) and, for
// source-specific groups, the one source to accept.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/net/error.h"

namespace confcast::net {

enum class Family : std::uint8_t { kIpv4, kIpv6 };

// "IPv4" or "IPv6", for messages.
constexpr const char* FamilyName(Family f) noexcept {
  return f == Family::kIpv4 ? "IPv4" : "IPv6";
}

// An IPv4 or IPv6 address as plain bytes (network order). IPv4 uses the first 4 bytes.
struct IpAddress {
  Family family = Family::kIpv4;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  bool IsMulticast() const;
  // 232.0.0.0/8 or ff3x::/16 (RFC 4607): receivers must name the source.
  bool IsSourceSpecific() const;
  bool IsUnspecified() const;
  std::string ToString() const;  // "239.0.0.11" or "ff15::11" (no brackets)
  bool operator==(const IpAddress&) const = default;
};

// Parses a bare address literal ("10.0.0.1", "ff15::11", "[ff15::11]").
std::expected<IpAddress, Error> ParseIpAddress(std::string_view text);

using MacAddress = std::array<std::uint8_t, 6>;
std::string MacToString(const MacAddress& mac);  // "01:00:5e:00:00:0b"

// The Ethernet destination a group maps to: 01:00:5e + low 23 bits (RFC 1112 section 6.4),
// 33:33 + low 32 bits (RFC 2464 section 7).
MacAddress EthernetAddressOf(const IpAddress& group);

struct MulticastEndpoint {
  IpAddress group;
  std::uint16_t port = 0;  // even: RTP; port + 1: RTCP
  std::optional<IpAddress> source;

  std::uint16_t RtpPort() const { return port; }
  std::uint16_t RtcpPort() const { return static_cast<std::uint16_t>(port + 1); }
  MacAddress EthernetAddress() const { return EthernetAddressOf(group); }
  std::string ToString() const;  // "239.0.0.11:15550", "[ff15::11]:15550", "(src S) ..."
  bool operator==(const MulticastEndpoint&) const = default;
};

// Receivers of a source-specific group must name the source; its sender is the source, so
// needs none.
enum class Role : std::uint8_t { kReceiver, kSender };

// Validates a group, port and optional source: multicast, not a control block, even non-zero
// port, source present exactly for source-specific groups (receivers), one address family.
std::expected<MulticastEndpoint, Error> MakeEndpoint(const IpAddress& group, std::uint16_t port,
                                                     std::optional<IpAddress> source = {},
                                                     Role role = Role::kReceiver);

// Parses "239.0.0.11:15550" or "[ff15::11]:15550". Without a port in the text, default_port
// is used (an error if absent). `source` is an address literal or empty.
std::expected<MulticastEndpoint, Error> ParseEndpoint(
    std::string_view text, std::optional<std::uint16_t> default_port = {},
    std::string_view source = {}, Role role = Role::kReceiver);

// One warning line per pair of distinct groups that share an Ethernet address: the NIC and the
// switch cannot tell them apart, so each host receives (and drops in the kernel) both.
std::vector<std::string> EthernetCollisions(std::span<const MulticastEndpoint> in_use);

}  // namespace confcast::net
