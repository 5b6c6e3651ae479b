#include <confcast/sender/options.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <map>

namespace confcast::sender {

std::expected<SendOptions, ParseFailure> ParseSendOptions(int argc, const char* const* argv) {
  SendOptions o;
  CLI::App app{"confcast-send: capture, encode and send video and audio to a multicast group",
               "confcast-send"};
  app.set_version_flag("--version", "confcast-send 0.1.0");
  std::string size;
  app.add_option("--group", o.group, "multicast group (239.x.y.z, 232.x for SSM, ff15::/16)")
      ->capture_default_str();
  app.add_option("--port", o.port, "even base port: video RTP P, RTCP P+1, audio P+2/P+3")
      ->capture_default_str();
  app.add_option("--iface", o.iface, "interface name or address (default: route to the group)");
  app.add_option("--ttl", o.ttl, "multicast TTL/hops (1 stays on the LAN)")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  app.add_flag("!--no-loopback", o.loopback, "do not deliver to receivers on this host");
  app.add_option("--video", o.video,
                 "video source: test, v4l2[:/dev/videoN], screen, file:PATH, y4m:PATH, y4m:-, none")
      ->capture_default_str();
  app.add_option("--audio", o.audio, "audio source: test, auto, alsa[:DEV], pulse, file:PATH, none")
      ->capture_default_str();
  app.add_flag("--loop", o.loop, "start file: sources over at their end");
  app.add_option("--size", size, "video size WxH (default 1280x720)");
  app.add_option("--fps", o.fps, "frames per second")->check(CLI::Range(1, 240))->capture_default_str();
  app.add_option("--bitrate", o.bitrate_kbps, "video bitrate, kbit/s")
      ->check(CLI::Range(50, 200000))
      ->capture_default_str();
  app.add_option("--gop", o.gop, "frames between IDR frames")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--mtu", o.mtu, "largest RTP datagram, bytes")->check(CLI::Range(300, 9000))->capture_default_str();
  app.add_flag("!--no-slice-cap", o.slice_cap, "let one slice span several packets");
  app.add_option("--name", o.name, "participant name (RTCP SDES NAME)");
  app.add_option("--sdp", o.sdp_path, "write the session description here");
  app.add_option("--duration", o.duration_s, "stop after this many seconds")->check(CLI::Range(0.0, 1e9));
  app.add_option("--stats-json", o.stats_json, "write per-second and final statistics as JSON");
  app.add_option("--audio-bitrate", o.audio_bitrate_bps, "Opus bitrate, bit/s")
      ->check(CLI::Range(6000, 510000))
      ->capture_default_str();
  app.add_option("--rtx", o.rtx, "on|off: retransmit video packets receivers NACK (RTX, RFC 4588)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  app.add_flag("-v,--verbose", o.verbose, "log every RTCP packet and keyframe request");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return std::unexpected(ParseFailure{app.help(), true});
  } catch (const CLI::CallForVersion& e) {
    return std::unexpected(ParseFailure{e.what(), true});
  } catch (const CLI::ParseError& e) {
    return std::unexpected(ParseFailure{fmt::format("{} (see confcast-send --help)", e.what())});
  }
  if (!size.empty()) {
    int w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(size.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') ||
        w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 || h % 2) {
      return std::unexpected(ParseFailure{fmt::format(
          "--size '{}' is not a valid frame size; use even WxH between 16x16 and 7680x4320, e.g. 1280x720",
          size)});
    }
    o.width = w;
    o.height = h;
  }
  if (o.port % 2 != 0) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} is odd: RTP uses the even port of an even/odd pair; use --port {}", o.port,
        o.port - 1)});
  }
  if (o.port == 0 || o.port > 65532) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} leaves no room for the four ports P..P+3; use an even port in 1024..65532",
        o.port)});
  }
  if (o.video == "none" && o.audio == "none") {
    return std::unexpected(ParseFailure{"--video none and --audio none leave nothing to send; drop one of them"});
  }
  return o;
}

}  // namespace confcast::sender
