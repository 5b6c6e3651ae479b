// SDP parser: files written by ffmpeg -sdp_file, tolerance (LF, unknown lines and attributes,
// ffmpeg's "; " fmtp), the RFC 8866 example, source-filter and IPv6 sessions, and every
// rejection with its line number and kind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "confcast/rtp/sdp.h"

namespace confcast::rtp {
namespace {

std::string ReadDataFile(const std::string& name) {
  std::ifstream in(std::string(CONFCAST_RTP_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

SessionDescription ParseOk(std::string_view text) {
  auto sdp = ParseSdp(text);
  EXPECT_TRUE(sdp.has_value()) << (sdp ? "" : FormatSdpError(sdp.error()));
  return sdp ? *sdp : SessionDescription{};
}

void ExpectRoundTrip(const SessionDescription& sdp) {
  const auto again = ParseSdp(SerializeSdp(sdp));
  ASSERT_TRUE(again.has_value()) << FormatSdpError(again.error());
  EXPECT_EQ(*again, sdp);
}

// ffmpeg -f lavfi -i testsrc -c:v libx264 -flags:v +global_header -f rtp -sdp_file ...
// rtp://127.0.0.1:25000 (FFmpeg 5.1): CRLF, session c=, fmtp parameters separated by "; ".
TEST(SdpFfmpeg, H264Unicast) {
  const SessionDescription sdp = ParseOk(ReadDataFile("ffmpeg_h264_unicast.sdp"));
  EXPECT_EQ(sdp.origin.address, "127.0.0.1");
  EXPECT_EQ(sdp.session_name, "No Name");
  ASSERT_EQ(sdp.media.size(), 1u);
  const MediaDescription& v = sdp.media[0];
  EXPECT_EQ(v.type, SdpMediaType::kVideo);
  EXPECT_EQ(v.port, 25000);
  EXPECT_EQ(v.RtcpPort(), 25001);
  EXPECT_EQ(v.proto, "RTP/AVP");
  EXPECT_EQ(v.payload_types, std::vector<std::uint8_t>{96});
  const SdpConnection* c = sdp.EffectiveConnection(v);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->address, "127.0.0.1");
  EXPECT_FALSE(c->IsMulticast());
  EXPECT_EQ(v.FindRtpMap(96)->encoding, "H264");
  EXPECT_EQ(v.FindRtpMap(96)->clock_rate, 90000u);
  const Fmtp* f = v.FindFmtp(96);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->parameters.size(), 3u);
  EXPECT_EQ(f->parameters[0], (FmtpParameter{"packetization-mode", "1"}));
  EXPECT_EQ(f->Get("sprop-parameter-sets"), "Z/QADZGWQFB+wEQAAAMABAAAAwDyPFCpIA==,aOvDxEhE");
  EXPECT_EQ(f->Get("profile-level-id"), "F4000D");
  ASSERT_EQ(sdp.attributes.size(), 1u);
  EXPECT_EQ(sdp.attributes[0], (SdpAttribute{"tool", "libavformat LIBAVFORMAT_VERSION"}));
  ExpectRoundTrip(sdp);
}

TEST(SdpFfmpeg, OpusUnicast) {
  const SessionDescription sdp = ParseOk(ReadDataFile("ffmpeg_opus_unicast.sdp"));
  const MediaDescription* a = sdp.FindMedia(SdpMediaType::kAudio);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->port, 25002);
  EXPECT_EQ(a->payload_types, std::vector<std::uint8_t>{97});
  EXPECT_EQ(a->FindBandwidth("AS"), 64u);
  ASSERT_NE(a->FindRtpMap(97), nullptr);
  EXPECT_EQ(*a->FindRtpMap(97), (RtpMap{97, "opus", 48000, 2}));
  EXPECT_EQ(a->FindFmtp(97), nullptr);
  ExpectRoundTrip(sdp);
}

// Two RTP outputs to 239.0.0.11?ttl=1 in one -sdp_file (run inside a network namespace):
// ffmpeg puts c= with the /TTL in each media, none at session level.
TEST(SdpFfmpeg, AudioVideoMulticast) {
  const SessionDescription sdp = ParseOk(ReadDataFile("ffmpeg_av_multicast.sdp"));
  EXPECT_EQ(sdp.connection, std::nullopt);
  ASSERT_EQ(sdp.media.size(), 2u);
  const MediaDescription* v = sdp.FindMedia(SdpMediaType::kVideo);
  const MediaDescription* a = sdp.FindMedia(SdpMediaType::kAudio);
  ASSERT_TRUE(v && a);
  EXPECT_EQ(v->port, 25004);
  EXPECT_EQ(a->port, 25006);
  EXPECT_EQ(a->RtcpPort(), 25007);
  for (const MediaDescription* m : {v, a}) {
    const SdpConnection* c = sdp.EffectiveConnection(*m);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(*c, (SdpConnection{SdpAddrType::kIp4, "239.0.0.11", 1, std::nullopt}));
  }
  EXPECT_EQ(v->FindFmtp(96)->Get("packetization-mode"), "1");
  EXPECT_EQ(a->FindRtpMap(97)->channels, 2u);
  ExpectRoundTrip(sdp);
}

// rtp://[ff15::11]:25008 inside a namespace: IPv6 origin, session-level c= without a TTL.
TEST(SdpFfmpeg, H264Ipv6Multicast) {
  const SessionDescription sdp = ParseOk(ReadDataFile("ffmpeg_h264_ipv6_multicast.sdp"));
  EXPECT_EQ(sdp.origin.addr_type, "IP6");
  EXPECT_EQ(sdp.origin.address, "::1");
  ASSERT_TRUE(sdp.connection.has_value());
  EXPECT_EQ(*sdp.connection,
            (SdpConnection{SdpAddrType::kIp6, "ff15::11", std::nullopt, std::nullopt}));
  EXPECT_TRUE(sdp.connection->IsMulticast());
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].port, 25008);
  EXPECT_EQ(sdp.EffectiveConnection(sdp.media[0]), &*sdp.connection);
  ExpectRoundTrip(sdp);
}

