// SDP parser (RFC 8866). How it works:
//  1. Bounds first: the whole input, each line and the number of non-empty lines are capped
//     (kMaxSdp*), so a hostile file costs at most a few hundred kilobytes and one pass.
//  2. Lines end in LF or CRLF (RFC 8866 5 asks for CRLF but says parsers should accept LF);
//     trailing blanks are dropped, empty lines skipped, NUL and stray CR rejected.
//  3. The first line must be v=0. Lines up to the first m= describe the session, each m= starts
//     a media description (RFC 8866 5). Field order is not enforced: ffmpeg, GStreamer and
//     hand-written files get it wrong in harmless ways.
//  4. Fields confcast uses are parsed into typed values and rejected with a line number when
//     unusable (a bad port, payload type, address, TTL, rtpmap). Single-occurrence fields seen
//     a second time, unknown attributes and unknown line types are kept verbatim, so the writer
//     can reproduce them (a second c= in a media is legal for layered multicast, RFC 8866 5.7).
//  5. Every media must end up with a connection address, its own or the session's (5.7).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/sdp.h"
#include "sdp_internal.h"

namespace confcast::rtp {
namespace {

using namespace sdp_internal;

struct Line {
  std::size_t number = 0;
  char type = 0;
  std::string_view value;
  std::string_view text;  // "x=value", for lines kept verbatim
};

// "name:value" or "name" (RFC 8866 5.13); the value is kept verbatim.
SdpAttribute SplitAttribute(std::string_view value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos) return {std::string(value), std::nullopt};
  return {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

class Parser {
 public:
  std::expected<SessionDescription, SdpError> Run(std::string_view text);

 private:
  bool Fail(const Line& l, SdpErrorKind kind, std::string message) {
    error_ = SdpError{l.number, kind, std::move(message)};
    return false;
  }
  bool SplitLines(std::string_view text);
  bool SessionLine(const Line& l);
  bool MediaLine(const Line& l, MediaDescription& m);
  bool ParseOrigin(const Line& l);
  std::optional<SdpConnection> ParseConnection(const Line& l);
  bool ParseBandwidth(const Line& l, std::vector<SdpBandwidth>& out);
  bool ParseTiming(const Line& l);
  bool ParseMediaHeader(const Line& l, MediaDescription& m);
  bool MediaAttribute(const Line& l, MediaDescription& m);
  bool Report(const Line& l, TextError& e) { return Fail(l, e.kind, std::move(e.message)); }

  std::vector<Line> lines_;
  SdpError error_;
  SessionDescription sdp_;
  bool seen_origin_ = false, seen_name_ = false, seen_timing_ = false;
};

bool Parser::SplitLines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 BOM from an editor
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t lf = text.find('\n');
    std::string_view raw = text.substr(0, lf);
    text = lf == std::string_view::npos ? std::string_view() : text.substr(lf + 1);
    if (raw.ends_with('\r')) raw.remove_suffix(1);
    Line l{number, 0, {}, {}};
    if (raw.size() > kMaxSdpLineLength) {
      return Fail(l, SdpErrorKind::kLineTooLong,
                  "line is " + std::to_string(raw.size()) + " bytes long; the limit is " +
                      std::to_string(kMaxSdpLineLength));
    }
    if (raw.find('\0') != std::string_view::npos || raw.find('\r') != std::string_view::npos) {
      return Fail(l, SdpErrorKind::kBadCharacter,
                  "line contains a NUL or carriage return character; SDP is text with one "
                  "'<type>=<value>' per line");
    }
    raw = Trim(raw);
    if (raw.empty()) continue;
    if (lines_.size() == kMaxSdpLines) {
      return Fail(
          l, SdpErrorKind::kTooManyLines,
          "more than " + std::to_string(kMaxSdpLines) + " lines; not a session description");
    }
    const char t = raw[0];
    if (raw.size() < 2 || raw[1] != '=' || !((t >= 'a' && t <= 'z') || (t >= 'A' && t <= 'Z'))) {
      return Fail(
          l, SdpErrorKind::kBadLine,
          "line " + Quote(raw) + " is not of the form '<letter>=<value>', e.g. 'a=recvonly'");
    }
    lines_.push_back(Line{number, t, raw.substr(2), raw});
  }
  return true;
}

bool Parser::ParseOrigin(const Line& l) {
  const auto t = SplitWhitespace(l.value);
  std::optional<std::uint64_t> id, version;
  if (t.size() == 6) {
    id = ParseDecimal(t[1], UINT64_MAX);
    version = ParseDecimal(t[2], UINT64_MAX);
  }
  if (!id || !version) {
    return Fail(l, SdpErrorKind::kBadOrigin,
                "o= line " + Quote(l.value) +
                    " is malformed; expected '<user> <numeric id> <numeric version> IN IP4 "
                    "<address>', e.g. 'o=- 0 0 IN IP4 127.0.0.1'");
  }
  sdp_.origin = SdpOrigin{std::string(t[0]), *id, *version, std::string(t[3]), std::string(t[4]),
                          std::string(t[5])};
  return true;
}

std::optional<SdpConnection> Parser::ParseConnection(const Line& l) {
  const auto t = SplitWhitespace(l.value);
  if (t.size() != 3 || t[0] != "IN" || (t[1] != "IP4" && t[1] != "IP6")) {
    Fail(l, SdpErrorKind::kBadConnection,
         "c= line " + Quote(l.value) +
             " is malformed; expected 'IN IP4 <address>[/<ttl>]' or 'IN IP6 <address>', e.g. "
             "'c=IN IP4 239.0.0.11/1'");
    return std::nullopt;
  }
  AddressError e{};
  auto c = ParseConnectionAddress(t[1] == "IP4" ? SdpAddrType::kIp4 : SdpAddrType::kIp6, t[2], e);
  if (!c) Fail(l, e.kind, std::move(e.message));
  return c;
}

bool Parser::ParseBandwidth(const Line& l, std::vector<SdpBandwidth>& out) {
  const std::size_t colon = l.value.find(':');
  const std::string_view type = l.value.substr(0, colon);
  std::optional<std::uint64_t> value;
  if (colon != std::string_view::npos && !type.empty() &&
      type.find_first_of(" \t") == std::string_view::npos) {
    value = ParseDecimal(l.value.substr(colon + 1), UINT64_MAX);
  }
  if (!value) {
    return Fail(l, SdpErrorKind::kBadBandwidth,
                "b= line " + Quote(l.value) +
                    " is malformed; expected '<type>:<number>', e.g. 'b=AS:2000'");
  }
  out.push_back(SdpBandwidth{std::string(type), *value});
  return true;
}

bool Parser::ParseTiming(const Line& l) {
  const auto t = SplitWhitespace(l.value);
  std::optional<std::uint64_t> start, stop;
  if (t.size() == 2) {
    start = ParseDecimal(t[0], UINT64_MAX);
    stop = ParseDecimal(t[1], UINT64_MAX);
  }
  if (!start || !stop) {
    return Fail(
        l, SdpErrorKind::kBadTiming,
        "t= line " + Quote(l.value) + " is malformed; expected '<start> <stop>', e.g. 't=0 0'");
  }
  if (!seen_timing_) sdp_.timings.clear();
  seen_timing_ = true;
  sdp_.timings.push_back(SdpTiming{*start, *stop, {}});
  return true;
}

bool Parser::SessionLine(const Line& l) {
  auto keep = [&] {
    sdp_.other_lines.emplace_back(l.text);
    return true;
  };
  auto set_once = [&](std::optional<std::string>& field) {
    if (field) return keep();
    field = std::string(l.value);
    return true;
  };
  switch (l.type) {
    case 'o':
      if (seen_origin_) return keep();
      seen_origin_ = true;
      return ParseOrigin(l);
    case 's':
      if (seen_name_) return keep();
      seen_name_ = true;
      sdp_.session_name = std::string(l.value);
      return true;
    case 'i':
      return set_once(sdp_.info);
    case 'u':
      return set_once(sdp_.uri);
    case 'e':
      sdp_.emails.emplace_back(l.value);
      return true;
    case 'p':
      sdp_.phones.emplace_back(l.value);
      return true;
    case 'c': {
      if (sdp_.connection) return keep();
      auto c = ParseConnection(l);
      if (!c) return false;
      sdp_.connection = std::move(*c);
      return true;
    }
    case 'b':
      return ParseBandwidth(l, sdp_.bandwidths);
    case 't':
      return ParseTiming(l);
    case 'r':
      if (!seen_timing_) {
        return Fail(l, SdpErrorKind::kBadTiming,
                    "r= line comes before any t= line it could repeat");
      }
      sdp_.timings.back().repeats.emplace_back(l.value);
      return true;
    case 'z':
      return set_once(sdp_.time_zones);
    case 'k':
      return set_once(sdp_.key);
    case 'a': {
      SdpAttribute a = SplitAttribute(l.value);
      if (!a.value) {
        if (auto dir = ParseDirection(a.name); dir && !sdp_.direction) {
          sdp_.direction = dir;
          return true;
        }
      } else if (a.name == "source-filter") {
        TextError e{};
        return ParseSourceFilterValue(*a.value, sdp_.source_filters, e) || Report(l, e);
      }
      sdp_.attributes.push_back(std::move(a));
      return true;
    }
    default:
      return keep();  // v= again, or a type RFC 8866 does not define
  }
}

bool Parser::ParseMediaHeader(const Line& l, MediaDescription& m) {
  const auto t = SplitWhitespace(l.value);
  if (t.size() < 4) {
    return Fail(l, SdpErrorKind::kBadMediaLine,
                "m= line " + Quote(l.value) +
                    " needs '<media> <port> <proto> <format>...'; expected e.g. 'm=video 15550 "
                    "RTP/AVP 96'");
  }
  if (t[0] == "video") {
    m.type = SdpMediaType::kVideo;
  } else if (t[0] == "audio") {
    m.type = SdpMediaType::kAudio;
  } else {
    m.type = SdpMediaType::kOther;
    m.other_type = std::string(t[0]);
  }
  const std::size_t slash = t[1].find('/');
  const auto port = ParseDecimal(t[1].substr(0, slash), UINT16_MAX);
  if (!port) {
    return Fail(l, SdpErrorKind::kBadMediaLine,
                "m= line has a non-numeric port " + Quote(t[1].substr(0, slash)) +
                    "; expected e.g. 'm=video 15550 RTP/AVP 96'");
  }
  m.port = static_cast<std::uint16_t>(*port);
  if (slash != std::string_view::npos) {
    const auto count = ParseDecimal(t[1].substr(slash + 1), UINT16_MAX);
    if (!count || *count == 0) {
      return Fail(l, SdpErrorKind::kBadMediaLine,
                  "m= line has port count " + Quote(t[1].substr(slash + 1)) +
                      "; expected a number >= 1 as in 'm=video 15550/2 RTP/AVP 96'");
    }
    m.port_count = static_cast<std::uint16_t>(*count);
  }
  m.proto = std::string(t[2]);
  for (std::size_t i = 3; i < t.size(); ++i) {
    if (!m.IsRtp()) {
      m.formats.emplace_back(t[i]);
      continue;
    }
    TextError e{};
    const auto pt = ParsePayloadType(e, t[i], "m= line");
    if (!pt) return Report(l, e);
    m.payload_types.push_back(*pt);
  }
  return true;
}

bool Parser::MediaLine(const Line& l, MediaDescription& m) {
  auto keep = [&] {
    m.other_lines.emplace_back(l.text);
    return true;
  };
  switch (l.type) {
    case 'i':
      if (m.title) return keep();
      m.title = std::string(l.value);
      return true;
    case 'c': {
      if (m.connection) return keep();
      auto c = ParseConnection(l);
      if (!c) return false;
      m.connection = std::move(*c);
      return true;
    }
    case 'b':
      return ParseBandwidth(l, m.bandwidths);
    case 'k':
      if (m.key) return keep();
      m.key = std::string(l.value);
      return true;
    case 'a':
      return MediaAttribute(l, m);
    default:
      return keep();
  }
}

bool Parser::MediaAttribute(const Line& l, MediaDescription& m) {
  SdpAttribute a = SplitAttribute(l.value);
  const std::string_view v = a.value ? Trim(*a.value) : std::string_view();
  if (!a.value) {
    if (a.name == "rtcp-mux" && !m.rtcp_mux) {
      m.rtcp_mux = true;
      return true;
    }
    if (auto dir = ParseDirection(a.name); dir && !m.direction) {
      m.direction = dir;
      return true;
    }
  } else if (a.name == "rtpmap" || a.name == "fmtp" || a.name == "rtcp-fb" ||
             (a.name == "rtcp" && !m.rtcp) || a.name == "extmap" || a.name == "ssrc" ||
             a.name == "source-filter") {
    // rtpmap, fmtp and rtcp-fb name RTP payload types; other protos keep them verbatim.
    const bool rtp_only = a.name == "rtpmap" || a.name == "fmtp" || a.name == "rtcp-fb";
    if (!rtp_only || m.IsRtp()) {
      TextError e{};
      bool ok = false;
      if (a.name == "rtpmap") ok = ParseRtpMapValue(v, m, e);
      if (a.name == "fmtp") ok = ParseFmtpValue(v, m, e);
      if (a.name == "rtcp-fb") ok = ParseRtcpFbValue(v, m, e);
      if (a.name == "rtcp") ok = ParseRtcpValue(v, m, e);
      if (a.name == "extmap") ok = ParseExtMapValue(v, m, e);
      if (a.name == "ssrc") ok = ParseSsrcValue(v, m, e);
      if (a.name == "source-filter") ok = ParseSourceFilterValue(v, m.source_filters, e);
      return ok || Report(l, e);
    }
  } else if (a.name == "mid" && !m.mid) {
    m.mid = std::string(v);
    return true;
  }
  m.attributes.push_back(std::move(a));
  return true;
}

std::expected<SessionDescription, SdpError> Parser::Run(std::string_view text) {
  if (text.size() > kMaxSdpBytes) {
    return std::unexpected(SdpError{0, SdpErrorKind::kTooLarge,
                                    "input is " + std::to_string(text.size()) +
                                        " bytes; a session description is at most " +
                                        std::to_string(kMaxSdpBytes)});
  }
  if (!SplitLines(text)) return std::unexpected(error_);
  if (lines_.empty() || lines_[0].type != 'v') {
    const std::size_t n = lines_.empty() ? 0 : lines_[0].number;
    return std::unexpected(SdpError{
        n, SdpErrorKind::kMissingVersion,
        "a session description starts with 'v=0'; this input does not (is it an SDP file?)"});
  }
  if (lines_[0].value != "0") {
    return std::unexpected(SdpError{lines_[0].number, SdpErrorKind::kBadVersion,
                                    "v=" + std::string(lines_[0].value) +
                                        " is not a version this parser knows; expected 'v=0'"});
  }
  std::vector<std::size_t> media_lines;
  for (std::size_t i = 1; i < lines_.size(); ++i) {
    const Line& l = lines_[i];
    if (l.type == 'm') {
      sdp_.media.emplace_back();
      media_lines.push_back(l.number);
      if (!ParseMediaHeader(l, sdp_.media.back())) return std::unexpected(error_);
      continue;
    }
    const bool ok = sdp_.media.empty() ? SessionLine(l) : MediaLine(l, sdp_.media.back());
    if (!ok) return std::unexpected(error_);
  }
  for (std::size_t i = 0; i < sdp_.media.size(); ++i) {
    const MediaDescription& m = sdp_.media[i];
    if (!sdp_.EffectiveConnection(m)) {
      return std::unexpected(SdpError{
          media_lines[i], SdpErrorKind::kMissingConnection,
          "m=" + std::string(m.TypeName()) +
              " has no c= line and the session has none; add e.g. 'c=IN IP4 239.0.0.11/1'"});
    }
  }
  return std::move(sdp_);
}

}  // namespace

std::expected<SessionDescription, SdpError> ParseSdp(std::string_view text) {
  return Parser().Run(text);
}

std::expected<SessionDescription, SdpError> ParseSdp(std::span<const std::uint8_t> bytes) {
  // char may alias any object, so viewing the bytes as characters is well defined.
  return ParseSdp(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace confcast::rtp
