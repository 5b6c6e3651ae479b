// Parsers for the values of the media-level attributes confcast types (the text after
// "a=<name>:"): rtpmap (RFC 8866 6.6), fmtp (6.15), rtcp-fb (RFC 4585 4.2), rtcp (RFC 3605),
// extmap (RFC 8285 7), ssrc (RFC 5576 4.1) and source-filter (RFC 4570 3). Each appends its
// value to the media on success, or fills a TextError that the parser turns into an SdpError
// with the line number. They never read past the string_view they are given.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/sdp.h"
#include "sdp_internal.h"

namespace confcast::rtp::sdp_internal {
namespace {

bool Fail(TextError& e, SdpErrorKind kind, std::string message) {
  e = TextError{kind, std::move(message)};
  return false;
}

}  // namespace

std::string_view RestAfterTokens(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t t = 0; t < n; ++t) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
  }
  return Trim(s.substr(i));
}

std::optional<std::uint8_t> ParsePayloadType(TextError& e, std::string_view token,
                                             std::string_view where) {
  const auto pt = ParseDecimal(token, 127);
  if (!pt) {
    Fail(e, SdpErrorKind::kBadPayloadType,
         std::string(where) + " has payload type " + Quote(token) +
             "; an RTP payload type is a number 0..127, e.g. 96");
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(*pt);
}

bool ParseRtpMapValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  if (t.empty()) return Fail(e, SdpErrorKind::kBadRtpmap, "a=rtpmap has no payload type");
  const auto pt = ParsePayloadType(e, t[0], "a=rtpmap");
  if (!pt) return false;
  RtpMap r{*pt, {}, 0, std::nullopt};
  bool ok = t.size() == 2;
  if (ok) {
    const std::string_view enc = t[1];
    const std::size_t s1 = enc.find('/');
    const std::size_t s2 = s1 == std::string_view::npos ? s1 : enc.find('/', s1 + 1);
    r.encoding = std::string(enc.substr(0, s1));
    const auto rate = s1 == std::string_view::npos
                          ? std::nullopt
                          : ParseDecimal(enc.substr(s1 + 1, s2 - s1 - 1), UINT32_MAX);
    ok = !r.encoding.empty() && rate && *rate > 0;
    if (ok) r.clock_rate = static_cast<std::uint32_t>(*rate);
    if (ok && s2 != std::string_view::npos) {
      const auto channels = ParseDecimal(enc.substr(s2 + 1), UINT32_MAX);
      ok = channels && *channels > 0;
      if (ok) r.channels = static_cast<std::uint32_t>(*channels);
    }
  }
  if (!ok) {
    return Fail(e, SdpErrorKind::kBadRtpmap,
                "a=rtpmap " + Quote(v) +
                    " is malformed; expected '<pt> <encoding>/<clock rate>[/<channels>]', e.g. "
                    "'a=rtpmap:96 H264/90000'");
  }
  if (std::find(m.payload_types.begin(), m.payload_types.end(), *pt) == m.payload_types.end()) {
    return Fail(
        e, SdpErrorKind::kUnknownPayloadType,
        "a=rtpmap for payload type " + std::to_string(*pt) + ", which the m= line does not list");
  }
  if (m.FindRtpMap(*pt)) {
    return Fail(e, SdpErrorKind::kDuplicatePayloadType,
                "a second a=rtpmap for payload type " + std::to_string(*pt));
  }
  m.rtpmaps.push_back(std::move(r));
  return true;
}

// Parameters are "key=value" separated by ';' (RFC 8866 6.15 leaves the syntax to the format;
// RFC 6184 8.2 and RFC 7587 7 use this form). Values may contain '=' (base64 padding).
bool ParseFmtpValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  if (t.empty()) return Fail(e, SdpErrorKind::kBadPayloadType, "a=fmtp has no payload type");
  const auto pt = ParsePayloadType(e, t[0], "a=fmtp");
  if (!pt) return false;
  if (std::find(m.payload_types.begin(), m.payload_types.end(), *pt) == m.payload_types.end()) {
    return Fail(
        e, SdpErrorKind::kUnknownPayloadType,
        "a=fmtp for payload type " + std::to_string(*pt) + ", which the m= line does not list");
  }
  if (m.FindFmtp(*pt)) {
    return Fail(e, SdpErrorKind::kDuplicatePayloadType,
                "a second a=fmtp for payload type " + std::to_string(*pt));
  }
  Fmtp f{*pt, {}, {}};
  const std::string_view params = RestAfterTokens(v, 1);
  bool key_value = true;
  std::string_view rest = params;
  while (key_value) {
    const std::size_t semi = rest.find(';');
    const std::string_view part = Trim(rest.substr(0, semi));
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      if (eq == 0 || eq == std::string_view::npos) {
        key_value = false;
        break;
      }
      f.parameters.push_back(FmtpParameter{std::string(Trim(part.substr(0, eq))),
                                           std::string(Trim(part.substr(eq + 1)))});
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  if (!key_value || f.parameters.empty()) {
    f.parameters.clear();
    f.raw = std::string(params);
  }
  m.fmtps.push_back(std::move(f));
  return true;
}

