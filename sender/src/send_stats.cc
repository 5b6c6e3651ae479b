#include "send_stats.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace confcast::sender {

struct SendStatsReporter::Impl {
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
  if (m.status_line) {
    std::fprintf(stderr,
                 "\rsend %4ds | video %3llu fps %7.0f kbit/s | audio %4.0f kbit/s | receivers %zu | "
                 "worst loss %d%% | keyframe requests %llu (IDRs forced %llu)   ",
                 m.second, static_cast<unsigned long long>(fps), video_kbps, audio_kbps,
                 receivers.size(), rtcp.worst_loss_percent(),
                 static_cast<unsigned long long>(keyframes.requests()),
                 static_cast<unsigned long long>(keyframes.forced()));
  }
  if (m.second % 5 == 0) m.WriteJson(nullptr);
}

void SendStatsReporter::Final(const StreamCounters* video, const StreamCounters* audio,
                              const RtcpSession& rtcp, const KeyframeControl& keyframes,
                              std::chrono::steady_clock::duration elapsed, const std::string& reason) {
  Impl& m = *impl_;
  const double secs = std::chrono::duration<double>(elapsed).count();
  auto stream = [&](const StreamCounters* c) -> nlohmann::json {
    if (!c) return nullptr;
    return {{"packets", c->packets.load()}, {"payload_bytes", c->payload_octets.load()},
            {"wire_bytes", c->wire_bytes.load()}, {"frames", c->frames.load()},
            {"keyframes", c->keyframes.load()}, {"send_errors", c->send_errors.load()},
            {"kbps", secs > 0 ? static_cast<double>(c->wire_bytes.load()) * 8 / 1000.0 / secs : 0.0},
            {"repair",
             {{"retransmissions_sent", c->retransmissions_sent.load()},
              {"retransmissions_deduplicated", c->retransmissions_deduplicated.load()}}}};
  };
  nlohmann::json final_part{{"duration_s", secs},
                            {"stop_reason", reason},
                            {"video", stream(video)},
                            {"audio", stream(audio)},
                            {"rtcp_reports_sent", rtcp.reports_sent()},
                            {"pli_received", rtcp.plis()},
                            {"fir_received", rtcp.firs()},
                            {"nack_packets_requested", rtcp.nacks()},
                            {"rtcp_malformed", rtcp.malformed()},
                            {"keyframe_requests", keyframes.requests()},
                            {"keyframes_forced", keyframes.forced()},
                            {"receivers", m.Receivers(rtcp)}};
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