TEST(SdpParse, LfAndCrlfGiveTheSameSession) {
  const std::string crlf = ReadDataFile("ffmpeg_av_multicast.sdp");
  std::string lf;
  for (char ch : crlf) {
    if (ch != '\r') lf += ch;
  }
  ASSERT_NE(lf, crlf);
  EXPECT_EQ(ParseOk(lf), ParseOk(crlf));
}

TEST(SdpParse, Rfc8866ExampleSession) {
  const SessionDescription sdp = ParseOk(
      "v=0\n"
      "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\n"
      "s=Call to John Smith\n"
      "i=SDP Offer #1\n"
      "u=http://www.jdoe.example.com/home.html\n"
      "e=Jane Doe <jane@jdoe.example.com>\n"
      "p=+1 617 555-6011\n"
      "c=IN IP4 198.51.100.1\n"
      "t=0 0\n"
      "m=audio 49170 RTP/AVP 0\n"
      "m=audio 49180 RTP/AVP 0\n"
      "m=video 51372 RTP/AVP 99\n"
      "c=IN IP6 2001:db8::2\n"
      "a=rtpmap:99 h263-1998/90000\n");
  EXPECT_EQ(sdp.origin.session_id, 3724394400u);
  EXPECT_EQ(sdp.info, "SDP Offer #1");
  EXPECT_EQ(sdp.emails, std::vector<std::string>{"Jane Doe <jane@jdoe.example.com>"});
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.EffectiveConnection(sdp.media[1])->address, "198.51.100.1");
  EXPECT_EQ(sdp.EffectiveConnection(sdp.media[2])->address, "2001:db8::2");
  EXPECT_EQ(sdp.media[0].FindRtpMap(0), nullptr);  // static payload type, no rtpmap needed
  ExpectRoundTrip(sdp);
}

