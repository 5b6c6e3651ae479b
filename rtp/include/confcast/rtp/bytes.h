// Big-endian reads and writes on byte spans. Wire data is always read through these helpers,
// never by casting a struct onto a buffer. Callers check lengths first; these do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace confcast::rtp {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

constexpr std::uint16_t ReadU16(Bytes b, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
constexpr std::uint32_t ReadU24(Bytes b, std::size_t at) noexcept {
  return std::uint32_t{b[at]} << 16 | std::uint32_t{b[at + 1]} << 8 | b[at + 2];
}
constexpr std::uint32_t ReadU32(Bytes b, std::size_t at) noexcept {
  return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
         std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}
constexpr std::uint64_t ReadU64(Bytes b, std::size_t at) noexcept {
  return std::uint64_t{ReadU32(b, at)} << 32 | ReadU32(b, at + 4);
}

constexpr void WriteU16(MutableBytes b, std::size_t at, std::uint16_t v) noexcept {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
constexpr void WriteU24(MutableBytes b, std::size_t at, std::uint32_t v) noexcept {
  b[at] = static_cast<std::uint8_t>(v >> 16);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
  b[at + 2] = static_cast<std::uint8_t>(v);
}
constexpr void WriteU32(MutableBytes b, std::size_t at, std::uint32_t v) noexcept {
  WriteU16(b, at, static_cast<std::uint16_t>(v >> 16));
  WriteU16(b, at + 2, static_cast<std::uint16_t>(v));
}
constexpr void WriteU64(MutableBytes b, std::size_t at, std::uint64_t v) noexcept {
  WriteU32(b, at, static_cast<std::uint32_t>(v >> 32));
  WriteU32(b, at + 4, static_cast<std::uint32_t>(v));
}

}  // namespace confcast::rtp
