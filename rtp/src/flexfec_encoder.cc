// RFC 8627 repair packets from running XOR parities (see FlexFecEncoder in flexfec.h).
// Each media packet is folded into its row's parity and, for 2-D schemes, its column's
// (RFC 8627 1.1.2-1.1.3): the row is packets i*L .. i*L+L-1 of the block, column c is
// packets c, c+L, c+2L, ... . The masks are relative to the first packet each parity covers.
#include <confcast/rtp/flexfec.h>

#include <algorithm>

namespace confcast::rtp {

void FlexFecEncoder::Parity::Reset() {
  byte0 = byte1 = 0;
  length = 0;
  ts = 0;
  sn_base = 0;
  mask.reset();
  count = 0;
  payload.clear();
}

void FlexFecEncoder::Parity::Xor(Bytes media, std::size_t offset_from_base) {
  byte0 ^= media[0];
  byte1 ^= media[1];
  ts ^= ReadU32(media, 4);
  const std::size_t body = media.size() - kRtpHeaderSize;
  length ^= static_cast<std::uint16_t>(body);
  if (payload.size() < body) payload.resize(body, 0);  // shorter packets are zero-padded
  for (std::size_t i = 0; i < body; ++i) payload[i] ^= media[kRtpHeaderSize + i];
  mask.set(offset_from_base);
  ++count;
}

FlexFecEncoder::FlexFecEncoder(std::uint32_t fec_ssrc, std::uint16_t first_sequence,
                               std::uint8_t payload_type) noexcept
    : ssrc_(fec_ssrc), payload_type_(payload_type), next_sequence_(first_sequence) {}

void FlexFecEncoder::SetScheme(FecScheme s) noexcept {
  s.columns = std::clamp(s.columns, 0, static_cast<int>(kFlexFecMaskBits));
  s.rows = std::max(s.rows, 1);
  // A column spans L*(D-1)+1 sequence numbers, which must fit the longest mask.
  if (s.columns > 0)
    s.rows = std::min(s.rows, static_cast<int>((kFlexFecMaskBits - 1) / s.columns) + 1);
  next_scheme_ = s;
}

void FlexFecEncoder::Add(Bytes media, std::vector<std::vector<std::uint8_t>>& out) {
  if (media.size() < kRtpHeaderSize || media.size() - kRtpHeaderSize > 0xFFFF) return;
  const std::uint16_t seq = ReadU16(media, 2);
  const std::uint32_t media_ssrc = ReadU32(media, 8);
  if (in_block_ > 0 &&
      (media_ssrc != media_ssrc_ || seq != static_cast<std::uint16_t>(last_seq_ + 1))) {
    Flush(out);
  }
  if (in_block_ == 0) {
    scheme_ = next_scheme_;
    if (scheme_.columns == 0) return;
    media_ssrc_ = media_ssrc;
    row_.Reset();
    columns_.resize(scheme_.rows > 1 ? static_cast<std::size_t>(scheme_.columns) : 0);
    for (Parity& c : columns_) c.Reset();
  }
  const auto L = static_cast<std::size_t>(scheme_.columns);
  const std::size_t row = in_block_ / L;
  const std::size_t col = in_block_ % L;
  if (row_.count == 0) row_.sn_base = seq;
  row_.Xor(media, col);
  if (!columns_.empty()) {
    Parity& c = columns_[col];
    if (c.count == 0) c.sn_base = seq;
    c.Xor(media, row * L);
  }
  last_seq_ = seq;
  last_ts_ = ReadU32(media, 4);
  ++in_block_;
  if (col + 1 == L) Emit(row_, out);
  if (in_block_ == L * static_cast<std::size_t>(scheme_.rows)) Flush(out);
}

void FlexFecEncoder::Flush(std::vector<std::vector<std::uint8_t>>& out) {
  if (in_block_ == 0) return;
  if (row_.count > 0) Emit(row_, out);
  // A column of one packet would only repeat it; its row already protects it.
  for (Parity& c : columns_) {
    if (c.count >= 2) Emit(c, out);
    c.Reset();
  }
  in_block_ = 0;
}

void FlexFecEncoder::Emit(Parity& p, std::vector<std::vector<std::uint8_t>>& out) {
  FlexFecPacket packet;
  packet.payload_type = payload_type_;
  packet.sequence_number = next_sequence_++;
  // RFC 8627 4.1: the repair packet's timestamp is its sending time on the media clock; the
  // media timestamp of the frame it follows is exactly that.
  packet.timestamp = last_ts_;
  packet.ssrc = ssrc_;
  FlexFecHeader& h = packet.header;
  h.p_recovery = (p.byte0 & 0x20) != 0;
  h.x_recovery = (p.byte0 & 0x10) != 0;
  h.cc_recovery = p.byte0 & 0x0F;
  h.m_recovery = (p.byte1 & 0x80) != 0;
  h.pt_recovery = p.byte1 & 0x7F;
  h.length_recovery = p.length;
  h.ts_recovery = p.ts;
  h.streams.push_back(FecProtectedStream{media_ssrc_, p.sn_base, p.mask, 0, 0});
  packet.repair_payload = std::move(p.payload);
  out.push_back(Serialize(packet));
  p.Reset();
}

}  // namespace confcast::rtp
