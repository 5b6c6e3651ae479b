// SDP format parameters for H.264 (RFC 6184 8.1): profile-level-id is the hex form of the
// SPS bytes profile_idc, constraint flags and level_idc; sprop-parameter-sets is a
// comma-separated list of base64-encoded parameter set NAL units.
#include <array>

#include "confcast/rtp/base64.h"
#include "confcast/rtp/h264.h"

namespace confcast::rtp {
namespace {

int HexDigit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::expected<ProfileLevelId, H264SdpError> ProfileLevelIdFromSps(
    std::span<const std::uint8_t> sps) {
  if (sps.empty() || !IsNalType(sps[0], NalType::kSps)) {
    return std::unexpected(H264SdpError::kNotSps);
  }
  if (sps.size() < 4) return std::unexpected(H264SdpError::kTooShort);
  return ProfileLevelId{sps[1], sps[2], sps[3]};
}

std::string FormatProfileLevelId(ProfileLevelId id) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : {id.profile_idc, id.profile_iop, id.level_idc}) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::expected<ProfileLevelId, H264SdpError> ParseProfileLevelId(std::string_view hex) {
  if (hex.size() != 6) return std::unexpected(H264SdpError::kBadHex);
  std::array<std::uint8_t, 3> bytes{};
  for (std::size_t i = 0; i < 3; ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::unexpected(H264SdpError::kBadHex);
    bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return ProfileLevelId{bytes[0], bytes[1], bytes[2]};
}

std::string FormatSpropParameterSets(std::span<const std::span<const std::uint8_t>> sets) {
  std::string out;
  for (const auto& set : sets) {
    if (!out.empty()) out.push_back(',');
    out += Base64Encode(set);
  }
  return out;
}

std::expected<std::vector<std::vector<std::uint8_t>>, H264SdpError> ParseSpropParameterSets(
    std::string_view text) {
  std::vector<std::vector<std::uint8_t>> sets;
  for (;;) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (item.empty()) return std::unexpected(H264SdpError::kEmpty);
    auto bytes = Base64Decode(item);
    if (!bytes) return std::unexpected(H264SdpError::kBadBase64);
    sets.push_back(std::move(*bytes));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return sets;
}

}  // namespace confcast::rtp
