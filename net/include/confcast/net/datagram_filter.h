// A transform applied to every datagram at the socket boundary: SendBatch and SendOne pass
// each outgoing datagram of a socket through its filter just before the syscall, and
// BatchReceiver::Receive passes each incoming one through just after it, before anyone parses
// it. SRTP (srtp_group.h) is the filter confcast uses; because it is attached to the socket,
// every packet on it is covered, whoever builds it (media, RTX, FEC, RTCP feedback).
//
// Filters are registered by file descriptor; Socket clears its descriptor's filter when it
// closes, so a reused descriptor never inherits one. Lookups take a mutex only while at least
// one filter exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace confcast::net {

// Room a filter may add to an outgoing datagram (SRTP's tag and SRTCP index need 148 at most).
inline constexpr std::size_t kFilterTailroom = 256;

class DatagramFilter {
 public:
  virtual ~DatagramFilter() = default;
  // `buffer` holds the datagram in its first `length` bytes and has at least kFilterTailroom
  // bytes more. Returns the length to send, or nullopt to drop it (the filter counts why).
  // Called from any thread that sends on the socket.
  virtual std::optional<std::size_t> OnSend(std::span<std::uint8_t> buffer, std::size_t length) = 0;
  // In place; may only shrink. Returns the length to deliver, or nullopt to drop it.
  virtual std::optional<std::size_t> OnReceive(std::span<std::uint8_t> buffer,
                                               std::size_t length) = 0;
};

// Attaches `filter` to `fd` (nullptr detaches).
void SetDatagramFilter(int fd, std::shared_ptr<DatagramFilter> filter);
// The filter of `fd`, or nullptr.
std::shared_ptr<DatagramFilter> DatagramFilterOf(int fd);

}  // namespace confcast::net
