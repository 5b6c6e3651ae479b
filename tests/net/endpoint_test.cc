#include "confcast/net/endpoint.h"

#include <gtest/gtest.h>

namespace confcast::net {
namespace {

TEST(Endpoint, ParsesIpv4WithPort) {
  auto e = ParseEndpoint("239.0.0.11:15550");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->group, IpAddress::V4(239, 0, 0, 11));
  EXPECT_EQ(e->RtpPort(), 15550);
  EXPECT_EQ(e->RtcpPort(), 15551);
  EXPECT_FALSE(e->source);
  EXPECT_EQ(e->ToString(), "239.0.0.11:15550");
}

TEST(Endpoint, ParsesBracketedIpv6WithPort) {
  auto e = ParseEndpoint("[ff15::11]:15550");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->group.family, Family::kIpv6);
  EXPECT_EQ(e->group.bytes[0], 0xff);
  EXPECT_EQ(e->group.bytes[1], 0x15);
  EXPECT_EQ(e->group.bytes[15], 0x11);
  EXPECT_EQ(e->ToString(), "[ff15::11]:15550");
}

TEST(Endpoint, UsesDefaultPortWhenTextHasNone) {
  auto v4 = ParseEndpoint("239.0.0.11", 15552);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->port, 15552);
  auto v6 = ParseEndpoint("ff15::11", 15550);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->group.family, Family::kIpv6);
  auto v6b = ParseEndpoint("[ff15::11]", 15550);
  ASSERT_TRUE(v6b);
  EXPECT_EQ(*v6, *v6b);
}

TEST(Endpoint, MissingPortIsAnError) {
  auto e = ParseEndpoint("239.0.0.11");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kBadPort);
  EXPECT_NE(e.error().message.find("239.0.0.11:15550"), std::string::npos);
}

TEST(Endpoint, GarbageAddressAndPort) {
  EXPECT_EQ(ParseEndpoint("239.0.0:15550").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("example.com:15550").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("[ff15::11:15550").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("[ff15::11]x15550").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("239.0.0.11:70000").error().code, ErrorCode::kBadPort);
  EXPECT_EQ(ParseEndpoint("239.0.0.11:").error().code, ErrorCode::kBadPort);
  EXPECT_EQ(ParseEndpoint("239.0.0.11:-2").error().code, ErrorCode::kBadPort);
  EXPECT_EQ(ParseEndpoint("239.0.0.11:12a").error().code, ErrorCode::kBadPort);
  EXPECT_EQ(ParseEndpoint("").error().code, ErrorCode::kBadAddress);
}

TEST(Endpoint, RefusesUnicast) {
  auto e = ParseEndpoint("10.0.0.1:15550");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kNotMulticast);
  EXPECT_NE(e.error().message.find("10.0.0.1 is not a multicast address"), std::string::npos);
  EXPECT_EQ(ParseEndpoint("[2001:db8::1]:15550").error().code, ErrorCode::kNotMulticast);
  EXPECT_EQ(ParseEndpoint("240.0.0.1:15550").error().code, ErrorCode::kNotMulticast);
}

TEST(Endpoint, RefusesLinkLocalControlBlock) {
  for (const char* text : {"224.0.0.1:15550", "224.0.0.251:15550", "224.0.0.255:15550"}) {
    auto e = ParseEndpoint(text);
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().code, ErrorCode::kControlBlock) << text;
  }
  EXPECT_EQ(ParseEndpoint("[ff02::1]:15550").error().code, ErrorCode::kControlBlock);
  EXPECT_EQ(ParseEndpoint("[ff01::1]:15550").error().code, ErrorCode::kControlBlock);
  // Just outside the block, and transient link-local IPv6 groups, are fine.
  EXPECT_TRUE(ParseEndpoint("224.0.1.1:15550"));
  EXPECT_TRUE(ParseEndpoint("[ff12::11]:15550"));
}

TEST(Endpoint, OddPortNamesTheEvenOne) {
  auto e = ParseEndpoint("239.0.0.11:15551");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kOddPort);
  EXPECT_EQ(e.error().message,
            "port 15551 is odd: RTP uses the even port of an even/odd pair; use --port 15550");
}

TEST(Endpoint, PortZero) {
  EXPECT_EQ(ParseEndpoint("239.0.0.11:0").error().code, ErrorCode::kZeroPort);
  EXPECT_EQ(ParseEndpoint("239.0.0.11", 0).error().code, ErrorCode::kZeroPort);
}

TEST(Endpoint, SourceSpecificNeedsSource) {
  auto e = ParseEndpoint("232.1.1.1:15550");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kSourceRequired);
  EXPECT_NE(e.error().message.find("--source"), std::string::npos);
  EXPECT_EQ(ParseEndpoint("[ff35::11]:15550").error().code, ErrorCode::kSourceRequired);
  EXPECT_EQ(ParseEndpoint("[ff3e::11]:15550").error().code, ErrorCode::kSourceRequired);

  auto ok = ParseEndpoint("232.1.1.1:15550", {}, "10.0.0.2");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->source, IpAddress::V4(10, 0, 0, 2));
  EXPECT_EQ(ok->ToString(), "232.1.1.1:15550 from 10.0.0.2");
  EXPECT_TRUE(ParseEndpoint("[ff35::11]:15550", {}, "fd00::2"));
}

