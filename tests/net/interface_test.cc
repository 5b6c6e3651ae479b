#include "confcast/net/interface.h"

#include <gtest/gtest.h>

namespace confcast::net {
namespace {

IpAddress Ip(const char* text) {
  return *ParseIpAddress(text);
}

std::vector<Interface> Hosts() {
  return {
      {"lo", 1, true, false, true, {Ip("127.0.0.1"), Ip("::1")}},
      {"lan0", 2, true, true, false, {Ip("10.0.0.2"), Ip("fe80::2"), Ip("fd00::2")}},
      {"wifi0", 3, true, true, false, {Ip("192.168.1.5")}},
      {"lan1", 4, false, true, false, {Ip("172.16.0.1")}},
  };
}

const MulticastEndpoint kV4 = *ParseEndpoint("239.0.0.11:15550");
const MulticastEndpoint kV6 = *ParseEndpoint("[ff15::11]:15550");

TEST(SelectInterface, ByName) {
  auto c = SelectInterfaceFrom(Hosts(), "wifi0", kV4, Ip("10.0.0.2"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->iface.name, "wifi0");
  EXPECT_EQ(c->address, Ip("192.168.1.5"));
  EXPECT_TRUE(c->warnings.empty());
}

TEST(SelectInterface, ByAddress) {
  auto c = SelectInterfaceFrom(Hosts(), "10.0.0.2", kV4, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->iface.name, "lan0");
  EXPECT_EQ(c->iface.index, 2u);
}

TEST(SelectInterface, DefaultFollowsTheRouteAndWarnsAmongSeveral) {
  auto c = SelectInterfaceFrom(Hosts(), "", kV4, Ip("192.168.1.5"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->iface.name, "wifi0");
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("lan0, wifi0"), std::string::npos) << c->warnings[0];
  EXPECT_NE(c->warnings[0].find("--iface"), std::string::npos);
  EXPECT_EQ(c->StartupLine(kV4),
            "multicast 239.0.0.11:15550 on interface wifi0 (index 3, address 192.168.1.5)");
}

TEST(SelectInterface, SingleCandidateNeedsNoRouteAndNoWarning) {
  auto list = Hosts();
  list.erase(list.begin() + 2);  // no wifi0
  auto c = SelectInterfaceFrom(list, "", kV4, std::nullopt);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->iface.name, "lan0");
  EXPECT_TRUE(c->warnings.empty());
}

TEST(SelectInterface, NoRouteAndSeveralIsAnError) {
  auto c = SelectInterfaceFrom(Hosts(), "", kV4, std::nullopt);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kNoInterface);
  EXPECT_NE(c.error().message.find("--iface"), std::string::npos);
}

TEST(SelectInterface, Ipv6PrefersAGlobalAddress) {
  auto c = SelectInterfaceFrom(Hosts(), "lan0", kV6, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->address, Ip("fd00::2"));
}

TEST(SelectInterface, Errors) {
  auto unknown = SelectInterfaceFrom(Hosts(), "lan9", kV4, {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNoInterface);
  EXPECT_NE(unknown.error().message.find("lan0, wifi0"), std::string::npos);

  auto down = SelectInterfaceFrom(Hosts(), "lan1", kV4, {});
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("is down"), std::string::npos);

  auto loopback_no_mc = SelectInterfaceFrom(Hosts(), "lo", kV4, {});
  ASSERT_FALSE(loopback_no_mc);
  EXPECT_NE(loopback_no_mc.error().message.find("not multicast-capable"), std::string::npos);

  auto no_v6 = SelectInterfaceFrom(Hosts(), "wifi0", kV6, {});
  ASSERT_FALSE(no_v6);
  EXPECT_NE(no_v6.error().message.find("has no IPv6 address"), std::string::npos);

  auto mismatch = SelectInterfaceFrom(Hosts(), "10.0.0.2", kV6, {});
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kFamilyMismatch);
}

TEST(ListInterfaces, FindsLoopback) {
  auto list = ListInterfaces();
  ASSERT_TRUE(list) << list.error().message;
  bool lo = false;
  for (const auto& i : *list) lo |= i.loopback && i.index > 0;
  EXPECT_TRUE(lo);
}

}  // namespace
}  // namespace confcast::net