TEST(SdpParse, UnknownAttributesAndLinesAreKeptInOrder) {
  const SessionDescription sdp = ParseOk(
      "\xEF\xBB\xBFv=0\r\n"
      "o=- 1 1 IN IP4 10.0.0.1\r\n"
      "s=x \t\r\n"
      "c=IN IP4 239.0.0.11/16/2\r\n"
      "t=0 0\r\n"
      "x=something new\r\n"
      "a=recvonly\r\n"
      "a=charset:UTF-8\r\n"
      "a=flag\r\n"
      "m=video 15550 RTP/AVP 96 97\r\n"
      "y=media-level unknown\r\n"
      "a=rtpmap:96 H264/90000\r\n"
      "a=fmtp:96 profile-level-id=42e01f ; packetization-mode=1;\r\n"
      "a=fmtp:97 0-15\r\n"
      "a=framerate:30\r\n"
      "a=sendonly\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=mid:v\r\n");
  EXPECT_EQ(sdp.session_name, "x");
  EXPECT_EQ(*sdp.connection, (SdpConnection{SdpAddrType::kIp4, "239.0.0.11", 16, 2}));
  EXPECT_EQ(sdp.other_lines, std::vector<std::string>{"x=something new"});
  EXPECT_EQ(sdp.direction, SdpDirection::kRecvOnly);
  EXPECT_EQ(sdp.attributes,
            (std::vector<SdpAttribute>{{"charset", "UTF-8"}, {"flag", std::nullopt}}));
  const MediaDescription& m = sdp.media[0];
  EXPECT_EQ(m.other_lines, std::vector<std::string>{"y=media-level unknown"});
  EXPECT_EQ(m.FindFmtp(96)->parameters, (std::vector<FmtpParameter>{{"profile-level-id", "42e01f"},
                                                                    {"packetization-mode", "1"}}));
  EXPECT_TRUE(m.FindFmtp(97)->parameters.empty());
  EXPECT_EQ(m.FindFmtp(97)->raw, "0-15");
  EXPECT_EQ(m.direction, SdpDirection::kSendOnly);
  EXPECT_EQ(m.attributes,
            (std::vector<SdpAttribute>{{"framerate", "30"}, {"recvonly", std::nullopt}}));
  EXPECT_TRUE(m.rtcp_mux);
  EXPECT_EQ(m.RtcpPort(), 15550);
  EXPECT_EQ(m.mid, "v");
  ExpectRoundTrip(sdp);
}

TEST(SdpParse, SourceFilterSessionForSsm) {
  // RFC 4570 section 3.2.1-style SSM session: filters at session and media level.
  const SessionDescription sdp = ParseOk(
      "v=0\n"
      "o=- 0 0 IN IP4 192.0.2.10\n"
      "s=ssm\n"
      "c=IN IP4 232.0.0.11/5\n"
      "t=0 0\n"
      "a=source-filter: incl IN IP4 232.0.0.11 192.0.2.10 192.0.2.11\n"
      "m=video 15550 RTP/AVP 96\n"
      "a=rtpmap:96 H264/90000\n"
      "m=audio 15552 RTP/AVP 111\n"
      "a=rtpmap:111 opus/48000/2\n"
      "a=source-filter:excl IN * * 198.51.100.7 2001:db8::7\n");
  ASSERT_EQ(sdp.source_filters.size(), 1u);
  EXPECT_EQ(sdp.source_filters[0],
            (SourceFilter{true, SdpAddrType::kIp4, "232.0.0.11", {"192.0.2.10", "192.0.2.11"}}));
  EXPECT_EQ(&sdp.EffectiveSourceFilters(sdp.media[0]), &sdp.source_filters);
  const auto& audio = sdp.EffectiveSourceFilters(sdp.media[1]);
  ASSERT_EQ(audio.size(), 1u);
  EXPECT_EQ(audio[0], (SourceFilter{false, std::nullopt, "*", {"198.51.100.7", "2001:db8::7"}}));
  ExpectRoundTrip(sdp);
}

TEST(SdpParse, Ipv6MulticastSession) {
  const SessionDescription sdp = ParseOk(
      "v=0\n"
      "o=- 7 7 IN IP6 2001:db8::10\n"
      "s=confcast\n"
      "t=0 0\n"
      "m=video 15550 RTP/AVPF 96\n"
      "c=IN IP6 ff15::11\n"
      "a=rtpmap:96 H264/90000\n"
      "a=rtcp:15551 IN IP6 ff15::11\n"
      "a=source-filter: incl IN IP6 ff15::11 2001:db8::10\n"
      "a=extmap:3/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time\n"
      "a=ssrc:4294967295 cname:bob\n"
      "a=rtcp-fb:* nack\n");
  const MediaDescription& m = sdp.media[0];
  EXPECT_EQ(*m.connection,
            (SdpConnection{SdpAddrType::kIp6, "ff15::11", std::nullopt, std::nullopt}));
  EXPECT_EQ(m.rtcp->port, 15551);
  EXPECT_EQ(m.rtcp->address->address, "ff15::11");
  EXPECT_EQ(m.extmaps[0],
            (ExtMap{3, SdpDirection::kRecvOnly, std::string(kSdpAbsCaptureTimeUri), std::nullopt}));
  EXPECT_EQ(m.ssrcs[0], (SsrcAttribute{0xFFFFFFFFu, "cname", "bob"}));
  EXPECT_EQ(m.rtcp_feedback[0], (SdpRtcpFeedback{std::nullopt, "nack", std::nullopt}));
  EXPECT_EQ(m.source_filters[0].sources, std::vector<std::string>{"2001:db8::10"});
  ExpectRoundTrip(sdp);
}

