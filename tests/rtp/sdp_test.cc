// SDP writer and builder: the golden confcast session, write -> parse -> equal round trips, the
// RFC 8866 field order, builder validation, and the model helpers.
#include "confcast/rtp/sdp.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace confcast::rtp {
namespace {

ConfcastSdpParams GoldenParams() {
  ConfcastSdpParams p;
  p.group = "239.0.0.11";
  p.ttl = 1;
  p.base_port = 15550;
  p.session_name = "confcast";
  p.origin_address = "192.0.2.10";
  p.session_id = 1234;
  p.session_version = 1;
  p.tool = "confcast";
  p.profile_level_id = "42e01f";
  p.sprop_parameter_sets = "Z0LAH9oBQBbsBEAAAAMAQAAADyPGDKg=,aM4yyA==";
  p.video_ssrc = 0x11223344;
  p.audio_ssrc = 0x55667788;
  p.cname = "alice@confcast";
  p.video_kbps = 2000;
  return p;
}

constexpr std::string_view kGoldenConfcastSdp =
    "v=0\r\n"
    "o=- 1234 1 IN IP4 192.0.2.10\r\n"
    "s=confcast\r\n"
    "c=IN IP4 239.0.0.11/1\r\n"
    "t=0 0\r\n"
    "a=tool:confcast\r\n"
    "m=video 15550 RTP/AVPF 96\r\n"
    "b=AS:2000\r\n"
    "b=TIAS:2000000\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f;"
    "sprop-parameter-sets=Z0LAH9oBQBbsBEAAAAMAQAAADyPGDKg=,aM4yyA==\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp:15551\r\n"
    "a=extmap:1 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time\r\n"
    "a=ssrc:287454020 cname:alice@confcast\r\n"
    "m=audio 15552 RTP/AVPF 111\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtcp:15553\r\n"
    "a=extmap:1 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time\r\n"
    "a=ssrc:1432778632 cname:alice@confcast\r\n";

TEST(SdpWriter, ConfcastSessionMatchesGoldenText) {
  const auto sdp = BuildConfcastSdp(GoldenParams());
  ASSERT_TRUE(sdp.has_value()) << sdp.error().message;
  EXPECT_EQ(SerializeSdp(*sdp), kGoldenConfcastSdp);
}

TEST(SdpWriter, ConfcastSessionRoundTrips) {
  const auto sdp = BuildConfcastSdp(GoldenParams());
  ASSERT_TRUE(sdp.has_value());
  const auto parsed = ParseSdp(SerializeSdp(*sdp));
  ASSERT_TRUE(parsed.has_value()) << FormatSdpError(parsed.error());
  EXPECT_EQ(*parsed, *sdp);
}

TEST(SdpWriter, ConfcastSessionHelpersFindWhatReceiversNeed) {
  const auto sdp = ParseSdp(kGoldenConfcastSdp);
  ASSERT_TRUE(sdp.has_value()) << FormatSdpError(sdp.error());
  const MediaDescription* video = sdp->FindMedia(SdpMediaType::kVideo);
  const MediaDescription* audio = sdp->FindMedia(SdpMediaType::kAudio);
  ASSERT_NE(video, nullptr);
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(video->port, 15550);
  EXPECT_EQ(video->RtcpPort(), 15551);
  EXPECT_EQ(audio->port, 15552);
  EXPECT_EQ(audio->RtcpPort(), 15553);
  const SdpConnection* c = sdp->EffectiveConnection(*audio);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->address, "239.0.0.11");
  EXPECT_EQ(c->ttl, 1);
  EXPECT_TRUE(c->IsMulticast());
  ASSERT_NE(video->FindRtpMap(96), nullptr);
  EXPECT_EQ(video->FindRtpMap(96)->encoding, "H264");
  EXPECT_EQ(video->FindRtpMap(96)->clock_rate, 90000u);
  EXPECT_EQ(video->FindRtpMap(111), nullptr);
  ASSERT_NE(video->FindFmtp(96), nullptr);
  EXPECT_EQ(video->FindFmtp(96)->Get("Packetization-Mode"), "1");
  EXPECT_EQ(video->FindFmtp(96)->Get("sprop-parameter-sets"),
            "Z0LAH9oBQBbsBEAAAAMAQAAADyPGDKg=,aM4yyA==");
  EXPECT_EQ(video->FindFmtp(96)->Get("absent"), std::nullopt);
  ASSERT_NE(audio->FindRtpMap(111), nullptr);
  EXPECT_EQ(audio->FindRtpMap(111)->channels, 2u);
  EXPECT_EQ(audio->FindFmtp(111)->Get("useinbandfec"), "1");
  EXPECT_EQ(video->FindBandwidth("as"), 2000u);
  EXPECT_EQ(audio->FindBandwidth("AS"), std::nullopt);
  ASSERT_EQ(video->extmaps.size(), 1u);
  EXPECT_EQ(video->extmaps[0].uri, kSdpAbsCaptureTimeUri);
  ASSERT_EQ(audio->ssrcs.size(), 1u);
  EXPECT_EQ(audio->ssrcs[0].ssrc, 0x55667788u);
  EXPECT_EQ(audio->ssrcs[0].value, "alice@confcast");
  EXPECT_EQ(sdp->FindMedia(SdpMediaType::kOther), nullptr);
}

