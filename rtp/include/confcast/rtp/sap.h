// SAP, the Session Announcement Protocol (RFC 2974): the packet (parse, serialize), the
// announcement interval (section 3.1), the SAP group that matches a session's scope
// (section 3) and a listener's session directory with timeouts and deletions (section 4).
//
// Everything here is pure: callers pass time (rtp/time.h) and random numbers in, and do the
// sending and receiving themselves.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/bytes.h"
#include "confcast/rtp/sdp.h"
#include "confcast/rtp/time.h"

namespace confcast::rtp {

inline constexpr std::uint16_t kSapPort = 9875;  // RFC 2974 3: announcements MUST use it
inline constexpr std::string_view kSapSdpPayloadType = "application/sdp";
// The payload type field is a MIME type and a NUL; a longer "type" is not one.
inline constexpr std::size_t kSapMaxPayloadTypeLength = 255;

// The IPv4 groups a listener joins (RFC 2974 3): the global scope group, and the highest
// address of the administrative scopes of RFC 2365 (local 239.255/16, organization-local
// 239.192/14) and of the link-local block 224.0.0/24. VLC listens on the same four.
inline constexpr std::array<std::array<std::uint8_t, 4>, 4> kSapIpv4Groups = {{
    {224, 2, 127, 254},
    {239, 255, 255, 255},
    {239, 195, 255, 255},
    {224, 0, 0, 255},
}};

// The SAP group for an IPv4 session group: the highest address of its administrative scope
// zone when the zone is a known one (RFC 2974 3, RFC 2365), else the global SAP group
// 224.2.127.254. 239.0.0.0/8 outside 239.255/16 and 239.192/14 (confcast's default
// 239.0.0.11) has no zone we can know of, so it goes to 224.2.127.254 and is kept in scope by
// the session's own TTL, as the issue asks.
std::array<std::uint8_t, 4> SapGroupForIpv4(const std::array<std::uint8_t, 4>& session_group);
// ff0X::2:7ffe where X is the session group's scope nibble (RFC 2974 3).
std::array<std::uint8_t, 16> SapGroupForIpv6(const std::array<std::uint8_t, 16>& session_group);

enum class SapMessageType : std::uint8_t { kAnnouncement, kDeletion };

// The originating source field: an IPv4 (A=0) or IPv6 (A=1) address, network order.
struct SapOrigin {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4; the rest stay zero
  static SapOrigin V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  std::size_t size() const { return ipv6 ? 16 : 4; }
  bool IsZero() const;
  friend auto operator<=>(const SapOrigin&, const SapOrigin&) = default;
  friend bool operator==(const SapOrigin&, const SapOrigin&) = default;
};

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | V=1 |A|R|T|E|C|   auth len    |         msg id hash           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :                originating source (32 or 128 bits)            :
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    optional authentication data               |
// *-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*
// |        optional payload type ("application/sdp") + NUL        |
// :                            payload                            :
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A view into the datagram. The payload type field is optional: a payload that starts with
// "v=0" has none (RFC 2974 6: then it is application/sdp).
struct SapView {
  SapMessageType type = SapMessageType::kAnnouncement;
  bool reserved = false;  // R: announcers send 0, listeners ignore it
  std::uint16_t msg_id_hash = 0;
  SapOrigin origin;
  Bytes auth;                                    // auth len * 4 bytes, not verified
  std::optional<std::string_view> payload_type;  // nullopt: the field is absent
  Bytes payload;
  // No payload type, or "application/sdp" (MIME types compare case-insensitively).
  bool IsSdp() const;
  std::string_view PayloadText() const;
};

enum class SapParseError : std::uint8_t {
  kTooShort,        // shorter than the 4-byte header and the originating source
  kBadVersion,      // V is not 1
  kEncrypted,       // E=1: payload encrypted with a key we do not have (RFC 2974 7)
  kCompressed,      // C=1: zlib payload, which confcast does not inflate
  kAuthOverrun,     // auth len words run past the end of the datagram
  kBadPayloadType,  // the payload neither starts with "v=0" nor has a NUL-ended type
};
std::string_view ToString(SapParseError error);

// Never reads out of bounds or asserts on wire data.
std::expected<SapView, SapParseError> ParseSap(Bytes datagram) noexcept;

// An owning SAP message, as sent. Serializing writes R=0, E=0, C=0.
struct SapPacket {
  SapMessageType type = SapMessageType::kAnnouncement;
  std::uint16_t msg_id_hash = 0;
  SapOrigin origin;
  std::vector<std::uint8_t> auth;  // a multiple of 4 bytes, at most 255 words
  std::optional<std::string> payload_type = std::string(kSapSdpPayloadType);
  std::string payload;
  friend bool operator==(const SapPacket&, const SapPacket&) = default;
};
SapPacket ToPacket(const SapView& view);

enum class SapSerializeError : std::uint8_t {
  kBadAuthLength,     // not a multiple of 4, or more than 255 words
  kBadPayloadType,    // contains NUL, starts with "v=0", or longer than the limit
  kPayloadNeedsType,  // no payload type and a payload that does not start with "v=0"
  kBufferTooSmall,
};
std::string_view ToString(SapSerializeError error);

std::expected<std::size_t, SapSerializeError> SerializedSize(const SapPacket& packet);
std::expected<std::size_t, SapSerializeError> SerializeTo(const SapPacket& packet,
                                                          MutableBytes out);
std::expected<std::vector<std::uint8_t>, SapSerializeError> Serialize(const SapPacket& packet);

// A 16-bit message identifier hash of a description (FNV-1a folded), never 0: RFC 2974 6 asks
// for a value that changes whenever the description does and is not zero.
std::uint16_t SapMessageIdHash(std::string_view description);

// The first "o=" line of an SDP text, without its line end: the payload of a deletion
// (RFC 2974 6). Empty when there is none.
std::string_view SdpOriginLine(std::string_view sdp);

// --- Announcement interval (RFC 2974 3.1) ---

inline constexpr double kSapBandwidthLimitBps = 4000;  // when nothing else is configured
inline constexpr Duration kSapMinInterval = std::chrono::seconds(300);

// interval = max(300 s, 8 * no_of_ads * ad_size / limit)
Duration SapBaseInterval(std::size_t no_of_ads, std::size_t ad_size,
                         double limit_bps = kSapBandwidthLimitBps,
                         Duration min_interval = kSapMinInterval);
// interval + offset, offset = rand(interval * 2/3) - interval/3; `uniform01` in [0, 1).
Duration SapJitteredInterval(Duration base, double uniform01);

struct SapScheduleConfig {
  // 300 s between announcements leaves a listener started a minute after the sender waiting
  // four more. Like most announcers, confcast sends the first few quickly (at 0, 1 and 2 s,
  // and again after the description changes) and then falls back to the RFC interval.
  int quick_announcements = 3;
  Duration quick_spacing = std::chrono::seconds(1);
  // --announce-interval: a fixed period instead of the RFC interval (tests, small LANs).
  std::optional<Duration> fixed_interval;
  double bandwidth_limit_bps = kSapBandwidthLimitBps;
  Duration min_interval = kSapMinInterval;
};

// When to send the next announcement. Reconsideration as in RFC 2974 3.1: when the timer
// fires, tn = tp + interval + offset is recomputed with the current number and size of
// announcements; if tn is still ahead the send waits for it, else it happens now.
class SapAnnounceSchedule {
 public:
  SapAnnounceSchedule(const SapScheduleConfig& config, Timestamp now);
  Timestamp next() const { return next_; }
  // The description changed: announce it quickly again.
  void Restart(Timestamp now);
  // Call at or after next(). True: send the announcement now. `no_of_ads` counts every
  // announcement heard on the SAP group, ours included (at least 1).
  [[nodiscard]] bool OnTimer(Timestamp now, std::size_t no_of_ads, std::size_t ad_size,
                             double uniform01);
  std::uint64_t sent() const { return sent_; }

