// Choosing the network interface multicast leaves and arrives on. Getting this wrong is the
// classic "works on my laptop" failure: the kernel picks the default route's interface, which
// may be Wi-Fi, a VPN or docker0. So the choice is explicit, logged once, and warned about when
// it was a guess among several candidates.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/net/endpoint.h"
#include "confcast/net/error.h"

namespace confcast::net {

struct Interface {
  std::string name;
  unsigned index = 0;
  bool up = false;
  bool multicast = false;  // IFF_MULTICAST
  bool loopback = false;
  std::vector<IpAddress> addresses;
};

// This host's name (gethostname), "localhost" when it has none: the part after '@' of a CNAME
// and of the default SDES NAME.
std::string HostName();

// All interfaces of this network namespace, with their addresses (getifaddrs).
std::expected<std::vector<Interface>, Error> ListInterfaces();

struct InterfaceChoice {
  Interface iface;
  IpAddress address;                  // the interface's address of the group's family
  std::vector<std::string> warnings;  // e.g. several candidates and none chosen
  std::string StartupLine(const MulticastEndpoint& endpoint) const;
};

// `wanted` is an interface name ("lan0"), one of its addresses ("10.0.0.2"), or empty: then
// the interface of the route to the group (the kernel's own choice, made visible).
std::expected<InterfaceChoice, Error> SelectInterface(std::string_view wanted,
                                                      const MulticastEndpoint& endpoint);

// The same, over a given list (for tests); `route_address` is the local address the kernel
// would use towards the group, if any.
std::expected<InterfaceChoice, Error> SelectInterfaceFrom(const std::vector<Interface>& interfaces,
                                                          std::string_view wanted,
                                                          const MulticastEndpoint& endpoint,
                                                          std::optional<IpAddress> route_address);

}  // namespace confcast::net
