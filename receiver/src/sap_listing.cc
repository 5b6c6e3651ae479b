#include <confcast/net/endpoint.h>
#include <confcast/receiver/sap_listing.h>
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

std::string FormatSapTable(std::vector<SapRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const SapRow& a, const SapRow& b) {
    return std::tie(a.name, a.origin) < std::tie(b.name, b.origin);
  });
  std::size_t wn = 4, wg = 5, wm = 5, wo = 6;
  for (const SapRow& r : rows) {
    wn = std::max(wn, r.name.size());
    wg = std::max(wg, r.group.size());
    wm = std::max(wm, r.media.size());
    wo = std::max(wo, r.origin.size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:>5}\n", "NAME", wn, "GROUP", wg,
                                "MEDIA", wm, "ORIGIN", wo, "AGE");
  for (const SapRow& r : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:>5.1f}\n", r.name, wn, r.group, wg,
                       r.media, wm, r.origin, wo, r.age_s);
  }
  return out;
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
