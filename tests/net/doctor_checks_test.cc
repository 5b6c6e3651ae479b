// confcast-doctor's checks on injected host state: /proc and /sys text as the kernel prints it,
// and IGMP/peer datagrams built byte by byte.
#include "doctor_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "doctor_live.h"
#include "doctor_peer.h"

namespace confcast::net::doctor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

IpAddress Ip(std::string_view s) {
  return *ParseIpAddress(s);
}

// --- interfaces ------------------------------------------------------------------------------

TEST(DoctorInterfaces, ClassifiesKnownTroubleSpots) {
  EXPECT_EQ(ClassifyInterface({.name = "lo", .type = 772}), InterfaceKind::kLoopback);
  EXPECT_EQ(ClassifyInterface({.name = "wifi1", .wireless = true}), InterfaceKind::kWifi);
  EXPECT_EQ(ClassifyInterface({.name = "docker0", .bridge = true}), InterfaceKind::kDockerBridge);
  EXPECT_EQ(ClassifyInterface({.name = "br-1a2b3c", .bridge = true}), InterfaceKind::kDockerBridge);
  EXPECT_EQ(ClassifyInterface({.name = "br0", .bridge = true}), InterfaceKind::kBridge);
  EXPECT_EQ(ClassifyInterface({.name = "vl0", .driver = "veth"}), InterfaceKind::kVeth);
  EXPECT_EQ(ClassifyInterface({.name = "vm0", .driver = "virtio_net"}), InterfaceKind::kVm);
  EXPECT_EQ(ClassifyInterface({.name = "vm1", .driver = "vmxnet3"}), InterfaceKind::kVm);
  EXPECT_EQ(ClassifyInterface({.name = "lan0", .driver = "hv_netvsc"}), InterfaceKind::kVm);
  EXPECT_EQ(ClassifyInterface({.name = "tun0", .type = 65534}), InterfaceKind::kTunnel);
  EXPECT_EQ(ClassifyInterface({.name = "eno1", .driver = "e1000e"}), InterfaceKind::kEthernet);
}

std::vector<InterfaceFacts> Host(InterfaceFacts chosen) {
  return {{.name = "lo", .up = true, .multicast = false, .type = 772}, std::move(chosen)};
}

TEST(DoctorInterfaces, WiredLanIsOk) {
  auto r = CheckInterfaces(Host({.name = "eno1", .up = true, .multicast = true, .driver = "igb"}),
                           "eno1", "239.0.0.11");
  EXPECT_EQ(r.status, Status::kOk) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("239.0.0.11 uses eno1 (Ethernet, driver igb)"));
  EXPECT_TRUE(r.fix.empty());
}

TEST(DoctorInterfaces, WifiDockerAndVmWarnWithAFix) {
  for (const InterfaceFacts& f :
       {InterfaceFacts{.name = "wifi0", .up = true, .multicast = true, .wireless = true},
        InterfaceFacts{.name = "docker0", .up = true, .multicast = true, .bridge = true},
        InterfaceFacts{.name = "vm0", .up = true, .multicast = true, .driver = "virtio_net"}}) {
    auto r = CheckInterfaces(Host(f), f.name, "239.0.0.11");
    EXPECT_EQ(r.status, Status::kWarn) << f.name;
    EXPECT_FALSE(r.fix.empty()) << f.name;
  }
}

TEST(DoctorInterfaces, DownOrTunnelOrNoneFails) {
  auto down = CheckInterfaces(Host({.name = "eno1", .up = false, .multicast = true}), "eno1", "G");
  EXPECT_EQ(down.status, Status::kFail);
  EXPECT_EQ(down.fix, "ip link set eno1 up multicast on");
  auto tun = CheckInterfaces(Host({.name = "tun0", .up = true, .multicast = true, .type = 65534}),
                             "tun0", "G");
  EXPECT_EQ(tun.status, Status::kFail);
  auto none = CheckInterfaces(Host({.name = "eno1", .up = true, .multicast = true}), "", "G");
  EXPECT_EQ(none.status, Status::kFail);
  EXPECT_THAT(none.detail, HasSubstr("up and multicast: eno1"));
}

// --- routes ----------------------------------------------------------------------------------

// As on a little-endian host: 10.77.0.0/24 dev vl0, 224.0.0.0/4 dev vl0, default via lan0.
constexpr std::string_view kRoutes =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "lan0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "vl0\t00004D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "vl0\t000000E0\t00000000\t0001\t0\t0\t0\t000000F0\t0\t0\t0\n";

