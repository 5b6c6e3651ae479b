#include <confcast/net/endpoint.h>
#include <confcast/receiver/sap_listing.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace confcast::receiver {

std::string OriginToString(const rtp::SapOrigin& origin) {
  net::IpAddress a;
  a.family = origin.ipv6 ? net::Family::kIpv6 : net::Family::kIpv4;
  a.bytes = origin.bytes;
  return a.ToString();
}

SapRow Summarize(const rtp::SapSession& s, rtp::Timestamp now) {
  SapRow row;
  row.name = s.sdp.session_name;
  row.origin = OriginToString(s.key.origin);
  row.msg_id_hash = s.key.msg_id_hash;
  row.age_s = std::chrono::duration<double>(now - s.last_heard).count();
  std::vector<std::string> media;
  for (const rtp::MediaDescription& m : s.sdp.media) {
    if (row.group.empty()) {
      if (const rtp::SdpConnection* c = s.sdp.EffectiveConnection(m)) row.group = c->address;
    }
    std::string item = fmt::format("{} {}", m.TypeName(), m.port);
    if (!m.payload_types.empty()) {
      const rtp::RtpMap* map = m.FindRtpMap(m.payload_types.front());
      item += " " + (map ? map->encoding : std::to_string(m.payload_types.front()));
    }
    media.push_back(std::move(item));
  }
  if (row.group.empty() && s.sdp.connection) row.group = s.sdp.connection->address;
  row.media = fmt::format("{}", fmt::join(media, ", "));
  return row;
}

namespace {

// Caps for the columns: an announcement cannot make the table as wide as it likes.
constexpr std::size_t kNameBytes = 64;
constexpr std::size_t kGroupBytes = 64;
constexpr std::size_t kMediaBytes = 128;

// Left-aligned in `width` characters (rtp::Utf8Length: one column per code point).
std::string Pad(const std::string& safe, std::size_t width) {
  const std::size_t n = rtp::Utf8Length(safe);
  return n >= width ? safe : safe + std::string(width - n, ' ');
}

struct SafeRow {
  std::string name, group, media, origin;
  double age_s;
};

SafeRow Safe(const SapRow& r) {
  return {rtp::SafeText(r.name, kNameBytes), rtp::SafeText(r.group, kGroupBytes),
          rtp::SafeText(r.media, kMediaBytes), rtp::SafeText(r.origin, kGroupBytes), r.age_s};
}

}  // namespace

std::string FormatSapTable(std::vector<SapRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const SapRow& a, const SapRow& b) {
    return std::tie(a.name, a.origin) < std::tie(b.name, b.origin);
  });
  std::vector<SafeRow> safe;
  std::size_t wn = 4, wg = 5, wm = 5, wo = 6;
  for (const SapRow& r : rows) {
    SafeRow s = Safe(r);
    wn = std::max(wn, rtp::Utf8Length(s.name));
    wg = std::max(wg, rtp::Utf8Length(s.group));
    wm = std::max(wm, rtp::Utf8Length(s.media));
    wo = std::max(wo, rtp::Utf8Length(s.origin));
    safe.push_back(std::move(s));
  }
  std::string out = fmt::format("{}  {}  {}  {}  {:>5}\n", Pad("NAME", wn), Pad("GROUP", wg),
                                Pad("MEDIA", wm), Pad("ORIGIN", wo), "AGE");
  for (const SafeRow& r : safe) {
    out += fmt::format("{}  {}  {}  {}  {:>5.1f}\n", Pad(r.name, wn), Pad(r.group, wg),
                       Pad(r.media, wm), Pad(r.origin, wo), r.age_s);
  }
  return out;
}

std::string DescribeSapRow(const SapRow& row) {
  const SafeRow r = Safe(row);
  return fmt::format("'{}' {} ({}) from {}", r.name, r.group, r.media, r.origin);
}

SapMatch MatchSapSessions(const std::map<rtp::SapKey, rtp::SapSession>& sessions,
                          std::string_view name) {
  SapMatch m;
  for (const auto& [key, s] : sessions) {
    if (s.sdp.session_name == name) m.exact.push_back(&s);
    if (std::string_view(s.sdp.session_name).starts_with(name)) m.prefixed.push_back(&s);
  }
  return m;
}

}  // namespace confcast::receiver