TEST(SdpWriter, SsmSessionWithSourceFilterRoundTrips) {
  ConfcastSdpParams p = GoldenParams();
  p.group = "232.0.0.11";
  p.ssm_source = "192.0.2.10";
  p.avpf = false;
  p.cname.clear();
  p.abs_capture_time_id = 0;
  p.video_kbps.reset();
  p.sprop_parameter_sets.clear();
  const auto sdp = BuildConfcastSdp(p);
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(SerializeSdp(*sdp),
            "v=0\r\n"
            "o=- 1234 1 IN IP4 192.0.2.10\r\n"
            "s=confcast\r\n"
            "c=IN IP4 232.0.0.11/1\r\n"
            "t=0 0\r\n"
            "a=source-filter: incl IN IP4 232.0.0.11 192.0.2.10\r\n"
            "a=tool:confcast\r\n"
            "m=video 15550 RTP/AVP 96\r\n"
            "a=rtpmap:96 H264/90000\r\n"
            "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"
            "a=rtcp:15551\r\n"
            "m=audio 15552 RTP/AVP 111\r\n"
            "a=rtpmap:111 opus/48000/2\r\n"
            "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
            "a=rtcp:15553\r\n");
  const auto parsed = ParseSdp(SerializeSdp(*sdp));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, *sdp);
  const auto& filters = parsed->EffectiveSourceFilters(parsed->media[1]);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_TRUE(filters[0].include);
  EXPECT_EQ(filters[0].sources, std::vector<std::string>{"192.0.2.10"});
}

TEST(SdpWriter, Ipv6SessionHasNoTtl) {
  ConfcastSdpParams p = GoldenParams();
  p.group = "ff15::11";
  p.origin_address = "2001:db8::10";
  p.audio = false;
  const auto sdp = BuildConfcastSdp(p);
  ASSERT_TRUE(sdp.has_value());
  const std::string text = SerializeSdp(*sdp);
  EXPECT_NE(text.find("o=- 1234 1 IN IP6 2001:db8::10\r\n"), std::string::npos);
  EXPECT_NE(text.find("c=IN IP6 ff15::11\r\n"), std::string::npos);
  EXPECT_EQ(text.find("m=audio"), std::string::npos);
  const auto parsed = ParseSdp(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, *sdp);
  EXPECT_EQ(parsed->connection->addr_type, SdpAddrType::kIp6);
  EXPECT_EQ(parsed->connection->ttl, std::nullopt);
  EXPECT_TRUE(parsed->connection->IsMulticast());
}

struct BuildCase {
  const char* name;
  void (*edit)(ConfcastSdpParams&);
  SdpBuildErrorKind kind;
};

class SdpBuildRejects : public ::testing::TestWithParam<BuildCase> {};