TEST(DoctorRoute, ParsesProcNetRoute) {
  auto routes = ParseProcNetRoute(kRoutes);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[1], (Route{"vl0", 0x0a4d0000, 0xffffff00, 0}));
  EXPECT_EQ(routes[2], (Route{"vl0", 0xe0000000, 0xf0000000, 0}));
  EXPECT_EQ(routes[0].metric, 100u);
}

TEST(DoctorRoute, LongestPrefixWins) {
  auto routes = ParseProcNetRoute(kRoutes);
  EXPECT_EQ(LookupRoute(routes, Ip("239.0.0.11"))->iface, "vl0");
  EXPECT_EQ(LookupRoute(routes, Ip("10.77.0.2"))->iface, "vl0");
  EXPECT_EQ(LookupRoute(routes, Ip("8.8.8.8"))->iface, "lan0");
  EXPECT_FALSE(LookupRoute({}, Ip("239.0.0.11")));
}

TEST(DoctorRoute, MulticastRouteOnTheInterfaceIsOk) {
  auto r = CheckMulticastRoute(ParseProcNetRoute(kRoutes), Ip("239.0.0.11"), "vl0");
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_THAT(r.detail, HasSubstr("224.0.0.0/4 dev vl0"));
}

TEST(DoctorRoute, NoRouteNamesTheRouteToAdd) {
  auto routes = ParseProcNetRoute(kRoutes);
  routes.erase(routes.begin() + 2);  // no multicast route
  routes.erase(routes.begin());      // no default route
  auto r = CheckMulticastRoute(routes, Ip("239.0.0.11"), "vl0");
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_EQ(r.fix, "ip route add 224.0.0.0/4 dev vl0");
  EXPECT_EQ(CheckMulticastRoute(routes, Ip("239.0.0.11"), "").status, Status::kFail);
}

TEST(DoctorRoute, RouteOnAnotherInterfaceWarns) {
  auto routes = ParseProcNetRoute(kRoutes);
  routes.pop_back();  // the group now follows the default route via lan0
  auto r = CheckMulticastRoute(routes, Ip("239.0.0.11"), "vl0");
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_THAT(r.fix, HasSubstr("ip route add 224.0.0.0/4 dev vl0"));
  EXPECT_EQ(CheckMulticastRoute(routes, Ip("239.0.0.11"), "lan0").status, Status::kOk);
}

// --- rp_filter -------------------------------------------------------------------------------

TEST(DoctorRpFilter, OffIsOk) {
  EXPECT_EQ(CheckRpFilter(0, 0, "vl0", Ip("10.77.0.2"), {}).status, Status::kOk);
}

TEST(DoctorRpFilter, EffectiveValueIsTheLargerOfAllAndInterface) {
  // all=1 makes vl0 strict even though vl0 says 0.
  auto r = CheckRpFilter(1, 0, "vl0", std::nullopt, {});
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_THAT(r.detail, HasSubstr("strict"));
  // Raising vl0 to 2 makes max(all, vl0) loose; all may stay at 1.
  EXPECT_EQ(r.fix, "sysctl -w net.ipv4.conf.vl0.rp_filter=2 (loose)");
  auto i = CheckRpFilter(0, 1, "vl0", std::nullopt, {});
  EXPECT_EQ(i.fix, "sysctl -w net.ipv4.conf.vl0.rp_filter=2 (loose)");
}

TEST(DoctorRpFilter, StrictWithRouteBackElsewhereFails) {
  auto routes = ParseProcNetRoute(kRoutes);
  auto r = CheckRpFilter(1, 1, "vl0", Ip("192.0.2.7"), routes);  // back via lan0 (default)
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_THAT(r.detail, HasSubstr("leaves on lan0"));
  EXPECT_THAT(r.fix, HasSubstr("ip route add 192.0.2.7/32 dev vl0"));
  EXPECT_EQ(CheckRpFilter(1, 1, "vl0", Ip("10.77.0.2"), routes).status, Status::kOk);
}

