#include "sdp_output.h"

#include <confcast/rtp/annexb.h>
#include <confcast/rtp/h264.h>
#include <confcast/rtp/sdp.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

namespace confcast::sender {
namespace {

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
  if (in.rtx_ssrc && in.video_ssrc) AddRtx(*sdp, *in.video_ssrc, *in.rtx_ssrc, in.cname);
  return rtp::SerializeSdp(*sdp);
}

std::expected<void, std::string> WriteSdpFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return std::unexpected(fmt::format("--sdp {}: cannot write there; give a writable path", path));
    out << text;
    if (!out.flush()) return std::unexpected(fmt::format("--sdp {}: write failed (disk full?)", path));
  }
  // Rename so a receiver polling for the file never reads half of it.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return std::unexpected(fmt::format("--sdp {}: cannot rename {} into place", path, tmp));
  }
  return {};
}

std::string WatchCommands(const std::string& path, const SdpInputs& in) {
  std::string out;
  out += fmt::format("  confcast-recv {}\n", path);
  out += fmt::format("  ffplay -protocol_whitelist file,udp,rtp -fflags nobuffer -flags low_delay -i {}\n", path);
  if (in.video_ssrc) {
    out += fmt::format(
        "  gst-launch-1.0 udpsrc address={} port={} caps=\"application/x-rtp,media=video,"
        "clock-rate=90000,encoding-name=H264,payload=96\" ! rtpjitterbuffer latency=50 ! "
        "rtph264depay ! avdec_h264 ! videoconvert ! autovideosink sync=false\n",
        in.endpoint.group.ToString(), in.endpoint.port);
  }
  return out;
}

}  // namespace confcast::sender
