// SAP (RFC 2974): a golden announcement laid out like the RFC's figure 1, round trips, each
// malformed header built byte by byte with its own error, the scope's SAP group, the section
// 3.1 interval and schedule, and the session directory driven by a fake clock.
#include "confcast/rtp/sap.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace confcast::rtp {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::string_view kSdp =
    "v=0\r\n"
    "o=- 42 42 IN IP4 192.0.2.10\r\n"
    "s=alice\r\n"
    "c=IN IP4 239.0.0.11/1\r\n"
    "t=0 0\r\n"
    "m=video 15550 RTP/AVP 96\r\n"
    "a=rtpmap:96 H264/90000\r\n";

// RFC 2974 figure 1: an IPv4 announcement without authentication, with the payload type.
constexpr std::uint8_t kAnnouncementHeader[] = {
    0x20, 0x00, 0x12, 0x34,  // V=1 A=0 R=0 T=0 E=0 C=0 | auth len=0 | msg id hash=0x1234
    0xc0, 0x00, 0x02, 0x0a,  // originating source 192.0.2.10
    'a',  'p',  'p',  'l',   // payload type "appl
    'i',  'c',  'a',  't',   //  icat
    'i',  'o',  'n',  '/',   //  ion/
    's',  'd',  'p',  0x00,  //  sdp" NUL
};                           // then the payload: the SDP text

std::vector<std::uint8_t> Octets(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

std::vector<std::uint8_t> Concat(std::span<const std::uint8_t> head, std::string_view tail) {
  std::vector<std::uint8_t> out(head.begin(), head.end());
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

std::vector<std::uint8_t> Golden() {
  return Concat(kAnnouncementHeader, kSdp);
}

SapPacket Announcement(std::string_view sdp = kSdp, std::uint16_t hash = 0x1234,
                       SapOrigin origin = SapOrigin::V4(192, 0, 2, 10)) {
  SapPacket p;
  p.msg_id_hash = hash;
  p.origin = origin;
  p.payload = std::string(sdp);
  return p;
}

TEST(Sap, GoldenAnnouncementParses) {
  const auto bytes = Golden();
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value()) << ToString(v.error());
  EXPECT_EQ(v->type, SapMessageType::kAnnouncement);
  EXPECT_FALSE(v->reserved);
  EXPECT_EQ(v->msg_id_hash, 0x1234);
  EXPECT_EQ(v->origin, SapOrigin::V4(192, 0, 2, 10));
  EXPECT_TRUE(v->auth.empty());
  ASSERT_TRUE(v->payload_type.has_value());
  EXPECT_EQ(*v->payload_type, "application/sdp");
  EXPECT_TRUE(v->IsSdp());
  EXPECT_EQ(v->PayloadText(), kSdp);
}

TEST(Sap, SerializeReproducesTheGoldenBytes) {
  auto wire = Serialize(Announcement());
  ASSERT_TRUE(wire.has_value());
  EXPECT_EQ(*wire, Golden());
  EXPECT_EQ(SerializedSize(Announcement()).value(), Golden().size());
}

TEST(Sap, NoPayloadTypeMeansSdp) {
  // RFC 2974 6: the type may be omitted for application/sdp; the payload then starts "v=0".
  const auto bytes = Concat(Octets({0x20, 0x00, 0x00, 0x07, 10, 77, 0, 1}), kSdp);
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value()) << ToString(v.error());
  EXPECT_FALSE(v->payload_type.has_value());
  EXPECT_TRUE(v->IsSdp());
  EXPECT_EQ(v->PayloadText(), kSdp);
}

TEST(Sap, OtherPayloadTypeIsNotSdp) {
  const auto bytes = Concat(Octets({0x20, 0, 0, 1, 10, 0, 0, 1, 't', '/', 'x', 0}), "hello");
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v->payload_type, "t/x");
  EXPECT_FALSE(v->IsSdp());
  EXPECT_EQ(v->PayloadText(), "hello");
}

TEST(Sap, PayloadTypeComparesCaseInsensitively) {
  const auto bytes =
      Concat(Octets({0x20, 0, 0, 1, 10, 0, 0, 1}), std::string("Application/SDP\0", 16));
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->IsSdp());
  EXPECT_TRUE(v->payload.empty());
}