TEST(Endpoint, SourceSpecificSenderIsItsOwnSource) {
  auto e = ParseEndpoint("232.1.1.1:15550", {}, {}, Role::kSender);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_FALSE(e->source);
}

TEST(Endpoint, SourceOnAnySourceGroupIsRefused) {
  EXPECT_EQ(ParseEndpoint("239.0.0.11:15550", {}, "10.0.0.2").error().code,
            ErrorCode::kSourceNotAllowed);
}

TEST(Endpoint, SourceMustBeUnicast) {
  EXPECT_EQ(ParseEndpoint("232.1.1.1:15550", {}, "239.0.0.1").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("232.1.1.1:15550", {}, "0.0.0.0").error().code, ErrorCode::kBadAddress);
  EXPECT_EQ(ParseEndpoint("232.1.1.1:15550", {}, "nope").error().code, ErrorCode::kBadAddress);
}

TEST(Endpoint, FamiliesMustMatch) {
  auto e = ParseEndpoint("232.1.1.1:15550", {}, "fd00::2");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kFamilyMismatch);
  EXPECT_EQ(ParseEndpoint("[ff35::1]:15550", {}, "10.0.0.2").error().code,
            ErrorCode::kFamilyMismatch);
}

TEST(Endpoint, ErrorsAreOneLine) {
  for (const char* text : {"10.0.0.1:15550", "224.0.0.5:15550", "239.0.0.1:1", "232.0.0.1:2",
                           "239.0.0.1:0", "x:2", "239.0.0.1"}) {
    auto e = ParseEndpoint(text);
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().message.find('\n'), std::string::npos) << text;
    EXPECT_FALSE(e.error().message.empty()) << text;
  }
}

TEST(EthernetMap, Ipv4UsesLow23Bits) {
  // 239.128.0.11 and 239.0.0.11 differ only in bit 23, which the mapping drops.
  EXPECT_EQ(MacToString(EthernetAddressOf(IpAddress::V4(239, 0, 0, 11))), "01:00:5e:00:00:0b");
  EXPECT_EQ(MacToString(EthernetAddressOf(IpAddress::V4(239, 128, 0, 11))), "01:00:5e:00:00:0b");
  EXPECT_EQ(MacToString(EthernetAddressOf(IpAddress::V4(224, 255, 255, 255))), "01:00:5e:7f:ff:ff");
  EXPECT_EQ(MacToString(EthernetAddressOf(IpAddress::V4(232, 1, 2, 3))), "01:00:5e:01:02:03");
}

TEST(EthernetMap, Ipv6UsesLow32Bits) {
  auto g = ParseIpAddress("ff15::1:2:3:4");
  ASSERT_TRUE(g);
  EXPECT_EQ(MacToString(EthernetAddressOf(*g)), "33:33:00:03:00:04");
  auto e = ParseEndpoint("[ff15::11]:15550");
  ASSERT_TRUE(e);
  EXPECT_EQ(MacToString(e->EthernetAddress()), "33:33:00:00:00:11");
}

TEST(EthernetMap, WarnsOnSharedEthernetAddress) {
  std::vector<MulticastEndpoint> groups = {
      *ParseEndpoint("239.0.0.11:15550"), *ParseEndpoint("239.0.0.11:15552"),
      *ParseEndpoint("239.128.0.11:15550"), *ParseEndpoint("224.128.0.11:15554"),
      *ParseEndpoint("239.0.0.12:15550")};
  auto w = EthernetCollisions(groups);
  // {239.0.0.11, 239.128.0.11}, {239.0.0.11, 224.128.0.11}, {239.128.0.11, 224.128.0.11}.
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NE(w[0].find("01:00:5e:00:00:0b"), std::string::npos);
  EXPECT_NE(w[0].find("239.0.0.11"), std::string::npos);
  EXPECT_NE(w[0].find("239.128.0.11"), std::string::npos);
}

TEST(EthernetMap, NoWarningForDistinctOrSameGroups) {
  std::vector<MulticastEndpoint> groups = {
      *ParseEndpoint("239.0.0.11:15550"), *ParseEndpoint("239.0.0.11:15552"),
      *ParseEndpoint("239.0.0.12:15550"), *ParseEndpoint("[ff15::11]:15550")};
  EXPECT_TRUE(EthernetCollisions(groups).empty());
}

TEST(IpAddress, RoundTripsText) {
  for (const char* text : {"239.0.0.11", "10.1.2.3", "ff15::11", "fd00::1:2"}) {
    auto a = ParseIpAddress(text);
    ASSERT_TRUE(a) << text;
    EXPECT_EQ(a->ToString(), text);
  }
}

}  // namespace
}  // namespace confcast::net
