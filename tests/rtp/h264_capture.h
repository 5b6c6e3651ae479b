// Real H.264 for the rtp tests: libx264 captures from tests/rtp/data (see its README), cut into
// access units and RTP payloads with confcast's own packetizer.
#pragma once

#include <confcast/rtp/annexb.h>
#include <confcast/rtp/h264_bitstream.h>
#include <confcast/rtp/h264_packetizer.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace confcast::rtp::capture {

using Buf = std::vector<std::uint8_t>;

inline Buf ReadCapture(const std::string& name) {
  std::ifstream in(std::string(CONFCAST_RTP_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  return Buf(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool IsVcl(std::uint8_t header) {
  const std::uint8_t t = NalTypeBits(header);
  return t >= 1 && t <= 5;
}

struct AccessUnitNals {
  std::vector<Buf> nals;  // header byte first, no start codes
  bool idr = false;
  Buf AnnexB() const {
    std::vector<std::span<const std::uint8_t>> spans(nals.begin(), nals.end());
    return JoinAnnexB(spans);
  }
};

// H.264 7.4.1.2.3, as far as x264 output needs it: after a slice, an AUD, SEI, SPS or PPS, or a
// slice at the top of a picture (first_mb_in_slice 0), begins the next access unit.
inline std::vector<AccessUnitNals> SplitAccessUnits(std::span<const std::uint8_t> stream) {
  std::vector<AccessUnitNals> out;
  bool after_vcl = true;
  for (const auto nal : SplitAnnexB(stream)) {
    const bool vcl = IsVcl(nal[0]);
    const bool top = vcl && FirstMbInSlice(nal) == std::optional<std::uint32_t>{0};
    if (after_vcl && (!vcl || top)) out.emplace_back();
    out.back().nals.emplace_back(nal.begin(), nal.end());
    out.back().idr = out.back().idr || IsNalType(nal[0], NalType::kIdr);
    after_vcl = vcl;
  }
  return out;
}

inline std::vector<Payload> Packetize(std::span<const std::uint8_t> annexb,
                                      std::size_t max_payload) {
  H264Packetizer packetizer(annexb, max_payload);
  std::vector<Payload> out;
  while (auto p = packetizer.Next()) out.push_back(std::move(*p));
  return out;
}

}  // namespace confcast::rtp::capture