bool ParseRtcpFbValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  if (t.size() < 2) {
    return Fail(e, SdpErrorKind::kBadAttribute,
                "a=rtcp-fb " + Quote(v) + " is malformed; expected e.g. 'a=rtcp-fb:96 nack pli'");
  }
  SdpRtcpFeedback fb;
  if (t[0] != "*") {
    fb.payload_type = ParsePayloadType(e, t[0], "a=rtcp-fb");
    if (!fb.payload_type) return false;
  }
  fb.type = std::string(t[1]);
  if (const auto rest = RestAfterTokens(v, 2); !rest.empty()) fb.parameters = std::string(rest);
  m.rtcp_feedback.push_back(std::move(fb));
  return true;
}

bool ParseRtcpValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  std::optional<std::uint64_t> port;
  if (t.size() == 1 || t.size() == 4) port = ParseDecimal(t[0], UINT16_MAX);
  if (!port || (t.size() == 4 && (t[1] != "IN" || (t[2] != "IP4" && t[2] != "IP6")))) {
    return Fail(e, SdpErrorKind::kBadAttribute,
                "a=rtcp " + Quote(v) +
                    " is malformed; expected '<port> [IN IP4 <address>]', e.g. 'a=rtcp:15551'");
  }
  SdpRtcpAttribute r{static_cast<std::uint16_t>(*port), std::nullopt};
  if (t.size() == 4) {
    TextError ae{};
    r.address =
        ParseConnectionAddress(t[2] == "IP4" ? SdpAddrType::kIp4 : SdpAddrType::kIp6, t[3], ae);
    if (!r.address) return Fail(e, SdpErrorKind::kBadAttribute, "a=rtcp: " + ae.message);
  }
  m.rtcp = std::move(r);
  return true;
}

bool ParseExtMapValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  ExtMap x;
  bool ok = t.size() >= 2;
  if (ok) {
    const std::size_t slash = t[0].find('/');
    const auto id = ParseDecimal(t[0].substr(0, slash), UINT16_MAX);
    ok = id && *id > 0;
    if (ok) x.id = static_cast<std::uint16_t>(*id);
    if (ok && slash != std::string_view::npos) {
      x.direction = ParseDirection(t[0].substr(slash + 1));
      ok = x.direction.has_value();
    }
  }
  if (!ok) {
    return Fail(
        e, SdpErrorKind::kBadAttribute,
        "a=extmap " + Quote(v) +
            " is malformed; expected '<id 1..65535>[/<direction>] <uri>', e.g. 'a=extmap:1 " +
            std::string(kSdpAbsCaptureTimeUri) + "'");
  }
  x.uri = std::string(t[1]);
  if (const auto rest = RestAfterTokens(v, 2); !rest.empty()) x.attributes = std::string(rest);
  m.extmaps.push_back(std::move(x));
  return true;
}

bool ParseSsrcValue(std::string_view v, MediaDescription& m, TextError& e) {
  const auto t = SplitWhitespace(v);
  const auto ssrc = t.size() >= 2 ? ParseDecimal(t[0], UINT32_MAX) : std::nullopt;
  const std::string_view rest = RestAfterTokens(v, 1);
  const std::size_t colon = rest.find(':');
  if (!ssrc || colon == 0) {
    return Fail(e, SdpErrorKind::kBadAttribute,
                "a=ssrc " + Quote(v) +
                    " is malformed; expected '<ssrc> <attribute>[:<value>]', e.g. 'a=ssrc:1 "
                    "cname:alice'");
  }
  SsrcAttribute s{static_cast<std::uint32_t>(*ssrc), std::string(rest.substr(0, colon)),
                  std::nullopt};
  if (colon != std::string_view::npos) s.value = std::string(rest.substr(colon + 1));
  m.ssrcs.push_back(std::move(s));
  return true;
}

bool ParseSourceFilterValue(std::string_view v, std::vector<SourceFilter>& out, TextError& e) {
  const auto t = SplitWhitespace(v);
  SourceFilter f;
  bool ok = t.size() >= 5 && (t[0] == "incl" || t[0] == "excl") && t[1] == "IN" &&
            (t[2] == "IP4" || t[2] == "IP6" || t[2] == "*");
  if (ok) {
    f.include = t[0] == "incl";
    if (t[2] != "*") f.addr_type = t[2] == "IP4" ? SdpAddrType::kIp4 : SdpAddrType::kIp6;
    auto valid = [&](std::string_view a) {
      const bool v4 = IsIpv4Literal(a), v6 = IsIpv6Literal(a);
      if (f.addr_type == SdpAddrType::kIp4) return v4 || IsHostName(a);
      if (f.addr_type == SdpAddrType::kIp6) return v6 || IsHostName(a);
      return v4 || v6 || IsHostName(a);
    };
    ok = t[3] == "*" || valid(t[3]);
    f.destination = std::string(t[3]);
    for (std::size_t i = 4; ok && i < t.size(); ++i) {
      ok = valid(t[i]);
      f.sources.emplace_back(t[i]);
    }
  }
  if (!ok) {
    return Fail(e, SdpErrorKind::kBadAttribute,
                "a=source-filter " + Quote(v) +
                    " is malformed; expected '<incl|excl> IN <IP4|IP6|*> <group|*> <source>...', "
                    "e.g. 'a=source-filter: incl IN IP4 232.0.0.11 192.0.2.10'");
  }
  out.push_back(std::move(f));
  return true;
}

}  // namespace confcast::rtp::sdp_internal
