// RFC 8627 6.3 recovery with a bounded repair window (see FlexFecDecoder in flexfec.h).
//
// Media packets live in a ring of window_packets slots indexed by their sequence number,
// unwrapped against the newest media packet (rtp/seq.h's SeqDiff), so a lookup is one index.
// Repair packets are kept in a short list; each is tried when it arrives and whenever a packet
// it covers arrives or is rebuilt ("peeling": a row that rebuilds a packet can complete a
// column, which rebuilds another). Repair packets are only ever measured against media: a
// repair packet with a wild SN base is dropped, never allowed to move the window.
#include <confcast/rtp/flexfec.h>
#include <confcast/rtp/seq.h>

#include <algorithm>

namespace confcast::rtp {

FlexFecDecoder::FlexFecDecoder(const FlexFecDecoderConfig& config)
    : config_(config), ring_(std::max<std::size_t>(config.window_packets, 2)) {
  config_.window_packets = ring_.size();
  config_.max_repair_packets = std::max<std::size_t>(config.max_repair_packets, 1);
}

std::int64_t FlexFecDecoder::Unwrap(std::uint16_t seq) const {
  if (!newest_) return seq;
  return *newest_ + SeqDiff(seq, static_cast<std::uint16_t>(*newest_));
}

FlexFecDecoder::Slot& FlexFecDecoder::SlotOf(std::int64_t useq) {
  const auto n = static_cast<std::int64_t>(ring_.size());
  return ring_[static_cast<std::size_t>(((useq % n) + n) % n)];
}

bool FlexFecDecoder::Has(std::int64_t useq) {
  const Slot& s = SlotOf(useq);
  return s.filled && s.useq == useq;
}

bool FlexFecDecoder::Store(std::int64_t useq, Bytes datagram) {
  const auto window = static_cast<std::int64_t>(ring_.size());
  if (newest_ && useq <= *newest_ - window) return false;  // older than the window
  Slot& s = SlotOf(useq);
  if (s.filled && s.useq == useq) return false;  // duplicate
  s.useq = useq;
  s.filled = true;
  s.bytes.assign(datagram.begin(), datagram.end());
  if (!newest_ || useq > *newest_) newest_ = useq;
  return true;
}

void FlexFecDecoder::DropStale() {
  if (!newest_) return;
  const std::int64_t oldest = *newest_ - static_cast<std::int64_t>(ring_.size()) + 1;
  std::erase_if(repair_, [&](const Repair& r) { return r.last() < oldest; });
}

FecDecodeResult FlexFecDecoder::OnMedia(Bytes datagram) {
  FecDecodeResult result;
  if (datagram.size() < kRtpHeaderSize || (datagram[0] >> 6) != 2) return result;
  if (ReadU32(datagram, 8) != config_.media_ssrc) return result;
  const std::int64_t useq = Unwrap(ReadU16(datagram, 2));
  if (!Store(useq, datagram)) return result;
  DropStale();
  Settle({useq}, result);
  return result;
}

FecDecodeResult FlexFecDecoder::OnRepair(Bytes datagram) {
  FecDecodeResult result;
  auto view = ParseFlexFec(datagram);
  if (!view) {
    ++stats_.repair_malformed;
    result.error = view.error();
    return result;
  }
  // Only repair packets of our stream alone: a parity over several SSRCs needs all of them.
  const FlexFecHeader& h = view->header;
  if (h.streams.size() != 1 || h.streams[0].ssrc != config_.media_ssrc) {
    ++stats_.repair_ignored;
    return result;
  }
  Repair r;
  r.offsets = ProtectedOffsets(h.streams[0], h.fixed);
  const auto window = static_cast<std::int64_t>(ring_.size());
  if (r.offsets.empty() || r.offsets.back() >= window) {
    ++stats_.repair_ignored;
    return result;
  }
  if (!newest_) newest_ = h.streams[0].sn_base;  // a repair packet before any media
  r.base = Unwrap(h.streams[0].sn_base);
  if (r.last() <= *newest_ - window || r.base > *newest_ + window) {
    ++stats_.repair_ignored;
    return result;
  }
  ++stats_.repair_received;
  result.last_protected = static_cast<std::uint16_t>(r.last());
  r.byte0 = static_cast<std::uint8_t>((h.p_recovery ? 0x20 : 0) | (h.x_recovery ? 0x10 : 0) |
                                      h.cc_recovery);
  r.byte1 = static_cast<std::uint8_t>((h.m_recovery ? 0x80 : 0) | h.pt_recovery);
  r.length = h.length_recovery;
  r.ts = h.ts_recovery;
  r.payload.assign(view->repair_payload.begin(), view->repair_payload.end());
  if (repair_.size() >= config_.max_repair_packets) {
    auto oldest =
        std::min_element(repair_.begin(), repair_.end(),
                         [](const Repair& a, const Repair& b) { return a.base < b.base; });
    repair_.erase(oldest);
  }
  repair_.push_back(std::move(r));
  bool erased = false;
  if (auto got = TryRepair(repair_.size() - 1, result, erased)) Settle({*got}, result);
  return result;
}

void FlexFecDecoder::Settle(std::vector<std::int64_t> work, FecDecodeResult& result) {
  while (!work.empty()) {
    const std::int64_t useq = work.back();
    work.pop_back();
    for (std::size_t i = 0; i < repair_.size();) {
      const Repair& r = repair_[i];
      if (useq < r.base || useq > r.last()) {
        ++i;
        continue;
      }
      bool erased = false;
      if (auto got = TryRepair(i, result, erased)) work.push_back(*got);
      if (!erased) ++i;
    }
  }
}

std::optional<std::int64_t> FlexFecDecoder::TryRepair(std::size_t i, FecDecodeResult& result,
                                                      bool& erased) {
  Repair& r = repair_[i];
  std::optional<std::int64_t> missing;
  for (std::uint16_t off : r.offsets) {
    const std::int64_t u = r.base + off;
    if (Has(u)) continue;
    if (missing) return std::nullopt;  // two or more missing: wait for more packets
    missing = u;
  }
  erased = true;
  auto drop = [&] { repair_.erase(repair_.begin() + static_cast<std::ptrdiff_t>(i)); };
  // Nothing to repair (the set is complete), or the missing packet has left the window.
  if (!missing || (newest_ && *missing <= *newest_ - static_cast<std::int64_t>(ring_.size()))) {
    drop();
    return std::nullopt;
  }
  // XOR the repair packet with every packet it covers but the missing one (RFC 8627 6.3.2).
  std::uint8_t byte0 = r.byte0, byte1 = r.byte1;
  std::uint16_t length = r.length;
  std::uint32_t ts = r.ts;
  std::vector<std::uint8_t> body = std::move(r.payload);
  bool consistent = true;
  for (std::uint16_t off : r.offsets) {
    const std::int64_t u = r.base + off;
    if (u == *missing) continue;
    const std::vector<std::uint8_t>& m = SlotOf(u).bytes;
    const std::size_t n = m.size() - kRtpHeaderSize;
    if (n > body.size()) {  // a protected packet longer than the parity: not its repair packet
      consistent = false;
      break;
    }
    byte0 ^= m[0];
    byte1 ^= m[1];
    ts ^= ReadU32(m, 4);
    length ^= static_cast<std::uint16_t>(n);
    for (std::size_t k = 0; k < n; ++k) body[k] ^= m[kRtpHeaderSize + k];
  }
  drop();
  if (!consistent || length > body.size()) {
    ++stats_.inconsistent;
    return std::nullopt;
  }
  std::vector<std::uint8_t> packet(kRtpHeaderSize + length);
  packet[0] = static_cast<std::uint8_t>(0x80 | (byte0 & 0x3F));
  packet[1] = byte1;
  WriteU16(packet, 2, static_cast<std::uint16_t>(*missing));
  WriteU32(packet, 4, ts);
  WriteU32(packet, 8, config_.media_ssrc);
  std::copy_n(body.begin(), length, packet.begin() + kRtpHeaderSize);
  if (!ParseRtp(packet) || !Store(*missing, packet)) {
    ++stats_.inconsistent;
    return std::nullopt;
  }
  ++stats_.recovered;
  result.recovered.push_back(std::move(packet));
  return missing;
}

}  // namespace confcast::rtp