TEST(Sap, ReservedBitIsIgnored) {
  auto bytes = Golden();
  bytes[0] |= 0x08;
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->reserved);
  EXPECT_EQ(ToPacket(*v), Announcement());
}

TEST(Sap, Ipv6DeletionWithAuthentication) {
  // T=1, A=1, two words of (unverified) authentication data, payload the o= line.
  auto head = Octets({
      0x34, 0x02, 0xbe, 0xef,  // V=1 A=1 T=1 | auth len=2 | hash
      0xfd, 0x77, 0x00, 0x00,  // originating source fd77::1
      0x00, 0x00, 0x00, 0x00,  //
      0x00, 0x00, 0x00, 0x00,  //
      0x00, 0x00, 0x00, 0x01,  //
      0xa1, 0xa2, 0xa3, 0xa4,  // authentication data
      0xb1, 0xb2, 0xb3, 0xb4,  //
  });
  const std::string type("application/sdp\0", 16);
  const auto bytes = Concat(head, type + "o=- 42 42 IN IP6 fd77::1");  // the view borrows it
  auto v = ParseSap(bytes);
  ASSERT_TRUE(v.has_value()) << ToString(v.error());
  EXPECT_EQ(v->type, SapMessageType::kDeletion);
  EXPECT_TRUE(v->origin.ipv6);
  EXPECT_EQ(v->origin.bytes[0], 0xfd);
  EXPECT_EQ(v->origin.bytes[15], 0x01);
  EXPECT_EQ(v->auth.size(), 8u);
  EXPECT_EQ(v->auth[0], 0xa1);
  EXPECT_EQ(v->PayloadText(), "o=- 42 42 IN IP6 fd77::1");
}

struct RoundTripCase {
  const char* name;
  SapPacket packet;
};

class SapRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(SapRoundTrip, ParseOfSerializeIsIdentity) {
  const SapPacket& p = GetParam().packet;
  auto wire = Serialize(p);
  ASSERT_TRUE(wire.has_value()) << ToString(wire.error());
  auto v = ParseSap(*wire);
  ASSERT_TRUE(v.has_value()) << ToString(v.error());
  EXPECT_EQ(ToPacket(*v), p);
}

SapPacket Ipv6() {
  SapOrigin o;
  o.ipv6 = true;
  o.bytes = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  return Announcement(kSdp, 0xffff, o);
}
SapPacket Deletion() {
  SapPacket p = Announcement(SdpOriginLine(kSdp));
  p.type = SapMessageType::kDeletion;
  return p;
}
SapPacket WithAuth() {
  SapPacket p = Announcement();
  p.auth = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  return p;
}
SapPacket WithoutType() {
  SapPacket p = Announcement();
  p.payload_type.reset();
  return p;
}
SapPacket EmptyType() {
  SapPacket p = Announcement("x");
  p.payload_type = "";
  return p;
}

