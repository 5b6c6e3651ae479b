// The receive watchdog's state machine and its message; see watchdog.h for how it works.
#include <confcast/receiver/watchdog.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace confcast::receiver {

std::string_view SignalStateName(SignalState s) {
  switch (s) {
    case SignalState::kWaiting:
      return "waiting";
    case SignalState::kReceiving:
      return "receiving";
    case SignalState::kNoSignal:
      return "no signal";
  }
  return "?";
}

std::optional<WatchdogEvent> Watchdog::OnPacket(rtp::Timestamp t) {
  const SignalState before = state_;
  // Packets are handed in arrival order per socket, but two sockets (video, audio) may
  // interleave slightly out of order: never move the last packet time backwards.
  const rtp::Timestamp previous = last_packet_;
  if (before == SignalState::kWaiting || t > last_packet_) last_packet_ = t;
  state_ = SignalState::kReceiving;
  if (before != SignalState::kNoSignal) return std::nullopt;
  WatchdogEvent e;
  e.kind = WatchdogEvent::Kind::kRecovered;
  e.outage = t - previous;
  longest_ = std::max(longest_, e.outage);
  timeout_reported_ = false;
  return e;
}

// A sender report counts as "still arriving" only when it came well after the last media
// packet: one already in flight when the path was cut arrives a few ms after the last RTP and
// says nothing about the sender (media gaps are far below this at any frame or packet rate).
constexpr rtp::Duration kReportAfterMedia{200'000};

void Watchdog::OnSenderReport(rtp::Timestamp t) {
  if (!last_report_ || t > *last_report_) last_report_ = t;
}

void Watchdog::OnBye(rtp::Timestamp t, std::string reason) {
  last_bye_ = t;
  bye_reason_ = std::move(reason);
}

std::optional<WatchdogEvent> Watchdog::OnRtcpTimeout(rtp::Timestamp t) {
  if (state_ != SignalState::kNoSignal || timeout_reported_) return std::nullopt;
  timeout_reported_ = true;
  WatchdogEvent e;
  e.kind = WatchdogEvent::Kind::kSenderTimedOut;
  e.outage = t - last_packet_;
  e.causes = {LikelyCause::kSenderGone, LikelyCause::kPath};
  return e;
}

bool Watchdog::Due(rtp::Timestamp now) const {
  return state_ == SignalState::kReceiving && now - last_packet_ >= config_.silence;
}

std::optional<WatchdogEvent> Watchdog::Poll(
    rtp::Timestamp now, const std::function<std::optional<bool>()>& membership_listed) {
  if (!Due(now)) return std::nullopt;
  state_ = SignalState::kNoSignal;
  ++outages_;
  WatchdogEvent e;
  e.kind = WatchdogEvent::Kind::kNoSignal;
  e.outage = now - last_packet_;
  if (last_bye_ && *last_bye_ + config_.bye_slack >= last_packet_) {
    e.causes = {LikelyCause::kSenderLeft};
    e.bye_reason = bye_reason_;
    return e;
  }
  const std::optional<bool> listed = membership_listed ? membership_listed() : std::nullopt;
  if (listed == false) {
    e.causes = {LikelyCause::kMembershipLostHere, LikelyCause::kSenderGone, LikelyCause::kPath};
  } else if (last_report_ && *last_report_ > last_packet_ + kReportAfterMedia) {
    e.causes = {LikelyCause::kSenderStoppedMedia, LikelyCause::kPath};
  } else {
    e.causes = {LikelyCause::kSenderGone, LikelyCause::kMembershipLostInNetwork,
                LikelyCause::kPath};
  }
  return e;
}

rtp::Duration Watchdog::silence(rtp::Timestamp now) const {
  return state_ == SignalState::kNoSignal ? now - last_packet_ : rtp::Duration{};
}

namespace {

std::string CauseText(LikelyCause c, const WatchdogEvent& e) {
  switch (c) {
    case LikelyCause::kSenderLeft:
      return e.bye_reason.empty() ? "the sender left (RTCP BYE)"
                                  : fmt::format("the sender left (RTCP BYE: \"{}\")",
                                                rtp::SafeText(e.bye_reason));  // its text
    case LikelyCause::kMembershipLostHere:
      return "our membership is gone: the kernel no longer lists the group on the interface "
             "(/proc/net/igmp; was the interface reset?)";
    case LikelyCause::kSenderStoppedMedia:
      return "the sender stopped sending media (its RTCP reports still arrive), or a filter "
             "drops the RTP port only";
    case LikelyCause::kSenderGone:
      return "the sender is gone: no RTP and no RTCP sender reports either";
    case LikelyCause::kMembershipLostInNetwork:
      return "the network dropped our membership (a snooping switch with no IGMP querier on "
             "the VLAN ages joins out: ask for a querier, or try --rejoin-every 20)";
    case LikelyCause::kPath:
      return "the path: a firewall or a route between the sender and here (run "
             "confcast-doctor)";
  }
  return "?";
}

std::string Ranked(const WatchdogEvent& e) {
  std::string out;
  for (std::size_t i = 0; i < e.causes.size(); ++i) {
    out += fmt::format("{}{}) {}", i ? "; " : "", i + 1, CauseText(e.causes[i], e));
  }
  return out;
}

}  // namespace

std::string DescribeEvent(const WatchdogEvent& e, std::string_view where) {
  switch (e.kind) {
    case WatchdogEvent::Kind::kNoSignal:
      if (e.causes == std::vector<LikelyCause>{LikelyCause::kSenderLeft}) {
        return fmt::format(
            "no signal: nothing received on {} for {:.1f} s: {}; waiting for "
            "senders",
            where, rtp::ToSeconds(e.outage), CauseText(e.causes[0], e));
      }
      return fmt::format(
          "no signal: nothing received on {} for {:.1f} s; keeping the last "
          "picture. Likely causes, most likely first: {}",
          where, rtp::ToSeconds(e.outage), Ranked(e));
    case WatchdogEvent::Kind::kSenderTimedOut:
      return fmt::format(
          "still no signal on {} after {:.1f} s: the sender timed out (no RTP or "
          "RTCP); likely causes: {}",
          where, rtp::ToSeconds(e.outage), Ranked(e));
    case WatchdogEvent::Kind::kRecovered:
      return fmt::format("signal back on {}: packets arrive again after {:.1f} s without any",
                         where, rtp::ToSeconds(e.outage));
  }
  return "?";
}

// /proc/net/igmp: a line "Idx<TAB>Device    : Count Querier" per interface, then one line per
// group starting with tabs, the group as the kernel prints a network-order 32-bit value with
// %08X. /proc/net/igmp6: one line per group, "idx device 32-hex-digit-address users ...".
std::optional<bool> KernelListsGroup(std::string_view text, std::string_view iface,
                                     const net::IpAddress& group) {
  const bool v6 = group.family == net::Family::kIpv6;
  std::string want;
  if (v6) {
    for (std::size_t i = 0; i < 16; ++i) want += fmt::format("{:02x}", group.bytes[i]);
  } else {
    std::uint32_t raw = 0;
    std::memcpy(&raw, group.bytes.data(), 4);
    want = fmt::format("{:08X}", raw);
  }
  auto tokens = [](std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == ':')) ++i;
      std::size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != ':') ++j;
      if (j > i) out.push_back(line.substr(i, j - i));
      i = j;
    }
    return out;
  };
  bool seen_iface = false, in_iface = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const auto t = tokens(line);
    if (t.size() < 2) continue;
    if (v6) {
      if (t.size() >= 3 && t[1] == iface) {
        seen_iface = true;
        if (t[2] == want) return true;
      }
    } else if (line.front() != '\t') {  // an interface line (or the header)
      in_iface = t[1] == iface;
      seen_iface = seen_iface || in_iface;
    } else if (in_iface && t[0] == want) {
      return true;
    }
  }
  if (!seen_iface) return std::nullopt;
  return false;
}

}  // namespace confcast::receiver