TEST_P(SdpBuildRejects, WithItsKind) {
  ConfcastSdpParams p = GoldenParams();
  GetParam().edit(p);
  const auto sdp = BuildConfcastSdp(p);
  ASSERT_FALSE(sdp.has_value());
  EXPECT_EQ(sdp.error().kind, GetParam().kind) << sdp.error().message;
  EXPECT_FALSE(sdp.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SdpBuildRejects,
    ::testing::Values(
        BuildCase{"OddPort", [](ConfcastSdpParams& p) { p.base_port = 15551; },
                  SdpBuildErrorKind::kOddBasePort},
        BuildCase{"PortOverflow", [](ConfcastSdpParams& p) { p.base_port = 65534; },
                  SdpBuildErrorKind::kPortOverflow},
        BuildCase{"HostGroup", [](ConfcastSdpParams& p) { p.group = "example.com"; },
                  SdpBuildErrorKind::kBadGroup},
        BuildCase{"BadGroup", [](ConfcastSdpParams& p) { p.group = "239.0.0.256"; },
                  SdpBuildErrorKind::kBadGroup},
        BuildCase{"SourceFamily", [](ConfcastSdpParams& p) { p.ssm_source = "2001:db8::1"; },
                  SdpBuildErrorKind::kBadSource},
        BuildCase{"NameWithNewline", [](ConfcastSdpParams& p) { p.session_name = "a\r\nm=x"; },
                  SdpBuildErrorKind::kBadToken},
        BuildCase{"SpropWithSpace", [](ConfcastSdpParams& p) { p.sprop_parameter_sets = "a b"; },
                  SdpBuildErrorKind::kBadToken},
        BuildCase{"CnameWithSemicolon", [](ConfcastSdpParams& p) { p.cname = "a;b"; },
                  SdpBuildErrorKind::kBadToken},
        BuildCase{"NoMedia",
                  [](ConfcastSdpParams& p) {
                    p.video = false;
                    p.audio = false;
                  },
                  SdpBuildErrorKind::kNoMedia}),
    [](const auto& test) { return std::string(test.param.name); });

// Every field of the model, written and parsed back: the writer's order puts each value where
// the parser expects it.
TEST(SdpWriter, EveryFieldRoundTripsInRfcOrder) {
  SessionDescription s;
  s.origin = SdpOrigin{"alice", 2890844526u, 2890842807u, "IN", "IP4", "host.example.com"};
  s.session_name = "SDP Seminar";
  s.info = "A Seminar on the session description protocol";
  s.uri = "http://www.example.com/seminars/sdp.pdf";
  s.emails = {"j.doe@example.com (Jane Doe)"};
  s.phones = {"+1 617 555-6011"};
  s.connection = SdpConnection{SdpAddrType::kIp4, "233.252.0.1", 127, 3};
  s.bandwidths = {{"CT", 128}};
  s.timings = {SdpTiming{2873397496u, 2873404696u, {"604800 3600 0 90000"}}, SdpTiming{0, 0, {}}};
  s.time_zones = "2882844526 -1h 2898848070 0";
  s.key = "prompt";
  s.direction = SdpDirection::kRecvOnly;
  s.attributes = {{"tool", "x"}, {"sendonly", std::nullopt}};  // a repeated direction flag
  s.other_lines = {"y=unknown line type", "s=a second name"};
  MediaDescription v;
  v.type = SdpMediaType::kVideo;
  v.port = 51372;
  v.port_count = 2;
  v.proto = "RTP/AVPF";
  v.payload_types = {99, 100, 101};
  v.title = "main camera";
  v.connection = SdpConnection{SdpAddrType::kIp6, "ff15::11", std::nullopt, 2};
  v.bandwidths = {{"AS", 500}, {"TIAS", 500000}, {"RS", 800}, {"RR", 2400}};
  v.key = "clear:abc";
  v.rtpmaps = {{99, "h263-1998", 90000, std::nullopt}, {101, "rtx", 90000, std::nullopt}};
  v.fmtps = {{99, {{"QCIF", "1"}, {"empty", ""}}, {}}, {101, {}, "0-15"}};
  v.rtcp_feedback = {{std::nullopt, "nack", std::nullopt}, {99, "ccm", "tmmbr smaxpr=120"}};
  v.rtcp =
      SdpRtcpAttribute{53020, SdpConnection{SdpAddrType::kIp4, "126.16.64.4", std::nullopt, {}}};
  v.rtcp_mux = true;
  v.extmaps = {{1, SdpDirection::kSendOnly, "urn:ietf:params:rtp-hdrext:toffset", std::nullopt},
               {2, std::nullopt, "urn:x", "a b"}};
  v.direction = SdpDirection::kInactive;
  v.mid = "0";
  v.ssrcs = {{1, "cname", "x@y"}, {1, "label", std::nullopt}};
  v.source_filters = {{false, std::nullopt, "*", {"192.0.2.1", "2001:db8::1"}}};
  v.attributes = {{"framerate", "30"}, {"mid", "dup"}, {"rtcp-mux", std::nullopt}};
  v.other_lines = {"c=IN IP6 ff15::12"};
  MediaDescription app;
  app.type = SdpMediaType::kOther;
  app.other_type = "application";
  app.port = 9;
  app.proto = "UDP/DTLS/SCTP";
  app.formats = {"webrtc-datachannel"};
  app.attributes = {{"fmtp", "webrtc-datachannel max-message-size=1"}};
  s.media = {v, app};

  const std::string text = SerializeSdp(s);
  const auto parsed = ParseSdp(text);
  ASSERT_TRUE(parsed.has_value()) << FormatSdpError(parsed.error()) << "\n" << text;
  EXPECT_EQ(*parsed, s) << text;
  // RFC 8866 5: v o s i u e p c b t r z k a, then m i c b k a.
  std::string order;
  for (std::size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) order += text[at];
  EXPECT_EQ(order, "vosiuepcbtrtzkysaaamicbbbbkcaaaaaaaaaaaaaaaaaama");
  EXPECT_EQ(SerializeSdp(*parsed), text);
}

TEST(SdpWriter, EmptySessionNameIsWrittenAsSpaceAndReadBackEmpty) {
  SessionDescription s;
  s.connection = SdpConnection{SdpAddrType::kIp4, "127.0.0.1", std::nullopt, std::nullopt};
  const std::string text = SerializeSdp(s);
  EXPECT_EQ(text, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns= \r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
  const auto parsed = ParseSdp(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, s);
}

TEST(SdpModel, RtcpPortFollowsRtcpAttributeThenMuxThenPortPlusOne) {
  MediaDescription m;
  m.port = 15550;
  EXPECT_EQ(m.RtcpPort(), 15551);
  m.rtcp_mux = true;
  EXPECT_EQ(m.RtcpPort(), 15550);
  m.rtcp = SdpRtcpAttribute{9999, std::nullopt};
  EXPECT_EQ(m.RtcpPort(), 9999);
  MediaDescription top;
  top.port = 65535;
  EXPECT_EQ(top.RtcpPort(), std::nullopt);
}

TEST(SdpModel, MulticastAddresses) {
  EXPECT_TRUE(IsMulticastAddress("224.0.0.1"));
  EXPECT_TRUE(IsMulticastAddress("239.255.255.255"));
  EXPECT_FALSE(IsMulticastAddress("223.255.255.255"));
  EXPECT_FALSE(IsMulticastAddress("240.0.0.1"));
  EXPECT_TRUE(IsMulticastAddress("ff15::11"));
  EXPECT_TRUE(IsMulticastAddress("FF02::1"));
  EXPECT_FALSE(IsMulticastAddress("ff::1"));  // 00ff::1
  EXPECT_FALSE(IsMulticastAddress("2001:db8::1"));
  EXPECT_FALSE(IsMulticastAddress("example.com"));
}

TEST(SdpModel, ErrorFormatsAsOneLine) {
  EXPECT_EQ(FormatSdpError({4, SdpErrorKind::kBadMediaLine, "m= line is bad"}),
            "SDP line 4: m= line is bad");
  EXPECT_EQ(FormatSdpError({0, SdpErrorKind::kTooLarge, "too big"}), "SDP: too big");
  EXPECT_EQ(ToString(SdpErrorKind::kBadTtl), "bad-ttl");
}

}  // namespace
}  // namespace confcast::rtp
