// SAP packets (RFC 2974 6), the SAP group of a scope (section 3) and the announcement interval
// (section 3.1). The session directory is in sap_directory.cc.
#include "confcast/rtp/sap.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace confcast::rtp {
namespace {

constexpr std::uint8_t kVersionMask = 0xe0;
constexpr std::uint8_t kVersion1 = 0x20;  // V=1 in the top three bits
constexpr std::uint8_t kAddressTypeBit = 0x10;
constexpr std::uint8_t kReservedBit = 0x08;
constexpr std::uint8_t kDeletionBit = 0x04;
constexpr std::uint8_t kEncryptedBit = 0x02;
constexpr std::uint8_t kCompressedBit = 0x01;
constexpr std::size_t kFixedHeader = 4;
constexpr std::size_t kMaxAuthWords = 255;

bool StartsWithSdpVersion(Bytes b) {
  return b.size() >= 3 && b[0] == 'v' && b[1] == '=' && b[2] == '0';
}
bool StartsWithSdpVersion(std::string_view s) {
  return s.starts_with("v=0");
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::array<std::uint8_t, 4> SapGroupForIpv4(const std::array<std::uint8_t, 4>& g) {
  if (g[0] == 224 && g[1] == 0 && g[2] == 0) return {224, 0, 0, 255};    // link-local block
  if (g[0] == 239 && g[1] == 255) return {239, 255, 255, 255};           // IPv4 local scope
  if (g[0] == 239 && (g[1] & 0xfc) == 192) return {239, 195, 255, 255};  // organization-local
  return {224, 2, 127, 254};
}

std::array<std::uint8_t, 16> SapGroupForIpv6(const std::array<std::uint8_t, 16>& g) {
  std::array<std::uint8_t, 16> sap{};
  sap[0] = 0xff;
  sap[1] = g[1] & 0x0f;  // flags cleared (a permanent address), the session's scope kept
  sap[13] = 0x02;
  sap[14] = 0x7f;
  sap[15] = 0xfe;
  return sap;
}

SapOrigin SapOrigin::V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  SapOrigin o;
  o.bytes[0] = a;
  o.bytes[1] = b;
  o.bytes[2] = c;
  o.bytes[3] = d;
  return o;
}

bool SapOrigin::IsZero() const {
  return std::all_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size()),
                     [](std::uint8_t b) { return b == 0; });
}

bool SapView::IsSdp() const {
  return !payload_type || EqualsIgnoreCase(*payload_type, kSapSdpPayloadType);
}

std::string_view SapView::PayloadText() const {
  return {reinterpret_cast<const char*>(payload.data()), payload.size()};
}

std::string_view ToString(SapParseError error) {
  switch (error) {
    case SapParseError::kTooShort:
      return "too short for a SAP header";
    case SapParseError::kBadVersion:
      return "SAP version is not 1";
    case SapParseError::kEncrypted:
      return "encrypted SAP payload";
    case SapParseError::kCompressed:
      return "compressed SAP payload";
    case SapParseError::kAuthOverrun:
      return "SAP authentication data runs past the end";
    case SapParseError::kBadPayloadType:
      return "SAP payload type missing or not NUL-terminated";
  }
  return "unknown SAP error";
}

std::string_view ToString(SapSerializeError error) {
  switch (error) {
    case SapSerializeError::kBadAuthLength:
      return "authentication data is not 0..255 words";
    case SapSerializeError::kBadPayloadType:
      return "payload type cannot be written";
    case SapSerializeError::kPayloadNeedsType:
      return "a payload not starting with v=0 needs a type";
    case SapSerializeError::kBufferTooSmall:
      return "buffer too small";
  }
  return "unknown SAP error";
}