TEST(SdpParse, SpanOverloadMatchesStringView) {
  const std::string text = ReadDataFile("ffmpeg_opus_unicast.sdp");
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  EXPECT_EQ(ParseSdp(bytes), ParseSdp(std::string_view(text)));
}

TEST(SdpParse, FuzzSeedsParseAndRoundTrip) {
  const std::filesystem::path dir =
      std::filesystem::path(CONFCAST_FUZZ_CORPUS_DIR) / "sdp_parse_fuzz";
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    const auto sdp = ParseSdp(s.str());
    ASSERT_TRUE(sdp.has_value()) << entry.path() << ": " << FormatSdpError(sdp.error());
    ExpectRoundTrip(*sdp);
    ++seeds;
  }
  EXPECT_GE(seeds, 4);
}

// ---------------------------------------------------------------------------------------------
// Rejections: each case is a small session with one defect, the line it is on, and its kind.

constexpr std::string_view kHead = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\n";  // lines 1-3

struct RejectCase {
  const char* name;
  std::string text;
  std::size_t line;
  SdpErrorKind kind;
};

class SdpRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(SdpRejects, WithLineAndKind) {
  const auto sdp = ParseSdp(GetParam().text);
  ASSERT_FALSE(sdp.has_value()) << GetParam().text;
  EXPECT_EQ(sdp.error().kind, GetParam().kind)
      << ToString(sdp.error().kind) << ": " << FormatSdpError(sdp.error());
  EXPECT_EQ(sdp.error().line, GetParam().line) << FormatSdpError(sdp.error());
  const std::string line = FormatSdpError(sdp.error());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(line.starts_with("SDP")) << line;
}

