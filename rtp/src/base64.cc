// Base64 per RFC 4648 section 4: every 3 bytes become 4 characters of 6 bits each; a final
// group of 1 or 2 bytes is padded with "==" or "=". Decoding is strict (sections 3.3 and 3.5).
#include "confcast/rtp/base64.h"

#include <array>

namespace confcast::rtp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> MakeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<std::uint8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v =
        std::uint32_t{data[i]} << 16 | std::uint32_t{data[i + 1]} << 8 | data[i + 2];
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(kAlphabet[(v >> 6) & 0x3f]);
    out.push_back(kAlphabet[v & 0x3f]);
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    const std::uint32_t v =
        std::uint32_t{data[i]} << 16 | (rest == 2 ? std::uint32_t{data[i + 1]} << 8 : 0);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

std::expected<std::vector<std::uint8_t>, Base64Error> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::unexpected(Base64Error::kBadLength);
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t digits = last ? 4 - pad : 4;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (k >= digits) {
        v <<= 6;
        continue;  // the padding of the last group, checked above
      }
      if (c == '=') return std::unexpected(Base64Error::kBadPadding);
      const std::uint8_t d = kDecode[static_cast<unsigned char>(c)];
      if (d == kInvalid) return std::unexpected(Base64Error::kBadCharacter);
      v = v << 6 | d;
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (digits >= 3) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (digits == 4) out.push_back(static_cast<std::uint8_t>(v));
    if ((digits == 2 && (v & 0xffff) != 0) || (digits == 3 && (v & 0xff) != 0)) {
      return std::unexpected(Base64Error::kNonZeroTrailingBits);
    }
  }
  return out;
}

}  // namespace confcast::rtp