TEST(DoctorRpFilter, LooseWithoutAnyRouteBackFails) {
  std::vector<Route> only_multicast = {{"vl0", 0xe0000000, 0xf0000000, 0}};
  auto r = CheckRpFilter(0, 2, "vl0", Ip("10.77.0.2"), only_multicast);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_THAT(r.detail, HasSubstr("no route back to sender 10.77.0.2"));
  EXPECT_EQ(r.fix,
            "ip route add 10.77.0.2/32 dev vl0 (or any route to it), or sysctl -w "
            "net.ipv4.conf.vl0.rp_filter=0");
  // Loose is satisfied by any route, even the default via another interface.
  EXPECT_EQ(CheckRpFilter(2, 0, "vl0", Ip("192.0.2.7"), ParseProcNetRoute(kRoutes)).status,
            Status::kOk);
}

TEST(DoctorRpFilter, UnreadableIsSkipped) {
  EXPECT_EQ(CheckRpFilter(std::nullopt, 0, "vl0", std::nullopt, {}).status, Status::kSkip);
}

// --- buffers and drops -----------------------------------------------------------------------

TEST(DoctorBuffers, RmemMaxAgainstTheAsk) {
  EXPECT_EQ(CheckReceiveBuffer(4 << 20, 4 << 20).status, Status::kOk);
  auto small = CheckReceiveBuffer(212992, 4 << 20);
  EXPECT_EQ(small.status, Status::kWarn) << small.detail;  // Debian's default, 208 KB
  EXPECT_EQ(small.fix, "sysctl -w net.core.rmem_max=4194304 (persist it in /etc/sysctl.d/)");
  auto tiny = CheckReceiveBuffer(65536, 4 << 20);
  EXPECT_EQ(tiny.status, Status::kFail);
  EXPECT_EQ(CheckReceiveBuffer(std::nullopt, 4 << 20).status, Status::kSkip);
}

// Only a session that leaves the link without a key is worth a warning, and the fix makes a key.
TEST(DoctorEncryption, WarnsAboveTtlOneWithoutAKey) {
  EXPECT_EQ(CheckEncryption(1, false).status, Status::kOk);
  EXPECT_EQ(CheckEncryption(0, false).status, Status::kOk);
  EXPECT_EQ(CheckEncryption(8, true).status, Status::kOk);
  EXPECT_EQ(CheckEncryption(1, true).fix, "");
  auto routed = CheckEncryption(2, false);
  EXPECT_EQ(routed.name, "encryption");
  EXPECT_EQ(routed.status, Status::kWarn);
  EXPECT_NE(routed.detail.find("TTL 2 without --key-file"), std::string::npos) << routed.detail;
  EXPECT_EQ(routed.fix.rfind("confcast-keygen -o group.key; give --key-file group.key", 0), 0u) << routed.fix;
  EXPECT_EQ(CheckEncryption(255, false).status, Status::kWarn);
}

constexpr std::string_view kSnmp =
    "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
    "IgnoredMulti MemErrors\n"
    "Udp: 37 19453 12 19492 11 0 1 0 0\n"
    "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
    "IgnoredMulti MemErrors\n"
    "UdpLite: 0 0 0 0 0 0 0 0 0\n";

TEST(DoctorUdp, ParsesTheUdpLinesNotUdpLite) {
  auto c = ParseProcNetSnmpUdp(kSnmp);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, (UdpCounters{37, 12, 11, 1, 0}));
  EXPECT_FALSE(ParseProcNetSnmpUdp("Udp: InDatagrams InErrors\n"));
  EXPECT_FALSE(ParseProcNetSnmpUdp("Udp: InDatagrams InErrors\nUdp: 1\n"));
  EXPECT_FALSE(ParseProcNetSnmpUdp("Udp: InDatagrams InErrors\nUdp: 1 x\n"));
}

TEST(DoctorUdp, ReceiveBufferDropsWarn) {
  auto r = CheckUdpDrops(ParseProcNetSnmpUdp(kSnmp));
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_THAT(r.detail, HasSubstr("RcvbufErrors=11"));
  EXPECT_EQ(CheckUdpDrops(UdpCounters{100, 0, 0, 0, 0}).status, Status::kOk);
  EXPECT_EQ(CheckUdpDrops(std::nullopt).status, Status::kSkip);
}

// --- IGMP ------------------------------------------------------------------------------------

constexpr std::string_view kIgmp =
    "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
    "1\tlo        :     1      V3\n"
    "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
    "2\tvl0       :     2      V2\n"
    "\t\t\t\t0B0000EF     1 0:00000000\t\t0\n"
    "\t\t\t\t010000E0     1 0:00000000\t\t0\n";

