// Receive watchdog: notices when a receiver that was getting packets stops getting them, says
// why that probably happened, and notices when they come back.
//
// How it works: every RTP datagram (any source, any medium) feeds OnPacket(t); sender reports
// feed OnSenderReport(t), BYE packets OnBye(t). Once `silence` has passed since the last
// packet, Poll() declares "no signal" exactly once and ranks the likely causes with what the
// receiver knows at that moment:
//   1. a BYE heard with (or after) the last packets  -> the sender left; nothing else listed;
//   2. the host's kernel no longer lists the group on the interface (/proc/net/igmp) -> our
//      membership is gone here;
//   3. sender reports still arrive but RTP does not -> the sender stopped sending media (or a
//      filter drops the RTP port only);
//   4. otherwise RTP and RTCP stopped together -> the sender is gone (crashed, unplugged), or
//      the network dropped our membership (IGMP snooping switch with no querier ages it out,
//      RFC 4541 section 2.1.1), or the path (firewall, route) broke.
// An RTCP timeout during the outage (RFC 3550 6.3.5: nothing from the sender for several
// report intervals) confirms "sender gone" once. The first packet afterwards ends the outage
// and reports how long it lasted. Nothing here reads a clock or a file: time and the
// membership check are passed in, so tests drive it with fake time.
#pragma once

#include <confcast/net/endpoint.h>
#include <confcast/rtp/time.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcast::receiver {

enum class SignalState {
  kWaiting,    // nothing received yet: not an outage, the sender may not have started
  kReceiving,  // packets arrive
  kNoSignal,   // packets stopped; the last picture stays on screen
};
std::string_view SignalStateName(SignalState s);  // "waiting", "receiving", "no signal"

enum class LikelyCause {
  kSenderLeft,               // BYE heard
  kMembershipLostHere,       // the kernel no longer lists the group on the interface
  kSenderStoppedMedia,       // sender reports still arrive, RTP does not
  kSenderGone,               // no RTP and no RTCP: sender stopped or unreachable
  kMembershipLostInNetwork,  // snooping switch without an IGMP querier aged out the join
  kPath,                     // firewall or routing between the sender and us
};

struct WatchdogEvent {
  enum class Kind {
    kNoSignal,        // silence passed the threshold; `causes` ranked, most likely first
    kSenderTimedOut,  // an RTCP timeout during the outage confirmed the sender is gone
    kRecovered,       // packets are back; `outage` is how long nothing arrived
  };
  Kind kind = Kind::kNoSignal;
  rtp::Duration outage{};  // silence so far (kNoSignal, kSenderTimedOut) or in total (kRecovered)
  std::vector<LikelyCause> causes;
  std::string bye_reason;  // with kSenderLeft, the BYE's reason text if it had one
  bool operator==(const WatchdogEvent&) const = default;
};

struct WatchdogConfig {
  rtp::Duration silence = std::chrono::milliseconds(1000);  // no packets this long: no signal
  // A BYE counts for the outage when it came at most this long before the last packet (a
  // sender says BYE right after its final burst; an older BYE was another participant's).
  rtp::Duration bye_slack = std::chrono::milliseconds(500);
};

class Watchdog {
 public:
  explicit Watchdog(WatchdogConfig config = {}) : config_(config) {}

  // An RTP datagram arrived at t. Returns kRecovered when it ends an outage.
  [[nodiscard]] std::optional<WatchdogEvent> OnPacket(rtp::Timestamp t);
  void OnSenderReport(rtp::Timestamp t);
  void OnBye(rtp::Timestamp t, std::string reason);
  // The receiver gave up on a sender for lack of RTP and RTCP. Returns kSenderTimedOut once
  // per outage, when it happens during one.
  [[nodiscard]] std::optional<WatchdogEvent> OnRtcpTimeout(rtp::Timestamp t);

  // Whether Poll(now, ...) would declare an outage (so the caller reads /proc only then).
  [[nodiscard]] bool Due(rtp::Timestamp now) const;
  // Declares the outage when due. `membership_listed`: does the kernel still list the group
  // on the interface (nullopt: could not tell). Called only when due.
  [[nodiscard]] std::optional<WatchdogEvent> Poll(
      rtp::Timestamp now, const std::function<std::optional<bool>()>& membership_listed);

  SignalState state() const { return state_; }
  // How long nothing has arrived (zero unless in kNoSignal).
  rtp::Duration silence(rtp::Timestamp now) const;
  std::uint64_t outages() const { return outages_; }
  rtp::Duration longest_outage() const { return longest_; }

 private:
  WatchdogConfig config_;
  SignalState state_ = SignalState::kWaiting;
  rtp::Timestamp last_packet_{};
  std::optional<rtp::Timestamp> last_report_;
  std::optional<rtp::Timestamp> last_bye_;
  std::string bye_reason_;
  bool timeout_reported_ = false;
  std::uint64_t outages_ = 0;
  rtp::Duration longest_{};
};

// Whether the kernel's membership table lists `group` on interface `iface`: `proc_text` is the
// text of /proc/net/igmp (IPv4) or /proc/net/igmp6 (IPv6). nullopt when the text has no entry
// for the interface at all (it went away, or the text is not what the kernel writes).
std::optional<bool> KernelListsGroup(std::string_view proc_text, std::string_view iface,
                                     const net::IpAddress& group);

// One line for the user. `where`: the group and interface, e.g. "239.0.0.11:15550 on vl0".
std::string DescribeEvent(const WatchdogEvent& event, std::string_view where);

}  // namespace confcast::receiver
