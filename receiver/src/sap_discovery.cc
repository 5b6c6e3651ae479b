#include "sap_discovery.h"

#include <confcast/net/batch_io.h>
#include <confcast/net/endpoint.h>
#include <confcast/net/event_loop.h>
#include <confcast/net/interface.h>
#include <confcast/net/socket.h>
#include <confcast/receiver/sap_listing.h>
#include <confcast/rtp/sap.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace confcast::receiver {
namespace {

rtp::Timestamp MonoNow() {
  return std::chrono::duration_cast<rtp::Timestamp>(
      std::chrono::steady_clock::now().time_since_epoch());
}

std::chrono::nanoseconds Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

std::string Describe(const rtp::SapSession& s, rtp::Timestamp now) {
  return DescribeSapRow(Summarize(s, now));  // safe to print: the text is the announcer's
}

// The SAP groups of every scope, joined on one interface, feeding one directory.
class SapListener {
 public:
  static std::expected<std::unique_ptr<SapListener>, std::string> Open(const RecvOptions& o,
                                                                       net::EventLoop& loop);
  const rtp::SapDirectory& directory() const { return directory_; }
  const std::string& where() const { return where_; }
  std::function<void(const rtp::SapUpdate&, const rtp::SapDirectory&)> on_update;

  // Drops the sessions that timed out (RFC 2974 4) and reports them.
  void Expire(rtp::Timestamp now) {
    for (const rtp::SapSession& s : directory_.Expire(now)) {
      spdlog::info("SAP: - {} timed out", Describe(s, now));
    }
  }

 private:
  SapListener() = default;
  void OnReadable(int fd);

