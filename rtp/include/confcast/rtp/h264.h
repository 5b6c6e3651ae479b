// H.264 over RTP (RFC 6184): the packetizer, the depacketizer, Annex-B helpers, and the SDP
// format parameters derived from the parameter sets (RFC 6184 8.1): profile-level-id and
// sprop-parameter-sets.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/h264_depacketizer.h"
#include "confcast/rtp/h264_packetizer.h"

namespace confcast::rtp {

// profile_idc, the constraint_set flags byte and level_idc: the three bytes after the SPS NAL
// unit header (H.264 7.3.2.1.1), written in SDP as six hex digits, e.g. "42e01f".
struct ProfileLevelId {
  std::uint8_t profile_idc = 0;
  std::uint8_t profile_iop = 0;
  std::uint8_t level_idc = 0;
  friend constexpr bool operator==(const ProfileLevelId&, const ProfileLevelId&) = default;
};

enum class H264SdpError {
  kNotSps,     // the NAL unit is not an SPS (type 7)
  kTooShort,   // an SPS shorter than its header and three bytes
  kBadHex,     // profile-level-id is not exactly six hex digits
  kEmpty,      // sprop-parameter-sets without any parameter set, or with an empty one
  kBadBase64,  // a parameter set that is not strict base64
};

// From an SPS NAL unit (header byte first).
std::expected<ProfileLevelId, H264SdpError> ProfileLevelIdFromSps(
    std::span<const std::uint8_t> sps);
std::string FormatProfileLevelId(ProfileLevelId id);  // six lowercase hex digits
std::expected<ProfileLevelId, H264SdpError> ParseProfileLevelId(std::string_view hex);

// "base64(SPS),base64(PPS)[,...]": each parameter set NAL unit, header byte first.
std::string FormatSpropParameterSets(std::span<const std::span<const std::uint8_t>> sets);
std::expected<std::vector<std::vector<std::uint8_t>>, H264SdpError> ParseSpropParameterSets(
    std::string_view text);

}  // namespace confcast::rtp
