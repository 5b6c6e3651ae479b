// recvmmsg/sendmmsg wrappers. Control messages are walked with the CMSG_* macros and their
// payloads copied out with memcpy (no casts onto kernel buffers).
#include "confcast/net/batch_io.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "confcast/net/datagram_filter.h"
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
  const std::shared_ptr<DatagramFilter> filter = DatagramFilterOf(fd);
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
    std::uint8_t* const at = buffers_.data() + static_cast<std::size_t>(i) * max_datagram_;
    std::size_t length = msgs[i].msg_len;
    if (filter) {
      // Before anything parses it (SRTP: authenticate and decrypt in place).
      auto kept = filter->OnReceive({at, max_datagram_}, length);
      if (!kept) continue;
      length = *kept;
    }
    d.data = {at, length};
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
    counters_.bytes += length;
    out_.push_back(d);
  }
  return std::span<const Datagram>(out_);
}

namespace {

std::expected<std::size_t, Error> SendBatchRaw(
    int fd, std::span<const std::span<const std::uint8_t>> data) {
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

// Outgoing datagrams of a filtered socket are copied with tailroom and transformed there (the
// callers' buffers are const and may be resent, e.g. from a retransmission history).
struct FilterScratch {
  std::vector<std::vector<std::uint8_t>> buffers;
  std::vector<std::span<const std::uint8_t>> views;
};

std::span<const std::span<const std::uint8_t>> Filtered(
    DatagramFilter& filter, std::span<const std::span<const std::uint8_t>> data,
    FilterScratch& scratch, std::size_t& dropped) {
  scratch.views.clear();
  if (scratch.buffers.size() < data.size()) scratch.buffers.resize(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto& b = scratch.buffers[i];
    if (b.size() < data[i].size() + kFilterTailroom) b.resize(data[i].size() + kFilterTailroom);
    std::copy(data[i].begin(), data[i].end(), b.begin());
    if (auto n = filter.OnSend(b, data[i].size())) {
      scratch.views.emplace_back(b.data(), *n);
    } else {
      ++dropped;
    }
  }
  return scratch.views;
}

}  // namespace

std::expected<std::size_t, Error> SendBatch(int fd,
                                            std::span<const std::span<const std::uint8_t>> data) {
  if (auto filter = DatagramFilterOf(fd)) {
    thread_local FilterScratch scratch;
    std::size_t dropped = 0;
    auto sent = SendBatchRaw(fd, Filtered(*filter, data, scratch, dropped));
    if (!sent) return sent;
    // Dropped ones count as taken: the filter counted them and they will not go out.
    return *sent == scratch.views.size() ? data.size() : *sent;
  }
  return SendBatchRaw(fd, data);
}

std::expected<bool, Error> SendOne(int fd, std::span<const std::uint8_t> data) {
  if (auto filter = DatagramFilterOf(fd)) {
    thread_local std::vector<std::uint8_t> scratch;
    scratch.resize(data.size() + kFilterTailroom);
    std::copy(data.begin(), data.end(), scratch.begin());
    auto n = filter->OnSend(scratch, data.size());
    if (!n) return true;  // dropped and counted by the filter
    data = {scratch.data(), *n};
  }
  if (send(fd, data.data(), data.size(), MSG_DONTWAIT) >= 0) return true;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR) return false;
  return std::unexpected(
      Error{ErrorCode::kSystem, fmt::format("send failed: {}; check the interface and route to "
                                            "the group",
                                            std::strerror(errno))});
}

}  // namespace confcast::net