  std::vector<net::GroupSocket> sockets_;
  net::BatchReceiver receiver_{8, 65536};  // SAP payloads may be up to a UDP datagram
  rtp::SapDirectory directory_;
  std::string where_;
};

std::expected<std::unique_ptr<SapListener>, std::string> SapListener::Open(const RecvOptions& o,
                                                                           net::EventLoop& loop) {
  std::unique_ptr<SapListener> l(new SapListener());
  std::vector<net::MulticastEndpoint> groups;
  for (const auto& g : rtp::kSapIpv4Groups) {
    net::MulticastEndpoint ep;
    ep.group = net::IpAddress::V4(g[0], g[1], g[2], g[3]);
    ep.port = rtp::kSapPort;
    groups.push_back(ep);
  }
  auto iface = net::SelectInterface(o.iface, groups.front());
  if (!iface) return std::unexpected("--iface: " + iface.error().message);
  for (const auto& w : iface->warnings) spdlog::warn("{}", w);
  for (int scope : {0x02, 0x05}) {  // link- and site-local IPv6 SAP groups
    net::MulticastEndpoint ep;
    ep.group.family = net::Family::kIpv6;
    ep.group.bytes = {
        0xff, static_cast<std::uint8_t>(scope), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x7f, 0xfe};
    ep.port = rtp::kSapPort;
    groups.push_back(ep);
  }
  std::vector<std::string> joined;
  for (const net::MulticastEndpoint& ep : groups) {
    auto s = net::GroupSocket::Open(ep, rtp::kSapPort, *iface, {.receive_buffer_bytes = 1 << 20});
    if (!s) {
      // IPv6 is optional (an interface without it); the IPv4 groups are not.
      if (ep.group.family == net::Family::kIpv4) return std::unexpected(s.error().message);
      spdlog::debug("SAP: not listening on {}: {}", ep.ToString(), s.error().message);
      continue;
    }
    const int fd = s->fd();
    SapListener* raw = l.get();
    if (auto ok = loop.Watch(fd, [raw, fd] { raw->OnReadable(fd); }); !ok) {
      return std::unexpected(ok.error().message);
    }
    l->sockets_.push_back(std::move(*s));
    joined.push_back(ep.group.ToString());
  }
  l->where_ =
      fmt::format("{} ({}, port {})", iface->iface.name, fmt::join(joined, ", "), rtp::kSapPort);
  return l;
}

void SapListener::OnReadable(int fd) {
  auto got = receiver_.Receive(fd);
  if (!got) return;
  const rtp::Timestamp now = MonoNow();
  for (const net::Datagram& d : *got) {
    // The datagram's source address: deletions and modifications count only from the origin.
    rtp::SapOrigin from;
    from.ipv6 = d.source.family == net::Family::kIpv6;
    std::copy_n(d.source.bytes.begin(), from.size(), from.bytes.begin());
    const rtp::SapUpdate u = directory_.OnDatagram(d.data, now, from);
    if (u.event == rtp::SapEvent::kIgnored || u.event == rtp::SapEvent::kRefreshed) continue;
    if (u.event == rtp::SapEvent::kDeleted) {
      spdlog::info("SAP: - {} deleted by its announcer", Describe(*u.previous, now));
    } else if (auto it = directory_.sessions().find(*u.key); it != directory_.sessions().end()) {
      spdlog::info("SAP: {} {}", u.event == rtp::SapEvent::kNew ? "+" : "~", Describe(it->second, now));
    }
    if (on_update) on_update(u, directory_);
  }
}

void WriteJson(const std::string& path, const std::vector<SapRow>& rows,
               const rtp::SapDirectoryCounters& c) {
  nlohmann::json j;
  j["sessions"] = nlohmann::json::array();
  for (const SapRow& r : rows) {
    j["sessions"].push_back({{"name", r.name},
                             {"group", r.group},
                             {"media", r.media},
                             {"origin", r.origin},
                             {"age_s", r.age_s},
                             {"msg_id_hash", r.msg_id_hash}});
  }
  j["ignored"] = {{"malformed", c.malformed},
                  {"encrypted", c.encrypted},
                  {"compressed", c.compressed},
                  {"not_sdp", c.not_sdp},
                  {"bad_sdp", c.bad_sdp},
                  {"zero_hash", c.zero_hash},
                  {"unknown_deletions", c.unknown_deletions},
                  {"spoofed_origin", c.spoofed_origin}};
  std::ofstream out(path, std::ios::trunc);
  // Announcements may carry invalid UTF-8: it becomes U+FFFD instead of an exception.
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (!out.flush()) spdlog::error("--stats-json {}: cannot write there", path);
}

std::string Heard(const rtp::SapDirectory& d, rtp::Timestamp now) {
  if (d.sessions().empty()) return "heard no announcements at all";
  std::vector<std::string> names;
  for (const auto& [key, s] : d.sessions()) names.push_back(Describe(s, now));
  return fmt::format("heard {}", fmt::join(names, "; "));
}

}  // namespace

int RunSapList(const RecvOptions& o) {
  auto loop = net::EventLoop::Create();
  if (!loop) return spdlog::error("{}", loop.error().message), 1;
  if (auto ok = (*loop)->StopOnSignals(); !ok) return spdlog::error("{}", ok.error().message), 1;
  auto listener = SapListener::Open(o, **loop);
  if (!listener) return spdlog::error("{}", listener.error()), 1;
  const double seconds = o.duration_s > 0 ? o.duration_s : kDefaultListSeconds;
  spdlog::info("listening for SAP announcements for {} s on {}", seconds, (*listener)->where());
  auto expire = (*loop)->AddTimer(std::chrono::seconds(1), std::chrono::seconds(1),
                                  [&] { (*listener)->Expire(MonoNow()); });
  auto stop =
      (*loop)->AddTimer(Seconds(seconds), std::chrono::nanoseconds(0), [&] { (*loop)->Stop(); });
  if (!expire || !stop) return spdlog::error("cannot create timers"), 1;
  if (auto ran = (*loop)->Run(); !ran) return spdlog::error("{}", ran.error().message), 1;

  const rtp::Timestamp now = MonoNow();
  const rtp::SapDirectory& d = (*listener)->directory();
  std::vector<SapRow> rows;
  for (const auto& [key, s] : d.sessions()) rows.push_back(Summarize(s, now));
  if (!o.stats_json.empty()) WriteJson(o.stats_json, rows, d.counters());
  const rtp::SapDirectoryCounters& c = d.counters();
  if (c.encrypted + c.compressed + c.malformed + c.not_sdp + c.bad_sdp + c.spoofed_origin > 0) {
    spdlog::info("SAP: ignored {} encrypted, {} compressed, {} malformed, {} non-SDP, {} bad SDP, "
                 "{} deletions or changes from an address other than the session's origin",
                 c.encrypted, c.compressed, c.malformed, c.not_sdp, c.bad_sdp, c.spoofed_origin);
  }
  if (rows.empty()) {
    spdlog::warn("no sessions announced on {} within {} s; senders announce with "
                 "confcast-send --announce (three at start, then every ~5 min, or "
                 "confcast-send --announce-interval)",
                 (*listener)->where(), seconds);
    return 3;
  }
  std::fputs(FormatSapTable(rows).c_str(), stdout);
  return 0;
}

