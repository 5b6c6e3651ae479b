// confcast-send --announce: SAP announcements (RFC 2974) of the session description.
//
// Where: the SAP group of the session's scope (rtp::SapGroupFor*: 224.2.127.254 for confcast's
// default 239.0.0.11, 239.255.255.255 for 239.255/16, ff0X::2:7ffe for IPv6), port 9875, on
// the stream's interface and with the stream's TTL, so the announcement reaches exactly the
// hosts the session does (RFC 2974 3; its "TTL 255" advice assumes administrative scoping,
// which a LAN without multicast routers does not have).
// When: rtp::SapAnnounceSchedule (three quick announcements, then the RFC 3.1 interval, or
// --announce-interval); the number of announcements on the group, which the interval scales
// with, is counted by listening to the group as the RFC asks.
// What: the SDP as written to --sdp; a new description gets a new message id hash and the old
// one a deletion; on exit a deletion (payload: the o= line, RFC 2974 6).
#pragma once

#include <confcast/net/batch_io.h>
#include <confcast/net/endpoint.h>
#include <confcast/net/interface.h>
#include <confcast/net/socket.h>
#include <confcast/rtp/sap.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace confcast::sender {

struct SapAnnouncerConfig {
  net::IpAddress session_group;
  net::InterfaceChoice iface;
  int ttl = 1;
  bool loopback = true;
  std::optional<rtp::Duration> interval;  // --announce-interval; nullopt: RFC 2974 3.1
};

class SapAnnouncer {
 public:
  static std::expected<std::unique_ptr<SapAnnouncer>, std::string> Open(
      const SapAnnouncerConfig& config, rtp::Timestamp now);

  // Any thread: the description to announce from now on.
  void SetDescription(std::string sdp);
  // Event loop: sends what is due at `now`.
  void Tick(rtp::Timestamp now);
  // Event loop: reads announcements heard on the group (for the interval's count).
  void OnReadable(rtp::Timestamp now);
  // On exit: deletes the current announcement, if one went out.
  void SendDeletion();

  int listen_fd() const { return listener_ ? listener_->fd() : -1; }
  std::string destination() const;  // "224.2.127.254:9875"
  std::uint64_t announcements_sent() const { return schedule_.sent(); }

 private:
  SapAnnouncer(const SapAnnouncerConfig& config, rtp::Timestamp now);
  bool Send(const rtp::SapPacket& packet);

  SapAnnouncerConfig config_;
  net::IpAddress sap_group_;
  net::Socket socket_;
  std::optional<net::GroupSocket> listener_;
  net::BatchReceiver receiver_{16, 2048};
  rtp::SapDirectory heard_;
  rtp::SapAnnounceSchedule schedule_;
  std::mt19937 rng_;
  std::mutex mutex_;
  std::optional<std::string> pending_;  // guarded by mutex_
  std::optional<rtp::SapPacket> current_;
  std::uint64_t send_errors_ = 0;
};

}  // namespace confcast::sender
