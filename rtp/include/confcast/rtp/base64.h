// Base64 (RFC 4648 section 4, the standard alphabet with '=' padding), as used by the SDP
// sprop-parameter-sets attribute (RFC 6184 8.1).
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace confcast::rtp {

enum class Base64Error {
  kBadLength,           // not a multiple of 4 characters
  kBadCharacter,        // outside the alphabet (whitespace included)
  kBadPadding,          // '=' anywhere but the last one or two characters of the input
  kNonZeroTrailingBits  // the pad bits of the last group are not zero (non-canonical)
};

std::string Base64Encode(std::span<const std::uint8_t> data);
// Strict decoding (RFC 4648 3.3, 3.5): rejects whitespace, missing padding and
// non-canonical encodings, so every accepted string is Base64Encode of its result.
std::expected<std::vector<std::uint8_t>, Base64Error> Base64Decode(std::string_view text);

}  // namespace confcast::rtp
