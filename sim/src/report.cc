// confcast-sim's output: text, a sweep table, JSON and an SVG plot of a sweep.
#include <confcast/sim/simulation.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace confcast::sim {
namespace {

double Ms(rtp::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}

nlohmann::ordered_json Json(const SimResult& r) {
  nlohmann::ordered_json j;
  const SimConfig& c = r.config;
  j["receivers"] = c.receivers;
  j["shared_loss_pct"] = c.shared_loss * 100;
  j["independent_loss_pct"] = c.independent_loss * 100;
  j["rtt_ms"] = Ms(c.rtt);
  j["bitrate_kbps"] = c.bitrate_bps / 1000;
  j["seconds"] = c.seconds;
  j["seed"] = c.seed;
  j["feedback"] = c.feedback == FeedbackMode::kScaled ? "scaled" : "classic";
  j["feedback_packets_per_lost_packet"] = r.feedback_packets_per_lost_packet;
  j["rtcp_share_pct"] = r.rtcp_share_pct;
  j["repair_p95_ms"] = r.repair_p95_ms;
  j["frames_complete_pct"] = r.frames_complete_pct;
  j["retransmissions_per_lost_packet"] = r.retransmissions_per_lost_packet;
  j["repair_p50_ms"] = r.repair_p50_ms;
  j["repair_p99_ms"] = r.repair_p99_ms;
  j["repair_bound_ms"] = r.repair_bound_ms;
  j["max_backoff_ms"] = r.max_backoff_ms;
  j["frames_decodable_pct"] = r.frames_decodable_pct;
  j["feedback_share_pct"] = r.feedback_share_pct;
  j["fec_overhead_pct"] = r.fec_overhead_pct;
  j["rtx_overhead_pct"] = r.rtx_overhead_pct;
  j["nack_requests_per_nacked_packet"] = r.nack_requests_per_nacked_packet;
  j["media_packets"] = r.media_packets;
  j["lost_packets"] = r.lost_packets;
  j["receiver_losses"] = r.receiver_losses;
  j["fec_recovered"] = r.fec_recovered;
  j["rtx_recovered"] = r.rtx_recovered;
  j["unrepaired"] = r.unrepaired;
  j["feedback_packets"] = r.feedback_packets;
  j["nack_packets"] = r.nack_packets;
  j["pli_packets"] = r.pli_packets;
  j["nacks_suppressed"] = r.nacks_suppressed;
  j["nacks_not_early"] = r.nacks_not_early;
  j["plis_cancelled"] = r.plis_cancelled;
  j["rtx_packets"] = r.rtx_packets;
  j["rtx_refused"] = r.rtx_refused;
  j["rtx_deduplicated"] = r.rtx_deduplicated;
  j["receiver_reports"] = r.receiver_reports;
  j["sender_reports"] = r.sender_reports;
  j["keyframes"] = r.keyframes;
  j["keyframes_forced"] = r.keyframes_forced;
  j["frames"] = r.frames;
  j["rtcp_interval_s"] = r.rtcp_interval_s;
  j["fec_level_final"] = r.fec_level_final;
  j["wall_seconds"] = r.wall_seconds;
  return j;
}

}  // namespace

std::string FormatText(const SimResult& r) {
  const SimConfig& c = r.config;
  std::string s = fmt::format(
      "confcast-sim: {} receivers, {:g}% shared + {:g}% independent loss, RTT {:g} ms, "
      "{:g} kbit/s, {:g} s, seed {}, feedback {}\n",
      c.receivers, c.shared_loss * 100, c.independent_loss * 100, Ms(c.rtt), c.bitrate_bps / 1000,
      c.seconds, c.seed,
      c.feedback == FeedbackMode::kScaled ? "scaled" : "classic");
  s += fmt::format(
      "  feedback_packets_per_lost_packet  {:.3f}   ({} NACK + {} PLI compounds, {} lost "
      "packets)\n",
      r.feedback_packets_per_lost_packet, r.nack_packets, r.pli_packets, r.lost_packets);
  s += fmt::format(
      "  rtcp_share_pct                    {:.2f}    (feedback alone {:.2f}; {} RR, {} SR; "
      "report interval {:.1f} s)\n",
      r.rtcp_share_pct, r.feedback_share_pct, r.receiver_reports, r.sender_reports,
      r.rtcp_interval_s);
  s += fmt::format(
      "  repair_p95_ms                     {:.2f}    (p50 {:.2f}, p99 {:.2f}; target 3 RTT + "
      "back-off = {:.1f})\n",
      r.repair_p95_ms, r.repair_p50_ms, r.repair_p99_ms, r.repair_bound_ms);
  s += fmt::format("  frames_complete_pct               {:.3f}  (decodable {:.3f})\n",
                   r.frames_complete_pct, r.frames_decodable_pct);
  s += fmt::format(
      "  retransmissions_per_lost_packet   {:.3f}   ({} RTX, {} deduplicated, {} refused)\n",
      r.retransmissions_per_lost_packet, r.rtx_packets, r.rtx_deduplicated, r.rtx_refused);
  s += fmt::format(
      "  repair: FEC {:.1f}% + RTX {:.1f}% of media; rebuilt {} by FEC, {} by RTX, {} never; "
      "{} requests suppressed, {} held by the early rule, {} PLIs cancelled\n",
      r.fec_overhead_pct, r.rtx_overhead_pct, r.fec_recovered, r.rtx_recovered, r.unrepaired,
      r.nacks_suppressed, r.nacks_not_early, r.plis_cancelled);
  s += fmt::format("  {} frames, {} IDRs ({} on request); simulated in {:.1f} s\n", r.frames,
                   r.keyframes, r.keyframes_forced, r.wall_seconds);
  return s;
}

