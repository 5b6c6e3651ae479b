// Sequence-number and timestamp arithmetic, in one place (RFC 3550 modular arithmetic).
//
// 16-bit RTP sequence numbers and 32-bit RTP timestamps wrap. "a is newer than b" means the
// forward distance from b to a is less than half the number space; exactly half is resolved
// towards the larger raw value so that the relation stays antisymmetric. Unwrappers extend
// values to 64 bits by picking the candidate closest to the last value they returned.
#pragma once

#include <cstdint>
#include <optional>

namespace confcast::rtp {

// Signed forward distance a - b in modular 16-bit space, in [-32768, 32767].
constexpr std::int32_t SeqDiff(std::uint16_t a, std::uint16_t b) noexcept {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b));
}
// True when a comes after b.
constexpr bool SeqNewer(std::uint16_t a, std::uint16_t b) noexcept {
  const std::uint16_t d = static_cast<std::uint16_t>(a - b);
  return d == 0x8000 ? a > b : d != 0 && d < 0x8000;
}
constexpr bool SeqOlder(std::uint16_t a, std::uint16_t b) noexcept { return SeqNewer(b, a); }
// The newer of two sequence numbers.
constexpr std::uint16_t SeqMax(std::uint16_t a, std::uint16_t b) noexcept {
  return SeqNewer(a, b) ? a : b;
}

// Signed forward distance a - b in modular 32-bit space.
constexpr std::int64_t TsDiff(std::uint32_t a, std::uint32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a - b));
}
constexpr bool TsNewer(std::uint32_t a, std::uint32_t b) noexcept {
  const std::uint32_t d = a - b;
  return d == 0x80000000u ? a > b : d != 0 && d < 0x80000000u;
}

// Extends wrapping counters of `Bits` bits (16 or 32) to int64. The first value maps to
// itself; every later value maps to the 64-bit value nearest to the previous result.
template <typename T>
class Unwrapper {
 public:
  static constexpr std::int64_t kSpan = std::int64_t{1} << (8 * sizeof(T));

  constexpr std::int64_t Unwrap(T value) noexcept {
    if (!last_) {
      last_ = value;
      return *last_;
    }
    const std::int64_t last = *last_;
    std::int64_t diff = static_cast<std::int64_t>(static_cast<T>(value - static_cast<T>(last)));
    if (diff > kSpan / 2 || (diff == kSpan / 2 && value < static_cast<T>(last))) diff -= kSpan;
    last_ = last + diff;
    return *last_;
  }
  // Unwraps without moving the reference point (for looking at a value before accepting it).
  constexpr std::int64_t Peek(T value) const noexcept {
    Unwrapper copy = *this;
    return copy.Unwrap(value);
  }
  constexpr std::optional<std::int64_t> last() const noexcept { return last_; }
  constexpr void Reset() noexcept { last_.reset(); }

 private:
  std::optional<std::int64_t> last_;
};

using SeqUnwrapper = Unwrapper<std::uint16_t>;
using TsUnwrapper = Unwrapper<std::uint32_t>;

}  // namespace confcast::rtp
