// confcast-sim: what feedback, RTCP and repair cost for N receivers of one confcast sender, by
// discrete-event simulation of the real rtp/ state machines (see confcast/sim/simulation.h).
// Sends nothing on any network.
//
//   confcast-sim --receivers N --shared-loss PCT --independent-loss PCT --rtt-ms MS --seconds S
//                [--seed K] [--json PATH] [--sweep [--svg PATH]] [--feedback scaled|classic]
#include <confcast/cli/command_line.h>
#include <confcast/sim/simulation.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr,
                 "confcast-sim: cannot write %s; check the directory exists and is writable\n",
                 path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using confcast::sim::FeedbackMode;
  confcast::sim::SimConfig config;
  double shared_pct = 5, independent_pct = 1, rtt_ms = 10, bitrate_kbps = 2500;
  std::string json_path, svg_path;
  bool sweep = false;
  FeedbackMode mode = FeedbackMode::kScaled;
  const std::map<std::string, FeedbackMode> modes{{"scaled", FeedbackMode::kScaled},
                                                  {"classic", FeedbackMode::kClassic}};
  const confcast::cli::Manual manual{
      .groups = {{"Group and network",
                  {"--receivers", "--shared-loss", "--independent-loss", "--rtt-ms", "--feedback"}},
                 {"Stream", {"--bitrate-kbps"}},
                 {"Run", {"--seconds", "--seed", "--sweep"}},
                 {"Output", {"--json", "--svg"}}},
      .examples = {{"confcast-sim --receivers 10000 --shared-loss 5 --independent-loss 1 --rtt-ms "
                    "10 --seconds 60",
                    "the issue's target case: one minute of 10,000 receivers"},
                   {"confcast-sim --sweep --shared-loss 5 --independent-loss 1 --rtt-ms 10 "
                    "--seconds 60 --seed 1 "
                    "--json sweep.json --svg sweep.svg",
                    "1 to 10,000 receivers, a table, the figures as JSON and a plot"},
                   {"confcast-sim --receivers 300 --feedback classic",
                    "the same with immediate NACKs and no early-feedback rule (confcast before)"},
                   {"confcast-sim --receivers 16 --shared-loss 5 --independent-loss 0 --rtt-ms 4 "
                    "--bitrate-kbps 1200 --seconds 10",
                    "the stream and LAN of confcast-bench's shared-loss scenario, 16 receivers"}},
      .exit_codes = {{0, "the simulation ran; its figures are printed"},
                     {1, "an output file could not be written"},
                     {2, "usage error: a bad option or value"}},
  };
  confcast::cli::CommandLine cl(
      "confcast-sim",
      "simulate N receivers of one sender: feedback, RTCP and repair cost (sends nothing)",
      [&](CLI::App& app) {
        app.add_option("--receivers", config.receivers, "receivers in the group")
            ->type_name("N")
            ->check(CLI::Range(1, 1'000'000))
            ->capture_default_str();
        app.add_option(
               "--shared-loss", shared_pct,
               "loss upstream of every receiver, in percent (every receiver misses the packet)")
            ->type_name("PCT")
            ->check(CLI::Range(0.0, 100.0))
            ->capture_default_str();
        app.add_option("--independent-loss", independent_pct,
                       "loss on each receiver's own link, in percent")
            ->type_name("PCT")
            ->check(CLI::Range(0.0, 100.0))
            ->capture_default_str();
        app.add_option("--rtt-ms", rtt_ms,
                       "round trip between sender and receivers (leaf delays spread it +-25%)")
            ->type_name("MS")
            ->check(CLI::Range(0.01, 10'000.0))
            ->capture_default_str();
        app.add_option("--bitrate-kbps", bitrate_kbps,
                       "the 720p30 stream's video bitrate (packets per frame, FEC, RTCP's 5%); "
                       "set it to confcast-send's --bitrate to compare with a run")
            ->type_name("KBIT")
            ->check(CLI::Range(100.0, 100'000.0))
            ->capture_default_str();
        app.add_option("--seconds", config.seconds, "simulated time")
            ->type_name("S")
            ->check(CLI::Range(0.1, 86'400.0))
            ->capture_default_str();
        app.add_option("--seed", config.seed, "random seed: the same seed gives the same figures")
            ->type_name("K")
            ->capture_default_str();
        app.add_option("--feedback", mode,
                       "scaled: large-group back-off and the RFC 4585 early rule above 8 receivers; "
                       "classic: every receiver asks at once (confcast before)")
            ->type_name("scaled|classic")
            ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
            ->default_str("scaled");
        app.add_flag("--sweep", sweep, "run 1, 3, 10, ... 10,000 receivers instead of --receivers");
        app.add_option("--json", json_path, "write the figures as JSON (schema confcast-sim/1)")
            ->type_name("PATH");
        app.add_option("--svg", svg_path, "with --sweep: write a plot of the sweep")
            ->type_name("PATH");
      },
      manual);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return confcast::cli::Finish(parsed.error());
  if (!svg_path.empty() && !sweep) {
    std::fprintf(stderr,
                 "confcast-sim: --svg plots a sweep; add --sweep (see confcast-sim --help)\n");
    return 2;
  }
  config.shared_loss = shared_pct / 100;
  config.independent_loss = independent_pct / 100;
  config.rtt = confcast::rtp::Duration{static_cast<std::int64_t>(rtt_ms * 1000)};
  config.feedback = mode;
  config.bitrate_bps = bitrate_kbps * 1000;

  std::vector<confcast::sim::SimResult> results;
  const std::vector<int> sizes =
      sweep ? confcast::sim::SweepSizes() : std::vector<int>{config.receivers};
  for (int n : sizes) {
    config.receivers = n;
    results.push_back(confcast::sim::Simulate(config));
    std::fputs(confcast::sim::FormatText(results.back()).c_str(), stdout);
    std::fflush(stdout);
  }
  if (sweep) std::fputs(("\n" + confcast::sim::FormatSweepTable(results)).c_str(), stdout);
  if (!json_path.empty() && !WriteFile(json_path, confcast::sim::ToJson(results))) return 1;
  if (!svg_path.empty() && !WriteFile(svg_path, confcast::sim::SweepSvg(results))) return 1;
  return 0;
}
