#include "send_stats.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace confcast::sender {
namespace {


nlohmann::json SrtpJson(const net::SrtpGroup* g) {
  if (!g) return nullptr;
  const net::SrtpStats s = g->Stats();
  nlohmann::json j{{"suite", net::SrtpSuiteName(g->suite())},
                   {"protected_rtp", s.protected_rtp}, {"protected_rtcp", s.protected_rtcp},
                   {"unprotected_rtcp", s.unprotected_rtcp}};
  for (std::size_t i = 0; i < net::kSrtpErrorCodes; ++i) {
    j[std::string(net::ToString(static_cast<net::SrtpErrorCode>(i)))] = s.receive_failures[i];
    if (s.send_failures[i]) {
      j["send_" + std::string(net::ToString(static_cast<net::SrtpErrorCode>(i)))] = s.send_failures[i];
    }
  }
  return j;
}

// FlexFEC: repair bytes as a share of the media bytes they protect.
double FecOverheadPct(const StreamCounters& c) {
  const auto media = c.wire_bytes.load();
  return media ? 100.0 * static_cast<double>(c.fec_bytes.load()) / static_cast<double>(media) : 0.0;
}
nlohmann::json Repair(const StreamCounters& c) {
  return {{"retransmissions_sent", c.retransmissions_sent.load()},
          {"retransmissions_deduplicated", c.retransmissions_deduplicated.load()},
          {"fec_packets_sent", c.fec_packets.load()}, {"fec_overhead_pct", FecOverheadPct(c)},
          {"fec_level", c.fec_level.load()}};
}

}  // namespace

struct SendStatsReporter::Impl {
  const net::SrtpGroup* srtp = nullptr;
  bool srtp_failure_named = false;
  std::string json_path;
  bool status_line = true;
  nlohmann::json seconds = nlohmann::json::array();
  std::uint64_t last_video_frames = 0, last_video_bytes = 0, last_audio_bytes = 0;
  int second = 0;

  nlohmann::json Receivers(const RtcpSession& rtcp) const {
    nlohmann::json out = nlohmann::json::array();
    for (const ReceiverInfo& r : rtcp.Receivers()) {
      nlohmann::json j{{"ssrc", r.ssrc}, {"cname", r.cname}, {"name", r.name}, {"stream", r.stream},
                       {"fraction_lost", r.fraction_lost}, {"cumulative_lost", r.cumulative_lost},
                       {"jitter_ms", r.jitter_ms}};
      if (r.rtt_ms) j["rtt_ms"] = *r.rtt_ms;
      out.push_back(std::move(j));
    }
    return out;
  }
  void WriteJson(const nlohmann::json& final_part) const {
    if (json_path.empty()) return;
    nlohmann::json doc{{"program", "confcast-send"}, {"seconds", seconds}};
    if (!final_part.is_null()) doc["final"] = final_part;
    const std::string tmp = json_path + ".tmp";
    std::ofstream(tmp) << doc.dump(2) << '\n';
    std::rename(tmp.c_str(), json_path.c_str());
  }
};

SendStatsReporter::SendStatsReporter(std::string json_path, bool status_line)
    : impl_(std::make_unique<Impl>()) {
  impl_->json_path = std::move(json_path);
  impl_->status_line = status_line && isatty(STDERR_FILENO);
}

SendStatsReporter::~SendStatsReporter() = default;

void SendStatsReporter::set_srtp(const net::SrtpGroup* srtp) { impl_->srtp = srtp; }

