// SDP (RFC 8866) session descriptions: a value model, a writer, a tolerant but bounded parser,
// and a builder for the session a confcast sender announces.
//
// The model keeps what confcast, ffmpeg and GStreamer use as typed fields (connection, rtpmap,
// fmtp, a=rtcp, a=extmap, a=ssrc, a=source-filter, a=rtcp-fb, direction, ...) and everything
// else in order as raw attributes or raw lines, so ParseSdp(SerializeSdp(x)) == x for any x that
// ParseSdp produced. The writer emits CRLF lines in the RFC 8866 section 5 order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace confcast::rtp {

// Limits that keep a pathological input from costing memory or time. Inputs beyond them are
// rejected (kTooLarge, kTooManyLines, kLineTooLong).
inline constexpr std::size_t kMaxSdpBytes = 64 * 1024;
inline constexpr std::size_t kMaxSdpLines = 2000;  // non-empty lines
inline constexpr std::size_t kMaxSdpLineLength = 4096;

// The abs-capture-time header extension's URI for a=extmap (same string as main's
// abs_capture_time.h kAbsCaptureTimeUri; kept separate so this header stands alone).
inline constexpr std::string_view kSdpAbsCaptureTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

enum class SdpAddrType : std::uint8_t { kIp4, kIp6 };
enum class SdpMediaType : std::uint8_t { kVideo, kAudio, kOther };
enum class SdpDirection : std::uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };

std::string_view ToString(SdpAddrType type);        // "IP4", "IP6"
std::string_view ToString(SdpDirection dir);        // "sendrecv", ...
bool IsMulticastAddress(std::string_view literal);  // IPv4 224/4 or IPv6 ff00::/8 literal

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 5.2).
// The origin is not used for anything but identification, so its tokens are kept verbatim.
struct SdpOrigin {
  std::string username = "-";
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "127.0.0.1";
  friend bool operator==(const SdpOrigin&, const SdpOrigin&) = default;
};

// c=IN <IP4|IP6> <address>[/<ttl>][/<count>] (RFC 8866 5.7). The TTL exists only for IPv4
// multicast; IPv6 multicast carries only the optional address count.
struct SdpConnection {
  SdpAddrType addr_type = SdpAddrType::kIp4;
  std::string address;  // IPv4/IPv6 literal, or a host name for unicast
  std::optional<std::uint8_t> ttl;
  std::optional<std::uint32_t> count;
  bool IsMulticast() const { return IsMulticastAddress(address); }
  friend bool operator==(const SdpConnection&, const SdpConnection&) = default;
};

// b=<bwtype>:<bandwidth> (RFC 8866 5.8; TIAS RFC 3890; RS/RR RFC 3556). AS is kbit/s, TIAS
// bit/s, RS/RR bit/s of RTCP.
struct SdpBandwidth {
  std::string type;  // "AS", "TIAS", "RS", "RR", "CT", or any other token, kept
  std::uint64_t value = 0;
  friend bool operator==(const SdpBandwidth&, const SdpBandwidth&) = default;
};

// t=<start> <stop> followed by its r= lines (kept raw).
struct SdpTiming {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
  std::vector<std::string> repeats;
  friend bool operator==(const SdpTiming&, const SdpTiming&) = default;
};

// a=<name>[:<value>], kept verbatim when confcast has no typed field for it.
struct SdpAttribute {
  std::string name;
  std::optional<std::string> value;
  friend bool operator==(const SdpAttribute&, const SdpAttribute&) = default;
};

// a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>] (RFC 8866 6.6).
struct RtpMap {
  std::uint8_t payload_type = 0;
  std::string encoding;  // case kept, e.g. "H264", "opus"
  std::uint32_t clock_rate = 0;
  std::optional<std::uint32_t> channels;
  friend bool operator==(const RtpMap&, const RtpMap&) = default;
};

struct FmtpParameter {
  std::string key;
  std::string value;
  friend bool operator==(const FmtpParameter&, const FmtpParameter&) = default;
};

// a=fmtp:<pt> <params> (RFC 8866 6.15). A "k=v;k=v" list is split into ordered parameters
// (whitespace around them dropped, so ffmpeg's "a=1; b=2" parses); anything else is kept in raw.
struct Fmtp {
  std::uint8_t payload_type = 0;
  std::vector<FmtpParameter> parameters;
  std::string raw;  // only when the value is not a key=value list, e.g. "0-15"
  // Parameter names are case-insensitive (RFC 6838 media type parameters).
  std::optional<std::string_view> Get(std::string_view key) const;
  friend bool operator==(const Fmtp&, const Fmtp&) = default;
};

// a=rtcp:<port> [IN <addrtype> <address>] (RFC 3605).
struct SdpRtcpAttribute {
  std::uint16_t port = 0;
  std::optional<SdpConnection> address;
  friend bool operator==(const SdpRtcpAttribute&, const SdpRtcpAttribute&) = default;
};

