// Batched datagram I/O: recvmmsg with kernel arrival timestamps (SO_TIMESTAMPNS) and kernel
// drop counts (SO_RXQ_OVFL), sendmmsg on connected sockets. One syscall moves up to a batch,
// which is what lets one core keep up with many streams.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <vector>

#include "confcast/net/endpoint.h"
#include "confcast/net/error.h"

namespace confcast::net {

struct Datagram {
  std::span<const std::uint8_t> data;  // valid until the next Receive()
  std::chrono::nanoseconds arrival{};  // kernel CLOCK_REALTIME stamp; 0 if none was given
  IpAddress source;
  std::uint16_t source_port = 0;
};

struct ReceiveCounters {
  std::uint64_t datagrams = 0;     // delivered to the caller
  std::uint64_t bytes = 0;         // payload bytes delivered
  std::uint64_t truncated = 0;     // larger than the buffer: counted and dropped
  std::uint64_t kernel_drops = 0;  // socket queue overflows reported by the kernel
  bool operator==(const ReceiveCounters&) const = default;
};

// Receives from one socket (kernel drop counts are per socket).
class BatchReceiver {
 public:
  explicit BatchReceiver(std::size_t batch = 32, std::size_t max_datagram = 2048);
  // Reads what is waiting, up to one batch, without blocking; each datagram has passed the
  // socket's DatagramFilter, if any (datagrams it drops are not returned). An empty span means nothing
  // was waiting. Truncated datagrams are counted and not returned.
  std::expected<std::span<const Datagram>, Error> Receive(int fd);
  const ReceiveCounters& counters() const { return counters_; }

 private:
  std::size_t batch_;
  std::size_t max_datagram_;
  std::vector<std::uint8_t> buffers_;
  std::vector<std::uint8_t> control_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<sockaddr_storage> from_;
  std::vector<Datagram> out_;
  ReceiveCounters counters_;
};

// Sends datagrams on a connected socket, each through the socket's DatagramFilter if it has
// one (datagram_filter.h). Returns how many the kernel took; fewer than given
// means the socket buffer is full (wait for writability) — never an error.
std::expected<std::size_t, Error> SendBatch(int fd,
                                            std::span<const std::span<const std::uint8_t>> data);
// One datagram, one syscall (send()); false when the socket buffer is full.
std::expected<bool, Error> SendOne(int fd, std::span<const std::uint8_t> data);

}  // namespace confcast::net
