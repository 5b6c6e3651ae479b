#include "send_stats.h"

#include <confcast/net/log.h>
#include <confcast/net/stats_stream.h>
#include <confcast/net/status_line.h>
#include <fmt/format.h>

#include <chrono>
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
// What the repair limits refused, by reason (rtp/repair_limiter.h).
nlohmann::json Refused(const rtp::RepairLimiterCounters& l) {
  return {{"budget", l.refused_budget},           {"implausible", l.refused_implausible},
          {"feedback_rate", l.refused_feedback_rate}, {"unknown", l.refused_unknown},
          {"wrong_ssrc", l.refused_wrong_ssrc}};
}

nlohmann::json Repair(const StreamCounters& c, const RtxSender* rtx,
                      const KeyframeControl& keyframes) {
  nlohmann::json j{{"retransmissions_sent", c.retransmissions_sent.load()},
                   {"retransmissions_deduplicated", c.retransmissions_deduplicated.load()},
                   {"fec_packets_sent", c.fec_packets.load()},
                   {"fec_overhead_pct", FecOverheadPct(c)},
                   {"fec_level", c.fec_level.load()},
                   {"keyframe_requests_rate_limited", keyframes.rate_limited()}};
  if (rtx) {
    const rtp::RepairLimiterCounters l = rtx->stats().limiter;
    const auto media = c.wire_bytes.load();
    j["retransmitted_bytes"] = l.resent_bytes;
    j["retransmitted_pct"] =
        media ? 100.0 * static_cast<double>(l.resent_bytes) / static_cast<double>(media) : 0.0;
    j["nacks_received"] = l.nacks;
    j["nacks_rate_limited"] = l.nacks_rate_limited;
    j["retransmissions_refused"] = Refused(l);
    j["feedback_sources_evicted"] = l.sources_evicted;
    j["history_ring_dropped"] = c.history_ring_dropped.load();
  }
  // The receiver whose reported loss sets the automatic FEC level (its SSRC; capped: its claim
  // was above what one receiver may drive alone).
  if (const auto d = c.FecDriver()) {
    j["fec_driver"] = {{"ssrc", d->reporter}, {"fraction_lost", d->fraction_lost},
                       {"capped", d->capped}};
  }
  return j;
}

}  // namespace