// a=extmap:<id>[/<direction>] <uri> [<extension attributes>] (RFC 8285 section 7).
struct ExtMap {
  std::uint16_t id = 0;
  std::optional<SdpDirection> direction;
  std::string uri;
  std::optional<std::string> attributes;
  friend bool operator==(const ExtMap&, const ExtMap&) = default;
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 section 4.1), e.g. "cname:alice@host".
struct SsrcAttribute {
  std::uint32_t ssrc = 0;
  std::string attribute;
  std::optional<std::string> value;
  friend bool operator==(const SsrcAttribute&, const SsrcAttribute&) = default;
};

// a=source-filter:<incl|excl> IN <IP4|IP6|*> <dest|*> <src>... (RFC 4570 section 3).
struct SourceFilter {
  bool include = true;                   // incl / excl
  std::optional<SdpAddrType> addr_type;  // nullopt: "*" (both)
  std::string destination = "*";         // "*" or the group the filter applies to
  std::vector<std::string> sources;
  friend bool operator==(const SourceFilter&, const SourceFilter&) = default;
};

// a=rtcp-fb:<pt|*> <type> [<parameters>] (RFC 4585 section 4.2), e.g. "96 nack pli".
struct SdpRtcpFeedback {
  std::optional<std::uint8_t> payload_type;  // nullopt: "*"
  std::string type;                          // "nack", "ccm", "trr-int", ...
  std::optional<std::string> parameters;     // "pli", "fir", ...
  friend bool operator==(const SdpRtcpFeedback&, const SdpRtcpFeedback&) = default;
};

struct MediaDescription {
  SdpMediaType type = SdpMediaType::kVideo;
  std::string other_type;  // the media token when type is kOther ("application", "text", ...)
  std::uint16_t port = 0;
  std::optional<std::uint16_t> port_count;  // m=video 15550/2 ...
  std::string proto = "RTP/AVP";
  std::vector<std::uint8_t> payload_types;  // formats of an RTP proto
  std::vector<std::string> formats;         // formats of any other proto, kept verbatim
  std::optional<std::string> title;         // i=
  std::optional<SdpConnection> connection;  // first c=; later ones stay in other_lines
  std::vector<SdpBandwidth> bandwidths;
  std::optional<std::string> key;  // k= (obsolete, kept)
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::vector<SdpRtcpFeedback> rtcp_feedback;
  std::optional<SdpRtcpAttribute> rtcp;
  bool rtcp_mux = false;
  std::vector<ExtMap> extmaps;
  std::optional<SdpDirection> direction;
  std::optional<std::string> mid;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SourceFilter> source_filters;
  std::vector<SdpAttribute> attributes;  // every other a= line, in order
  std::vector<std::string> other_lines;  // unknown or repeated "x=..." lines, verbatim

  std::string_view TypeName() const;  // "video", "audio" or other_type
  bool IsRtp() const;                 // the proto has an RTP component (RTP/AVP, UDP/TLS/RTP/..)
  const RtpMap* FindRtpMap(std::uint8_t payload_type) const;
  const Fmtp* FindFmtp(std::uint8_t payload_type) const;
  std::optional<std::uint64_t> FindBandwidth(std::string_view type) const;
  // a=rtcp when present, else the RTP port with a=rtcp-mux (RFC 5761), else port + 1
  // (RFC 3550 11); nullopt when port + 1 does not exist.
  std::optional<std::uint16_t> RtcpPort() const;
  friend bool operator==(const MediaDescription&, const MediaDescription&) = default;
};

struct SessionDescription {
  SdpOrigin origin;
  std::string session_name;         // s=; the writer emits "s= " for an empty name (RFC 8866 5.3)
  std::optional<std::string> info;  // i=
  std::optional<std::string> uri;   // u=
  std::vector<std::string> emails;  // e=
  std::vector<std::string> phones;  // p=
  std::optional<SdpConnection> connection;
  std::vector<SdpBandwidth> bandwidths;
  std::vector<SdpTiming> timings = {SdpTiming{}};  // t=0 0 when the input has no t=
  std::optional<std::string> time_zones;           // z=
  std::optional<std::string> key;                  // k=
  std::optional<SdpDirection> direction;
  std::vector<SourceFilter> source_filters;
  std::vector<SdpAttribute> attributes;
  std::vector<std::string> other_lines;
  std::vector<MediaDescription> media;

  const MediaDescription* FindMedia(SdpMediaType type) const;  // the first one of that type
  // The media's own c= or else the session's (RFC 8866 5.7).
  const SdpConnection* EffectiveConnection(const MediaDescription& m) const;
  // The media's source filters, or else the session's (RFC 4570 3.2).
  const std::vector<SourceFilter>& EffectiveSourceFilters(const MediaDescription& m) const;
  friend bool operator==(const SessionDescription&, const SessionDescription&) = default;
};