INSTANTIATE_TEST_SUITE_P(Cases, SapRoundTrip,
                         ::testing::Values(RoundTripCase{"announcement", Announcement()},
                                           RoundTripCase{"ipv6", Ipv6()},
                                           RoundTripCase{"deletion", Deletion()},
                                           RoundTripCase{"auth", WithAuth()},
                                           RoundTripCase{"no_type", WithoutType()},
                                           RoundTripCase{"empty_type", EmptyType()}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(SapMalformed, EachHeaderFaultHasItsError) {
  struct Case {
    const char* what;
    std::vector<std::uint8_t> bytes;
    SapParseError error;
  };
  const std::vector<Case> cases = {
      {"empty", {}, SapParseError::kTooShort},
      {"3 bytes", Octets({0x20, 0, 0}), SapParseError::kTooShort},
      {"IPv4 source cut", Octets({0x20, 0, 0, 1, 10, 0, 0}), SapParseError::kTooShort},
      {"IPv6 source cut", Octets({0x30, 0, 0, 1, 0xfd, 0x77, 0, 0, 0, 0, 0, 0}),
       SapParseError::kTooShort},
      {"version 0", Octets({0x00, 0, 0, 1, 10, 0, 0, 1, 'v', '=', '0'}),
       SapParseError::kBadVersion},
      {"version 2", Octets({0x40, 0, 0, 1, 10, 0, 0, 1, 'v', '=', '0'}),
       SapParseError::kBadVersion},
      {"version 7", Octets({0xe0, 0, 0, 1, 10, 0, 0, 1, 'v', '=', '0'}),
       SapParseError::kBadVersion},
      {"encrypted", Octets({0x22, 0, 0, 1, 10, 0, 0, 1, 0x55, 0x66}), SapParseError::kEncrypted},
      {"compressed", Octets({0x21, 0, 0, 1, 10, 0, 0, 1, 0x78, 0x9c}), SapParseError::kCompressed},
      {"auth overrun", Octets({0x20, 2, 0, 1, 10, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7}),
       SapParseError::kAuthOverrun},
      {"no payload", Octets({0x20, 0, 0, 1, 10, 0, 0, 1}), SapParseError::kBadPayloadType},
      {"type without NUL", Octets({0x20, 0, 0, 1, 10, 0, 0, 1, 'a', '/', 'b'}),
       SapParseError::kBadPayloadType},
      {"v=1 is not SDP", Octets({0x20, 0, 0, 1, 10, 0, 0, 1, 'v', '=', '1'}),
       SapParseError::kBadPayloadType},
  };
  for (const Case& c : cases) {
    auto v = ParseSap(c.bytes);
    ASSERT_FALSE(v.has_value()) << c.what;
    EXPECT_EQ(v.error(), c.error) << c.what << ": " << ToString(v.error());
  }
}

TEST(SapMalformed, OverlongPayloadTypeIsRefused) {
  std::vector<std::uint8_t> bytes = Octets({0x20, 0, 0, 1, 10, 0, 0, 1});
  bytes.insert(bytes.end(), kSapMaxPayloadTypeLength + 1, 'a');
  bytes.push_back(0);
  auto v = ParseSap(bytes);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error(), SapParseError::kBadPayloadType);
  bytes.erase(bytes.begin() + 8);  // exactly the longest type
  EXPECT_TRUE(ParseSap(bytes).has_value());
}

TEST(SapSerialize, RefusesWhatWouldNotParseBack) {
  SapPacket p = Announcement();
  p.auth = {1, 2, 3};
  EXPECT_EQ(Serialize(p).error(), SapSerializeError::kBadAuthLength);
  p.auth.assign(256 * 4, 0);
  EXPECT_EQ(Serialize(p).error(), SapSerializeError::kBadAuthLength);
  p = Announcement();
  p.payload_type = std::string("a\0b", 3);
  EXPECT_EQ(Serialize(p).error(), SapSerializeError::kBadPayloadType);
  p.payload_type = "v=0/x";
  EXPECT_EQ(Serialize(p).error(), SapSerializeError::kBadPayloadType);
  p = Deletion();
  p.payload_type.reset();  // "o=..." would be read as a payload type
  EXPECT_EQ(Serialize(p).error(), SapSerializeError::kPayloadNeedsType);
  std::vector<std::uint8_t> small(10);
  EXPECT_EQ(SerializeTo(Announcement(), small).error(), SapSerializeError::kBufferTooSmall);
}

TEST(SapHash, ChangesWithTheDescriptionAndIsNeverZero) {
  const std::uint16_t a = SapMessageIdHash(kSdp);
  EXPECT_NE(a, 0);
  EXPECT_EQ(a, SapMessageIdHash(kSdp));
  std::string changed(kSdp);
  changed[changed.find("42 42") + 3] = '3';  // a new session version
  EXPECT_NE(SapMessageIdHash(changed), a);
  for (int i = 0; i < 5000; ++i) EXPECT_NE(SapMessageIdHash(std::to_string(i)), 0);
}

TEST(SapHash, OriginLine) {
  EXPECT_EQ(SdpOriginLine(kSdp), "o=- 42 42 IN IP4 192.0.2.10");
  EXPECT_EQ(SdpOriginLine("v=0\no=a 1 2 IN IP4 1.2.3.4\ns=x\n"), "o=a 1 2 IN IP4 1.2.3.4");
  EXPECT_EQ(SdpOriginLine("v=0\r\ns=x\r\n"), "");
}

TEST(SapScope, Ipv4GroupsFollowTheAdministrativeScope) {
  using A = std::array<std::uint8_t, 4>;
  EXPECT_EQ(SapGroupForIpv4({239, 255, 1, 2}), (A{239, 255, 255, 255}));
  EXPECT_EQ(SapGroupForIpv4({239, 192, 0, 1}), (A{239, 195, 255, 255}));
  EXPECT_EQ(SapGroupForIpv4({239, 195, 9, 9}), (A{239, 195, 255, 255}));
  EXPECT_EQ(SapGroupForIpv4({224, 0, 0, 77}), (A{224, 0, 0, 255}));
  EXPECT_EQ(SapGroupForIpv4({239, 0, 0, 11}), (A{224, 2, 127, 254}));  // no known zone
  EXPECT_EQ(SapGroupForIpv4({239, 196, 0, 1}), (A{224, 2, 127, 254}));
  EXPECT_EQ(SapGroupForIpv4({224, 2, 200, 1}), (A{224, 2, 127, 254}));
  EXPECT_EQ(SapGroupForIpv4({232, 1, 2, 3}), (A{224, 2, 127, 254}));
}

TEST(SapScope, Ipv6GroupKeepsTheScopeNibble) {
  std::array<std::uint8_t, 16> g{0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11};
  const std::array<std::uint8_t, 16> site{0xff, 0x05, 0, 0, 0, 0,    0,    0,
                                          0,    0,    0, 0, 0, 0x02, 0x7f, 0xfe};
  EXPECT_EQ(SapGroupForIpv6(g), site);
  g[1] = 0x35;  // SSM, site-local scope
  EXPECT_EQ(SapGroupForIpv6(g), site);
  g[1] = 0x12;
  EXPECT_EQ(SapGroupForIpv6(g)[1], 0x02);
}

TEST(SapInterval, BaseIntervalIsBandwidthOrFiveMinutes) {
  EXPECT_EQ(SapBaseInterval(1, 500), seconds(300));     // 1 s of 4000 bit/s: the floor wins
  EXPECT_EQ(SapBaseInterval(150, 1000), seconds(300));  // 8*150*1000/4000 = 300
  EXPECT_EQ(SapBaseInterval(200, 1000), seconds(400));
  EXPECT_EQ(SapBaseInterval(200, 1000, 8000), seconds(300));
  EXPECT_EQ(SapBaseInterval(1, 500, 4000, seconds(0)), std::chrono::milliseconds(1000));
}

TEST(SapInterval, JitterIsPlusMinusAThird) {
  EXPECT_EQ(SapJitteredInterval(seconds(300), 0.0), seconds(200));
  EXPECT_EQ(SapJitteredInterval(seconds(300), 0.5), seconds(300));
  EXPECT_EQ(SapJitteredInterval(seconds(300), 1.0), seconds(400));
}

Timestamp At(double s) {
  return Timestamp{static_cast<std::int64_t>(s * 1e6)};
}

TEST(SapSchedule, QuickStartThenTheRfcInterval) {
  SapAnnounceSchedule s({}, At(100));
  EXPECT_EQ(s.next(), At(100));
  EXPECT_FALSE(s.OnTimer(At(99), 1, 600, 0.5));
  EXPECT_TRUE(s.OnTimer(At(100), 1, 600, 0.5));
  EXPECT_EQ(s.next(), At(101));
  EXPECT_FALSE(s.OnTimer(At(100.5), 1, 600, 0.5));
  EXPECT_TRUE(s.OnTimer(At(101), 1, 600, 0.5));
  EXPECT_TRUE(s.OnTimer(At(102), 1, 600, 0.0));
  EXPECT_EQ(s.next(), At(102 + 200));  // 300 s minus a third
  EXPECT_TRUE(s.OnTimer(At(302), 1, 600, 1.0));
  EXPECT_EQ(s.next(), At(302 + 400));
  EXPECT_EQ(s.sent(), 4u);
}

TEST(SapSchedule, ReconsiderationDefersWhenTheGroupGrew) {
  SapScheduleConfig c;
  c.quick_announcements = 1;
  SapAnnounceSchedule s(c, At(0));
  ASSERT_TRUE(s.OnTimer(At(0), 1, 1000, 0.5));
  EXPECT_EQ(s.next(), At(300));
  // 400 announcements of 1000 bytes heard meanwhile: the base interval is now 800 s.
  EXPECT_FALSE(s.OnTimer(At(300), 400, 1000, 0.9));
  EXPECT_EQ(s.next(), At(800));
  EXPECT_TRUE(s.OnTimer(At(800), 400, 1000, 0.5));
}

TEST(SapSchedule, FixedIntervalAndRestart) {
  SapScheduleConfig c;
  c.quick_announcements = 2;
  c.fixed_interval = seconds(2);
  SapAnnounceSchedule s(c, At(10));
  EXPECT_TRUE(s.OnTimer(At(10), 1, 500, 0.1));
  EXPECT_EQ(s.next(), At(11));
  EXPECT_TRUE(s.OnTimer(At(11), 1, 500, 0.9));
  EXPECT_EQ(s.next(), At(13));
  EXPECT_TRUE(s.OnTimer(At(13), 1, 500, 0.1));
  EXPECT_EQ(s.next(), At(15));
  s.Restart(At(14));
  EXPECT_TRUE(s.OnTimer(At(14), 1, 500, 0.1));
  EXPECT_EQ(s.next(), At(15));
}

std::vector<std::uint8_t> Wire(const SapPacket& p) {
  return Serialize(p).value();
}

TEST(SapDirectory, NewRefreshDelete) {
  SapDirectory d;
  auto u = d.OnDatagram(Wire(Announcement()), At(1));
  EXPECT_EQ(u.event, SapEvent::kNew);
  ASSERT_EQ(d.sessions().size(), 1u);
  const SapSession& s = d.sessions().begin()->second;
  EXPECT_EQ(s.sdp.session_name, "alice");
  EXPECT_EQ(s.sdp_text, kSdp);
  EXPECT_FALSE(s.period.has_value());
  EXPECT_EQ(d.OnDatagram(Wire(Announcement()), At(6)).event, SapEvent::kRefreshed);
  EXPECT_EQ(d.sessions().begin()->second.period, seconds(5));
  EXPECT_EQ(d.sessions().begin()->second.announcements, 2u);
  EXPECT_EQ(d.sessions().begin()->second.first_heard, At(1));
  u = d.OnDatagram(Wire(Deletion()), At(7));
  EXPECT_EQ(u.event, SapEvent::kDeleted);
  ASSERT_TRUE(u.previous.has_value());
  EXPECT_EQ(u.previous->sdp.session_name, "alice");
  EXPECT_TRUE(d.sessions().empty());
  EXPECT_EQ(d.OnDatagram(Wire(Deletion()), At(8)).event, SapEvent::kIgnored);
  EXPECT_EQ(d.counters().unknown_deletions, 1u);
}

TEST(SapDirectory, DeletionFromAnotherSourceDoesNotDelete) {
  SapDirectory d;
  (void)d.OnDatagram(Wire(Announcement()), At(1));
  SapPacket del = Deletion();
  del.origin = SapOrigin::V4(192, 0, 2, 66);
  EXPECT_EQ(d.OnDatagram(Wire(del), At(2)).event, SapEvent::kIgnored);
  EXPECT_EQ(d.sessions().size(), 1u);
}

// A forged deletion copies the origin field; the datagram's source address gives it away.
TEST(SapDirectory, DeletionOrModificationHonouredOnlyFromTheOriginAddress) {
  const SapOrigin origin = SapOrigin::V4(192, 0, 2, 10);
  const SapOrigin attacker = SapOrigin::V4(192, 0, 2, 66);
  SapDirectory d;
  ASSERT_EQ(d.OnDatagram(Wire(Announcement()), At(1), origin).event, SapEvent::kNew);
  EXPECT_EQ(d.OnDatagram(Wire(Deletion()), At(2), attacker).event, SapEvent::kIgnored);
  EXPECT_EQ(d.sessions().size(), 1u);
  EXPECT_EQ(d.counters().spoofed_origin, 1u);
  std::string v2(kSdp);
  v2.replace(v2.find("s=alice"), 7, "s=mallory");
  v2.replace(v2.find("42 42"), 5, "42 43");
  EXPECT_EQ(d.OnDatagram(Wire(Announcement(v2, 0x5678)), At(3), attacker).event, SapEvent::kIgnored);
  ASSERT_EQ(d.sessions().size(), 1u);
  EXPECT_EQ(d.sessions().begin()->second.sdp.session_name, "alice");
  EXPECT_EQ(d.counters().spoofed_origin, 2u);
  // From the origin itself both are honoured.
  EXPECT_EQ(d.OnDatagram(Wire(Announcement(v2, 0x5678)), At(4), origin).event, SapEvent::kModified);
  SapPacket del = Deletion();
  del.msg_id_hash = 0x5678;
  EXPECT_EQ(d.OnDatagram(Wire(del), At(5), origin).event, SapEvent::kDeleted);
  EXPECT_TRUE(d.sessions().empty());
}

TEST(SapDirectory, NewVersionReplacesTheOldOne) {
  SapDirectory d;
  (void)d.OnDatagram(Wire(Announcement()), At(1));
  std::string v2(kSdp);
  v2.replace(v2.find("s=alice"), 7, "s=alice2");
  v2.replace(v2.find("42 42"), 5, "42 43");
  auto u = d.OnDatagram(Wire(Announcement(v2, 0x5678)), At(2));
  EXPECT_EQ(u.event, SapEvent::kModified);
  ASSERT_EQ(d.sessions().size(), 1u);
  EXPECT_EQ(d.sessions().begin()->second.sdp.session_name, "alice2");
  EXPECT_EQ(d.sessions().begin()->second.first_heard, At(1));
  // The same SDP session from another source is another announcement.
  EXPECT_EQ(d.OnDatagram(Wire(Announcement(v2, 0x5678, SapOrigin::V4(10, 0, 0, 9))), At(3)).event,
            SapEvent::kNew);
  EXPECT_EQ(d.sessions().size(), 2u);
}

TEST(SapDirectory, ImplicitTimeoutIsTenPeriodsOrAnHour) {
  SapDirectory d;
  (void)d.OnDatagram(Wire(Announcement()), At(0));
  EXPECT_TRUE(d.Expire(At(3600)).empty());  // not yet: one hour is the minimum
  auto gone = d.Expire(At(3600.5));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].sdp.session_name, "alice");

  (void)d.OnDatagram(Wire(Announcement()), At(10000));
  (void)d.OnDatagram(Wire(Announcement()), At(10600));  // a 600 s period: timeout 6000 s
  EXPECT_EQ(d.TimeoutOf(d.sessions().begin()->second), seconds(6000));
  EXPECT_TRUE(d.Expire(At(10600 + 5999)).empty());
  EXPECT_EQ(d.Expire(At(10600 + 6001)).size(), 1u);
}

