#include <confcast/receiver/options.h>
#include <confcast/version.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <map>

namespace confcast::receiver {

std::expected<RecvOptions, ParseFailure> ParseRecvOptions(int argc, const char* const* argv) {
  RecvOptions o;
  CLI::App app{"confcast-recv: join a multicast group, decode and render its participants",
               "confcast-recv"};
  app.set_version_flag("--version", confcast::VersionLine("confcast-recv"));
  app.add_option("sdp", o.sdp_path, "session description (from confcast-send --sdp or ffmpeg -sdp_file)");
  auto* group = app.add_option("--group", o.group, "multicast group")->capture_default_str();
  auto* port = app.add_option("--port", o.port, "even base port (video P/P+1, audio P+2/P+3)")
                   ->capture_default_str();
  app.add_option("--iface", o.iface, "interface name or address (default: route to the group)");
  app.add_option("--source", o.source, "sender address for a source-specific join");
  app.add_option("--video-sink", o.video_sink,
                 "window, null, y4m:PATH, y4m:-, record:PATH.mkv, png:DIR (default: window "
                 "with a display, else null)");
  app.add_option("--audio-sink", o.audio_sink, "auto, null, record:PATH.mkv (default: follows video; with --video-sink "
                 "record:PATH.mkv the audio is recorded into the same file)");
  app.add_option("--participant", o.participant, "NAME or SSRC to show on a single-stream sink");
  app.add_option("--latency", o.latency_ms, "jitter-buffer ceiling, ms")
      ->check(CLI::Range(0, 5000))
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "stop after this many seconds")->check(CLI::Range(0.0, 1e9));
  app.add_option("--stats-json", o.stats_json, "append statistics as JSON lines (header, one per second, final); - for stdout");
  app.add_option("--name", o.name, "our name in RTCP SDES");
  app.add_option("--ttl", o.ttl,
                 "multicast TTL of our RTCP feedback; give the sender's --ttl across routers")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  app.add_option("--rejoin-every", o.rejoin_every_s,
                 "leave and rejoin the group every SECONDS, for networks whose switches snoop "
                 "IGMP with no querier and forget joins (0: never)")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  app.add_option("--key-file", o.key_file,
                 "decrypt and authenticate RTP/RTCP (SRTP) with this group key (confcast-keygen)");
  app.add_flag("--list", o.list,
               "list the sessions announced with SAP on the LAN (name, group, media, origin, age); "
               "listens --duration seconds (default 3)");
  app.add_option("--join", o.join,
                 "join the SAP-announced session called NAME (or a unique prefix)");
  app.add_option("--join-timeout", o.join_timeout_s, "seconds --join waits for the announcement")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--nack", o.nack, "on|off: ask the sender to retransmit lost video packets")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  net::AddLogOptions(app, &o.log,
                     "debug messages: participants, RTCP and keyframe requests; status details");
  std::uint32_t ssrc = 0;
  auto* ssrc_opt = app.add_option("--ssrc", ssrc, "our SSRC in receiver reports (testing)")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return std::unexpected(ParseFailure{app.help(), true});
  } catch (const CLI::CallForVersion& e) {
    return std::unexpected(ParseFailure{e.what(), true});
  } catch (const CLI::ParseError& e) {
    return std::unexpected(ParseFailure{fmt::format("{} (see confcast-recv --help)", e.what())});
  }
  if (ssrc_opt->count() > 0) o.ssrc = ssrc;
  if (!o.sdp_path.empty() && (group->count() > 0 || port->count() > 0)) {
    return std::unexpected(ParseFailure{
        "an SDP file and --group/--port both give the address; use one of them"});
  }
  const bool addressed = !o.sdp_path.empty() || group->count() > 0 || port->count() > 0;
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
  return o;
}

}  // namespace confcast::receiver
