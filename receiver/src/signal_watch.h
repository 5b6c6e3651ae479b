// The receive watchdog wired into confcast-recv: feeds it monotonic time, reads the kernel's
// membership table (/proc/net/igmp or igmp6) when an outage is declared, and prints the
// no-signal, still-no-signal and signal-back lines on stderr, and renews the memberships for
// --rejoin-every. See confcast/receiver/watchdog.h.
#pragma once

#include <confcast/net/endpoint.h>
#include <confcast/net/socket.h>
#include <confcast/receiver/watchdog.h>

#include <cstdint>
#include <string>
#include <vector>

namespace confcast::receiver {

// What --stats-json and the status line show about the signal.
struct SignalFigures {
  SignalState state = SignalState::kWaiting;
  double silence_s = 0;  // while there is no signal: how long nothing has arrived
  std::uint64_t outages = 0;
  double longest_outage_s = 0;
  std::uint64_t rejoins = 0;  // --rejoin-every renewals done
};

class SignalWatch {
 public:
  SignalWatch(const net::MulticastEndpoint& endpoint, std::string iface_name);
  void OnPacket(rtp::Timestamp now);
  void OnSenderReport(rtp::Timestamp now) { dog_.OnSenderReport(now); }
  void OnBye(rtp::Timestamp now, std::string reason) { dog_.OnBye(now, std::move(reason)); }
  // A participant timed out (nothing heard for the participant timeout).
  void OnTimeout(rtp::Timestamp now);
  void Tick(rtp::Timestamp now);
  // The sockets whose memberships Rejoin() renews (they must outlive this object's use).
  void Track(net::GroupSocket& rtp, net::GroupSocket& rtcp);
  // --rejoin-every: renews every tracked membership at once (net::Rejoin says why together).
  void Rejoin();
  bool no_signal() const { return dog_.state() == SignalState::kNoSignal; }
  SignalFigures Figures(rtp::Timestamp now) const;

 private:
  void Print(const WatchdogEvent& e) const;
  Watchdog dog_;
  net::IpAddress group_;
  std::string iface_;
  std::string where_;
  std::vector<net::GroupSocket*> sockets_;
  std::uint64_t rejoins_ = 0;
};

}  // namespace confcast::receiver