TEST(DoctorIgmp, ParsesDevicesGroupsAndVersion) {
  auto d = ParseProcNetIgmp(kIgmp);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (IgmpDevice{1, "lo", 3, {Ip("224.0.0.1")}}));
  EXPECT_EQ(d[1], (IgmpDevice{2, "vl0", 2, {Ip("239.0.0.11"), Ip("224.0.0.1")}}));
}

TEST(DoctorIgmp, MembershipListedIsOk) {
  auto r = CheckMembership(ParseProcNetIgmp(kIgmp), "vl0", Ip("239.0.0.11"), false);
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_THAT(r.detail, HasSubstr("IGMPv2"));
}

TEST(DoctorIgmp, SourceSpecificNeedsVersion3) {
  auto r = CheckMembership(ParseProcNetIgmp(kIgmp), "vl0", Ip("239.0.0.11"), true);
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_THAT(r.fix, HasSubstr("force_igmp_version"));
}

TEST(DoctorIgmp, MissingMembershipFails) {
  EXPECT_EQ(CheckMembership(ParseProcNetIgmp(kIgmp), "lo", Ip("239.0.0.11"), false).status,
            Status::kFail);
  EXPECT_EQ(CheckMembership(ParseProcNetIgmp(kIgmp), "lan9", Ip("239.0.0.11"), false).status,
            Status::kFail);
  EXPECT_EQ(CheckMembership({}, "vl0", Ip("239.0.0.11"), false).status, Status::kFail);
}

// IPv4 header (20 bytes, protocol 2, from 10.77.0.254 to 224.0.0.1) + IGMP message.
std::vector<std::uint8_t> IgmpDatagram(std::vector<std::uint8_t> igmp) {
  const auto total = static_cast<std::uint8_t>(20 + igmp.size());
  std::vector<std::uint8_t> d = {
      0x45, 0x00, 0x00, total,  // version 4, IHL 5, total length
      0x00, 0x00, 0x00, 0x00,   // identification, flags, fragment offset
      0x01, 0x02, 0x00, 0x00,   // TTL 1, protocol IGMP, checksum (not checked)
      10,   77,   0,    254,    // source: the querier
      224,  0,    0,    1,      // destination: all hosts
  };
  d.insert(d.end(), igmp.begin(), igmp.end());
  return d;
}

TEST(DoctorQuerier, TellsVersionsApartByLengthAndMaxResp) {
  // RFC 3376 section 7.1.
  auto v1 = ParseIgmpQuery(IgmpDatagram({0x11, 0x00, 0x00, 0x00, 0, 0, 0, 0}));
  auto v2 = ParseIgmpQuery(IgmpDatagram({0x11, 0x64, 0x00, 0x00, 0, 0, 0, 0}));
  auto v3 = ParseIgmpQuery(IgmpDatagram({
      0x11, 0x64, 0x00, 0x00,  // type, max resp code, checksum
      239, 0, 0, 11,           // group (group-specific query)
      0x02, 0x7d, 0x00, 0x00,  // S/QRV, QQIC, number of sources
  }));
  ASSERT_TRUE(v1 && v2 && v3);
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(*v3, (IgmpQuery{Ip("10.77.0.254"), 3, Ip("239.0.0.11")}));
  EXPECT_TRUE(v1->group.IsUnspecified());
}

TEST(DoctorQuerier, MalformedDatagramsGiveTheirReason) {
  EXPECT_EQ(ParseIgmpQuery(std::vector<std::uint8_t>(19, 0x45)).error(), IgmpParseError::kTooShort);
  auto d = IgmpDatagram({0x11, 0, 0, 0, 0, 0, 0, 0});
  auto v6 = d;
  v6[0] = 0x65;
  EXPECT_EQ(ParseIgmpQuery(v6).error(), IgmpParseError::kNotIpv4);
  auto ihl = d;
  ihl[0] = 0x4f;  // 60-byte header in a 28-byte datagram
  EXPECT_EQ(ParseIgmpQuery(ihl).error(), IgmpParseError::kBadHeaderLength);
  auto udp = d;
  udp[9] = 17;
  EXPECT_EQ(ParseIgmpQuery(udp).error(), IgmpParseError::kNotIgmp);
  auto report = d;
  report[20] = 0x22;  // IGMPv3 membership report
  EXPECT_EQ(ParseIgmpQuery(report).error(), IgmpParseError::kNotQuery);
  auto cut = IgmpDatagram({0x11, 0, 0, 0});
  EXPECT_EQ(ParseIgmpQuery(cut).error(), IgmpParseError::kTooShort);
}