std::string FormatSweepTable(const std::vector<SimResult>& results) {
  std::string s =
      "| receivers | feedback / lost packet | RTCP + feedback % | repair p95 ms | frames complete "
      "% | "
      "RTX / lost packet | FEC overhead % | RTX overhead % | run s |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const SimResult& r : results) {
    s += fmt::format(
        "| {} | {:.3f} | {:.2f} | {:.2f} | {:.3f} | {:.3f} | {:.1f} | {:.1f} | {:.1f} |\n",
        r.config.receivers, r.feedback_packets_per_lost_packet, r.rtcp_share_pct, r.repair_p95_ms,
        r.frames_complete_pct, r.retransmissions_per_lost_packet, r.fec_overhead_pct,
        r.rtx_overhead_pct, r.wall_seconds);
  }
  return s;
}

std::string ToJson(const std::vector<SimResult>& results) {
  nlohmann::ordered_json out;
  out["schema"] = "confcast-sim/1";
  out["results"] = nlohmann::ordered_json::array();
  for (const SimResult& r : results) out["results"].push_back(Json(r));
  return out.dump(2) + "\n";
}

// Three panels against the receiver count (log scale): feedback per lost packet, RTCP share,
// frames complete.
std::string SweepSvg(const std::vector<SimResult>& results) {
  constexpr int kW = 900, kPanelH = 200, kTop = 50, kLeft = 70, kRight = 20, kGap = 60;
  const int plot_w = kW - kLeft - kRight;
  struct Panel {
    const char* title;
    double (*value)(const SimResult&);
    double target;
    bool target_is_max;
  };
  const Panel panels[] = {
      {"feedback packets per lost packet",
       [](const SimResult& r) { return r.feedback_packets_per_lost_packet; }, 2.0, true},
      {"RTCP + feedback, % of session bandwidth",
       [](const SimResult& r) { return r.rtcp_share_pct; }, 5.0, true},
      {"frames complete, %", [](const SimResult& r) { return r.frames_complete_pct; }, 99.5, false},
  };
  const int height = kTop + 3 * (kPanelH + kGap);
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      kW, height);
  if (results.empty()) return s + "</svg>\n";
  const SimConfig& c = results.front().config;
  s += fmt::format(
      "<text x=\"{}\" y=\"24\" font-size=\"15\">confcast-sim: {:g}% shared + {:g}% independent "
      "loss, RTT {:g} ms, {:g} kbit/s, {:g} s per run, seed {}</text>\n",
      kLeft, c.shared_loss * 100, c.independent_loss * 100, Ms(c.rtt), c.bitrate_bps / 1000,
      c.seconds, c.seed);
  double n_max = 1;
  for (const SimResult& r : results)
    n_max = std::max(n_max, static_cast<double>(r.config.receivers));
  const double lx_max = std::max(std::log10(n_max), 1.0);
  auto x_of = [&](int n) { return kLeft + plot_w * std::log10(std::max(n, 1)) / lx_max; };
  for (int p = 0; p < 3; ++p) {
    const Panel& panel = panels[p];
    const int y0 = kTop + p * (kPanelH + kGap) + 20;
    double lo = panel.target, hi = panel.target;
    for (const SimResult& r : results) {
      lo = std::min(lo, panel.value(r));
      hi = std::max(hi, panel.value(r));
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    const double pad = (hi - lo) * 0.1;
    lo = panel.target_is_max ? std::max(0.0, lo - pad) : lo - pad;
    hi += pad;
    auto y_of = [&](double v) { return y0 + kPanelH - kPanelH * (v - lo) / (hi - lo); };
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>\n", kLeft, y0 - 8,
                     panel.title);
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n",
        kLeft, y0, plot_w, kPanelH);
    for (int k = 0; k <= 4; ++k) {
      const double v = lo + (hi - lo) * k / 4;
      s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3g}</text>\n", kLeft - 6,
                       y_of(v) + 4, v);
    }
    for (int e = 0; e <= static_cast<int>(lx_max); ++e) {
      const int n = static_cast<int>(std::pow(10, e));
      s += fmt::format(
          "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#ddd\"/>"
          "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
          x_of(n), y0, y0 + kPanelH, y0 + kPanelH + 15, n);
    }
    s += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c33\" "
        "stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1f}\" fill=\"#c33\" "
        "text-anchor=\"end\">target {} {:g}</text>\n",
        kLeft, kLeft + plot_w, y_of(panel.target), y_of(panel.target), kLeft + plot_w - 4,
        y_of(panel.target) - 4, panel.target_is_max ? "&#8804;" : "&#8805;", panel.target);
    std::string points;
    for (const SimResult& r : results) {
      points += fmt::format("{:.1f},{:.1f} ", x_of(r.config.receivers), y_of(panel.value(r)));
    }
    s += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n", points);
    for (const SimResult& r : results) {
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#1f5fa8\"/>\n",
                       x_of(r.config.receivers), y_of(panel.value(r)));
    }
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">receivers (log scale)</text>\n",
                   kLeft + plot_w / 2, height - 12);
  return s + "</svg>\n";
}

}  // namespace confcast::sim