struct SendStatsReporter::Impl {
  const net::SrtpGroup* srtp = nullptr;
  const RtxSender* rtx = nullptr;
  bool srtp_failure_named = false;
  net::StatsStream stream;
  bool status_line = true;
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
  void WriteLine(const nlohmann::json& line) {
    if (!stream.enabled()) return;
    // Names come from the network: invalid UTF-8 becomes U+FFFD instead of an exception.
    stream.WriteLine(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
};

SendStatsReporter::SendStatsReporter(std::string json_path, bool status_line)
    : impl_(std::make_unique<Impl>()) {
  impl_->stream = net::StatsStream(json_path);
  if (!impl_->stream.error().empty()) {
    spdlog::warn("--stats-json {}: statistics will not be written", impl_->stream.error());
  }
  impl_->status_line = status_line;
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  impl_->WriteLine({{"type", "header"}, {"schema", std::string(net::kStatsSchema)},
                    {"program", "confcast-send"}, {"started_unix_ms", unix_ms.count()}});
}

SendStatsReporter::~SendStatsReporter() = default;

void SendStatsReporter::set_srtp(const net::SrtpGroup* srtp) { impl_->srtp = srtp; }

void SendStatsReporter::set_rtx(const RtxSender* rtx) { impl_->rtx = rtx; }

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
  nlohmann::json sec{{"type", "second"}, {"t", m.second}, {"video_fps", fps}, {"video_kbps", video_kbps},
                       {"audio_kbps", audio_kbps}, {"receivers", receivers.size()},
                       {"worst_loss_percent", rtcp.worst_loss_percent()},
                       {"keyframe_requests", keyframes.requests()},
                     {"retransmissions_sent", video ? video->retransmissions_sent.load() : 0}};
  if (video) sec["repair"] = Repair(*video, m.rtx, keyframes);
  m.WriteLine(sec);
  // Most important first: what leaves, how well receivers get it, what they ask for.
  const std::string fields[] = {
      fmt::format("{} fps", fps),
      audio ? fmt::format("{:.0f}+{:.0f} kbit/s", video_kbps, audio_kbps)
            : fmt::format("{:.0f} kbit/s", video_kbps),
      fmt::format("{} receiver{}", receivers.size(), receivers.size() == 1 ? "" : "s"),
      fmt::format("worst loss {}%", rtcp.worst_loss_percent()),
      fmt::format("IDRs {}/{}", keyframes.forced(), keyframes.requests()),  // forced/asked for
      fmt::format("{} s", m.second),
  };
  if (m.status_line) net::ShowStatus(net::FitStatus(fields, net::StatusColumns()));
  if (spdlog::should_log(spdlog::level::debug)) {
    // -v: every figure, on a log line of its own.
    std::string details = fmt::format(
        "status {} s: video {} fps {:.0f} kbit/s, audio {:.0f} kbit/s, receivers {}, worst loss "
        "{}%, keyframe requests {} (IDRs forced {})",
        m.second, fps, video_kbps, audio_kbps, receivers.size(), rtcp.worst_loss_percent(),
        keyframes.requests(), keyframes.forced());
    if (video && video->fec_packets.load() > 0) {
      details += fmt::format(", fec {}", video->fec_packets.load());
      // Who the level is for: a receiver's SSRC, "(capped)" when it claims more than counts.
      if (const auto d = video->FecDriver(); d && video->fec_level.load() > 0) {
        details += fmt::format(" for {:08x}{}", d->reporter, d->capped ? " (capped)" : "");
      }
    }
    if (m.rtx) {
      const rtp::RepairLimiterCounters l = m.rtx->stats().limiter;
      if (l.refused_budget + l.refused_implausible + l.refused_feedback_rate > 0) {
        details += fmt::format(", rtx refused {} (budget {}, implausible {}, rate {})",
                               l.refused_budget + l.refused_implausible + l.refused_feedback_rate,
                               l.refused_budget, l.refused_implausible, l.refused_feedback_rate);
      }
    }
    spdlog::debug("{}", details);
  }
  if (m.srtp && !m.srtp_failure_named) {
    const net::SrtpStats st = m.srtp->Stats();
    if (st.receive_failed() > 0) {
      m.srtp_failure_named = true;
      spdlog::warn("{} RTCP packets failed SRTP authentication: a receiver without --key-file, "
                   "or with another key?", st.receive_failed());
    }
  }
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
  if (video) {
    const std::uint64_t idrs = video->keyframes.load();
    video_part["keyframe_bytes_max"] = video->keyframe_bytes_max.load();
    video_part["keyframe_bytes_mean"] = idrs ? video->keyframe_bytes.load() / idrs : 0;
    video_part["delta_frame_bytes_max"] = video->delta_frame_bytes_max.load();
    const std::uint64_t frames = video->frames.load();
    auto mean_ms = [&](const std::atomic<std::uint64_t>& us) {
      return frames ? static_cast<double>(us.load()) / 1000.0 / static_cast<double>(frames) : 0.0;
    };
    video_part["encode_ms_mean"] = mean_ms(video->encode_us);
    video_part["send_out_ms_mean"] = mean_ms(video->send_out_us);
    video_part["repair"] = Repair(*video, m.rtx, keyframes);
  }
  nlohmann::json final_part{{"type", "final"},
                            {"duration_s", secs},
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
  m.WriteLine(final_part);
  net::EndStatus();
  spdlog::info(
      "{} after {:.1f} s: video {} frames ({} IDR) {:.0f} kbit/s, audio {} frames; keyframe "
      "requests {} -> {} forced IDRs; receivers heard {}",
      reason, secs, video ? video->frames.load() : 0, video ? video->keyframes.load() : 0,
      video && secs > 0 ? static_cast<double>(video->wire_bytes.load()) * 8 / 1000.0 / secs : 0.0,
      audio ? audio->frames.load() : 0, keyframes.requests(), keyframes.forced(),
      rtcp.Receivers().size());
  if (video && (video->retransmissions_sent.load() || video->retransmissions_deduplicated.load())) {
    spdlog::info("repair: {} packets NACKed, {} retransmitted, {} deduplicated", rtcp.nacks(),
                 video->retransmissions_sent.load(), video->retransmissions_deduplicated.load());
  }
  if (m.rtx) {
    const rtp::RepairLimiterCounters l = m.rtx->stats().limiter;
    if (l.refused() > 0) {
      spdlog::info(
          "retransmission refused for {} requested packets: {} over the --rtx-budget, {} beyond "
          "what their receiver's loss explains, {} in NACKs over the rate limit, {} not in the "
          "history, {} about another SSRC",
          l.refused(), l.refused_budget, l.refused_implausible, l.refused_feedback_rate,
          l.refused_unknown, l.refused_wrong_ssrc);
    }
  }
  if (keyframes.rate_limited() > 0) {
    spdlog::info("{} keyframe requests ignored: their sender asked too often",
                 keyframes.rate_limited());
  }
}

}  // namespace confcast::sender
