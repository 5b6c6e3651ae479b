// Multicast UDP sockets for one stream (RTP on the even port, RTCP on the odd one).
//
// Sender: RTP and RTCP sockets bound to a local even/odd pair and *connected* to group:P and
// group:P+1, so the kernel routes once and send() needs no address. A connected socket only
// accepts datagrams from its peer, which a group never is; so the sender also joins the group's
// odd port to hear receiver reports, NACK and PLI.
// Receiver: sockets bound to group:P and group:P+1 (binding the group address keeps other
// groups on the same port out), SO_REUSEADDR so several receivers share a host,
// IP_MULTICAST_ALL off, a join (source-specific when a source is given) on the chosen
// interface, and a leave when the socket closes.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "confcast/net/endpoint.h"
#include "confcast/net/error.h"
#include "confcast/net/interface.h"

namespace confcast::net {

// An owned, non-blocking file descriptor.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

// DiffServ code points for RTP media (RFC 8837 section 5): EF for audio, AF41 for video.
enum class Dscp : std::uint8_t { kBestEffort = 0, kAf41 = 34, kEf = 46 };

inline constexpr int kDefaultReceiveBuffer = 4 << 20;

// A socket bound to group:port and joined on an interface; leaves the group when destroyed.
class GroupSocket {
 public:
  struct Options {
    int receive_buffer_bytes = kDefaultReceiveBuffer;
    bool join = true;  // false only for tests proving that an unjoined socket hears nothing
  };
  static std::expected<GroupSocket, Error> Open(const MulticastEndpoint& endpoint,
                                                std::uint16_t port, const InterfaceChoice& iface,
                                                const Options& options);
  GroupSocket(GroupSocket&&) noexcept = default;
  GroupSocket& operator=(GroupSocket&&) noexcept;
  ~GroupSocket();
  int fd() const { return socket_.fd(); }
  // Drops the membership now (MCAST_LEAVE_*); the destructor does it if not done yet.
  std::expected<void, Error> Leave();
  // Adds the membership again after Leave() (MCAST_JOIN_*); nothing to do when joined.
  std::expected<void, Error> Join();
  bool joined() const { return joined_; }
  int receive_buffer_bytes() const { return receive_buffer_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  GroupSocket() = default;
  Socket socket_;
  MulticastEndpoint endpoint_;
  unsigned if_index_ = 0;
  bool joined_ = false;
  int receive_buffer_ = 0;
  std::vector<std::string> warnings_;
};

// Renews the memberships of `sockets` (joined ones; others are left alone): drops every one,
// then adds every one back. The kernel sends a membership report (IGMP, RFC 3376 5.1; MLD,
// RFC 3810 6.1) only when an interface's membership changes, which it does not while any
// socket still holds the group: so all of them leave first, and the join right after makes the
// host announce the group afresh, re-creating the state that a snooping switch with no querier
// ages out (RFC 4541 2.1.1). A program elsewhere on this host holding the same group keeps the
// interface joined, and then nothing is sent (nor needed: its membership is the host's).
std::expected<void, Error> Rejoin(std::span<GroupSocket* const> sockets);

struct SenderOptions {
  std::uint16_t local_port = 0;  // even; 0: a random even port in [1024, 65534)
  int ttl = 1;                   // 1 keeps media on the LAN
  bool loopback = true;          // receivers on this host hear the sender
  std::optional<Dscp> dscp;
  bool listen_rtcp = true;  // join group:P+1 to hear receiver reports, NACK, PLI
  int receive_buffer_bytes = kDefaultReceiveBuffer;
};

class SenderStream {
 public:
  static std::expected<SenderStream, Error> Open(const MulticastEndpoint& endpoint,
                                                 const InterfaceChoice& iface,
                                                 const SenderOptions& options = {});
  int rtp_fd() const { return rtp_.fd(); }
  int rtcp_fd() const { return rtcp_.fd(); }
  // The joined socket on group:P+1, or nullptr when listen_rtcp was false.
  const GroupSocket* rtcp_listener() const { return listener_ ? &*listener_ : nullptr; }
  std::uint16_t local_rtp_port() const { return local_port_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  SenderStream() = default;
  Socket rtp_;
  Socket rtcp_;
  std::optional<GroupSocket> listener_;
  std::uint16_t local_port_ = 0;
  std::vector<std::string> warnings_;
};

class ReceiverStream {
 public:
  static std::expected<ReceiverStream, Error> Open(const MulticastEndpoint& endpoint,
                                                   const InterfaceChoice& iface,
                                                   const GroupSocket::Options& options = {});
  int rtp_fd() const { return rtp_.fd(); }
  int rtcp_fd() const { return rtcp_.fd(); }
  GroupSocket& rtp() { return rtp_; }
  GroupSocket& rtcp() { return rtcp_; }
  // Renews both memberships: Rejoin({&rtp(), &rtcp()}).
  std::expected<void, Error> Rejoin();
  std::vector<std::string> warnings() const;

 private:
  ReceiverStream(GroupSocket rtp, GroupSocket rtcp)
      : rtp_(std::move(rtp)), rtcp_(std::move(rtcp)) {}
  GroupSocket rtp_;
  GroupSocket rtcp_;
};

}  // namespace confcast::net
