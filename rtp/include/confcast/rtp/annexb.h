// H.264 NAL unit headers (ITU-T H.264 7.3.1 / RFC 6184 1.3) and Annex-B byte streams
// (ITU-T H.264 Annex B): NAL units separated by 0x000001 or 0x00000001 start codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace confcast::rtp {

// NAL unit types used by RFC 6184 packetization-mode 1 (H.264 Table 7-1, RFC 6184 Table 3).
enum class NalType : std::uint8_t {
  kSlice = 1,
  kIdr = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,
  kStapA = 24,
  kStapB = 25,
  kMtap16 = 26,
  kMtap24 = 27,
  kFuA = 28,
  kFuB = 29,
};

// The one-byte NAL unit header: |F|NRI|  Type   |
constexpr bool NalForbiddenBit(std::uint8_t header) noexcept {
  return (header & 0x80) != 0;
}
constexpr std::uint8_t NalRefIdc(std::uint8_t header) noexcept {
  return (header >> 5) & 0x03;
}
constexpr std::uint8_t NalTypeBits(std::uint8_t header) noexcept {
  return header & 0x1f;
}
constexpr bool IsNalType(std::uint8_t header, NalType type) noexcept {
  return NalTypeBits(header) == static_cast<std::uint8_t>(type);
}
constexpr std::uint8_t MakeNalHeader(bool forbidden, std::uint8_t nri, std::uint8_t type) noexcept {
  return static_cast<std::uint8_t>((forbidden ? 0x80 : 0) | (nri & 0x03) << 5 | (type & 0x1f));
}

inline constexpr std::uint8_t kStartCode4[] = {0x00, 0x00, 0x00, 0x01};

// Walks an Annex-B byte stream one NAL unit at a time without allocating. Bytes before the
// first start code are skipped (leading_zero_8bits, or garbage); trailing zero bytes of a NAL
// unit (trailing_zero_8bits, or the first zero of a 4-byte start code) are not part of it,
// since a NAL unit never ends in 0x00 (H.264 7.4.1); start codes directly followed by another
// start code yield no empty NAL unit. A stream without any start code has no NAL units.
class AnnexBReader {
 public:
  explicit AnnexBReader(std::span<const std::uint8_t> stream) noexcept;
  // The next NAL unit (header byte first), or nullopt at the end of the stream.
  std::optional<std::span<const std::uint8_t>> Next() noexcept;

 private:
  std::span<const std::uint8_t> stream_;
  std::size_t pos_;  // first byte after the start code of the NAL unit that comes next
};

// All NAL units of an Annex-B stream, in order (see AnnexBReader for the rules).
std::vector<std::span<const std::uint8_t>> SplitAnnexB(std::span<const std::uint8_t> stream);

// Writes NAL units as Annex-B with 4-byte start codes.
std::vector<std::uint8_t> JoinAnnexB(std::span<const std::span<const std::uint8_t>> nals);

}  // namespace confcast::rtp
