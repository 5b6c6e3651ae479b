// RFC 8627 repair packet header: parsing and serialization (layout in flexfec.h).
#include <confcast/rtp/flexfec.h>

#include <algorithm>

namespace confcast::rtp {
namespace {

constexpr std::uint8_t kRBit = 0x80;
constexpr std::uint8_t kFBit = 0x40;
constexpr std::uint8_t kPBit = 0x20;
constexpr std::uint8_t kXBit = 0x10;
constexpr std::uint16_t kKBit = 0x8000;

// Bytes one F=0 entry needs for this mask: 4 (15 bits), 8 (46 bits) or 16 (110 bits).
std::size_t MaskEntrySize(const FecMask& mask) noexcept {
  std::size_t highest = 0;
  for (std::size_t i = 0; i < kFlexFecMaskBits; ++i) {
    if (mask[i]) highest = i;
  }
  return highest < 15 ? 4 : highest < 46 ? 8 : 16;
}

std::size_t EntriesSize(const FlexFecHeader& h) noexcept {
  std::size_t n = 0;
  for (const auto& s : h.streams) n += h.fixed ? 4 : MaskEntrySize(s.mask);
  return n;
}

}  // namespace

std::string_view Describe(FlexFecError error) noexcept {
  switch (error) {
    case FlexFecError::kBadRtp:
      return "not a valid RTP packet";
    case FlexFecError::kRetransmission:
      return "R bit set: a retransmission, not a repair packet";
    case FlexFecError::kNoProtectedStream:
      return "CSRC list names no protected SSRC";
    case FlexFecError::kHeaderTooShort:
      return "shorter than the FEC header";
    case FlexFecError::kMaskTooShort:
      return "SN base / mask runs past the packet";
    case FlexFecError::kEmptyMask:
      return "mask protects no packet";
    case FlexFecError::kZeroColumns:
      return "fixed form with L = 0";
  }
  return "unknown FlexFEC error";
}

std::vector<std::uint16_t> ProtectedOffsets(const FecProtectedStream& s, bool fixed) {
  std::vector<std::uint16_t> out;
  if (!fixed) {
    for (std::size_t i = 0; i < kFlexFecMaskBits; ++i) {
      if (s.mask[i]) out.push_back(static_cast<std::uint16_t>(i));
    }
  } else if (s.rows <= 1) {  // a row of L consecutive packets
    for (std::uint16_t i = 0; i < s.columns; ++i) out.push_back(i);
  } else {  // a column: every L-th packet of D rows
    for (std::uint16_t i = 0; i < s.rows; ++i)
      out.push_back(static_cast<std::uint16_t>(i * s.columns));
  }
  return out;
}

std::expected<FlexFecView, FlexFecError> ParseFlexFec(Bytes datagram) {
  auto rtp = ParseRtp(datagram);
  if (!rtp) return std::unexpected(FlexFecError::kBadRtp);
  const Bytes p = rtp->payload;
  if (p.size() < kFlexFecFixedHeader) return std::unexpected(FlexFecError::kHeaderTooShort);
  if (p[0] & kRBit) return std::unexpected(FlexFecError::kRetransmission);
  if (rtp->csrc_count() == 0) return std::unexpected(FlexFecError::kNoProtectedStream);
  FlexFecView v;
  v.rtp = *rtp;
  FlexFecHeader& h = v.header;
  h.fixed = (p[0] & kFBit) != 0;
  h.p_recovery = (p[0] & kPBit) != 0;
  h.x_recovery = (p[0] & kXBit) != 0;
  h.cc_recovery = p[0] & 0x0F;
  h.m_recovery = (p[1] & 0x80) != 0;
  h.pt_recovery = p[1] & 0x7F;
  h.length_recovery = ReadU16(p, 2);
  h.ts_recovery = ReadU32(p, 4);
  std::size_t at = kFlexFecFixedHeader;
  for (std::size_t i = 0; i < rtp->csrc_count(); ++i) {
    FecProtectedStream s;
    s.ssrc = rtp->csrc(i);
    if (at + 4 > p.size()) return std::unexpected(FlexFecError::kMaskTooShort);
    s.sn_base = ReadU16(p, at);
    if (h.fixed) {
      s.columns = p[at + 2];
      s.rows = p[at + 3];
      if (s.columns == 0) return std::unexpected(FlexFecError::kZeroColumns);
      at += 4;
    } else {
      const std::uint16_t first = ReadU16(p, at + 2);
      for (std::size_t b = 0; b < 15; ++b) s.mask[b] = (first >> (14 - b)) & 1;
      at += 4;
      if (!(first & kKBit)) {
        if (at + 4 > p.size()) return std::unexpected(FlexFecError::kMaskTooShort);
        const std::uint32_t second = ReadU32(p, at);
        for (std::size_t b = 0; b < 31; ++b) s.mask[15 + b] = (second >> (30 - b)) & 1;
        at += 4;
        if (!(second & 0x80000000u)) {
          if (at + 8 > p.size()) return std::unexpected(FlexFecError::kMaskTooShort);
          const std::uint64_t third = ReadU64(p, at);
          for (std::size_t b = 0; b < 64; ++b) s.mask[46 + b] = (third >> (63 - b)) & 1;
          at += 8;
        }
      }
      if (s.mask.none()) return std::unexpected(FlexFecError::kEmptyMask);
    }
    h.streams.push_back(s);
  }
  v.repair_payload = p.subspan(at);
  return v;
}

FlexFecPacket ToPacket(const FlexFecView& view) {
  FlexFecPacket out;
  out.payload_type = view.rtp.payload_type;
  out.sequence_number = view.rtp.sequence_number;
  out.timestamp = view.rtp.timestamp;
  out.ssrc = view.rtp.ssrc;
  out.header = view.header;
  out.repair_payload.assign(view.repair_payload.begin(), view.repair_payload.end());
  return out;
}

std::size_t SerializedSize(const FlexFecPacket& packet) noexcept {
  return kRtpHeaderSize + 4 * packet.header.streams.size() + kFlexFecFixedHeader +
         EntriesSize(packet.header) + packet.repair_payload.size();
}

std::size_t SerializeTo(const FlexFecPacket& packet, MutableBytes out) noexcept {
  const FlexFecHeader& h = packet.header;
  if (h.streams.empty() || h.streams.size() > kMaxCsrcs) return 0;
  for (const auto& s : h.streams) {
    if (h.fixed ? s.columns == 0 : s.mask.none()) return 0;
  }
  const std::size_t size = SerializedSize(packet);
  if (out.size() < size) return 0;
  // RTP header: V=2, no padding or extension, the protected SSRCs as CSRCs (RFC 8627 4.1).
  out[0] = static_cast<std::uint8_t>(0x80 | h.streams.size());
  out[1] = packet.payload_type & 0x7F;
  WriteU16(out, 2, packet.sequence_number);
  WriteU32(out, 4, packet.timestamp);
  WriteU32(out, 8, packet.ssrc);
  std::size_t at = kRtpHeaderSize;
  for (const auto& s : h.streams) {
    WriteU32(out, at, s.ssrc);
    at += 4;
  }
  out[at] = static_cast<std::uint8_t>((h.fixed ? kFBit : 0) | (h.p_recovery ? kPBit : 0) |
                                      (h.x_recovery ? kXBit : 0) | (h.cc_recovery & 0x0F));
  out[at + 1] = static_cast<std::uint8_t>((h.m_recovery ? 0x80 : 0) | (h.pt_recovery & 0x7F));
  WriteU16(out, at + 2, h.length_recovery);
  WriteU32(out, at + 4, h.ts_recovery);
  at += kFlexFecFixedHeader;
  for (const auto& s : h.streams) {
    WriteU16(out, at, s.sn_base);
    if (h.fixed) {
      out[at + 2] = s.columns;
      out[at + 3] = s.rows;
      at += 4;
      continue;
    }
    const std::size_t entry = MaskEntrySize(s.mask);
    std::uint16_t first = entry == 4 ? kKBit : 0;
    for (std::size_t b = 0; b < 15; ++b) first |= static_cast<std::uint16_t>(s.mask[b] << (14 - b));
    WriteU16(out, at + 2, first);
    if (entry >= 8) {
      std::uint32_t second = entry == 8 ? 0x80000000u : 0;
      for (std::size_t b = 0; b < 31; ++b)
        second |= static_cast<std::uint32_t>(s.mask[15 + b]) << (30 - b);
      WriteU32(out, at + 4, second);
    }
    if (entry == 16) {
      std::uint64_t third = 0;
      for (std::size_t b = 0; b < 64; ++b)
        third |= static_cast<std::uint64_t>(s.mask[46 + b]) << (63 - b);
      WriteU64(out, at + 8, third);
    }
    at += entry;
  }
  std::copy(packet.repair_payload.begin(), packet.repair_payload.end(),
            out.begin() + static_cast<std::ptrdiff_t>(at));
  return size;
}

std::vector<std::uint8_t> Serialize(const FlexFecPacket& packet) {
  std::vector<std::uint8_t> out(SerializedSize(packet));
  out.resize(SerializeTo(packet, out));
  return out;
}

}  // namespace confcast::rtp
