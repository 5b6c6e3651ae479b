// The session description a confcast sender announces (DESIGN.md "Protocol choices"):
//   c=IN IP4 <group>/<ttl>           one session-level connection, inherited by both media
//   m=video P   RTP/AVPF 96          H264/90000, packetization-mode=1 (RFC 6184 8.2.1)
//   a=rtcp:P+1                       RFC 3605; ffmpeg reads it, and it is the RFC 3550 default
//   m=audio P+2 RTP/AVPF 111         opus/48000/2 (RFC 7587 7), in-band FEC on
//   a=rtcp:P+3
// plus a=extmap for abs-capture-time (RFC 8285), a=ssrc cname (RFC 5576), AVPF feedback
// (RFC 4585 nack, nack pli; RFC 5104 ccm fir) and, for SSM, a=source-filter (RFC 4570).
// Strings that come from outside (names, base64, cname) are checked so that they cannot break
// the line structure; their content is the caller's business (SPS/PPS are not parsed here).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "confcast/rtp/sdp.h"
#include "sdp_internal.h"

namespace confcast::rtp {
namespace {

using sdp_internal::IsHostName;
using sdp_internal::IsIpv4Literal;
using sdp_internal::IsIpv6Literal;
using sdp_internal::Quote;

std::unexpected<SdpBuildError> Error(SdpBuildErrorKind kind, std::string message) {
  return std::unexpected(SdpBuildError{kind, std::move(message)});
}

// A free-text field (s=, a=tool:) may hold spaces but never a line break or NUL; the parser
// trims trailing blanks, so they are refused too.
bool IsTextField(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return s.empty() || (s.back() != ' ' && s.back() != '\t');
}

// A token (cname, base64, profile id) has no blanks, no line breaks and no ';' (fmtp separator).
bool IsToken(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == ';') return false;
  }
  return !s.empty();
}

MediaDescription BaseMedia(const ConfcastSdpParams& p, SdpMediaType type, std::uint16_t port,
                           std::uint8_t pt, std::uint32_t ssrc, std::optional<std::uint32_t> kbps) {
  MediaDescription m;
  m.type = type;
  m.port = port;
  m.proto = p.avpf ? "RTP/AVPF" : "RTP/AVP";
  m.payload_types = {pt};
  if (kbps) {
    m.bandwidths.push_back(SdpBandwidth{"AS", *kbps});
    m.bandwidths.push_back(SdpBandwidth{"TIAS", std::uint64_t{*kbps} * 1000});
  }
  m.rtcp = SdpRtcpAttribute{static_cast<std::uint16_t>(port + 1), std::nullopt};
  if (p.abs_capture_time_id != 0) {
    m.extmaps.push_back(ExtMap{p.abs_capture_time_id, std::nullopt,
                               std::string(kSdpAbsCaptureTimeUri), std::nullopt});
  }
  if (!p.cname.empty()) m.ssrcs.push_back(SsrcAttribute{ssrc, "cname", p.cname});
  return m;
}

}  // namespace

