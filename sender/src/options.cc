#include <confcast/sender/options.h>
#include <confcast/version.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <map>

namespace confcast::sender {

std::expected<SendOptions, ParseFailure> ParseSendOptions(int argc, const char* const* argv) {
  SendOptions o;
  CLI::App app{"confcast-send: capture, encode and send video and audio to a multicast group",
               "confcast-send"};
  app.set_version_flag("--version", confcast::VersionLine("confcast-send"));
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
  app.add_option("--vbv-ms", o.vbv_ms,
                 "encoder VBV buffer, ms of the bitrate (default: one frame's worth)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--mtu", o.mtu, "largest RTP datagram, bytes")->check(CLI::Range(300, 9000))->capture_default_str();
  app.add_flag("!--no-slice-cap", o.slice_cap, "let one slice span several packets");
  app.add_option("--name", o.name, "participant name (RTCP SDES NAME)");
  app.add_option("--sdp", o.sdp_path, "write the session description here");
  app.add_flag("--announce", o.announce,
               "announce the session with SAP (RFC 2974) for confcast-recv --list/--join and VLC");
  auto* interval = app.add_option("--announce-interval", o.announce_interval_s,
                                  "seconds between SAP announcements (default: three at 1 s, then "
                                  "the RFC 2974 interval, 5 minutes on a quiet LAN)")
                       ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--duration", o.duration_s, "stop after this many seconds")->check(CLI::Range(0.0, 1e9));
  app.add_option("--stats-json", o.stats_json, "append statistics as JSON lines (header, one per second, final); - for stdout");
  app.add_option("--audio-bitrate", o.audio_bitrate_bps, "Opus bitrate, bit/s")
      ->check(CLI::Range(6000, 510000))
      ->capture_default_str();
  app.add_option("--key-file", o.key_file,
                 "encrypt and authenticate RTP/RTCP (SRTP) with this group key (confcast-keygen)");
  app.add_option("--sdp-crypto", o.sdp_crypto,
                 "write a=crypto in the SDP: without a value the suite only; =with-key also "
                 "the key (inline:, readable by whoever reads the SDP)")
      ->expected(0, 1)
      ->default_str("suite");
  std::string fec = "auto";
  app.add_option("--fec", fec, "FlexFEC for video: auto (from reported loss), off, or PCT overhead")
      ->capture_default_str();
  app.add_flag("--intra-refresh", o.intra_refresh,
               "refresh the picture in a moving column instead of periodic IDRs (PLI/FIR still force one)");
  app.add_option("--rtx", o.rtx, "on|off: retransmit video packets receivers NACK (RTX, RFC 4588)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  auto* rtx_budget =
      app.add_option("--rtx-budget", o.rtx_budget_percent,
                     "retransmit at most PCT% of the video bytes (plus 200 ms bursts), however "
                     "many NACKs arrive")
          ->check(CLI::Range(1, 100))
          ->capture_default_str();
  net::AddLogOptions(app, &o.log,
                     "debug messages: keyframe requests, NACKs, RTCP errors; status details");
  // Hidden (empty group): for tests of wrap-around and SSRC collisions.
  std::uint32_t ssrc = 0, initial_ts = 0;
  std::uint16_t initial_seq = 0;
  auto* ssrc_opt = app.add_option("--ssrc", ssrc, "fixed video SSRC (testing)")->group("");
  auto* seq_opt =
      app.add_option("--initial-seq", initial_seq, "first RTP sequence number (testing)")->group("");
  auto* ts_opt =
      app.add_option("--initial-ts", initial_ts, "RTP timestamp of the first frame (testing)")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return std::unexpected(ParseFailure{app.help(), true});
  } catch (const CLI::CallForVersion& e) {
    return std::unexpected(ParseFailure{e.what(), true});
  } catch (const CLI::ParseError& e) {
    return std::unexpected(ParseFailure{fmt::format("{} (see confcast-send --help)", e.what())});
  }
  if (ssrc_opt->count() > 0) o.ssrc = ssrc;
  if (seq_opt->count() > 0) o.initial_seq = initial_seq;
  if (ts_opt->count() > 0) o.initial_ts = initial_ts;
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
  if (fec == "auto") {
    o.fec_percent = -1;
  } else if (fec == "off") {
    o.fec_percent = 0;
  } else {
    int pct = 0;
    char extra = 0;
    if (std::sscanf(fec.c_str(), "%d%c", &pct, &extra) != 1 || pct < 1 || pct > 100) {
      return std::unexpected(ParseFailure{fmt::format(
          "--fec '{}' is not auto, off or a percentage; use e.g. --fec auto, --fec off or --fec 20", fec)});
    }
    o.fec_percent = pct;
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
  if (o.sdp_crypto == "true") o.sdp_crypto = "suite";  // how CLI11 may fill a bare flag
  if (!o.sdp_crypto.empty() && o.sdp_crypto != "suite" && o.sdp_crypto != "with-key") {
    return std::unexpected(ParseFailure{fmt::format(
        "--sdp-crypto={} is not a choice; use --sdp-crypto (suite only) or --sdp-crypto=with-key",
        o.sdp_crypto)});
  }
  if (!o.sdp_crypto.empty() && o.key_file.empty()) {
    return std::unexpected(ParseFailure{"--sdp-crypto describes the SRTP key: it needs --key-file"});
  }
  if (rtx_budget->count() > 0 && !o.rtx) {
    return std::unexpected(
        ParseFailure{"--rtx-budget limits retransmission, which --rtx off turns off; drop one"});
  }
  if (interval->count() > 0 && !o.announce) {
    return std::unexpected(ParseFailure{"--announce-interval needs --announce; add --announce"});
  }
  if (o.announce && o.sdp_crypto == "with-key") {
    return std::unexpected(ParseFailure{
        "--announce with --sdp-crypto=with-key would send the group key to the whole LAN in SAP; "
        "use --sdp-crypto (suite only) and give receivers the key file"});
  }
  if (o.video == "none" && o.audio == "none") {
    return std::unexpected(ParseFailure{"--video none and --audio none leave nothing to send; drop one of them"});
  }
  return o;
}

}  // namespace confcast::sender