std::expected<SapView, SapParseError> ParseSap(Bytes d) noexcept {
  if (d.size() < kFixedHeader) return std::unexpected(SapParseError::kTooShort);
  const std::uint8_t flags = d[0];
  if ((flags & kVersionMask) != kVersion1) return std::unexpected(SapParseError::kBadVersion);
  SapView v;
  v.origin.ipv6 = (flags & kAddressTypeBit) != 0;
  v.reserved = (flags & kReservedBit) != 0;
  v.type = (flags & kDeletionBit) ? SapMessageType::kDeletion : SapMessageType::kAnnouncement;
  const std::size_t auth_bytes = std::size_t{d[1]} * 4;
  v.msg_id_hash = ReadU16(d, 2);
  const std::size_t origin_end = kFixedHeader + v.origin.size();
  if (d.size() < origin_end) return std::unexpected(SapParseError::kTooShort);
  std::copy(d.begin() + kFixedHeader, d.begin() + static_cast<std::ptrdiff_t>(origin_end),
            v.origin.bytes.begin());
  if (d.size() - origin_end < auth_bytes) return std::unexpected(SapParseError::kAuthOverrun);
  v.auth = d.subspan(origin_end, auth_bytes);
  // Both the payload type and the payload are encrypted or compressed (RFC 2974 6): with E
  // or C set there is nothing more we can read.
  if (flags & kEncryptedBit) return std::unexpected(SapParseError::kEncrypted);
  if (flags & kCompressedBit) return std::unexpected(SapParseError::kCompressed);
  Bytes rest = d.subspan(origin_end + auth_bytes);
  if (!StartsWithSdpVersion(rest)) {
    const std::size_t limit = std::min(rest.size(), kSapMaxPayloadTypeLength + 1);
    const auto nul = std::find(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(limit), 0);
    if (nul == rest.begin() + static_cast<std::ptrdiff_t>(limit)) {
      return std::unexpected(SapParseError::kBadPayloadType);
    }
    const auto length = static_cast<std::size_t>(nul - rest.begin());
    v.payload_type = std::string_view(reinterpret_cast<const char*>(rest.data()), length);
    rest = rest.subspan(length + 1);
  }
  v.payload = rest;
  return v;
}

SapPacket ToPacket(const SapView& view) {
  SapPacket p;
  p.type = view.type;
  p.msg_id_hash = view.msg_id_hash;
  p.origin = view.origin;
  p.auth.assign(view.auth.begin(), view.auth.end());
  p.payload_type =
      view.payload_type ? std::optional<std::string>(*view.payload_type) : std::nullopt;
  p.payload.assign(view.PayloadText());
  return p;
}

std::expected<std::size_t, SapSerializeError> SerializedSize(const SapPacket& p) {
  if (p.auth.size() % 4 != 0 || p.auth.size() / 4 > kMaxAuthWords) {
    return std::unexpected(SapSerializeError::kBadAuthLength);
  }
  std::size_t type_size = 0;
  if (p.payload_type) {
    const std::string& t = *p.payload_type;
    if (t.size() > kSapMaxPayloadTypeLength || t.find('\0') != std::string::npos ||
        StartsWithSdpVersion(std::string_view(t))) {
      return std::unexpected(SapSerializeError::kBadPayloadType);
    }
    type_size = t.size() + 1;
  } else if (!StartsWithSdpVersion(std::string_view(p.payload))) {
    // Without "v=0" first a listener would read the payload as a payload type.
    return std::unexpected(SapSerializeError::kPayloadNeedsType);
  }
  return kFixedHeader + p.origin.size() + p.auth.size() + type_size + p.payload.size();
}

