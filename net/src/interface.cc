// Interface discovery (getifaddrs) and selection. The default follows the kernel's route to the
// group, found by connecting a throw-away UDP socket and reading back the local address: no
// datagram is sent, and it honours policy routing and `ip route add 239.0.0.0/8 dev X`.
#include "confcast/net/interface.h"

#include <fmt/format.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sockaddr.h"

namespace confcast::net {
namespace {

std::optional<IpAddress> FromSockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  IpAddress ip;
  if (sa->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof in);
    ip.family = Family::kIpv4;
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof in6);
    ip.family = Family::kIpv6;
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

std::optional<IpAddress> RouteAddress(const MulticastEndpoint& endpoint) {
  const int family = endpoint.group.family == Family::kIpv4 ? AF_INET : AF_INET6;
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  SockAddr to = MakeSockAddr(endpoint.group, endpoint.port);
  std::optional<IpAddress> result;
  if (connect(fd, to.get(), to.len) == 0) {
    SockAddr local;
    local.len = sizeof local.storage;
    if (getsockname(fd, local.get_mut(), &local.len) == 0) {
      result = FromSockaddr(local.get());
      if (result && result->IsUnspecified()) result.reset();
    }
  }
  close(fd);
  return result;
}

const IpAddress* AddressOfFamily(const Interface& i, Family f) {
  const IpAddress* fallback = nullptr;
  for (const auto& a : i.addresses) {
    if (a.family != f) continue;
    // Prefer a global IPv6 address over fe80::/10 so the startup line names the useful one.
    if (f == Family::kIpv6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) {
      if (!fallback) fallback = &a;
      continue;
    }
    return &a;
  }
  return fallback;
}

}  // namespace

std::expected<std::vector<Interface>, Error> ListInterfaces() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return std::unexpected(Error{ErrorCode::kSystem, fmt::format("getifaddrs failed: {}; check "
                                                                 "that /proc and /sys are mounted",
                                                                 std::strerror(errno))});
  }
  std::vector<Interface> out;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    Interface* entry = nullptr;
    for (auto& i : out) {
      if (i.name == it->ifa_name) entry = &i;
    }
    if (entry == nullptr) {
      Interface i;
      i.name = it->ifa_name;
      i.index = if_nametoindex(it->ifa_name);
      i.up = (it->ifa_flags & IFF_UP) != 0;
      i.multicast = (it->ifa_flags & IFF_MULTICAST) != 0;
      i.loopback = (it->ifa_flags & IFF_LOOPBACK) != 0;
      out.push_back(std::move(i));
      entry = &out.back();
    }
    if (auto ip = FromSockaddr(it->ifa_addr)) entry->addresses.push_back(*ip);
  }
  freeifaddrs(list);
  return out;
}

std::string InterfaceChoice::StartupLine(const MulticastEndpoint& endpoint) const {
  return fmt::format("multicast {} on interface {} (index {}, address {})", endpoint.ToString(),
                     iface.name, iface.index, address.ToString());
}

std::expected<InterfaceChoice, Error> SelectInterfaceFrom(const std::vector<Interface>& interfaces,
                                                          std::string_view wanted,
                                                          const MulticastEndpoint& endpoint,
                                                          std::optional<IpAddress> route_address) {
  const Family family = endpoint.group.family;
  std::vector<const Interface*> candidates;
  std::string names;
  for (const auto& i : interfaces) {
    if (i.up && i.multicast && !i.loopback && AddressOfFamily(i, family)) {
      candidates.push_back(&i);
      names += (names.empty() ? "" : ", ") + i.name;
    }
  }

  const Interface* chosen = nullptr;
  std::optional<IpAddress> chosen_address;
  if (!wanted.empty()) {
    auto as_address = ParseIpAddress(wanted);
    for (const auto& i : interfaces) {
      if (i.name == wanted) chosen = &i;
      if (as_address) {
        for (const auto& a : i.addresses) {
          if (a == *as_address) {
            chosen = &i;
            chosen_address = a;
          }
        }
      }
    }
    if (chosen == nullptr) {
      return std::unexpected(
          Error{ErrorCode::kNoInterface,
                fmt::format("no interface named or addressed '{}'; choose one of: {}", wanted,
                            names.empty() ? std::string("(none with multicast)") : names)});
    }
    if (chosen_address && chosen_address->family != family) {
      return std::unexpected(Error{
          ErrorCode::kFamilyMismatch,
          fmt::format("interface address {} is {} but group {} is {}; give the interface name "
                      "or an address of the group's family",
                      chosen_address->ToString(), FamilyName(chosen_address->family),
                      endpoint.group.ToString(), FamilyName(family))});
    }
  } else {
    if (route_address) {
      for (const auto& i : interfaces) {
        for (const auto& a : i.addresses) {
          if (a == *route_address) chosen = &i;
        }
      }
    }
    if (chosen == nullptr && candidates.size() == 1) chosen = candidates.front();
    if (chosen == nullptr) {
      return std::unexpected(Error{
          ErrorCode::kNoInterface,
          fmt::format("no route to {} and {} multicast interfaces; choose one with --iface "
                      "NAME{}",
                      endpoint.group.ToString(), candidates.empty() ? "no" : "several",
                      names.empty() ? "" : " (" + names + ")")});
    }
  }

  if (!chosen->up || !chosen->multicast) {
    return std::unexpected(Error{
        ErrorCode::kNoInterface,
        fmt::format("interface {} is {}; bring it up with multicast on (ip link set {} up "
                    "multicast on) or choose another with --iface",
                    chosen->name, chosen->up ? "not multicast-capable" : "down", chosen->name)});
  }
  const IpAddress* address = chosen_address ? &*chosen_address : AddressOfFamily(*chosen, family);
  if (address == nullptr) {
    return std::unexpected(
        Error{ErrorCode::kNoInterface,
              fmt::format("interface {} has no {} address, needed for group {}; add one or choose "
                          "another interface",
                          chosen->name, FamilyName(family), endpoint.group.ToString())});
  }
  InterfaceChoice choice{*chosen, *address, {}};
  if (wanted.empty() && candidates.size() > 1) {
    choice.warnings.push_back(fmt::format(
        "{} multicast-capable interfaces ({}) and none chosen: using {} from the route to {}; "
        "pass --iface NAME to choose",
        candidates.size(), names, chosen->name, endpoint.group.ToString()));
  }
  return choice;
}

std::expected<InterfaceChoice, Error> SelectInterface(std::string_view wanted,
                                                      const MulticastEndpoint& endpoint) {
  auto interfaces = ListInterfaces();
  if (!interfaces) return std::unexpected(interfaces.error());
  return SelectInterfaceFrom(*interfaces, wanted, endpoint,
                             wanted.empty() ? RouteAddress(endpoint) : std::nullopt);
}

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "localhost";
  return host;
}

}  // namespace confcast::net
