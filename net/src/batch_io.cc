// recvmmsg/sendmmsg wrappers. Control messages are walked with the CMSG_* macros and their
// payloads copied out with memcpy (no casts onto kernel buffers).
#include "confcast/net/batch_io.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "sockaddr.h"

namespace confcast::net {
namespace {

constexpr std::size_t kControlPerMessage =
    CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(std::uint32_t)) + 64;

void ReadSource(const sockaddr_storage& from, Datagram& d) {
  if (from.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &from, sizeof in);
    d.source.family = Family::kIpv4;
    std::memcpy(d.source.bytes.data(), &in.sin_addr, 4);
    d.source_port = ntohs(in.sin_port);
  } else if (from.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &from, sizeof in6);
    d.source.family = Family::kIpv6;
    std::memcpy(d.source.bytes.data(), &in6.sin6_addr, 16);
    d.source_port = ntohs(in6.sin6_port);
  }
}

}  // namespace

BatchReceiver::BatchReceiver(std::size_t batch, std::size_t max_datagram)
    : batch_(batch == 0 ? 1 : batch),
      max_datagram_(max_datagram),
      buffers_(batch_ * max_datagram_),
      control_(batch_ * kControlPerMessage),
      msgs_(batch_),
      iovs_(batch_),
      from_(batch_) {
  out_.reserve(batch_);
}

std::expected<std::span<const Datagram>, Error> BatchReceiver::Receive(int fd) {
  auto& msgs = msgs_;
  auto& iovs = iovs_;
  auto& from = from_;
  for (std::size_t i = 0; i < batch_; ++i) {
    iovs[i] = {buffers_.data() + i * max_datagram_, max_datagram_};
    msgs[i] = {};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    msgs[i].msg_hdr.msg_control = control_.data() + i * kControlPerMessage;
    msgs[i].msg_hdr.msg_controllen = kControlPerMessage;
  }
  out_.clear();
  const int n = recvmmsg(fd, msgs.data(), static_cast<unsigned>(batch_), MSG_DONTWAIT, nullptr);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      return std::span<const Datagram>{};
    return std::unexpected(
        Error{ErrorCode::kSystem, fmt::format("recvmmsg failed: {}; the socket is unusable, "
                                              "restart the receiver",
                                              std::strerror(errno))});
  }
  for (int i = 0; i < n; ++i) {
    msghdr& h = msgs[i].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
        std::uint32_t drops = 0;
        std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
        if (drops > counters_.kernel_drops) counters_.kernel_drops = drops;
      }
    }
    if ((h.msg_flags & MSG_TRUNC) != 0) {
      ++counters_.truncated;
      continue;
    }
    Datagram d;
    d.data = {buffers_.data() + static_cast<std::size_t>(i) * max_datagram_, msgs[i].msg_len};
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
          c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        d.arrival = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
      }
    }
    ReadSource(from[i], d);
    ++counters_.datagrams;
    counters_.bytes += msgs[i].msg_len;
    out_.push_back(d);
  }
  return std::span<const Datagram>(out_);
}

std::expected<std::size_t, Error> SendBatch(int fd,
                                            std::span<const std::span<const std::uint8_t>> data) {
  constexpr std::size_t kMax = 64;
  mmsghdr msgs[kMax];
  iovec iovs[kMax];
  std::size_t sent = 0;
  while (sent < data.size()) {
    const std::size_t n = std::min(kMax, data.size() - sent);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& d = data[sent + i];
      iovs[i] = {const_cast<std::uint8_t*>(d.data()), d.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int r = sendmmsg(fd, msgs, static_cast<unsigned>(n), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR) break;
      return std::unexpected(
          Error{ErrorCode::kSystem,
                fmt::format("sendmmsg failed: {}; check the interface and route to the group",
                            std::strerror(errno))});
    }
    sent += static_cast<std::size_t>(r);
    if (static_cast<std::size_t>(r) < n) break;
  }
  return sent;
}

std::expected<bool, Error> SendOne(int fd, std::span<const std::uint8_t> data) {
  if (send(fd, data.data(), data.size(), MSG_DONTWAIT) >= 0) return true;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR) return false;
  return std::unexpected(
      Error{ErrorCode::kSystem, fmt::format("send failed: {}; check the interface and route to "
                                            "the group",
                                            std::strerror(errno))});
}

}  // namespace confcast::net