 private:
  Duration Interval(std::size_t no_of_ads, std::size_t ad_size, double uniform01) const;
  SapScheduleConfig config_;
  Timestamp last_sent_{};
  Timestamp next_{};
  int quick_left_ = 0;
  double offset_uniform_ = 0.5;
  std::uint64_t sent_ = 0;
};

// --- Session directory (RFC 2974 4, 5) ---

// An announcement is identified by its originating source and message id hash (RFC 2974 3.1).
struct SapKey {
  SapOrigin origin;
  std::uint16_t msg_id_hash = 0;
  friend auto operator<=>(const SapKey&, const SapKey&) = default;
  friend bool operator==(const SapKey&, const SapKey&) = default;
};

struct SapSession {
  SapKey key;
  std::string sdp_text;
  SessionDescription sdp;
  Timestamp first_heard{};
  Timestamp last_heard{};
  std::optional<Duration> period;  // the gap between its last two announcements
  std::uint64_t announcements = 0;
};

enum class SapEvent : std::uint8_t {
  kNew,        // a session not in the directory
  kRefreshed,  // the same announcement again
  kModified,   // a new hash for a session we had (same source, same SDP o= session): replaced
  kDeleted,    // an explicit deletion of a session we had
  kIgnored,    // counted in SapDirectoryCounters, directory unchanged
};
std::string_view ToString(SapEvent event);

struct SapUpdate {
  SapEvent event = SapEvent::kIgnored;
  std::optional<SapKey> key;           // the session added, refreshed, replaced or deleted
  std::optional<SapSession> previous;  // kModified: the old version; kDeleted: the session
};

struct SapDirectoryCounters {
  std::uint64_t malformed = 0;  // ParseSap failed other than for E or C
  std::uint64_t encrypted = 0;
  std::uint64_t compressed = 0;
  std::uint64_t not_sdp = 0;            // another payload type
  std::uint64_t bad_sdp = 0;            // application/sdp that ParseSdp refused
  std::uint64_t zero_hash = 0;          // msg id hash 0 (SAPv0 style, RFC 2974 6 MAY discard)
  std::uint64_t unknown_deletions = 0;  // a deletion of nothing we had
  std::uint64_t spoofed_origin = 0;     // a deletion or modification from another address
  friend bool operator==(const SapDirectoryCounters&, const SapDirectoryCounters&) = default;
};

struct SapDirectoryConfig {
  // Implicit timeout (RFC 2974 4): ten announcement periods or one hour, whichever is more.
  int timeout_periods = 10;
  Duration min_timeout = std::chrono::hours(1);
};

// A listener's cache of announced sessions. Deletions are not authenticated (nobody signs SAP
// today); a deletion is honoured only for the originating source and hash it names, which is
// the same trust RFC 2974 5 gives an unauthenticated modification. When the caller passes the
// datagram's source address (`sent_from`), a deletion or a modification of a session we have
// is honoured only if it came from the originating source it names: another host of the LAN
// that copies the origin field cannot remove or replace a session (counted as spoofed_origin).
class SapDirectory {
 public:
  explicit SapDirectory(const SapDirectoryConfig& config = {}) : config_(config) {}
  [[nodiscard]] SapUpdate OnDatagram(Bytes datagram, Timestamp now,
                                     const std::optional<SapOrigin>& sent_from = std::nullopt);
  // Removes and returns the sessions not heard from within their timeout.
  [[nodiscard]] std::vector<SapSession> Expire(Timestamp now);
  Duration TimeoutOf(const SapSession& session) const;
  const std::map<SapKey, SapSession>& sessions() const { return sessions_; }
  const SapDirectoryCounters& counters() const { return counters_; }

 private:
  SapUpdate OnDeletion(const SapView& view, const std::optional<SapOrigin>& sent_from);
  SapDirectoryConfig config_;
  std::map<SapKey, SapSession> sessions_;
  SapDirectoryCounters counters_;
};

}  // namespace confcast::rtp
