#include "recv_stats.h"

#include <confcast/net/log.h>
#include <confcast/net/stats_stream.h>
#include <confcast/net/status_line.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>

namespace confcast::receiver {
namespace {

nlohmann::json FiguresJson(const StreamFigures& f) {
  nlohmann::json j{{"packets", f.packets},           {"bytes", f.bytes},
                   {"lost", f.lost},                 {"late", f.late},
                   {"duplicates", f.duplicates},     {"reordered", f.reordered},
                   {"frames_rendered", f.frames_rendered}, {"frames_dropped", f.frames_dropped},
                   {"frames_salvaged", f.frames_salvaged},
                   {"frames_concealed", f.frames_concealed}, {"decode_errors", f.decode_errors},
                   {"keyframe_requests", f.keyframe_requests},
                   {"wrong_payload_type", f.wrong_payload_type},
                   {"ssrc_conflicts", f.ssrc_conflicts}, {"jitter_ms", f.jitter_ms},
                   {"target_delay_ms", f.target_delay_ms},
                   {"max_render_gap_ms", f.max_render_gap_ms}};
  if (f.first_frame_ms) j["time_to_first_frame_ms"] = *f.first_frame_ms;
  if (auto p = f.latency_ms.Compute()) {
    j["latency_ms"] = {{"p50", p->p50}, {"p95", p->p95}, {"p99", p->p99},
                       {"max", p->max}, {"mean", p->mean}, {"count", p->count}};
  }
  nlohmann::json stages;
  for (std::size_t i = 0; i < kLatencyStageNames.size(); ++i) {
    if (auto p = f.stages.by_stage[i].Compute())
      stages[kLatencyStageNames[i]] = {{"p50", p->p50}, {"p95", p->p95}, {"mean", p->mean}};
  }
  if (!stages.empty()) j["latency_stages_ms"] = stages;
  return j;
}

// Failures by reason, keyed like the SrtpErrorCode names ("auth_fail", "replay_fail", ...).
nlohmann::json SrtpJson(const net::SrtpGroup* g) {
  if (!g) return nullptr;
  const net::SrtpStats s = g->Stats();
  nlohmann::json j{{"suite", net::SrtpSuiteName(g->suite())},
                   {"unprotected_rtp", s.unprotected_rtp}, {"unprotected_rtcp", s.unprotected_rtcp},
                   {"protected_rtcp", s.protected_rtcp},
                   {"rollover_recovered", s.rollover_recovered}};
  for (std::size_t i = 0; i < net::kSrtpErrorCodes; ++i) {
    j[std::string(net::ToString(static_cast<net::SrtpErrorCode>(i)))] = s.receive_failures[i];
  }
  return j;
}

nlohmann::json RepairJson(const RepairFigures& r) {
  return {{"recovered_rtx", r.recovered_rtx}, {"recovered_fec", r.recovered_fec},
          {"lost_for_good", r.lost_for_good}, {"nacks_sent", r.nacks_sent},
          {"nacks_suppressed", r.nacks_suppressed}, {"rtx_received", r.rtx_received},
          {"fec_received", r.fec_received}, {"duplicates", r.duplicates},
          {"rtx_late", r.rtx_late},
          {"rtt_ms", r.rtt_ms ? nlohmann::json(*r.rtt_ms) : nlohmann::json()}};
}

}  // namespace

struct RecvStatsReporter::Impl {
  const net::SrtpGroup* srtp = nullptr;
  bool srtp_failure_named = false;
  net::StatsStream stream;
  bool status_line = true;
  // Streams that left beyond the last kRetiredKept: how many and their summed counters.
  struct RetiredAggregate {
    std::uint64_t streams = 0, packets = 0, bytes = 0, lost = 0, late = 0, frames_rendered = 0,
                  frames_dropped = 0, decode_errors = 0;
    void Add(const nlohmann::json& j) {
      ++streams;
      packets += j.value("packets", std::uint64_t{0});
      bytes += j.value("bytes", std::uint64_t{0});
      lost += j.value("lost", std::uint64_t{0});
      late += j.value("late", std::uint64_t{0});
      frames_rendered += j.value("frames_rendered", std::uint64_t{0});
      frames_dropped += j.value("frames_dropped", std::uint64_t{0});
      decode_errors += j.value("decode_errors", std::uint64_t{0});
    }
    nlohmann::json Json() const {
      return {{"streams", streams}, {"packets", packets}, {"bytes", bytes}, {"lost", lost},
              {"late", late}, {"frames_rendered", frames_rendered},
              {"frames_dropped", frames_dropped}, {"decode_errors", decode_errors}};
    }
  };
  // Streams that left: the last kRetiredKept in full, older ones summed into retired_older.
  std::deque<nlohmann::json> retired;
  RetiredAggregate retired_older;
  // Counters at the previous second, for the per-second rates; only of current streams.
  std::map<std::uint32_t, std::uint64_t> last_bytes, last_frames;
  int second = 0;

