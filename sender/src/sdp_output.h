// Writes the session description once the first IDR gives the real SPS/PPS, and prints the
// commands that watch the stream with confcast-recv, ffplay and gst-launch-1.0.
#pragma once

#include <confcast/net/endpoint.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

namespace confcast::sender {

struct SdpInputs {
  net::MulticastEndpoint endpoint;
  int ttl = 1;
  std::string name;
  std::string cname;
  std::optional<std::uint32_t> video_ssrc;
  std::optional<std::uint32_t> audio_ssrc;
  std::optional<std::uint32_t> rtx_ssrc;  // video RTX (RFC 4588), PT 97, apt 96
  std::uint8_t abs_capture_time_id = 1;
  net::IpAddress origin;
  int video_kbps = 0;
  int audio_kbps = 0;
};

// `keyframe` is an Annex-B IDR access unit carrying SPS and PPS, or empty (audio only).
std::expected<std::string, std::string> BuildSdpText(const SdpInputs& in,
                                                     std::span<const std::uint8_t> keyframe);
std::expected<void, std::string> WriteSdpFile(const std::string& path, const std::string& text);
// The watch commands, one per line, for the file at `path`.
std::string WatchCommands(const std::string& path, const SdpInputs& in);

}  // namespace confcast::sender
