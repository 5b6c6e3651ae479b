// Slice header reading and keyframe detection on RFC 6184 payloads.
//
// A NAL unit's payload is an RBSP with emulation prevention applied (H.264 7.3.1, 7.4.1): the
// encoder inserts 0x03 after every two zero bytes that would otherwise be followed by a byte of
// 0x00-0x03, so no start code appears inside. The reader below undoes that on the fly: after two
// zero bytes a 0x03 is skipped and the zero count starts again. first_mb_in_slice is the slice
// header's first field, an Exp-Golomb ue(v) (9.1): M leading zero bits, a one, M more bits b,
// value = 2^M - 1 + b. Its value is the address of the slice's first macroblock, so 0 marks the
// top of a picture (with arbitrary slice order, a Baseline option no real-time encoder uses,
// it would only be likely).
#include "confcast/rtp/h264_bitstream.h"

#include <cstddef>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/bytes.h"

namespace confcast::rtp {
namespace {

// Reads RBSP bits out of emulation-prevented bytes.
class EbspBitReader {
 public:
  explicit EbspBitReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  std::optional<bool> Bit() noexcept {
    if (bits_left_ == 0 && !LoadByte()) return std::nullopt;
    --bits_left_;
    return ((current_ >> bits_left_) & 1) != 0;
  }

  // ue(v), 9.1; codes longer than 32 bits (values above 2^32 - 2) are refused.
  std::optional<std::uint32_t> Ue() noexcept {
    int leading_zeros = 0;
    for (;;) {
      const auto bit = Bit();
      if (!bit) return std::nullopt;
      if (*bit) break;
      if (++leading_zeros > 31) return std::nullopt;
    }
    std::uint32_t suffix = 0;
    for (int i = 0; i < leading_zeros; ++i) {
      const auto bit = Bit();
      if (!bit) return std::nullopt;
      suffix = suffix << 1 | (*bit ? 1u : 0u);
    }
    return ((std::uint32_t{1} << leading_zeros) - 1) + suffix;
  }