  void WriteLine(nlohmann::json line) {
    if (!stream.enabled()) return;
    // Names come from the network: invalid UTF-8 becomes U+FFFD instead of an exception (an
    // SDES NAME of "\xff" from anyone on the LAN would otherwise end the receiver).
    stream.WriteLine(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  nlohmann::json StreamsJson(const Participants& participants, const Streams& streams) const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [ssrc, s] : streams) {
      const StreamFigures& f = s->figures();
      nlohmann::json j = FiguresJson(f);
      j["ssrc"] = ssrc;
      j["kind"] = Name(s->kind());
      if (s->kind() == MediaKind::kVideo) {
        j["repair"] = RepairJson(f.repair);
        j["decoder_queue"] = {{"overflows", f.decoder_queue_overflows},
                              {"high_water", f.decoder_queue_high_water}};
      }
      if (auto it = participants.find(ssrc); it != participants.end()) {
        j["cname"] = it->second.cname;
        j["name"] = it->second.name;
      }
      out.push_back(std::move(j));
    }
    return out;
  }

  // A/V offset of participants whose audio and video share a CNAME (RFC 3550 lip sync).
  static std::optional<double> AvOffsetMs(const Participants& participants, const Streams& streams) {
    for (const auto& [vssrc, v] : streams) {
      auto vp = participants.find(vssrc);
      if (v->kind() != MediaKind::kVideo || vp == participants.end() || vp->second.cname.empty() ||
          !v->last_output()) {
        continue;
      }
      for (const auto& [assrc, a] : streams) {
        auto ap = participants.find(assrc);
        if (a->kind() != MediaKind::kAudio || ap == participants.end() ||
            ap->second.cname != vp->second.cname || !a->last_output()) {
          continue;
        }
        const auto [vr, vc] = *v->last_output();
        const auto [ar, ac] = *a->last_output();
        return static_cast<double>((vr - vc) - (ar - ac)) / 1000.0;
      }
    }
    return std::nullopt;
  }
};

RecvStatsReporter::RecvStatsReporter(std::string json_path, bool status_line)
    : impl_(std::make_unique<Impl>()) {
  impl_->stream = net::StatsStream(json_path);
  if (!impl_->stream.error().empty()) {
    spdlog::warn("--stats-json {}: statistics will not be written", impl_->stream.error());
  }
  impl_->status_line = status_line;
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  impl_->WriteLine({{"type", "header"}, {"schema", std::string(net::kStatsSchema)}, {"program", "confcast-recv"},
                    {"started_unix_ms", unix_ms.count()}});
}

RecvStatsReporter::~RecvStatsReporter() = default;

void RecvStatsReporter::set_srtp(const net::SrtpGroup* srtp) { impl_->srtp = srtp; }

void RecvStatsReporter::Tick(const Participants& participants, const Streams& streams,
                             std::uint64_t plis_sent,
                             std::uint64_t dropped_total, const SignalFigures& signal) {
  Impl& m = *impl_;
  ++m.second;
  std::uint64_t rendered = 0, dropped = 0, lost = 0, late = 0, dups = 0, bytes = 0, new_bytes = 0,
                new_frames = 0, video_lost = 0;
  double jitter = 0;
  std::optional<double> rtt, playout;  // none while no video stream plays
  RepairFigures repair;
  std::optional<double> ttff;
  for (const auto& [ssrc, s] : streams) {
    if (s->kind() != MediaKind::kVideo) continue;
    const StreamFigures& f = s->figures();
    rendered += f.frames_rendered;
    dropped += f.frames_dropped;
    lost += f.lost;
    video_lost += f.lost;
    late += f.late;
    dups += f.duplicates;
    bytes += f.bytes;
    new_bytes += f.bytes - m.last_bytes[ssrc];
    new_frames += f.frames_rendered - m.last_frames[ssrc];
    m.last_bytes[ssrc] = f.bytes;
    m.last_frames[ssrc] = f.frames_rendered;
    jitter = std::max(jitter, f.jitter_ms);
    if (f.repair.rtt_ms) rtt = std::max(rtt.value_or(0), *f.repair.rtt_ms);
    playout = std::max(playout.value_or(0), f.target_delay_ms);
    if (f.first_frame_ms && !ttff) ttff = f.first_frame_ms;
    repair.recovered_rtx += f.repair.recovered_rtx;
    repair.recovered_fec += f.repair.recovered_fec;
    repair.lost_for_good += f.repair.lost_for_good;
    repair.nacks_sent += f.repair.nacks_sent;
    repair.nacks_suppressed += f.repair.nacks_suppressed;
  }
  for (const auto& [ssrc, s] : streams) {
    if (s->kind() != MediaKind::kAudio) continue;
    new_bytes += s->figures().bytes - m.last_bytes[ssrc];
    m.last_bytes[ssrc] = s->figures().bytes;
    lost += s->figures().lost;
  }
  std::optional<Percentiles> lat;
  for (const auto& [ssrc, s] : streams) {
    if (s->kind() != MediaKind::kVideo) continue;
    if (auto p = s->figures().latency_ms.Compute()) lat = p;  // the last video stream's window
  }
  const auto av = Impl::AvOffsetMs(participants, streams);
  // Forget the previous-second counters of streams that have gone.
  std::erase_if(m.last_bytes, [&](const auto& e) { return !streams.contains(e.first); });
  std::erase_if(m.last_frames, [&](const auto& e) { return !streams.contains(e.first); });
  nlohmann::json sec{{"type", "second"}, {"t", m.second}, {"participants", participants.size()},
                     {"fps", new_frames}, {"kbps", static_cast<double>(new_bytes) * 8 / 1000.0},
                     {"frames_rendered", rendered}, {"frames_dropped", dropped},
                     {"lost", lost}, {"late", late}, {"duplicates", dups},
                     {"jitter_ms", jitter}, {"plis_sent", plis_sent},
                     {"dropped", dropped_total}};
  if (rtt) sec["rtt_ms"] = *rtt;
  if (playout) sec["playout_delay_ms"] = *playout;
  sec["signal"] = SignalStateName(signal.state);
  if (signal.state == SignalState::kNoSignal) sec["silence_s"] = signal.silence_s;
  if (lat) sec["latency_ms"] = {{"p50", lat->p50}, {"p95", lat->p95}};
  sec["repair"] = {{"recovered_rtx", repair.recovered_rtx}, {"recovered_fec", repair.recovered_fec},
                   {"lost_for_good", repair.lost_for_good}, {"nacks_sent", repair.nacks_sent},
                   {"nacks_suppressed", repair.nacks_suppressed}};
  if (av) sec["av_offset_ms"] = *av;
  if (ttff) sec["time_to_first_frame_ms"] = *ttff;
  m.WriteLine(std::move(sec));
  // Video packets lost after repair: RTX and FEC rebuild some of the sequence numbers lost.
  const std::uint64_t recovered = repair.recovered_rtx + repair.recovered_fec;
  // Most important first: is anything arriving, is the picture whole, how late, how much.
  const bool no_signal = signal.state == SignalState::kNoSignal;
  const std::string fields[] = {
      no_signal ? fmt::format("NO SIGNAL for {:.1f} s", signal.silence_s) : std::string(),
      fmt::format("shown {} ({} fps)", rendered, new_frames),
      fmt::format("lost {}", video_lost > recovered ? video_lost - recovered : 0),
      lat ? fmt::format("p50 {:.1f} ms", lat->p50) : std::string(),
      fmt::format("{:.0f} kbit/s", static_cast<double>(new_bytes) * 8 / 1000.0),
      fmt::format("{} src", participants.size()),
      fmt::format("{} s", m.second),
  };
  if (m.status_line) net::ShowStatus(net::FitStatus(fields, net::StatusColumns()));
  if (spdlog::should_log(spdlog::level::debug)) {
    // -v: every figure, on a log line of its own.
    std::string details = fmt::format(
        "status {} s: {} src, {} fps {:.0f} kbit/s, frames {} shown {} dropped, packets {} lost "
        "{} late {} dup, jitter {:.1f} ms",
        m.second, participants.size(), new_frames, static_cast<double>(new_bytes) * 8 / 1000.0,
        rendered, dropped, lost, late, dups, jitter);
    if (lat) details += fmt::format(", latency p50 {:.1f} p95 {:.1f} ms", lat->p50, lat->p95);
    details += fmt::format(", repaired rtx {} fec {}, lost for good {}", repair.recovered_rtx,
                           repair.recovered_fec, repair.lost_for_good);
    if (av) details += fmt::format(", A/V {:+.0f} ms", *av);
    if (ttff) details += fmt::format(", first frame {:.0f} ms", *ttff);
    if (no_signal) details += fmt::format(", NO SIGNAL for {:.1f} s", signal.silence_s);
    spdlog::debug("{}", details);
  }
  if (m.srtp && !m.srtp_failure_named) {
    const net::SrtpStats st = m.srtp->Stats();
    if (const std::uint64_t auth = st.receive_failures[0]; auth > 0) {  // kAuthFail
      m.srtp_failure_named = true;
      spdlog::warn("{} packets failed SRTP authentication: wrong --key-file, or a sender "
                   "without encryption?", auth);
    }
  }
}

void RecvStatsReporter::Retire(std::uint32_t ssrc, MediaKind kind, const StreamFigures& f) {
  nlohmann::json j = FiguresJson(f);
  j["ssrc"] = ssrc;
  j["kind"] = Name(kind);
  if (kind == MediaKind::kVideo) j["repair"] = RepairJson(f.repair);
  j["left"] = true;
  Impl& m = *impl_;
  m.retired.push_back(std::move(j));
  if (m.retired.size() > kRetiredKept) {
    m.retired_older.Add(m.retired.front());
    m.retired.pop_front();
  }
}

void RecvStatsReporter::Final(const Participants& participants, const Streams& streams,
                              std::uint64_t plis_sent,
                              std::chrono::steady_clock::duration elapsed, const std::string& reason,
                              std::uint64_t malformed_rtp, std::uint64_t malformed_rtcp,
                              std::uint64_t stray_after_bye, const DropCounters& dropped,
                              const FinalExtras& extras, const SignalFigures& signal) {
  Impl& m = *impl_;
  const double secs = std::chrono::duration<double>(elapsed).count();
  nlohmann::json all = m.StreamsJson(participants, streams);
  for (const auto& r : m.retired) all.push_back(r);
  nlohmann::json final_part{{"type", "final"}, {"duration_s", secs}, {"stop_reason", reason}, {"streams", all},
                            {"plis_sent", plis_sent}, {"malformed_rtp", malformed_rtp},
                            {"malformed_rtcp", malformed_rtcp}, {"stray_after_bye", stray_after_bye},
                            {"own_ssrc", extras.own_ssrc},
                            {"own_ssrc_changes", extras.own_ssrc_changes},
                            {"plis_suppressed", extras.plis_suppressed},
                            {"source_gate_evicted", extras.gate_evicted},
                            {"rtcp_ignored", {{"wrong_address", extras.rtcp_ignored.wrong_address},
                                              {"own_loopback", extras.rtcp_ignored.own_loopback},
                                              {"own_ssrc_foreign", extras.rtcp_ignored.own_ssrc_foreign},
                                              {"after_bye", extras.rtcp_ignored.after_bye},
                                              {"malformed", extras.rtcp_ignored.malformed}}},
                            {"feedback_packets_sent", extras.feedback_sent},
                            {"feedback_held", extras.feedback_held},
                            {"srtp", SrtpJson(m.srtp)}};
  nlohmann::json drops = nlohmann::json::object();
  for (const auto& [why, n] : dropped.by_reason()) drops[why] = n;
  final_part["dropped"] = drops;
  if (m.retired_older.streams > 0) final_part["retired_older"] = m.retired_older.Json();
  if (auto av = Impl::AvOffsetMs(participants, streams)) final_part["av_offset_ms"] = *av;
  final_part["signal"] = {{"state", SignalStateName(signal.state)},
                          {"outages", signal.outages},
                          {"longest_outage_s", signal.longest_outage_s},
                          {"rejoins", signal.rejoins}};
  m.WriteLine(final_part);
  net::EndStatus();
  spdlog::info("{} after {:.1f} s; malformed datagrams dropped: {} RTP, {} RTCP",
               rtp::SafeText(reason, 512), secs, malformed_rtp, malformed_rtcp);
  if (dropped.Total() > malformed_rtp + malformed_rtcp) {
    std::string line = "dropped:";
    for (const auto& [why, n] : dropped.by_reason()) {
      if (n) line += fmt::format(" {} {}", why, n);
    }
    spdlog::info("{}", line);
  }
  for (const auto& s : all) {
    // The participant's SDES NAME, as anyone on the LAN may have set it: made safe, padded to 12
    // characters.
    std::string name = rtp::SafeText(s.value("name", std::string()), 64);
    if (const std::size_t n = rtp::Utf8Length(name); n < 12) name.append(12 - n, ' ');
    std::string line = fmt::format("{} {:08x} {} packets {} lost {} late {} | frames {} shown {} dropped",
                                   s["kind"].get<std::string>(), s["ssrc"].get<std::uint32_t>(),
                                   name, s["packets"].get<std::uint64_t>(),
                                   s["lost"].get<std::uint64_t>(), s["late"].get<std::uint64_t>(),
                                   s["frames_rendered"].get<std::uint64_t>(),
                                   s["frames_dropped"].get<std::uint64_t>());
    if (s.contains("latency_ms")) {
      line += fmt::format(" | latency p50 {:.1f} p95 {:.1f} p99 {:.1f} max {:.1f} ms",
                          s["latency_ms"]["p50"].get<double>(), s["latency_ms"]["p95"].get<double>(),
                          s["latency_ms"]["p99"].get<double>(), s["latency_ms"]["max"].get<double>());
    }
    if (s.contains("time_to_first_frame_ms")) {
      line += fmt::format(" | first frame {:.0f} ms", s["time_to_first_frame_ms"].get<double>());
    }
    if (s.contains("repair")) {
      const auto& r = s["repair"];
      line += fmt::format(
          " | repair: nacks {} suppressed {} rtx {} recovered {} dup {} lost for good {}",
          r["nacks_sent"].get<std::uint64_t>(), r["nacks_suppressed"].get<std::uint64_t>(),
          r["rtx_received"].get<std::uint64_t>(), r["recovered_rtx"].get<std::uint64_t>(),
          r["duplicates"].get<std::uint64_t>(), r["lost_for_good"].get<std::uint64_t>());
    }
    spdlog::info("{}", line);
    if (s.contains("latency_stages_ms")) {
      const auto& by = s["latency_stages_ms"];
      std::string stages;
      for (const char* stage : kLatencyStageNames) {
        if (!by.contains(stage)) continue;
        stages += fmt::format("{}{} {:.2f}", stages.empty() ? "" : ", ", stage,
                              by[stage]["p50"].get<double>());
      }
      spdlog::info("{} {:08x} latency by stage, p50 ms: {}", s["kind"].get<std::string>(),
                   s["ssrc"].get<std::uint32_t>(), stages);
    }
  }
}

}  // namespace confcast::receiver