enum class SdpErrorKind : std::uint8_t {
  kTooLarge,              // more than kMaxSdpBytes
  kTooManyLines,          // more than kMaxSdpLines
  kLineTooLong,           // a line longer than kMaxSdpLineLength
  kBadCharacter,          // NUL or a stray CR inside a line
  kBadLine,               // not "<letter>=<value>"
  kMissingVersion,        // the first line is not v=
  kBadVersion,            // v= other than 0
  kBadOrigin,             // o= malformed
  kBadConnection,         // c= malformed: net type, address type or address syntax
  kBadTtl,                // c= TTL not a number 0..255, or on a non-multicast address
  kMissingConnection,     // a media has no c= and the session has none
  kBadBandwidth,          // b= malformed
  kBadTiming,             // t= or r= malformed
  kBadMediaLine,          // m= malformed (port, proto, no formats)
  kBadPayloadType,        // a payload type that is not a number 0..127
  kBadRtpmap,             // a=rtpmap malformed
  kUnknownPayloadType,    // a=rtpmap or a=fmtp for a payload type not listed on the m= line
  kDuplicatePayloadType,  // a second a=rtpmap or a=fmtp for one payload type
  kBadAttribute,          // a=rtcp, a=extmap, a=ssrc, a=source-filter, a=rtcp-fb malformed
};

std::string_view ToString(SdpErrorKind kind);

struct SdpError {
  std::size_t line = 0;  // 1-based; 0 when the error is about the whole input
  SdpErrorKind kind = SdpErrorKind::kBadLine;
  std::string message;  // what was wrong and what was expected, no line prefix
  friend bool operator==(const SdpError&, const SdpError&) = default;
};

// One line for a user: "SDP line 4: m= line has a non-numeric port 'abc'; expected e.g.
// 'm=video 15550 RTP/AVP 96'".
std::string FormatSdpError(const SdpError& error);

// Accepts LF or CRLF line ends; keeps unknown attributes and lines; rejects what cannot be used.
std::expected<SessionDescription, SdpError> ParseSdp(std::string_view text);
std::expected<SessionDescription, SdpError> ParseSdp(std::span<const std::uint8_t> bytes);

// CRLF lines in RFC 8866 order: v o s i u e p c b t r z k (other lines) a, then per media
// m i c b k (other lines) a.
std::string SerializeSdp(const SessionDescription& sdp);

// What a confcast sender announces (see DESIGN.md "Protocol choices"): video H.264 on the base
// port P (RTCP on P+1), audio Opus on P+2 (RTCP on P+3), both to one group.
struct ConfcastSdpParams {
  std::string group = "239.0.0.11";  // IPv4 or IPv6 literal, multicast (or unicast for tests)
  std::uint8_t ttl = 1;              // written only for IPv4 multicast
  std::uint16_t base_port = 15550;   // even
  std::string session_name = "confcast";
  std::string origin_address = "127.0.0.1";  // the sender's unicast address, for o=
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string tool = "confcast";
  bool avpf = true;  // RTP/AVPF with a=rtcp-fb nack, nack pli, ccm fir; else RTP/AVP
  bool video = true;
  bool audio = true;
  std::string profile_level_id = "42e01f";  // hex, as the encoder reports it
  std::string sprop_parameter_sets;         // "<base64 SPS>,<base64 PPS>"; empty: omitted
  std::uint32_t video_ssrc = 0;
  std::uint32_t audio_ssrc = 0;
  std::string cname;                        // a=ssrc:<ssrc> cname:<cname>; empty: no a=ssrc
  std::uint16_t abs_capture_time_id = 1;    // a=extmap id; 0: no extmap
  std::optional<std::uint32_t> video_kbps;  // b=AS and b=TIAS when set
  std::optional<std::uint32_t> audio_kbps;
  std::optional<std::string> ssm_source;  // a=source-filter: incl ... for SSM (232/8, ff3x::)
};

enum class SdpBuildErrorKind : std::uint8_t {
  kOddBasePort,   // RTP on even ports (RFC 3550 11)
  kPortOverflow,  // P+3 beyond 65535
  kBadGroup,      // not an IPv4/IPv6 literal
  kBadSource,     // ssm_source not a literal of the group's family
  kBadToken,      // a string that would break the SDP syntax (space, CR, LF, ...)
  kNoMedia,       // neither video nor audio
};

struct SdpBuildError {
  SdpBuildErrorKind kind = SdpBuildErrorKind::kBadGroup;
  std::string message;  // one line for the user
  friend bool operator==(const SdpBuildError&, const SdpBuildError&) = default;
};

inline constexpr std::uint8_t kConfcastVideoPayloadType = 96;
inline constexpr std::uint8_t kConfcastAudioPayloadType = 111;

std::expected<SessionDescription, SdpBuildError> BuildConfcastSdp(const ConfcastSdpParams& params);

}  // namespace confcast::rtp
