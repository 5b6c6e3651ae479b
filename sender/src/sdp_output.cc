#include "sdp_output.h"

#include <confcast/rtp/annexb.h>
#include <confcast/rtp/base64.h>
#include <confcast/rtp/h264.h>
#include <confcast/rtp/sdp.h>
#include <fmt/format.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

namespace confcast::sender {
namespace {

constexpr std::uint8_t kFlexFecPayloadType = 98;
// How long a receiver should keep media for FEC repair: our groups end with each frame, so a
// few frame times are plenty; 200 ms also covers a 2-D block of a large keyframe.
constexpr int kRepairWindowUs = 200'000;

// RFC 8627 5.1.1 / 8.2 and RFC 5956 (FEC-FR): the repair payload type on the video m= line,
// its rtpmap and repair window, and the SSRC group tying the repair SSRC to the media SSRC.
void DescribeFlexFec(rtp::SessionDescription& sdp, std::uint32_t media_ssrc, std::uint32_t fec_ssrc,
                     const std::string& cname) {
  for (rtp::MediaDescription& m : sdp.media) {
    if (m.type != rtp::SdpMediaType::kVideo) continue;
    m.payload_types.push_back(kFlexFecPayloadType);
    m.rtpmaps.push_back(rtp::RtpMap{kFlexFecPayloadType, "flexfec", 90000, std::nullopt});
    m.fmtps.push_back(rtp::Fmtp{kFlexFecPayloadType,
                                {rtp::FmtpParameter{"repair-window", std::to_string(kRepairWindowUs)}},
                                ""});
    m.attributes.push_back(rtp::SdpAttribute{"ssrc-group", fmt::format("FEC-FR {} {}", media_ssrc, fec_ssrc)});
    if (!cname.empty()) m.ssrcs.push_back(rtp::SsrcAttribute{fec_ssrc, "cname", cname});
  }
}

// RFC 4588 8.6 and RFC 5576 4.2: the RTX payload format on the video port, and which SSRC
// repairs which (a=ssrc-group:FID <media> <rtx>), with the RTX SSRC's CNAME.
void AddRtx(rtp::SessionDescription& sdp, std::uint32_t video_ssrc, std::uint32_t rtx_ssrc,
            const std::string& cname) {
  for (rtp::MediaDescription& m : sdp.media) {
    if (m.type != rtp::SdpMediaType::kVideo) continue;
    const std::uint8_t apt = m.payload_types.empty() ? 96 : m.payload_types.front();
    m.payload_types.push_back(97);
    m.rtpmaps.push_back(rtp::RtpMap{97, "rtx", 90000, std::nullopt});
    m.fmtps.push_back(rtp::Fmtp{97, {{"apt", std::to_string(apt)}, {"rtx-time", "1000"}}, ""});
    m.attributes.push_back(
        rtp::SdpAttribute{"ssrc-group", fmt::format("FID {} {}", video_ssrc, rtx_ssrc)});
    if (!cname.empty()) m.ssrcs.push_back(rtp::SsrcAttribute{rtx_ssrc, "cname", cname});
  }
}

}  // namespace

std::expected<std::string, std::string> BuildSdpText(const SdpInputs& in,
                                                     std::span<const std::uint8_t> keyframe) {
  rtp::ConfcastSdpParams p;
  p.group = in.endpoint.group.ToString();
  p.ttl = static_cast<std::uint8_t>(in.ttl);
  p.base_port = in.endpoint.port;
  p.session_name = in.name.empty() ? "confcast" : in.name;
  p.origin_address = in.origin.ToString();
  p.session_id = static_cast<std::uint64_t>(
      std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  p.session_version = p.session_id;
  p.tool = "confcast 0.1";
  p.video = in.video_ssrc.has_value();
  p.audio = in.audio_ssrc.has_value();
  p.video_ssrc = in.video_ssrc.value_or(0);
  p.audio_ssrc = in.audio_ssrc.value_or(0);
  p.cname = in.cname;
  p.abs_capture_time_id = in.abs_capture_time_id;
  if (in.video_kbps > 0) p.video_kbps = static_cast<std::uint32_t>(in.video_kbps);
  if (in.audio_kbps > 0) p.audio_kbps = static_cast<std::uint32_t>(in.audio_kbps);
  if (in.endpoint.source) p.ssm_source = in.endpoint.source->ToString();
  if (!keyframe.empty()) {
    std::vector<std::span<const std::uint8_t>> sets;
    for (auto nal : rtp::SplitAnnexB(keyframe)) {
      if (nal.empty()) continue;
      if (rtp::IsNalType(nal[0], rtp::NalType::kSps)) {
        if (auto id = rtp::ProfileLevelIdFromSps(nal)) p.profile_level_id = rtp::FormatProfileLevelId(*id);
        sets.push_back(nal);
      } else if (rtp::IsNalType(nal[0], rtp::NalType::kPps)) {
        sets.push_back(nal);
      }
    }
    if (!sets.empty()) p.sprop_parameter_sets = rtp::FormatSpropParameterSets(sets);
  }
  auto sdp = rtp::BuildConfcastSdp(p);
  if (!sdp) return std::unexpected(std::string("cannot describe the session: ") + sdp.error().message);
  if (in.crypto) {
    for (rtp::MediaDescription& m : sdp->media) {
      m.proto = "RTP/SAVPF";
      if (in.crypto->mode.empty()) continue;
      // RFC 4568 9.1: "a=crypto:<tag> <suite> inline:<base64 key||salt>". By default the key
      // params are left out: the line tells a reader the suite and that it needs the key file,
      // and an SDP file (often world-readable, mailed, served) never leaks the group key.
      std::string value = fmt::format("1 {}", net::SrtpSuiteName(in.crypto->key.suite));
      if (in.crypto->mode == "with-key") value += " inline:" + rtp::Base64Encode(in.crypto->key.master);
      m.attributes.push_back(rtp::SdpAttribute{"crypto", value});
    }
  }
  if (in.fec_ssrc && in.video_ssrc) DescribeFlexFec(*sdp, *in.video_ssrc, *in.fec_ssrc, in.cname);
  if (in.rtx_ssrc && in.video_ssrc) AddRtx(*sdp, *in.video_ssrc, *in.rtx_ssrc, in.cname);
  return rtp::SerializeSdp(*sdp);
}

std::expected<void, std::string> WriteSdpFile(const std::string& path, const std::string& text,
                                              bool secret) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return std::unexpected(fmt::format("--sdp {}: cannot write there; give a writable path", path));
    // Before a byte of the key is in it.
    if (secret && chmod(tmp.c_str(), 0600) != 0) {
      return std::unexpected(fmt::format("--sdp {}: cannot make it private (chmod 600)", path));
    }
    out << text;
    if (!out.flush()) return std::unexpected(fmt::format("--sdp {}: write failed (disk full?)", path));
  }
  // Rename so a receiver polling for the file never reads half of it.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return std::unexpected(fmt::format("--sdp {}: cannot rename {} into place", path, tmp));
  }
  return {};
}

std::vector<std::string> WatchCommands(const std::string& path, const SdpInputs& in) {
  std::vector<std::string> out;
  out.push_back(fmt::format("confcast-recv {}", path));
  out.push_back(fmt::format("ffplay -protocol_whitelist file,udp,rtp -fflags nobuffer -flags low_delay -i {}", path));
  if (in.video_ssrc) {
    out.push_back(fmt::format(
        "gst-launch-1.0 udpsrc address={} port={} caps=\"application/x-rtp,media=video,"
        "clock-rate=90000,encoding-name=H264,payload=96\" ! rtpjitterbuffer latency=50 ! "
        "rtph264depay ! avdec_h264 ! videoconvert ! autovideosink sync=false",
        in.endpoint.group.ToString(), in.endpoint.port));
  }
  return out;
}

}  // namespace confcast::sender
