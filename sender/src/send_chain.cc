#include "send_chain.h"

#include <confcast/net/batch_io.h>
#include <confcast/rtp/h264_packetizer.h>

#include <algorithm>
#include <bit>

namespace confcast::sender {

StampStage::StampStage(rtp::RtpStamper& stamper, StreamCounters& counters, PacketSink& next,
                       std::size_t max_datagram)
    : stamper_(stamper), counters_(counters), next_(next), max_datagram_(max_datagram) {}

bool StampStage::Write(rtp::Bytes payload, bool marker, std::uint32_t rtp_timestamp,
                       std::span<const rtp::ExtensionView> extensions, rtp::Timestamp now) {
  if (used_ == buffers_.size()) buffers_.emplace_back(max_datagram_);
  auto& buf = buffers_[used_];
  const std::size_t n = stamper_.Write(payload, marker, rtp_timestamp, extensions, buf);
  if (n == 0) return false;
  ++used_;
  counters_.packets.fetch_add(1, std::memory_order_relaxed);
  counters_.payload_octets.fetch_add(payload.size(), std::memory_order_relaxed);
  counters_.wire_bytes.fetch_add(n, std::memory_order_relaxed);
  next_.Write(Datagram{std::span<const std::uint8_t>(buf.data(), n), now, false});
  return true;
}

void StampStage::Flush() {
  next_.Flush();
  used_ = 0;  // the datagrams are on the wire: their buffers are free again
}

void StampStage::RequestSsrc(std::uint32_t ssrc) {
  pending_ssrc_.store(std::uint64_t{1} << 32 | ssrc, std::memory_order_release);
}

void StampStage::ApplyPendingSsrc() {
  const std::uint64_t p = pending_ssrc_.exchange(0, std::memory_order_acq_rel);
  if (p != 0) stamper_.set_ssrc(static_cast<std::uint32_t>(p));
}

std::size_t PacketizeAccessUnit(std::span<const std::uint8_t> access_unit,
                                std::size_t max_payload, std::uint32_t rtp_timestamp,
                                std::span<const rtp::ExtensionView> first_extensions,
                                rtp::Timestamp now, StampStage& stamp,
                                std::vector<std::uint8_t>& scratch) {
  if (scratch.size() < max_payload) scratch.resize(max_payload);
  rtp::H264Packetizer packetizer(access_unit, max_payload);
  std::size_t written = 0;
  bool first = true;
  while (auto info = packetizer.NextInto(scratch)) {
    const auto exts = first ? first_extensions : std::span<const rtp::ExtensionView>{};
    first = false;
    if (stamp.Write(rtp::Bytes(scratch.data(), info->size), info->last_of_access_unit,
                    rtp_timestamp, exts, now)) {
      ++written;
    }
  }
  return written;
}

void FecStage::Write(const Datagram& datagram) {
  if (!datagram.repair) {
    fec_.OnMedia(datagram.bytes);
    last_ = datagram.stamped_at;
  }
  next_.Write(datagram);
}

void FecStage::Flush() {
  for (const auto& repair : fec_.EndFrame()) next_.Write(Datagram{repair, last_, true});
  next_.Flush();
}

SentPacketRing::SentPacketRing(std::size_t capacity)
    : slots_(std::bit_ceil(std::max<std::size_t>(capacity, 2))), mask_(slots_.size() - 1) {}

bool SentPacketRing::Push(std::span<const std::uint8_t> datagram, rtp::Timestamp sent_at) {
  const std::size_t tail = tail_.load(std::memory_order_relaxed);
  if (tail - head_.load(std::memory_order_acquire) == slots_.size()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  Slot& s = slots_[tail & mask_];
  s.bytes.assign(datagram.begin(), datagram.end());  // keeps its capacity from the last round
  s.size = datagram.size();
  s.sent_at = sent_at;
  tail_.store(tail + 1, std::memory_order_release);
  return true;
}

void HistoryTap::Write(const Datagram& datagram) {
  if (!datagram.repair) (void)ring_.Push(datagram.bytes, datagram.stamped_at);
  next_.Write(datagram);
}

std::size_t DrainInto(SentPacketRing& ring, RtxSender& rtx) {
  return ring.Drain([&](std::span<const std::uint8_t> d, rtp::Timestamp at) { rtx.Remember(d, at); });
}

void BatchTransport::Flush() {
  if (batch_.empty()) return;
  if (!net::SendBatch(fd_, batch_)) counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
  batch_.clear();
}

}  // namespace confcast::sender