std::expected<std::string, int> DiscoverSdpByName(const RecvOptions& o) {
  auto loop = net::EventLoop::Create();
  if (!loop) return spdlog::error("{}", loop.error().message), std::unexpected(1);
  if (auto ok = (*loop)->StopOnSignals(); !ok)
    return spdlog::error("{}", ok.error().message), std::unexpected(1);
  auto listener = SapListener::Open(o, **loop);
  if (!listener) return spdlog::error("{}", listener.error()), std::unexpected(1);
  spdlog::info("waiting up to {} s for a SAP announcement of '{}' on {}", o.join_timeout_s, o.join,
               (*listener)->where());
  const rtp::Timestamp start = MonoNow();
  // An exact name joins at once. A prefix joins when it is the only one after a second of
  // listening (the quick announcements of every sender on the LAN have arrived by then).
  constexpr auto kPrefixSettle = std::chrono::seconds(1);
  std::optional<std::string> chosen;
  bool timed_out = false;
  auto check = [&] {
    const rtp::Timestamp now = MonoNow();
    const SapMatch m = MatchSapSessions((*listener)->directory().sessions(), o.join);
    const rtp::SapSession* pick = nullptr;
    if (m.exact.size() == 1) {
      pick = m.exact.front();
    } else if (m.exact.empty() && m.prefixed.size() == 1 && now - start >= kPrefixSettle) {
      pick = m.prefixed.front();
    }
    if (!pick) return;
    spdlog::info("joining {}", Describe(*pick, now));
    chosen = pick->sdp_text;
    (*loop)->Stop();
  };
  auto tick =
      (*loop)->AddTimer(std::chrono::milliseconds(100), std::chrono::milliseconds(100), check);
  auto stop = (*loop)->AddTimer(Seconds(o.join_timeout_s), std::chrono::nanoseconds(0), [&] {
    timed_out = true;
    (*loop)->Stop();
  });
  if (!tick || !stop) return spdlog::error("cannot create timers"), std::unexpected(1);
  if (auto ran = (*loop)->Run(); !ran) return spdlog::error("{}", ran.error().message), std::unexpected(1);
  if (chosen) return *chosen;
  if (!timed_out) return spdlog::warn("interrupted while waiting for '{}'", o.join), std::unexpected(130);
  const rtp::Timestamp now = MonoNow();
  const rtp::SapDirectory& d = (*listener)->directory();
  const SapMatch m = MatchSapSessions(d.sessions(), o.join);
  if (m.exact.size() > 1 || m.prefixed.size() > 1) {
    const auto& many = m.exact.size() > 1 ? m.exact : m.prefixed;
    std::vector<std::string> names;
    for (const rtp::SapSession* s : many) names.push_back(Describe(*s, now));
    spdlog::error(
        "--join '{}' matches {} sessions: {}; give the full name, or senders distinct --name",
        o.join, many.size(), fmt::join(names, "; "));
    return std::unexpected(1);
  }
  spdlog::error(
      "--join '{}': no session of that name announced within {} s on {}; {}. Check the name "
      "with confcast-recv --list, and that the sender runs with confcast-send --announce",
      o.join, o.join_timeout_s, (*listener)->where(), Heard(d, now));
  return std::unexpected(1);
}

}  // namespace confcast::receiver