 private:
  bool LoadByte() noexcept {
    if (pos_ >= bytes_.size()) return false;
    std::uint8_t b = bytes_[pos_++];
    if (zeros_ >= 2 && b == 0x03) {  // emulation_prevention_three_byte: not part of the RBSP
      zeros_ = 0;
      if (pos_ >= bytes_.size()) return false;
      b = bytes_[pos_++];
    }
    zeros_ = b == 0 ? zeros_ + 1 : 0;
    current_ = b;
    bits_left_ = 8;
    return true;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  int zeros_ = 0;
  std::uint8_t current_ = 0;
  int bits_left_ = 0;
};

bool IsSliceType(std::uint8_t type) noexcept {
  return type == static_cast<std::uint8_t>(NalType::kSlice) || type == 2 /* partition A */ ||
         type == static_cast<std::uint8_t>(NalType::kIdr);
}

// `after_header`: the slice NAL unit's bytes after its one-byte header (possibly only the first
// fragment of them).
std::optional<std::uint32_t> FirstMbOfSliceData(std::span<const std::uint8_t> after_header) {
  return EbspBitReader(after_header).Ue();
}

// Whether a NAL unit of `type` whose bytes after the header are `after_header` begins an IDR
// access unit (for a receiver that needs one).
bool NalStartsKeyframe(std::uint8_t type, std::span<const std::uint8_t> after_header) {
  if (type == static_cast<std::uint8_t>(NalType::kSps)) return true;
  if (type != static_cast<std::uint8_t>(NalType::kIdr)) return false;
  return FirstMbOfSliceData(after_header) == std::optional<std::uint32_t>{0};
}

// RFC 6184 5.7.1: [16-bit size][NAL unit] repeated, at least once. Checked whole, as the
// depacketizer does: a STAP-A whose sizes do not add up delivers nothing.
bool StapAWellFormed(std::span<const std::uint8_t> p) {
  std::size_t at = 1;
  std::size_t units = 0;
  while (at < p.size()) {
    if (p.size() - at < 2) return false;
    const std::size_t size = ReadU16(p, at);
    if (size == 0 || size > p.size() - at - 2) return false;
    at += 2 + size;
    ++units;
  }
  return units > 0;
}

}  // namespace

std::optional<std::uint32_t> FirstMbInSlice(std::span<const std::uint8_t> slice_nal) noexcept {
  if (slice_nal.empty() || !IsSliceType(NalTypeBits(slice_nal[0]))) return std::nullopt;
  return FirstMbOfSliceData(slice_nal.subspan(1));
}

bool StartsKeyframe(std::span<const std::uint8_t> p) noexcept {
  if (p.empty()) return false;
  const std::uint8_t type = NalTypeBits(p[0]);
  if (type >= 1 && type <= 23) return NalStartsKeyframe(type, p.subspan(1));
  if (type == static_cast<std::uint8_t>(NalType::kStapA)) {
    if (!StapAWellFormed(p)) return false;
    for (std::size_t at = 1; at < p.size();) {
      const std::size_t size = ReadU16(p, at);
      const auto nal = p.subspan(at + 2, size);
      if (NalStartsKeyframe(NalTypeBits(nal[0]), nal.subspan(1))) return true;
      at += 2 + size;
    }
    return false;
  }
  if (type == static_cast<std::uint8_t>(NalType::kFuA)) {
    // RFC 6184 5.8: FU indicator, FU header |S|E|R|Type|, then the NAL unit's bytes after its
    // header. Only the start fragment (S set, E clear) holds the slice header.
    if (p.size() < 3) return false;
    const bool start = (p[1] & 0x80) != 0;
    const bool end = (p[1] & 0x40) != 0;
    if (!start || end) return false;
    return NalStartsKeyframe(NalTypeBits(p[1]), p.subspan(2));
  }
  return false;
}

namespace {

// The type of the first NAL unit a payload carries bytes of: a single NAL unit, the first unit
// of a well-formed STAP-A, the unit an FU-A fragment belongs to (with `fu_start` whether this
// is its start fragment). Nothing for an empty or malformed payload.
struct FirstNal {
  std::uint8_t type = 0;
  bool start = true;  // the payload holds the NAL unit's first byte
};
std::optional<FirstNal> FirstNalOf(std::span<const std::uint8_t> p) {
  if (p.empty()) return std::nullopt;
  const std::uint8_t type = NalTypeBits(p[0]);
  if (type >= 1 && type <= 23) return FirstNal{type, true};
  if (type == static_cast<std::uint8_t>(NalType::kStapA)) {
    if (!StapAWellFormed(p)) return std::nullopt;
    return FirstNal{NalTypeBits(p[3]), true};
  }
  if (type == static_cast<std::uint8_t>(NalType::kFuA) && p.size() >= 2)
    return FirstNal{NalTypeBits(p[1]), (p[1] & 0x80) != 0};
  return std::nullopt;
}

}  // namespace

bool BeginsAccessUnit(std::span<const std::uint8_t> p) noexcept {
  const auto nal = FirstNalOf(p);
  return nal && nal->start &&
         (nal->type == static_cast<std::uint8_t>(NalType::kAud) ||
          nal->type == static_cast<std::uint8_t>(NalType::kSps));
}

bool InsideKeyframe(std::span<const std::uint8_t> p) noexcept {
  const auto nal = FirstNalOf(p);
  return nal && (nal->type == static_cast<std::uint8_t>(NalType::kIdr) ||
                 nal->type == static_cast<std::uint8_t>(NalType::kPps));
}

bool LooksEncrypted(std::span<const std::uint8_t> p) noexcept {
  if (p.empty()) return false;
  const std::uint8_t type = NalTypeBits(p[0]);
  const bool valid = !NalForbiddenBit(p[0]) &&
                     ((type >= 1 && type <= 24) || type == static_cast<std::uint8_t>(NalType::kFuA));
  return !valid;
}

}  // namespace confcast::rtp
