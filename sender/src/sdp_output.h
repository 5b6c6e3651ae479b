// Writes the session description once the first IDR gives the real SPS/PPS, and prints the
// commands that watch the stream with confcast-recv, ffplay and gst-launch-1.0.
#pragma once

#include <confcast/net/endpoint.h>
#include <confcast/net/srtp.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace confcast::sender {

// An SRTP session: the m= lines say RTP/SAVPF (RFC 5124); with `mode` "suite" an a=crypto line
// (RFC 4568) names the suite, with "with-key" it carries the key too (inline:).
struct SdpCrypto {
  std::string mode;  // "", "suite" or "with-key"
  net::SrtpKey key;
};

struct SdpInputs {
  net::MulticastEndpoint endpoint;
  int ttl = 1;
  std::string name;
  std::string cname;
  std::optional<std::uint32_t> video_ssrc;
  std::optional<std::uint32_t> audio_ssrc;
  std::optional<std::uint32_t> fec_ssrc;  // FlexFEC repair stream on the video port
  std::optional<std::uint32_t> rtx_ssrc;  // video RTX (RFC 4588), PT 97, apt 96
  std::uint8_t abs_capture_time_id = 1;
  net::IpAddress origin;
  int video_kbps = 0;
  int audio_kbps = 0;
  std::optional<SdpCrypto> crypto;
};

// `keyframe` is an Annex-B IDR access unit carrying SPS and PPS, or empty (audio only).
std::expected<std::string, std::string> BuildSdpText(const SdpInputs& in,
                                                     std::span<const std::uint8_t> keyframe);
// `secret`: the text carries a key (--sdp-crypto=with-key), so the file is made mode 0600.
std::expected<void, std::string> WriteSdpFile(const std::string& path, const std::string& text,
                                              bool secret = false);
// The commands that watch the session described in the file at `path`, one per entry.
std::vector<std::string> WatchCommands(const std::string& path, const SdpInputs& in);

}  // namespace confcast::sender