std::expected<std::size_t, SapSerializeError> SerializeTo(const SapPacket& p, MutableBytes out) {
  const auto size = SerializedSize(p);
  if (!size) return size;
  if (out.size() < *size) return std::unexpected(SapSerializeError::kBufferTooSmall);
  std::uint8_t flags = kVersion1;
  if (p.origin.ipv6) flags |= kAddressTypeBit;
  if (p.type == SapMessageType::kDeletion) flags |= kDeletionBit;
  out[0] = flags;
  out[1] = static_cast<std::uint8_t>(p.auth.size() / 4);
  WriteU16(out, 2, p.msg_id_hash);
  std::size_t at = kFixedHeader;
  at = static_cast<std::size_t>(std::copy_n(p.origin.bytes.begin(), p.origin.size(),
                                            out.begin() + static_cast<std::ptrdiff_t>(at)) -
                                out.begin());
  at = static_cast<std::size_t>(
      std::copy(p.auth.begin(), p.auth.end(), out.begin() + static_cast<std::ptrdiff_t>(at)) -
      out.begin());
  if (p.payload_type) {
    at = static_cast<std::size_t>(std::copy(p.payload_type->begin(), p.payload_type->end(),
                                            out.begin() + static_cast<std::ptrdiff_t>(at)) -
                                  out.begin());
    out[at++] = 0;
  }
  std::copy(p.payload.begin(), p.payload.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
  return *size;
}

std::expected<std::vector<std::uint8_t>, SapSerializeError> Serialize(const SapPacket& p) {
  const auto size = SerializedSize(p);
  if (!size) return std::unexpected(size.error());
  std::vector<std::uint8_t> out(*size);
  if (auto n = SerializeTo(p, out); !n) return std::unexpected(n.error());
  return out;
}

std::uint16_t SapMessageIdHash(std::string_view description) {
  std::uint32_t h = 2166136261u;  // FNV-1a, 32 bits
  for (char c : description) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  const auto folded = static_cast<std::uint16_t>((h >> 16) ^ (h & 0xffff));
  return folded == 0 ? 1 : folded;
}

std::string_view SdpOriginLine(std::string_view sdp) {
  std::size_t at = 0;
  while (at < sdp.size()) {
    std::size_t end = sdp.find('\n', at);
    if (end == std::string_view::npos) end = sdp.size();
    std::string_view line = sdp.substr(at, end - at);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with("o=")) return line;
    at = end + 1;
  }
  return {};
}

Duration SapBaseInterval(std::size_t no_of_ads, std::size_t ad_size, double limit_bps,
                         Duration min_interval) {
  if (limit_bps <= 0) return min_interval;
  const double seconds =
      8.0 * static_cast<double>(no_of_ads) * static_cast<double>(ad_size) / limit_bps;
  const auto by_bandwidth = Duration{static_cast<std::int64_t>(std::llround(seconds * 1e6))};
  return std::max(min_interval, by_bandwidth);
}

Duration SapJitteredInterval(Duration base, double uniform01) {
  const double u = std::clamp(uniform01, 0.0, 1.0);
  const auto b = static_cast<double>(base.count());
  const double offset = u * b * 2.0 / 3.0 - b / 3.0;
  return Duration{static_cast<std::int64_t>(std::llround(b + offset))};
}

SapAnnounceSchedule::SapAnnounceSchedule(const SapScheduleConfig& config, Timestamp now)
    : config_(config) {
  Restart(now);
}

void SapAnnounceSchedule::Restart(Timestamp now) {
  quick_left_ = std::max(1, config_.quick_announcements);  // the first one goes out at once
  next_ = now;
}

Duration SapAnnounceSchedule::Interval(std::size_t no_of_ads, std::size_t ad_size,
                                       double uniform01) const {
  if (config_.fixed_interval) return *config_.fixed_interval;
  const Duration base = SapBaseInterval(std::max<std::size_t>(no_of_ads, 1), ad_size,
                                        config_.bandwidth_limit_bps, config_.min_interval);
  return SapJitteredInterval(base, uniform01);
}

bool SapAnnounceSchedule::OnTimer(Timestamp now, std::size_t no_of_ads, std::size_t ad_size,
                                  double uniform01) {
  if (now < next_) return false;
  if (quick_left_ == 0) {
    // Reconsideration: the interval may have grown since it was drawn (more announcements).
    const Timestamp tn = last_sent_ + Interval(no_of_ads, ad_size, offset_uniform_);
    if (tn > now) {
      next_ = tn;
      return false;
    }
  }
  last_sent_ = now;
  ++sent_;
  offset_uniform_ = uniform01;
  if (quick_left_ > 0) --quick_left_;
  next_ =
      quick_left_ > 0 ? now + config_.quick_spacing : now + Interval(no_of_ads, ad_size, uniform01);
  return true;
}

}  // namespace confcast::rtp