TEST(DoctorQuerier, NoneHeardWarnsAboutSnooping) {
  auto r = CheckQuerier(std::nullopt, 3, "");
  EXPECT_EQ(r.status, Status::kWarn);
  EXPECT_THAT(r.detail, HasSubstr("snooping"));
  EXPECT_THAT(r.fix, HasSubstr("mcast_querier 1"));
  auto q = CheckQuerier(IgmpQuery{Ip("10.77.0.254"), 3, Ip("0.0.0.0")}, 3, "");
  EXPECT_EQ(q.status, Status::kOk);
  EXPECT_THAT(q.detail, HasSubstr("IGMPv3 querier 10.77.0.254 heard (general query)"));
  EXPECT_EQ(CheckQuerier(std::nullopt, 0, "not root").status, Status::kSkip);
}

// --- the two-host test -----------------------------------------------------------------------

TEST(DoctorPeer, MessageRoundTrips) {
  const PeerMessage m{PeerType::kReport, 0xdeadbeef, 19, 20};
  auto bytes = Serialize(m);
  ASSERT_EQ(bytes.size(), SerializedSize(m));
  const std::uint8_t golden[] = {
      0x43, 0x43, 0x44, 0x52,  // "CCDR"
      0x02, 0x00, 0x00, 0x00,  // type report, zero
      0xde, 0xad, 0xbe, 0xef,  // nonce
      0x00, 0x00, 0x00, 0x13,  // received 19
      0x00, 0x00, 0x00, 0x14,  // of 20
  };
  EXPECT_EQ(bytes, std::vector<std::uint8_t>(std::begin(golden), std::end(golden)));
  EXPECT_EQ(ParsePeerMessage(bytes), m);
}

TEST(DoctorPeer, MalformedMessagesGiveTheirReason) {
  auto good = Serialize(PeerMessage{PeerType::kProbe, 1, 2, 3});
  EXPECT_EQ(ParsePeerMessage(std::span(good).first(19)).error(), PeerParseError::kTooShort);
  auto magic = good;
  magic[0] = 0;
  EXPECT_EQ(ParsePeerMessage(magic).error(), PeerParseError::kBadMagic);
  auto type = good;
  type[4] = 4;
  EXPECT_EQ(ParsePeerMessage(type).error(), PeerParseError::kBadType);
  auto reserved = good;
  reserved[7] = 1;
  EXPECT_EQ(ParsePeerMessage(reserved).error(), PeerParseError::kBadReserved);
}

TEST(DoctorPeer, Verdicts) {
  const auto ep = *ParseEndpoint("239.0.0.11:15550");
  const auto peer = Ip("10.77.0.2");
  EXPECT_EQ(CheckPeer({20, 20u, 20, ""}, peer, ep).status, Status::kOk);
  EXPECT_EQ(CheckPeer({20, 18u, 20, ""}, peer, ep).status, Status::kWarn);
  auto none = CheckPeer({20, std::nullopt, 0, ""}, peer, ep);
  EXPECT_EQ(none.status, Status::kFail);
  EXPECT_THAT(none.fix, HasSubstr("confcast-doctor --listen --group 239.0.0.11 --port 15550"));
  EXPECT_EQ(CheckPeer({20, 20u, 0, ""}, peer, ep).status, Status::kFail);
  EXPECT_EQ(CheckPeer({20, std::nullopt, 20, ""}, peer, ep).status, Status::kWarn);
  EXPECT_EQ(CheckPeer({0, std::nullopt, 0, "unreachable"}, peer, ep).status, Status::kFail);
}

TEST(DoctorSelfTest, Verdicts) {
  const auto ep = *ParseEndpoint("239.0.0.11:15550");
  EXPECT_EQ(CheckSelfTest({5, 5, ""}, ep, "vl0").status, Status::kOk);
  auto lost = CheckSelfTest({5, 0, ""}, ep, "vl0");
  EXPECT_EQ(lost.status, Status::kFail);
  EXPECT_THAT(lost.fix, HasSubstr("firewall"));
  EXPECT_THAT(CheckSelfTest({5, 5, ""}, ep, "vl0").fix, Not(HasSubstr("firewall")));
}

}  // namespace
}  // namespace confcast::net::doctor
