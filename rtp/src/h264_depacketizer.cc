// RFC 6184 packetization-mode 1 depacketizer.
//
// Access unit boundaries: the marker bit closes one (RFC 6184 5.1); a new RTP timestamp also
// closes the open one, for when the marker packet was lost. Loss: packets come in sequence
// order, so any forward jump of the sequence number (seq.h modular arithmetic) means packets
// are missing. A gap inside an access unit damages it; a gap before its first packet marks it
// kLostBefore because its head may have been lost with the gap. FU-A (5.8) fragments are
// appended as they come; when the sequence is broken (gap, a missing start or end, a fragment
// of another type, a timestamp change) the partial NAL unit is cut off the buffer again, so
// emitted access units only ever hold NAL units that arrived whole.
#include "confcast/rtp/h264_depacketizer.h"

#include <utility>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/bytes.h"
#include "confcast/rtp/seq.h"

namespace confcast::rtp {
namespace {

constexpr std::size_t kStartCodeSize = sizeof(kStartCode4);
constexpr std::int32_t kMaxMisorder = 100;

}  // namespace

H264Depacketizer::H264Depacketizer(std::size_t max_access_unit_size)
    : max_size_(max_access_unit_size) {}

PushResult H264Depacketizer::Push(std::span<const std::uint8_t> payload, std::uint16_t seq,
                                  std::uint32_t timestamp, bool marker) {
  ++stats_.packets;
  PushResult result;
  bool gap = false;
  if (last_seq_) {
    const std::int32_t d = SeqDiff(seq, *last_seq_);
    if (d <= 0 && d >= -kMaxMisorder) {
      ++stats_.dropped_packets;
      result.status = d == 0 ? PacketStatus::kDuplicate : PacketStatus::kOutOfOrder;
      return result;
    }
    // A jump far backwards is a restarted stream rather than a late packet (RFC 3550 A.1
    // MAX_MISORDER): treat it as a gap instead of dropping everything until it catches up.
    gap = d != 1;
  }
  last_seq_ = seq;
  if (gap) ++stats_.sequence_gaps;

  if (open_ && timestamp != au_.timestamp) {
    // Without its marker packet, a gap may have taken this access unit's tail.
    if (gap) Damage(AuDamage::kSequenceGap);
    Close(false, result.access_units);
  }
  if (!open_) {
    Open(seq, timestamp, gap ? AuDamage::kLostBefore : AuDamage::kNone);
  } else if (gap) {
    AbandonFragment(AuDamage::kSequenceGap);
    Damage(AuDamage::kSequenceGap);
  }
  au_.last_seq = seq;
  ++au_.packets;

  result.status = Process(payload);
  if (result.status != PacketStatus::kAccepted) ++stats_.dropped_packets;
  if (marker) Close(true, result.access_units);
  return result;
}

std::optional<AccessUnit> H264Depacketizer::Flush() {
  if (!open_) return std::nullopt;
  std::vector<AccessUnit> out;
  Close(false, out);
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

void H264Depacketizer::Recycle(std::vector<std::uint8_t>&& buffer) {
  if (buffer.capacity() > spare_.capacity() && buffer.capacity() <= 2 * max_size_) {
    spare_ = std::move(buffer);
  }
}

void H264Depacketizer::Reset() {
  if (open_) Recycle(std::move(au_.annexb));
  open_ = false;
  last_seq_.reset();
  fu_ = FuState::kNone;
}

void H264Depacketizer::Open(std::uint16_t seq, std::uint32_t timestamp, AuDamage damage) {
  std::vector<std::uint8_t> buffer = std::move(spare_);
  spare_ = {};
  buffer.clear();
  au_ = AccessUnit{};
  au_.annexb = std::move(buffer);
  au_.timestamp = timestamp;
  au_.first_seq = seq;
  au_.last_seq = seq;
  au_.damage = damage;
  open_ = true;
  overflowed_ = false;
  fu_ = FuState::kNone;
}

void H264Depacketizer::Close(bool by_marker, std::vector<AccessUnit>& out) {
  AbandonFragment(AuDamage::kFuIncomplete);
  fu_ = FuState::kNone;
  open_ = false;
  // An access unit of ignored packets only (padding, reserved types) is nothing to report.
  if (au_.annexb.empty() && au_.damage == AuDamage::kNone) {
    Recycle(std::move(au_.annexb));
    return;
  }
  sps_known_ = sps_known_ || au_.has_sps;
  pps_known_ = pps_known_ || au_.has_pps;
  au_.complete = au_.damage == AuDamage::kNone;
  au_.ended_by_marker = by_marker;
  au_.decodable_start = au_.complete && au_.has_idr && sps_known_ && pps_known_;
  ++stats_.access_units;
  if (!au_.complete) ++stats_.damaged_access_units;
  out.push_back(std::move(au_));
}

void H264Depacketizer::Damage(AuDamage why) noexcept {
  if (au_.damage == AuDamage::kNone) au_.damage = why;
}

// Drops the partial NAL unit of an unfinished FU-A, if there is one.
void H264Depacketizer::AbandonFragment(AuDamage why) {
  if (fu_ != FuState::kActive) return;
  au_.annexb.resize(fu_start_);
  fu_ = FuState::kBroken;
  Damage(why);
}

PacketStatus H264Depacketizer::Process(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return PacketStatus::kEmpty;
  const std::uint8_t type = NalTypeBits(payload[0]);
  if (type == static_cast<std::uint8_t>(NalType::kFuA)) return ProcessFuA(payload);
  if (type == 0 || type >= 30) return PacketStatus::kIgnoredNalType;
  // Anything but a fragment ends a fragmented NAL unit that has not seen its end.
  AbandonFragment(AuDamage::kFuIncomplete);
  fu_ = FuState::kNone;
  if (type <= 23) return AppendNal(payload);
  if (type == static_cast<std::uint8_t>(NalType::kStapA)) return ProcessStapA(payload);
  ++stats_.unsupported_packets;
  Damage(AuDamage::kUnsupported);
  return PacketStatus::kUnsupported;
}

// STAP-A (5.7.1): header, then [16-bit size][NAL unit] repeated. Validated whole before
// anything is appended, so a truncated packet adds nothing.
PacketStatus H264Depacketizer::ProcessStapA(std::span<const std::uint8_t> p) {
  std::size_t at = 1;
  std::size_t total = 0;
  bool any = false;
  while (at < p.size()) {
    if (p.size() - at < 2) break;
    const std::size_t size = ReadU16(p, at);
    if (size == 0 || size > p.size() - at - 2) break;
    at += 2 + size;
    total += kStartCodeSize + size;
    any = true;
  }
  if (at != p.size() || !any) {
    ++stats_.malformed_packets;
    Damage(AuDamage::kMalformed);
    return PacketStatus::kMalformedStapA;
  }
  if (!Reserve(total)) return PacketStatus::kTooLarge;
  for (at = 1; at < p.size();) {
    const std::size_t size = ReadU16(p, at);
    const PacketStatus s = AppendNal(p.subspan(at + 2, size));
    if (s != PacketStatus::kAccepted) return s;
    at += 2 + size;
  }
  return PacketStatus::kAccepted;
}

// FU-A (5.8): FU indicator |F|NRI|28|, FU header |S|E|R|Type|, fragment bytes. The NAL
// header is rebuilt from the indicator's F and NRI and the FU header's type.
PacketStatus H264Depacketizer::ProcessFuA(std::span<const std::uint8_t> p) {
  const bool start = p.size() >= 2 && (p[1] & 0x80) != 0;
  const bool end = p.size() >= 2 && (p[1] & 0x40) != 0;
  if (p.size() < 2 || (start && end)) {
    ++stats_.malformed_packets;
    AbandonFragment(AuDamage::kMalformed);
    Damage(AuDamage::kMalformed);
    fu_ = FuState::kNone;
    return PacketStatus::kMalformedFu;
  }
  const std::uint8_t type = NalTypeBits(p[1]);
  const auto data = p.subspan(2);
  if (start && (type == 0 || type >= 24)) {  // an FU carries one plain NAL unit (5.8)
    ++stats_.malformed_packets;
    AbandonFragment(AuDamage::kMalformed);
    Damage(AuDamage::kMalformed);
    fu_ = FuState::kBroken;
    return PacketStatus::kMalformedFu;
  }
  if (start) {
    AbandonFragment(AuDamage::kFuIncomplete);  // the previous one never ended
    fu_ = FuState::kNone;
    if (!Reserve(kStartCodeSize + 1 + data.size())) return PacketStatus::kTooLarge;
    fu_start_ = au_.annexb.size();
    au_.annexb.insert(au_.annexb.end(), std::begin(kStartCode4), std::end(kStartCode4));
    au_.annexb.push_back(static_cast<std::uint8_t>((p[0] & 0xe0) | type));
    au_.annexb.insert(au_.annexb.end(), data.begin(), data.end());
    fu_type_ = type;
    fu_ = FuState::kActive;
    return PacketStatus::kAccepted;
  }
  if (fu_ == FuState::kNone) {
    Damage(AuDamage::kFuIncomplete);
    fu_ = end ? FuState::kNone : FuState::kBroken;
    return PacketStatus::kFuWithoutStart;
  }
  if (fu_ == FuState::kBroken) {
    if (end) fu_ = FuState::kNone;
    return PacketStatus::kFuDiscarded;
  }
  if (type != fu_type_) {
    AbandonFragment(AuDamage::kFuIncomplete);
    if (end) fu_ = FuState::kNone;
    return PacketStatus::kFuTypeMismatch;
  }
  if (!Reserve(data.size())) {
    AbandonFragment(AuDamage::kTooLarge);
    if (end) fu_ = FuState::kNone;
    return PacketStatus::kTooLarge;
  }
  au_.annexb.insert(au_.annexb.end(), data.begin(), data.end());
  if (end) {
    fu_ = FuState::kNone;
    NoteNal(au_.annexb[fu_start_ + kStartCodeSize]);
  }
  return PacketStatus::kAccepted;
}

PacketStatus H264Depacketizer::AppendNal(std::span<const std::uint8_t> nal) {
  if (!Reserve(kStartCodeSize + nal.size())) return PacketStatus::kTooLarge;
  au_.annexb.insert(au_.annexb.end(), std::begin(kStartCode4), std::end(kStartCode4));
  au_.annexb.insert(au_.annexb.end(), nal.begin(), nal.end());
  NoteNal(nal[0]);
  return PacketStatus::kAccepted;
}

// Whether `bytes` more fit under the cap; once over, the rest of the access unit is dropped.
bool H264Depacketizer::Reserve(std::size_t bytes) {
  if (!overflowed_ && bytes <= max_size_ - au_.annexb.size()) return true;
  overflowed_ = true;
  Damage(AuDamage::kTooLarge);
  return false;
}

void H264Depacketizer::NoteNal(std::uint8_t header) noexcept {
  switch (NalTypeBits(header)) {
    case static_cast<std::uint8_t>(NalType::kIdr):
      au_.has_idr = true;
      break;
    case static_cast<std::uint8_t>(NalType::kSps):
      au_.has_sps = true;
      break;
    case static_cast<std::uint8_t>(NalType::kPps):
      au_.has_pps = true;
      break;
    default:
      break;
  }
}

}  // namespace confcast::rtp
