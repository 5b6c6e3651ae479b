// SDP value model accessors and the text helpers the parser, writer and builder share:
// decimal numbers, whitespace tokens, IPv4/IPv6 literal syntax (RFC 8866 section 9 grammar,
// IP4-address / IP6-address, which defers to RFC 4291 2.2 for IPv6 text), and the
// "<address>[/<ttl>][/<count>]" connection address form of RFC 8866 5.7.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/sdp.h"
#include "sdp_internal.h"

namespace confcast::rtp {
namespace sdp_internal {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::optional<std::uint64_t> ParseDecimal(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsIpv4Literal(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    while (n < s.size() && IsDigit(s[n])) ++n;
    if (n == 0 || n > 3 || !ParseDecimal(s.substr(0, n), 255)) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) return parts == 4;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
}

// RFC 4291 2.2: up to eight 16-bit hex groups, one "::" standing for one or more zero groups,
// and optionally a dotted IPv4 address in place of the last two groups.
bool IsIpv6Literal(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.starts_with("::")) {
    compressed = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (s.front() == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t n = 0;
    while (i + n < s.size() && IsHexDigit(s[i + n])) ++n;
    if (i + n < s.size() && s[i + n] == '.') {  // embedded IPv4 tail
      if (!IsIpv4Literal(s.substr(i))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (n == 0 || n > 4) return false;
    ++groups;
    i += n;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // a single trailing colon
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  bool letter = false;
  std::size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    if (IsAlpha(c)) letter = true;
    if (++label > 63) return false;
  }
  return letter && label != 0;
}

std::optional<SdpConnection> ParseConnectionAddress(SdpAddrType type, std::string_view text,
                                                    AddressError& error) {
  const std::size_t slash = text.find('/');
  SdpConnection c;
  c.addr_type = type;
  c.address = std::string(text.substr(0, slash));
  const bool literal =
      type == SdpAddrType::kIp4 ? IsIpv4Literal(c.address) : IsIpv6Literal(c.address);
  if (!literal && !IsHostName(c.address)) {
    error = {SdpErrorKind::kBadConnection,
             "c= has " + std::string(ToString(type)) + " address " + Quote(c.address) +
                 " that is neither an " + std::string(ToString(type)) +
                 " literal nor a host name; expected e.g. " +
                 (type == SdpAddrType::kIp4 ? "'c=IN IP4 239.0.0.11/1'" : "'c=IN IP6 ff15::11'")};
    return std::nullopt;
  }
  if (slash == std::string_view::npos) return c;
  std::string_view rest = text.substr(slash + 1);
  const bool multicast = literal && IsMulticastAddress(c.address);
  if (type == SdpAddrType::kIp4) {
    if (!multicast) {
      error = {SdpErrorKind::kBadTtl, "c= gives a TTL " + Quote(rest) + " for " + Quote(c.address) +
                                          ", which is not an IPv4 multicast address"};
      return std::nullopt;
    }
    const std::size_t next = rest.find('/');
    const auto ttl = ParseDecimal(rest.substr(0, next), 255);
    if (!ttl) {
      error = {SdpErrorKind::kBadTtl,
               "c= has TTL " + Quote(rest.substr(0, next)) +
                   "; expected a number 0..255 as in 'c=IN IP4 239.0.0.11/1'"};
      return std::nullopt;
    }
    c.ttl = static_cast<std::uint8_t>(*ttl);
    if (next == std::string_view::npos) return c;
    rest = rest.substr(next + 1);
  } else if (!multicast) {
    error = {SdpErrorKind::kBadConnection, "c= gives an address count " + Quote(rest) + " for " +
                                               Quote(c.address) +
                                               ", which is not an IPv6 multicast address"};
    return std::nullopt;
  }
  const auto count = ParseDecimal(rest, UINT32_MAX);
  if (!count || *count == 0) {
    error = {SdpErrorKind::kBadConnection,
             "c= has address count " + Quote(rest) + "; expected a number of addresses >= 1"};
    return std::nullopt;
  }
  c.count = static_cast<std::uint32_t>(*count);
  return c;
}

std::string FormatConnectionAddress(const SdpConnection& c) {
  // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict, a false positive) on the
  // temporary of "/" + std::to_string(n).
  std::string out = c.address;
  if (c.ttl) out.append("/").append(std::to_string(*c.ttl));
  if (c.count) out.append("/").append(std::to_string(*c.count));
  return out;
}

std::string Quote(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::optional<SdpDirection> ParseDirection(std::string_view s) {
  if (s == "sendrecv") return SdpDirection::kSendRecv;
  if (s == "sendonly") return SdpDirection::kSendOnly;
  if (s == "recvonly") return SdpDirection::kRecvOnly;
  if (s == "inactive") return SdpDirection::kInactive;
  return std::nullopt;
}

}  // namespace sdp_internal

using sdp_internal::EqualsIgnoreCase;

std::string_view ToString(SdpAddrType type) {
  return type == SdpAddrType::kIp4 ? "IP4" : "IP6";
}

std::string_view ToString(SdpDirection dir) {
  switch (dir) {
    case SdpDirection::kSendRecv:
      return "sendrecv";
    case SdpDirection::kSendOnly:
      return "sendonly";
    case SdpDirection::kRecvOnly:
      return "recvonly";
    case SdpDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

bool IsMulticastAddress(std::string_view literal) {
  if (sdp_internal::IsIpv4Literal(literal)) {
    const auto first = sdp_internal::ParseDecimal(literal.substr(0, literal.find('.')), 255);
    return first && *first >= 224 && *first <= 239;
  }
  // ff00::/8: the first group has four digits and starts with "ff".
  return sdp_internal::IsIpv6Literal(literal) && literal.size() >= 5 && literal[4] == ':' &&
         EqualsIgnoreCase(literal.substr(0, 2), "ff");
}

std::optional<std::string_view> Fmtp::Get(std::string_view key) const {
  for (const auto& p : parameters) {
    if (EqualsIgnoreCase(p.key, key)) return std::string_view(p.value);
  }
  return std::nullopt;
}

std::string_view MediaDescription::TypeName() const {
  switch (type) {
    case SdpMediaType::kVideo:
      return "video";
    case SdpMediaType::kAudio:
      return "audio";
    case SdpMediaType::kOther:
      break;
  }
  return other_type;
}

bool MediaDescription::IsRtp() const {
  // "RTP/AVP", "RTP/AVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF", "TCP/RTP/AVP": an "RTP" component.
  std::string_view p = proto;
  while (true) {
    const std::size_t slash = p.find('/');
    if (p.substr(0, slash) == "RTP") return true;
    if (slash == std::string_view::npos) return false;
    p.remove_prefix(slash + 1);
  }
}

const RtpMap* MediaDescription::FindRtpMap(std::uint8_t payload_type) const {
  for (const auto& r : rtpmaps) {
    if (r.payload_type == payload_type) return &r;
  }
  return nullptr;
}

const Fmtp* MediaDescription::FindFmtp(std::uint8_t payload_type) const {
  for (const auto& f : fmtps) {
    if (f.payload_type == payload_type) return &f;
  }
  return nullptr;
}

std::optional<std::uint64_t> MediaDescription::FindBandwidth(std::string_view bw_type) const {
  for (const auto& b : bandwidths) {
    if (EqualsIgnoreCase(b.type, bw_type)) return b.value;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> MediaDescription::RtcpPort() const {
  if (rtcp) return rtcp->port;
  if (rtcp_mux) return port;
  if (port == UINT16_MAX) return std::nullopt;
  return static_cast<std::uint16_t>(port + 1);
}

const MediaDescription* SessionDescription::FindMedia(SdpMediaType t) const {
  for (const auto& m : media) {
    if (m.type == t) return &m;
  }
  return nullptr;
}

const SdpConnection* SessionDescription::EffectiveConnection(const MediaDescription& m) const {
  if (m.connection) return &*m.connection;
  return connection ? &*connection : nullptr;
}

const std::vector<SourceFilter>& SessionDescription::EffectiveSourceFilters(
    const MediaDescription& m) const {
  return m.source_filters.empty() ? source_filters : m.source_filters;
}

std::string_view ToString(SdpErrorKind kind) {
  switch (kind) {
    case SdpErrorKind::kTooLarge:
      return "too-large";
    case SdpErrorKind::kTooManyLines:
      return "too-many-lines";
    case SdpErrorKind::kLineTooLong:
      return "line-too-long";
    case SdpErrorKind::kBadCharacter:
      return "bad-character";
    case SdpErrorKind::kBadLine:
      return "bad-line";
    case SdpErrorKind::kMissingVersion:
      return "missing-version";
    case SdpErrorKind::kBadVersion:
      return "bad-version";
    case SdpErrorKind::kBadOrigin:
      return "bad-origin";
    case SdpErrorKind::kBadConnection:
      return "bad-connection";
    case SdpErrorKind::kBadTtl:
      return "bad-ttl";
    case SdpErrorKind::kMissingConnection:
      return "missing-connection";
    case SdpErrorKind::kBadBandwidth:
      return "bad-bandwidth";
    case SdpErrorKind::kBadTiming:
      return "bad-timing";
    case SdpErrorKind::kBadMediaLine:
      return "bad-media-line";
    case SdpErrorKind::kBadPayloadType:
      return "bad-payload-type";
    case SdpErrorKind::kBadRtpmap:
      return "bad-rtpmap";
    case SdpErrorKind::kUnknownPayloadType:
      return "unknown-payload-type";
    case SdpErrorKind::kDuplicatePayloadType:
      return "duplicate-payload-type";
    case SdpErrorKind::kBadAttribute:
      return "bad-attribute";
  }
  return "unknown";
}

std::string FormatSdpError(const SdpError& error) {
  if (error.line == 0) return "SDP: " + error.message;
  return "SDP line " + std::to_string(error.line) + ": " + error.message;
}

}  // namespace confcast::rtp
