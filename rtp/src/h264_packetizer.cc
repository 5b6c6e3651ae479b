// RFC 6184 packetization-mode 1 packetizer.
//
// NAL units are pulled lazily (from the Annex-B reader or the caller's list) with one unit of
// lookahead. A unit larger than the payload limit is cut into FU-A fragments (5.8) of
// near-equal size: n = ceil(L / C) fragments for L bytes after the NAL header and C bytes of
// room, each of floor(L/n) or ceil(L/n) bytes, so no tiny tail packet is sent. Otherwise, as
// long as the next unit also fits, consecutive units are aggregated into one STAP-A (5.7.1)
// whose header takes the highest NRI and the OR of the F bits (5.7); a unit that fits but has
// no partner goes out as a single NAL unit packet (5.6).
#include "confcast/rtp/h264_packetizer.h"

#include <algorithm>
#include <cstring>

#include "confcast/rtp/bytes.h"

namespace confcast::rtp {
namespace {

constexpr std::size_t kStapHeader = 1;
constexpr std::size_t kStapLength = 2;
constexpr std::size_t kFuHeaders = 2;
constexpr std::size_t kMaxStapNal = 0xffff;

}  // namespace

H264Packetizer::H264Packetizer(std::span<const std::uint8_t> annexb_access_unit,
                               std::size_t max_payload, H264PacketizerOptions options) noexcept
    : max_payload_(std::max(max_payload, kMinPayload)),
      options_(options),
      reader_(annexb_access_unit),
      from_list_(false) {}

H264Packetizer::H264Packetizer(std::span<const std::span<const std::uint8_t>> nals,
                               std::size_t max_payload, H264PacketizerOptions options) noexcept
    : max_payload_(std::max(max_payload, kMinPayload)),
      options_(options),
      reader_({}),
      list_(nals),
      from_list_(true) {}

std::optional<std::span<const std::uint8_t>> H264Packetizer::Pull() noexcept {
  for (;;) {
    std::optional<std::span<const std::uint8_t>> nal;
    if (from_list_) {
      if (list_pos_ < list_.size()) nal = list_[list_pos_++];
    } else {
      nal = reader_.Next();
    }
    if (!nal) return std::nullopt;
    // Types 0 and 24..31 are not H.264 NAL units a decoder uses, and in RTP they would read as
    // STAP/MTAP/FU headers (RFC 6184 5.2): skip them like empty ones.
    if (nal->empty() || NalTypeBits((*nal)[0]) == 0 || NalTypeBits((*nal)[0]) >= 24) continue;
    if (options_.drop_aud && IsNalType((*nal)[0], NalType::kAud)) continue;
    return nal;
  }
}

std::optional<std::span<const std::uint8_t>> H264Packetizer::Peek() noexcept {
  if (!has_peeked_) {
    peeked_ = Pull();
    has_peeked_ = true;
  }
  return peeked_;
}

std::optional<std::span<const std::uint8_t>> H264Packetizer::Pop() noexcept {
  auto nal = Peek();
  has_peeked_ = false;
  return nal;
}

bool H264Packetizer::Done() noexcept {
  return fu_count_ == 0 && !Peek();
}

std::optional<PayloadInfo> H264Packetizer::NextInto(std::span<std::uint8_t> out) noexcept {
  if (out.size() < max_payload_) return std::nullopt;
  if (fu_count_ != 0) return NextFragment(out);
  const auto nal = Pop();
  if (!nal) return std::nullopt;

  if (nal->size() > max_payload_) {
    const std::size_t data = nal->size() - 1;
    const std::size_t room = max_payload_ - kFuHeaders;
    fu_nal_ = *nal;
    fu_offset_ = 1;
    fu_index_ = 0;
    fu_count_ = (data + room - 1) / room;
    fu_base_ = data / fu_count_;
    fu_larger_ = data % fu_count_;
    return NextFragment(out);
  }

  auto next = Peek();
  const auto fits_with = [&](std::size_t used, std::size_t size) {
    return size <= kMaxStapNal && used + kStapLength + size <= max_payload_;
  };
  if (options_.aggregate && next && nal->size() <= kMaxStapNal &&
      fits_with(kStapHeader + kStapLength + nal->size(), next->size())) {
    std::size_t at = kStapHeader;
    bool forbidden = false;
    std::uint8_t nri = 0;
    std::span<const std::uint8_t> unit = *nal;
    for (;;) {
      forbidden = forbidden || NalForbiddenBit(unit[0]);
      nri = std::max(nri, NalRefIdc(unit[0]));
      WriteU16(out, at, static_cast<std::uint16_t>(unit.size()));
      std::memcpy(out.data() + at + kStapLength, unit.data(), unit.size());
      at += kStapLength + unit.size();
      next = Peek();
      if (!next || !fits_with(at, next->size())) break;
      unit = *Pop();
    }
    out[0] = MakeNalHeader(forbidden, nri, static_cast<std::uint8_t>(NalType::kStapA));
    return PayloadInfo{at, !next.has_value()};
  }

  std::memcpy(out.data(), nal->data(), nal->size());
  return PayloadInfo{nal->size(), !next.has_value()};
}

// FU-A (RFC 6184 5.8): FU indicator |F|NRI|28| then FU header |S|E|R|Type|.
PayloadInfo H264Packetizer::NextFragment(std::span<std::uint8_t> out) noexcept {
  const std::uint8_t header = fu_nal_[0];
  const std::size_t size = fu_base_ + (fu_index_ < fu_larger_ ? 1 : 0);
  const bool start = fu_index_ == 0;
  const bool end = fu_index_ + 1 == fu_count_;
  out[0] = static_cast<std::uint8_t>((header & 0xe0) | static_cast<std::uint8_t>(NalType::kFuA));
  out[1] = static_cast<std::uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | NalTypeBits(header));
  std::memcpy(out.data() + kFuHeaders, fu_nal_.data() + fu_offset_, size);
  fu_offset_ += size;
  ++fu_index_;
  bool last = false;
  if (end) {
    fu_count_ = 0;
    last = !Peek().has_value();
  }
  return PayloadInfo{kFuHeaders + size, last};
}

std::optional<Payload> H264Packetizer::Next() {
  Payload payload;
  payload.bytes.resize(max_payload_);
  const auto info = NextInto(payload.bytes);
  if (!info) return std::nullopt;
  payload.bytes.resize(info->size);
  payload.last_of_access_unit = info->last_of_access_unit;
  return payload;
}

}  // namespace confcast::rtp
