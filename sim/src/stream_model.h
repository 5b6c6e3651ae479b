// The sender's packet pattern for confcast-sim: frames of a 720p30 H.264 stream cut into RTP
// packets, FlexFEC repair for each frame from the real encoder, and what the real decoder
// rebuilds from any subset of a frame's packets.
//
// Recovery depends only on which packets of a frame arrived (the frame's packet count and FEC
// scheme fix the parity groups; groups never span frames), not on the bytes. So the first
// frame of each shape (media packets, L, D) keeps its datagrams, and a loss pattern is decoded
// once with rtp::FlexFecDecoder on that frame's real packets and remembered; later frames of
// the same shape with the same pattern reuse the answer. Every rebuilt datagram is compared
// with the original (mismatches() counts any difference, which would be a decoder bug).
#pragma once

#include <confcast/rtp/flexfec.h>
#include <confcast/rtp/time.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace confcast::sim {

inline constexpr std::uint32_t kMediaSsrc = 0x11223344;  // the modelled sender's media SSRC
inline constexpr std::uint32_t kFecSsrc = 0x55667788;    // and its FlexFEC SSRC

inline constexpr int kMaxFramePackets = 64;  // media (and repair) packets of a frame: 64-bit masks
inline constexpr std::size_t kMaxPayload = 1172;  // as confcast-send's slices
inline constexpr std::size_t kRtpHeader = 12;
inline constexpr std::size_t kUdpIp = 28;

struct Frame {
  std::uint32_t index = 0;
  rtp::Timestamp sent{0};
  bool keyframe = false;
  std::uint32_t first_seq = 0;  // unwrapped media sequence number of its first packet
  int media = 0;
  int repair = 0;
  rtp::FecScheme scheme;
  std::vector<std::uint32_t> media_bytes;  // datagram sizes with UDP/IP
  std::vector<std::uint32_t> repair_bytes;
};

struct StreamConfig {
  double bitrate_bps = 2.5e6;
  int fps = 30;
  int gop = 60;
  double keyframe_ratio = 5.0;  // an IDR's size in delta frames
  double size_spread = 0.2;     // frame sizes uniform in +-20% of the mean
};

class StreamModel {
 public:
  StreamModel(const StreamConfig& config, std::uint64_t seed);

  // The next frame at `sent`; an IDR when the GOP ends or `force_keyframe`.
  Frame Next(rtp::Timestamp sent, bool force_keyframe, rtp::FecScheme scheme);
  // Media packets of `frame` (bit i: first_seq + i) that FEC rebuilds when `media_lost` and
  // `repair_lost` (bit j: the j-th repair packet) did not arrive.
  std::uint64_t Recover(const Frame& frame, std::uint64_t media_lost, std::uint64_t repair_lost);

  std::uint64_t decodes() const noexcept { return decodes_; }
  std::uint64_t mismatches() const noexcept { return mismatches_; }

 private:
  using Shape = std::tuple<int, int, int>;  // media, L, D
  struct Sample {
    std::vector<std::vector<std::uint8_t>> media, repair;
  };
  struct PatternHash {
    std::size_t operator()(
        const std::tuple<int, int, int, std::uint64_t, std::uint64_t>& k) const noexcept;
  };
  std::vector<std::vector<std::uint8_t>> MakeMedia(const Frame& f);

  StreamConfig config_;
  std::mt19937_64 rng_;
  std::uint32_t next_index_ = 0;
  std::uint32_t next_seq_ = 0;
  std::uint16_t next_fec_seq_ = 0;
  int since_keyframe_ = 0;
  std::map<Shape, Sample> samples_;
  std::unordered_map<std::tuple<int, int, int, std::uint64_t, std::uint64_t>, std::uint64_t,
                     PatternHash>
      memo_;
  std::uint64_t decodes_ = 0, mismatches_ = 0;
};

}  // namespace confcast::sim