std::string Session(std::string_view rest) {
  return std::string(kHead) + "c=IN IP4 239.0.0.11/1\nt=0 0\n" + std::string(rest);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SdpRejects,
    ::testing::Values(
        RejectCase{"Empty", "", 0, SdpErrorKind::kMissingVersion},
        RejectCase{"OnlyBlankLines", "\n\r\n  \n", 0, SdpErrorKind::kMissingVersion},
        RejectCase{"NoVersion", "\no=- 0 0 IN IP4 127.0.0.1\n", 2, SdpErrorKind::kMissingVersion},
        RejectCase{"VersionOne", "v=1\n", 1, SdpErrorKind::kBadVersion},
        RejectCase{"NotSdp", "v=0\nHTTP/1.1 200 OK\n", 2, SdpErrorKind::kBadLine},
        RejectCase{"DigitType", "v=0\n1=2\n", 2, SdpErrorKind::kBadLine},
        RejectCase{"Nul", std::string("v=0\ns=a\0b\n", 10), 2, SdpErrorKind::kBadCharacter},
        RejectCase{"StrayCr", "v=0\ns=a\rb\n", 2, SdpErrorKind::kBadCharacter},
        RejectCase{"OriginFields", "v=0\no=- 0 IN IP4 127.0.0.1\n", 2, SdpErrorKind::kBadOrigin},
        RejectCase{"OriginId", "v=0\no=- x 0 IN IP4 127.0.0.1\n", 2, SdpErrorKind::kBadOrigin},
        RejectCase{"ConnectionNetType", std::string(kHead) + "c=XX IP4 1.2.3.4\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"ConnectionAddrType", std::string(kHead) + "c=IN IPX 1.2.3.4\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"ConnectionMissingAddress", std::string(kHead) + "c=IN IP4\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"Ipv4OutOfRange", std::string(kHead) + "c=IN IP4 239.0.0.256/1\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"Ipv4Garbage", std::string(kHead) + "c=IN IP4 239..0.1/1\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"Ipv6TwoGaps", std::string(kHead) + "c=IN IP6 ff15::1::2\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"Ipv6CountOnUnicast", std::string(kHead) + "c=IN IP6 2001:db8::1/2\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"CountZero", std::string(kHead) + "c=IN IP4 239.0.0.11/1/0\n", 4,
                   SdpErrorKind::kBadConnection},
        RejectCase{"TtlNotNumber", std::string(kHead) + "c=IN IP4 239.0.0.11/x\n", 4,
                   SdpErrorKind::kBadTtl},
        RejectCase{"TtlTooBig", std::string(kHead) + "c=IN IP4 239.0.0.11/256\n", 4,
                   SdpErrorKind::kBadTtl},
        RejectCase{"TtlEmpty", std::string(kHead) + "c=IN IP4 239.0.0.11/\n", 4,
                   SdpErrorKind::kBadTtl},
        RejectCase{"TtlOnUnicast", std::string(kHead) + "c=IN IP4 192.0.2.1/1\n", 4,
                   SdpErrorKind::kBadTtl},
        RejectCase{"BadTiming", std::string(kHead) + "t=now\n", 4, SdpErrorKind::kBadTiming},
        RejectCase{"RepeatBeforeTiming", std::string(kHead) + "r=7d 1h 0 25h\n", 4,
                   SdpErrorKind::kBadTiming},
        RejectCase{"BandwidthNoColon", Session("b=AS2000\n"), 6, SdpErrorKind::kBadBandwidth},
        RejectCase{"BandwidthNotNumber", Session("m=video 1 RTP/AVP 96\nb=AS:lots\n"), 7,
                   SdpErrorKind::kBadBandwidth},
        RejectCase{"MediaPortNotNumber", Session("m=video abc RTP/AVP 96\n"), 6,
                   SdpErrorKind::kBadMediaLine},
        RejectCase{"MediaPortTooBig", Session("m=video 65536 RTP/AVP 96\n"), 6,
                   SdpErrorKind::kBadMediaLine},
        RejectCase{"MediaPortCount", Session("m=video 15550/0 RTP/AVP 96\n"), 6,
                   SdpErrorKind::kBadMediaLine},
        RejectCase{"MediaNoFormats", Session("m=video 15550 RTP/AVP\n"), 6,
                   SdpErrorKind::kBadMediaLine},
        RejectCase{"PayloadTypeNotNumber", Session("m=video 15550 RTP/AVP 96 h264\n"), 6,
                   SdpErrorKind::kBadPayloadType},
        RejectCase{"PayloadTypeTooBig", Session("m=video 15550 RTP/AVP 128\n"), 6,
                   SdpErrorKind::kBadPayloadType},
        RejectCase{"RtpmapPayloadType", Session("m=video 1 RTP/AVP 96\na=rtpmap:x H264/90000\n"), 7,
                   SdpErrorKind::kBadPayloadType},
        RejectCase{"RtpmapNoRate", Session("m=video 1 RTP/AVP 96\na=rtpmap:96 H264\n"), 7,
                   SdpErrorKind::kBadRtpmap},
        RejectCase{"RtpmapZeroRate", Session("m=video 1 RTP/AVP 96\na=rtpmap:96 H264/0\n"), 7,
                   SdpErrorKind::kBadRtpmap},
        RejectCase{"RtpmapChannels", Session("m=audio 1 RTP/AVP 96\na=rtpmap:96 opus/48000/x\n"), 7,
                   SdpErrorKind::kBadRtpmap},
        RejectCase{"RtpmapEmpty", Session("m=audio 1 RTP/AVP 96\na=rtpmap:\n"), 7,
                   SdpErrorKind::kBadRtpmap},
        RejectCase{"RtpmapUnlisted", Session("m=video 1 RTP/AVP 96\na=rtpmap:97 H264/90000\n"), 7,
                   SdpErrorKind::kUnknownPayloadType},
        RejectCase{"RtpmapTwice",
                   Session("m=video 1 RTP/AVP 96\na=rtpmap:96 H264/90000\na=rtpmap:96 VP8/90000\n"),
                   8, SdpErrorKind::kDuplicatePayloadType},
        RejectCase{"FmtpUnlisted", Session("m=video 1 RTP/AVP 96\na=fmtp:98 a=1\n"), 7,
                   SdpErrorKind::kUnknownPayloadType},
        RejectCase{"FmtpTwice", Session("m=video 1 RTP/AVP 96\na=fmtp:96 a=1\na=fmtp:96 b=2\n"), 8,
                   SdpErrorKind::kDuplicatePayloadType},
        RejectCase{"FmtpPayloadType", Session("m=video 1 RTP/AVP 96\na=fmtp:abc a=1\n"), 7,
                   SdpErrorKind::kBadPayloadType},
        RejectCase{"RtcpPort", Session("m=video 1 RTP/AVP 96\na=rtcp:abc\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"RtcpAddress", Session("m=video 1 RTP/AVP 96\na=rtcp:2 IN IP4 1.2.3\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"ExtmapId", Session("m=video 1 RTP/AVP 96\na=extmap:0 urn:x\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"ExtmapDirection", Session("m=video 1 RTP/AVP 96\na=extmap:1/up urn:x\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"ExtmapNoUri", Session("m=video 1 RTP/AVP 96\na=extmap:1\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"SsrcNotNumber", Session("m=video 1 RTP/AVP 96\na=ssrc:x cname:a\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"SsrcNoAttribute", Session("m=video 1 RTP/AVP 96\na=ssrc:5\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"SourceFilterMode", Session("a=source-filter: only IN IP4 * 1.2.3.4\n"), 6,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"SourceFilterNoSource",
                   Session("m=video 1 RTP/AVP 96\na=source-filter: incl IN IP4 232.0.0.1\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"SourceFilterFamily",
                   Session("a=source-filter: incl IN IP4 232.0.0.1 2001:db8::1\n"), 6,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"RtcpFbPayloadType", Session("m=video 1 RTP/AVP 96\na=rtcp-fb:x nack\n"), 7,
                   SdpErrorKind::kBadPayloadType},
        RejectCase{"RtcpFbNoType", Session("m=video 1 RTP/AVP 96\na=rtcp-fb:96\n"), 7,
                   SdpErrorKind::kBadAttribute},
        RejectCase{"MediaWithoutConnection",
                   std::string(kHead) + "t=0 0\nm=video 15550 RTP/AVP 96\nc=IN IP4 239.0.0.1/1\n"
                                        "m=audio 15552 RTP/AVP 111\n",
                   7, SdpErrorKind::kMissingConnection},
        RejectCase{"LineTooLong", "v=0\ns=" + std::string(kMaxSdpLineLength, 'x') + "\n", 2,
                   SdpErrorKind::kLineTooLong},
        RejectCase{"TooLarge", "v=0\n" + std::string(kMaxSdpBytes, '\n'), 0,
                   SdpErrorKind::kTooLarge}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(SdpParse, TooManyLines) {
  std::string text = Session("");
  for (std::size_t i = 0; i < kMaxSdpLines; ++i) text += "a=x\n";
  const auto sdp = ParseSdp(text);
  ASSERT_FALSE(sdp.has_value());
  EXPECT_EQ(sdp.error().kind, SdpErrorKind::kTooManyLines);
  EXPECT_EQ(sdp.error().line, kMaxSdpLines + 1);
}

TEST(SdpParse, AtTheLimitsStillParses) {
  std::string text = Session("");
  const std::size_t head_lines = 5;
  for (std::size_t i = head_lines; i < kMaxSdpLines; ++i) text += "a=x\n";
  text += "\n\n";  // blank lines do not count
  EXPECT_TRUE(ParseSdp(text).has_value());
  const std::string long_line = "v=0\ns=" + std::string(kMaxSdpLineLength - 2, 'x') + "\r\n";
  EXPECT_TRUE(ParseSdp(long_line).has_value());
}

TEST(SdpParse, ErrorMessageQuotesTheOffendingText) {
  const auto sdp = ParseSdp("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nm=video abc RTP/AVP 96\r\n");
  ASSERT_FALSE(sdp.has_value());
  EXPECT_EQ(FormatSdpError(sdp.error()),
            "SDP line 4: m= line has a non-numeric port 'abc'; expected e.g. 'm=video 15550 "
            "RTP/AVP 96'");
}

}  // namespace
}  // namespace confcast::rtp