void SendStatsReporter::Tick(const StreamCounters* video, const StreamCounters* audio,
                             const RtcpSession& rtcp, const KeyframeControl& keyframes) {
  Impl& m = *impl_;
  ++m.second;
  const std::uint64_t vf = video ? video->frames.load() : 0;
  const std::uint64_t vb = video ? video->wire_bytes.load() : 0;
  const std::uint64_t ab = audio ? audio->wire_bytes.load() : 0;
  const double video_kbps = static_cast<double>(vb - m.last_video_bytes) * 8 / 1000.0;
  const double audio_kbps = static_cast<double>(ab - m.last_audio_bytes) * 8 / 1000.0;
  const std::uint64_t fps = vf - m.last_video_frames;
  m.last_video_frames = vf;
  m.last_video_bytes = vb;
  m.last_audio_bytes = ab;
  const auto receivers = rtcp.Receivers();
  m.seconds.push_back({{"t", m.second}, {"video_fps", fps}, {"video_kbps", video_kbps},
                       {"audio_kbps", audio_kbps}, {"receivers", receivers.size()},
                       {"worst_loss_percent", rtcp.worst_loss_percent()},
                       {"keyframe_requests", keyframes.requests()},
                       {"retransmissions_sent", video ? video->retransmissions_sent.load() : 0}});
  if (video) m.seconds.back()["repair"] = Repair(*video);
  if (m.status_line) {
    std::fprintf(stderr,
                 "\rsend %4ds | video %3llu fps %7.0f kbit/s | audio %4.0f kbit/s | receivers %zu | "
                 "worst loss %d%% | keyframe requests %llu (IDRs forced %llu)   ",
                 m.second, static_cast<unsigned long long>(fps), video_kbps, audio_kbps,
                 receivers.size(), rtcp.worst_loss_percent(),
                 static_cast<unsigned long long>(keyframes.requests()),
                 static_cast<unsigned long long>(keyframes.forced()));
    if (video && video->fec_packets.load() > 0) {
      std::fprintf(stderr, "| fec %llu   ", static_cast<unsigned long long>(video->fec_packets.load()));
    }
  }
  if (m.srtp && !m.srtp_failure_named) {
    const net::SrtpStats st = m.srtp->Stats();
    if (st.receive_failed() > 0) {
      m.srtp_failure_named = true;
      std::fprintf(stderr,
                   "\nconfcast-send: %llu RTCP packets failed SRTP authentication: a receiver "
                   "without --key-file, or with another key?\n",
                   static_cast<unsigned long long>(st.receive_failed()));
    }
  }
  if (m.second % 5 == 0) m.WriteJson(nullptr);
}

void SendStatsReporter::Final(const StreamCounters* video, const StreamCounters* audio,
                              const RtcpSession& rtcp, const KeyframeControl& keyframes,
                              std::chrono::steady_clock::duration elapsed, const std::string& reason) {
  Impl& m = *impl_;
  const double secs = std::chrono::duration<double>(elapsed).count();
  auto stream = [&](const StreamCounters* c, const char* kind) -> nlohmann::json {
    if (!c) return nullptr;
    return {{"ssrc", rtcp.ssrc_of(kind)}, {"packets", c->packets.load()}, {"payload_bytes", c->payload_octets.load()},
            {"wire_bytes", c->wire_bytes.load()}, {"frames", c->frames.load()},
            {"keyframes", c->keyframes.load()}, {"send_errors", c->send_errors.load()},
            {"kbps", secs > 0 ? static_cast<double>(c->wire_bytes.load()) * 8 / 1000.0 / secs : 0.0}};
  };
  nlohmann::json video_part = stream(video, "video");
  if (video) video_part["repair"] = Repair(*video);
  nlohmann::json final_part{{"duration_s", secs},
                            {"stop_reason", reason},
                            {"video", video_part},
                            {"audio", stream(audio, "audio")},
                            {"ssrc_collisions", rtcp.ssrc_collisions()},
                            {"rtcp_reports_sent", rtcp.reports_sent()},
                            {"pli_received", rtcp.plis()},
                            {"fir_received", rtcp.firs()},
                            {"nack_packets_requested", rtcp.nacks()},
                            {"rtcp_malformed", rtcp.malformed()},
                            {"rtcp_address_conflicts", rtcp.address_conflicts()},
                            {"keyframe_requests", keyframes.requests()},
                            {"keyframes_forced", keyframes.forced()},
                            {"receivers", m.Receivers(rtcp)},
                            {"srtp", SrtpJson(m.srtp)}};
  m.WriteJson(final_part);
  if (m.status_line) std::fputc('\n', stderr);
  std::fprintf(stderr,
               "confcast-send: %s after %.1f s: video %llu frames (%llu IDR) %.0f kbit/s, audio %llu "
               "frames; keyframe requests %llu -> %llu forced IDRs; receivers heard %zu\n",
               reason.c_str(), secs,
               static_cast<unsigned long long>(video ? video->frames.load() : 0),
               static_cast<unsigned long long>(video ? video->keyframes.load() : 0),
               video && secs > 0 ? static_cast<double>(video->wire_bytes.load()) * 8 / 1000.0 / secs : 0.0,
               static_cast<unsigned long long>(audio ? audio->frames.load() : 0),
               static_cast<unsigned long long>(keyframes.requests()),
               static_cast<unsigned long long>(keyframes.forced()), rtcp.Receivers().size());
  if (video && (video->retransmissions_sent.load() || video->retransmissions_deduplicated.load())) {
    std::fprintf(stderr, "confcast-send: repair: %llu packets NACKed, %llu retransmitted, %llu deduplicated\n",
                 static_cast<unsigned long long>(rtcp.nacks()),
                 static_cast<unsigned long long>(video->retransmissions_sent.load()),
                 static_cast<unsigned long long>(video->retransmissions_deduplicated.load()));
  }
}

}  // namespace confcast::sender
