// confcast-doctor's checks as pure functions: each takes what was read from the host (the text
// of /proc and /sys files, `iptables-save` and `nft -j list ruleset` output, a captured IGMP
// datagram) and returns one CheckResult, so every verdict is unit-testable with injected text.
// Gathering the real inputs and the live tests (loopback, peer, querier) live elsewhere
// (doctor_live.h, doctor.cc). IPv4 only: rp_filter, IGMP and iptables are IPv4 mechanisms.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/net/endpoint.h"

namespace confcast::net::doctor {

// Ordered by severity: the worst status of a run decides the exit code.
enum class Status : std::uint8_t { kOk, kSkip, kWarn, kFail };
std::string_view StatusName(Status s);  // "OK", "SKIP", "WARN", "FAIL"

struct CheckResult {
  std::string name;  // "rp_filter", "firewall", ...
  Status status = Status::kOk;
  std::string detail;  // what was found, one line
  std::string fix;     // what to do (empty when nothing to do)
  bool operator==(const CheckResult&) const = default;
};

// --- interfaces ------------------------------------------------------------------------------

// Known trouble spots, from /sys/class/net/<if>: Wi-Fi (wireless/ or phy80211/), bridges
// (bridge/), Docker's bridge (docker0, br-<id>), veth pairs, hypervisor NICs (virtio_net,
// vmxnet3, hv_netvsc, xen-netfront drivers), tunnels (type 65534, no link layer: no multicast).
enum class InterfaceKind : std::uint8_t {
  kEthernet,
  kLoopback,
  kWifi,
  kDockerBridge,
  kBridge,
  kVeth,
  kVm,
  kTunnel,
  kOther
};
struct InterfaceFacts {
  std::string name{};
  bool up = false;
  bool multicast = false;
  int type = 1;           // /sys/class/net/<if>/type (ARPHRD_*: 1 Ethernet, 772 loopback)
  bool wireless = false;  // wireless/ or phy80211/ present
  bool bridge = false;    // bridge/ present
  std::string driver{};   // basename of device/driver, or "veth" from the peer link
};
InterfaceKind ClassifyInterface(const InterfaceFacts& f);
std::string_view KindName(InterfaceKind k);  // "Wi-Fi", "Docker bridge", ...

// `chosen` is the interface confcast would use (--iface or the route's); empty if none.
CheckResult CheckInterfaces(const std::vector<InterfaceFacts>& all, std::string_view chosen,
                            std::string_view group);

// --- routes (/proc/net/route, main table) ----------------------------------------------------

struct Route {
  std::string iface;
  std::uint32_t destination = 0;  // host byte order
  std::uint32_t mask = 0;
  std::uint32_t metric = 0;
  bool operator==(const Route&) const = default;
};
std::vector<Route> ParseProcNetRoute(std::string_view text);
// Longest prefix, then lowest metric: the route the kernel's main table picks.
std::optional<Route> LookupRoute(const std::vector<Route>& routes, const IpAddress& to);

// Is there a route for the group, and does it leave on the interface confcast uses?
CheckResult CheckMulticastRoute(const std::vector<Route>& routes, const IpAddress& group,
                                std::string_view iface);

// --- reverse-path filtering ------------------------------------------------------------------

// The effective mode is max(conf/all/rp_filter, conf/<if>/rp_filter). Multicast from `sender`
// arriving on `iface` is dropped silently when strict (1) and the route back to the sender
// leaves elsewhere, or when loose (2) and there is no route back at all.
CheckResult CheckRpFilter(std::optional<int> all, std::optional<int> iface_value,
                          std::string_view iface, std::optional<IpAddress> sender,
                          const std::vector<Route>& routes);

// --- buffers and drop counters ---------------------------------------------------------------

CheckResult CheckReceiveBuffer(std::optional<long long> rmem_max, long long asked);

// --- encryption (the session as the user describes it: --ttl, --key-file) -------------------

// A session whose TTL is above 1 crosses routers, to hosts the user may not know. Without a
// group key (SRTP, --key-file) anyone on those networks can watch it and inject media or
// RTCP into it: WARN, with the commands that make and use a key. At TTL 1 the session stays on
// the link, where the defaults (repair limits, address binding, safe text) are the guard: OK.
CheckResult CheckEncryption(int ttl, bool key_file);

struct UdpCounters {
  std::uint64_t in_datagrams = 0;
  std::uint64_t in_errors = 0;
  std::uint64_t rcvbuf_errors = 0;
  std::uint64_t in_csum_errors = 0;
  std::uint64_t mem_errors = 0;
  bool operator==(const UdpCounters&) const = default;
};
// The "Udp:" header/value line pair of /proc/net/snmp.
std::optional<UdpCounters> ParseProcNetSnmpUdp(std::string_view text);
CheckResult CheckUdpDrops(const std::optional<UdpCounters>& counters);

// --- IGMP membership and querier -------------------------------------------------------------

struct IgmpDevice {
  int index = 0;
  std::string name{};
  int version = 0;  // the "Querier" column: V1/V2/V3 mode the kernel reports in; 0 unknown
  std::vector<IpAddress> groups;
  bool operator==(const IgmpDevice&) const = default;
};
std::vector<IgmpDevice> ParseProcNetIgmp(std::string_view text);
// After a join on `iface`: is the group listed, and in which IGMP version?
CheckResult CheckMembership(const std::vector<IgmpDevice>& devices, std::string_view iface,
                            const IpAddress& group, bool source_specific);

struct IgmpQuery {
  IpAddress querier;  // IP source of the query
  int version = 0;    // 1, 2 or 3 (RFC 3376 section 7.1: told apart by length and max resp)
  IpAddress group;    // 0.0.0.0 for a general query
  bool operator==(const IgmpQuery&) const = default;
};
enum class IgmpParseError : std::uint8_t {
  kTooShort,
  kNotIpv4,
  kBadHeaderLength,
  kNotIgmp,
  kNotQuery
};
// An IPv4 datagram as a raw IPPROTO_IGMP socket returns it (IP header included).
std::expected<IgmpQuery, IgmpParseError> ParseIgmpQuery(std::span<const std::uint8_t> datagram);

// `waited_seconds` 0 means the listen was skipped; `skip_reason` says why.
CheckResult CheckQuerier(const std::optional<IgmpQuery>& heard, double waited_seconds,
                         std::string_view skip_reason);

// --- firewall --------------------------------------------------------------------------------

// One kind of packet confcast needs to reach this host: UDP to group:port, or IGMP.
struct Traffic {
  std::uint8_t protocol = 17;  // 17 UDP, 2 IGMP
  IpAddress destination;
  std::uint16_t port = 0;       // UDP only
  std::uint16_t base_port = 0;  // the even base P of P..P+3, for an accept rule covering all
  std::string in_interface;
  std::string label;  // "UDP 239.0.0.11:15550 (video RTP)"
};
// The packets confcast needs: RTP/RTCP of video and audio (P..P+3) and IGMP queries.
std::vector<Traffic> TrafficFor(const MulticastEndpoint& endpoint, std::string_view iface);

// Walks the INPUT path of both rule sets (iptables filter INPUT with its user chains; nftables
// base chains on the input hook of families ip and inet, in priority order) for each packet.
// Rules whose matches it does not understand are skipped when they drop (no false alarms on
// `ct state invalid drop`) and make an "accepted" verdict uncertain (a WARN, not an OK).
// Tables that `iptables-nft` owns are read from `iptables_save` only, not twice.
CheckResult CheckFirewall(std::string_view iptables_save, std::string_view nft_json,
                          const std::vector<Traffic>& traffic);

}  // namespace confcast::net::doctor
