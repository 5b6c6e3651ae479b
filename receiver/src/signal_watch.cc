#include "signal_watch.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace confcast::receiver {
namespace {

std::optional<bool> Listed(const net::IpAddress& group, const std::string& iface) {
  std::ifstream in(group.family == net::Family::kIpv4 ? "/proc/net/igmp" : "/proc/net/igmp6");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return KernelListsGroup(text.str(), iface, group);
}

}  // namespace

SignalWatch::SignalWatch(const net::MulticastEndpoint& endpoint, std::string iface_name)
    : group_(endpoint.group),
      iface_(std::move(iface_name)),
      where_(fmt::format("{} on {}", endpoint.group.ToString(), iface_)) {}

void SignalWatch::Print(const WatchdogEvent& e) const {
  // Silence is a warning (the user should look); its end is news.
  spdlog::log(e.kind == WatchdogEvent::Kind::kRecovered ? spdlog::level::info : spdlog::level::warn,
              "{}", DescribeEvent(e, where_));
}

void SignalWatch::OnPacket(rtp::Timestamp now) {
  if (auto e = dog_.OnPacket(now)) Print(*e);
}

void SignalWatch::OnTimeout(rtp::Timestamp now) {
  if (auto e = dog_.OnRtcpTimeout(now)) Print(*e);
}

void SignalWatch::Tick(rtp::Timestamp now) {
  if (!dog_.Due(now)) return;
  if (auto e = dog_.Poll(now, [this] { return Listed(group_, iface_); })) Print(*e);
}

void SignalWatch::Track(net::GroupSocket& rtp, net::GroupSocket& rtcp) {
  sockets_.push_back(&rtp);
  sockets_.push_back(&rtcp);
}

void SignalWatch::Rejoin() {
  if (auto r = net::Rejoin(sockets_); !r) {
    spdlog::warn("--rejoin-every: {}", r.error().message);
    return;
  }
  ++rejoins_;
  spdlog::debug("renewed the membership of {}", where_);
}

SignalFigures SignalWatch::Figures(rtp::Timestamp now) const {
  return SignalFigures{.state = dog_.state(),
                       .silence_s = rtp::ToSeconds(dog_.silence(now)),
                       .outages = dog_.outages(),
                       .longest_outage_s = rtp::ToSeconds(dog_.longest_outage()),
                       .rejoins = rejoins_};
}

}  // namespace confcast::receiver
