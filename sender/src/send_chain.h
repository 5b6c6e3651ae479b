// The sender's write path as a chain of stages, each with one job, each wrapping the next
// (the shape of pion/interceptor's writers): packetize -> stamp -> FEC -> RTX history ->
// transport. A media thread owns its chain; only the transport touches the socket.
//
//   H264Packetizer --payloads--> StampStage --Datagram--> FecStage --> HistoryTap --> BatchTransport
//                                (SSRC, seq,             (FlexFEC     (copy into a     (one sendmmsg
//                                 counters)               repair at    SentPacketRing)  per frame)
//                                                         Flush)
//
// Why retransmissions stay on the event loop (and not on the media thread):
// The event loop is the thread a NACK arrives on. Answering it there costs no hand-over: the
// RTX packet leaves in the same wake-up that read the NACK. Moving the answer to the media
// thread would add the time until that thread next looks at a queue: it blocks in the source's
// Pull for up to 200 ms and then encodes (a few ms, tens for a 1080p IDR), so even with an
// eventfd woken Pull a NACK would wait for the encode in progress; at 30 fps the average added
// latency would be ~half a frame interval (17 ms) against a LAN RTT of well under 1 ms, which
// is what RTX is racing against (the receiver's jitter buffer). So the history moves instead:
// the media thread hands a copy of each media datagram it sends to a bounded, lock-free
// single-producer/single-consumer ring (SentPacketRing); the event loop drains the ring into
// the RtxSender it alone owns, right before it answers each NACK and on a short timer (so the
// ring never fills between NACKs). A datagram enters the ring before it reaches the socket, so
// any packet a receiver can NACK is in the history by the time the NACK is served: the added
// RTX latency is the drain itself (a memcpy per packet sent since the last drain, ~µs).
// No lock is taken per packet on either side; a full ring drops the copy (counted: that
// packet cannot be retransmitted) rather than block the media thread.
// Both threads write the one UDP socket, but they share no user-space state for it: a UDP
// send is atomic per datagram. With --key-file the SRTP hook protects each datagram under its
// session's own lock (net/src/srtp.cc), as it already does for the audio thread and RTCP.
#pragma once

#include <confcast/rtp/packet.h>
#include <confcast/rtp/stamper.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "fec_protector.h"
#include "rtx_sender.h"
#include "send_counters.h"

namespace confcast::sender {

// A serialized RTP datagram on its way to the socket. `bytes` stays valid until the Flush of
// the chain that carries it returns.
struct Datagram {
  std::span<const std::uint8_t> bytes;
  rtp::Timestamp stamped_at{};  // monotonic time it was stamped
  bool repair = false;          // a FlexFEC repair packet: not media, never retransmitted
};

// One stage of the write path. Flush ends a frame: a stage passes it on after writing what it
// adds per frame.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void Write(const Datagram& datagram) = 0;
  virtual void Flush() = 0;
};

// A stage that forwards everything, so that a stage overrides only what it adds.
class ForwardingSink : public PacketSink {
 public:
  explicit ForwardingSink(PacketSink& next) : next_(next) {}
  void Write(const Datagram& datagram) override { next_.Write(datagram); }
  void Flush() override { next_.Flush(); }

 protected:
  PacketSink& next_;
};

// Stamps payloads into RTP datagrams (SSRC, payload type, sequence number, extensions) in
// buffers it owns until Flush, counts them (packets, payload octets, wire bytes) and passes
// them on. An SSRC change after a collision is applied only between frames (ApplyPendingSsrc).
class StampStage {
 public:
  StampStage(rtp::RtpStamper& stamper, StreamCounters& counters, PacketSink& next,
             std::size_t max_datagram);
  // False (nothing written) when the payload does not fit a datagram.
  bool Write(rtp::Bytes payload, bool marker, std::uint32_t rtp_timestamp,
             std::span<const rtp::ExtensionView> extensions, rtp::Timestamp now);
  void Flush();
  // The RTCP thread's choice of a new SSRC, (1 << 32 | ssrc) or 0; read by ApplyPendingSsrc.
  void RequestSsrc(std::uint32_t ssrc);
  // Between frames only: takes a requested SSRC, so no frame is split across two SSRCs.
  void ApplyPendingSsrc();

