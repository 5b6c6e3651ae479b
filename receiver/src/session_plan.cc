#include "session_plan.h"

#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/safe_text.h>
#include <confcast/rtp/sdp.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace confcast::receiver {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The payload type of `encoding` in this media section, if it carries it.
std::optional<const rtp::RtpMap*> FindEncoding(const rtp::MediaDescription& m, std::string_view encoding) {
  for (std::uint8_t pt : m.payload_types) {
    if (const rtp::RtpMap* map = m.FindRtpMap(pt); map && IEquals(map->encoding, encoding)) return map;
  }
  return std::nullopt;
}

std::expected<SessionPlan, std::string> Plan(const std::string& text) {
  auto sdp = rtp::ParseSdp(text);
  if (!sdp) return std::unexpected(rtp::FormatSdpError(sdp.error()));
  SessionPlan plan;
  plan.session_name = sdp->session_name;
  std::optional<std::string> address;
  for (const rtp::MediaDescription& m : sdp->media) {
    const bool video = m.type == rtp::SdpMediaType::kVideo;
    const bool audio = m.type == rtp::SdpMediaType::kAudio;
    if ((!video && !audio) || !m.IsRtp() || m.port == 0) continue;
    auto map = FindEncoding(m, video ? "H264" : "opus");
    if (!map) continue;
    if (m.port % 2 != 0) {
      return std::unexpected(fmt::format(
          "SDP {} stream is on odd port {}; confcast needs RTP on an even port with RTCP on the next",
          m.TypeName(), m.port));
    }
    MediaPlan mp;
    mp.port = m.port;
    mp.payload_type = (*map)->payload_type;
    mp.channels = static_cast<int>((*map)->channels.value_or(1));
    if (mp.channels > 2) mp.channels = 2;
    mp.abs_capture_time_id = 0;
    for (const rtp::ExtMap& e : m.extmaps) {
      if (e.uri == rtp::kAbsCaptureTimeUri && e.id >= 1 && e.id <= 14) {
        mp.abs_capture_time_id = static_cast<std::uint8_t>(e.id);
      }
    }
    const rtp::SdpConnection* c = sdp->EffectiveConnection(m);
    if (!c) return std::unexpected(fmt::format("SDP {} stream has no c= line; the file cannot be joined", m.TypeName()));
    if (address && *address != c->address) {
      return std::unexpected("SDP streams use different groups; confcast-recv joins one group per run");
    }
    address = c->address;
    const auto& filters = sdp->EffectiveSourceFilters(m);
    if (!filters.empty() && !filters.front().sources.empty()) {
      auto src = net::ParseIpAddress(filters.front().sources.front());
      if (!src) return std::unexpected("SDP a=source-filter: " + src.error().message);
      plan.source = *src;
    }
    if (m.proto.find("SAVP") != std::string::npos) plan.encrypted = true;
    for (const rtp::SdpAttribute& a : m.attributes) {
      if (a.name != "crypto" || !a.value) continue;
      plan.encrypted = true;
      std::istringstream words(*a.value);  // "<tag> <suite> [inline:...]" (RFC 4568 9.1)
      std::string tag;
      words >> tag >> plan.crypto_suite;
    }
    (video ? plan.video : plan.audio) = mp;
  }
  if (!plan.video && !plan.audio) {
    return std::unexpected("SDP describes no H264 video or opus audio stream confcast can play");
  }
  auto group = net::ParseIpAddress(*address);
  if (!group) return std::unexpected("SDP c= address: " + group.error().message);
  plan.group = *group;
  return plan;
}

}  // namespace

// The SDP may come from anyone on the LAN (--join takes it from a SAP announcement), and the
// errors quote it: they are made safe to print here, once.
std::expected<SessionPlan, std::string> PlanFromSdpText(const std::string& text) {
  auto plan = Plan(text);
  if (!plan) return std::unexpected(rtp::SafeText(plan.error(), 512));
  return plan;
}

std::expected<SessionPlan, std::string> PlanFromSdpFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("cannot read SDP file '{}'; check the path", path));
  std::stringstream text;
  text << in.rdbuf();
  auto plan = PlanFromSdpText(text.str());
  if (!plan) return std::unexpected(fmt::format("{}: {}", path, plan.error()));
  return plan;
}

std::expected<SessionPlan, std::string> PlanFromOptions(const RecvOptions& o) {
  auto ep = net::ParseEndpoint(o.group, o.port, o.source);
  if (!ep) return std::unexpected(ep.error().message);
  SessionPlan plan;
  plan.group = ep->group;
  plan.source = ep->source;
  plan.video = MediaPlan{o.port, 96, 1, 1};
  plan.audio = MediaPlan{static_cast<std::uint16_t>(o.port + 2), 111, 1, 1};
  return plan;
}

}  // namespace confcast::receiver
