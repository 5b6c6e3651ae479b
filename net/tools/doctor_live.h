// confcast-doctor's contact with the real host: reading /proc, /sys and firewall dumps, and the
// live tests (loopback self-test, two-host test, IGMP querier listen). The verdicts on what
// these return are the pure functions of doctor_checks.h.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "confcast/net/endpoint.h"
#include "confcast/net/interface.h"
#include "doctor_checks.h"

namespace confcast::net::doctor {

std::optional<std::string> ReadFile(const std::string& path);
// Runs a fixed shell command line (no user input in it) and returns its stdout, or nullopt if
// it could not run or exited non-zero.
std::optional<std::string> RunCommand(const std::string& command);

// /sys/class/net/<if>/{type,wireless,phy80211,bridge,device/driver} for each interface.
std::vector<InterfaceFacts> GatherInterfaceFacts(const std::vector<Interface>& interfaces);

struct SelfTest {
  int sent = 0;
  int received = 0;
  std::string error;  // a failed system call, if any
};
// Joins group:port on the interface, calls `while_joined` (to read /proc/net/igmp with the
// membership in place), then sends a few datagrams with TTL 0 and loopback on (they never
// leave the host) and counts those that come back within 500 ms.
SelfTest RunSelfTest(const MulticastEndpoint& endpoint, const InterfaceChoice& iface,
                     const std::function<void()>& while_joined);
CheckResult CheckSelfTest(const SelfTest& t, const MulticastEndpoint& endpoint,
                          std::string_view iface);

struct PeerTest {
  int sent = 0;
  std::optional<std::uint32_t> reported;  // probes the peer says it received
  int echoes = 0;                         // the peer's probes we received
  std::string error;
};
// The asking side of the two-host test (see doctor_peer.h), waiting at most `timeout_s`.
PeerTest RunPeerTest(const MulticastEndpoint& endpoint, const InterfaceChoice& iface,
                     const IpAddress& peer, double timeout_s);
CheckResult CheckPeer(const PeerTest& t, const IpAddress& peer, const MulticastEndpoint& endpoint);

// The listening side: answers askers until `seconds` pass (0: until SIGINT/SIGTERM). Prints
// "listening" once joined and one line per asker served. Returns the exit code.
int RunListener(const MulticastEndpoint& endpoint, const InterfaceChoice& iface, double seconds);

// Listens for IGMP queries on `iface` with a raw socket (needs CAP_NET_RAW). The first query
// heard ends the wait early. The error string says why it could not listen.
std::expected<std::optional<IgmpQuery>, std::string> ListenForQuerier(const Interface& iface,
                                                                      double seconds);

}  // namespace confcast::net::doctor