TEST(SapDirectory, ConfigurableTimeoutForShortLivedListeners) {
  SapDirectory d(SapDirectoryConfig{10, seconds(5)});
  (void)d.OnDatagram(Wire(Announcement()), At(0));
  (void)d.OnDatagram(Wire(Announcement()), At(1));
  EXPECT_EQ(d.TimeoutOf(d.sessions().begin()->second), seconds(10));
  EXPECT_TRUE(d.Expire(At(11)).empty());
  EXPECT_EQ(d.Expire(At(11.5)).size(), 1u);
}

TEST(SapDirectory, UnreadableMessagesAreCountedAndDropped) {
  SapDirectory d;
  auto encrypted = Golden();
  encrypted[0] |= 0x02;
  auto compressed = Golden();
  compressed[0] |= 0x01;
  SapPacket other = Announcement("hello");
  other.payload_type = "text/plain";
  SapPacket zero = Announcement(kSdp, 0);
  const std::vector<std::uint8_t> truncated = Octets({0x20, 0, 0});
  for (const auto& bytes : {encrypted, compressed, Wire(other), Wire(zero), truncated,
                            Wire(Announcement("v=0\r\nnot sdp at all\r\n"))}) {
    EXPECT_EQ(d.OnDatagram(bytes, At(1)).event, SapEvent::kIgnored);
  }
  EXPECT_TRUE(d.sessions().empty());
  SapDirectoryCounters want;
  want.encrypted = 1;
  want.compressed = 1;
  want.not_sdp = 1;
  want.zero_hash = 1;
  want.malformed = 1;
  want.bad_sdp = 1;
  EXPECT_EQ(d.counters(), want);
}

}  // namespace
}  // namespace confcast::rtp