 private:
  rtp::RtpStamper& stamper_;
  StreamCounters& counters_;
  PacketSink& next_;
  std::size_t max_datagram_;
  std::vector<std::vector<std::uint8_t>> buffers_;  // reused across frames
  std::size_t used_ = 0;
  std::atomic<std::uint64_t> pending_ssrc_{0};
};

// Packetizes one H.264 access unit (RFC 6184, rtp::H264Packetizer) into `stamp`; the first
// packet carries `first_extensions`. Returns how many packets were written.
std::size_t PacketizeAccessUnit(std::span<const std::uint8_t> access_unit,
                                std::size_t max_payload, std::uint32_t rtp_timestamp,
                                std::span<const rtp::ExtensionView> first_extensions,
                                rtp::Timestamp now, StampStage& stamp,
                                std::vector<std::uint8_t>& scratch);

// FlexFEC: every media datagram feeds the protector; at Flush the frame's repair datagrams go
// out after its media (fec_protector.h). BeginFrame stays with the protector's owner.
class FecStage : public ForwardingSink {
 public:
  FecStage(FecProtector& fec, PacketSink& next) : ForwardingSink(next), fec_(fec) {}
  void Write(const Datagram& datagram) override;
  void Flush() override;

 private:
  FecProtector& fec_;
  rtp::Timestamp last_{};
};

// Bounded lock-free single-producer/single-consumer ring of copies of sent media datagrams:
// the media thread pushes, the event loop drains. Each slot's buffer is reused, so after
// warm-up neither side allocates. Push never blocks: when the ring is full it drops the copy
// and counts it.
class SentPacketRing {
 public:
  explicit SentPacketRing(std::size_t capacity);  // rounded up to a power of two
  // Producer only. False when full (the drop is counted).
  bool Push(std::span<const std::uint8_t> datagram, rtp::Timestamp sent_at);
  // Consumer only: calls f(std::span<const std::uint8_t>, rtp::Timestamp) for each datagram
  // in the order pushed; returns how many.
  template <class F>
  std::size_t Drain(F&& f) {
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t n = tail - head;
    for (; head != tail; ++head) {
      const Slot& s = slots_[head & mask_];
      f(std::span<const std::uint8_t>(s.bytes.data(), s.size), s.sent_at);
    }
    head_.store(head, std::memory_order_release);
    return n;
  }
  std::size_t capacity() const noexcept { return slots_.size(); }
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::vector<std::uint8_t> bytes;
    std::size_t size = 0;
    rtp::Timestamp sent_at{};
  };
  std::vector<Slot> slots_;
  std::size_t mask_;
  alignas(64) std::atomic<std::size_t> head_{0};  // next to drain; written by the consumer
  alignas(64) std::atomic<std::size_t> tail_{0};  // next free; written by the producer
  alignas(64) std::atomic<std::uint64_t> dropped_{0};
};

// Hands a copy of each media datagram to the ring before passing it on, so a datagram is in
// the ring before it reaches the socket. Repair datagrams are not retransmitted.
class HistoryTap : public ForwardingSink {
 public:
  HistoryTap(SentPacketRing& ring, PacketSink& next) : ForwardingSink(next), ring_(ring) {}
  void Write(const Datagram& datagram) override;

 private:
  SentPacketRing& ring_;
};

// Event loop: moves what the media thread sent into the history RtxSender owns. Returns how
// many datagrams it moved.
std::size_t DrainInto(SentPacketRing& ring, RtxSender& rtx);

// The end of the chain: collects a frame's datagrams and sends them in one batch (sendmmsg)
// at Flush; a failed batch counts one send error.
class BatchTransport : public PacketSink {
 public:
  BatchTransport(int fd, StreamCounters& counters) : fd_(fd), counters_(counters) {}
  void Write(const Datagram& datagram) override { batch_.push_back(datagram.bytes); }
  void Flush() override;

 private:
  int fd_;
  StreamCounters& counters_;
  std::vector<std::span<const std::uint8_t>> batch_;
};

}  // namespace confcast::sender
