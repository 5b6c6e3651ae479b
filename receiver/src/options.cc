#include <confcast/cli/command_line.h>
#include <confcast/receiver/options.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <string>

namespace confcast::receiver {

namespace {

// What CLI11 fills in; ParseRecvOptions checks it and turns it into RecvOptions.
struct RawRecvOptions {
  RecvOptions o;
  std::string nack = "on";
  std::uint32_t ssrc = 0;
};

void DefineRecvOptions(CLI::App& app, RawRecvOptions& raw) {
  RecvOptions& o = raw.o;
  app.add_option("sdp", o.sdp_path, "session description (from confcast-send --sdp or ffmpeg -sdp_file)")
      ->type_name("FILE");
  app.add_option("--group", o.group, "multicast group")->type_name("ADDR")->capture_default_str();
  app.add_option("--port", o.port, "even base port (video P/P+1, audio P+2/P+3)")
      ->type_name("P")
      ->capture_default_str();
  app.add_option("--iface", o.iface, "interface name or address (default: route to the group)")
      ->type_name("NAME|ADDR");
  app.add_option("--source", o.source, "sender address for a source-specific join")->type_name("ADDR");
  app.add_option("--video-sink", o.video_sink,
                 "window, null, y4m:PATH, y4m:-, record:PATH.mkv, png:DIR (default: window "
                 "with a display, else null)")
      ->type_name("SINK");
  app.add_option("--audio-sink", o.audio_sink, "auto, null, record:PATH.mkv (default: follows video; with --video-sink "
                 "record:PATH.mkv the audio is recorded into the same file)")
      ->type_name("SINK");
  app.add_option("--participant", o.participant, "NAME or SSRC to show on a single-stream sink")
      ->type_name("NAME|SSRC");
  app.add_option("--latency", o.latency_ms, "jitter-buffer ceiling, 0-5000 ms")
      ->type_name("MS")
      ->check(CLI::Range(0, 5000))
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "stop after this many seconds (0: run until stopped)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--stats-json", o.stats_json, "append statistics as JSON lines (header, one per second, final); - for stdout")
      ->type_name("FILE|-");
  app.add_option("--name", o.name, "our name in RTCP SDES")->type_name("TEXT");
  app.add_option("--ttl", o.ttl,
                 "multicast TTL of our RTCP feedback, 0-255; give the sender's --ttl across routers")
      ->type_name("N")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  app.add_option("--rejoin-every", o.rejoin_every_s,
                 "leave and rejoin the group every SECONDS, for networks whose switches snoop "
                 "IGMP with no querier and forget joins (0: never)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  app.add_option("--key-file", o.key_file,
                 "decrypt and authenticate RTP/RTCP (SRTP) with this group key (confcast-keygen)")
      ->type_name("FILE");
  app.add_flag("--list", o.list,
               "list the sessions announced with SAP on the LAN (name, group, media, origin, age); "
               "listens --duration seconds (default 3)");
  app.add_option("--join", o.join,
                 "join the SAP-announced session called NAME (or a unique prefix)")
      ->type_name("NAME");
  app.add_option("--join-timeout", o.join_timeout_s, "seconds --join waits for the announcement")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--nack", raw.nack, "ask the sender to retransmit lost video packets")
      ->type_name("on|off")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  net::AddLogOptions(app, &o.log,
                     "debug messages: participants, RTCP and keyframe requests; status details");
  app.add_option("--ssrc", raw.ssrc, "our SSRC in receiver reports (testing)")->group("");
}

// --help's headings, examples and exit codes. A new option goes under a heading here.
cli::Manual RecvManual() {
  return {
      .groups = {{"Session", {"sdp", "--group", "--port", "--source", "--list", "--join",
                              "--join-timeout"}},
                 {"Network", {"--iface", "--ttl", "--rejoin-every"}},
                 {"Output", {"--video-sink", "--audio-sink", "--participant"}},
                 {"Repair and playout", {"--latency", "--nack"}},
                 {"Security", {"--key-file"}},
                 {"Monitoring", {"--duration", "--stats-json", "--name", "--log-level", "--quiet", "--verbose"}}},
      .examples = {{"confcast-recv --iface eth0", "every participant of the default group in its own window"},
                   {"confcast-recv room-a.sdp --video-sink y4m:- | ffplay -i -",
                    "the session room-a.sdp describes, as raw video on stdout"},
                   {"confcast-recv --list", "the sessions senders announce with confcast-send --announce"},
                   {"confcast-recv --join \"Room A\" --video-sink record:room-a.mkv",
                    "record one announced session as it arrives (H.264 and Opus in Matroska)"},
                   {"confcast-recv room.sdp --key-file room.key", "an encrypted session (SRTP)"},
                   {"confcast-recv --iface eth0 --latency 80 --print-config > watch.toml",
                    "keep the options in a file; confcast-recv --config watch.toml runs with them"}},
      .exit_codes = {{0, "stopped by Ctrl-C, SIGTERM or --duration after media arrived; --list "
                         "found sessions"},
                     {1, "could not start or run (the message says why), or --join found no "
                         "such session"},
                     {2, "usage error: a bad option, value or config file"},
                     {3, "nothing arrived (no RTP, or none that authenticated), or --list heard "
                         "no announcement"},
                     {130, "interrupted while --join was waiting"}},
  };
}

}  // namespace

std::expected<RecvOptions, ParseFailure> ParseRecvOptions(int argc, const char* const* argv) {
  RawRecvOptions raw;
  RecvOptions& o = raw.o;
  cli::CommandLine cl("confcast-recv", "join a multicast group, decode and render its participants",
                      [&raw](CLI::App& app) { DefineRecvOptions(app, raw); }, RecvManual(),
                      cli::ConfigFile::kRead);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return std::unexpected(parsed.error());
  if (cl.Given("--ssrc")) o.ssrc = raw.ssrc;
  o.nack = raw.nack == "on";
  if (!o.sdp_path.empty() && (cl.Given("--group") || cl.Given("--port"))) {
    return std::unexpected(ParseFailure{
        "an SDP file and --group/--port both give the address; use one of them"});
  }
  const bool addressed = !o.sdp_path.empty() || cl.Given("--group") || cl.Given("--port");
  if (o.list && (!o.join.empty() || addressed)) {
    return std::unexpected(ParseFailure{
        "--list only lists sessions; give it alone (with --iface, --duration, --stats-json)"});
  }
  if (!o.join.empty() && addressed) {
    return std::unexpected(
        ParseFailure{"--join NAME takes the address from the announcement; drop the SDP file / "
                     "--group / --port"});
  }
  if (o.stats_json == "-" && o.video_sink == "y4m:-") {
    return std::unexpected(ParseFailure{
        "--stats-json - and --video-sink y4m:- both write to stdout; send one of them to a file"});
  }
  if (o.sdp_path.empty() && o.port % 2 != 0) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} is odd: RTP uses the even port of an even/odd pair; use --port {}", o.port,
        o.port - 1)});
  }
  if (o.sdp_path.empty() && (o.port == 0 || o.port > 65532)) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} leaves no room for the four ports P..P+3; use an even port in 1024..65532",
        o.port)});
  }
  if (auto printed = cl.PrintConfig()) return std::unexpected(*printed);
  return o;
}

}  // namespace confcast::receiver