std::expected<SessionDescription, SdpBuildError> BuildConfcastSdp(const ConfcastSdpParams& p) {
  if (!p.video && !p.audio) {
    return Error(SdpBuildErrorKind::kNoMedia, "the session has neither video nor audio");
  }
  if (p.base_port % 2 != 0) {
    return Error(SdpBuildErrorKind::kOddBasePort,
                 "base port " + std::to_string(p.base_port) +
                     " is odd; RTP uses an even port and RTCP the next odd one, e.g. 15550");
  }
  if (p.base_port > UINT16_MAX - 3) {
    return Error(SdpBuildErrorKind::kPortOverflow,
                 "base port " + std::to_string(p.base_port) +
                     " leaves no room for P+1..P+3; use a port <= 65532");
  }
  const bool v4 = IsIpv4Literal(p.group);
  if (!v4 && !IsIpv6Literal(p.group)) {
    return Error(SdpBuildErrorKind::kBadGroup,
                 "group " + Quote(p.group) +
                     " is not an IPv4 or IPv6 address literal, e.g. 239.0.0.11 or ff15::11");
  }
  if (p.ssm_source && !(v4 ? IsIpv4Literal(*p.ssm_source) : IsIpv6Literal(*p.ssm_source))) {
    return Error(SdpBuildErrorKind::kBadSource,
                 "SSM source " + Quote(*p.ssm_source) + " is not an " + (v4 ? "IPv4" : "IPv6") +
                     " address literal like the group " + Quote(p.group));
  }
  const bool origin_v6 = IsIpv6Literal(p.origin_address);
  if (!origin_v6 && !IsIpv4Literal(p.origin_address) && !IsHostName(p.origin_address)) {
    return Error(SdpBuildErrorKind::kBadToken,
                 "origin address " + Quote(p.origin_address) + " is not an address or host name");
  }
  if (!IsTextField(p.session_name) || !IsTextField(p.tool)) {
    return Error(SdpBuildErrorKind::kBadToken,
                 "session name or tool contains a line break or ends in a blank");
  }
  if (!IsToken(p.profile_level_id) ||
      (!p.sprop_parameter_sets.empty() && !IsToken(p.sprop_parameter_sets)) ||
      (!p.cname.empty() && !IsToken(p.cname))) {
    return Error(SdpBuildErrorKind::kBadToken,
                 "profile-level-id, sprop-parameter-sets or cname is empty or contains a blank, "
                 "';' or control character");
  }

  SessionDescription s;
  s.origin = SdpOrigin{
      "-", p.session_id, p.session_version, "IN", origin_v6 ? "IP6" : "IP4", p.origin_address};
  s.session_name = p.session_name;
  SdpConnection c{v4 ? SdpAddrType::kIp4 : SdpAddrType::kIp6, p.group, std::nullopt, std::nullopt};
  // RFC 8866 5.7: IPv4 multicast carries a TTL (ffmpeg needs it); IPv6 never does.
  if (v4 && IsMulticastAddress(p.group)) c.ttl = p.ttl;
  s.connection = c;
  if (!p.tool.empty()) s.attributes.push_back(SdpAttribute{"tool", p.tool});
  if (p.ssm_source) {
    s.source_filters.push_back(SourceFilter{true, c.addr_type, p.group, {*p.ssm_source}});
  }

  if (p.video) {
    MediaDescription m = BaseMedia(p, SdpMediaType::kVideo, p.base_port, kConfcastVideoPayloadType,
                                   p.video_ssrc, p.video_kbps);
    m.rtpmaps.push_back(RtpMap{kConfcastVideoPayloadType, "H264", 90000, std::nullopt});
    Fmtp f{kConfcastVideoPayloadType,
           {{"packetization-mode", "1"}, {"profile-level-id", p.profile_level_id}},
           {}};
    if (!p.sprop_parameter_sets.empty()) {
      f.parameters.push_back({"sprop-parameter-sets", p.sprop_parameter_sets});
    }
    m.fmtps.push_back(std::move(f));
    if (p.avpf) {
      m.rtcp_feedback = {{kConfcastVideoPayloadType, "nack", std::nullopt},
                         {kConfcastVideoPayloadType, "nack", "pli"},
                         {kConfcastVideoPayloadType, "ccm", "fir"}};
    }
    s.media.push_back(std::move(m));
  }
  if (p.audio) {
    const auto port = static_cast<std::uint16_t>(p.base_port + 2);
    MediaDescription m = BaseMedia(p, SdpMediaType::kAudio, port, kConfcastAudioPayloadType,
                                   p.audio_ssrc, p.audio_kbps);
    m.rtpmaps.push_back(RtpMap{kConfcastAudioPayloadType, "opus", 48000, 2});
    m.fmtps.push_back(
        Fmtp{kConfcastAudioPayloadType, {{"minptime", "10"}, {"useinbandfec", "1"}}, {}});
    s.media.push_back(std::move(m));
  }
  return s;
}

}  // namespace confcast::rtp
